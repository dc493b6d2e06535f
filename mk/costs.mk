# costs.mk - cost models and reports: gnuplot scripts embedded into
# libspattn, the paper check, the timing benchmark, demo headline.

# reports/plots/*.gp -> C strings (the report writer writes them into each
# output directory and runs gnuplot there)
PLOT_GP := $(sort $(wildcard reports/plots/*.gp))
PLOT_C  := $(BUILD)/gen/plot_scripts.c

$(PLOT_C): $(PLOT_GP) mk/costs.mk
	@mkdir -p $(dir $@)
	@{ echo '/* generated from the gnuplot scripts in reports/plots by mk/costs.mk: do not edit */'; \
	  echo '#include "report.h"'; \
	  echo 'const char *const sp_plot_names[] = {'; \
	  for f in $(PLOT_GP); do echo "    \"$$(basename $$f)\","; done; \
	  echo '};'; \
	  echo 'const char *const sp_plot_scripts[] = {'; \
	  for f in $(PLOT_GP); do sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $$f; echo '    ,'; done; \
	  echo '};'; \
	  echo 'const int sp_plot_count = (int)(sizeof sp_plot_names / sizeof sp_plot_names[0]);'; \
	} > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/plot_scripts.o: $(PLOT_C) $(HDRS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/san/obj/gen/plot_scripts.o: $(PLOT_C) $(HDRS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c $< -o $@

$(LIB): $(BUILD)/obj/gen/plot_scripts.o
$(LIB_SAN): $(BUILD)/san/obj/gen/plot_scripts.o

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
