# mk/defs.mk - constants shared by C, C++ and Verilog: build/gen/sp_defs.h and
# build/gen/sp_defs.vh generated from defs/spattn.defs by our own generator
# (defs/gen_defs.c). Included by the top Makefile; GEN_H and GEN_VH are set
# there (every C object depends on GEN_H through HDRS; the RTL and co-sim
# builds of mk/rtl.mk and mk/sim.mk depend on GEN_VH and GEN_H).

DEFS_SRC := defs/spattn.defs
GEN_DEFS := $(BUILD)/gen/gen_defs

$(GEN_DEFS): defs/gen_defs.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CSTD) $(WARN) -O2 $< -o $@

# both from one run (a grouped target); gen_defs writes neither on an error
$(GEN_H) $(GEN_VH) &: $(DEFS_SRC) $(GEN_DEFS)
	@echo "  GEN     $(GEN_H) $(GEN_VH)"
	@$(GEN_DEFS) $(DEFS_SRC) $(GEN_H) $(GEN_VH)

.PHONY: gen-defs
gen-defs: $(GEN_H) $(GEN_VH)
HELP_EXTRA += "make gen-defs        build/gen/sp_defs.h and sp_defs.vh from defs/spattn.defs (constants shared by C, C++ and Verilog)"
