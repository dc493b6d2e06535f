#!/usr/bin/env python3
"""make_bad.py - writes the malformed safetensors corpus in this directory
(stdlib only). Each file has one defect; tests/test_safetensors.c and
tests/test_trace_open.c assert the exact error line for each. Run from the
repository root: python3 tests/bad/traces/make_bad.py"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def raw(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def container(name, header, data=b"", hlen=None):
    h = header if isinstance(header, bytes) else header.encode()
    raw(name, struct.pack("<Q", len(h) if hlen is None else hlen) + h + data)


def i16(vals):
    return struct.pack("<%dh" % len(vals), *vals)


def f32(vals):
    return struct.pack("<%df" % len(vals), *vals)


def trace(name, meta=None, drop=(), extra=None, over=None, mode="decode", L=1, H=2, ctx=2, it=1, rows=None, d=2):
    """a small valid spattn-trace-1, then one change"""
    ntok = ctx + it if mode == "decode" else ctx
    rows = rows if rows is not None else (1 if mode == "decode" else ctx)
    ts = {
        "q": ("I16", [it, L, H, rows, d], i16([1] * (it * L * H * rows * d))),
        "k": ("I16", [L, H, ntok, d], i16([-3] * (L * H * ntok * d))),
        "v": ("I16", [L, H, ntok, d], i16([5] * (L * H * ntok * d))),
        "scale_q": ("F32", [L, H], f32([0.01] * (L * H))),
        "scale_k": ("F32", [L, H], f32([0.02] * (L * H))),
        "scale_v": ("F32", [L, H], f32([0.03] * (L * H))),
    }
    ts.update(over or {})
    ts.update(extra or {})
    for k in drop:
        del ts[k]
    m = {"format": "spattn-trace-1", "mode": mode, "ctx": str(ctx), "q_bits": "12", "k_bits": "12", "v_bits": "12"}
    m.update(meta or {})
    m = {k: v for k, v in m.items() if v is not None}
    hdr, blob = {"__metadata__": m}, b""
    for k in sorted(ts):
        dt, shape, data = ts[k]
        hdr[k] = {"dtype": dt, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    container(name, json.dumps(hdr, separators=(",", ":")), blob)


T8 = '"dtype":"I16","shape":[4]'
# container level
raw("empty.safetensors", b"")
raw("short-length.safetensors", b"\x10\x00\x00")
container("header-past-eof.safetensors", "{}", hlen=1000)
container("huge-header.safetensors", "{}", hlen=1 << 40)
container("bad-json.safetensors", '{"a":{"dtype":"I16",}')
container("not-object.safetensors", "[1,2]")
container("trailing-bytes.safetensors", "{} x")
container("nul-in-header.safetensors", b'{"a":1\x00}')
container("unknown-dtype.safetensors", '{"a":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}}', b"\0")
container("shape-bytes-mismatch.safetensors", '{"a":{"dtype":"I16","shape":[2,2],"data_offsets":[0,6]}}', b"\0" * 6)
container("overlap.safetensors", '{"a":{%s,"data_offsets":[0,8]},"b":{%s,"data_offsets":[4,12]}}' % (T8, T8), b"\0" * 12)
container("gap.safetensors", '{"a":{%s,"data_offsets":[0,8]},"b":{%s,"data_offsets":[10,18]}}' % (T8, T8), b"\0" * 18)
container("unused-tail.safetensors", '{"a":{%s,"data_offsets":[0,8]}}' % T8, b"\0" * 12)
container("offsets-past-end.safetensors", '{"a":{%s,"data_offsets":[0,8]}}' % T8, b"\0" * 4)
container("offsets-reversed.safetensors", '{"a":{"dtype":"I16","shape":[0],"data_offsets":[8,0]}}', b"\0" * 8)
container("negative-shape.safetensors", '{"a":{"dtype":"I16","shape":[-1],"data_offsets":[0,0]}}')
container("fractional-offset.safetensors", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1.5]}}', b"\0\0")
container("metadata-not-string.safetensors", '{"__metadata__":{"ctx":12}}')
container("duplicate-tensor.safetensors", '{"a":{%s,"data_offsets":[0,8]},"a":{%s,"data_offsets":[8,16]}}' % (T8, T8), b"\0" * 16)
container("duplicate-metadata-key.safetensors", '{"__metadata__":{"a":"1","b":"2","a":"3"}}')
container("missing-dtype.safetensors", '{"a":{"shape":[1],"data_offsets":[0,1]}}', b"\0")
container("extra-key.safetensors", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"align":8}}', b"\0")
container("too-many-elements.safetensors", '{"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,1]}}', b"\0")
container("metadata-escaped-nul.safetensors", '{"__metadata__":{"mode":"decode\\u0000junk"}}')
container("metadata-latin1.safetensors", b'{"__metadata__":{"model":"caf\xe9"}}')
container("metadata-surrogate.safetensors", b'{"__metadata__":{"model":"\xed\xa0\x80"}}')
container("name-overlong-utf8.safetensors", b'{"\xc0\xaf":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\0")
# trace level (valid containers)
trace("no-format.safetensors", meta={"format": None})
trace("wrong-format.safetensors", meta={"format": "spattn-trace-0"})
trace("bad-mode.safetensors", meta={"mode": "training"})
trace("ctx-not-int.safetensors", meta={"ctx": "2a"})
trace("k-bits-17.safetensors", meta={"k_bits": "17"})
trace("q-float.safetensors", over={"q": ("F32", [1, 1, 2, 1, 2], f32([1.0] * 4))})
trace("missing-v.safetensors", drop=("v",))
trace("extra-tensor.safetensors", extra={"w": ("I16", [1], i16([0]))})
trace("decode-two-rows.safetensors", rows=2)
trace("encoder-two-iters.safetensors", mode="encoder", it=2)
trace("k-heads-mismatch.safetensors", over={"k": ("I16", [1, 3, 3, 2], i16([0] * 18))})
trace("q-out-of-range.safetensors", meta={"q_bits": "4"}, over={"q": ("I16", [1, 1, 2, 1, 2], i16([1, 2, 8, 0]))})
trace("zero-scale.safetensors", over={"scale_k": ("F32", [1, 2], f32([0.02, 0.0]))})
trace("d-too-large.safetensors", d=257)
# grouped K/V heads (docs/traces.md s2): 4 query heads over 2 K/V heads
GQA = "query head h uses K/V head h // 2; k and v are repeated for every query head of a group"
trace("gqa-kv-heads-not-divisor.safetensors", H=4, meta={"kv_heads": "3", "head_map": GQA})
trace("gqa-head-map-mismatch.safetensors", H=4, meta={"kv_heads": "1", "head_map": GQA})
trace("gqa-no-head-map.safetensors", H=4, meta={"kv_heads": "2"})
trace("gqa-kv-not-shared.safetensors", H=4, meta={"kv_heads": "2", "head_map": GQA},
      over={"k": ("I16", [1, 4, 3, 2], i16([-3] * 6 + [-2] * 6 + [-3] * 12))})
