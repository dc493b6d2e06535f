# plot.mk - `spattn plot DIR` (docs/sweep.md "Plots"): the sweep plot
# scripts that reports/plot_sweep.c writes beside plot_points.dat and runs,
# embedded into libspattn (the Pareto scripts pareto_*.gp of `spattn sweep`
# are embedded by mk/sweep.mk).
SWEEPPLOT_GP := $(sort $(wildcard reports/plots/sweep/front_*.gp reports/plots/sweep/lines_*.gp reports/plots/sweep/heat_*.gp))
SWEEPPLOT_GP_C := $(BUILD)/gen/sweepplot_scripts.c

$(eval $(call gp_embed,$(SWEEPPLOT_GP),$(SWEEPPLOT_GP_C),plot_sweep.h,sp_sweepplot,reports/plots/sweep/front_lines_heat scripts,mk/plot.mk))


.PHONY: test-plot
test-plot: $(SPATTN)
	@echo "== tests/test_plot.sh"
	@SPATTN=$(SPATTN) SPATTN_WORKLOADS=$(SPATTN_WORKLOADS) tests/test_plot.sh

TEST_EXTRA += test-plot
HELP_EXTRA += "make test-plot     spattn plot: columns by name, hostile names, marker, refusals (tests/test_plot.sh)"
