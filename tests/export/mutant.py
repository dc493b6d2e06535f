#!/usr/bin/env python3
"""mutant.py - the exporter's --check must fail when the export is wrong:
runs traces/export_hf.py's main with one deliberate fault patched in and
expects exit 2 from the check. Faults: rope (RoPE not applied), gqa (query
head h reads K/V head h % kv_heads instead of h // group), layout (decode
iteration i given the query of token ctx+i-1), gelu (GPT-2 MLP with the erf
GELU instead of gelu_new).

Usage: mutant.py FAULT EXPORTER-ARGS...
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "traces"))
import export_hf  # noqa: E402
import hf_common  # noqa: E402


def main():
    fault = sys.argv[1]
    if fault == "rope":
        export_hf.Llama.rope = lambda self, x, pos0: x
    elif fault == "gqa":
        def repeat(a, g, axis):  # interleaved instead of grouped
            return np.tile(a, (g, 1, 1)) if axis == 0 else np.repeat(a, g, axis)
        export_hf.np = type("np", (), {k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
        export_hf.np.repeat = repeat
    elif fault == "layout":  # iteration i given the query of token ctx+i-1
        real = export_hf.decode_queries
        export_hf.decode_queries = lambda layers, ctx: real(layers, ctx - 1)[:-1]
    elif fault == "gelu":
        hf_common.gelu_tanh = hf_common.gelu
    else:
        sys.exit(f"mutant.py: unknown fault {fault}")
    sys.argv = ["export_hf.py"] + sys.argv[2:]
    try:
        export_hf.main()
    except SystemExit as e:
        if e.code == 2:
            print(f"mutant {fault}: the check failed as it must")
            return
        raise
    print(f"mutant {fault}: FAIL: the exporter's check passed a wrong export")
    sys.exit(1)


if __name__ == "__main__":
    main()
