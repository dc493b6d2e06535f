#!/usr/bin/env python3
"""make_tiny.py - build tiny randomly initialised GPT-2 and Llama models
offline from a config with transformers (torch.manual_seed fixes the
weights) and save_pretrained them (model.safetensors) for the exporter test.
Random weights: the traces made from them check shapes and plumbing only.

Usage: make_tiny.py OUTDIR  -> OUTDIR/tiny-gpt2, OUTDIR/tiny-llama-gqa,
                               OUTDIR/tiny-llama-d128
"""
import os
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

MODELS = {
    # d = 64 / 4 = 16: fits the co-sim regression machine (hardware D 32);
    # 3 layers, so token and head pruning (from layer 1 in tests/cosim/small.yaml) act
    "tiny-gpt2": (GPT2LMHeadModel, GPT2Config(n_layer=3, n_head=4, n_embd=64, n_positions=256, vocab_size=512)),
    # grouped-query attention: 4 query heads over 2 K/V heads, d 16
    "tiny-llama-gqa": (LlamaForCausalLM, LlamaConfig(
        hidden_size=64, intermediate_size=128, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=2, vocab_size=512, max_position_embeddings=256)),
    # a Llama-like head dimension (128) for a long context: 2 query heads over 1 K/V head
    "tiny-llama-d128": (LlamaForCausalLM, LlamaConfig(
        hidden_size=256, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, vocab_size=512, max_position_embeddings=8192)),
}


def main():
    out = sys.argv[1]
    for i, (name, (cls, cfg)) in enumerate(MODELS.items()):
        torch.manual_seed(1000 + i)
        model = cls(cfg).eval()
        model.save_pretrained(os.path.join(out, name), safe_serialization=True)
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters -> {os.path.join(out, name)}")


if __name__ == "__main__":
    main()
