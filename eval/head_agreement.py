#!/usr/bin/env python3
"""head_agreement.py - per layer, do the C model's kept token and head sets
equal those of the same algorithm in float (docs/eval.md)?

Float algorithm (the paper's, real-valued): q, k, v of the trace times
their scales; per head-step p = softmax(q.k / sqrt(D)) over the layer's
active tokens; local value pruning keeps the top keep(n, value_keep) by p;
out = sum of p v over those; token importance += p, head importance +=
sum |out| (real units); after each layer the next layer keeps its top
keep(|A_l|, token_keep) tokens from token_start_layer on and
keep(|H_l|, head_keep) heads from head_start_layer on. Keep counts and the
order (key descending, then index ascending) are those of docs/spec.md s7.
The C model (libspattn.so through python/spattn.py) runs the same trace
layer by layer; each side follows its own cascade.

Prints one row per layer l: the sets of layer l + 1 (the kept ones) from
each side, as sizes, Jaccard index and the tokens/heads only one side keeps.

Usage: head_agreement.py [-c CONFIG] [-t TRACE] [--set KEY=VALUE ...]
(encoder traces; --set overrides a config key, e.g. algorithm.head_keep=0.6)
"""
import argparse
import os
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
import spattn  # noqa: E402


def keep_count(n, r):
    r16 = int(round(r * 65536))
    return 0 if n == 0 else max(1, (n * r16 + 32768) >> 16)


def top(keys, idx, k):
    """The k of idx with the largest keys (ties: lower index first), ascending."""
    order = sorted(range(len(idx)), key=lambda i: (-keys[i], idx[i]))
    return sorted(idx[i] for i in order[:k])


def float_run(t, alg):
    q = t["q"][0].astype(np.float64) * t["scale_q"][:, :, None, None]
    k = t["k"].astype(np.float64) * t["scale_k"][:, :, None, None]
    v = t["v"].astype(np.float64) * t["scale_v"][:, :, None, None]
    L, H, N, D = k.shape
    toks, heads = list(range(N)), list(range(H))
    imp, himp = np.zeros(N), np.zeros(H)
    kept = []
    for l in range(L):
        a = np.array(toks)
        for h in heads:
            s = q[l, h][a] @ k[l, h][a].T / np.sqrt(D)
            p = np.exp(s - s.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            imp[a] += p.sum(axis=0)
            kv = keep_count(len(a), alg["value_keep"])
            for r in range(len(a)):
                sel = top(p[r], list(range(len(a))), kv)
                out = p[r, sel] @ v[l, h][a[sel]]
                himp[h] += np.abs(out).sum()
        if l < L - 1:
            if l >= alg["token_start_layer"]:
                toks = top(imp[toks], toks, keep_count(len(toks), alg["token_keep"]))
            if l >= alg["head_start_layer"]:
                heads = top(himp[heads], heads, keep_count(len(heads), alg["head_keep"]))
            kept.append((toks, heads))
    return kept


def fixed_run(t, meta, cfg):
    q, k, v = t["q"], t["k"], t["v"]
    _, L, H, _, d = q.shape
    n = k.shape[2]
    bits = (int(meta["q_bits"]), int(meta["k_bits"]), int(meta["v_bits"]))
    st = spattn.State(spattn.ENCODER, L, H, d, n, n)
    kept = []
    for l in range(L):
        st.layer(cfg, l, q[0, l], k[l], v[l], t["scale_q"][l], t["scale_k"][l], t["scale_v"][l], bits)
        if l < L - 1:
            kept.append((list(st.tokens(l + 1)), list(st.active_heads(l + 1))))
    return kept


def jacc(a, b):
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-c", default=os.path.join(ROOT, "configs/paper.yaml"))
    ap.add_argument("-t", default=os.path.join(ROOT, "traces/data/minilm-austen-encoder.safetensors"))
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    o = ap.parse_args()
    t, meta = spattn.read_safetensors(o.t)
    if meta.get("mode") != "encoder":
        sys.exit("head_agreement.py: " + o.t + ": encoder traces only")
    cfg = spattn.Config(o.c)
    for kv in o.set:
        key, _, val = kv.partition("=")
        cfg.set(key, float(val))
    alg = {key: cfg.get("algorithm." + key) for key in
           ("token_keep", "token_start_layer", "head_keep", "head_start_layer", "value_keep")}
    fl, fx = float_run(t, alg), fixed_run(t, meta, cfg)
    print("| after layer | tokens float / fixed | token Jaccard | heads float / fixed | head Jaccard "
          "| heads only float keeps | heads only fixed keeps |")
    print("|---|---|---|---|---|---|---|")
    for l, ((ft, fh), (xt, xh)) in enumerate(zip(fl, fx)):
        only_f = sorted(set(fh) - set(xh))
        only_x = sorted(set(xh) - set(fh))
        print(f"| {l} | {len(ft)} / {len(xt)} | {jacc(ft, xt):.3f} | {len(fh)} / {len(xh)} | {jacc(fh, xh):.3f} "
              f"| {' '.join(map(str, only_f)) or '-'} | {' '.join(map(str, only_x)) or '-'} |")


if __name__ == "__main__":
    main()
