#!/usr/bin/env python3
"""interop_safetensors.py - spattn-trace-1 files cross between the C code and
the reference Python `safetensors` package (+ numpy), both ways:

1. C -> Python: `spattn trace gen` writes a file; safetensors.numpy loads it,
   checks names, dtypes, shapes and metadata, and recomputes the contents
   hash that `spattn trace info` prints (FNV-1a 64 over q, k, v, scale_q,
   scale_k, scale_v bytes). The committed MiniLM trace is checked the same way.
2. Python -> C: safetensors.numpy.save_file writes traces (its own header
   layout: other key order, other padding); `spattn trace info` reads them
   and must print the same hash; a C file re-saved by Python hashes the same;
   a Python-written file with a float q is rejected (exit 2, one line).

Run by `make test` (mk/traces.mk) when numpy and safetensors import; skipped
with a printed reason otherwise. Env SPATTN names the spattn binary."""
import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file
except ImportError as e:
    print(f"interop: skipped: {e} (pip install numpy safetensors)")
    sys.exit(0)

SPATTN = os.environ.get("SPATTN", "build/spattn")
ORDER = ("q", "k", "v", "scale_q", "scale_k", "scale_v")
checks = failures = 0


def check(cond, what):
    global checks, failures
    checks += 1
    if not cond:
        failures += 1
        print(f"interop: FAIL: {what}")


def fnv(tensors):
    h = 0xCBF29CE484222325
    for name in ORDER:
        for b in tensors[name].astype(tensors[name].dtype.newbyteorder("<")).tobytes():
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def spattn(*args):
    return subprocess.run([SPATTN, *args], capture_output=True, text=True)


def c_hash(path):
    r = spattn("trace", "info", "--no-run", path)
    check(r.returncode == 0, f"spattn trace info {path}: exit {r.returncode}: {r.stderr.strip()}")
    m = re.search(r"^contents\s+fnv1a64 ([0-9a-f]{16})$", r.stdout, re.M)
    check(m is not None, f"no contents hash in: {r.stdout}")
    return int(m.group(1), 16) if m else None, r.stdout


def meta_of(path):
    with safe_open(path, framework="np") as f:
        return f.metadata()


def main():
    if not os.access(SPATTN, os.X_OK):
        print(f"interop: skipped: {SPATTN} is not built")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        # 1. C -> Python
        for spec, mode in (("synth:layers=2,heads=3,d=8,len=10,iters=2,seed=4", "decode"),
                           ("synth:mode=encoder,layers=1,heads=2,d=16,len=9,seed=2,peak=3", "encoder")):
            p = os.path.join(tmp, f"c-{mode}.safetensors")
            r = spattn("trace", "gen", spec, "-o", p)
            check(r.returncode == 0, f"trace gen {spec}: {r.stderr.strip()}")
            t = load_file(p)
            md = meta_of(p)
            check(sorted(t) == sorted(ORDER), f"{p}: tensors {sorted(t)}")
            check(all(t[n].dtype == np.int16 for n in "qkv"), f"{p}: q/k/v dtypes")
            check(all(t[n].dtype == np.float32 for n in ORDER[3:]), f"{p}: scale dtypes")
            it, L, H, rows, d = t["q"].shape
            ctx = int(md["ctx"])
            ntok = ctx + it if mode == "decode" else ctx
            check(t["k"].shape == (L, H, ntok, d) and t["v"].shape == t["k"].shape, f"{p}: k/v shapes")
            check(md["format"] == "spattn-trace-1" and md["mode"] == mode and md["source"].startswith("synth:mode=" + mode),
                  f"{p}: metadata {md}")
            qb = int(md["q_bits"])
            check(int(np.abs(t["q"]).max()) < (1 << (qb - 1)), f"{p}: q fits q_bits")
            h, _ = c_hash(p)
            check(h == fnv(t), f"{p}: C hash {h:x} != numpy hash {fnv(t):x}")
            # C file re-saved by Python (its own layout) reads back in C the same
            p2 = os.path.join(tmp, f"py-{mode}.safetensors")
            save_file(t, p2, metadata=md)
            h2, _ = c_hash(p2)
            check(h2 == h, f"{p2}: re-saved hash {h2} != {h}")
        minilm = "traces/data/minilm-austen-encoder.safetensors"
        t = load_file(minilm)
        md = meta_of(minilm)
        check(t["q"].shape == (1, 6, 12, 120, 32) and md["model"] == "sentence-transformers/all-MiniLM-L6-v2",
              f"{minilm}: {t['q'].shape} {md.get('model')}")
        h, _ = c_hash(minilm)
        check(h == fnv(t), f"{minilm}: C hash != numpy hash")
        # 2. Python -> C, written from numpy arrays
        rng = np.random.default_rng(11)
        L, H, ctx, it, d = 2, 2, 7, 3, 4
        ts = {
            "q": rng.integers(-2047, 2048, (it, L, H, 1, d), dtype=np.int16),
            "k": rng.integers(-2047, 2048, (L, H, ctx + it, d), dtype=np.int16),
            "v": rng.integers(-2047, 2048, (L, H, ctx + it, d), dtype=np.int16),
            "scale_q": rng.uniform(1e-3, 1e-2, (L, H)).astype(np.float32),
            "scale_k": rng.uniform(1e-3, 1e-2, (L, H)).astype(np.float32),
            "scale_v": rng.uniform(1e-3, 1e-2, (L, H)).astype(np.float32),
        }
        md = {"format": "spattn-trace-1", "mode": "decode", "ctx": str(ctx), "q_bits": "12", "k_bits": "12",
              "v_bits": "12", "model": "numpy-random", "source": "interop_safetensors.py"}
        p = os.path.join(tmp, "py.safetensors")
        save_file(ts, p, metadata=md)
        h, out = c_hash(p)
        check(h == fnv(ts), f"{p}: C hash {h} != numpy hash {fnv(ts)}")
        check("model            numpy-random" in out and "iterations       3" in out, f"{p}: info {out}")
        r = spattn("trace", "info", p)  # and the model runs on it
        check(r.returncode == 0 and "keys fetched" in r.stdout, f"{p}: run: {r.stderr}")
        bad = dict(ts, q=ts["q"].astype(np.float32))
        pb = os.path.join(tmp, "bad.safetensors")
        save_file(bad, pb, metadata=md)
        r = spattn("trace", "info", pb)
        check(r.returncode == 2 and r.stderr == f"spattn: {pb}: tensor 'q' has dtype F32, expected I16\n",
              f"{pb}: exit {r.returncode}, stderr {r.stderr!r}")
    print(f"interop: {checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
