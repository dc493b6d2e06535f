# mk/sim.mk - SystemC co-simulation of the RTL against the C model (sim/):
# build of spattn_cosim, co-sim regression, mutant check, bench, lint of the
# system-level RTL. Included by the top Makefile.
#
#   build/sim/spattn_cosim        COSIM_CONFIG (default configs/default.yaml), hardware D = COSIM_D (64)
#   build/sim/small/spattn_cosim  tests/cosim/small.yaml, D = 32 (regression)
#   build/sim/fold/spattn_cosim   tests/cosim/fold.yaml, D = 32 (regression: folded qk/pv, no V LSBs)
#   build/sim/paper/spattn_cosim  configs/paper.yaml, D = 64 (regression: the paper's hardware)
#   build/sim/narrow/spattn_cosim tests/cosim/narrow.yaml, D = 32 (regression: one-row read port)
#   build/sim/mutant/spattn_cosim the same with +define+SPATTN_MUTANT_TOPK_TIE (must FAIL)
#   build/sim/mutant2/spattn_cosim the same with +define+SPATTN_MUTANT_HANDOFF (must FAIL)
#   build/sim/mutant3/spattn_cosim the same with +define+SPATTN_MUTANT_BANK (must FAIL)
#   build/sim/mutant4/spattn_cosim the same with +define+SPATTN_MUTANT_PREFETCH (must FAIL)

VERILATOR    ?= verilator
YOSYS        ?= yosys
SIM_BUILD    := $(BUILD)/sim
SIM_ROOT     := $(abspath .)
COSIM_CONFIG ?= configs/default.yaml
COSIM_D      ?= 64
SIM_RTL      := $(sort $(wildcard rtl/*.v))
SIM_CPP      := sim/cosim_main.cpp sim/harness.cpp sim/checker.cpp sim/image.cpp sim/memmodel.cpp \
                sim/plain_loop.cpp sim/timing_cmp.cpp
SIM_HDR      := $(wildcard sim/*.h)
SIM_LDFLAGS  := $(abspath $(LIB)) -lsystemc $(LDLIBS) -pthread
# --unroll-*: the element loops (planebuf's plane-to-element and element wiring)
# become straight-line code; about 14x faster on the paper's 512-multiplier
# machine, the same speed on small ones
SIM_VFLAGS   := --cc --exe --build --trace-fst -O3 --x-assign fast --x-initial fast \
                --unroll-count 4096 --unroll-stmts 100000 --top-module spattn_top -Irtl -I$(BUILD)/gen
# bench build (make bench-cosim measures cycles/s): -O3 on the Verilated model and
# its runtime alike; test builds: light C++ optimisation (they compile on 2 cores)
SIM_MK_FAST  := -MAKEFLAGS "OPT_FAST=-O3 OPT_SLOW=-O1 OPT_GLOBAL=-O2 -s"
SIM_MK_TEST  := -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1 -s"
SIM_CXXFLAGS := -std=c++17 -O2 -DSIM_TRACE=1 -I$(SIM_ROOT)/cmodel -I$(SIM_ROOT)/traces -I$(SIM_ROOT)/engine \
                -I$(SIM_ROOT)/reports -I$(SIM_ROOT)/sim -I$(SIM_ROOT)/$(BUILD)/gen

$(SIM_BUILD)/spattn_simcfg: sim/simcfg.c sim/simparams.h $(GEN_H) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isim sim/simcfg.c $(LIB) $(LDLIBS) -o $@

# sim_build(name, config, D, makeflags, extra verilator flags)
define sim_build
# regenerated on every make (a config includes other files, and COSIM_CONFIG
# may name another one); simcfg leaves an unchanged file untouched
$$(SIM_BUILD)/$(1)/sim_params.h: $(2) $$(SIM_BUILD)/spattn_simcfg sim-params-force
	@mkdir -p $$(SIM_BUILD)/$(1)
	@$$(SIM_BUILD)/spattn_simcfg -c $(2) -d $(3) -o $$(SIM_BUILD)/$(1)/sim_params >/dev/null
$$(SIM_BUILD)/$(1)/spattn_cosim: $$(SIM_BUILD)/$(1)/sim_params.h $$(SIM_RTL) $$(SIM_CPP) $$(SIM_HDR) $$(GEN_H) $$(GEN_VH) $$(LIB) mk/sim.mk \
  | need-verilator need-systemc
	@echo "verilator spattn_top ($(1): $(2), D=$(3))"
	@rm -f $$@ # Verilator's make does not relink for a new $$(LIB); without the binary it must
	@$$(VERILATOR) $$(SIM_VFLAGS) $(4) $(5) -f $$(SIM_BUILD)/$(1)/sim_params.vc \
	  -CFLAGS "$$(SIM_CXXFLAGS) -I$$(SIM_ROOT)/$$(SIM_BUILD)/$(1)" -LDFLAGS "$$(SIM_LDFLAGS)" \
	  --Mdir $$(SIM_BUILD)/$(1)/obj -o ../spattn_cosim rtl/spattn_top.v \
	  $$(addprefix $$(SIM_ROOT)/,$$(SIM_CPP)) >$$(SIM_BUILD)/$(1).log 2>&1 \
	  || { cat $$(SIM_BUILD)/$(1).log; exit 1; }
	@touch $$@
endef

$(eval $(call sim_build,main,$(COSIM_CONFIG),$(COSIM_D),$(SIM_MK_FAST),))
$(eval $(call sim_build,small,tests/cosim/small.yaml,32,$(SIM_MK_TEST),))
$(eval $(call sim_build,fold,tests/cosim/fold.yaml,32,$(SIM_MK_TEST),))
$(eval $(call sim_build,paper,configs/paper.yaml,64,$(SIM_MK_TEST),))
$(eval $(call sim_build,narrow,tests/cosim/narrow.yaml,32,$(SIM_MK_TEST),))
$(eval $(call sim_build,mutant,tests/cosim/small.yaml,32,$(SIM_MK_TEST),+define+SPATTN_MUTANT_TOPK_TIE))
$(eval $(call sim_build,mutant2,tests/cosim/small.yaml,32,$(SIM_MK_TEST),+define+SPATTN_MUTANT_HANDOFF))
$(eval $(call sim_build,mutant3,tests/cosim/small.yaml,32,$(SIM_MK_TEST),+define+SPATTN_MUTANT_BANK))
$(eval $(call sim_build,mutant4,tests/cosim/small.yaml,32,$(SIM_MK_TEST),+define+SPATTN_MUTANT_PREFETCH))

$(SIM_BUILD)/spattn_cosim: $(SIM_BUILD)/main/spattn_cosim
	cp $< $@

.PHONY: cosim test-cosim test-mutant-cosim bench-cosim lint-sim synth-top sim-params-force
sim-params-force:
cosim: deps $(SIM_BUILD)/spattn_cosim

# the paper's hardware (configs/paper.yaml, D 64) on a synthetic decode trace
# with the official GPT-2 small workload's shapes (12 heads, d 64, context 993
# growing by one per iteration; docs/rtl.md s9)
COSIM_PAPER_TRACE := synth:mode=decode,layers=6,heads=12,d=64,len=993,iters=2
# many heads, few tokens: head pruning leaves long head scans, so the front
# end starts a head-step while the back end is in its V fetch (overlap coverage)
COSIM_HEADS_TRACE := synth:mode=decode,layers=4,heads=48,d=8,len=4,iters=2
# one-row read port (tests/cosim/narrow.yaml), 6 heads of up to 122 tokens: the
# K prefetch of layer 1's first head-step runs on into layer 0's drain
# (prefetch beside prune_hold, overlap coverage; docs/rtl.md s5)
COSIM_NARROW_TRACE := synth:mode=decode,layers=2,heads=6,d=16,len=120,iters=2,peak=2
COSIM_OVERLAP_LOG := $(SIM_BUILD)/overlap.log

test-cosim: deps $(LIB)
	@$(MAKE) --no-print-directory $(SIM_BUILD)/small/spattn_cosim $(SIM_BUILD)/fold/spattn_cosim \
	  $(SIM_BUILD)/paper/spattn_cosim $(SIM_BUILD)/narrow/spattn_cosim
	@rm -f $(COSIM_OVERLAP_LOG)
	@OVERLAP_LOG=$(COSIM_OVERLAP_LOG) SPATTN_COSIM=$(SIM_BUILD)/small/spattn_cosim tests/cosim/run.sh \
	  tests/cosim/small.yaml traces/data/minilm-austen-encoder.safetensors
	@OVERLAP_LOG=$(COSIM_OVERLAP_LOG) SPATTN_COSIM=$(SIM_BUILD)/fold/spattn_cosim tests/cosim/run.sh \
	  tests/cosim/fold.yaml $(COSIM_HEADS_TRACE)
	@OVERLAP_LOG=$(COSIM_OVERLAP_LOG) SPATTN_COSIM=$(SIM_BUILD)/paper/spattn_cosim tests/cosim/run.sh \
	  configs/paper.yaml --only $(COSIM_PAPER_TRACE)
	@OVERLAP_LOG=$(COSIM_OVERLAP_LOG) SPATTN_COSIM=$(SIM_BUILD)/narrow/spattn_cosim tests/cosim/run.sh \
	  tests/cosim/narrow.yaml --only $(COSIM_NARROW_TRACE)
	@tests/cosim/overlap.sh $(COSIM_OVERLAP_LOG)
	@SPATTN_COSIM=$(SIM_BUILD)/small/spattn_cosim tests/cosim/stress.sh tests/cosim/small.yaml 40 1
	@SPATTN_COSIM=$(SIM_BUILD)/fold/spattn_cosim tests/cosim/stress.sh tests/cosim/fold.yaml 40 2
	@SPATTN_COSIM=$(SIM_BUILD)/small/spattn_cosim tests/cosim/cli.sh

test-mutant-cosim: deps $(LIB)
	@$(MAKE) --no-print-directory $(SIM_BUILD)/mutant/spattn_cosim $(SIM_BUILD)/mutant2/spattn_cosim \
	  $(SIM_BUILD)/mutant3/spattn_cosim $(SIM_BUILD)/mutant4/spattn_cosim
	@tests/cosim/mutant.sh topk-tie $(SIM_BUILD)/mutant/spattn_cosim
	@tests/cosim/mutant.sh handoff $(SIM_BUILD)/mutant2/spattn_cosim
	@tests/cosim/mutant.sh bank $(SIM_BUILD)/mutant3/spattn_cosim
	@tests/cosim/mutant.sh prefetch $(SIM_BUILD)/mutant4/spattn_cosim

bench-cosim: deps $(LIB)
	@$(MAKE) --no-print-directory $(SIM_BUILD)/spattn_cosim
	@SPATTN_COSIM=$(SIM_BUILD)/spattn_cosim COSIM_CONFIG=$(COSIM_CONFIG) tests/cosim/bench.sh

SIM_LINT_TOPS := spattn_top controller ctl_seq ctl_fetch ctl_front ctl_smx ctl_vsel ctl_back ctl_sel ctl_tables fetcher writer kbuf vbuf planebuf
lint-sim: deps $(GEN_VH) need-verilator
	@for t in $(SIM_LINT_TOPS); do \
	  $(VERILATOR) --lint-only -Wall -Irtl -I$(BUILD)/gen --top-module $$t rtl/$$t.v || exit 1; done
	@$(VERILATOR) --lint-only -Wall -Irtl -I$(BUILD)/gen --top-module spattn_top rtl/spattn_top.v \
	  -GD=16 -GMaxTokens=128 -GMaxVals=128 -GNQk=16 -GNPv=32 -GNCmp=1 -GKLsb=0 -GVLsb=0
	@$(VERILATOR) --lint-only -Wall -Irtl -I$(BUILD)/gen --top-module spattn_top rtl/spattn_top.v \
	  -GD=32 -GMaxTokens=128 -GMaxVals=128 -GNQk=64 -GNPv=64 -GNCmp=2 -GSoftmaxLanes=8 -GFetchRows=2
	@$(VERILATOR) --lint-only -Wall -Irtl -I$(BUILD)/gen --top-module spattn_top rtl/spattn_top.v \
	  -GD=16 -GMaxTokens=64 -GMaxVals=64 -GNQk=32 -GNPv=16 -GNCmp=2 -GKvBuffers=1
	@echo "lint-sim: $(SIM_LINT_TOPS) clean (verilator -Wall)"

# Yosys synthesis of the whole top at a small size (a synthesizability
# check; a few minutes): rtl/fpga/tiny.yaml at D 8 (64-row buffers, one K
# slot, 8 + 8 multipliers, 8 softmax lanes), its parameters derived by
# spattn_simcfg as for the co-sim
SYNTH_TOP_CONFIG := rtl/fpga/tiny.yaml
synth-top: deps $(GEN_VH) need-yosys $(SIM_BUILD)/spattn_simcfg
	@mkdir -p $(SIM_BUILD)
	@$(SIM_BUILD)/spattn_simcfg -c $(SYNTH_TOP_CONFIG) -d 8 -o $(SIM_BUILD)/synth-top-params >/dev/null
	@$(YOSYS) -q -l $(SIM_BUILD)/synth-top.log -p "read_verilog -Irtl -I$(BUILD)/gen $(SIM_RTL); \
	  chparam $$(sed 's/^-G\([A-Za-z]*\)=\(.*\)/-set \1 \2/' $(SIM_BUILD)/synth-top-params.vc | tr '\n' ' ') spattn_top; \
	  synth -top spattn_top; tee -o $(SIM_BUILD)/synth-top.stat stat"
	@grep -E "Number of cells" $(SIM_BUILD)/synth-top.stat | tail -1 | \
	  sed "s|.*Number of cells: *\([0-9]*\).*|synth-top: spattn_top ($(SYNTH_TOP_CONFIG), $$(tr '\n' ' ' < $(SIM_BUILD)/synth-top-params.vc | sed 's/-G//g; s/ $$//')): \1 generic cells|"

TEST_EXTRA  += test-cosim test-mutant-cosim
BENCH_EXTRA += bench-cosim
LINT_EXTRA  += lint-sim
HELP_EXTRA  += "make cosim            build build/sim/spattn_cosim (RTL + SystemC + C model) for COSIM_CONFIG, D=COSIM_D"
HELP_EXTRA  += "make test-cosim       co-sim regression: RTL vs C model on small traces and a paper-sized one, 0 mismatches"
HELP_EXTRA  += "make test-mutant-cosim  co-sim with a top-k tie-break and three buffer hand-off mutants; succeeds only if all FAIL"
HELP_EXTRA  += "make bench-cosim      co-sim cycles/s: SystemC harness vs a plain C++ loop"
HELP_EXTRA  += "make synth-top        Yosys synthesis of rtl/spattn_top.v at a small size (cell count)"
