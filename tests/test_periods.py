"""Period codes and the spellings people write (data contract, 'Periods')."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.periods import (
    PeriodError,
    parse_period,
    period_from_filename,
    period_info,
    period_label,
    previous_period,
    sort_key,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("2025-TW2", "2025-TW2", id="canonical"),
        pytest.param("TW II 2025", "2025-TW2", id="tw_roman"),
        pytest.param("Triwulan II 2025", "2025-TW2", id="triwulan_roman"),
        pytest.param("triwulan 2 2025", "2025-TW2", id="triwulan_digit"),
        pytest.param("2025-Q2", "2025-TW2", id="q"),
        pytest.param("Q4 2026", "2026-TW4", id="q_first"),
        pytest.param("TW.III 2025", "2025-TW3", id="tw_dot"),
        pytest.param("Semester I 2025", "2025-S1", id="semester_roman"),
        pytest.param("2025-S2", "2025-S2", id="semester_code"),
        pytest.param("Tahun 2025", "2025", id="tahun"),
        pytest.param(" 2025 ", "2025", id="year_spaces"),
        pytest.param("100 hari", "100-hari", id="100_hari_space"),
        pytest.param("100-Hari", "100-hari", id="100_hari_case"),
        pytest.param("100 Hari Kerja", "100-hari", id="100_hari_kerja"),
    ],
)
def test_parse_period_accepts_spellings(text, code):
    assert parse_period(text) == code


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2025-TW5", id="quarter_5"),
        pytest.param("Semester III 2025", id="semester_3"),
        pytest.param("kemarin", id="word"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param("25-TW2", id="short_year"),
    ],
)
def test_parse_period_rejects(text):
    with pytest.raises(PeriodError):
        parse_period(text)


@given(
    year=st.integers(2000, 2099),
    n=st.integers(1, 4),
    style=st.sampled_from(
        ["{y}-TW{n}", "TW {r} {y}", "Triwulan {r} {y}", "{y}-Q{n}", "q{n} {y}", "TRIWULAN {n} TAHUN {y}"]
    ),
)
def test_quarter_spellings_round_trip(year, n, style):
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}[n]
    assert parse_period(style.format(y=year, n=n, r=roman)) == f"{year}-TW{n}"


@given(st.text(max_size=30))
def test_parse_period_raises_only_period_error(text):
    try:
        code = parse_period(text)
    except PeriodError:
        return
    assert parse_period(code) == code


def test_hundred_days_window():
    info = period_info("100-hari")
    assert (info.start, info.end) == (date(2025, 2, 20), date(2025, 5, 30))
    assert (info.end - info.start).days + 1 == 100


def test_quarter_bounds_and_order():
    assert period_info("2025-TW2").end == date(2025, 6, 30)
    codes = ["2026-TW1", "2025-TW4", "100-hari", "2025-S1", "2025-TW2", "2025"]
    assert sorted(codes, key=sort_key) == ["100-hari", "2025-TW2", "2025-S1", "2025-TW4", "2025", "2026-TW1"]


@pytest.mark.parametrize(
    ("code", "previous"),
    [
        ("2026-TW1", "2025-TW4"),
        ("2025-TW3", "2025-TW2"),
        ("2026-S1", "2025-S2"),
        ("2026", "2025"),
        ("100-hari", None),
    ],
)
def test_previous_period(code, previous):
    assert previous_period(code) == previous


def test_labels():
    assert period_label("2025-TW2") == "Triwulan II 2025"
    assert period_label("2025-TW2", "en") == "Q2 2025"
    assert period_label("100-hari").startswith("100 Hari Kerja")


@pytest.mark.parametrize(
    ("name", "prefix", "code"),
    [
        ("realisasi_2025-TW2_dinkes.xlsx", "realisasi", "2025-TW2"),
        ("realisasi_2025_dinkes.xlsx", "realisasi", "2025"),
        ("realisasi_100-hari.xlsx", "realisasi", "100-hari"),
        ("laporan_rt_2026-TW1_kotabaru.xlsx", "laporan_rt", "2026-TW1"),
        ("survei_warga_2025-TW4.csv", "survei_warga", "2025-TW4"),
        ("laporan_rt_2026-TW1.xlsx", "realisasi", None),
        ("catatan.txt", "realisasi", None),
    ],
)
def test_period_from_filename(name, prefix, code):
    assert period_from_filename(name, prefix) == code
