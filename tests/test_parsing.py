"""Tests of analysis.ingest.parsing: tables of the messy spellings (data contract) and property tests."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import math
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.cleaning import PARSER_BY_KIND
from analysis.ingest.contract import ASSET_STATUS
from analysis.ingest.dates import EXCEL_EPOCH, EXCEL_TEXT_SERIAL_RANGE, WEEKDAYS, parse_date
from analysis.ingest.names import match_kecamatan, match_kelurahan
from analysis.ingest.parsing import (
    ASSET_STATUS_VARIANTS,
    COUNT_UNITS,
    NO_VALUES,
    YES_VALUES,
    ParseError,
    normalise_text,
    parse_asset_status,
    parse_int,
    parse_money,
    parse_number,
    parse_percent,
    parse_rt,
    parse_rw,
    parse_target,
    parse_yes_no,
)

REAL_STRINGS = Path(__file__).parent / "data" / "real_strings.csv"

PROPERTY = settings(max_examples=60, deadline=None)
BLANKS = [
    pytest.param(None, id="none"),
    pytest.param(float("nan"), id="nan"),
    pytest.param(np.float64("nan"), id="np_nan"),
    pytest.param(pd.NA, id="pd_na"),
    pytest.param(pd.NaT, id="nat"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="spaces"),
]


# ---------------------------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("12.500.000", 12_500_000.0, id="dot_thousands"),
        pytest.param("12.500.000,00", 12_500_000.0, id="dot_thousands_comma_cents"),
        pytest.param("12,5", 12.5, id="decimal_comma"),
        pytest.param("1.234,5", 1234.5, id="thousands_and_decimal"),
        pytest.param("12.500", 12_500.0, id="single_dot_three_digits_is_thousands"),
        pytest.param("12.5", 12.5, id="text_single_dot_one_digit_is_decimal"),
        pytest.param("85.75", 85.75, id="text_single_dot_two_digits_is_decimal"),
        pytest.param("1234.500", 1234.5, id="four_digits_before_dot_is_decimal"),
        pytest.param("1,250", 1.25, id="single_comma_is_decimal"),
        pytest.param("1,250,000", 1_250_000.0, id="english_grouping"),
        pytest.param("1,234.5", 1234.5, id="english_grouping_decimal"),
        pytest.param("12 500 000", 12_500_000.0, id="space_grouping"),
        pytest.param("12\u00a0500\u00a0000", 12_500_000.0, id="nbsp_grouping"),
        pytest.param(" 7 ", 7.0, id="padded"),
        pytest.param("-5", -5.0, id="negative"),
        pytest.param("−5", -5.0, id="unicode_minus"),
        pytest.param("(5.000)", -5000.0, id="accounting_negative"),
        pytest.param("+5", 5.0, id="plus"),
        pytest.param("1.5E+07", 15_000_000.0, id="scientific_from_csv"),
        pytest.param(12.5, 12.5, id="excel_float_stays"),
        pytest.param(12, 12.0, id="excel_int"),
        pytest.param(np.int64(7), 7.0, id="numpy_int"),
        pytest.param(np.float32(0.5), 0.5, id="numpy_float32"),
        pytest.param("-", None, id="dash_is_none"),
        pytest.param("–", None, id="en_dash_is_none"),
    ],
)
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("abc", id="word"),
        pytest.param("1.000.000.0", id="bad_last_group"),
        pytest.param("12.50.000", id="bad_middle_group"),
        pytest.param("12.", id="trailing_dot"),
        pytest.param(",5", id="leading_comma"),
        pytest.param("1 2", id="two_numbers"),
        pytest.param("(5", id="unbalanced_bracket"),
        pytest.param("-(5)", id="double_negative"),
        pytest.param(True, id="bool"),
        pytest.param(float("inf"), id="infinite"),
        pytest.param(dt.date(2025, 1, 1), id="date"),
    ],
)
def test_parse_number_rejects(raw):
    with pytest.raises(ParseError, match="not a number"):
        parse_number(raw)


@pytest.mark.parametrize("raw", BLANKS)
def test_blank_is_none_for_every_parser(raw):
    for kind, parser in PARSER_BY_KIND.items():
        expected = "" if kind == "text" else None
        assert parser(raw) == expected, kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("12", 12, id="plain"),
        pytest.param("12.0", 12, id="text_point_zero"),
        pytest.param(12.0, 12, id="excel_float"),
        pytest.param("12,0", 12, id="comma_zero"),
        pytest.param("1.250", 1250, id="thousands"),
        pytest.param("1.250.000", 1_250_000, id="millions"),
        pytest.param("-3", -3, id="negative_parsed"),
        pytest.param("-", None, id="dash"),
    ],
)
def test_parse_int(raw, expected):
    result = parse_int(raw)
    assert result == expected
    assert result is None or type(result) is int


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("12,5", id="decimal_comma"),
        pytest.param(12.5, id="excel_fraction"),
        pytest.param("1,250", id="ambiguous_comma"),
        pytest.param("dua belas", id="words"),
    ],
)
def test_parse_int_rejects(raw):
    with pytest.raises(ParseError, match="not a whole number"):
        parse_int(raw)


# ---------------------------------------------------------------------------------------------------- money
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Rp 12.500.000", 12_500_000.0, id="rp_space"),
        pytest.param("Rp12.500.000,-", 12_500_000.0, id="rp_comma_dash"),
        pytest.param("Rp12.500.000.-", 12_500_000.0, id="rp_dot_dash"),
        pytest.param("12.500.000,00", 12_500_000.0, id="cents"),
        pytest.param("12,5 jt", 12_500_000.0, id="jt"),
        pytest.param("12,5jt", 12_500_000.0, id="jt_glued"),
        pytest.param("12,5 juta", 12_500_000.0, id="juta"),
        pytest.param("Rp 12,5 Juta", 12_500_000.0, id="rp_juta"),
        pytest.param("1,2 M", 1_200_000_000.0, id="m_is_miliar"),
        pytest.param("1,2 miliar", 1_200_000_000.0, id="miliar"),
        pytest.param("1,2 milyar", 1_200_000_000.0, id="milyar"),
        pytest.param("500 rb", 500_000.0, id="rb"),
        pytest.param("500 ribu", 500_000.0, id="ribu"),
        pytest.param("50k", 50_000.0, id="k"),
        pytest.param("1.5 jt", 1_500_000.0, id="dot_decimal_with_scale"),
        pytest.param("Rp. 5.000", 5000.0, id="rp_dot"),
        pytest.param("IDR 5000", 5000.0, id="idr"),
        pytest.param("5.000 rupiah", 5000.0, id="rupiah_word"),
        pytest.param("Rp 12,500", 12_500.0, id="comma_three_digits_is_thousands_in_money"),
        pytest.param("Rp 1.500.000,50", 1_500_000.5, id="sen"),
        pytest.param("-5.000.000", -5_000_000.0, id="negative"),
        pytest.param("Rp -5.000", -5000.0, id="rp_negative"),
        pytest.param("-Rp 5.000", -5000.0, id="negative_rp"),
        pytest.param("(5.000)", -5000.0, id="accounting"),
        pytest.param("Rp 0", 0.0, id="zero"),
        pytest.param(1_500_000, 1_500_000.0, id="excel_int"),
        pytest.param(1_500_000.0, 1_500_000.0, id="excel_float"),
        pytest.param("-", None, id="dash"),
        pytest.param("--", None, id="double_dash"),
    ],
)
def test_parse_money(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("dua juta", id="words"),
        pytest.param("Rp", id="currency_only"),
        pytest.param("1.000.000.0", id="bad_grouping"),
        pytest.param("Rp 5.000 / bulan", id="trailing_text"),
        pytest.param("5rp000", id="currency_inside"),
        pytest.param("5 jt 500 rb", id="compound"),
        pytest.param("-Rp -5.000", id="two_minus"),
        pytest.param("kurang lebih 5 juta", id="approximate"),
    ],
)
def test_parse_money_rejects(raw):
    with pytest.raises(ParseError, match=re.escape(f"not a Rupiah amount: {raw!r}")):
        parse_money(raw)


# ---------------------------------------------------------------------------------------------------- percent, target
@pytest.mark.parametrize(
    ("raw", "is_percent_format", "expected"),
    [
        pytest.param("85%", False, 85.0, id="percent_sign"),
        pytest.param("85,5 %", False, 85.5, id="comma_space_percent"),
        pytest.param("85 persen", False, 85.0, id="persen"),
        pytest.param("85", False, 85.0, id="text_points"),
        pytest.param(85, False, 85.0, id="numeric_points"),
        pytest.param(0.855, True, 85.5, id="excel_percent_cell"),
        pytest.param(1.2, True, 120.0, id="excel_percent_over_100"),
        pytest.param(0.855, False, 0.855, id="plain_cell_no_guessing"),
        pytest.param("85%", True, 85.0, id="text_ignores_format_flag"),
        pytest.param("-", False, None, id="dash"),
    ],
)
def test_parse_percent(raw, is_percent_format, expected):
    assert parse_percent(raw, is_percent_format=is_percent_format) == expected


def test_parse_percent_rejects():
    with pytest.raises(ParseError, match="not a percentage: 'banyak'"):
        parse_percent("banyak")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("7", (7.0, 7.0), id="point"),
        pytest.param("7,5", (7.5, 7.5), id="point_decimal"),
        pytest.param(90, (90.0, 90.0), id="numeric"),
        pytest.param("80-90", (80.0, 90.0), id="dash"),
        pytest.param("80 – 90", (80.0, 90.0), id="en_dash"),
        pytest.param("80—90", (80.0, 90.0), id="em_dash"),
        pytest.param("80 s.d. 90", (80.0, 90.0), id="sd_dots"),
        pytest.param("80 s/d 90", (80.0, 90.0), id="sd_slash"),
        pytest.param("80 sd 90", (80.0, 90.0), id="sd"),
        pytest.param("80 sampai 90", (80.0, 90.0), id="sampai"),
        pytest.param("80 sampai dengan 90", (80.0, 90.0), id="sampai_dengan"),
        pytest.param("80%-90%", (80.0, 90.0), id="percent_both"),
        pytest.param("80 - 90 %", (80.0, 90.0), id="percent_end"),
        pytest.param("1.000-2.000", (1000.0, 2000.0), id="thousands"),
        pytest.param("7,5-8,5", (7.5, 8.5), id="decimals"),
        pytest.param("85%", (85.0, 85.0), id="percent_point"),
        pytest.param("90-90", (90.0, 90.0), id="equal_ends"),
    ],
)
def test_parse_target(raw, expected):
    assert parse_target(raw) == expected


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        pytest.param("90-80", "low end above high end", id="reversed"),
        pytest.param("abc", "", id="word"),
        pytest.param("80 - ", "", id="open_range"),
        pytest.param("80-90-100", "", id="three_parts"),
    ],
)
def test_parse_target_rejects(raw, detail):
    with pytest.raises(ParseError, match="not a target") as err:
        parse_target(raw)
    assert detail in str(err.value)


# ---------------------------------------------------------------------------------------------------- dates
JUNE_30 = dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(dt.datetime(2025, 6, 30, 14, 5), JUNE_30, id="excel_datetime"),
        pytest.param(pd.Timestamp("2025-06-30"), JUNE_30, id="timestamp"),
        pytest.param(np.datetime64("2025-06-30"), JUNE_30, id="numpy_datetime"),
        pytest.param(JUNE_30, JUNE_30, id="date"),
        pytest.param(45838, JUNE_30, id="excel_serial"),
        pytest.param(45838.6, JUNE_30, id="excel_serial_with_time"),
        pytest.param("30/06/2025", JUNE_30, id="slash"),
        pytest.param("30-06-2025", JUNE_30, id="dash"),
        pytest.param("30.06.2025", JUNE_30, id="dot"),
        pytest.param("30/6/2025", JUNE_30, id="one_digit_month"),
        pytest.param("30/06/25", JUNE_30, id="two_digit_year"),
        pytest.param("2025-06-30", JUNE_30, id="iso"),
        pytest.param("2025-06-30 00:00:00", JUNE_30, id="iso_with_time"),
        pytest.param("30 Juni 2025", JUNE_30, id="juni"),
        pytest.param("30 Jun 2025", JUNE_30, id="jun"),
        pytest.param("30 Juni, 2025", JUNE_30, id="juni_comma"),
        pytest.param("30-Jun-2025", JUNE_30, id="excel_text_style"),
        pytest.param("30 JUNI 2025", JUNE_30, id="upper"),
        pytest.param("Senin, 30 Juni 2025", JUNE_30, id="weekday"),
        pytest.param("Tanggal 30 Juni 2025", JUNE_30, id="tanggal"),
        pytest.param("30 June 2025", JUNE_30, id="english"),
        pytest.param("June 30, 2025", JUNE_30, id="english_month_first"),
        pytest.param("17 Agustus 2025", dt.date(2025, 8, 17), id="agustus"),
        pytest.param("17 Agu 2025", dt.date(2025, 8, 17), id="agu"),
        pytest.param("17 Agt 2025", dt.date(2025, 8, 17), id="agt"),
        pytest.param("17 Ags 2025", dt.date(2025, 8, 17), id="ags"),
        pytest.param("17 Agt. 2025", dt.date(2025, 8, 17), id="abbrev_dot"),
        pytest.param("1 Mei 2025", dt.date(2025, 5, 1), id="mei"),
        pytest.param("1 Okt 2025", dt.date(2025, 10, 1), id="okt"),
        pytest.param("1 Des 2025", dt.date(2025, 12, 1), id="des"),
        pytest.param("1 Pebruari 2025", dt.date(2025, 2, 1), id="pebruari_old_spelling"),
        pytest.param("1 Nopember 2025", dt.date(2025, 11, 1), id="nopember_old_spelling"),
        pytest.param("-", None, id="dash"),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("31/02/2025", id="february_31"),
        pytest.param("29/02/2025", id="not_a_leap_year"),
        pytest.param("06/30/2025", id="month_first"),
        pytest.param("30 Jani 2025", id="unknown_month"),
        pytest.param("30 Juni", id="no_year"),
        pytest.param("abc", id="word"),
        pytest.param(2025, id="year_as_serial"),
        pytest.param(True, id="bool"),
        pytest.param("Jambi, 30 Juni 2025", id="signature_line"),
        pytest.param("30/06-2025", id="mixed_separators"),
    ],
)
def test_parse_date_rejects(raw):
    with pytest.raises(ParseError, match="not a date"):
        parse_date(raw)


def test_parse_date_invalid_day_message():
    with pytest.raises(ParseError) as err:
        parse_date("31/02/2025")
    assert str(err.value) == "not a date: '31/02/2025' (day is out of range for month)"


# ---------------------------------------------------------------------------------------------------- yes/no, asset
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *(
            pytest.param(v, True, id=f"yes_{v}")
            for v in ["Ya", "YA", "ya", "Y", "Ada", "✓", "√", "1", "True", "Ya.", " ya ", "Sudah", "V"]
        ),
        *(
            pytest.param(v, False, id=f"no_{v}")
            for v in ["Tidak", "TIDAK", "T", "Tdk", "Belum", "0", "-", "Tidak Ada", "tidak  ada", "False"]
        ),
        pytest.param(1, True, id="excel_1"),
        pytest.param(1.0, True, id="excel_1_float"),
        pytest.param(0, False, id="excel_0"),
        pytest.param(True, True, id="excel_true"),
        pytest.param(False, False, id="excel_false"),
    ],
)
def test_parse_yes_no(raw, expected):
    assert parse_yes_no(raw) is expected


@pytest.mark.parametrize("raw", ["x", "mungkin", "2", 2, 0.5, "Ya/Tidak"])
def test_parse_yes_no_rejects(raw):
    with pytest.raises(ParseError, match="not Ya/Tidak"):
        parse_yes_no(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *(pytest.param(k, v, id=f"template_{v}") for k, v in ASSET_STATUS.items()),
        *(pytest.param(v, v, id=f"code_{v}") for v in ASSET_STATUS.values()),
        pytest.param("berfungsi penuh", "berfungsi_penuh", id="lower"),
        pytest.param("BERFUNGSI PENUH", "berfungsi_penuh", id="upper"),
        pytest.param("Berfungsi", "berfungsi_penuh", id="berfungsi"),
        pytest.param("Berfungsi baik", "berfungsi_penuh", id="berfungsi_baik"),
        pytest.param("sebagian berfungsi", "sebagian", id="sebagian_berfungsi"),
        pytest.param("Berfungsi sebagian", "sebagian", id="berfungsi_sebagian"),
        pytest.param("Rusak ringan", "sebagian", id="rusak_ringan"),
        pytest.param("rusak", "tidak_berfungsi", id="rusak"),
        pytest.param("Rusak berat", "tidak_berfungsi", id="rusak_berat"),
        pytest.param("Tdk berfungsi", "tidak_berfungsi", id="tdk"),
        pytest.param("Belum", "belum_ada", id="belum"),
        pytest.param("Tidak ada", "belum_ada", id="tidak_ada"),
        pytest.param("Belum ada.", "belum_ada", id="trailing_dot"),
        pytest.param("-", None, id="dash_unknown"),
    ],
)
def test_parse_asset_status(raw, expected):
    assert parse_asset_status(raw) == expected


def test_parse_asset_status_rejects():
    with pytest.raises(ParseError, match="not an asset status .*'bagus sekali'"):
        parse_asset_status("bagus sekali")


# ---------------------------------------------------------------------------------------------------- RT / RW
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("RT 03", (3, None), id="rt_space"),
        pytest.param("Rt.3", (3, None), id="rt_dot"),
        pytest.param("RT-03", (3, None), id="rt_dash"),
        pytest.param("RT: 14", (14, None), id="rt_colon"),
        pytest.param("003", (3, None), id="zero_padded"),
        pytest.param("3", (3, None), id="plain"),
        pytest.param(3, (3, None), id="excel_int"),
        pytest.param(3.0, (3, None), id="excel_float"),
        pytest.param("3.0", (3, None), id="csv_float"),
        pytest.param("RT 003/RW 002", (3, 2), id="rt_rw_slash"),
        pytest.param("RT.03 RW.02", (3, 2), id="rt_rw_dots"),
        pytest.param("RT 03 / RW 02", (3, 2), id="spaced_slash"),
        pytest.param("RT 3, RW 2", (3, 2), id="comma"),
        pytest.param("RT3RW2", (3, 2), id="glued"),
        pytest.param("03/02", (3, 2), id="bare_pair"),
        pytest.param("RW 02 RT 03", (3, 2), id="rw_first"),
        pytest.param("RT 999", (999, None), id="max"),
    ],
)
def test_parse_rt(raw, expected):
    assert parse_rt(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("RT 0", "1-999", id="zero"),
        pytest.param("RT 1000", "1-999", id="too_big"),
        pytest.param("RT 3/RW 0", "RW number 1-999", id="rw_zero"),
        pytest.param("abc", "not an RT number", id="word"),
        pytest.param(3.5, "not an RT number", id="fraction"),
        pytest.param("RT 3 Kel. Legok", "not an RT number", id="trailing_text"),
        pytest.param(-3, "1-999", id="negative"),
    ],
)
def test_parse_rt_rejects(raw, message):
    with pytest.raises(ParseError, match=message):
        parse_rt(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("RW 02", 2, id="rw_space"),
        pytest.param("Rw.2", 2, id="rw_dot"),
        pytest.param("002", 2, id="padded"),
        pytest.param(2, 2, id="excel"),
        pytest.param("-", None, id="dash"),
    ],
)
def test_parse_rw(raw, expected):
    assert parse_rw(raw) == expected


@pytest.mark.parametrize("raw", ["RW 0", "RT 2", "dua", 2.5])
def test_parse_rw_rejects(raw):
    with pytest.raises(ParseError, match="RW number"):
        parse_rw(raw)


# ---------------------------------------------------------------------------------------------------- text
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("  a   b ", "a b", id="collapse"),
        pytest.param("a\n\tb", "a b", id="newline_tab"),
        pytest.param("a\u00a0b", "a b", id="nbsp"),
        pytest.param(14.0, "14", id="whole_float"),
        pytest.param(14.5, "14.5", id="float"),
        pytest.param("<script>x</script>", "<script>x</script>", id="html_kept"),
        pytest.param(None, "", id="none"),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


# ---------------------------------------------------------------------------------------------------- properties
def _dot_grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


amounts = st.integers(min_value=0, max_value=10**13)
cents = st.integers(min_value=0, max_value=10**13)


@PROPERTY
@given(n=amounts, style=st.sampled_from(["plain", "dots", "dots_cents", "babel", "spaces"]))
def test_property_parse_number_integers(n, style):
    text = {
        "plain": str(n),
        "dots": _dot_grouped(n),
        "dots_cents": _dot_grouped(n) + ",00",
        "babel": format_decimal(n, locale="id_ID"),
        "spaces": f"{n:,}".replace(",", " "),
    }[style]
    assert parse_number(text) == float(n)
    assert parse_int(text) == n


@PROPERTY
@given(c=cents)
def test_property_parse_number_decimals(c):
    text = f"{_dot_grouped(c // 100)},{c % 100:02d}"
    assert parse_number(text) == float(Decimal(c) / 100)


@PROPERTY
@given(x=st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_property_numeric_cells_pass_through(x):
    assert parse_number(x) == x
    assert parse_money(x) == x


@PROPERTY
@given(
    n=amounts,
    negative=st.booleans(),
    style=st.sampled_from(
        ["rp", "rp_space", "rp_dash", "rp_dot", "idr", "cents", "babel", "lokal", "rupiah"]
    ),
)
def test_property_parse_money_round_trip(n, negative, style):
    from lokal import format_rupiah

    text = {
        "rp": f"Rp{_dot_grouped(n)}",
        "rp_space": f"Rp {_dot_grouped(n)}",
        "rp_dash": f"Rp{_dot_grouped(n)},-",
        "rp_dot": f"Rp. {_dot_grouped(n)}",
        "idr": f"IDR {n}",
        "cents": f"{_dot_grouped(n)},00",
        "babel": format_currency(n, "IDR", locale="id_ID"),
        "lokal": format_rupiah(n),
        "rupiah": f"{_dot_grouped(n)} rupiah",
    }[style]
    if negative:
        text = "-" + text
    assert parse_money(text) == (-n if negative else n)


@PROPERTY
@given(
    whole=st.integers(min_value=0, max_value=999),
    tenth=st.integers(min_value=0, max_value=9),
    scale=st.sampled_from(
        [("rb", 10**3), ("ribu", 10**3), ("jt", 10**6), ("juta", 10**6), ("M", 10**9), ("miliar", 10**9)]
    ),
    space=st.sampled_from(["", " "]),
)
def test_property_parse_money_scale_words(whole, tenth, scale, space):
    word, factor = scale
    assert parse_money(f"{whole},{tenth}{space}{word}") == float(Decimal(f"{whole}.{tenth}") * factor)


@PROPERTY
@given(
    c=st.integers(min_value=0, max_value=100_000),
    style=st.sampled_from(["{v}%", "{v} %", "{v}", "{v} persen"]),
)
def test_property_parse_percent(c, style):
    value = Decimal(c) / 10
    text = style.format(v=str(value).replace(".", ","))
    assert parse_percent(text) == float(value)


@PROPERTY
@given(f=st.integers(min_value=0, max_value=2000))
def test_property_parse_percent_excel_format(f):
    fraction = f / 1000  # what Excel stores for a percent cell
    assert parse_percent(fraction, is_percent_format=True) == float(Decimal(f) / 10)


@PROPERTY
@given(
    low=st.integers(min_value=0, max_value=10_000),
    span=st.integers(min_value=0, max_value=10_000),
    sep=st.sampled_from(["-", " - ", "–", " – ", " s.d. ", " s/d ", " sampai "]),
    pct=st.sampled_from(["", "%"]),
)
def test_property_parse_target_ranges(low, span, sep, pct):
    high = low + span
    text = f"{_dot_grouped(low)}{pct}{sep}{_dot_grouped(high)}{pct}"
    assert parse_target(text) == (float(low), float(high))
    if span:
        with pytest.raises(ParseError, match="low end above high end"):
            parse_target(f"{_dot_grouped(high)}{sep}{_dot_grouped(low)}")


_ID_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember"]  # fmt: skip
_ID_ABBREV = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des"]


@PROPERTY
@given(
    day=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)),
    style=st.sampled_from(
        [
            "d/m/Y",
            "d-m-Y",
            "d.m.Y",
            "Y-m-d",
            "id_long",
            "id_abbrev",
            "id_comma",
            "en_long",
            "en_us",
            "serial",
            "dt",
        ]
    ),
)
def test_property_parse_date_round_trip(day, style):
    if style == "serial":
        raw: object = (day - EXCEL_EPOCH).days
    elif style == "dt":
        raw = dt.datetime.combine(day, dt.time(13, 30))
    else:
        raw = {
            "d/m/Y": f"{day.day:02d}/{day.month:02d}/{day.year}",
            "d-m-Y": f"{day.day}-{day.month}-{day.year}",
            "d.m.Y": f"{day.day:02d}.{day.month:02d}.{day.year}",
            "Y-m-d": day.isoformat(),
            "id_long": f"{day.day} {_ID_MONTHS[day.month - 1]} {day.year}",
            "id_abbrev": f"{day.day} {_ID_ABBREV[day.month - 1]} {day.year}",
            "id_comma": f"{day.day} {_ID_MONTHS[day.month - 1]}, {day.year}",
            "en_long": day.strftime("%d %B %Y"),
            "en_us": day.strftime("%B %d, %Y"),
        }[style]
    assert parse_date(raw) == day


@PROPERTY
@given(
    rt=st.integers(min_value=1, max_value=999),
    rw=st.one_of(st.none(), st.integers(min_value=1, max_value=999)),
    rt_word=st.sampled_from(["RT ", "Rt.", "RT.", "rt", "RT-", "", "RT : "]),
    rw_word=st.sampled_from(["RW ", "Rw.", "RW.", "rw", ""]),
    pad=st.sampled_from([1, 2, 3]),
    sep=st.sampled_from(["/", " / ", " ", ", "]),
)
def test_property_parse_rt_round_trip(rt, rw, rt_word, rw_word, pad, sep):
    text = f"{rt_word}{rt:0{pad}d}"
    if rw is not None:
        text += f"{sep}{rw_word}{rw:0{pad}d}"
    assert parse_rt(text) == (rt, rw)
    if rw is not None:
        assert parse_rw(f"{rw_word}{rw:0{pad}d}") == rw


ANY_CELL = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.,-–/ %RrTtWwPpJjMmKkSsDdaAyYgG()+:", max_size=20),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
)


@PROPERTY
@given(value=ANY_CELL)
def test_property_parsers_raise_only_parse_error(value):
    for kind, parser in PARSER_BY_KIND.items():
        try:
            parser(value)
        except ParseError:
            pass
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{kind} parser raised {type(exc).__name__} on {value!r}: {exc}")
    for matcher in (match_kelurahan, match_kecamatan):
        with contextlib.suppress(ParseError):
            matcher(value)


@PROPERTY
@given(value=st.text(max_size=30))
def test_property_parse_error_names_the_value(value):
    try:
        parse_money(value)
    except ParseError as err:
        assert repr(value) in str(err)
        assert err.value == value


@PROPERTY
@given(data=st.data(), value=st.sampled_from(sorted(YES_VALUES | NO_VALUES)))
def test_property_yes_no_any_case_and_padding(data, value):
    text = data.draw(st.sampled_from([" ", "  ", "\t"])).join(value.split())
    padded = data.draw(st.sampled_from(["{}", " {} ", "{}.", "\u00a0{}"])).format(text.upper())
    assert parse_yes_no(padded) is (value in YES_VALUES)


@PROPERTY
@given(data=st.data(), item=st.sampled_from(sorted(ASSET_STATUS_VARIANTS.items())))
def test_property_asset_status_any_case_and_spacing(data, item):
    spelling, code = item
    words = spelling.replace("_", " ").split()
    flips = data.draw(st.lists(st.booleans(), min_size=len(words), max_size=len(words)))
    text = "  ".join(w.upper() if f else w.title() for w, f in zip(words, flips, strict=True))
    assert parse_asset_status(f" {text} ") == code


@PROPERTY
@given(text=st.text(max_size=40))
def test_property_normalise_text_is_idempotent_and_tidy(text):
    out = normalise_text(text)
    assert normalise_text(out) == out
    assert out == out.strip()
    assert "  " not in out and "\n" not in out


# ---------------------------------------------------------------------------------------------------- issue 10
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("47 KK", 47, id="kk"),
        pytest.param("235 jiwa", 235, id="jiwa"),
        pytest.param("5 kali", 5, id="kali"),
        pytest.param("12 orang", 12, id="orang"),
        pytest.param("12Orang.", 12, id="no_space_dot"),
        pytest.param("1.250 Jiwa", 1250, id="grouped_with_unit"),
        pytest.param("3 Kepala  Keluarga", 3, id="two_word_unit"),
        pytest.param("\u00a012\u202fKK", 12, id="nbsp_and_narrow_nbsp"),
        pytest.param("+12", 12, id="leading_plus"),
        pytest.param("1\u2009250", 1250, id="thin_space_grouping"),
        pytest.param("12\u200b", 12, id="zero_width_space"),
    ],
)
def test_parse_int_counts_with_units(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("12 ekor", "unit 'ekor' is not one of kk, ", id="unknown_unit"),
        pytest.param("12 KK lebih", "unit 'kk lebih' is not one of", id="unit_then_word"),
        pytest.param("KK", "not a whole number: 'KK'", id="unit_alone"),
        pytest.param("2,5 kali", "not a whole number", id="fraction_with_unit"),
        pytest.param("3,000.000 jiwa", "ambiguous", id="ambiguous_with_unit"),
    ],
)
def test_parse_int_rejects_other_words(raw, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_int(raw)


def test_count_units_are_lower_case_and_unique():
    assert all(u == u.lower().strip() for u in COUNT_UNITS)
    assert len(set(COUNT_UNITS)) == len(COUNT_UNITS)


@pytest.mark.parametrize(
    ("raw", "readings"),
    [
        pytest.param("3,000.000", ("3000 if '.' is the decimal point", "3000000 if both"), id="issue_3000"),
        pytest.param("12,500.000", ("12500 if '.'", "12500000 if both"), id="issue_12500"),
        pytest.param("Rp 12,500.000", ("12500 if '.'", "12.500.000"), id="with_rp"),
        pytest.param(
            "1.234,567", ("1234.567 if ','", "1234567 if both", "1,234,567"), id="id_three_decimals"
        ),
        pytest.param("-1,000.000", ("1000 if '.'",), id="negative"),
    ],
)
def test_ambiguous_mixed_marks_are_rejected_with_both_readings(raw, readings):
    parsers = (parse_money,) if raw.startswith("Rp") else (parse_money, parse_number, parse_percent)
    for parser in parsers:
        with pytest.raises(ParseError, match="ambiguous") as err:
            parser(raw)
        for reading in readings:
            assert reading in str(err.value)
        assert err.value.value == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Rp 1.500.000,00", 1_500_000.0, id="id_cents"),
        pytest.param("1,234.56", 1234.56, id="en_cents"),
        pytest.param("1,234.5", 1234.5, id="en_one_decimal"),
        pytest.param("1.234,5678", 1234.5678, id="id_four_decimals"),
        pytest.param("+Rp 5.000", 5000.0, id="plus_rp"),
        pytest.param("Rp\u00a05.000", 5000.0, id="nbsp_after_rp"),
        pytest.param("Rp\u202f1\u202f250\u202f000", 1_250_000.0, id="narrow_nbsp_grouping"),
    ],
)
def test_unambiguous_mixed_and_spaced_amounts_still_parse(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("30/06/2025 14:00", dt.date(2025, 6, 30), id="dmy_time"),
        pytest.param("2025-06-30 14.00.00", dt.date(2025, 6, 30), id="iso_dotted_time"),
        pytest.param("2025-06-30T14:00:00+07:00", dt.date(2025, 6, 30), id="iso_t_offset"),
        pytest.param("30 Juni 2025 pukul 10.00", dt.date(2025, 6, 30), id="pukul"),
        pytest.param("30 Juni 2025 jam 9:30 WIB", dt.date(2025, 6, 30), id="jam_wib"),
        pytest.param("30/6/2025, 12.13", dt.date(2025, 6, 30), id="comma_time"),
        pytest.param("30.06.25", dt.date(2025, 6, 30), id="dotted_two_digit_year_is_not_a_time"),
        pytest.param("Senin, 30 Juni 2025", dt.date(2025, 6, 30), id="weekday_long"),
        pytest.param("Sen, 30 Jun 2025", dt.date(2025, 6, 30), id="weekday_short"),
        pytest.param("Kamis 3 Juli 2025", dt.date(2025, 7, 3), id="weekday_no_comma"),
        pytest.param("Jum'at, 4 Juli 2025", dt.date(2025, 7, 4), id="jumat_apostrophe"),
        pytest.param("Hari Senin, tanggal 30 Juni 2025", dt.date(2025, 6, 30), id="hari_tanggal"),
        pytest.param("Minggu, 29 Juni 2025 pukul 08.00", dt.date(2025, 6, 29), id="weekday_and_time"),
        pytest.param("45838", dt.date(2025, 6, 30), id="serial_text"),
        pytest.param("45838.0", dt.date(2025, 6, 30), id="serial_text_float"),
        pytest.param("\u00a045838 ", dt.date(2025, 6, 30), id="serial_text_padded"),
    ],
)
def test_parse_date_time_weekday_serial(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("Senin, 1 Juli 2025", "2025-07-01 is a Selasa, not Senin", id="weekday_disagrees"),
        pytest.param("Sab, 30 Jun 2025", "is a Senin, not Sab", id="short_weekday_disagrees"),
        pytest.param("30/06/2025 25:00", "time '25:00' out of range", id="hour"),
        pytest.param("30/06/2025 14:60", "out of range", id="minute"),
        pytest.param("12345", "outside the Excel date range 2000-2100", id="serial_before_2000"),
        pytest.param("99999", "outside the Excel date range", id="serial_after_2100"),
    ],
)
def test_parse_date_rejects_with_reason(raw, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_date(raw)


def test_every_weekday_name_is_checked():
    monday = dt.date(2025, 6, 30)
    for name, weekday in WEEKDAYS.items():
        day = monday + dt.timedelta(days=weekday)
        assert parse_date(f"{name}, {day.day:02d}/{day.month:02d}/{day.year}") == day
        wrong = day + dt.timedelta(days=1)
        with pytest.raises(ParseError, match="not"):
            parse_date(f"{name}, {wrong.day:02d}/{wrong.month:02d}/{wrong.year}")


def _real_strings() -> list[dict]:
    with REAL_STRINGS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_real_strings_file_is_complete():
    rows = _real_strings()
    assert len(rows) >= 150
    assert {r["kind"] for r in rows} <= {"money", "number", "date", "percent"}
    assert all(r["source"].strip() and " " in r["source"] for r in rows)  # "owner/repo path"
    assert len({(r["text"], r["kind"]) for r in rows}) == len(rows)


@pytest.mark.parametrize("row", _real_strings(), ids=lambda r: f"{r['kind']}:{r['text']}")
def test_real_strings(row):
    parser = {"money": parse_money, "number": parse_number, "date": parse_date, "percent": parse_percent}[
        row["kind"]
    ]
    if row["expected"] == "REJECT":
        with pytest.raises(ParseError):
            parser(row["text"])
        return
    got = parser(row["text"])
    if row["kind"] == "date":
        assert got == dt.date.fromisoformat(row["expected"])
    else:
        assert math.isclose(got, float(row["expected"]), rel_tol=1e-12, abs_tol=1e-9)


@PROPERTY
@given(n=st.integers(min_value=0, max_value=10**9), unit=st.sampled_from(COUNT_UNITS), data=st.data())
def test_property_parse_int_with_unit_round_trip(n, unit, data):
    space = data.draw(st.sampled_from(["", " ", "\u00a0", "  "]))
    case = data.draw(st.sampled_from([str.lower, str.upper, str.title]))
    number = data.draw(st.sampled_from([str(n), _dot_grouped(n), format_decimal(n, locale="id_ID")]))
    assert parse_int(f"{number}{space}{case(unit)}") == n


@PROPERTY
@given(n=st.integers(min_value=1000, max_value=10**12), frac=st.integers(min_value=0, max_value=999))
def test_property_three_digits_after_mixed_marks_always_ambiguous(n, frac):
    en = f"{n:,}.{frac:03d}"
    id_ = _dot_grouped(n) + f",{frac:03d}"
    for text in (en, id_):
        with pytest.raises(ParseError, match="ambiguous"):
            parse_money(text)


@PROPERTY
@given(n=st.integers(min_value=1000, max_value=10**12), cents=st.integers(min_value=0, max_value=99))
def test_property_two_digit_cents_with_mixed_marks_round_trip(n, cents):
    expected = n + cents / 100
    assert math.isclose(parse_money(f"{n:,}.{cents:02d}"), expected, rel_tol=1e-12)
    assert math.isclose(parse_money("Rp " + _dot_grouped(n) + f",{cents:02d}"), expected, rel_tol=1e-12)
    assert math.isclose(parse_money("+Rp\u00a0" + _dot_grouped(n) + f",{cents:02d}"), expected, rel_tol=1e-12)


@PROPERTY
@given(
    moment=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 12, 31, 23, 59, 59)),
    style=st.sampled_from(
        ["dmy_hm", "iso_dots", "pukul", "weekday_long", "weekday_short", "serial", "date_fns"]
    ),
)
def test_property_parse_date_with_time_and_weekday_round_trip(moment, style):
    day = moment.date()
    long_day = _ID_WEEKDAYS[day.weekday()]
    raw = {
        "dmy_hm": f"{day.day:02d}/{day.month:02d}/{day.year} {moment:%H:%M}",
        "iso_dots": f"{day.isoformat()} {moment:%H.%M.%S}",
        "pukul": f"{day.day} {_ID_MONTHS[day.month - 1]} {day.year} pukul {moment:%H.%M}",
        "weekday_long": f"{long_day}, {day.day} {_ID_MONTHS[day.month - 1]} {day.year}",
        "weekday_short": f"{long_day[:3]}, {day.day} {_ID_ABBREV[day.month - 1]} {day.year}",
        "serial": str((day - EXCEL_EPOCH).days),
        "date_fns": f"{day.day}/{day.month}/{day.year}, {moment:%H.%M}",
    }[style]
    assert parse_date(raw) == day


def test_excel_text_serial_range_is_2000_to_2100():
    low, high = EXCEL_TEXT_SERIAL_RANGE
    assert EXCEL_EPOCH + dt.timedelta(days=low) == dt.date(2000, 1, 1)
    assert EXCEL_EPOCH + dt.timedelta(days=high) == dt.date(2100, 12, 31)


_ID_WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
