"""Minimal reader of R's XDR serialisation (RDX2/RDX3), enough for data frames and lists.

Used once by ``make_coinr_asem.py`` to turn COINr's example data (``.rda``) into CSV; R is not needed.
"""

import bz2
import gzip
import lzma
import struct

import numpy as np

NA_INT = -2147483648


class RObj:
    def __init__(self, type_, value, attrs=None):
        self.type, self.value, self.attrs = type_, value, attrs or {}

    def __repr__(self):
        return f"RObj({self.type}, {type(self.value).__name__}, attrs={list(self.attrs)})"


class Reader:
    def __init__(self, data):
        self.d, self.p, self.refs = data, 0, []

    def int(self):
        v = struct.unpack(">i", self.d[self.p : self.p + 4])[0]
        self.p += 4
        return v

    def bytes(self, n):
        b = self.d[self.p : self.p + n]
        self.p += n
        return b

    def length(self):
        n = self.int()
        if n == -1:
            hi, lo = self.int(), self.int()
            n = (hi << 32) + lo
        return n

    def item(self):
        flags = self.int()
        t = flags & 0xFF
        has_attr, has_tag, _levels = flags & (1 << 9), flags & (1 << 10), flags >> 12
        if t == 254:
            return None  # NILVALUE
        if t in (242, 241, 253, 251, 252, 250):
            return RObj("special", t)
        if t == 255:  # REFSXP
            idx = (flags >> 8) if (flags >> 8) else self.int()
            return self.refs[idx - 1]
        if t in (249, 248, 247):  # NAMESPACESXP / PACKAGESXP / PERSISTSXP
            o = RObj("ns", None)
            self.refs.append(o)
            self.int()
            n = self.int()
            o.value = [self.item() for _ in range(n)]
            return o
        if t == 1:  # SYMSXP
            name = self.item()
            o = RObj("sym", name)
            self.refs.append(o)
            return o
        if t == 4:  # ENVSXP
            o = RObj("env", None)
            self.refs.append(o)
            self.int()
            _enclos, frame, hashtab, attr = self.item(), self.item(), self.item(), self.item()
            o.value = {"frame": frame, "hashtab": hashtab}
            return o
        if t in (2, 3, 5, 6, 17, 239, 240):  # pairlist-like
            attrs = self.item() if (has_attr or t in (239, 240)) else None
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            return RObj("pair", (tag, car, cdr), attrs)
        if t == 9:  # CHARSXP
            n = self.int()
            return None if n == -1 else self.bytes(n).decode("utf-8", "replace")
        if t == 238:  # ALTREP
            info = self.item()
            state = self.item()
            attr = self.item()
            cls = info.value[1].value if info else None
            cls = cls.value[0] if isinstance(cls, RObj) and cls.type == "sym" else cls
            if isinstance(state, RObj) and state.type == "real" and len(state.value) == 3:
                n, start, step = state.value
                v = (start + step * np.arange(int(n))).astype(np.int64)
                return RObj("int", v, self._attrs(attr))
            if isinstance(state, RObj) and state.type == "pair":
                return state.value[1]  # wrapper / deferred string: payload
            return state
        if t in (10, 13):
            n = self.length()
            v = np.frombuffer(self.bytes(4 * n), ">i4").astype(np.int64)
            o = RObj("lgl" if t == 10 else "int", v)
        elif t == 14:
            n = self.length()
            o = RObj("real", np.frombuffer(self.bytes(8 * n), ">f8").astype(float))
        elif t == 15:
            n = self.length()
            a = np.frombuffer(self.bytes(16 * n), ">f8")
            o = RObj("cplx", a)
        elif t == 16:
            n = self.length()
            o = RObj("str", [self.item() for _ in range(n)])
        elif t in (19, 20):
            n = self.length()
            o = RObj("list", [self.item() for _ in range(n)])
        elif t == 24:
            n = self.length()
            o = RObj("raw", self.bytes(n))
        elif t == 25:
            o = RObj("s4", None)
        elif t == 21:  # BCODESXP
            raise NotImplementedError("bytecode")
        elif t in (7, 8):
            n = self.int()
            o = RObj("builtin", self.bytes(n).decode())
        elif t in (22, 23):
            o = RObj("extptr", None)
            self.refs.append(o)
            self.item()
            self.item()
        else:
            raise NotImplementedError(f"type {t} at {self.p}")
        if has_attr:
            o.attrs = self._attrs(self.item())
        return o

    def _attrs(self, pl):
        out = {}
        while isinstance(pl, RObj) and pl.type == "pair":
            tag, car, cdr = pl.value
            out[tag.value if isinstance(tag, RObj) else tag] = car
            pl = cdr
        return out


def load(path):
    """The named objects of an ``.rda`` file (bzip2, gzip, xz or uncompressed)."""
    from pathlib import Path

    raw = Path(path).read_bytes()
    if raw[:3] == b"BZh":
        raw = bz2.decompress(raw)
    elif raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    elif raw[:6] == b"\xfd7zXZ\x00":
        raw = lzma.decompress(raw)
    assert raw[:5] in (b"RDX2\n", b"RDX3\n"), raw[:5]
    r = Reader(raw[5:])
    assert r.bytes(2) == b"X\n"
    version = r.int()
    r.int()
    r.int()
    if version == 3:
        n = r.int()
        r.bytes(n)
    pl = r.item()
    return r._attrs(pl)


def to_py(o):
    """R object -> pandas DataFrame / dict / list / numpy."""
    import pandas as pd

    if o is None:
        return None
    if not isinstance(o, RObj):
        return o
    cls = o.attrs.get("class")
    cls = cls.value if isinstance(cls, RObj) else []
    if o.type == "list":
        names = o.attrs.get("names")
        names = names.value if names else None
        items = [to_py(v) for v in o.value]
        if "data.frame" in cls:
            return pd.DataFrame({n: v for n, v in zip(names, items, strict=False)})
        return dict(zip(names, items, strict=False)) if names else items
    if o.type in ("int", "lgl", "real", "str"):
        v = o.value
        if o.type in ("int", "lgl"):
            levels = o.attrs.get("levels")
            if levels is not None:
                lv = levels.value
                return [None if x == NA_INT else lv[x - 1] for x in v]
            v = np.where(v == NA_INT, np.nan, v).astype(float) if (v == NA_INT).any() else v
            if o.type == "lgl":
                return [None if (isinstance(x, float) and np.isnan(x)) else bool(x) for x in v]
        if o.type == "real" or o.type in ("int",):
            dim = o.attrs.get("dim")
            if dim is not None:
                d = dim.value
                return np.asarray(v).reshape(tuple(int(x) for x in d[::-1])).T
        return list(v) if o.type == "str" else np.asarray(v)
    return o
