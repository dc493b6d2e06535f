# spattn - build, dependencies, demo, tests, lint, bench. `make help`.
# Unit fragments in mk/*.mk add their own targets (RTL, co-sim, reports).

CC       ?= gcc
AR       ?= ar
PKG_CONFIG ?= pkg-config
BUILD    := build
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN     := -Wall -Wextra -Werror
OPT      ?= -O2
# build/gen: sp_defs.h, generated from defs/spattn.defs (mk/defs.mk)
GEN_H    := $(BUILD)/gen/sp_defs.h
GEN_VH   := $(BUILD)/gen/sp_defs.vh
# the folders of libspattn's sources and headers: a new folder is one edit here
LIB_DIRS := cmodel traces engine reports
# the libraries of libspattn, found through pkg-config, and the Debian
# package of each (named when one is missing); a library is one edit here
PKGS     := libcjson yaml-0.1
TEST_PKGS:= check
DEB_libcjson := libcjson-dev
DEB_yaml-0.1 := libyaml-dev
DEB_check    := check
DEB_systemc  := libsystemc-dev
# pkg-config is asked once, on first use (after `make deps` may have
# installed the packages within the same make)
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null))$(PKG_LIBS)
TEST_LIBS  = $(eval TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null))$(TEST_LIBS)
INC      := $(addprefix -I,$(LIB_DIRS)) -I$(BUILD)/gen
CFLAGS    = $(CSTD) $(WARN) $(OPT) -g $(INC) $(PKG_CFLAGS)
LDLIBS    = $(PKG_LIBS) -lm
# each object depends on the headers it includes (compiler dependency files)
DEPFLAGS := -MMD -MP
SAN      := -fsanitize=address,undefined,float-cast-overflow,float-divide-by-zero -fno-omit-frame-pointer -fno-sanitize-recover=all
SPATTN_WORKLOADS ?= $(abspath ../shared/workloads)
export SPATTN_WORKLOADS

# Debian packages the project uses; `make deps` installs the missing ones.
# Plain `make` needs only a C compiler, pkg-config and the PKGS libraries.
DEB_PKGS := gcc g++ make pkg-config verilator libsystemc-dev check gnuplot-nox \
            yosys nextpnr-ice40 fpga-icestorm libcjson-dev libyaml-dev python3 clang libclang-rt-14-dev jq \
            slurm-wlm munge

LIB_SRC  := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_HELP:= $(sort $(filter-out $(TEST_SRC),$(wildcard tests/*.c)))

LIB      := $(BUILD)/libspattn.a
LIB_SAN  := $(BUILD)/san/libspattn.a
SPATTN   := $(BUILD)/spattn
TESTS    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TESTS_SAN:= $(patsubst tests/%.c,$(BUILD)/san/tests/%,$(TEST_SRC))
HDRS     := $(wildcard $(addsuffix /*.h,$(LIB_DIRS)) cli/*.h tests/*.h) $(GEN_H)
# the C build's check (compiler, pkg-config, PKGS); needs no root
DEPS_OK  := $(BUILD)/.deps-ok
TEST_DEPS_OK := $(BUILD)/.test-deps-ok
ALL_C    := $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(TEST_HELP)

# fragments append to these
TEST_EXTRA  :=
BENCH_EXTRA :=
DEMO_EXTRA  :=
LINT_EXTRA  :=
HELP_EXTRA  :=

.PHONY: all deps test test-unit test-san demo bench lint help clean
# keep the object files of the test chains (no rebuild on every make test)
.SECONDARY:
all: $(SPATTN)

help:
	@echo "make deps    install missing Debian packages (apt-get, as root)"
	@echo "make         build libspattn and the spattn command ($(SPATTN)); no root: cc, pkg-config, $(PKGS)"
	@echo "make demo    run the C model on a synthetic GPT-2-small trace, write out/"
	@echo "make test    unit tests, sanitizer run, and every regression"
	@echo "make bench   throughput figures of the C model (and RTL where built)"
	@echo "make lint    verilator --lint-only -Wall on rtl/"
	@echo "make clean   remove build/ and out/"
	@for h in $(HELP_EXTRA); do echo "$$h"; done

# sp_need(command, Debian package): a recipe line that stops with one
# line naming the package when the command is not on PATH
sp_need = command -v $(1) >/dev/null 2>&1 || { echo "spattn build: $(1) not found; install the Debian package $(2) (make deps does, as root)" >&2; exit 1; }
# sp_need_pkg(pkg-config names): the same for libraries
sp_need_pkg = $(foreach p,$(1),$(PKG_CONFIG) --exists $(p) || { echo "spattn build: $(p) not found by pkg-config; install the Debian package $(DEB_$(p)) (make deps does, as root)" >&2; exit 1; };) true

# `make deps` installs what is missing, as root. As a prerequisite of demo,
# test, bench and lint it does the same for root; for another user it names
# what is missing and goes on (each target checks its own tools).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "spattn build: not root, so not installing the Debian packages$$missing (make deps as root installs them)" >&2; \
	    $(if $(filter deps,$(MAKECMDGOALS)),exit 1,exit 0); \
	  fi; \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi

# the C build: compiler, archiver, pkg-config and the PKGS libraries
$(DEPS_OK): Makefile
	@$(call sp_need,$(CC),gcc)
	@$(call sp_need,$(AR),binutils)
	@$(call sp_need,$(PKG_CONFIG),pkg-config)
	@$(call sp_need_pkg,$(PKGS))
	@mkdir -p $(BUILD) && touch $@

$(TEST_DEPS_OK): Makefile | $(DEPS_OK)
	@$(call sp_need_pkg,$(TEST_PKGS))
	@touch $@

# tools of the RTL and co-sim targets (mk/rtl.mk, mk/sim.mk), checked there
.PHONY: need-verilator need-yosys need-systemc
need-verilator: ; @$(call sp_need,$(or $(VERILATOR),verilator),verilator)
need-yosys: ; @$(call sp_need,$(or $(YOSYS),yosys),yosys)
need-systemc: ; @$(call sp_need_pkg,systemc)

# the MAC loops, softmax, the top-k packing and the trace range check: -O3
# lets gcc vectorise them; the results are integer and identical at any
# optimisation level
HOT_UNITS := cmodel/qk cmodel/pv cmodel/softmax cmodel/quant cmodel/controller cmodel/topk cmodel/importance
$(patsubst %,$(BUILD)/obj/%.o,$(HOT_UNITS)): OPT = -O3

$(BUILD)/obj/%.o: %.c | $(DEPS_OK) $(GEN_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/san/obj/%.o: %.c | $(DEPS_OK) $(GEN_H)
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(CFLAGS) $(SAN) $(DEPFLAGS) -c $< -o $@

# the tests include check.h
$(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRC) $(TEST_HELP)) \
$(patsubst %.c,$(BUILD)/san/obj/%.o,$(TEST_SRC) $(TEST_HELP)): | $(TEST_DEPS_OK)

-include $(patsubst %.c,$(BUILD)/obj/%.d,$(ALL_C)) $(patsubst %.c,$(BUILD)/san/obj/%.d,$(ALL_C))

$(LIB): $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
	@rm -f $@
	@echo "  AR      $@"
	@$(AR) rcs $@ $^

$(LIB_SAN): $(patsubst %.c,$(BUILD)/san/obj/%.o,$(LIB_SRC))
	@rm -f $@
	@echo "  AR      $@"
	@$(AR) rcs $@ $^

$(SPATTN): $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC)) $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/san/spattn: $(patsubst %.c,$(BUILD)/san/obj/%.o,$(CLI_SRC)) $(LIB_SAN)
	$(CC) $(CFLAGS) $(SAN) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_HELP)) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $^ $(LDLIBS) $(TEST_LIBS) -o $@

$(BUILD)/san/tests/%: $(BUILD)/san/obj/tests/%.o $(patsubst %.c,$(BUILD)/san/obj/%.o,$(TEST_HELP)) $(LIB_SAN)
	@mkdir -p $(dir $@)
	@echo "  LD san  $@"
	@$(CC) $(CFLAGS) $(SAN) $^ $(LDLIBS) $(TEST_LIBS) -o $@

# Tests run from the project root with the CLI built (some drive it).
test-unit: $(TESTS) $(SPATTN)
	@fail=0; for t in $(TESTS); do echo "== $$t"; SPATTN=$(SPATTN) CK_FORK=yes $$t || fail=1; done; exit $$fail

test-san: $(TESTS_SAN) $(BUILD)/san/spattn
	@fail=0; for t in $(TESTS_SAN); do echo "== $$t (asan+ubsan)"; SPATTN=$(BUILD)/san/spattn SP_SANITIZE=1 CK_FORK=yes $$t || fail=1; done; exit $$fail

test: deps
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-san
	@$(foreach t,$(TEST_EXTRA),$(MAKE) --no-print-directory $(t) &&) true
	@echo "make test: all passed"

# demo and bench build in a sub-make, after deps (pkg-config then sees
# what deps installed)
# plain make needs no root and no RTL tools: tests/nonroot_build.sh builds a
# copy of the tree as nobody (or the current non-root user) without
# verilator and yosys on PATH, and runs the C model
.PHONY: test-nonroot
test-nonroot:
	@tests/nonroot_build.sh
TEST_EXTRA += test-nonroot
HELP_EXTRA += "make test-nonroot  make -j2 and a C-model run as a non-root user, verilator and yosys hidden"

# the demo: GPT-2 small's shape at its 1024-token context (1020 cached
# tokens and 4 decode steps: the last attends to 1024 keys) on
# configs/paper.yaml, whose 196 KB K buffer holds 1024 keys of 64 x 12 bits
# in each of its two slots; default.yaml's 32 KB (the co-sim's size) holds
# 128, and the pipeline refuses a context its K slot does not hold
demo: deps
	@$(MAKE) --no-print-directory $(SPATTN)
	@mkdir -p out
	$(SPATTN) run -c configs/paper.yaml -t synth:layers=12,heads=12,d=64,len=1020,iters=4,seed=1 -o out/demo
	@$(foreach t,$(DEMO_EXTRA),$(MAKE) --no-print-directory $(t) &&) true
	@echo "demo: results in out/demo/ (out/demo/stats.json), out/paper/, out/sweep/"

$(BUILD)/bench_model: tests/bench/bench_model.c $(LIB)
	$(CC) $(CFLAGS) -O3 -march=native $^ $(LDLIBS) -o $@

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench_model
	$(BUILD)/bench_model
	@$(foreach t,$(BENCH_EXTRA),$(MAKE) --no-print-directory $(t) &&) true

lint: deps
	@$(foreach t,$(LINT_EXTRA),$(MAKE) --no-print-directory $(t) &&) true

clean:
	rm -rf $(BUILD) out

-include $(sort $(wildcard mk/*.mk))
