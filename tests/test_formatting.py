"""Locale formats (Babel) for numbers, money, percentages, dates and tables."""

import datetime as dt
import math

import pandas as pd
import pytest

from analysis.core import formatting as fmt


@pytest.mark.parametrize(
    ("fn", "value", "lang", "kwargs", "expected"),
    [
        pytest.param(fmt.format_number, 1234567.89, "id", {"decimals": 2}, "1.234.567,89", id="number_id"),
        pytest.param(fmt.format_number, 1234567.89, "en", {"decimals": 2}, "1,234,567.89", id="number_en"),
        pytest.param(fmt.format_number, 1234567, "id", {}, "1.234.567", id="int_id"),
        pytest.param(fmt.format_number, 0.125, "id", {}, "0,12", id="two_decimals_half_even"),
        pytest.param(fmt.format_number, 3.0, "id", {}, "3", id="float_integer"),
        pytest.param(fmt.format_money, 1234567.89, "id", {}, "Rp1.234.568", id="money_id"),
        pytest.param(fmt.format_money, 1234567.89, "en", {}, "Rp1,234,568", id="money_en"),
        pytest.param(fmt.format_money, -5000, "id", {}, "-Rp5.000", id="money_negative"),
        pytest.param(fmt.format_money_compact, 1_234_567_890, "id", {}, "Rp1,2 miliar", id="miliar"),
        pytest.param(fmt.format_money_compact, 15_300_000, "id", {}, "Rp15,3 juta", id="juta"),
        pytest.param(fmt.format_money_compact, 2_500_000_000_000, "id", {}, "Rp2,5 triliun", id="triliun"),
        pytest.param(fmt.format_money_compact, 100_000_000, "id", {}, "Rp100 juta", id="juta_round"),
        pytest.param(fmt.format_money_compact, 1_234_567_890, "en", {}, "Rp1.2 billion", id="billion"),
        pytest.param(fmt.format_money_compact, 15_300_000, "en", {}, "Rp15.3 million", id="million"),
        pytest.param(fmt.format_money_compact, 950_000, "id", {}, "Rp950.000", id="below_compact"),
        pytest.param(
            fmt.format_money_compact, -1_500_000_000, "id", {}, "-Rp1,5 miliar", id="compact_negative"
        ),
        pytest.param(fmt.format_percent, 87.5, "id", {}, "87,5%", id="percent_id"),
        pytest.param(fmt.format_percent, 87.5, "en", {}, "87.5%", id="percent_en"),
        pytest.param(fmt.format_percent, 1234.56, "id", {}, "1.234,6%", id="percent_grouping"),
        pytest.param(fmt.format_percent, 87.45, "id", {}, "87,4%", id="percent_half_even"),
        pytest.param(fmt.format_percent, 100, "id", {"decimals": 0}, "100%", id="percent_no_decimals"),
        pytest.param(fmt.format_date, dt.date(2025, 5, 30), "id", {}, "30 Mei 2025", id="date_id"),
        pytest.param(fmt.format_date, dt.date(2025, 5, 30), "en", {}, "30 May 2025", id="date_en"),
        pytest.param(
            fmt.format_date, pd.Timestamp("2025-08-17 10:00"), "id", {}, "17 Agustus 2025", id="timestamp"
        ),
        pytest.param(fmt.format_date, "2025-02-20", "id", {"short": True}, "20 Feb 2025", id="iso_short"),
    ],
)
def test_examples(fn, value, lang, kwargs, expected):
    assert fn(value, lang=lang, **kwargs) == expected


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, pd.NaT], ids=["none", "nan", "na", "nat"])
@pytest.mark.parametrize(
    "fn",
    [fmt.format_number, fmt.format_money, fmt.format_money_compact, fmt.format_percent, fmt.format_date],
)
def test_missing_is_em_dash(fn, missing):
    assert fn(missing) == "—" == fmt.MISSING


def test_unknown_language_is_named():
    with pytest.raises(ValueError, match="'fr'"):
        fmt.format_number(1, lang="fr")


def test_datetime_wib():
    from zoneinfo import ZoneInfo

    when = dt.datetime(2025, 6, 24, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert fmt.format_datetime(when) == "24 Juni 2025 09.30 WIB"
    assert fmt.format_datetime(when, "en") == "24 June 2025 09:30 WIB"
    assert fmt.format_datetime(when.astimezone(dt.UTC), "en") == "24 June 2025 02:30 UTC+0000"


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "program_name": ["Kartu Bahagia", "<script>alert('x')</script>"],
            "budget_allocated_idr": [1_500_000_000.0, None],
            "achievement_pct": [102.25, 87.5],
            "lpj_submitted_date": [pd.Timestamp("2025-10-15"), pd.NaT],
            "activities_completed": pd.array([4, None], dtype="Int64"),
        }
    )


KINDS = {
    "budget_allocated_idr": "money_compact",
    "achievement_pct": "percent",
    "lpj_submitted_date": "date",
    "activities_completed": "int",
}


def test_format_table_by_kind():
    out = fmt.format_table(_table(), KINDS, lang="id", labels={"program_name": "Program"})
    assert out.to_dict("list") == {
        "Program": ["Kartu Bahagia", "<script>alert('x')</script>"],
        "budget_allocated_idr": ["Rp1,5 miliar", "—"],
        "achievement_pct": ["102,2%", "87,5%"],
        "lpj_submitted_date": ["15 Oktober 2025", "—"],
        "activities_completed": ["4", "—"],
    }


def test_format_table_rejects_unknown_column_and_kind():
    with pytest.raises(KeyError, match="nope"):
        fmt.format_table(_table(), {"nope": "int"})
    with pytest.raises(ValueError, match="'currency'"):
        fmt.format_table(_table(), {"achievement_pct": "currency"})


def test_style_table_escapes_formats_and_is_deterministic():
    labels = {"program_name": "Program", "budget_allocated_idr": "Pagu"}
    html = fmt.style_table(_table(), KINDS, lang="en", labels=labels, caption="Programs").to_html()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Rp1.5 billion" in html and "102.2%" in html and "15 October 2025" in html
    assert ">Pagu<" in html and ">Program<" in html
    assert "—" in html
    again = fmt.style_table(_table(), KINDS, lang="en", labels=labels, caption="Programs").to_html()
    assert html == again  # no random uuid: same table, same HTML


def test_figure_alt_text_from_titles():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2)
    fig.suptitle("Capaian program")
    ax1.set_title("Triwulan I")
    ax2.set_xlabel("Program")
    ax2.set_ylabel("Capaian (%)")
    assert fmt.figure_alt_text(fig) == "Capaian program. Triwulan I. Program / Capaian (%)"
    plt.close(fig)


def test_display_figure_sends_alt_metadata(monkeypatch):
    import IPython.display
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(
        IPython.display, "display", lambda data, raw, metadata: shown.append((data, metadata))
    )
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("Serapan anggaran")
    fmt.display_figure(fig)
    fig2, ax2 = plt.subplots()
    ax2.bar(["a", "b"], [1, 2])
    ax2.set_title("Serapan anggaran")
    fmt.display_figure(fig2)
    (data, metadata), (data2, _) = shown
    assert metadata == {"image/svg+xml": {"alt": "Serapan anggaran"}}
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    assert data == data2  # no date, fixed hash salt: the same chart gives the same bytes

    untitled, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt text"):
        fmt.display_figure(untitled)
    fmt.display_figure(untitled, alt="Grafik tanpa judul", fmt="png")
    assert shown[-1][1] == {"image/png": {"alt": "Grafik tanpa judul"}}
    plt.close("all")


def test_score_kind_has_one_decimal():
    show = fmt.formatter_for("score", "id")
    assert [show(82), show(85.71), show(None)] == ["82,0", "85,7", fmt.MISSING]
    assert fmt.formatter_for("score", "en")(82) == "82.0"
