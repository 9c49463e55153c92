"""The briefing's charts laid out by fixed rules (issue 15, lane "brief"): nothing overlaps, nothing is cut
off, and each text is written once where a reader needs it."""

import numpy as np
import pandas as pd
import pytest

from analysis.publish import charts

PERIODS = ["2025-TW2", "2025-TW3", "2025-TW4", "2026-TW1", "2026-TW2", "2026-TW3"]


def program_trend_frame(n: int, long_name: bool = False) -> pd.DataFrame:
    rows = []
    for i in range(n):
        name = "Balai Latihan Kerja Tematik Kota Jambi" if long_name and i == 1 else f"Program {i}"
        for k, period in enumerate(PERIODS):
            value = 80.0 + 7 * i + 5 * k * (-1) ** i
            rows.append((period, f"P{i:02d}", name, value, value, 120.0))
    columns = [
        "period",
        "program_code",
        "program_label",
        "achievement_capped_pct",
        "achievement_pct",
        "cap_pct",
    ]
    return pd.DataFrame(rows, columns=columns)


def principle_trend_frame() -> pd.DataFrame:
    keys = [*charts.PRINCIPLES, "index"]
    rows = [(p, key, 40.0 + 5 * j + 3 * k, 12) for k, p in enumerate(PERIODS) for j, key in enumerate(keys)]
    return pd.DataFrame(rows, columns=["period", "principle", "median", "n_rt_scored"])


def _renderer(fig):
    """A renderer that measures text as the saved SVG does (in points, glyph advances without hinting), the
    figure at the SVG's 72 dpi; after :func:`charts.figure_svg` (its layout)."""
    import io

    from matplotlib.backends.backend_svg import RendererSVG

    charts.figure_svg(fig)
    fig.set_dpi(72)
    width, height = fig.get_size_inches() * 72
    return RendererSVG(width, height, io.StringIO())


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: charts.program_trend_chart(program_trend_frame(16), "id"), id="16_programs"),
        pytest.param(lambda: charts.program_trend_chart(program_trend_frame(11), "en"), id="11_programs"),
        pytest.param(lambda: charts.program_trend_chart(program_trend_frame(6, True), "id"), id="long_name"),
        pytest.param(lambda: charts.principle_trend_chart(principle_trend_frame(), "id"), id="principles"),
    ],
)
def test_trend_small_multiples_fit_without_overlaps(build):
    fig = build()
    assert fig.get_layout_engine() is None  # laid out by _place_trend_grid, saved whole
    renderer = _renderer(fig)
    width, height = fig.bbox.width, fig.bbox.height
    axes = fig.get_axes()
    panels = [ax.get_window_extent(renderer) for ax in axes]
    for i, ax in enumerate(axes):
        title = ax._left_title.get_window_extent(renderer)
        assert title.x0 >= 0 and title.y1 <= height  # inside the figure
        assert title.y0 >= panels[i].y1  # above its own panel
        for j, other in enumerate(panels):
            if j != i:
                assert not title.overlaps(other), (ax.get_title(loc="left"), j)
        labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        below = [
            j
            for j in range(len(axes))
            if j != i and abs(panels[j].x0 - panels[i].x0) < 1 and panels[j].y1 < panels[i].y0
        ]
        assert bool(labels) == (not below)  # the periods under the lowest panel of a column only
        for label in labels:
            box = label.get_window_extent(renderer)
            assert box.y0 >= 0 and box.x0 >= 0 and box.x1 <= width
        for label in ax.get_yticklabels():
            if label.get_visible() and label.get_text():
                assert label.get_window_extent(renderer).x0 >= 0
    suptitle = fig._suptitle.get_window_extent(renderer)
    assert suptitle.y1 <= height and all(
        not suptitle.overlaps(ax._left_title.get_window_extent(renderer)) for ax in axes
    )
    # y values written beside the first column only
    firsts = {round(p.x0) for p in panels}
    for ax, panel in zip(axes, panels, strict=True):
        shown = [t for t in ax.get_yticklabels() if t.get_visible() and t.get_text()]
        assert bool(shown) == (round(panel.x0) == min(firsts))


def test_trend_grid_svg_is_the_whole_figure():
    """Saved whole (no crop to the content, which costs matplotlib a second draw): the SVG is the figure's size."""
    import re

    fig = charts.program_trend_chart(program_trend_frame(8), "id")
    size = re.search(r'<svg [^>]*width="([0-9.]+)pt" height="([0-9.]+)pt"', charts.figure_svg(fig))
    assert np.allclose([float(size[1]), float(size[2])], fig.get_size_inches() * 72)


def heat_areas(long_names: bool = False) -> pd.DataFrame:
    """45 kelurahan in 5 kecamatan (two panels on A4), some with long names."""
    rows = []
    for k in range(5):
        for i in range(8):
            name = f"Kelurahan Nomor {k}-{i}" + (" Bawah Sekali Panjang" if long_names and i == 2 else "")
            rows.append(
                {"kecamatan_name": f"Kecamatan {k}", "kelurahan_name": name, "transparansi": 9.0 * i,
                 "partisipatif": 50.0, "akuntabilitas": 60.0 + i, "keberlanjutan": 70.0, "index": 47.5}
            )  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("long_names", [False, True])
@pytest.mark.parametrize("layout", ["page", "phone"])
def test_heat_map_fits_its_figure_without_overlaps(layout, long_names, lang):
    fig = charts.principle_heatmap(heat_areas(long_names), lang, layout=layout)
    assert fig.get_layout_engine() is None and len(fig.get_axes()) == (2 if layout == "page" else 1)
    renderer = _renderer(fig)
    width, height = fig.bbox.width, fig.bbox.height
    axes = fig.get_axes()
    panels = [ax.get_window_extent(renderer) for ax in axes]
    title = fig._suptitle.get_window_extent(renderer)
    assert title.x0 >= 0 and title.x1 <= width and title.y1 <= height
    for i, ax in enumerate(axes):
        names = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
        heads = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        for box in [*names, *heads]:
            assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height
        for box in heads:
            assert not box.overlaps(title) and box.y0 >= panels[i].y1
        for j, other in enumerate(panels):
            if j != i:
                assert not any(box.overlaps(other) for box in [*names, *heads])
        for box in names:
            assert box.x1 <= panels[i].x0  # beside the cells, never over them
