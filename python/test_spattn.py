#!/usr/bin/env python3
"""test_spattn.py - the Python binding (python/spattn.py) of libspattn.so
against `spattn run` and `spattn trace info`: layer by layer through the
API, the outputs hash (computed here from the returned arrays and by the
library), every event counter of stats.json and the last layer's active
tokens and heads must equal the CLI's, on the MiniLM trace and on a
synthetic decode trace, under several configs. Also: bad input gives
errors, not results. Run by `make test-api` (SPATTN, SPATTN_LIB)."""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spattn  # noqa: E402

SPATTN = os.environ.get("SPATTN", "build/spattn")
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
MINILM = os.path.join(ROOT, "traces/data/minilm-austen-encoder.safetensors")

# API counter name -> stats.json events key
STATS_KEYS = {
    "head_steps": "head_steps_count", "keys_msb": "keys_msb_fetched_count",
    "keys_lsb": "keys_lsb_refetched_count", "values_fetched": "values_fetched_count",
    "values_lsb": "values_lsb_fetched_count", "bits_k_msb": "dram_k_msb_bits", "bits_k_lsb": "dram_k_lsb_bits",
    "bits_v": "dram_v_bits", "bits_q": "dram_q_bits", "bits_out": "out_bits", "mac_qk": "mac_qk_count",
    "mac_pv": "mac_pv_count", "exp_ops": "exp_count", "div_ops": "div_count", "mul_norm": "norm_mul_count",
    "softmax_runs": "softmax_count", "requants": "requant_count", "topk_runs": "topk_runs_count",
    "topk_rounds": "topk_rounds_count", "topk_compares": "topk_compares_count", "topk_cycles": "topk_cycles",
    "imp_adds": "importance_adds_count", "tokens_pruned": "tokens_pruned_count",
    "heads_pruned": "heads_pruned_count",
}

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def cli(*args):
    r = subprocess.run([SPATTN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"test_spattn: {SPATTN} {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def run_api(cfg_path, trace_path):
    """The whole trace through the API, layer by layer; returns the library
    hash, the hash of the returned arrays, summed events, last layer's
    active token and head counts."""
    t, meta = spattn.read_safetensors(trace_path)
    q, k, v, sq, sk, sv = t["q"], t["k"], t["v"], t["scale_q"], t["scale_k"], t["scale_v"]
    iters, L, H, rows, d = q.shape
    ntok = k.shape[2]
    ctx = int(meta["ctx"])
    mode = spattn.ENCODER if meta["mode"] == "encoder" else spattn.DECODE
    bits = (int(meta["q_bits"]), int(meta["k_bits"]), int(meta["v_bits"]))
    cfg = spattn.Config(cfg_path)
    st = spattn.State(mode, L, H, d, ctx, ntok)
    h_lib = spattn.HASH_INIT
    h_py = spattn.HASH_INIT
    total = {}
    last = None
    for it in range(iters):
        if mode == spattn.DECODE:
            st.append()
        n = st.ntok
        for l in range(L):
            heads, toks = st.active_heads(l), st.tokens(l)
            last = (len(toks), len(heads))
            out, ev, h_lib = st.layer(cfg, l, q[it, l], k[l][:, :n], v[l][:, :n], sq[l], sk[l], sv[l], bits,
                                      h_lib)
            rows_used = toks if mode == spattn.ENCODER else np.array([0])
            # head-step order: active heads ascending, active rows ascending
            h_py = spattn.fnv1a64_i16(out[heads][:, rows_used], h_py)
            if l == L - 1 and it == iters - 1:
                mask = np.ones(out.shape[:2], bool)
                mask[np.ix_(heads, rows_used)] = False
                check(not out[mask].any(), f"{os.path.basename(trace_path)}: last layer: the outputs of pruned "
                      f"heads and rows are zero ({len(heads)} of {H} heads, {len(rows_used)} rows active)")
            for key, val in ev.items():
                total[key] = total.get(key, 0) + val
    return h_lib, h_py, total, last


def compare(cfg_path, trace_path, tmp):
    name = f"{os.path.basename(trace_path)} with {os.path.basename(cfg_path)}"
    out = os.path.join(tmp, "run-" + str(abs(hash(name))))
    cli("run", "-c", cfg_path, "-t", trace_path, "-o", out)
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    info = cli("trace", "info", "-c", cfg_path, trace_path)
    h_info = int(re.search(r"outputs\s+fnv1a64 ([0-9a-f]{16})", info).group(1), 16)
    m = re.search(r"last layer\s+(\d+) tokens, (\d+) heads", info)
    h_lib, h_py, total, last = run_api(cfg_path, trace_path)
    h_run = int(stats["outputs_fnv1a64"], 16)
    print(f"      {name}: spattn run {h_run:016x}, trace info {h_info:016x}, "
          f"API {h_lib:016x}, binding arrays {h_py:016x}")
    check(h_run == h_info == h_lib == h_py, f"{name}: outputs hash equal (run, trace info, API, arrays)")
    bad = [f"{a}: API {total[a]} vs run {stats['events'][s]}" for a, s in STATS_KEYS.items()
           if total[a] != stats["events"][s]]
    check(not bad, f"{name}: {len(STATS_KEYS)} event counters equal to stats.json" + (f" ({bad})" if bad else ""))
    check(last == (int(m.group(1)), int(m.group(2))),
          f"{name}: last layer {last[0]} tokens, {last[1]} heads active (trace info: {m.group(1)}, {m.group(2)})")
    check(total["head_steps"] > 0 and total["tokens_pruned"] > 0, f"{name}: the run prunes tokens")


def bad_input():
    cfg = spattn.Config()
    st = spattn.State(spattn.ENCODER, 2, 2, 4, 3)
    q = np.zeros((2, 3, 4), np.int16)
    kv = np.zeros((2, 3, 4), np.int16)
    s = np.ones(2, np.float32) / 256
    for what, fn, msg in [
        ("version", lambda: spattn.lib().spattn_cfg_new(99, None, None, 0), None),
        ("q beyond 12 bits", lambda: st.layer(cfg, 0, q + 2048, kv, kv, s, s, s, (12, 12, 12)), "does not fit"),
        ("layer index", lambda: st.layer(cfg, 5, q, kv, kv, s, s, s, (12, 12, 12)), "outside"),
        ("zero scale", lambda: st.layer(cfg, 0, q, kv, kv, s * 0, s, s, (12, 12, 12)), "scales"),
        ("zero v scale", lambda: st.layer(cfg, 0, q, kv, kv, s, s, s * 0, (12, 12, 12)), "v scale"),
        ("unordered tokens", lambda: st.set_tokens(0, [2, 1]), "ascending"),
        ("config key", lambda: cfg.set("algorithm.token_keep", 1.5), "token_keep"),
        ("config file", lambda: spattn.Config("/nonexistent.yaml"), "nonexistent"),
    ]:
        try:
            r = fn()
            ok = what == "version" and not r
            check(ok, f"bad input ({what}) rejected")
        except spattn.SpattnError as e:
            check(msg is not None and msg in str(e), f"bad input ({what}) rejected: {e}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        dec = os.path.join(tmp, "decode.safetensors")
        cli("trace", "gen", "synth:mode=decode,layers=5,heads=4,d=32,len=300,iters=6,seed=11", "-o", dec)
        alt = os.path.join(tmp, "alt.yaml")
        with open(alt, "w") as f:
            f.write(f"include: {os.path.join(ROOT, 'configs/paper.yaml')}\n"
                    "algorithm:\n  token_keep: 0.6\n  token_start_layer: 1\n  head_keep: 0.7\n"
                    "  head_start_layer: 2\n  value_keep: 0.5\n  tau: 0.3\n")
        for cfg in (os.path.join(ROOT, "configs/paper.yaml"), alt):
            for trace in (MINILM, dec):
                compare(cfg, trace, tmp)
    bad_input()
    if failures:
        sys.exit(f"test_spattn: {len(failures)} check(s) failed")
    print("test_spattn: all passed")


if __name__ == "__main__":
    main()
