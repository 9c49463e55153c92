"""How people type values into the templates: canonical and non-canonical but valid spellings.

Every spelling produced here is one the data contract says must be read (``data-contract.md``, "What real
submissions look like"); none of them is a defect. :class:`Messer` picks, per cell, the canonical form
with probability ``1 - rate`` and one of the variants otherwise.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

#: Indonesian month names, wide and abbreviated (CLDR ``id`` locale, as Babel prints them).
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_ID_ABBR = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")

#: Kelurahan name variants seen in the wild (``domain.md``, "Geography"); only unambiguous ones are used.
KELURAHAN_VARIANTS = {
    "Thehok": ("The Hok",),
    "Sulanjana": ("Sulan Jana",),
    "Sijenjang": ("Sijinjang",),
    "Beliung": ("Beliung Patah",),
    "Simpang III Sipin": ("Simpang Tiga Sipin",),
    "Simpang IV Sipin": ("Simpang Empat Sipin",),
    "Rawa Sari": ("Rawasari",),
}
#: Kecamatan name variants (``domain.md``: Kota Baru / "Kotabaru").
KECAMATAN_VARIANTS = {"Kota Baru": ("Kotabaru",)}

YES_VARIANTS = ("YA", "Y", "Ada", "✓", 1, "ya")
NO_VARIANTS = ("T", "Tdk", "Belum", 0, "TIDAK")


def thousands(value: int) -> str:
    """Indonesian digit grouping with dots.

    >>> thousands(12500000)
    '12.500.000'
    >>> thousands(-1500)
    '-1.500'
    """
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def decimal_id(value: float, decimals: int) -> str:
    """A decimal with a comma and Indonesian grouping, trailing zeros kept to ``decimals``.

    >>> decimal_id(85.5, 1)
    '85,5'
    >>> decimal_id(12500.25, 2)
    '12.500,25'
    >>> decimal_id(7.0, 0)
    '7'
    """
    text = f"{value:.{decimals}f}"
    whole, _, frac = text.partition(".")
    out = thousands(int(whole))
    return f"{out},{frac}" if frac else out


def juta(value: int) -> str | None:
    """``12,5 jt`` for 12.500.000 when exact with at most two decimals, else ``None``.

    >>> juta(12_500_000)
    '12,5 jt'
    >>> juta(100_000_000)
    '100 jt'
    >>> juta(12_345_678) is None
    True
    """
    if value <= 0 or value % 10_000:
        return None
    whole, rest = divmod(int(value), 1_000_000)
    if not rest:
        return f"{whole} jt"
    frac = f"{rest // 10_000:02d}".rstrip("0")
    return f"{whole},{frac} jt"


def date_text(d: date, style: str) -> str:
    """A date typed as text.

    >>> [date_text(date(2025, 6, 30), s) for s in ("slash", "dash", "long", "short")]
    ['30/06/2025', '30-06-2025', '30 Juni 2025', '30 Jun 2025']
    """
    if style == "slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "long":
        return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"
    if style == "short":
        return f"{d.day} {MONTHS_ID_ABBR[d.month - 1]} {d.year}"
    raise ValueError(f"unknown date style {style!r}")


def long_date(d: date) -> str:
    """``30 Juni 2025`` (signature blocks)."""
    return date_text(d, "long")


class Messer:
    """Render values as a person would type them; ``rate`` = share of cells in a non-canonical form."""

    def __init__(self, rng: np.random.Generator, rate: float):
        self.rng = rng
        self.rate = rate

    def _messy(self) -> bool:
        return bool(self.rng.random() < self.rate)

    def _choice(self, options: tuple | list):
        return options[int(self.rng.integers(len(options)))]

    def money(self, value: int, dash_for_zero: bool = False) -> object:
        """Rupiah: an integer, or ``Rp 12.500.000``, ``12.500.000,00``, ``12,5 jt``, ``Rp12.500.000,-``."""
        value = int(value)
        if value == 0 and dash_for_zero and self._messy():
            return "-"
        if not self._messy():
            return value
        options = [
            f"Rp {thousands(value)}",
            f"{thousands(value)},00",
            f"Rp{thousands(value)},-",
            thousands(value),
        ]
        jt = juta(value)
        if jt and value < 1_000_000_000:
            options.append(jt)
        return self._choice(options)

    def count(self, value: int, dash_for_zero: bool = False) -> object:
        """A count: an integer, or the same digits as text (``-`` for zero when the column is optional)."""
        value = int(value)
        if value == 0 and dash_for_zero and self._messy():
            return "-"
        if not self._messy():
            return value
        return thousands(value)

    def number(self, value: float, decimals: int, percent: bool = False) -> object:
        """A decimal (``85,5``) or percentage (``85%``, ``85,5 %``); integers as ``5.200``."""
        value = round(float(value), decimals)
        canonical: object = int(value) if decimals == 0 else value
        if not self._messy():
            return canonical
        text = decimal_id(value, decimals)
        if percent:
            return self._choice([f"{text}%", f"{text} %", text])
        return text

    def target(self, text: str, percent: bool = False) -> object:
        """A target as restated by an agency: the number, or ``85%``; ranges stay ``80-90``."""
        if "-" in text:
            return text
        value = int(text)
        if not self._messy():
            return value
        if percent:
            return f"{value}%"
        return thousands(value)

    def date(self, d: date | None) -> object:
        """An Excel date (a ``datetime`` cell) or ``30/06/2025``, ``30-06-2025``, ``30 Juni 2025``, ``30 Jun 2025``."""
        if d is None:
            return None
        if not self._messy():
            return datetime(d.year, d.month, d.day)
        return date_text(d, self._choice(("slash", "dash", "long", "short")))

    def yesno(self, value: bool, allow_dash: bool = True) -> object:
        """``Ya``/``Tidak`` or a variant (``YA``, ``Y``, ``Ada``, ``✓``, ``1`` / ``T``, ``Tdk``, ``Belum``, ``0``, ``-``)."""
        if not self._messy():
            return "Ya" if value else "Tidak"
        if value:
            return self._choice(YES_VARIANTS)
        return self._choice(NO_VARIANTS + (("-",) if allow_dash else ()))

    def registry_yesno(self, value: bool) -> object:
        """Yes/no in the RT registry (no ``Ada``/``Belum``/``-``: an office wrote it)."""
        if not self._messy():
            return "Ya" if value else "Tidak"
        return self._choice(("YA", "Y", "ya")) if value else self._choice(("T", "Tdk", "TIDAK"))

    def rt(self, number: int, rw: int | None) -> object:
        """``RT 014`` or ``RT 03``, ``Rt.3``, ``003``, ``3``, ``RT 003/RW 002`` (only when the RW is known)."""
        if not self._messy():
            return f"RT {number:03d}"
        options: list[object] = [f"RT {number:02d}", f"Rt.{number}", f"{number:03d}", str(number), number]
        if rw is not None:
            options.append(f"RT {number:03d}/RW {rw:03d}")
        return self._choice(options)

    def kelurahan(self, name: str) -> str:
        """The name, or in other casing/spacing, or a known variant."""
        if not self._messy():
            return name
        options = [
            name.upper(),
            name.lower(),
            f" {name} ",
            name.replace(" ", "  ") if " " in name else name + " ",
        ]
        options.extend(KELURAHAN_VARIANTS.get(name, ()))
        return self._choice(options)

    def kecamatan(self, name: str) -> str:
        """The name, or upper/lower case, or a known variant."""
        if not self._messy():
            return name
        return self._choice([name.upper(), name.lower(), *KECAMATAN_VARIANTS.get(name, ())])

    def asset(self, label: str) -> str:
        """An ``Aset Berfungsi`` label, or the same in other casing/spacing."""
        if not self._messy():
            return label
        return self._choice([label.upper(), label.lower(), label + " "])
