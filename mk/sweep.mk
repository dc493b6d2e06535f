# sweep.mk - `spattn sweep` (docs/sweep.md): the Pareto plot scripts
# embedded into libspattn, a small demo sweep, help lines. The unit test
# tests/test_sweep.c is picked up by the top Makefile.

# reports/plots/sweep/pareto_*.gp -> C strings (the sweep report writes them
# into the output directory beside sweep.csv and runs gnuplot there)
SWEEP_GP := $(sort $(wildcard reports/plots/sweep/pareto_*.gp))
SWEEP_GP_C := $(BUILD)/gen/sweep_plot_scripts.c

$(eval $(call gp_embed,$(SWEEP_GP),$(SWEEP_GP_C),sweep_report.h,sp_sweep_plot,reports/plots/sweep/pareto_*.gp,mk/sweep.mk))

# A small sweep for `make demo` (after its run wrote out/): configs/sweep-
# pruning.yaml (24 points) on a small synthetic decode trace; under a second
# (docs/sweep.md).
SWEEP_DEMO_TRACE ?= synth:layers=4,heads=4,d=64,len=256,iters=8,seed=1
SWEEP_DEMO_OUT ?= out/sweep
.PHONY: demo-sweep
demo-sweep: $(SPATTN)
	@d=$$(dirname $(SWEEP_DEMO_OUT)); [ -d "$$d" ] || { echo "demo-sweep: $$d/ does not exist (make demo writes out/ first, or set SWEEP_DEMO_OUT)" >&2; exit 2; }
	$(SPATTN) sweep -c configs/sweep-pruning.yaml -t $(SWEEP_DEMO_TRACE) -o $(SWEEP_DEMO_OUT)

DEMO_EXTRA += demo-sweep
HELP_EXTRA += "make demo-sweep    configs/sweep-pruning.yaml on a small synthetic trace: out/sweep/ (sweep.csv, Pareto plots)"

# The journal end to end: SIGKILL / SIGINT / SIGTERM part way, resume,
# byte-identical outputs; a changed config refused (about 10 s).
.PHONY: test-sweep-resume
test-sweep-resume: $(SPATTN)
	@echo "== tests/test_sweep_resume.sh"
	@SPATTN=$(SPATTN) tests/test_sweep_resume.sh
TEST_EXTRA += test-sweep-resume
HELP_EXTRA += "make test-sweep-resume  sweeps killed part way and resumed give the uninterrupted run's bytes (tests/test_sweep_resume.sh)"

# The sweep benchmark: tests/bench/sweep-64.yaml (64 hardware points) on
# the official GPT-2 workload, -j 2, no plots; prints the wall time and
# the points per second.
BENCH_SWEEP_JOBS ?= 2
.PHONY: bench-sweep
bench-sweep: $(SPATTN)
	@w=$(SPATTN_WORKLOADS)/gpt2-small-wikitext2-pruned.csv; \
	if [ ! -f "$$w" ]; then echo "bench-sweep: skipped: $$w not found (set SPATTN_WORKLOADS)"; exit 0; fi; \
	d=$$(mktemp -d /tmp/spattn-bench-sweep.XXXXXX) || exit 2; \
	t0=$$(date +%s.%N); \
	$(SPATTN) sweep -c tests/bench/sweep-64.yaml -t $$w -o $$d/out -j $(BENCH_SWEEP_JOBS) --no-plots >$$d/log 2>&1; rc=$$?; \
	t1=$$(date +%s.%N); \
	if [ $$rc -ne 0 ]; then cat $$d/log; rm -rf $$d; exit $$rc; fi; \
	n=$$(($$(wc -l <$$d/out/sweep.csv) - 1)); rm -rf $$d; \
	echo "bench-sweep: $$n points (gpt2-small workload, timing only) in $$(awk "BEGIN { printf \"%.1f s, %.2f points/s\", $$t1 - $$t0, $$n / ($$t1 - $$t0) }") with -j $(BENCH_SWEEP_JOBS)"
BENCH_EXTRA += bench-sweep
HELP_EXTRA += "make bench-sweep   wall time of a 64-point timing-only sweep on the official GPT-2 workload (-j 2)"

# A real single-node Slurm (slurm-wlm, munge; root): --slurm, sbatch,
# --collect equal to a local run (about 10 s; skipped with the reason when
# not root or the packages are missing).
.PHONY: test-slurm
test-slurm: $(SPATTN)
	@echo "== tests/test_sweep_slurm.sh"
	@SPATTN=$(SPATTN) tests/test_sweep_slurm.sh
TEST_EXTRA += test-slurm
HELP_EXTRA += "make test-slurm    sweep --slurm on a single-node Slurm started for the test; --collect equals a local run"
