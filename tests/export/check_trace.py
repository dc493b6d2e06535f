#!/usr/bin/env python3
"""check_trace.py - structure of an exported spattn-trace-1 file against
what the exporter was asked for (docs/traces.md sections 2 and 5): shapes,
metadata, and for grouped-query attention that the query heads of one group
carry the same k and v while the groups differ. Shapes and plumbing only.

Usage: check_trace.py FILE MODE CTX ITERS LAYERS HEADS D [KV_HEADS]
"""
import sys

import numpy as np
from safetensors import safe_open


def main():
    path, mode = sys.argv[1], sys.argv[2]
    ctx, iters, L, H, D = (int(x) for x in sys.argv[3:8])
    kvH = int(sys.argv[8]) if len(sys.argv) > 8 else H
    with safe_open(path, framework="np") as f:
        meta = f.metadata()
        t = {k: f.get_tensor(k) for k in f.keys()}
    errs = []
    rows = 1 if mode == "decode" else ctx
    ntok = ctx + iters if mode == "decode" else ctx
    want = {"q": (iters, L, H, rows, D), "k": (L, H, ntok, D), "v": (L, H, ntok, D),
            "scale_q": (L, H), "scale_k": (L, H), "scale_v": (L, H)}
    if sorted(t) != sorted(want):
        errs.append(f"tensors {sorted(t)}")
    for k, shp in want.items():
        if k in t and t[k].shape != shp:
            errs.append(f"{k} shape {t[k].shape} != {shp}")
    for k, val in (("format", "spattn-trace-1"), ("mode", mode), ("ctx", str(ctx)), ("tokens", str(ntok))):
        if meta.get(k) != val:
            errs.append(f"metadata {k} {meta.get(k)!r} != {val!r}")
    if kvH != H and not errs:
        g = H // kvH
        if meta.get("kv_heads") != str(kvH) or "head_map" not in meta:
            errs.append(f"metadata kv_heads {meta.get('kv_heads')!r} / head_map missing")
        for x in "kv":
            for h in range(H):
                if not np.array_equal(t[x][:, h], t[x][:, (h // g) * g]) or t["scale_" + x][0, h] != \
                        t["scale_" + x][0, (h // g) * g]:
                    errs.append(f"{x} of query head {h} differs from its group's first head {(h // g) * g}")
            for grp in range(1, kvH):
                if np.array_equal(t[x][:, grp * g], t[x][:, 0]):
                    errs.append(f"{x} of group {grp} equals group 0's")
    if errs:
        print(f"check_trace: {path}: FAIL: " + "; ".join(errs))
        sys.exit(1)
    print(f"check_trace: {path}: {mode}, q {t['q'].shape}, k/v {t['k'].shape}"
          f"{f', {kvH} K/V heads repeated over {H} query heads' if kvH != H else ''}: ok")


if __name__ == "__main__":
    main()
