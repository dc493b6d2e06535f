# sweep.mk - `spattn sweep` (docs/sweep.md): the Pareto plot scripts
# embedded into libspattn, a small demo sweep, help lines. The unit test
# tests/test_sweep.c is picked up by the top Makefile.

# reports/plots/sweep/pareto_*.gp -> C strings (the sweep report writes them
# into the output directory beside sweep.csv and runs gnuplot there)
SWEEP_GP := $(sort $(wildcard reports/plots/sweep/pareto_*.gp))
SWEEP_GP_C := $(BUILD)/gen/sweep_plot_scripts.c

$(eval $(call gp_embed,$(SWEEP_GP),$(SWEEP_GP_C),sweep_report.h,sp_sweep_plot,reports/plots/sweep/pareto_*.gp,mk/sweep.mk))

# A small sweep for `make demo` (after its run wrote out/): configs/sweep-
# pruning.yaml (24 points) on a small synthetic decode trace; under a second.
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
