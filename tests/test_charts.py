"""Charts build from tiny frames, carry titles, axis labels in the reader's language and alt text."""

import io

import numpy as np
import pandas as pd
import pytest

from analysis.publish import charts, palette


def programs_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "program_code": ["P01", "P02", "P03"],
            "program_name": ["Kartu Bahagia", "Balai Latihan Kerja Tematik", "Kota Tangguh"],
            "program_label": ["Kartu Bahagia", "Balikat", None],
            "achievement_pct": [112.5, 87.5, np.nan],
            "achievement_capped_pct": [112.5, 87.5, np.nan],
            "serapan_pct": [20.0, 40.0, 10.0],
            "serapan_pace_pct": [50.0, 100.0, 25.0],
            "is_high_spend_low_output": pd.array([False, True, pd.NA], dtype="boolean"),
            "is_low_spend_high_output": pd.array([False, False, pd.NA], dtype="boolean"),
        }
    )


def rt_frame() -> pd.DataFrame:
    n = 6
    return pd.DataFrame(
        {
            "rt_code": [f"15.71.01.1001.{i:03d}" for i in range(1, n + 1)],
            "rt_number": pd.array(range(1, n + 1), dtype="Int64"),
            "kelurahan_name": ["Legok"] * 3 + ["Mumi"] * 3,
            "kecamatan_name": ["Danau Sipin"] * n,
            "is_pilot": pd.array([True, False] * 3, dtype="boolean"),
            "status": ["dinilai"] * 5 + ["data belum memadai"],
            "transparansi": [90, 80, 70, 60, 50, np.nan],
            "partisipatif": [60, 50, 40, 30, 20, np.nan],
            "akuntabilitas": [70, 60, 50, 40, 30, np.nan],
            "keberlanjutan": [80, 70, 60, 50, 40, np.nan],
            "index": [75.0, 65.0, 55.0, 45.0, 35.0, np.nan],
            "rank": pd.array([1, 2, 3, 4, 5, pd.NA], dtype="Int64"),
            "rank_p05": [1.0, 1.0, 2.0, 3.0, 4.0, np.nan],
            "rank_p95": [2.0, 3.0, 4.0, 5.0, 5.0, np.nan],
        }
    )


def areas_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kecamatan_name": ["Danau Sipin", "Danau Sipin", "Telanaipura"],
            "kelurahan_name": ["Legok", "Mumi", "Buluran Kenali"],
            "transparansi": [60.0, 70.0, np.nan],
            "partisipatif": [50.0, 40.0, np.nan],
            "akuntabilitas": [55.0, 45.0, np.nan],
            "keberlanjutan": [65.0, 35.0, np.nan],
            "index": [57.5, 47.5, np.nan],
        }
    )


def texts(fig) -> list[str]:
    """Every text drawn in the figure (after a draw, so tick labels exist)."""
    fig.canvas.draw()
    found = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
    for ax in fig.get_axes():
        found += [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())]
    # and each line of a multi-line text (the heat map writes its numbers with one artist per panel)
    found += [line for t in found if "\n" in t for line in t.split("\n")]
    return [t for t in found if t]


BUILDERS = [
    pytest.param(lambda lang: charts.achievement_chart(programs_frame(), lang), id="achievement"),
    pytest.param(lambda lang: charts.serapan_capaian_chart(programs_frame(), lang), id="serapan"),
    pytest.param(lambda lang: charts.principle_heatmap(areas_frame(), lang), id="heatmap"),
    pytest.param(lambda lang: charts.rank_interval_chart(rt_frame(), lang, n=2), id="ranks"),
    pytest.param(
        lambda lang: charts.rejections_chart(
            pd.DataFrame({"reason_code": ["duplicate", "unparseable"], "rows": [3, 1], "lines": [3, 1]}), lang
        ),
        id="rejections",
    ),
    pytest.param(lambda lang: charts.principle_distribution_chart(rt_frame(), lang), id="distribution"),
]


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_chart_has_title_labels_and_alt(build, lang):
    fig = build(lang)
    assert fig._suptitle is not None and fig._suptitle.get_text()
    assert charts.alt_text(fig).endswith(".")
    assert not charts.is_empty(fig)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(charts.A4_WIDTH_IN) and height <= charts.MAX_HEIGHT_IN
    labelled = [ax for ax in fig.get_axes() if ax.get_xlabel() or ax.get_ylabel() or ax.get_xticklabels()]
    assert labelled


def test_achievement_chart_indonesian_numbers_and_not_computable():
    fig = charts.achievement_chart(programs_frame(), "id")
    drawn = texts(fig)
    assert "112,5%" in drawn and "87,5%" in drawn  # decimal comma
    assert "tidak dapat dihitung" in drawn
    assert "Balikat" in drawn  # short label used, full name as fallback
    assert "Kota Tangguh" in drawn
    assert any(t in drawn for t in ("100%", "120%"))  # axis ticks as percentages
    assert charts.alt_text(fig) == (
        "Diagram batang capaian 3 program terhadap garis target 100%: 1 program mencapai target; "
        "capaian terendah Balikat (87,5%)."
    )


def test_achievement_chart_english():
    drawn = texts(charts.achievement_chart(programs_frame(), "en"))
    assert "112.5%" in drawn and "cannot be computed" in drawn
    assert not any("Capaian" in t for t in drawn)


def test_serapan_chart_elapsed_line_from_the_table():
    fig = charts.serapan_capaian_chart(programs_frame(), "id")
    # serapan / pace x 100 = 40 % of the year elapsed for every row
    assert "40%" in charts.alt_text(fig)
    assert "1 program berserapan tinggi" in charts.alt_text(fig)


def test_heatmap_values_and_missing_area():
    drawn = texts(charts.principle_heatmap(areas_frame(), "id"))
    assert "Danau Sipin" in drawn and "Legok" in drawn
    assert "—" in drawn  # Buluran Kenali has no scored RT
    assert "58" in drawn or "57" in drawn  # 57.5 written without decimals


def test_heatmap_long_list_uses_two_panels():
    many = pd.concat([areas_frame().iloc[:2]] * 20, ignore_index=True)
    many["kelurahan_name"] = [f"Kel {i:02d}" for i in range(len(many))]
    many["kecamatan_name"] = [f"Kec {i // 8}" for i in range(len(many))]
    fig = charts.principle_heatmap(many, "id")
    assert len(fig.get_axes()) == 2


def test_rank_chart_only_ranked_rts_with_intervals():
    fig = charts.rank_interval_chart(rt_frame(), "id", n=2)
    assert len(fig.get_axes()) == 2  # top and bottom blocks
    drawn = texts(fig)
    assert "RT 001 · Legok" in drawn
    assert not any("RT 006" in t for t in drawn)  # no rank, not drawn


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: charts.achievement_chart(programs_frame().iloc[0:0], "id"), id="achievement"),
        pytest.param(lambda: charts.rank_interval_chart(pd.DataFrame(), "id"), id="ranks"),
        pytest.param(lambda: charts.principle_heatmap(pd.DataFrame(), "id"), id="heatmap"),
        pytest.param(lambda: charts.principle_distribution_chart(pd.DataFrame(), "id"), id="distribution"),
        pytest.param(
            lambda: charts.rejections_chart(pd.DataFrame(columns=["reason_code", "rows"]), "id"),
            id="rejections",
        ),
    ],
)
def test_empty_input_gives_a_placeholder(build):
    fig = build()
    assert charts.is_empty(fig)
    assert "tidak ada data" in charts.alt_text(fig)


def test_alt_text_required():
    from matplotlib.figure import Figure

    with pytest.raises(ValueError, match="alt text"):
        charts.alt_text(Figure())


def test_svg_output_is_deterministic():
    import matplotlib

    def svg() -> bytes:
        buf = io.BytesIO()
        with matplotlib.rc_context({"svg.hashsalt": "kota-jambi"}):
            charts.achievement_chart(programs_frame(), "id").savefig(
                buf, format="svg", metadata={"Date": None}
            )
        return buf.getvalue()

    assert svg() == svg()


def test_figure_svg_keeps_text_as_text_and_is_deterministic():
    fig = charts.achievement_chart(programs_frame(), "id")
    svg = charts.figure_svg(fig)
    assert svg == charts.figure_svg(charts.achievement_chart(programs_frame(), "id"))
    assert "<text" in svg and ">Capaian program terhadap target</text>" in svg  # searchable words
    assert "DejaVu Sans" in svg and "sans-serif" in svg  # the font, with fallbacks for other viewers
    assert "<dc:date>" not in svg


def test_show_displays_svg_with_alt_metadata(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: shown.append((a, kw)))
    fig = charts.achievement_chart(programs_frame(), "id")
    charts.show(fig)
    ((args, kwargs),) = shown
    bundle = args[0]
    # a figure is rendered once (a second rendering of the same figure re-runs the layout on it)
    assert bundle["image/svg+xml"] == charts.figure_svg(charts.achievement_chart(programs_frame(), "id"))
    assert bundle["text/plain"] == charts.alt_text(fig)
    assert kwargs == {"raw": True, "metadata": {"image/svg+xml": {"alt": charts.alt_text(fig)}}}
    shown.clear()
    charts.show(charts.rank_interval_chart(pd.DataFrame(), "id"), skip_empty=True)
    assert shown == []


def scatter_frame(points: list[tuple[str, float, float]], high=(), low=()) -> pd.DataFrame:
    """Programs for the serapan scatter: (name, serapan %, capaian %), pace 75 % of the year elapsed."""
    names = [p[0] for p in points]
    return pd.DataFrame(
        {
            "program_code": [f"P{i:02d}" for i in range(1, len(points) + 1)],
            "program_name": names,
            "achievement_pct": [p[2] for p in points],
            "serapan_pct": [p[1] for p in points],
            "serapan_pace_pct": [p[1] / 75 * 100 for p in points],
            "is_high_spend_low_output": pd.array([n in high for n in names], dtype="boolean"),
            "is_low_spend_high_output": pd.array([n in low for n in names], dtype="boolean"),
        }
    )


#: The bundled sample's 2026-TW3 programs (serapan %, capaian %): the layout the issue found overlapping.
SAMPLE_POINTS = [
    ("Kartu Bahagia", 68.0, 103.5),
    ("Balai Latihan Kerja Tematik", 74.2, 100.3),
    ("Bantuan Kelompok Usaha Masyarakat", 56.4, 105.6),
    ("Rumah Milenial", 73.4, 100.0),
    ("Kampung Bahagia", 58.2, 93.2),
    ("Lansia Bahagia", 57.6, 111.8),
    ("Kota Tangguh", 66.6, 98.7),
    ("Bahagia Berbudaya", 68.4, 97.1),
    ("Apel Kota", 72.2, 86.7),
    ("Bahagia Berintegritas Pelayanan Anti Pungli", 65.6, 108.7),
    ("Call Center Bahagia", 57.7, 101.2),
]
#: Eight programs within two points of each other, and points on the axes' edges.
CROWDED_POINTS = [(f"Program Nomor {i}", 60.0 + (i % 3) * 0.7, 100.0 + (i % 4) * 0.6) for i in range(8)]
EDGE_POINTS = [("Nol Serapan", 0.0, 120.0), ("Penuh", 100.0, 80.0), ("Tepat Target", 99.0, 100.0)]


def label_boxes(fig):
    """Window extents of the point names and of the axes, after a full draw."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.get_axes()
    return [t.get_window_extent(renderer) for t in charts.point_labels(fig)], ax.get_window_extent(renderer)


@pytest.mark.parametrize(
    "points",
    [
        pytest.param(SAMPLE_POINTS, id="sample_2026_TW3"),
        pytest.param(CROWDED_POINTS, id="crowded"),
        pytest.param(EDGE_POINTS, id="on_the_edges"),
    ],
)
@pytest.mark.parametrize("layout", ["page", "phone"])
def test_serapan_point_names_do_not_overlap_and_stay_inside_the_axes(points, layout):
    fig = charts.serapan_capaian_chart(scatter_frame(points), "id", layout=layout)
    boxes, axes_box = label_boxes(fig)
    assert [t.get_text().replace("\n", " ") for t in charts.point_labels(fig)] == [p[0] for p in points]
    for i, a in enumerate(boxes):
        inside = axes_box.padded(0.5)  # touching the frame is inside (rounding of the display transform)
        assert inside.x0 <= a.x0 and a.x1 <= inside.x1 and inside.y0 <= a.y0 and a.y1 <= inside.y1, points[i][
            0
        ]
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (points[i][0], points[j][0])


def test_serapan_svg_is_byte_identical_run_to_run():
    frame = scatter_frame(SAMPLE_POINTS, high=("Apel Kota",))
    first = charts.figure_svg(charts.serapan_capaian_chart(frame, "id"))
    assert first == charts.figure_svg(charts.serapan_capaian_chart(frame, "id"))
    assert ">Apel Kota</text>" in first  # names as text


@pytest.mark.parametrize(
    ("high", "low", "expected"),
    [
        pytest.param((), (), [("lainnya", palette.OTHER)], id="only_others"),
        pytest.param(
            ("Apel Kota",),
            ("Lansia Bahagia",),
            [
                ("serapan tinggi, capaian rendah", palette.HIGH_SPEND_LOW_OUTPUT),
                ("target tercapai, serapan rendah", palette.LOW_SPEND_HIGH_OUTPUT),
                ("lainnya", palette.OTHER),
            ],
            id="all_three",
        ),
        pytest.param(
            ("Apel Kota",),
            (),
            [("serapan tinggi, capaian rendah", palette.HIGH_SPEND_LOW_OUTPUT), ("lainnya", palette.OTHER)],
            id="high_and_others",
        ),  # fmt: skip
    ],
)
def test_serapan_legend_names_the_groups_present_in_their_colours(high, low, expected):
    from matplotlib.colors import to_hex

    fig = charts.serapan_capaian_chart(scatter_frame(SAMPLE_POINTS, high=high, low=low), "id")
    legend = fig.get_axes()[0].get_legend()
    shown = [
        (text.get_text(), to_hex(handle.get_markerfacecolor()).upper())
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
    ]
    assert shown == [(label, colour.upper()) for label, colour in expected]
    # the points themselves carry the colour their legend entry shows
    drawn = {to_hex(c).upper() for coll in fig.get_axes()[0].collections for c in coll.get_facecolors()}
    assert drawn == {colour.upper() for _, colour in expected}


@pytest.mark.parametrize("kind", ["normal", "protanopia", "deuteranopia", "tritanopia"])
@pytest.mark.parametrize("name", sorted(palette.CATEGORY_SETS))
def test_category_colours_stay_apart_for_colour_blind_readers(name, kind):
    import itertools

    colours = palette.CATEGORY_SETS[name]
    for a, b in itertools.combinations(colours, 2):
        assert palette.delta_e(a, b, kind) >= 20, (name, a, b, kind)


def test_the_citys_brick_and_green_were_one_colour_to_a_protanope():
    # why the serapan scatter and the movers chart changed colours (issue 13)
    assert palette.delta_e(charts.PALETTE["brick"], charts.PALETTE["green"], "protanopia") < 6


@pytest.mark.parametrize("kind", ["normal", "protanopia", "deuteranopia", "tritanopia"])
def test_heat_map_colours_darken_steadily_for_every_colour_vision(kind):
    from matplotlib.colors import to_hex

    lightness = [
        float(palette._to_lab(palette.simulate_cvd(to_hex(charts.SCORE_CMAP(v)), kind))[0])
        for v in np.linspace(0, 1, 21)
    ]
    assert all(b < a for a, b in zip(lightness, lightness[1:], strict=False))
    assert lightness[0] - lightness[-1] > 50


def test_trajectory_chart_has_a_point_per_period_and_alt_text_in_english():
    trajectory = pd.DataFrame(
        {
            "period": ["2026-TW1", "2026-TW2", "2026-TW3"],
            "rt_code": "15.71.07.1012.014",
            "index": [46.24, np.nan, 41.79],
            "rank": pd.array([154, pd.NA, 247], dtype="Int64"),
        }
    )
    fig = charts.trajectory_chart(trajectory, "en")
    assert charts.alt_text(fig) == (
        "Line of the index of RT 15.71.07.1012.014 over 2 periods, from 2026-TW1 (46.2) to 2026-TW3 (41.8)."
    )
    ax = fig.get_axes()[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-TW1", "2026-TW2", "2026-TW3"]
    assert [t.get_text() for t in ax.texts] == ["#154", "#247"]
    assert charts.is_empty(charts.trajectory_chart(trajectory.iloc[:0], "id"))


def test_movers_chart_shows_rises_and_falls():
    movers = pd.DataFrame(
        {
            "kelurahan_name": ["Payo Selincah", "Murni", "Kebun Handil"],
            "period_start": "2026-TW1",
            "period_end": "2026-TW3",
            "index_change": [32.25, 2.0, -12.1],
        }
    )
    fig = charts.movers_chart(movers, "id", n=1)
    ax = fig.get_axes()[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kebun Handil", "Payo Selincah"]
    assert "naik paling banyak Payo Selincah (32,2 poin)" in charts.alt_text(fig)
    assert "turun paling banyak Kebun Handil (-12,1 poin)" in charts.alt_text(fig)
    assert charts.is_empty(charts.movers_chart(movers.iloc[:0], "id"))


def test_heat_map_has_a_phone_layout_with_one_panel_and_larger_numbers():
    rows = [
        {"kecamatan_name": f"Kec {k}", "kelurahan_name": f"Kel {k}-{i}", "transparansi": 10.0 * i,
         "partisipatif": 50.0, "akuntabilitas": 60.0, "keberlanjutan": 70.0, "index": 47.5}
        for k in range(5) for i in range(8)
    ]  # fmt: skip
    page = charts.principle_heatmap(pd.DataFrame(rows), "id")
    phone = charts.phone_layout(page)
    assert (
        len(page.get_axes()) == 2 and len(phone.get_axes()) == 1
    )  # 45 rows: two panels on A4, one on a phone
    assert phone.get_figwidth() == charts.PHONE_WIDTH_IN
    assert phone.get_figheight() > charts.MAX_HEIGHT_IN  # as long as the list
    sizes = {t.get_fontsize() for t in phone.get_axes()[0].texts}
    assert min(sizes) >= 8 > max(t.get_fontsize() for t in page.get_axes()[0].texts)
    assert charts.alt_text(phone) == charts.alt_text(page)
    assert (
        charts.phone_layout(phone) is None
        and charts.phone_layout(charts.rank_interval_chart(rt_frame(), "id")) is None
    )


@pytest.mark.parametrize(
    ("value", "ink"),
    [pytest.param(0.0, charts.PALETTE["ink"], id="pale"), pytest.param(65.0, charts.PALETTE["ink"], id="mid"),
     pytest.param(95.0, "white", id="dark"), pytest.param(float("nan"), charts.PALETTE["ink"], id="empty")],
)  # fmt: skip
def test_heat_map_numbers_take_the_ink_that_contrasts_more(value, ink):
    assert charts._cell_ink(value) == ink


def test_show_sends_the_heat_maps_phone_layout(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: shown.append((a, kw)))
    charts.show(charts.principle_heatmap(areas_frame(), "id"))
    ((args, _kwargs),) = shown
    bundle = args[0]
    phone = charts.phone_layout(charts.principle_heatmap(areas_frame(), "id"))
    assert bundle[charts.PHONE_SVG_MIMETYPE] == charts.figure_svg(phone)
    assert bundle["image/svg+xml"] != bundle[charts.PHONE_SVG_MIMETYPE]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: charts.achievement_chart(programs_frame(), "id"), id="achievement"),
        pytest.param(lambda: charts.serapan_capaian_chart(programs_frame(), "id"), id="serapan"),
        pytest.param(lambda: charts.principle_heatmap(areas_frame(), "id"), id="heatmap"),
    ],
)
def test_the_briefings_charts_carry_a_phone_layout_of_the_same_data(build):
    page = build()
    phone = charts.phone_layout(page)
    assert phone.get_figwidth() == charts.PHONE_WIDTH_IN < page.get_figwidth()
    assert charts.alt_text(phone) == charts.alt_text(page)
    assert charts.figure_svg(phone) == charts.figure_svg(charts.phone_layout(build()))  # byte-identical
