#!/usr/bin/env python3
"""export_hf.py - run a Hugging Face transformers model directory on a prompt
and export its per-layer, per-head q, k, v as an spattn-trace-1 safetensors
file (docs/traces.md section 5).

Used only to produce traces; the simulator never runs Python.

Architectures (config.json model_type), forward pass in numpy (float64)
from the directory's model.safetensors:
  bert   encoder trace: every token is a query row (BERT-family encoders:
         absolute positions, GELU, token type 0)
  gpt2   decode trace: the prompt fills the cache (ctx tokens), then --iters
         tokens are generated greedily; iteration i holds the query of token
         ctx+i over the cached keys and values of tokens 0..ctx+i
  llama  decode trace as gpt2, RoPE applied to q and k before export;
         grouped-query attention: k and v of K/V head g are repeated for
         each of the heads/kv_heads query heads of group g, so the trace has
         num_attention_heads heads (metadata kv_heads, head_map)
q is exported before the 1/sqrt(D) scaling, which the accelerator applies in
its logit multiplier. Quantisation: symmetric, one scale per layer, head and
tensor over the whole trace: scale = max|x| / (2^(bits-1) - 1).

--check loads the same directory with transformers (float64, eager
attention) and compares, per layer, the q, k, v projections and the
attention context (the input of the output projection) with the numpy pass,
the context also recomputed from the float q, k, v in the trace's layout,
each query row over the tokens the layout gives it (so RoPE, the K/V head
mapping and the decode layout are checked), and the last hidden state.

Usage:
  export_hf.py --model-dir DIR (--text FILE | --prompt-ids 1,2,3 | --random-prompt N [--seed S])
               [--iters N] --out FILE.safetensors [--check]
"""
import argparse
import hashlib
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_common as hc  # noqa: E402
from hf_common import die  # noqa: E402


def need(cfg, key, where):
    if key not in cfg:
        die(f"{where}: config key {key} is missing")
    return cfg[key]


class Gpt2:
    """GPT-2 decoder (pre-LayerNorm, Conv1D weights [in, out], gelu_new)."""

    def __init__(self, w, cfg, where):
        self.w = hc.strip_prefix(w, "transformer.")
        self.L, self.H, self.hid = need(cfg, "n_layer", where), need(cfg, "n_head", where), need(cfg, "n_embd", where)
        self.kvH, self.D = self.H, self.hid // self.H
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.max_pos = cfg.get("n_positions", 1024)
        for key, val in (("activation_function", "gelu_new"), ("scale_attn_weights", True),
                         ("scale_attn_by_inverse_layer_idx", False), ("reorder_and_upcast_attn", False)):
            if cfg.get(key, val) != val:
                die(f"{where}: {key} {cfg[key]!r} is not supported (only {val!r})")
        self.lm = self.w["lm_head.weight"] if "lm_head.weight" in self.w else self.w["wte.weight"]
        self.proj = ("attn.c_attn", "attn.c_attn", "attn.c_attn")

    def step(self, ids, pos0, cache):
        w, m, H, D, hid = self.w, len(ids), self.H, self.D, self.hid
        x = w["wte.weight"][ids] + w["wpe.weight"][pos0:pos0 + m]
        out = []
        for l in range(self.L):
            p = f"h.{l}."

            def lin(name, h):  # Conv1D: weight [in, out]
                return h @ w[p + name + ".weight"] + w[p + name + ".bias"]

            a = hc.layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], self.eps)
            qkv = lin("attn.c_attn", a)
            raw = np.split(qkv, 3, axis=1)
            q, k, v = (t.reshape(m, H, D).transpose(1, 0, 2) for t in raw)
            cache[l] = [np.concatenate([cache[l][0], k], 1), np.concatenate([cache[l][1], v], 1)]
            ctx = hc.attention(q, cache[l][0], cache[l][1], pos0).transpose(1, 0, 2).reshape(m, hid)
            out.append({"q": q, "k": k, "v": v, "raw": raw, "ctx": ctx})
            x = x + lin("attn.c_proj", ctx)
            a = hc.layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], self.eps)
            x = x + lin("mlp.c_proj", hc.gelu_tanh(lin("mlp.c_fc", a)))
        hidden = hc.layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], self.eps)
        return hidden, hidden[-1] @ self.lm.T, out


class Llama:
    """Llama decoder (RMSNorm, RoPE rotate-half pairs, SwiGLU, grouped-query
    attention)."""

    def __init__(self, w, cfg, where):
        self.w = w
        self.L, self.H, self.hid = (need(cfg, k, where) for k in
                                    ("num_hidden_layers", "num_attention_heads", "hidden_size"))
        self.kvH = cfg.get("num_key_value_heads") or self.H
        self.D = cfg.get("head_dim") or self.hid // self.H
        if self.H % self.kvH:
            die(f"{where}: num_attention_heads {self.H} is not a multiple of num_key_value_heads {self.kvH}")
        if cfg.get("hidden_act", "silu") != "silu":
            die(f"{where}: hidden_act {cfg['hidden_act']!r} is not supported (only 'silu')")
        if cfg.get("rope_scaling"):
            die(f"{where}: rope_scaling {cfg['rope_scaling']!r} is not supported (plain RoPE only)")
        if cfg.get("pretraining_tp", 1) != 1:
            die(f"{where}: pretraining_tp {cfg['pretraining_tp']} is not supported (only 1)")
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.theta = float(cfg.get("rope_theta", 10000.0))
        self.max_pos = cfg.get("max_position_embeddings", 2048)
        self.lm = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]
        self.inv_freq = 1.0 / self.theta ** (np.arange(0, self.D, 2, dtype=np.float64) / self.D)

    def rope(self, x, pos0):
        """x [heads, m, D] at positions pos0.. : x cos + rotate_half(x) sin."""
        ang = np.arange(pos0, pos0 + x.shape[1], dtype=np.float64)[:, None] * self.inv_freq[None, :]
        ang = np.concatenate([ang, ang], -1)
        half = self.D // 2
        rot = np.concatenate([-x[..., half:], x[..., :half]], -1)
        return x * np.cos(ang) + rot * np.sin(ang)

    def step(self, ids, pos0, cache):
        w, m, H, kvH, D = self.w, len(ids), self.H, self.kvH, self.D
        x = w["model.embed_tokens.weight"][ids]
        out = []
        for l in range(self.L):
            p = f"model.layers.{l}."

            def lin(name, h):
                b = w.get(p + name + ".bias")
                y = h @ w[p + name + ".weight"].T
                return y if b is None else y + b

            a = hc.rms_norm(x, w[p + "input_layernorm.weight"], self.eps)
            raw = [lin("self_attn." + s, a) for s in ("q_proj", "k_proj", "v_proj")]
            q = self.rope(raw[0].reshape(m, H, D).transpose(1, 0, 2), pos0)
            k = self.rope(raw[1].reshape(m, kvH, D).transpose(1, 0, 2), pos0)
            v = raw[2].reshape(m, kvH, D).transpose(1, 0, 2)
            cache[l] = [np.concatenate([cache[l][0], k], 1), np.concatenate([cache[l][1], v], 1)]
            g = H // kvH  # query head h reads K/V head h // g
            ctx = hc.attention(q, np.repeat(cache[l][0], g, 0), np.repeat(cache[l][1], g, 0), pos0)
            ctx = ctx.transpose(1, 0, 2).reshape(m, H * D)
            out.append({"q": q, "k": np.repeat(k, g, 0), "v": np.repeat(v, g, 0), "raw": raw, "ctx": ctx})
            x = x + lin("self_attn.o_proj", ctx)
            a = hc.rms_norm(x, w[p + "post_attention_layernorm.weight"], self.eps)
            x = x + lin("mlp.down_proj", hc.silu(lin("mlp.gate_proj", a)) * lin("mlp.up_proj", a))
        hidden = hc.rms_norm(x, w["model.norm.weight"], self.eps)
        return hidden, hidden[-1] @ self.lm.T, out


def run_decoder(model, prompt, iters, chunk=1024):
    """Prompt into the cache (in chunks of `chunk` rows), then `iters` greedy
    steps. Returns the ids (prompt + generated), the last hidden state of
    every position and per layer the concatenated step outputs."""
    cache = [[np.zeros((model.kvH, 0, model.D))] * 2 for _ in range(model.L)]
    steps, hidden = [], []
    ids = list(prompt)
    for s in range(0, len(prompt), chunk):
        h, logits, out = model.step(np.asarray(prompt[s:s + chunk]), s, cache)
        steps.append(out)
        hidden.append(h)
    for _ in range(iters):
        ids.append(int(np.argmax(logits)))
        h, logits, out = model.step(np.asarray(ids[-1:]), len(ids) - 1, cache)
        steps.append(out)
        hidden.append(h)
    layers = []
    for l in range(model.L):
        cat = {key: np.concatenate([st[l][key] for st in steps], 1) for key in ("q", "k", "v")}
        cat["ctx"] = np.concatenate([st[l]["ctx"] for st in steps], 0)
        cat["raw"] = [np.concatenate([st[l]["raw"][i] for st in steps], 0) for i in range(3)]
        layers.append(cat)
    return np.asarray(ids), np.concatenate(hidden, 0), layers


def decode_queries(layers, ctx):
    """Iteration i holds the query row of token ctx+i: q [iters, L, H, 1, D]."""
    return np.stack([lay["q"][:, ctx:] for lay in layers]).transpose(2, 0, 1, 3)[:, :, :, None, :]


def rel(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / max(float(np.abs(b).max()), 1e-30))


def trace_context(q, k, v, decode, ctx):
    """Per layer, the attention context [rows, H*D] that the trace's float
    tensors give, each query row over the keys its trace layout names: in
    decode, iteration i's row over tokens 0..ctx+i (docs/traces.md s2)."""
    out = []
    for l in range(k.shape[0]):
        if decode:
            rows = [hc.attention(q[i, l], k[l][:, :ctx + i + 1], v[l][:, :ctx + i + 1]) for i in range(q.shape[0])]
            c = np.concatenate(rows, 1)  # [H, iters, D]
        else:
            c = hc.attention(q[0, l], k[l], v[l])
        out.append(c.transpose(1, 0, 2).reshape(c.shape[1], -1))
    return out


def check(arch, mdir, ids, hidden, layers, trace, ctx, tol):
    """Compare with transformers (float64, eager attention) on the whole
    sequence; print the worst relative differences, die over tol. trace:
    the float q, k, v in the trace's layout, checked against the model's
    context at the positions of the query rows."""
    try:
        import torch
        import transformers
    except ImportError as e:
        die(f"--check needs torch and transformers ({e})")
    cls = {"bert": transformers.BertModel, "gpt2": transformers.GPT2LMHeadModel,
           "llama": transformers.LlamaForCausalLM}[arch]
    kw = {"attn_implementation": "eager"} if arch == "llama" else {}
    model = cls.from_pretrained(mdir, torch_dtype=torch.float64, **kw).eval()
    if arch == "bert":
        blocks = [(b.attention.self.query, b.attention.self.key, b.attention.self.value, b.attention.output.dense)
                  for b in model.encoder.layer]
    elif arch == "gpt2":
        blocks = [(b.attn.c_attn, None, None, b.attn.c_proj) for b in model.transformer.h]
    else:
        blocks = [(b.self_attn.q_proj, b.self_attn.k_proj, b.self_attn.v_proj, b.self_attn.o_proj)
                  for b in model.model.layers]
    got, hooks = {}, []
    for l, (qm, km, vm, om) in enumerate(blocks):
        for i, mod in enumerate((qm, km, vm)):
            if mod is not None:
                hooks.append(mod.register_forward_hook(
                    lambda _m, _i, o, l=l, i=i: got.__setitem__((l, i), o[0].detach().numpy().copy())))
        hooks.append(om.register_forward_pre_hook(
            lambda _m, inp, l=l: got.__setitem__((l, "ctx"), inp[0][0].detach().numpy().copy())))
    with torch.no_grad():
        res = model(torch.as_tensor(ids[None]), output_hidden_states=True)
    for h in hooks:
        h.remove()
    ref_hidden = res.last_hidden_state[0].numpy() if arch == "bert" else res.hidden_states[-1][0].numpy()
    worst = {"q/k/v projections": 0.0, "attention context": 0.0, "context from the trace's q,k,v": 0.0}
    tctx = trace_context(*trace, arch != "bert", ctx)
    first = 0 if arch == "bert" else ctx  # position of the trace's first query row
    for l, lay in enumerate(layers):
        if arch == "gpt2":
            ref = np.split(got[(l, 0)], 3, axis=1)
        else:
            ref = [got[(l, i)] for i in range(3)]
        for i in range(3):
            worst["q/k/v projections"] = max(worst["q/k/v projections"], rel(lay["raw"][i], ref[i]))
        worst["attention context"] = max(worst["attention context"], rel(lay["ctx"], got[(l, "ctx")]))
        worst["context from the trace's q,k,v"] = max(worst["context from the trace's q,k,v"],
                                                      rel(tctx[l], got[(l, "ctx")][first:]))
    worst["last hidden state"] = rel(hidden, ref_hidden)
    print(f"check: {arch}, {len(ids)} tokens, transformers {transformers.__version__} / torch {torch.__version__}, "
          "float64; max |numpy - transformers| / max |transformers|: " +
          ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))
    bad = [k for k, v in worst.items() if not v <= tol]
    if bad:
        die(f"check: {', '.join(bad)} differ from transformers by more than {tol:g}")


def prompt_ids(a, mdir, vocab):
    given = [x for x in (a.text, a.prompt_ids, a.random_prompt) if x is not None]
    if len(given) != 1:
        die("give exactly one of --text, --prompt-ids, --random-prompt")
    if a.text is not None:
        try:
            with open(a.text, "rb") as f:
                raw = f.read()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            die(f"{a.text}: cannot read UTF-8 text ({e})")
        ids = hc.tokenize(mdir, text)[0]
        return ids, os.path.basename(a.text), hashlib.sha256(raw).hexdigest()
    if a.prompt_ids is not None:
        try:
            ids = np.array([int(x) for x in a.prompt_ids.split(",")], np.int64)
        except ValueError:
            die(f"--prompt-ids {a.prompt_ids!r}: not a comma-separated list of integers")
        if ids.min() < 0 or ids.max() >= vocab:
            die(f"--prompt-ids: ids must be in 0..{vocab - 1} (vocab_size {vocab})")
        return ids, "prompt ids " + a.prompt_ids[:64], None
    if a.random_prompt < 1:
        die("--random-prompt must be at least 1")
    ids = np.random.default_rng(a.seed).integers(0, vocab, a.random_prompt)
    return ids, f"random prompt: {a.random_prompt} ids uniform in 0..{vocab - 1}, numpy default_rng seed {a.seed}", None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", required=True, help="transformers model directory (config.json, model.safetensors)")
    ap.add_argument("--out", required=True, help="output .safetensors")
    ap.add_argument("--text", help="UTF-8 text file, tokenized with the directory's tokenizer.json")
    ap.add_argument("--prompt-ids", help="comma-separated token ids")
    ap.add_argument("--random-prompt", type=int, help="this many token ids drawn uniformly (models without a tokenizer)")
    ap.add_argument("--seed", type=int, default=1, help="seed of --random-prompt")
    ap.add_argument("--iters", type=int, default=4, help="decode: tokens generated (greedy) = trace iterations")
    ap.add_argument("--q-bits", type=int, default=12)
    ap.add_argument("--k-bits", type=int, default=12)
    ap.add_argument("--v-bits", type=int, default=12)
    ap.add_argument("--model-name", help="metadata model name (default: config _name_or_path or the directory name)")
    ap.add_argument("--check", action="store_true", help="compare with transformers (needs torch and transformers)")
    ap.add_argument("--tol", type=float, default=1e-6, help="largest relative difference --check allows")
    a = ap.parse_args()
    hc.check_bits(a)
    if not a.out.endswith(".safetensors"):
        die("--out must end in .safetensors")
    where = os.path.join(a.model_dir, "config.json")
    cfg = hc.read_config(a.model_dir)
    arch = cfg.get("model_type")
    if arch not in ("bert", "gpt2", "llama"):
        die(f"{where}: model_type {arch!r} is not supported (bert, gpt2, llama)")
    lim = hc.model_limits()
    w = hc.load_weights(a.model_dir)
    if arch == "bert":
        hc.bert_check_config(cfg, where)
        w = hc.strip_prefix(w, "bert.")
        L, H, kvH = cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["num_attention_heads"]
        D, max_pos, vocab = cfg["hidden_size"] // H, cfg["max_position_embeddings"], cfg["vocab_size"]
    else:
        model = Gpt2(w, cfg, where) if arch == "gpt2" else Llama(w, cfg, where)
        L, H, kvH, D, max_pos, vocab = model.L, model.H, model.kvH, model.D, model.max_pos, model.lm.shape[0]
        if a.iters < 1:
            die("--iters must be at least 1")
    for name, val, top in (("layers", L, lim["layers"]), ("heads", H, lim["heads"]), ("head dimension", D, lim["d"])):
        if val > top:
            die(f"{where}: {val} {name} exceed the trace format's {top} (defs/spattn.defs)")
    ids, source, source_sha = prompt_ids(a, a.model_dir, vocab)
    ctx = len(ids)
    ntok = ctx + (a.iters if arch != "bert" else 0)
    if ntok > min(lim["tokens"], max_pos):
        die(f"{ntok} tokens (prompt {ctx}{'' if arch == 'bert' else f' + {a.iters} generated'}) exceed "
            f"{'the trace format' if lim['tokens'] < max_pos else 'the model'}'s {min(lim['tokens'], max_pos)}")
    if arch == "bert":
        hidden, qkv, ctxs = hc.bert_forward(w, cfg, ids)
        layers = [{"q": q, "k": k, "v": v, "raw": [t.transpose(1, 0, 2).reshape(ctx, -1) for t in (q, k, v)],
                   "ctx": c} for (q, k, v), c in zip(qkv, ctxs)]
        q = np.stack([lay["q"] for lay in layers])[None]  # [1, L, H, n, D]
    else:
        ids, hidden, layers = run_decoder(model, ids, a.iters)
        q = decode_queries(layers, ctx)
    k, v = np.stack([lay["k"] for lay in layers]), np.stack([lay["v"] for lay in layers])
    if a.check:
        check(arch, a.model_dir, ids, hidden, layers, (q, k, v), ctx, a.tol)
    tensors = hc.trace_tensors(q, k, v, {"q": a.q_bits, "k": a.k_bits, "v": a.v_bits})
    name = a.model_name or cfg.get("_name_or_path") or os.path.basename(os.path.normpath(a.model_dir))
    meta = {
        "format": "spattn-trace-1", "mode": "encoder" if arch == "bert" else "decode", "ctx": str(ctx),
        "q_bits": str(a.q_bits), "k_bits": str(a.k_bits), "v_bits": str(a.v_bits),
        "model": name, "architecture": arch, "source": source,
        "weights": os.path.basename(os.path.normpath(a.model_dir)) + "/model.safetensors",
        "tokens": str(len(ids)),
        "token_ids_sha256": hashlib.sha256(np.asarray(ids, "<i8").tobytes()).hexdigest(),
        "quant": hc.QUANT_RULE, "producer": "traces/export_hf.py",
    }
    if source_sha:
        meta["source_sha256"] = source_sha
    if arch != "bert":
        meta["generated"] = f"{a.iters} tokens, greedy (argmax of the numpy pass's logits)"
    if arch == "llama":
        meta["kv_heads"] = str(kvH)
        meta["head_map"] = (f"query head h uses K/V head h // {H // kvH}; k and v are repeated for every query head "
                            f"of a group, so the trace has {H} heads: head pruning drops query heads one by one, "
                            f"and K/V fetches are counted per query head (a group's rows once per active head)")
        meta["rope"] = f"applied to q and k before export (theta {model.theta:g}, rotate-half pairs)"
    hc.write_safetensors(a.out, tensors, meta)
    print(f"wrote {a.out}: {arch} {meta['mode']}, ctx {ctx}"
          f"{'' if arch == 'bert' else f' + {a.iters} iterations'}, {L} layers x {H} heads"
          f"{f' ({kvH} K/V heads)' if kvH != H else ''}, D {D}, q/k/v bits {a.q_bits}/{a.k_bits}/{a.v_bits}, "
          f"{os.path.getsize(a.out)} bytes")


if __name__ == "__main__":
    main()
