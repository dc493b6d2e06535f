# mk/config.mk - configs: every shipped config must load through the CLI
# (`spattn config show`), and what it prints must load again unchanged; the
# key tables of docs/config.md are generated from the declaration table
# (cmodel/params.c) and must match the committed file.
# The unit test tests/test_config.c covers the loader itself.

CONFIG_FILES := $(sort $(wildcard configs/*.yaml))
GEN_CONFIG_MD := $(BUILD)/gen_config_md

.PHONY: config-check docs-config docs-config-check
config-check: $(SPATTN)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for f in $(CONFIG_FILES); do \
	  $(SPATTN) config show $$f > "$$tmp/a.yaml" || exit 1; \
	  $(SPATTN) config show "$$tmp/a.yaml" | sed 1d > "$$tmp/b.yaml" || exit 1; \
	  sed 1d "$$tmp/a.yaml" | cmp -s - "$$tmp/b.yaml" || { echo "config-check: $$f does not print back the same" >&2; exit 1; }; \
	done; echo "config-check: $(words $(CONFIG_FILES)) configs load and print back the same"

$(GEN_CONFIG_MD): tools/gen_config_md.c $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

docs-config: $(GEN_CONFIG_MD)
	@$(GEN_CONFIG_MD) docs/config.md > docs/config.md.part && mv docs/config.md.part docs/config.md || { rm -f docs/config.md.part; exit 1; }
	@echo "docs-config: docs/config.md key tables written from cmodel/params.c"

docs-config-check: $(GEN_CONFIG_MD)
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && \
	$(GEN_CONFIG_MD) docs/config.md > "$$tmp" && cmp -s "$$tmp" docs/config.md || \
	{ echo "docs-config-check: docs/config.md differs from what cmodel/params.c generates (make docs-config)" >&2; exit 1; }
	@echo "docs-config-check: docs/config.md key tables match cmodel/params.c"

TEST_EXTRA += config-check docs-config-check
HELP_EXTRA += "make config-check  load every configs/*.yaml through spattn config show, print, load again"
HELP_EXTRA += "make docs-config   write the key tables of docs/config.md from cmodel/params.c"
