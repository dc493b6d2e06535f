# paper.mk - `make paper`: the table beside the SpAtten paper's figures
# (tools/paper.sh, docs/paper.md), written to build/paper/table.md and
# compared with the copy in README.md; `make paper-update` copies it there.
# `make test-paper` (part of make test) runs the script on a small input.
PAPER_DIR := $(BUILD)/paper
README_TABLE = sed -n '/^<!-- paper-table begin -->$$/,/^<!-- paper-table end -->$$/p' README.md | sed '1d;$$d'

.PHONY: paper paper-update paper-table-check test-paper
paper: $(SPATTN)
	@SPATTN=$(SPATTN) WORKLOADS=$(SPATTN_WORKLOADS) OUT=$(PAPER_DIR) tools/paper.sh
	@$(MAKE) --no-print-directory paper-table-check || echo "paper: run 'make paper-update' to copy $(PAPER_DIR)/table.md into README.md"

# the README's copy against the generated table
paper-table-check:
	@[ -f $(PAPER_DIR)/table.md ] || { echo "paper-table-check: $(PAPER_DIR)/table.md missing (make paper)"; exit 2; }
	@if $(README_TABLE) | cmp -s - $(PAPER_DIR)/table.md; then echo "paper: README.md's table is $(PAPER_DIR)/table.md"; \
	 else echo "paper: README.md's table differs from $(PAPER_DIR)/table.md:"; $(README_TABLE) | diff - $(PAPER_DIR)/table.md; exit 1; fi

paper-update: paper
	@awk -v t=$(PAPER_DIR)/table.md '/^<!-- paper-table end -->$$/ { while ((getline l < t) > 0) print l; skip = 0 } \
	  !skip { print } /^<!-- paper-table begin -->$$/ { skip = 1 }' README.md > README.md.tmp && mv README.md.tmp README.md
	@$(MAKE) --no-print-directory paper-table-check

# the script on a small input: one iteration of the official workload (when
# present) and a short synthetic decode trace; checks the table's rows
test-paper: $(SPATTN)
	@echo "== tools/paper.sh (small input)"
	@d=$$(mktemp -d /tmp/spattn-test-paper.XXXXXX); trap 'rm -rf $$d' EXIT; mkdir $$d/w; \
	 for k in pruned dense; do f=$(SPATTN_WORKLOADS)/gpt2-small-wikitext2-$$k.csv; \
	   [ -f $$f ] && head -n 145 $$f > $$d/w/gpt2-small-wikitext2-$$k.csv; done; \
	 SPATTN=$(SPATTN) WORKLOADS=$$d/w OUT=$$d/out DECODE_LEN=128 tools/paper.sh >/dev/null && \
	 n=$$(grep -c '^| ' $$d/out/table.md) && \
	 if [ -f $$d/w/gpt2-small-wikitext2-pruned.csv ]; then want=18; else want=4; fi && \
	 { [ $$n = $$want ] || { echo "test-paper: $$n table lines, want $$want"; cat $$d/out/table.md; exit 1; }; } && \
	 ! grep -q 'nan\|inf' $$d/out/table.md && echo "test-paper: table of $$n lines"

TEST_EXTRA += test-paper
HELP_EXTRA += "make paper         table beside the figures of the SpAtten paper: build/paper/table.md, checked against README.md (docs/paper.md)"
HELP_EXTRA += "make paper-update  make paper, then copy the table into README.md"
HELP_EXTRA += "make test-paper    tools/paper.sh on a small input"
