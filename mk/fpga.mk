# mk/fpga.mk - FPGA mapping of the RTL (rtl/fpga/, rtl/README.md "FPGA"):
# resource counts of spattn_top on AMD/Xilinx UltraScale+ (Yosys
# synth_xilinx -family xcup) for configs, and the open iCE40 flow (Yosys
# synth_ice40, nextpnr-ice40, icepack) on small datapath units with Fmax and
# utilisation. Included by the top Makefile.
#
#   make fpga          build/fpga/resources.csv (tiny.yaml and default.yaml on
#                      xcup, hierarchy kept: every unit, the glue, their sum),
#                      build/fpga/ice40.csv (datapath units on an iCE40UP5K)
#                      and build/fpga/ice40-top.csv (the whole top, smallest
#                      parameters, on an iCE40HX8K; per unit: ice40-top-units.csv)
#   make fpga-paper    paper.yaml on xcup (slow): build/fpga/resources-paper.csv
#   make fpga-xilinx-units  each unit of spattn_top on xcup, out of context
#   make test-fpga     the iCE40 flow on requant (seconds; part of make test)
#   make test-sweep-fpga  spattn sweep --fpga on a one-point sweep (minutes; not in make test)

NEXTPNR_ICE40 ?= nextpnr-ice40
ICEPACK       ?= icepack
FPGA_BUILD    := $(BUILD)/fpga
FPGA_SIMCFG   := $(BUILD)/sim/spattn_simcfg
FPGA_XIL      := rtl/fpga/xilinx_resources.sh
FPGA_ICE      := rtl/fpga/ice40_pnr.sh
FPGA_TOOLS    := $(FPGA_XIL) $(FPGA_ICE) rtl/fpga/wrap_ports.awk

.PHONY: need-nextpnr-ice40 need-icepack fpga fpga-xilinx fpga-xilinx-units fpga-ice40 fpga-ice40-top fpga-paper test-fpga test-sweep-fpga
need-nextpnr-ice40: ; @$(call sp_need,$(NEXTPNR_ICE40),nextpnr-ice40)
need-icepack: ; @$(call sp_need,$(ICEPACK),fpga-icestorm)

# xcup points of `make fpga`: name:config:D[:ITEM,...] (D: hardware head
# dimension, as COSIM_D; an ITEM Param=Value overrides a parameter the
# config gives, X.UNIT=OPTION adds a synth_xilinx option to one unit's run;
# the CSV lines show every parameter and option). Each point is mapped with
# the hierarchy kept (xilinx_resources.sh -H): a line per unit, the glue,
# their sum.
# Every unit gets ABC's full script: topk's banked candidate buffers map
# with it (27 s at tiny.yaml, 843 s at default.yaml, 2234 s at paper.yaml;
# rtl/README.md "FPGA"); X.topk=-fastabc remains for a quick run
FPGA_XIL_POINTS ?= tiny:rtl/fpga/tiny.yaml:8 default:configs/default.yaml:64
# the paper's design point (make fpga-paper): its softmax's 8 lanes of 1024
# / 8 entries map to LUT-RAM (rtl/README.md "FPGA")
FPGA_PAPER_POINTS ?= paper:configs/paper.yaml:64

# fpga_xil_run(points, csv): one line per point, header first; the file is
# written under a temporary name and renamed, so a failure leaves none
define fpga_xil_run
	@mkdir -p $(FPGA_BUILD)
	@$(FPGA_XIL) --header > $(2).tmp
	@for p in $(1); do \
	  n=$${p%%:*}; r=$${p#*:}; c=$${r%%:*}; r=$${r#*:}; d=$${r%%:*}; o=""; x=""; \
	  if [ "$$d" != "$$r" ]; then for i in $$(echo "$${r#*:}" | tr ',' ' '); do \
	    case $$i in X.*) x="$$x -X $${i#X.}";; *) o="$$o $$i";; esac; done; fi; \
	  echo "fpga: $$n ($$c, D $$d$$o$$x) on xcup, hierarchy kept"; \
	  YOSYS=$(YOSYS) SPATTN_SIMCFG=$(FPGA_SIMCFG) nice -n 19 $(FPGA_XIL) -H -d $$d -n $$n $$x -w $(FPGA_BUILD)/xilinx/$$n $$c $$o >> $(2).tmp || exit $$?; \
	done
	@mv $(2).tmp $(2)
	@cat $(2)
endef

fpga-xilinx: deps need-yosys $(GEN_VH) $(FPGA_SIMCFG)
	$(call fpga_xil_run,$(FPGA_XIL_POINTS),$(FPGA_BUILD)/resources.csv)

fpga-paper: deps need-yosys $(GEN_VH) $(FPGA_SIMCFG)
	$(call fpga_xil_run,$(FPGA_PAPER_POINTS),$(FPGA_BUILD)/resources-paper.csv)

# the top's units one by one, out of context, at one config (the top's own
# glue logic is in none of them): FPGA_UNITS_CONFIG, D FPGA_UNITS_D
FPGA_UNITS_CONFIG ?= configs/default.yaml
FPGA_UNITS_D      ?= 64
FPGA_XIL_UNITS    ?= kbuf vbuf qk pv importance writer fetcher softmax requant controller topk glue
FPGA_UNITS_X      ?=
fpga-xilinx-units: deps need-yosys $(GEN_VH) $(FPGA_SIMCFG)
	@mkdir -p $(FPGA_BUILD)
	@$(FPGA_XIL) --header > $(FPGA_BUILD)/resources-units.csv.tmp
	@for u in $(FPGA_XIL_UNITS); do echo "fpga: $$u of $(FPGA_UNITS_CONFIG) on xcup"; \
	  x=""; for o in $(FPGA_UNITS_X); do [ "$${o%%=*}" = $$u ] && x="$$x -X $$o"; done; \
	  YOSYS=$(YOSYS) SPATTN_SIMCFG=$(FPGA_SIMCFG) nice -n 19 $(FPGA_XIL) -d $(FPGA_UNITS_D) -u $$u $$x \
	    -w $(FPGA_BUILD)/xilinx/units-$$u $(FPGA_UNITS_CONFIG) >> $(FPGA_BUILD)/resources-units.csv.tmp || exit $$?; \
	done
	@mv $(FPGA_BUILD)/resources-units.csv.tmp $(FPGA_BUILD)/resources-units.csv
	@cat $(FPGA_BUILD)/resources-units.csv

# iCE40 units: name:module[:Param=Value,...], placed and routed on an
# iCE40UP5K (SG48 package; 5280 LCs, 30 4-kbit RAMs, 8 DSPs) at 12 MHz target
FPGA_ICE_PART  ?= up5k
FPGA_ICE_UNITS ?= requant:requant quant:quant:Lanes=1 exp_lut:exp_lut recip_div:recip_div \
                  importance:importance:Lanes=1,D=8 qk:qk:D=8,NQk=4 pv:pv:D=8,NPv=4 \
                  softmax:softmax:MaxN=64 topk:topk:KeyW=16,MaxN=16,NCmp=2
fpga_ice_args = p=$(1); n=$${p%%:*}; r=$${p\#*:}; m=$${r%%:*}; o=""; [ "$$m" != "$$r" ] && o=$$(echo "$${r\#*:}" | tr ',' ' ')

fpga-ice40: deps $(GEN_VH) need-yosys need-nextpnr-ice40 need-icepack
	@mkdir -p $(FPGA_BUILD)
	@$(FPGA_ICE) --header > $(FPGA_BUILD)/ice40.csv.tmp
	@for u in $(FPGA_ICE_UNITS); do $(call fpga_ice_args,$$u); \
	  echo "fpga: $$n ($$m $$o) on $(FPGA_ICE_PART)"; \
	  YOSYS=$(YOSYS) NEXTPNR=$(NEXTPNR_ICE40) ICEPACK=$(ICEPACK) $(FPGA_ICE) -p $(FPGA_ICE_PART) -n $$n \
	    -w $(FPGA_BUILD)/ice40/$$n -t $$m $$o >> $(FPGA_BUILD)/ice40.csv.tmp || exit $$?; \
	done
	@mv $(FPGA_BUILD)/ice40.csv.tmp $(FPGA_BUILD)/ice40.csv
	@cat $(FPGA_BUILD)/ice40.csv

# the whole top on the largest iCE40 nextpnr knows (HX8K: 7680 LCs) at the
# smallest parameters the RTL elaborates (rtl/fpga/ice40_top.sh); written
# whether or not it fits, with each unit's synth_ice40 cells
FPGA_ICE_TOP_PART ?= hx8k
fpga-ice40-top: deps $(GEN_VH) need-yosys need-nextpnr-ice40 need-icepack
	@echo "fpga: spattn_top (smallest parameters) on $(FPGA_ICE_TOP_PART)"
	@YOSYS=$(YOSYS) NEXTPNR=$(NEXTPNR_ICE40) ICEPACK=$(ICEPACK) nice -n 19 rtl/fpga/ice40_top.sh -p $(FPGA_ICE_TOP_PART) -w $(FPGA_BUILD)/ice40-top
	@cp $(FPGA_BUILD)/ice40-top/ice40-top.csv $(FPGA_BUILD)/ice40-top/ice40-top-units.csv $(FPGA_BUILD)/

fpga: fpga-xilinx fpga-ice40 fpga-ice40-top

# smoke check of the iCE40 flow (a few seconds): requant must place, route
# and pack, with a positive Fmax in the CSV line; the wrapper check refuses
# a bad parameter with exit status 2
test-fpga: deps $(GEN_VH) need-yosys need-nextpnr-ice40 need-icepack
	@line=$$(YOSYS=$(YOSYS) NEXTPNR=$(NEXTPNR_ICE40) ICEPACK=$(ICEPACK) $(FPGA_ICE) -n smoke -w $(FPGA_BUILD)/smoke -t requant) || exit 1; \
	  echo "$$line" | awk -F, '$$8 > 0 && $$15 > 0 { ok = 1 } END { exit !ok }' \
	  || { echo "test-fpga: FAIL: no LCs or Fmax in '$$line'"; exit 1; }; \
	  test -s $(FPGA_BUILD)/smoke/fpga_wrap.bin || { echo "test-fpga: FAIL: no bitstream"; exit 1; }; \
	  $(FPGA_ICE) -t requant Bad=x 2>/dev/null; rc=$$?; [ $$rc = 2 ] || { echo "test-fpga: FAIL: bad parameter gave exit $$rc, not 2"; exit 1; }; \
	  echo "test-fpga: PASS requant on iCE40UP5K: $$line"

# spattn sweep --fpga end to end on a one-point sweep at hardware D 8
# (tests/test_sweep_fpga.sh; maps the tiny top twice: minutes, so not in
# make test)
test-sweep-fpga: $(SPATTN) deps $(GEN_VH) need-yosys $(FPGA_SIMCFG)
	@SPATTN=$(SPATTN) YOSYS=$(YOSYS) tests/test_sweep_fpga.sh

TEST_EXTRA += test-fpga
HELP_EXTRA += "make fpga             FPGA resources of spattn_top (xcup, tiny and default.yaml, hierarchy kept), iCE40 P&R of the units and the top: build/fpga/*.csv"
HELP_EXTRA += "make fpga-paper       FPGA resources of the paper's design point on xcup (slow): build/fpga/resources-paper.csv"
HELP_EXTRA += "make fpga-xilinx-units  each unit of spattn_top on xcup out of context (FPGA_UNITS_CONFIG): build/fpga/resources-units.csv"
HELP_EXTRA += "make test-fpga        iCE40 flow smoke check (requant: synth_ice40, nextpnr-ice40, icepack)"
HELP_EXTRA += "make fpga-ice40-top   the whole spattn_top, smallest parameters, through nextpnr-ice40: build/fpga/ice40-top*.csv"
HELP_EXTRA += "make test-sweep-fpga  spattn sweep --fpga xcup on a one-point sweep (minutes; not in make test)"
