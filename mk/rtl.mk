# mk/rtl.mk - RTL datapath units (rtl/): Verilator unit tests against the C
# model, lint, Yosys synthesis, mutant check. Included by the top Makefile.

VERILATOR ?= verilator
YOSYS     ?= yosys
RTL_BUILD := $(BUILD)/rtl
RTL_ROOT  := $(abspath .)
# Test builds: low C++ optimisation keeps compile time down on 2 cores.
# build/gen: sp_defs.h / sp_defs.vh, generated from defs/spattn.defs (mk/defs.mk)
RTL_TB_CFLAGS := -O1 -I$(RTL_ROOT)/cmodel -I$(RTL_ROOT)/$(BUILD)/gen -I$(RTL_ROOT)/tests/rtl
RTL_TB_VFLAGS := --cc --exe --build -O3 --x-assign fast --x-initial fast -Irtl -I$(BUILD)/gen \
                 -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1 -s"

# rtl_tb(name, top, rtl files, -G params, C++ defines, extra verilator flags, tb source)
define rtl_tb
RTL_TB_$(1) := $(RTL_BUILD)/$(1)/tb_$(1)
$$(RTL_BUILD)/$(1)/tb_$(1): $(7) tests/rtl/tb_common.h $(3) $$(GEN_H) $$(GEN_VH) $$(LIB) mk/rtl.mk | need-verilator
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
$(eval $(call rtl_tb,softmax8,softmax,$(RTL_SOFTMAX_SRC),-GMaxN=1024 -GLanes=8,-DTB_MAXN=1024 -DTB_LANES=8,,tests/rtl/tb_softmax.cpp))
$(eval $(call rtl_tb,topk48,topk,rtl/topk.v,-GKeyW=48 -GMaxN=1024 -GNCmp=4 -GRoundOverhead=2,-DTB_KEYW=48 -DTB_MAXN=1024 -DTB_NCMP=4 -DTB_RO=2,,tests/rtl/tb_topk.cpp))
$(eval $(call rtl_tb,topk16,topk,rtl/topk.v,-GKeyW=16 -GMaxN=256 -GNCmp=16 -GRoundOverhead=3,-DTB_KEYW=16 -DTB_MAXN=256 -DTB_NCMP=16 -DTB_RO=3,,tests/rtl/tb_topk.cpp))
$(eval $(call rtl_tb,topk3,topk,rtl/topk.v,-GKeyW=16 -GMaxN=64 -GNCmp=3 -GRoundOverhead=2,-DTB_KEYW=16 -DTB_MAXN=64 -DTB_NCMP=3 -DTB_RO=2,,tests/rtl/tb_topk.cpp))

RTL_TB_NAMES := exp_lut quant requant importance recip_div qk_wide qk_fold pv_wide pv_fold softmax softmax8 topk48 topk16 topk3
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
$(eval $(call rtl_tb,softmax8_mutant,softmax,$(RTL_SOFTMAX_SRC),-GMaxN=1024 -GLanes=8,-DTB_MAXN=1024 -DTB_LANES=8,+define+SPATTN_MUTANT_EXP_LUT,tests/rtl/tb_softmax.cpp))
$(eval $(call rtl_tb,softmax8_bank_mutant,softmax,$(RTL_SOFTMAX_SRC),-GMaxN=1024 -GLanes=8,-DTB_MAXN=1024 -DTB_LANES=8,+define+SPATTN_MUTANT_SCORE_BANK,tests/rtl/tb_softmax.cpp))

.PHONY: test-mutant
test-mutant: deps $(LIB)
	@$(MAKE) --no-print-directory $(RTL_TB_topk_mutant) $(RTL_TB_softmax_mutant) $(RTL_TB_softmax8_mutant) \
	  $(RTL_TB_softmax8_bank_mutant)
	@for t in $(RTL_TB_topk_mutant) $(RTL_TB_softmax_mutant) $(RTL_TB_softmax8_mutant) $(RTL_TB_softmax8_bank_mutant); do \
	  echo "== $$t (mutant: must FAIL)"; \
	  if $$t; then echo "test-mutant: $$t passed, the test did not catch the mutant"; exit 1; fi; \
	done; echo "test-mutant: every mutant caught (topk, softmax at 1 and 8 lanes, softmax score bank)"
HELP_EXTRA += "make test-mutant     build topk (flipped tie-break), softmax (one exp LUT entry off, 1 and 8 lanes) and softmax score-bank (a start taken into a full bank) mutants; succeeds only if their unit tests FAIL"

# ---- exp LUT: rtl/exp_lut.v must equal what the generator writes from sp_exp_lut()
$(RTL_BUILD)/gen_exp_lut: tests/rtl/gen_exp_lut.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LIB) -lm -o $@

.PHONY: rtl-exp-lut-check rtl-gen-exp-lut
rtl-exp-lut-check: $(RTL_BUILD)/gen_exp_lut
	@$(RTL_BUILD)/gen_exp_lut > $(RTL_BUILD)/exp_lut.v && cmp -s $(RTL_BUILD)/exp_lut.v rtl/exp_lut.v \
	  && echo "PASS exp_lut.v equals gen_exp_lut output" \
	  || { echo "FAIL exp_lut.v differs from gen_exp_lut output (make rtl-gen-exp-lut)"; exit 1; }
rtl-gen-exp-lut: $(RTL_BUILD)/gen_exp_lut
	$(RTL_BUILD)/gen_exp_lut > rtl/exp_lut.v.tmp && mv rtl/exp_lut.v.tmp rtl/exp_lut.v

rtl-unit-tests: rtl-exp-lut-check

# ---- lint: every rtl/*.v with itself as top (submodules found with -y rtl),
# plus the folded / narrow-key parameter sets of the datapath units
# (top:parameters, '+' standing for a space)
RTL_LINT_VARIANTS := qk:-GNQk=16 qk:-GD=256+-GNQk=512 pv:-GNPv=16 pv:-GD=256+-GNPv=512 \
                     topk:-GKeyW=16 topk:-GMaxN=16384+-GNCmp=16 softmax:-GMaxN=16384 softmax:-GLanes=8 softmax:-GMaxN=64+-GLanes=64 \
                     quant:-GLanes=3 importance:-GLanes=4+-GD=256
.PHONY: lint-rtl
lint-rtl: deps $(GEN_VH) need-verilator
	@fail=0; for f in $(sort $(wildcard rtl/*.v)); do \
	  top=$$(basename $$f .v); \
	  $(VERILATOR) --lint-only -Wall -y rtl -I$(BUILD)/gen --top-module $$top $$f || { echo "lint-rtl: $$f FAILED"; fail=1; }; \
	done; \
	for v in $(RTL_LINT_VARIANTS); do \
	  top=$${v%%:*}; par=$$(echo "$${v#*:}" | tr '+' ' '); \
	  $(VERILATOR) --lint-only -Wall -y rtl -I$(BUILD)/gen --top-module $$top $$par rtl/$$top.v || { echo "lint-rtl: $$top $$par FAILED"; fail=1; }; \
	done; \
	[ $$fail = 0 ] && echo "lint-rtl: verilator --lint-only -Wall clean on $(words $(wildcard rtl/*.v)) files + $(words $(RTL_LINT_VARIANTS)) parameter variants"; exit $$fail
LINT_EXTRA += lint-rtl
HELP_EXTRA += "make lint-rtl        verilator --lint-only -Wall on every rtl/*.v (and parameter variants)"

# ---- synthesis: Yosys generic `synth; stat -tech cmos` per datapath unit.
# Parameters are kept small so the whole run stays around a minute on 2
# cores (memories are mapped to flip-flops: there is no SRAM macro library);
# cell counts therefore describe these sizes, not the paper's design point.
# Each run also writes the gate netlist build/synth/<unit>_net.v, which
# `make rtl-gate-tests` simulates with the same testbenches.
RTL_SYNTH_UNITS := quant requant importance exp_lut recip_div qk pv softmax topk
SYN_FILES_quant      := rtl/quant.v
SYN_PARAMS_quant     := -set Lanes 1
SYN_FILES_requant    := rtl/requant.v
SYN_FILES_importance := rtl/importance.v
SYN_PARAMS_importance:= -set Lanes 1 -set D 16
SYN_FILES_exp_lut    := rtl/exp_lut.v
SYN_FILES_recip_div  := rtl/recip_div.v
SYN_PARAMS_recip_div := -set NumW 47 -set DenW 32
SYN_FILES_qk         := rtl/qk.v
SYN_PARAMS_qk        := -set D 16 -set NQk 16
SYN_FILES_pv         := rtl/pv.v
SYN_PARAMS_pv        := -set D 16 -set NPv 16
SYN_FILES_softmax    := $(RTL_SOFTMAX_SRC)
SYN_PARAMS_softmax   := -set MaxN 64
SYN_FILES_topk       := rtl/topk.v
SYN_PARAMS_topk      := -set KeyW 16 -set MaxN 64 -set NCmp 4

define rtl_syn
$$(BUILD)/synth/$(1).txt: $$(SYN_FILES_$(1)) $$(GEN_VH) mk/rtl.mk | deps need-yosys
	@mkdir -p $$(BUILD)/synth
	@echo "synth $(1) ($$(SYN_PARAMS_$(1)))"
	@$$(YOSYS) -q -l $$(BUILD)/synth/$(1).log -p "read_verilog -Irtl -I$$(BUILD)/gen $$(SYN_FILES_$(1)); $$(if $$(SYN_PARAMS_$(1)),chparam $$(SYN_PARAMS_$(1)) $(1);) synth -top $(1); tee -q -o $$(BUILD)/synth/$(1).txt.tmp stat -tech cmos; write_verilog -noattr $$(BUILD)/synth/$(1)_net.v" >/dev/null \
	  || { echo "synth: yosys failed on $(1) (see $$(BUILD)/synth/$(1).log)"; exit 1; }
	@mv $$(BUILD)/synth/$(1).txt.tmp $$@
$$(BUILD)/synth/$(1)_net.v: $$(BUILD)/synth/$(1).txt
endef
$(foreach u,$(RTL_SYNTH_UNITS),$(eval $(call rtl_syn,$(u))))

.PHONY: synth
synth: $(foreach u,$(RTL_SYNTH_UNITS),$(BUILD)/synth/$(u).txt)
	@{ echo "unit,parameters,cells,transistors_est"; \
	  $(foreach u,$(RTL_SYNTH_UNITS),\
	    echo "$(u),\"$(SYN_PARAMS_$(u))\",$$(awk '/Number of cells:/ {c=$$4} END {print c}' $(BUILD)/synth/$(u).txt),$$(awk '/Estimated number of transistors:/ {t=$$5} END {print t}' $(BUILD)/synth/$(u).txt)";) \
	  } > $(BUILD)/synth/summary.csv.tmp
	@mv $(BUILD)/synth/summary.csv.tmp $(BUILD)/synth/summary.csv
	@cat $(BUILD)/synth/summary.csv
HELP_EXTRA += "make synth           Yosys synth + stat per rtl unit (small parameters): build/synth/<unit>.txt, summary.csv"

# ---- gate level: the Yosys netlists of `make synth` run the same benches
# (synthesis parameters; fewer vectors). Not part of `make test` (~3 min).
# -O0: Verilator 5.006's optimisations mis-evaluate XOR/adder trees of Yosys
# netlists: bit 31 of a sum of 4 signed products came out flipped on every
# one of 100000 random inputs, and qk's netlist failed its bench; the netlists
# are right by Yosys `eval` and under Verilator -O0 (or -fno-dfg plus
# -fno-const-bit-op-tree). Known upstream: verilator/verilator #4059, #5186.
RTL_GATE_VFLAGS := -Wno-fatal -Wno-lint -Wno-style -O0
$(eval $(call rtl_tb,gate_quant,quant,$(BUILD)/synth/quant_net.v,,-DTB_LANES=1,$(RTL_GATE_VFLAGS),tests/rtl/tb_quant.cpp))
$(eval $(call rtl_tb,gate_requant,requant,$(BUILD)/synth/requant_net.v,,,$(RTL_GATE_VFLAGS),tests/rtl/tb_requant.cpp))
$(eval $(call rtl_tb,gate_importance,importance,$(BUILD)/synth/importance_net.v,,-DTB_LANES=1 -DTB_D=16,$(RTL_GATE_VFLAGS),tests/rtl/tb_importance.cpp))
$(eval $(call rtl_tb,gate_exp_lut,exp_lut,$(BUILD)/synth/exp_lut_net.v,,,$(RTL_GATE_VFLAGS),tests/rtl/tb_exp_lut.cpp))
$(eval $(call rtl_tb,gate_recip_div,recip_div,$(BUILD)/synth/recip_div_net.v,,,$(RTL_GATE_VFLAGS),tests/rtl/tb_recip_div.cpp))
$(eval $(call rtl_tb,gate_qk,qk,$(BUILD)/synth/qk_net.v,,-DTB_D=16 -DTB_NQK=16,$(RTL_GATE_VFLAGS),tests/rtl/tb_qk.cpp))
$(eval $(call rtl_tb,gate_pv,pv,$(BUILD)/synth/pv_net.v,,-DTB_D=16 -DTB_NPV=16,$(RTL_GATE_VFLAGS),tests/rtl/tb_pv.cpp))
$(eval $(call rtl_tb,gate_softmax,softmax,$(BUILD)/synth/softmax_net.v,,-DTB_MAXN=64,$(RTL_GATE_VFLAGS),tests/rtl/tb_softmax.cpp))
$(eval $(call rtl_tb,gate_topk,topk,$(BUILD)/synth/topk_net.v,,-DTB_KEYW=16 -DTB_MAXN=64 -DTB_NCMP=4 -DTB_RO=2,$(RTL_GATE_VFLAGS),tests/rtl/tb_topk.cpp))
RTL_GATE_BINS := $(foreach u,$(RTL_SYNTH_UNITS),$(RTL_TB_gate_$(u)))
RTL_GATE_VECTORS ?= 3000

.PHONY: rtl-gate-tests
rtl-gate-tests: deps $(LIB)
	@$(MAKE) --no-print-directory $(RTL_GATE_BINS)
	@fail=0; for t in $(RTL_GATE_BINS); do printf 'gate-level: '; $$t 1 $(RTL_GATE_VECTORS) || fail=1; done; exit $$fail
HELP_EXTRA += "make rtl-gate-tests  simulate the Yosys netlists of make synth with the same unit benches"
