# spattn - build, dependencies, demo, tests, lint, bench. `make help`.
# Unit fragments in mk/*.mk add their own targets (RTL, co-sim, reports).

CC       ?= gcc
BUILD    := build
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN     := -Wall -Wextra -Werror
OPT      ?= -O2
INC      := -Icmodel -Itraces -Ireports -I/usr/include/cjson
CFLAGS    = $(CSTD) $(WARN) $(OPT) -g $(INC)
LDLIBS   := -lcyaml -lyaml -lcjson -lm
SAN      := -fsanitize=address,undefined,float-cast-overflow,float-divide-by-zero -fno-omit-frame-pointer -fno-sanitize-recover=all
SPATTN_WORKLOADS ?= $(abspath ../shared/workloads)
export SPATTN_WORKLOADS

# Debian packages the project uses; `make deps` installs the missing ones.
DEB_PKGS := gcc g++ make pkg-config verilator libsystemc-dev check gnuplot-nox \
            yosys libcjson-dev libcyaml-dev libyaml-dev python3 clang libclang-rt-14-dev

LIB_SRC  := $(sort $(wildcard cmodel/*.c traces/*.c reports/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_HELP:= $(sort $(filter-out $(TEST_SRC),$(wildcard tests/*.c)))

LIB      := $(BUILD)/libspattn.a
LIB_SAN  := $(BUILD)/san/libspattn.a
SPATTN   := $(BUILD)/spattn
TESTS    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TESTS_SAN:= $(patsubst tests/%.c,$(BUILD)/san/tests/%,$(TEST_SRC))
HDRS     := $(wildcard cmodel/*.h traces/*.h reports/*.h cli/*.h tests/*.h)
DEPS_OK  := $(BUILD)/.deps-ok

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
	@echo "make         build libspattn and the spattn command ($(SPATTN))"
	@echo "make demo    run the C model on a synthetic GPT-2-small trace, write out/"
	@echo "make test    unit tests, sanitizer run, and every regression"
	@echo "make bench   throughput figures of the C model (and RTL where built)"
	@echo "make lint    verilator --lint-only -Wall on rtl/"
	@echo "make clean   remove build/ and out/"
	@for h in $(HELP_EXTRA); do echo "$$h"; done

deps: $(DEPS_OK)
$(DEPS_OK):
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "deps: not root; install these with apt-get:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi
	@mkdir -p $(BUILD) && touch $@

# the MAC loops and the trace range check: -O3 lets gcc vectorise them; the
# results are integer and identical at any optimisation level
HOT_UNITS := cmodel/qk cmodel/pv cmodel/softmax cmodel/quant cmodel/controller
$(patsubst %,$(BUILD)/obj/%.o,$(HOT_UNITS)): OPT = -O3

$(BUILD)/obj/%.o: %.c $(HDRS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/san/obj/%.o: %.c $(HDRS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(CFLAGS) $(SAN) -c $< -o $@

$(LIB): $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(LIB_SAN): $(patsubst %.c,$(BUILD)/san/obj/%.o,$(LIB_SRC))
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(SPATTN): $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC)) $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/san/spattn: $(patsubst %.c,$(BUILD)/san/obj/%.o,$(CLI_SRC)) $(LIB_SAN)
	$(CC) $(CFLAGS) $(SAN) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_HELP)) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $^ $(LDLIBS) -lcheck_pic -lsubunit -lrt -pthread -o $@

$(BUILD)/san/tests/%: $(BUILD)/san/obj/tests/%.o $(patsubst %.c,$(BUILD)/san/obj/%.o,$(TEST_HELP)) $(LIB_SAN)
	@mkdir -p $(dir $@)
	@echo "  LD san  $@"
	@$(CC) $(CFLAGS) $(SAN) $^ $(LDLIBS) -lcheck_pic -lsubunit -lrt -pthread -o $@

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

demo: deps $(SPATTN)
	$(SPATTN) run -c configs/default.yaml -t synth:layers=12,heads=12,d=64,len=1024,iters=4,seed=1 -o out
	@$(foreach t,$(DEMO_EXTRA),$(MAKE) --no-print-directory $(t) &&) true
	@echo "demo: results in out/ (out/stats.json)"

$(BUILD)/bench_model: tests/bench/bench_model.c $(LIB)
	$(CC) $(CFLAGS) -O3 -march=native $^ $(LDLIBS) -o $@

bench: deps $(BUILD)/bench_model
	$(BUILD)/bench_model
	@$(foreach t,$(BENCH_EXTRA),$(MAKE) --no-print-directory $(t) &&) true

lint: deps
	@$(foreach t,$(LINT_EXTRA),$(MAKE) --no-print-directory $(t) &&) true

clean:
	rm -rf $(BUILD) out

-include $(sort $(wildcard mk/*.mk))
