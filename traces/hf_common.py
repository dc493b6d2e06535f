"""hf_common.py - the parts the trace exporters share (docs/traces.md
section 5): numpy building blocks of the forward passes, the BERT encoder,
weight and tokenizer loading from a Hugging Face model directory, the
quantisation and the deterministic spattn-trace-1 writer.

Used only to produce traces; the simulator never runs Python.
"""
import json
import math
import os
import re
import struct
import sys
import tempfile

import numpy as np

QUANT_RULE = "symmetric per layer/head: scale = max|x| / (2^(bits-1)-1)"
_HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg):
    """One line naming the script and what is wrong, exit 2."""
    print(f"{os.path.basename(sys.argv[0])}: {msg}", file=sys.stderr)
    sys.exit(2)


def model_limits():
    """SP_MAX_* of defs/spattn.defs, where the limits are declared once."""
    path = os.path.join(_HERE, os.pardir, "defs", "spattn.defs")
    lim = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"MAX_(D|TOKENS|LAYERS|HEADS)\s+(\d+)\s", line)
            if m:
                lim[m.group(1).lower()] = int(m.group(2))
    if len(lim) != 4:
        die(f"{path}: MAX_D, MAX_TOKENS, MAX_LAYERS and MAX_HEADS not all found")
    return lim


# ---- numpy building blocks (float64) ----

_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):
    # exact (erf) GELU, as BERT's "gelu"
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def gelu_tanh(x):
    # GPT-2's "gelu_new": the tanh approximation
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x):
    return x / (1.0 + np.exp(-x))


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def rms_norm(x, g, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g


def attention(q, k, v, first_pos=None):
    """softmax(q k^T / sqrt(D)) v per head; q [H, m, D], k and v [H, n, D].
    first_pos given: causal, query row i sits at position first_pos + i and
    sees keys 0 .. first_pos + i."""
    s = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
    if first_pos is not None:
        rows = first_pos + np.arange(q.shape[1])[:, None]
        s = np.where(np.arange(k.shape[1])[None, :] <= rows, s, -np.inf)
    s = s - s.max(-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(-1, keepdims=True)
    return p @ v


# ---- model directory ----

def read_config(mdir):
    path = os.path.join(mdir, "config.json")
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        die(f"{path}: {e.strerror}")
    except ValueError as e:
        die(f"{path}: not valid JSON ({e})")


def load_weights(mdir):
    """Every float tensor of model.safetensors (or of the shards that
    model.safetensors.index.json names), as float64."""
    from safetensors.numpy import load_file
    one = os.path.join(mdir, "model.safetensors")
    index = os.path.join(mdir, "model.safetensors.index.json")
    if os.path.exists(one):
        files = [one]
    elif os.path.exists(index):
        with open(index) as f:
            files = [os.path.join(mdir, s) for s in sorted(set(json.load(f)["weight_map"].values()))]
    else:
        die(f"{mdir}: no model.safetensors or model.safetensors.index.json (save with safe_serialization=True)")
    w = {}
    for path in files:
        for k, v in load_file(path).items():
            if v.dtype in (np.float16, np.float32, np.float64):
                w[k] = v.astype(np.float64)
            elif str(v.dtype) == "bfloat16":
                die(f"{path}: bfloat16 tensors are not read (numpy has no bfloat16); save the model as float32")
    return w


def strip_prefix(w, prefix):
    """Names without a head model's prefix ("bert.", "transformer."), when it has one."""
    if any(k.startswith(prefix) for k in w):
        return {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in w.items()}
    return w


def tokenize(mdir, text, special=True):
    from tokenizers import Tokenizer
    path = os.path.join(mdir, "tokenizer.json")
    if not os.path.exists(path):
        die(f"{mdir}: no tokenizer.json; give --prompt-ids or --random-prompt instead of --text")
    tok = Tokenizer.from_file(path)
    tok.no_truncation()  # a shipped tokenizer.json may truncate/pad (MiniLM: 128)
    tok.no_padding()
    enc = tok.encode(text, add_special_tokens=special)
    return np.array(enc.ids, dtype=np.int64), enc.tokens


# ---- BERT encoder ----

def bert_forward(w, cfg, ids):
    """BERT encoder, one unpadded sequence, token type 0, absolute positions.
    Returns the last hidden state, per layer the q, k, v of every head
    (each [heads, n, D], before the 1/sqrt(D) scaling) and per layer the
    attention context (the input of attention.output.dense)."""
    L, H, hid = cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["hidden_size"]
    D, eps, n = hid // H, cfg["layer_norm_eps"], len(ids)
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] +
         w["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    qkv, ctxs = [], []
    for l in range(L):
        p = f"encoder.layer.{l}."

        def lin(name, h):
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q, k, v = (lin("attention.self." + s, x).reshape(n, H, D).transpose(1, 0, 2)
                   for s in ("query", "key", "value"))
        qkv.append((q, k, v))
        ctx = attention(q, k, v).transpose(1, 0, 2).reshape(n, hid)
        ctxs.append(ctx)
        x = layer_norm(x + lin("attention.output.dense", ctx), w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], eps)
        h = gelu(lin("intermediate.dense", x))
        x = layer_norm(x + lin("output.dense", h), w[p + "output.LayerNorm.weight"],
                       w[p + "output.LayerNorm.bias"], eps)
    return x, qkv, ctxs


def bert_check_config(cfg, where):
    want = {"hidden_act": "gelu", "position_embedding_type": "absolute"}
    for key, val in want.items():
        if cfg.get(key, val) != val:
            die(f"{where}: {key} {cfg[key]!r} is not supported (only {val!r})")
    if cfg["hidden_size"] % cfg["num_attention_heads"]:
        die(f"{where}: hidden_size {cfg['hidden_size']} is not a multiple of num_attention_heads")


# ---- quantisation and the trace ----

def quantize(x, bits):
    lim = (1 << (bits - 1)) - 1
    amax = float(np.abs(x).max())
    scale = np.float32(amax / lim if amax > 0 else 1.0)
    qi = np.clip(np.rint(x / np.float64(scale)), -lim, lim).astype(np.int16)
    return qi, scale


def check_bits(a):
    for name in ("q_bits", "k_bits", "v_bits"):
        if not 2 <= getattr(a, name) <= 16:
            die(f"--{name.replace('_', '-')} must be in 2..16")


def trace_tensors(q, k, v, bits):
    """The spattn-trace-1 tensors from float q [iters, L, H, rows, D] and
    k, v [L, H, ntok, D]: symmetric quantisation per layer, head and tensor
    (over every iteration, row and token)."""
    it, L, H, rows, D = q.shape
    out = {"q": np.zeros(q.shape, np.int16), "k": np.zeros(k.shape, np.int16), "v": np.zeros(v.shape, np.int16)}
    scales = {t: np.zeros((L, H), np.float32) for t in "qkv"}
    for l in range(L):
        for h in range(H):
            qi, scales["q"][l, h] = quantize(q[:, l, h], bits["q"])
            out["q"][:, l, h] = qi
            out["k"][l, h], scales["k"][l, h] = quantize(k[l, h], bits["k"])
            out["v"][l, h], scales["v"][l, h] = quantize(v[l, h], bits["v"])
    return {"q": out["q"], "k": out["k"], "v": out["v"],
            "scale_q": scales["q"], "scale_k": scales["k"], "scale_v": scales["v"]}


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
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".export-trace.")
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
