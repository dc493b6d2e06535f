# mk/rtl.mk - RTL datapath units (rtl/): Verilator unit tests against the C
# model, lint, Yosys synthesis, mutant check. Included by the top Makefile.

VERILATOR ?= verilator
YOSYS     ?= yosys
RTL_BUILD := $(BUILD)/rtl
RTL_ROOT  := $(abspath .)
# Test builds: low C++ optimisation keeps compile time down on 2 cores.
RTL_TB_CFLAGS := -O1 -I$(RTL_ROOT)/cmodel -I$(RTL_ROOT)/tests/rtl
RTL_TB_VFLAGS := --cc --exe --build -O3 --x-assign fast --x-initial fast -Irtl \
                 -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1 -s"

# rtl_tb(name, top, rtl files, -G params, C++ defines, extra verilator flags, tb source)
define rtl_tb
RTL_TB_$(1) := $(RTL_BUILD)/$(1)/tb_$(1)
$$(RTL_BUILD)/$(1)/tb_$(1): $(7) tests/rtl/tb_common.h $(3) $$(LIB) mk/rtl.mk
	@mkdir -p $$(RTL_BUILD)/$(1)
	@echo "verilator $(1)"
	@$$(VERILATOR) $$(RTL_TB_VFLAGS) --top-module $(2) $(4) $(6) \
	  -CFLAGS "$$(RTL_TB_CFLAGS) $(5)" -LDFLAGS "$$(abspath $$(LIB)) -lm" \
	  --Mdir $$(RTL_BUILD)/$(1) -o tb_$(1) $(3) $$(abspath $(7)) >$$(RTL_BUILD)/$(1).log 2>&1 \
	  || { cat $$(RTL_BUILD)/$(1).log; exit 1; }
endef

RTL_SOFTMAX_SRC := rtl/softmax.v rtl/exp_lut.v rtl/recip_div.v

$(eval $(call rtl_tb,exp_lut,exp_lut,rtl/exp_lut.v,,,,tests/rtl/tb_exp_lut.cpp))
$(eval $(call rtl_tb,quant,quant,rtl/quant.v,-GLanes=4,-DTB_LANES=4,,tests/rtl/tb_quant.cpp))
$(eval $(call rtl_tb,requant,requant,rtl/requant.v,,,,tests/rtl/tb_requant.cpp))
$(eval $(call rtl_tb,importance,importance,rtl/importance.v,-GLanes=2 -GD=64,-DTB_LANES=2 -DTB_D=64,,tests/rtl/tb_importance.cpp))
$(eval $(call rtl_tb,recip_div,recip_div,rtl/recip_div.v,,,,tests/rtl/tb_recip_div.cpp))

$(eval $(call rtl_tb,qk_wide,qk,rtl/qk.v,-GD=32 -GNQk=64,-DTB_D=32 -DTB_NQK=64,,tests/rtl/tb_qk.cpp))
$(eval $(call rtl_tb,qk_fold,qk,rtl/qk.v,-GD=64 -GNQk=16,-DTB_D=64 -DTB_NQK=16,,tests/rtl/tb_qk.cpp))
$(eval $(call rtl_tb,pv_wide,pv,rtl/pv.v,-GD=32 -GNPv=128,-DTB_D=32 -DTB_NPV=128,,tests/rtl/tb_pv.cpp))
$(eval $(call rtl_tb,pv_fold,pv,rtl/pv.v,-GD=64 -GNPv=16,-DTB_D=64 -DTB_NPV=16,,tests/rtl/tb_pv.cpp))
$(eval $(call rtl_tb,softmax,softmax,$(RTL_SOFTMAX_SRC),-GMaxN=1024,-DTB_MAXN=1024,,tests/rtl/tb_softmax.cpp))
$(eval $(call rtl_tb,topk48,topk,rtl/topk.v,-GKeyW=48 -GMaxN=1024 -GNCmp=4 -GRoundOverhead=2,-DTB_KEYW=48 -DTB_MAXN=1024 -DTB_NCMP=4 -DTB_RO=2,,tests/rtl/tb_topk.cpp))
$(eval $(call rtl_tb,topk16,topk,rtl/topk.v,-GKeyW=16 -GMaxN=256 -GNCmp=16 -GRoundOverhead=3,-DTB_KEYW=16 -DTB_MAXN=256 -DTB_NCMP=16 -DTB_RO=3,,tests/rtl/tb_topk.cpp))

RTL_TB_NAMES := exp_lut quant requant importance recip_div qk_wide qk_fold pv_wide pv_fold softmax topk48 topk16
RTL_TB_BINS  := $(foreach n,$(RTL_TB_NAMES),$(RTL_TB_$(n)))

.PHONY: rtl-unit-tests rtl-tb-build
rtl-tb-build: $(RTL_TB_BINS)

rtl-unit-tests: deps $(LIB)
	@$(MAKE) --no-print-directory rtl-tb-build
	@fail=0; for t in $(RTL_TB_BINS); do $$t || fail=1; done; exit $$fail

TEST_EXTRA += rtl-unit-tests
HELP_EXTRA += "make rtl-unit-tests  Verilator unit tests of rtl/ against the C model (build/rtl/)"

# ---- mutants: the same sources built with a mutant define must FAIL
$(eval $(call rtl_tb,topk_mutant,topk,rtl/topk.v,-GKeyW=48 -GMaxN=1024 -GNCmp=4 -GRoundOverhead=2,-DTB_KEYW=48 -DTB_MAXN=1024 -DTB_NCMP=4 -DTB_RO=2,+define+SPATTN_MUTANT_TOPK_TIE,tests/rtl/tb_topk.cpp))
$(eval $(call rtl_tb,softmax_mutant,softmax,$(RTL_SOFTMAX_SRC),-GMaxN=1024,-DTB_MAXN=1024,+define+SPATTN_MUTANT_EXP_LUT,tests/rtl/tb_softmax.cpp))

.PHONY: test-mutant
test-mutant: deps $(LIB)
	@$(MAKE) --no-print-directory $(RTL_TB_topk_mutant) $(RTL_TB_softmax_mutant)
	@for t in $(RTL_TB_topk_mutant) $(RTL_TB_softmax_mutant); do \
	  echo "== $$t (mutant: must FAIL)"; \
	  if $$t; then echo "test-mutant: $$t passed, the test did not catch the mutant"; exit 1; fi; \
	done; echo "test-mutant: both mutants caught"
HELP_EXTRA += "make test-mutant     build topk (flipped tie-break) and softmax (one exp LUT entry off) mutants; succeeds only if their unit tests FAIL"
