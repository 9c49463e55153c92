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
    """The renderer of the saved SVG's layout (:func:`charts.figure_svg` draws the figure once)."""
    charts.figure_svg(fig)
    return fig._get_renderer()


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
