# costs.mk - cost models and reports: gnuplot scripts embedded into
# libspattn, the paper check, the timing benchmark, demo headline.

# gp_embed(scripts, C file, header, array prefix, origin, fragment): gnuplot
# scripts -> C strings PREFIX_names[], PREFIX_scripts[], PREFIX_count in a
# generated C file linked into libspattn (normal and sanitizer builds)
define gp_embed
$(2): $(1) mk/costs.mk $(6)
	@mkdir -p $$(dir $$@)
	@{ echo '/* generated from $(5) by $(6): do not edit */'; \
	  echo '#include "$(3)"'; \
	  echo 'const char *const $(4)_names[] = {'; \
	  for f in $(1); do echo "    \"$$$$(basename $$$$f)\","; done; \
	  echo '};'; \
	  echo 'const char *const $(4)_scripts[] = {'; \
	  for f in $(1); do sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$$$/\\n"/' $$$$f; echo '    ,'; done; \
	  echo '};'; \
	  echo 'const int $(4)_count = (int)(sizeof $(4)_names / sizeof $(4)_names[0]);'; \
	} > $$@.tmp && mv $$@.tmp $$@

$$(BUILD)/obj/gen/$(basename $(notdir $(2))).o: $(2) $$(HDRS) | $$(DEPS_OK)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -c $$< -o $$@

$$(BUILD)/san/obj/gen/$(basename $(notdir $(2))).o: $(2) $$(HDRS) | $$(DEPS_OK)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(SAN) -c $$< -o $$@

$$(LIB): $$(BUILD)/obj/gen/$(basename $(notdir $(2))).o
$$(LIB_SAN): $$(BUILD)/san/obj/gen/$(basename $(notdir $(2))).o
endef

# reports/plots/*.gp -> C strings (the report writer writes them into each
# output directory and runs gnuplot there)
PLOT_GP := $(sort $(wildcard reports/plots/*.gp))
PLOT_C  := $(BUILD)/gen/plot_scripts.c
$(eval $(call gp_embed,$(PLOT_GP),$(PLOT_C),report.h,sp_plot,the gnuplot scripts in reports/plots,mk/costs.mk))

# Paper check: the official GPT-2 workload through the timing-only path
PAPER_OUT ?= out/paper
.PHONY: paper-check bench-timing
paper-check: $(SPATTN)
	@if [ -f "$(SPATTN_WORKLOADS)/gpt2-small-wikitext2-pruned.csv" ]; then \
	  $(SPATTN) run -c configs/paper.yaml -t $(SPATTN_WORKLOADS)/gpt2-small-wikitext2-pruned.csv -o $(PAPER_OUT); \
	else echo "paper-check: skipped: $(SPATTN_WORKLOADS)/gpt2-small-wikitext2-pruned.csv not found (set SPATTN_WORKLOADS)"; fi

$(BUILD)/bench_timing: tests/bench/bench_timing.c $(LIB)
	$(CC) $(CFLAGS) -O3 $^ $(LDLIBS) -o $@

bench-timing: $(BUILD)/bench_timing
	$(BUILD)/bench_timing

BENCH_EXTRA += bench-timing
DEMO_EXTRA  += paper-check
HELP_EXTRA  += "make paper-check   timing-only run of the official GPT-2 workload (configs/paper.yaml) into out/paper"
HELP_EXTRA  += "make bench-timing  timing-only runs per second on the official GPT-2 workload"
