# fuzz.mk - libFuzzer targets (tests/fuzz/) for the input readers: the
# safetensors reader, the workload CSV reader, the YAML config loader with
# includes, the synth spec parser and the CLI option parser. Built with
# clang, libFuzzer, ASan and UBSan (float-cast-overflow and
# float-divide-by-zero included).
#   make fuzz       each target for FUZZ_RUNS executions, from its corpus
#   make fuzz-test  (in make test) replays every corpus input and saved
#                   crash, then fuzzes each target for FUZZ_TEST_S seconds
# Without clang and its libFuzzer runtime both print one line and skip
# (`make deps` installs clang and libclang-rt-14-dev).

FUZZ_CC      ?= $(firstword $(shell command -v clang clang-14 2>/dev/null) clang)
FUZZ_TARGETS := safetensors workload_csv config synth cli
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_RUNS    ?= 1000000
FUZZ_TEST_S  ?= 3
FUZZ_SAN     := -fsanitize=address,undefined,float-cast-overflow,float-divide-by-zero \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CSTD) $(WARN) -O1 -g $(INC) $(PKG_CFLAGS) -Icli -Itests/fuzz $(FUZZ_SAN)
# the libraries the readers use, and libspattn's model sources (not reports/)
FUZZ_LIB_SRC := $(sort $(wildcard cmodel/*.c traces/*.c))
FUZZ_LIB     := $(FUZZ_BUILD)/libspattn_fuzz.a
FUZZ_BINS    := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-test fuzz-build
# one line and success when clang cannot link a libFuzzer program
FUZZ_PROBE = printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }\n' | \
             $(FUZZ_CC) -x c -fsanitize=fuzzer - -o $(FUZZ_BUILD)/.probe 2>/dev/null || \
             { echo "fuzz: skipped: no clang with libFuzzer ($(FUZZ_CC)); make deps installs clang and libclang-rt-14-dev"; exit 0; }

fuzz-build: $(FUZZ_BINS)
# the CLI parser lives outside libspattn
$(FUZZ_BUILD)/fuzz_cli: $(FUZZ_BUILD)/obj/cli/options.o

$(FUZZ_BUILD)/obj/%.o: %.c $(HDRS) $(wildcard tests/fuzz/*.h) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC fuzz $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRC))
	@rm -f $@
	@ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_util.o $(FUZZ_LIB)
	@echo "  LD fuzz $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

# new inputs go to a scratch copy of the corpus (first directory), never
# into tests/fuzz/corpus; findings go to $(FUZZ_BUILD)/artifacts/<target>/
fuzz: deps
	@mkdir -p $(FUZZ_BUILD) && $(FUZZ_PROBE) && $(MAKE) --no-print-directory fuzz-build && \
	fail=0; for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_BUILD)/work/$$t && mkdir -p $(FUZZ_BUILD)/work/$$t $(FUZZ_BUILD)/artifacts/$$t; \
	  log=$(FUZZ_BUILD)/fuzz_$$t.log; \
	  if $(FUZZ_BUILD)/fuzz_$$t -runs=$(FUZZ_RUNS) -timeout=25 -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ \
	       $(FUZZ_BUILD)/work/$$t tests/fuzz/corpus/$$t >$$log 2>&1; then \
	    echo "fuzz: $$t: $$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 executions in \2 s/p' $$log)"; \
	  else fail=1; echo "fuzz: $$t: FAILED (log $$log, input in $(FUZZ_BUILD)/artifacts/$$t/):"; tail -n 30 $$log; fi; \
	done; exit $$fail

# replay: the corpus and the saved crashes run once each (libFuzzer runs
# files given one by one), then a short fuzzing run per target
fuzz-test: deps
	@mkdir -p $(FUZZ_BUILD) && $(FUZZ_PROBE) && $(MAKE) --no-print-directory fuzz-build && \
	fail=0; for t in $(FUZZ_TARGETS); do \
	  log=$(FUZZ_BUILD)/fuzz_test_$$t.log; \
	  files=$$(find tests/fuzz/corpus/$$t tests/fuzz/crashes/$$t -type f 2>/dev/null | sort); \
	  n=$$(echo "$$files" | grep -c .); \
	  rm -rf $(FUZZ_BUILD)/work/$$t && mkdir -p $(FUZZ_BUILD)/work/$$t $(FUZZ_BUILD)/artifacts/$$t; \
	  if $(FUZZ_BUILD)/fuzz_$$t $$files >$$log 2>&1 && \
	     $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_TEST_S) -timeout=25 \
	       -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ $(FUZZ_BUILD)/work/$$t tests/fuzz/corpus/$$t >>$$log 2>&1; then \
	    echo "fuzz-test: $$t: $$n saved inputs replayed, $$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' $$log | tail -n 1) executions in $(FUZZ_TEST_S) s: ok"; \
	  else fail=1; echo "fuzz-test: $$t: FAILED (log $$log):"; tail -n 30 $$log; fi; \
	done; exit $$fail

TEST_EXTRA += fuzz-test
HELP_EXTRA += "make fuzz       libFuzzer + ASan/UBSan on the readers, $(FUZZ_RUNS) executions per target"
HELP_EXTRA += "make fuzz-test  replay the fuzz corpora and saved crashes, fuzz each target $(FUZZ_TEST_S) s (in make test)"
