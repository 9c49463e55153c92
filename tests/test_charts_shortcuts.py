"""The charts' shortcuts in saving (issue 15) change no byte of the SVG: each is switched off here and the
chart saved again, and the two SVGs must be the same."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.ticker import FuncFormatter

from analysis.publish import charts

PERIODS = ["2025-TW4", "2026-TW1", "2026-TW2", "2026-TW3"]


def program_trend_frame() -> pd.DataFrame:
    """Six programs over four periods; one long name (a two-line panel title), one gap, one program below
    target."""
    names = ["Kartu Bahagia", "Balai Latihan Kerja Tematik Kota", "Kota Tangguh", "Apel Kota", "Rumah Milenial",
             "Lansia Bahagia"]  # fmt: skip
    rows = []
    for i, name in enumerate(names):
        for k, period in enumerate(PERIODS):
            value = np.nan if (i, k) == (2, 1) else 85.0 + 6 * i + 4 * k * (-1) ** i
            rows.append((period, f"P{i:02d}", name, value, value, 120.0))
    return pd.DataFrame(
        rows,
        columns=[
            "period",
            "program_code",
            "program_label",
            "achievement_capped_pct",
            "achievement_pct",
            "cap_pct",
        ],
    )


def principle_trend_frame() -> pd.DataFrame:
    keys = [*charts.PRINCIPLES, "index"]
    rows = [(p, key, 40.0 + 5 * j + 3 * k, 12) for k, p in enumerate(PERIODS) for j, key in enumerate(keys)]
    return pd.DataFrame(rows, columns=["period", "principle", "median", "n_rt_scored"])


def serapan_frame() -> pd.DataFrame:
    """Eight programs close together, so that some names move off their points and get a leader line."""
    n = 8
    return pd.DataFrame(
        {
            "program_code": [f"P{i:02d}" for i in range(n)],
            "program_name": [f"Program Nomor {i}" for i in range(n)],
            "program_label": [f"Program Nomor {i}" for i in range(n)],
            "achievement_pct": [100.0 + (i % 4) * 0.6 for i in range(n)],
            "serapan_pct": [60.0 + (i % 3) * 0.7 for i in range(n)],
            "serapan_pace_pct": [(60.0 + (i % 3) * 0.7) / 75 * 100 for i in range(n)],
            "is_high_spend_low_output": pd.array([i == 0 for i in range(n)], dtype="boolean"),
            "is_low_spend_high_output": pd.array([False] * n, dtype="boolean"),
        }
    )


def _plain_formatters(monkeypatch):
    """Tick labels formatted at every call, as before the cache."""
    monkeypatch.setattr(charts, "_tick_formatter", lambda fmt: FuncFormatter(lambda v, _pos: fmt(v)))


def _labels_placed(monkeypatch):
    """Empty axis labels placed by matplotlib at every draw, as before."""
    monkeypatch.setattr(charts, "_pin_empty_axis_labels", lambda fig: None)


def _titles_placed(monkeypatch):
    """The small panels' titles placed by matplotlib (``y=None``), as before."""
    monkeypatch.setattr(charts, "_TITLE_Y", None)


def _names_as_clip_regions(monkeypatch):
    """Leader lines clipped by asking the name itself (``Text.contains``) at every step, as before."""
    monkeypatch.setattr(charts, "_TextBox", lambda text: text)


def _uncached_cell_ink(monkeypatch):
    monkeypatch.setattr(charts, "_cell_ink", charts._cell_ink.__wrapped__)


CASES = {
    "program_trend": lambda: charts.program_trend_chart(program_trend_frame(), "id"),
    "principle_trend": lambda: charts.principle_trend_chart(principle_trend_frame(), "en"),
    "serapan": lambda: charts.serapan_capaian_chart(serapan_frame(), "id"),
    "serapan_phone": lambda: charts.serapan_capaian_chart(serapan_frame(), "id", layout="phone"),
    "heatmap": lambda: charts.principle_heatmap(
        pd.DataFrame(
            {
                "kecamatan_name": ["Danau Sipin"] * 3,
                "kelurahan_name": ["Legok", "Mumi", "Solok Sipin"],
                "transparansi": [91.0, 12.0, np.nan],
                "partisipatif": [55.5, 49.0, np.nan],
                "akuntabilitas": [70.0, 30.0, np.nan],
                "keberlanjutan": [64.0, 8.0, np.nan],
                "index": [70.1, 24.8, np.nan],
            }
        ),
        "id",
    ),
}


@pytest.mark.parametrize(
    ("chart", "switch_off"),
    [
        pytest.param("program_trend", _plain_formatters, id="trend_formatters"),
        pytest.param("program_trend", _labels_placed, id="trend_empty_labels"),
        pytest.param("program_trend", _titles_placed, id="trend_titles"),
        pytest.param("principle_trend", _labels_placed, id="principle_trend_empty_labels"),
        pytest.param("principle_trend", _titles_placed, id="principle_trend_titles"),
        pytest.param("serapan", _names_as_clip_regions, id="serapan_leader_lines"),
        pytest.param("serapan_phone", _names_as_clip_regions, id="serapan_phone_leader_lines"),
        pytest.param("serapan", _labels_placed, id="serapan_empty_labels"),
        pytest.param("heatmap", _uncached_cell_ink, id="heatmap_cell_ink"),
        pytest.param("heatmap", _labels_placed, id="heatmap_empty_labels"),
    ],
)
def test_a_shortcut_changes_no_byte_of_the_chart(chart, switch_off, monkeypatch):
    fast = charts.figure_svg(CASES[chart]())
    with monkeypatch.context() as m:
        switch_off(m)
        slow = charts.figure_svg(CASES[chart]())
    assert fast == slow


def test_the_serapan_case_draws_leader_lines():
    """The leader-line case is a real one: some names moved off their points."""
    fig = CASES["serapan"]()
    arrows = [p for p in fig.axes[0].patches if isinstance(p.patchA, charts._TextBox)]
    assert arrows


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([100.0, 120.0, 100.0], ["100%", "120%", "100%"], id="repeated"),
        pytest.param([87.5, -0.0], ["88%", "-0%"], id="rounded_and_negative_zero"),
    ],
)
def test_cached_tick_formatter_writes_what_format_percent_writes(values, expected):
    formatter = charts._percent_axis("id")
    assert [formatter(v, i) for i, v in enumerate(values)] == expected


@pytest.mark.parametrize("chart", ["program_trend", "serapan", "heatmap"])
def test_slim_svg_writes_the_same_drawing_in_fewer_nodes(chart, monkeypatch):
    """``slim_svg`` moves the styles into attributes and drops wrappers, nothing else: every text, path
    and colour of matplotlib's SVG is still there, in the same order."""
    import re

    with monkeypatch.context() as m:
        m.setattr(charts, "slim_svg", lambda svg: svg)
        plain = charts.figure_svg(CASES[chart]())
    slim = charts.figure_svg(CASES[chart]())
    assert slim == charts.slim_svg(plain) and slim.count("<") < 0.9 * plain.count("<")
    assert " style=" not in slim and "<style" not in slim and "<metadata>" not in slim
    assert not re.search(r'<g id="[^"]*"/>', slim)
    assert 'stroke-linejoin="round" stroke-linecap="butt"' in slim.split(">", 3)[2]  # the root's defaults

    def drawing(svg: str) -> list:
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        paths = re.findall(r' d="([^"]*)"', svg)
        colours = re.findall(r"(?:fill|stroke)(?:: |=\")(#[0-9a-f]{6}|none|white)", svg)
        return [texts, paths, colours]

    assert drawing(slim) == drawing(plain) and drawing(slim)[0]


def _numbers_as_texts(monkeypatch):
    """A text artist per heat-map cell, as before :class:`charts._CellNumbers`."""

    def write(ax, cells, fontsize):
        for x, y, text, ink in cells:
            ax.text(
                x, y, text, ha="center", va="center", fontsize=fontsize, color=ink, zorder=3, in_layout=False
            )

    monkeypatch.setattr(charts, "_write_cell_numbers", write)


@pytest.mark.parametrize("layout", ["page", "phone"])
def test_heat_map_numbers_in_one_artist_change_no_byte(layout, monkeypatch):
    many = pd.DataFrame(
        [
            {"kecamatan_name": f"Kec {k}", "kelurahan_name": f"Kel {k}-{i}", "transparansi": 9.0 * i + k,
             "partisipatif": np.nan if i == 3 else 50.0 + i, "akuntabilitas": 100.0 - 7 * i, "keberlanjutan": 70.0,
             "index": 47.5 + i}
            for k in range(5) for i in range(8)
        ]
    )  # fmt: skip
    fast = charts.figure_svg(charts.principle_heatmap(many, "id", layout=layout))
    with monkeypatch.context() as m:
        _numbers_as_texts(m)
        slow = charts.figure_svg(charts.principle_heatmap(many, "id", layout=layout))
    assert fast == slow and fast.count(">—</text>") == 5 and fast.count(">100</text>") == 5
