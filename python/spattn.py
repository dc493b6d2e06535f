"""spattn.py - ctypes binding of libspattn.so's layer API (api/spattn_api.h).

One attention layer of the spattn C model at a time, numpy arrays in and
out, bit-exact with `spattn run`. The library is build/libspattn.so
(`make api`); SPATTN_LIB names another path.

    import spattn
    cfg = spattn.Config("configs/paper.yaml")       # or Config() for the defaults
    st = spattn.State(spattn.ENCODER, layers=6, heads=12, d=32, ctx=n)
    out, events, h = st.layer(cfg, l, q, k, v, sq, sk, sv, bits=(12, 12, 12), hash=h)

q: int16 [heads, rows, d] (encoder: rows = ntok, the row of token t is t;
decode: rows = 1); k, v: int16 [heads, ntok, d]; sq, sk, sv: float32 [heads]
(sv sets the unit of head importance, docs/spec.md s9).
out: int16 [heads, rows, d] in the units of v (zero where a head or token
is pruned); events: dict of counter name -> int; h: the outputs hash.
"""
import ctypes
import os

import numpy as np

API_VERSION = 2
DECODE, ENCODER = 0, 1
HASH_INIT = 0xCBF29CE484222325

_HERE = os.path.dirname(os.path.abspath(__file__))
_lib = None


class SpattnError(Exception):
    pass


def _errbuf():
    return ctypes.create_string_buffer(512)


def lib():
    """The loaded library (SPATTN_LIB, else build/libspattn.so beside python/)."""
    global _lib
    if _lib is not None:
        return _lib
    path = os.environ.get("SPATTN_LIB") or os.path.join(_HERE, "..", "build", "libspattn.so")
    L = ctypes.CDLL(os.path.abspath(path))
    c_p, c_i, c_d, c_sz = ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_size_t
    c_s = ctypes.c_char_p
    sigs = {
        "spattn_api_version": (c_i, []),
        "spattn_version": (c_s, []),
        "spattn_cfg_new": (c_p, [c_i, c_s, c_s, c_sz]),
        "spattn_cfg_free": (None, [c_p]),
        "spattn_cfg_set": (c_i, [c_p, c_s, c_d, c_s, c_sz]),
        "spattn_cfg_get": (c_i, [c_p, c_s, ctypes.POINTER(c_d)]),
        "spattn_state_new": (c_p, [c_i, c_i, c_i, c_i, c_i, c_i, c_i, c_s, c_sz]),
        "spattn_state_free": (None, [c_p]),
        "spattn_state_error": (c_s, [c_p]),
        "spattn_state_append": (c_i, [c_p]),
        "spattn_state_ntok": (c_i, [c_p]),
        "spattn_state_tokens": (c_i, [c_p, c_i, c_p]),
        "spattn_state_heads": (c_i, [c_p, c_i, c_p]),
        "spattn_state_set_tokens": (c_i, [c_p, c_i, c_p, c_i]),
        "spattn_state_set_heads": (c_i, [c_p, c_i, c_p, c_i]),
        "spattn_state_importance": (None, [c_p, c_p, c_p]),
        "spattn_state_set_importance": (c_i, [c_p, c_p, c_p]),
        "spattn_event_count": (c_i, []),
        "spattn_event_name": (c_s, [c_i]),
        "spattn_layer": (c_i, [c_p, c_p, c_i, c_p, c_p, c_p, c_p, c_p, c_p, c_i, c_i, c_i, c_p, c_p,
                               ctypes.POINTER(ctypes.c_uint64)]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(L, name)
        f.restype, f.argtypes = res, args
    if L.spattn_api_version() != API_VERSION:
        raise SpattnError(f"{path}: API version {L.spattn_api_version()}, this binding needs {API_VERSION}")
    _lib = L
    return L


def event_names():
    L = lib()
    return [L.spattn_event_name(i).decode() for i in range(L.spattn_event_count())]


def _ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


class Config:
    """A config: a YAML path (docs/config.md) or None for the built-in defaults."""

    def __init__(self, path=None, **keys):
        L, err = lib(), _errbuf()
        self._h = L.spattn_cfg_new(API_VERSION, path.encode() if path else None, err, len(err))
        if not self._h:
            raise SpattnError(err.value.decode())
        for k, v in keys.items():
            self.set(k, v)

    def set(self, key, value):
        """One numeric key by path, e.g. set("algorithm.token_keep", 0.5)."""
        err = _errbuf()
        if lib().spattn_cfg_set(self._h, key.encode(), float(value), err, len(err)):
            raise SpattnError(err.value.decode())

    def get(self, key):
        v = ctypes.c_double()
        if lib().spattn_cfg_get(self._h, key.encode(), ctypes.byref(v)):
            raise SpattnError(f"unknown config key {key}")
        return v.value

    def __del__(self):
        if getattr(self, "_h", None):
            lib().spattn_cfg_free(self._h)
            self._h = None


class State:
    """Pruning state of one model run (active tokens and heads per layer,
    token and head importances)."""

    def __init__(self, mode, layers, heads, d, ctx, cap=None):
        L, err = lib(), _errbuf()
        cap = ctx if cap is None else cap
        self.mode, self.layers, self.heads, self.d, self.cap = mode, layers, heads, d, cap
        self._h = L.spattn_state_new(API_VERSION, mode, layers, heads, d, ctx, cap, err, len(err))
        if not self._h:
            raise SpattnError(err.value.decode())

    def __del__(self):
        if getattr(self, "_h", None):
            lib().spattn_state_free(self._h)
            self._h = None

    def _check(self, rc):
        if rc < 0:
            raise SpattnError(lib().spattn_state_error(self._h).decode())
        return rc

    def append(self):
        """Decode: a new token id in every layer (start of an iteration)."""
        return self._check(lib().spattn_state_append(self._h))

    @property
    def ntok(self):
        return lib().spattn_state_ntok(self._h)

    def tokens(self, layer):
        buf = np.zeros(self.cap, np.int32)
        n = self._check(lib().spattn_state_tokens(self._h, layer, _ptr(buf)))
        return buf[:n].copy()

    def active_heads(self, layer):
        buf = np.zeros(self.heads, np.int32)
        n = self._check(lib().spattn_state_heads(self._h, layer, _ptr(buf)))
        return buf[:n].copy()

    def set_tokens(self, layer, tokens):
        a = np.ascontiguousarray(tokens, np.int32)
        self._check(lib().spattn_state_set_tokens(self._h, layer, _ptr(a), len(a)))

    def set_heads(self, layer, heads):
        a = np.ascontiguousarray(heads, np.int32)
        self._check(lib().spattn_state_set_heads(self._h, layer, _ptr(a), len(a)))

    def importance(self):
        """(token importance [cap], head importance [heads]) as uint64."""
        t, h = np.zeros(self.cap, np.uint64), np.zeros(self.heads, np.uint64)
        lib().spattn_state_importance(self._h, _ptr(t), _ptr(h))
        return t, h

    def set_importance(self, tok=None, head=None):
        t = None if tok is None else np.ascontiguousarray(tok, np.uint64)
        h = None if head is None else np.ascontiguousarray(head, np.uint64)
        self._check(lib().spattn_state_set_importance(self._h, None if t is None else _ptr(t),
                                                      None if h is None else _ptr(h)))

    def layer(self, cfg, layer, q, k, v, sq, sk, sv, bits, hash=HASH_INIT):
        """Runs one layer; returns (out, events, hash)."""
        ntok = self.ntok
        rows = ntok if self.mode == ENCODER else 1
        q = np.ascontiguousarray(q, np.int16)
        k = np.ascontiguousarray(k, np.int16)
        v = np.ascontiguousarray(v, np.int16)
        sq = np.ascontiguousarray(sq, np.float32)
        sk = np.ascontiguousarray(sk, np.float32)
        sv = np.ascontiguousarray(sv, np.float32)
        want = {"q": (q, (self.heads, rows, self.d)), "k": (k, (self.heads, ntok, self.d)),
                "v": (v, (self.heads, ntok, self.d)), "sq": (sq, (self.heads,)), "sk": (sk, (self.heads,)),
                "sv": (sv, (self.heads,))}
        for name, (a, shape) in want.items():
            if a.shape != shape:
                raise SpattnError(f"layer {layer}: {name} has shape {a.shape}, expected {shape}")
        out = np.zeros((self.heads, rows, self.d), np.int16)
        ev = np.zeros(lib().spattn_event_count(), np.uint64)
        h = ctypes.c_uint64(hash)
        self._check(lib().spattn_layer(cfg._h, self._h, layer, _ptr(q), _ptr(k), _ptr(v), _ptr(sq), _ptr(sk),
                                       _ptr(sv), int(bits[0]), int(bits[1]), int(bits[2]), _ptr(out), _ptr(ev),
                                       ctypes.byref(h)))
        return out, dict(zip(event_names(), (int(x) for x in ev))), h.value


def fnv1a64_i16(values, h=HASH_INIT):
    """FNV-1a 64 over int16 elements as little-endian bytes (docs/spec.md s13)."""
    b = np.ascontiguousarray(values, dtype="<i2").reshape(-1).view(np.uint8)
    P, M = 0x100000001B3, (1 << 64) - 1
    for x in b.tolist():
        h = ((h ^ x) * P) & M
    return h


def read_safetensors(path):
    """(tensors, metadata) of a safetensors file, numpy only (I16, F32)."""
    import json
    import struct
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    hdr = json.loads(raw[8:8 + n])
    meta = hdr.pop("__metadata__", {})
    dt = {"I16": "<i2", "F32": "<f4"}
    out = {}
    for name, t in hdr.items():
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=dt[t["dtype"]]).reshape(t["shape"])
    return out, meta
