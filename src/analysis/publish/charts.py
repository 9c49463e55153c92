"""Charts of the notebooks and the briefing: one function per chart, each ``(tables..., lang) -> Figure``.

Every chart

- is built on a bare :class:`matplotlib.figure.Figure` (no pyplot state, safe under the ``Agg`` backend and
  never shown twice by Jupyter's inline backend);
- is sized for the text width of an A4 page (:data:`A4_WIDTH_IN`) with 7–9 pt text;
- uses the sober palette of the city's reports (:data:`PALETTE`: deep green and gold accents on greys), and
  for categories a reader must tell apart colours that stay apart with every colour-vision deficiency
  (:mod:`analysis.publish.palette`, tested), with a second cue (shape) where colour carries a category;
- for the briefing's charts (capaian bars, serapan scatter, heat map) also has a phone layout
  (:func:`phone_layout`, :data:`PHONE_WIDTH_IN` wide) that :func:`show` sends along and the report shows on
  screens up to 40rem wide;
- takes every word from the label catalogue (``chart.*`` in ``locales/{id,en}.yml``) and writes numbers
  with the language's decimal sign (``87,5%`` / ``87.5%``, :mod:`analysis.core.formatting`);
- carries an alt-text sentence built from the data (:func:`alt_text`), which :func:`show` displays with the
  chart as output metadata ``{"image/svg+xml": {"alt": ...}}`` (the mechanism of
  :func:`analysis.core.formatting.display_figure`; the report templates write it as the ``alt`` of the image);
- is shown as SVG with its **text as text** (:func:`figure_svg`, ``svg.fonttype = "none"``), not as glyph
  outlines: the words stay searchable and selectable in the HTML and the PDF, and the SVG has about a
  third of the nodes, which halves WeasyPrint's time for the briefing PDF (measured in
  ``docs/performance.md``). The text names DejaVu Sans (matplotlib's font, installed with the PDF renderer)
  and falls back to Verdana/Arial/sans-serif where a viewer lacks it. Reproducible: fixed hash salt, no date.
  matplotlib's SVG is then written in fewer, simpler nodes (:func:`slim_svg`: the same picture, drawn by
  WeasyPrint in about two thirds of the time);
- the briefing's heat map and trend small multiples are laid out by fixed rules from their measured texts
  (no constrained layout, which measures every label at each layout pass) and saved whole in one draw.

An empty input gives a figure that says there is nothing to show (never an exception), so a notebook runs
through periods without RT reports or without rejected rows.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.core.formatting import format_number, format_percent
from analysis.core.i18n import t
from analysis.publish import palette

#: Width of the text block of an A4 page with the briefing's margins (210 mm − 2 × 18 mm ≈ 6.85 in).
A4_WIDTH_IN = 6.8
#: Tallest figure that still fits one A4 page under the running header (297 mm − 42 mm ≈ 10 in).
MAX_HEIGHT_IN = 9.2

#: Pemerintah Kota Jambi report palette: deep green and gold as accents, greys for everything else.
PALETTE = {
    "green": "#1b5e3b",
    "green_light": "#8fb59d",
    "gold": "#c9a227",
    "brick": "#9c3d2e",
    "ink": "#1d2733",
    "grey": "#8a929b",
    "grey_light": "#d5d9de",
    "band": "#f3f5f8",
}
#: Heat-map colours: 0 (pale sand) to 100 (deep green).
SCORE_CMAP = LinearSegmentedColormap.from_list("kjb_score", ["#f7f3e3", "#c9d9a7", "#5f9a6f", "#1b5e3b"])

#: The four principles of Kampung Bahagia (Perwali Kota Jambi No. 18 Tahun 2025), in the order shown.
PRINCIPLES = ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")

TITLE_PT = 10
LABEL_PT = 8
TICK_PT = 7.5
NOTE_PT = 7

_ALT_ATTR = "kjb_alt"
_EMPTY_ATTR = "kjb_empty"


# ------------------------------------------------------------------------------------------ helpers
def alt_text(fig: Figure) -> str:
    """The alt-text sentence a chart function attached to ``fig`` (``ValueError`` if there is none)."""
    text = getattr(fig, _ALT_ATTR, "")
    if not text:
        raise ValueError("figure has no alt text; build it with a function of analysis.publish.charts")
    return text


def is_empty(fig: Figure) -> bool:
    """True for the placeholder figure a chart function returns when it had no data."""
    return bool(getattr(fig, _EMPTY_ATTR, False))


#: Width of a chart's phone layout: a 375 px screen's text column (about 350 CSS px at 96 px per inch).
PHONE_WIDTH_IN = 3.6
#: Output key of a chart's phone layout beside its ``image/svg+xml`` (the report templates show it on
#: screens up to 40rem wide, through ``<picture><source media=...>``; print and wide screens take the other).
PHONE_SVG_MIMETYPE = "application/vnd.kjb.phone+svg+xml"
_PHONE_ATTR = "kjb_phone_layout"


def phone_layout(fig: Figure) -> Figure | None:
    """The phone layout of a chart that has one (the heat map), built now; else ``None``."""
    build = getattr(fig, _PHONE_ATTR, None)
    return build() if build is not None else None


#: SVG settings of every chart: text as ``<text>`` elements (not glyph paths), fixed ids, no date.
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "kota-jambi"}
#: Figures laid out here, not by matplotlib's constrained layout (:func:`_place_trend_grid`,
#: :func:`_place_heat_panels`): saved whole,
#: without ``bbox_inches="tight"`` (which draws the figure once more to measure it).
_FIXED_ATTR = "kjb_fixed_layout"


def figure_svg(fig: Figure) -> str:
    """The chart as SVG text with its words as text (:data:`SVG_RC`), cropped to its content (a chart
    laid out by fixed rules, :data:`_FIXED_ATTR`, is saved whole: it has no margin to crop), written by
    :func:`slim_svg`; the same figure gives the same bytes every time."""
    import io

    import matplotlib

    _pin_empty_axis_labels(fig)
    buffer = io.BytesIO()
    # a chart laid out by fixed rules (no layout engine) is saved whole, in one draw; the others are
    # cropped to their content ("tight": matplotlib draws them once more to measure it)
    bbox = None if getattr(fig, _FIXED_ATTR, False) else "tight"
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buffer, format="svg", bbox_inches=bbox, metadata={"Date": None})
    return slim_svg(buffer.getvalue().decode("utf-8"))


_STYLED_TAG = re.compile(r'<([a-zA-Z]+)([^<>]*?) style="([^"]*)"')
_ONE_CHILD_GROUP = re.compile(r'<g id="[^"]*">\s*(<(path|text|use|image)\b[^<>]*?(?:/>|>[^<]*</\2>))\s*</g>')
#: matplotlib's one style sheet: defaults for every element, which presentation attributes on the root
#: give as well (both properties are inherited, and matplotlib sets them on the elements, never on groups)
_MPL_STYLE_SHEET = '<style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>'


def _styles_as_attributes(match: re.Match) -> str:
    tag, attributes, style = match.groups()
    pairs = [d.split(":", 1) for d in style.split(";") if ":" in d]
    names = [name.strip() for name, _ in pairs]
    if len(set(names)) != len(names) or any(f" {name}=" in attributes for name in names):
        return match.group(0)  # a repeated or already given property: leave it as CSS
    return f"<{tag}{attributes}" + "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


def slim_svg(svg: str) -> str:
    """matplotlib's SVG with the same drawing in fewer, simpler nodes, which WeasyPrint draws in about
    two thirds of the time (it parses every ``style`` attribute with a CSS tokenizer, matches its style
    sheet against every node and sets up every group; measured in ``docs/performance.md``) and browsers
    show alike:

    - ``style="fill: #fff; stroke: …"`` written as presentation attributes (``fill="#fff" stroke="…"``);
      matplotlib's ``*{stroke-linejoin: round; stroke-linecap: butt}`` as attributes of the root (a style
      sheet would outrank the presentation attributes);
    - the font family most texts name written once, on the root (an inherited property);
    - a group that only names its one child (``<g id="text_3"><text …>…</text></g>``) replaced by the
      child, empty groups (``<g id="line2d_1"/>``, tick marks of length 0) dropped;
    - the no-op ``rotate(-0 x y)`` of horizontal text and the RDF metadata (the creator's name) dropped.
    """
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    if _MPL_STYLE_SHEET in svg:
        svg = svg.replace(_MPL_STYLE_SHEET, "", 1).replace(
            "<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1
        )
        svg = re.sub(r"\s*<defs>\s*</defs>", "", svg, count=1)
    svg = _STYLED_TAG.sub(_styles_as_attributes, svg)
    families = re.findall(r' font-family="([^"]*)"', svg)
    if families:  # the font named once, on the root (inherited), instead of on every text
        family = max(sorted(set(families)), key=families.count)
        svg = svg.replace(f' font-family="{family}"', "").replace("<svg ", f'<svg font-family="{family}" ', 1)
    svg = re.sub(r'\s*<g id="[^"]*"/>', "", svg)
    svg = re.sub(r' transform="rotate\(-0 [-0-9.e]+ [-0-9.e]+\)"', "", svg)
    while True:
        slimmer = _ONE_CHILD_GROUP.sub(r"\1", svg)
        if slimmer == svg:
            return svg
        svg = slimmer


def _pin_empty_axis_labels(fig: Figure) -> None:
    """Tell matplotlib not to place the axis labels that are empty (most panels have none).

    At every draw and layout pass matplotlib places each axis label below (beside) the bounding boxes
    of that axis's tick labels, measuring them all again; an empty label is neither drawn nor counted in
    any bounding box, so its place changes nothing on the chart (the same SVG bytes) but costs about a
    fifth of saving the trends' small multiples. Pinned (``set_label_coords``), it is left alone."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(0.5, 0.5)


def show(fig: Figure, fmt: str = "svg", skip_empty: bool = False) -> None:
    """Display a chart in a notebook with its alt text.

    ``fmt="svg"`` (default): :func:`figure_svg`, displayed as ``image/svg+xml`` with output metadata
    ``{"image/svg+xml": {"alt": <alt text>}}``, as :func:`analysis.core.formatting.display_figure` does;
    ``fmt="png"`` goes through ``display_figure``. ``skip_empty=True`` shows nothing for a chart that had
    no data (the briefing leaves such charts out; the analysts' notebooks show the placeholder). A chart
    with a phone layout (:func:`phone_layout`) sends it too, as :data:`PHONE_SVG_MIMETYPE`. A chart that
    several notebooks of a period show is shown through :meth:`analysis.publish.chartcache.ChartCache.show`
    instead, which draws it once.
    """
    from analysis.core.formatting import display_figure

    if skip_empty and is_empty(fig):
        return
    text = alt_text(fig)
    if fmt != "svg":
        display_figure(fig, alt=text, fmt=fmt)
        return
    svg = figure_svg(fig)
    phone = phone_layout(fig)
    display_svg(svg, text, None if phone is None else figure_svg(phone))


def display_svg(svg: str, alt: str, phone_svg: str | None = None) -> None:
    """Display a chart's SVG as :func:`show` does: ``image/svg+xml`` with ``alt`` as its output metadata
    and as ``text/plain``, and the phone layout's SVG (if any) as :data:`PHONE_SVG_MIMETYPE` (also for a
    chart drawn by another notebook, :mod:`analysis.publish.chartcache`)."""
    from IPython.display import display

    mimetype = "image/svg+xml"
    bundle = {mimetype: svg, "text/plain": alt}
    if phone_svg is not None:
        bundle[PHONE_SVG_MIMETYPE] = phone_svg
    display(bundle, raw=True, metadata={mimetype: {"alt": alt}})


def _figure(
    height_in: float,
    ncols: int = 1,
    width_in: float = A4_WIDTH_IN,
    max_height_in: float = MAX_HEIGHT_IN,
    layout: str | None = "constrained",
) -> tuple[Figure, list]:
    fig = Figure(figsize=(width_in, min(max(height_in, 1.6), max_height_in)), layout=layout)
    axes = fig.subplots(1, ncols, squeeze=False)[0].tolist()
    for ax in axes:
        ax.set_facecolor("white")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(PALETTE["grey"])
        ax.tick_params(labelsize=TICK_PT, colors=PALETTE["ink"], length=2.5)
    return fig, axes


def _finish(fig: Figure, title: str, alt: str) -> Figure:
    fig.suptitle(title, fontsize=TITLE_PT, fontweight="bold", color=PALETTE["ink"], x=0.01, ha="left")
    setattr(fig, _ALT_ATTR, alt)
    return fig


def _empty(title: str, lang: str) -> Figure:
    """A small figure that says there is no data (the notebook keeps running)."""
    fig, (ax,) = _figure(1.6)
    ax.set_axis_off()
    ax.text(
        0.5, 0.5, t("chart.no_data", lang), ha="center", va="center", fontsize=LABEL_PT, color=PALETTE["grey"]
    )
    setattr(fig, _EMPTY_ATTR, True)
    return _finish(fig, title, t("chart.no_data_alt", lang, title=title))


def _tick_formatter(fmt) -> FuncFormatter:
    """A tick formatter writing ``fmt(value)``, each value formatted once: matplotlib formats every tick
    label at each draw (a small multiple of 16 panels asks for the same few values hundreds of times), and
    the language's number format (babel) is the costly part."""
    done: dict[tuple[float, bool], str] = {}

    def text(value: float, _pos) -> str:
        key = (value, bool(np.signbit(value)))  # -0.0 == 0.0, but is written "-0"
        if key not in done:
            done[key] = fmt(value)
        return done[key]

    return FuncFormatter(text)


def _percent_axis(lang: str) -> FuncFormatter:
    return _tick_formatter(lambda v: format_percent(v, lang=lang, decimals=0))


def _number_axis(lang: str) -> FuncFormatter:
    return _tick_formatter(lambda v: format_number(v, lang=lang, decimals=0))


def _wrap(text: object, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _label(value: object, fallback: object) -> str:
    return str(fallback) if value is None or pd.isna(value) or not str(value).strip() else str(value)


def program_labels(programs: pd.DataFrame, label_column: str = "program_label") -> pd.Series:
    """Display names of programs: ``label_column`` when the table has it, else ``program_name``."""
    if label_column in programs.columns:
        return pd.Series(
            [_label(v, n) for v, n in zip(programs[label_column], programs["program_name"], strict=True)],
            index=programs.index,
        )
    return programs["program_name"].astype("str")


#: Font size of the programs' names beside their points in the serapan scatter.
POINT_LABEL_PT = 6.5
_POINT_LABELS_ATTR = "kjb_point_labels"


def point_labels(fig: Figure) -> list:
    """The text artists that name the points of a scatter (the serapan chart), after their placement."""
    return list(getattr(fig, _POINT_LABELS_ATTR, []))


def _label_points(ax, x: np.ndarray, y: np.ndarray, labels: Sequence[str], avoid: Sequence) -> list:
    """Name each point beside it so that no two names overlap, none covers a point or an ``avoid`` artist
    (the reference lines' labels) and all stay inside the axes.

    adjustText (1.4) moves the names apart from a start just right of their points; it is deterministic
    for given positions when bounded by iterations (``iter_lim``; its default one-second time limit would
    make the result depend on the machine's speed). Names that moved away from their point get a thin
    leader line. The names take no part in the layout (``in_layout=False``), so the layout that adjustText
    saw is the one saved.
    """
    from adjustText import adjust_text

    texts = [
        ax.text(
            px,
            py,
            label,
            fontsize=POINT_LABEL_PT,
            color=PALETTE["ink"],
            ha="left",
            va="center",
            multialignment="left",
            in_layout=False,
            zorder=4,
        )  # fmt: skip
        for px, py, label in zip(x, y, labels, strict=True)
    ]
    if not texts:
        return texts
    # adjust_text draws the figure first (the constrained layout settles before the names are measured)
    adjust_text(
        texts,
        x=x,
        y=y,
        objects=list(avoid),
        ax=ax,
        iter_lim=500,
        time_lim=None,
        ensure_inside_axes=True,
        expand=(1.15, 1.4),
        force_text=(0.3, 0.5),
        force_static=(0.2, 0.4),
        min_arrow_len=8,
        arrowprops={
            "arrowstyle": "-",
            "color": PALETTE["grey"],
            "linewidth": 0.5,
            "shrinkA": 0,
            "shrinkB": 2,
        },
    )
    for arrow in ax.patches:
        if isinstance(arrow.patchA, Text):
            arrow.set_patchA(_TextBox(arrow.patchA))
    return texts


class _TextBox:
    """A leader line's start region: the bounding box of the name it leaves from, measured once per place
    and scale of the name.

    matplotlib clips a leader line at the edge of its name by bisection, asking at each step whether a
    point lies in the name (``Text.contains``, which lays the text out again every time: a quarter of
    saving the scatter). The answer comes from the same box each time, so this measures the box once for
    the name's text, display position and the figure's dpi, and answers from it: the same clipped line,
    the same SVG bytes."""

    def __init__(self, text: Text) -> None:
        self.text = text
        self._key: tuple | None = None
        self._box = None

    def contains(self, point) -> tuple[bool, dict]:
        text = self.text
        figure = text.get_figure(root=True)
        key = (figure.dpi, tuple(text._get_xy_display()), text.get_text())
        if key != self._key:
            self._key, self._box = key, Text.get_window_extent(text)
        box = self._box
        return box.x0 <= point.x <= box.x1 and box.y0 <= point.y <= box.y1, {}


# --------------------------------------------------------------------------------------- the charts
def capped_value_text(row: pd.Series, lang: str = "id", column: str = "achievement_capped_pct") -> str:
    """A program's capped capaian as the chart and the table write it: ``87,5%``, or ``120,0% (dibatasi
    120%)`` when the cap changed it (capped and uncapped capaian differ).

    >>> capped_value_text(pd.Series({"achievement_capped_pct": 120.0, "achievement_pct": 129.2, "cap_pct": 120.0}))
    '120,0% (dibatasi 120%)'
    >>> capped_value_text(pd.Series({"achievement_capped_pct": 98.7, "achievement_pct": 98.7, "cap_pct": 120.0}))
    '98,7%'
    """
    value = row.get(column)
    text = format_percent(value, lang=lang)
    uncapped, cap = row.get("achievement_pct"), row.get("cap_pct")
    if (
        column == "achievement_capped_pct"
        and not any(v is None or pd.isna(v) for v in (value, uncapped, cap))
        and abs(float(uncapped) - float(value)) > 1e-9
    ):
        text += " " + t("chart.capped", lang, cap=format_percent(cap, lang=lang, decimals=0))
    return text


def achievement_chart(
    programs: pd.DataFrame, lang: str = "id", label_column: str = "program_label", layout: str = "page"
) -> Figure:
    """Capaian per program as horizontal bars against the 100 % target line.

    ``programs``: ``achievement_program`` (one row per program). The bars show the **capped** capaian
    (``achievement_capped_pct``, each indicator capped at ``cap_pct`` before averaging), the value of the
    table under the chart and of the "met" rule; a bar whose program the cap changed says so beside its
    value ("120,0% (dibatasi 120%)", :func:`capped_value_text`). Bars: green when the capaian is ≥ 100 %,
    gold below; a program that cannot be computed is listed with the words "tidak dapat dihitung" instead
    of a bar. (A table without ``achievement_capped_pct`` falls back to ``achievement_pct``.) ``layout="phone"``: the same chart
    :data:`PHONE_WIDTH_IN` wide (names wrapped shorter), which the page layout carries (:func:`phone_layout`).
    """
    phone = layout == "phone"
    title = t("chart.achievement.title", lang)
    if programs.empty:
        return _empty(title, lang)
    value_column = "achievement_capped_pct" if "achievement_capped_pct" in programs else "achievement_pct"
    df = programs.assign(_label=program_labels(programs, label_column)).sort_values(
        [value_column, "program_code"], ascending=[True, True], na_position="first", kind="mergesort"
    )
    pct = df[value_column].astype("float64")
    if phone:
        fig, (ax,) = _figure(1.0 + 0.4 * len(df), width_in=PHONE_WIDTH_IN, max_height_in=np.inf)
    else:
        fig, (ax,) = _figure(0.8 + 0.34 * len(df))
    y = np.arange(len(df))
    met = pct >= 100
    colors = [PALETTE["green"] if m else PALETTE["gold"] for m in met]
    ax.barh(y, pct.fillna(0), color=colors, height=0.62, zorder=2)
    top = float(np.nanmax([130.0, *(pct.dropna() + 18)]))
    ax.set_xlim(0, top)
    ax.axvline(100, color=PALETTE["ink"], linestyle="--", linewidth=1, zorder=3)
    ax.text(
        100,
        len(df) - 0.35,
        " " + t("chart.target_line", lang),
        fontsize=NOTE_PT,
        color=PALETTE["ink"],
        va="bottom",
    )
    for yi, (_, row) in zip(y, df.iterrows(), strict=True):
        value = pct[row.name]
        text = (
            t("chart.not_computable", lang) if pd.isna(value) else capped_value_text(row, lang, value_column)
        )
        ax.text(
            (0 if pd.isna(value) else value) + top * 0.01,
            yi,
            text,
            va="center",
            fontsize=NOTE_PT,
            color=PALETTE["grey"] if pd.isna(value) else PALETTE["ink"],
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            zorder=4,
        )
    ax.set_yticks(y, [_wrap(v, 18 if phone else 34) for v in df["_label"]])
    ax.set_ylim(-0.6, len(df) - 0.1)
    ax.xaxis.set_major_formatter(_percent_axis(lang))
    ax.set_xlabel(t("chart.achievement.xlabel", lang), fontsize=LABEL_PT)
    ax.grid(axis="x", color=PALETTE["grey_light"], linewidth=0.6, zorder=0)
    handles = [
        ax.bar([0], [0], color=PALETTE["green"], label=t("chart.legend_met", lang)),
        ax.bar([0], [0], color=PALETTE["gold"], label=t("chart.legend_below", lang)),
    ]
    if phone:  # below the axes: on a narrow chart the bars reach the lower right corner
        ax.legend(
            handles=handles, fontsize=NOTE_PT, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1),
            ncols=2,
        )  # fmt: skip
    else:
        ax.legend(handles=handles, fontsize=NOTE_PT, frameon=False, loc="lower right")
    computed = pct.dropna()
    if computed.empty:
        alt = t("chart.achievement.alt_none", lang, n=len(df))
    else:
        low = df.loc[computed.idxmin()]
        alt = t(
            "chart.achievement.alt",
            lang,
            n=len(df),
            met=int(met.sum()),
            lowest=low["_label"],
            lowest_pct=capped_value_text(low, lang, value_column),
        )
    if not phone:
        setattr(fig, _PHONE_ATTR, lambda: achievement_chart(programs, lang, label_column, "phone"))
    return _finish(fig, title, alt)


def serapan_capaian_chart(
    programs: pd.DataFrame, lang: str = "id", label_column: str = "program_label", layout: str = "page"
) -> Figure:
    """Serapan anggaran (x) against capaian (y) per program, as four quadrants.

    ``programs``: ``achievement_program``. The vertical line is the share of the fiscal year elapsed at
    the end of the period (spending in step with a straight-line schedule), recovered from the table as
    ``serapan_pct / serapan_pace_pct × 100``; the horizontal line is the 100 % target. Programs flagged
    ``is_high_spend_low_output`` are drawn as vermillion triangles pointing down, ``is_low_spend_high_output``
    as sky-blue triangles pointing up, the rest as green dots (:mod:`analysis.publish.palette`); the legend
    lists only the groups present. Each point is named beside it, the names kept apart and inside the
    axes by adjustText (:func:`point_labels` gives them). ``layout="phone"``: :data:`PHONE_WIDTH_IN` wide,
    carried by the page layout (:func:`phone_layout`).
    """
    title = t("chart.serapan.title", lang)
    df = programs.dropna(subset=["serapan_pct", "achievement_pct"]) if not programs.empty else programs
    if df.empty:
        return _empty(title, lang)
    df = df.assign(_label=program_labels(df, label_column))
    pace = (df["serapan_pct"] / df["serapan_pace_pct"].where(df["serapan_pace_pct"] > 0) * 100).dropna()
    elapsed = float(pace.median()) if not pace.empty else np.nan
    high = df["is_high_spend_low_output"].fillna(False).astype(bool)
    low = df["is_low_spend_high_output"].fillna(False).astype(bool) & ~high
    other = ~high & ~low
    phone = layout == "phone"
    fig, (ax,) = _figure(4.8, width_in=PHONE_WIDTH_IN) if phone else _figure(4.6)
    x, y = df["serapan_pct"].astype("float64"), df["achievement_pct"].astype("float64")
    # colour-blind-safe colours (analysis.publish.palette) and a shape per group as the second cue
    groups = [
        (high, palette.HIGH_SPEND_LOW_OUTPUT, "v", "chart.serapan.legend_high"),
        (low, palette.LOW_SPEND_HIGH_OUTPUT, "^", "chart.serapan.legend_low"),
        (other, palette.OTHER, "o", "chart.serapan.legend_other"),
    ]
    for mask, color, marker, _key in groups:
        if mask.any():
            ax.scatter(
                x[mask], y[mask], s=38, c=color, marker=marker, edgecolors="white", linewidths=0.6, zorder=3
            )
    xmax = max(100.0, float(x.max()) + 5)
    ymin = min(90.0, 5 * np.floor((float(y.min()) - 6) / 5))
    ymax = max(110.0, 5 * np.ceil((float(y.max()) + 6) / 5))
    ax.set_xlim(0, xmax)
    ax.set_ylim(ymin, ymax)
    ax.axhline(100, color=PALETTE["ink"], linestyle="--", linewidth=0.9, zorder=1)
    # the lines' own labels sit at the axes' edges, where points are rare, and the names keep clear of them
    guides = [
        ax.text(
            xmax * 0.005,
            100,
            " " + t("chart.target_line", lang),
            fontsize=NOTE_PT,
            ha="left",
            va="bottom",
            in_layout=False,
        )  # fmt: skip
    ]
    if not np.isnan(elapsed):
        ax.axvline(elapsed, color=PALETTE["grey"], linestyle=":", linewidth=1, zorder=1)
        right = elapsed <= 0.6 * xmax  # the label reads away from the line, toward the wider side
        guides.append(
            ax.text(
                elapsed,
                ymax,
                (" " if right else "")
                + t("chart.serapan.elapsed", lang, pct=format_percent(elapsed, lang=lang, decimals=0))
                + ("" if right else " "),
                fontsize=NOTE_PT,
                color=PALETTE["grey"],
                ha="left" if right else "right",
                va="top",
                in_layout=False,
            )
        )
    ax.xaxis.set_major_formatter(_percent_axis(lang))
    ax.yaxis.set_major_formatter(_percent_axis(lang))
    ax.set_xlabel(t("chart.serapan.xlabel", lang), fontsize=LABEL_PT)
    ax.set_ylabel(t("chart.serapan.ylabel", lang), fontsize=LABEL_PT)
    ax.grid(color=PALETTE["grey_light"], linewidth=0.5, zorder=0)
    # the legend names only the groups that have a point, each with its own colour and shape
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=marker,
            markersize=6,
            markerfacecolor=color,
            markeredgecolor="white",
            label=t(key, lang),
        )  # fmt: skip
        for mask, color, marker, key in groups
        if mask.any()
    ]
    ax.legend(
        handles=handles,
        fontsize=NOTE_PT,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=1 if phone else len(handles),
    )
    labels = [_wrap(v, 16 if phone else 24) for v in df["_label"]]
    texts = _label_points(ax, x.to_numpy(), y.to_numpy(), labels, guides)
    setattr(fig, _POINT_LABELS_ATTR, texts)
    alt = t(
        "chart.serapan.alt",
        lang,
        n=len(df),
        high=int(high.sum()),
        low=int(low.sum()),
        elapsed=format_percent(elapsed, lang=lang, decimals=0),
    )
    if not phone:
        setattr(fig, _PHONE_ATTR, lambda: serapan_capaian_chart(programs, lang, label_column, "phone"))
    return _finish(fig, title, alt)


def _heat_rows(
    areas: pd.DataFrame, name_column: str, group_column: str | None
) -> list[tuple[str, str, object]]:
    """Display rows of the heat map: ("group", name, None) headers and ("area", name, row) lines."""
    rows: list[tuple[str, str, object]] = []
    if group_column is None:
        return [("area", str(r[name_column]), r) for _, r in areas.iterrows()]
    for group, block in areas.groupby(group_column, sort=True):
        rows.append(("group", str(group), None))
        rows += [("area", str(r[name_column]), r) for _, r in block.sort_values(name_column).iterrows()]
    return rows


def _split_rows(rows: list, panels: int) -> list[list]:
    """Cut ``rows`` into ``panels`` runs of similar length, never leaving a group header at a panel's end."""
    if panels == 1:
        return [rows]
    size = -(-len(rows) // panels)
    out, start = [], 0
    for _ in range(panels - 1):
        end = min(start + size, len(rows))
        while end > start + 1 and rows[end - 1][0] == "group":
            end -= 1
        out.append(rows[start:end])
        start = end
    out.append(rows[start:])
    return [p for p in out if p]


@functools.lru_cache(maxsize=1024)
def _cell_ink(value: float) -> str:
    """White or ink for a number written on the heat map's colour for ``value``: whichever contrasts more
    with the cell (WCAG 2 contrast ratio; an empty cell takes ink). Cached: a heat map asks for hundreds of
    cells with few distinct values."""
    if np.isnan(value):
        return PALETTE["ink"]
    from matplotlib.colors import to_hex

    cell = to_hex(SCORE_CMAP(value / 100))
    return (
        "white"
        if palette.contrast(cell, "#ffffff") > palette.contrast(cell, PALETTE["ink"])
        else PALETTE["ink"]
    )


@functools.lru_cache(maxsize=1024)
def _cell_number(value: float, lang: str) -> str:
    """A heat-map cell's number (no decimals), formatted once per value and language."""
    return format_number(value, lang=lang, decimals=0)


class _CellNumbers(Text):
    """All the numbers written in one heat-map panel as one artist: building a text artist per cell cost
    more than half of building the heat map (a few hundred cells). At each draw it writes every number as
    that cell's own centred text would (its layout, :meth:`Text._get_layout`, measured once per distinct
    string; the backend's ``draw_text`` with the text's anchor), so the SVG is the same, byte for byte
    (``tests/test_charts_shortcuts.py``). ``get_text`` gives the numbers, one line per cell. Inside the
    cells: not part of the layout (``in_layout=False``), not clipped."""

    def __init__(self, cells: list[tuple[float, float, str, str]], fontsize: float) -> None:
        super().__init__(
            0, 0, "\n".join(c[2] for c in cells), fontsize=fontsize, ha="center", va="center", zorder=3,
            in_layout=False, clip_on=False,
        )  # fmt: skip
        self._cells = cells

    def draw(self, renderer) -> None:
        if renderer is None or not self.get_visible() or not self._cells:
            return
        from matplotlib.colors import to_rgba

        cell = Text(0, 0, "", fontproperties=self._fontproperties, ha="center", va="center")
        cell.set_figure(self.get_figure(root=False))
        cell.set_transform(self.get_transform())
        positions = self.get_transform().transform([(x, y) for x, y, _, _ in self._cells])
        height = renderer.get_canvas_width_height()[1]
        offsets: dict[str, tuple[float, float]] = {}
        for (x, y, text, ink), (px, py) in zip(self._cells, positions, strict=True):
            cell.set_text(text)
            if text not in offsets:
                offsets[text] = cell._get_layout(renderer)[1][0][2]
            dx, dy = offsets[text]
            cell._x, cell._y = x, y  # the anchor the backend writes (``text-anchor: middle`` at the cell)
            renderer.open_group("text", None)
            gc = renderer.new_gc()
            gc.set_foreground(to_rgba(ink), isRGBA=True)
            gc.set_antialiased(cell._antialiased)
            gc.set_snap(cell.get_snap())
            y_draw = height - (py + dy) if renderer.flipy() else py + dy
            renderer.draw_text(gc, px + dx, y_draw, text, self._fontproperties, 0.0, ismath=False, mtext=cell)
            gc.restore()
            renderer.close_group("text")
        self.stale = False


def _write_cell_numbers(ax, cells: list[tuple[float, float, str, str]], fontsize: float) -> None:
    """Write ``(x, y, text, ink)`` centred in the heat map's cells (one :class:`_CellNumbers`)."""
    ax.add_artist(_CellNumbers(cells, fontsize))


#: Space above a chart laid out by fixed rules, over its title (points).
_TOP_PAD_PT = 4.0
#: Rotation of the heat map's column headers (degrees).
_HEAD_ROTATION = 35


def _fitted_title(title: str, width_pt: float) -> str:
    """``title`` wrapped into as few lines as fit ``width_pt`` at the charts' title size (bold)."""
    for chars in range(len(title), 8, -1):
        wrapped = _wrap(title, chars)
        if _text_width_pt(wrapped, TITLE_PT, "bold") <= width_pt:
            return wrapped
    return _wrap(title, 8)


def _place_heat_panels(
    fig: Figure,
    axes: list,
    parts: list,
    headers: list[str],
    name_pt: float,
    head_pt: float,
    wrap: int,
    title: str,
) -> str:
    """Place the heat map's panels by fixed rules instead of the constrained layout (which measures all
    row names and headers at each layout pass, twice per save): left of each panel the width of its
    longest row name (measured, :func:`_text_width_pt`; group names in bold), above the panels the
    rotated headers' height and the title (wrapped to the figure's width: a phone's is narrow), right of a
    panel what its last header reaches beyond it. Saved whole (:data:`_FIXED_ATTR`). Returns the title
    as it fits."""
    import math

    width, height = (float(v) * 72 for v in fig.get_size_inches())
    pad = 3.5 + 4  # tick label pad (tick length 0) and a margin
    names = [
        max(
            _text_width_pt(_wrap(name, wrap), name_pt, "bold" if kind == "group" else "normal")
            for kind, name, _ in part
        )
        + pad
        for part in parts
    ]
    sin, cos = math.sin(math.radians(_HEAD_ROTATION)), math.cos(math.radians(_HEAD_ROTATION))
    line = head_pt * 1.2
    reach = [_text_width_pt(h, head_pt) * cos + line * sin for h in headers]  # to the right of its column
    rise = max(_text_width_pt(h, head_pt) * sin + line * cos for h in headers) + 3.5  # above the panel
    n, columns = len(parts), len(headers)
    right, gaps = 4.0, names[1:]
    for _ in range(3):  # the headers' reach beyond a panel depends on the cell width, which depends on it
        cell = (width - names[0] - sum(gaps) - right) / n / columns
        beyond = max(r - cell * (columns - 1 - j + 0.5) for j, r in enumerate(reach))
        right = max(4.0, beyond + 2)
        gaps = [max(g, beyond + 4) for g in names[1:]]
    title = _fitted_title(title, width - 0.02 * width - 4)  # the title starts at x = 0.01 (_finish)
    top = _TOP_PAD_PT + TITLE_PT * (1.2 * title.count("\n") + 1.25) + 4 + rise
    bottom = 3.0
    x = names[0]
    for ax, gap in zip(axes, [0.0, *gaps], strict=True):
        x += gap
        ax.set_position(
            [x / width, bottom / height, cell * columns / width, (height - top - bottom) / height]
        )
        x += cell * columns
    setattr(fig, _FIXED_ATTR, True)
    return title


def principle_heatmap(
    areas: pd.DataFrame,
    lang: str = "id",
    name_column: str = "kelurahan_name",
    group_column: str | None = "kecamatan_name",
    layout: str = "page",
    medians: dict[str, float] | pd.Series | None = None,
) -> Figure:
    """Principle scores and the index (0–100) per area as a heat map with the values written in.

    The alt text names the weakest principle by :func:`weakest_principles` of ``medians``: pass the
    medians over the scored RTs (``analysis.publish.content.messages.principle_medians``, as the briefing
    does) so that the chart and the key message name the same principle with the same median; without
    them, the medians over the areas shown.

    ``areas``: ``index_kelurahan`` (default) or ``index_kecamatan`` (``name_column="kecamatan_name"``,
    ``group_column=None``): one row per area, household-weighted scores of its scored RTs. Areas are
    grouped under their kecamatan; long lists are laid out in two panels side by side to fit an A4 page.
    An area without scored RTs shows "—". Numbers are written in white or ink, whichever contrasts more
    with their cell.

    Laid out by :func:`_place_heat_panels` (fixed rules from the measured names and headers, no layout
    engine); the numbers of a panel are drawn by one artist (:class:`_CellNumbers`).

    ``layout="phone"``: one panel :data:`PHONE_WIDTH_IN` wide, as long as the list, with larger type,
    so that a phone shows it at about its own size and the numbers can be read. The page layout carries
    its phone layout with it (:func:`show` sends both; the report shows the phone one on narrow screens).
    """
    phone = layout == "phone"
    title = t("chart.heatmap.title", lang)
    if areas.empty:
        return _empty(title, lang)
    columns = [*PRINCIPLES, "index"]
    rows = _heat_rows(areas, name_column, group_column)
    panels = 2 if len(rows) > 30 and not phone else 1
    parts = _split_rows(rows, panels)
    longest = max(len(p) for p in parts)
    if phone:
        fig, axes = _figure(1.3 + 0.25 * longest, width_in=PHONE_WIDTH_IN, max_height_in=np.inf, layout=None)
    else:
        fig, axes = _figure(1.0 + 0.19 * longest, ncols=len(parts), layout=None)
    cell_pt, name_pt, head_pt = (8.0, 7.5, 7.5) if phone else (6.3, 6.5, 6.8)
    headers = [t(f"principles.{p}", lang) for p in PRINCIPLES] + [t("chart.heatmap.index", lang)]
    for ax, part in zip(axes, parts, strict=True):
        values = np.array(
            [
                [np.nan] * len(columns) if kind == "group" else [float(r[c]) for c in columns]
                for kind, _, r in part
            ],
            dtype="float64",
        )
        masked = np.ma.masked_invalid(values)
        ax.imshow(masked, cmap=SCORE_CMAP, vmin=0, vmax=100, aspect="auto", interpolation="nearest")
        cells = []
        for i, (kind, _name, _r) in enumerate(part):
            if kind == "group":
                ax.axhspan(i - 0.5, i + 0.5, color="white", zorder=2)
                continue
            for j in range(len(columns)):
                v = values[i, j]
                if np.isnan(v):
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, color=PALETTE["band"], zorder=1))
                cells.append((j, i, "—" if np.isnan(v) else _cell_number(float(v), lang), _cell_ink(v)))
        _write_cell_numbers(ax, cells, cell_pt)
        ax.set_xticks(range(len(columns)), headers, rotation=35, ha="left", fontsize=head_pt)
        ax.xaxis.tick_top()
        ax.set_yticks(
            range(len(part)), [_wrap(name, 20 if phone else 26) for _, name, _ in part], fontsize=name_pt
        )
        for tick, (kind, _, _) in zip(ax.get_yticklabels(), part, strict=True):
            if kind == "group":
                tick.set_fontweight("bold")
                tick.set_color(PALETTE["green"])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.axvline(len(PRINCIPLES) - 0.5, color="white", linewidth=2, zorder=4)
    scored = areas.dropna(subset=["index"])
    if scored.empty:
        alt = t("chart.heatmap.alt_none", lang, n=len(areas))
    else:
        if medians is None:
            medians = {p: float(scored[p].median()) for p in PRINCIPLES}
        medians = dict(medians)
        weakest = weakest_principles(medians)
        names = [t(f"principles.{p}", lang) for p in weakest]
        alt = t(
            "chart.heatmap.alt" if len(weakest) == 1 else "chart.heatmap.alt_tie",
            lang,
            n=len(areas),
            scored=len(scored),
            weakest=names[0]
            if len(names) == 1
            else ", ".join(names[:-1]) + f" {t('msg.and', lang)} " + names[-1],
            median=format_number(medians[weakest[0]], lang=lang, decimals=WEAKEST_DECIMALS),
        )
    if not phone:
        setattr(
            fig,
            _PHONE_ATTR,
            lambda: principle_heatmap(areas, lang, name_column, group_column, "phone", medians),
        )
    title = _place_heat_panels(fig, axes, parts, headers, name_pt, head_pt, 20 if phone else 26, title)
    fig = _finish(fig, title, alt)
    fig._suptitle.set_y(1 - _TOP_PAD_PT / (fig.get_figheight() * 72))  # a fixed distance from the top
    return fig


#: Decimals at which two principle medians count as tied: those the briefing shows (``30,0``).
WEAKEST_DECIMALS = 1


def weakest_principles(medians: dict[str, float] | pd.Series, decimals: int = WEAKEST_DECIMALS) -> list[str]:
    """The principle(s) with the lowest median, tie-aware: every principle whose median, rounded half up to
    ``decimals`` (as it is shown), equals the lowest; in the order given. Missing medians are skipped.

    One rule for every text that names a weakest principle (the briefing's key message, the heat map's alt
    text), so a reader never sees one principle called weakest beside another with the same median.

    >>> weakest_principles({"transparansi": 30.04, "partisipatif": 29.96, "akuntabilitas": 55.0})
    ['transparansi', 'partisipatif']
    >>> weakest_principles({"transparansi": 30.2, "partisipatif": 30.0})
    ['partisipatif']
    >>> weakest_principles({"transparansi": float("nan")})
    []
    """
    items = dict(medians)
    scale = 10.0**decimals
    shown = {
        p: np.floor(v * scale + 0.5) / scale for p, v in items.items() if v is not None and not pd.isna(v)
    }
    if not shown:
        return []
    low = min(shown.values())
    return [p for p, v in shown.items() if v == low]


def rt_label(row: pd.Series) -> str:
    """``RT 003 · Simpang IV Sipin`` (RT number and kelurahan) for axis labels and tables."""
    number = row.get("rt_number")
    num = f"{int(number):03d}" if number is not None and not pd.isna(number) else str(row.get("rt_code"))
    return f"RT {num} · {row.get('kelurahan_name', '')}"


def rank_interval_chart(
    rt_index: pd.DataFrame,
    lang: str = "id",
    n: int = 10,
    rank_columns: Sequence[str] = ("rank", "rank_p05", "rank_p95"),
) -> Figure:
    """Top and bottom ``n`` scored RTs: nominal rank (dot) with its 5–95 % simulated interval (whisker).

    ``rt_index``: one row per RT; only RTs with a rank are drawn (a rank is never shown without its
    interval). ``rank_columns`` selects the overall or the in-group ranks
    (``("rank_in_group", "rank_in_group_p05", "rank_in_group_p95")``).
    """
    title = t("chart.ranks.title", lang)
    rank, p05, p95 = rank_columns
    ranked = rt_index.dropna(subset=[rank, p05, p95]) if not rt_index.empty else rt_index
    if ranked.empty:
        return _empty(title, lang)
    ranked = ranked.sort_values([rank, "rt_code"], kind="mergesort")
    total = len(ranked)
    top = ranked.head(n)
    bottom = ranked.tail(n) if total > n else ranked.iloc[0:0]
    bottom = bottom[~bottom["rt_code"].isin(top["rt_code"])]
    blocks = [(t("chart.ranks.top", lang, n=len(top)), top)]
    if not bottom.empty:
        blocks.append((t("chart.ranks.bottom", lang, n=len(bottom)), bottom))
    fig, axes = _figure(0.9 + 0.26 * max(len(b) for _, b in blocks), ncols=len(blocks))
    for ax, (subtitle, block) in zip(axes, blocks, strict=True):
        y = np.arange(len(block))[::-1]
        r = block[rank].astype("float64").to_numpy()
        lo, hi = block[p05].astype("float64").to_numpy(), block[p95].astype("float64").to_numpy()
        ax.hlines(y, lo, hi, color=PALETTE["green_light"], linewidth=3, zorder=2)
        ax.scatter(r, y, s=22, color=PALETTE["green"], zorder=3)
        ax.set_yticks(y, [rt_label(row) for _, row in block.iterrows()], fontsize=6.8)
        ax.set_title(subtitle, fontsize=LABEL_PT, loc="left", color=PALETTE["ink"])
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.xaxis.set_major_formatter(_number_axis(lang))
        ax.set_xlabel(t("chart.ranks.xlabel", lang, total=format_number(total, lang=lang)), fontsize=LABEL_PT)
        ax.grid(axis="x", color=PALETTE["grey_light"], linewidth=0.5, zorder=0)
    widest = ranked.assign(_w=ranked[p95] - ranked[p05]).sort_values("_w", ascending=False).iloc[0]
    alt = t(
        "chart.ranks.alt",
        lang,
        n=len(top),
        total=total,
        width=format_number(float(np.median(ranked[p95] - ranked[p05])), lang=lang, decimals=0),
        widest=rt_label(widest),
    )
    return _finish(fig, title, alt)


def rejections_chart(by_reason: pd.DataFrame, lang: str = "id") -> Figure:
    """Rejected rows by reason as horizontal bars.

    ``by_reason``: one row per reason code with ``reason_code`` and ``rows`` (rows rejected for it; a row
    rejected for two reasons counts under both), as :func:`analysis.publish.content.quality_tables.rejections_by_reason` gives.
    """
    title = t("chart.rejections.title", lang)
    if by_reason.empty:
        return _empty(title, lang)
    df = by_reason.sort_values(["rows", "reason_code"], ascending=[True, False], kind="mergesort")
    fig, (ax,) = _figure(0.8 + 0.28 * len(df))
    y = np.arange(len(df))
    ax.barh(y, df["rows"], color=PALETTE["gold"], height=0.6, zorder=2)
    for yi, v in zip(y, df["rows"], strict=True):
        ax.text(v, yi, " " + format_number(int(v), lang=lang), va="center", fontsize=NOTE_PT)
    ax.set_yticks(y, [_wrap(reason_text(c, lang), 40) for c in df["reason_code"]])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_number_axis(lang))
    ax.set_xlim(0, float(df["rows"].max()) * 1.15 + 0.5)
    ax.set_xlabel(t("chart.rejections.xlabel", lang), fontsize=LABEL_PT)
    ax.grid(axis="x", color=PALETTE["grey_light"], linewidth=0.5, zorder=0)
    top = df.iloc[-1]
    alt = t(
        "chart.rejections.alt",
        lang,
        n=len(df),
        total=int(df["rows"].sum()),
        top=reason_text(top["reason_code"], lang),
        top_n=int(top["rows"]),
    )
    return _finish(fig, title, alt)


def reason_text(code: str, lang: str = "id") -> str:
    """The catalogue's words for a rejection reason code (``nb.reason.<code>``), or the code itself."""
    try:
        return t(f"nb.reason.{code}", lang)
    except KeyError:
        return str(code)


def principle_distribution_chart(rt_index: pd.DataFrame, lang: str = "id") -> Figure:
    """Distribution (box plot) of each principle score and the index, 2025 pilot RTs next to the others.

    ``rt_index``: one row per RT; only scored RTs (non-missing ``index``) enter. Boxes: quartiles, whiskers
    1.5 IQR, the median as a line.
    """
    title = t("chart.distribution.title", lang)
    scored = rt_index.dropna(subset=["index"]) if not rt_index.empty else rt_index
    if scored.empty:
        return _empty(title, lang)
    columns = [*PRINCIPLES, "index"]
    names = [t(f"principles.{p}", lang) for p in PRINCIPLES] + [t("chart.heatmap.index", lang)]
    groups = [
        (
            t("chart.distribution.pilot", lang),
            scored[scored["is_pilot"].fillna(False).astype(bool)],
            PALETTE["gold"],
        ),
        (
            t("chart.distribution.other", lang),
            scored[~scored["is_pilot"].fillna(False).astype(bool)],
            PALETTE["green"],
        ),
    ]
    groups = [g for g in groups if not g[1].empty]
    fig, (ax,) = _figure(3.4)
    width = 0.8 / len(groups)
    for k, (label, block, color) in enumerate(groups):
        positions = np.arange(len(columns)) + (k - (len(groups) - 1) / 2) * width
        data = [block[c].dropna().astype("float64").to_numpy() for c in columns]
        parts = ax.boxplot(
            data,
            positions=positions,
            widths=width * 0.85,
            patch_artist=True,
            showfliers=False,
            medianprops={"color": PALETTE["ink"], "linewidth": 1.2},
            whiskerprops={"color": PALETTE["grey"]},
            capprops={"color": PALETTE["grey"]},
        )
        for box in parts["boxes"]:
            box.set_facecolor(color)
            box.set_alpha(0.85)
            box.set_edgecolor(PALETTE["grey"])
        ax.bar([0], [0], color=color, label=t("chart.distribution.legend", lang, group=label, n=len(block)))
    ax.set_xticks(range(len(columns)), names, fontsize=TICK_PT)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(_number_axis(lang))
    ax.set_ylabel(t("chart.distribution.ylabel", lang), fontsize=LABEL_PT)
    ax.grid(axis="y", color=PALETTE["grey_light"], linewidth=0.5, zorder=0)
    ax.legend(fontsize=NOTE_PT, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2)
    medians = {label: float(block["index"].median()) for label, block, _ in groups}
    alt = t(
        "chart.distribution.alt",
        lang,
        groups="; ".join(f"{g}: {format_number(m, lang=lang, decimals=1)}" for g, m in medians.items()),
    )
    return _finish(fig, title, alt)


def trajectory_chart(trajectory: pd.DataFrame, lang: str = "id") -> Figure:
    """One RT's index period by period (a line with a point per period, its rank written at each point).

    ``trajectory``: :meth:`analysis.evaluate.history.History.trajectory` (one row per period, oldest first;
    an unscored period has no ``index`` and leaves a gap).
    """
    rt = str(trajectory["rt_code"].iloc[0]) if not trajectory.empty else "—"
    title = t("chart.trajectory.title", lang, rt=rt)
    scored = trajectory.dropna(subset=["index"]) if not trajectory.empty else trajectory
    if scored.empty:
        return _empty(title, lang)
    periods = trajectory["period"].tolist()
    x = np.arange(len(periods))
    y = trajectory["index"].astype("float64").to_numpy()
    fig, (ax,) = _figure(2.8)
    ax.plot(x, y, color=PALETTE["green"], marker="o", linewidth=1.6, zorder=3)
    for xi, yi, rank in zip(x, y, trajectory["rank"], strict=True):
        if not np.isnan(yi) and not pd.isna(rank):
            ax.annotate(
                t("chart.trajectory.rank", lang, rank=int(rank)),
                (xi, yi), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=NOTE_PT,
                color=PALETTE["ink"],
            )  # fmt: skip
    ax.set_xticks(x, periods, fontsize=TICK_PT)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(_number_axis(lang))
    ax.set_ylabel(t("chart.trajectory.ylabel", lang), fontsize=LABEL_PT)
    ax.grid(axis="y", color=PALETTE["grey_light"], linewidth=0.5, zorder=0)
    first, last = scored.iloc[0], scored.iloc[-1]
    alt = t(
        "chart.trajectory.alt",
        lang,
        rt=rt,
        n=len(scored),
        first=first["period"],
        first_value=format_number(first["index"], lang=lang, decimals=1),
        last=last["period"],
        last_value=format_number(last["index"], lang=lang, decimals=1),
    )
    return _finish(fig, title, alt)


def movers_chart(
    movers: pd.DataFrame, lang: str = "id", label_column: str = "kelurahan_name", n: int = 8
) -> Figure:
    """The ``n`` largest rises and ``n`` largest falls of the index (horizontal bars, points).

    ``movers``: :meth:`analysis.evaluate.history.History.movers` (largest increase first).
    """
    if movers.empty:
        return _empty(t("chart.movers.title", lang, start="—", end="—"), lang)
    title = t("chart.movers.title", lang, start=movers["period_start"].min(), end=movers["period_end"].max())
    shown = pd.concat([movers.head(n), movers.tail(n)]).drop_duplicates(subset=[label_column, "index_change"])
    shown = shown.sort_values("index_change")
    labels = [_label(v, "—") for v in shown[label_column]]
    values = shown["index_change"].astype("float64").to_numpy()
    fig, (ax,) = _figure(0.6 + 0.22 * len(shown))
    colors = [palette.RISE if v >= 0 else palette.FALL for v in values]  # told apart by every reader
    ax.barh(np.arange(len(shown)), values, color=colors, zorder=3)
    ax.set_yticks(np.arange(len(shown)), labels, fontsize=TICK_PT)
    ax.axvline(0, color=PALETTE["grey"], linewidth=0.8)
    ax.xaxis.set_major_formatter(_number_axis(lang))
    ax.set_xlabel(t("chart.movers.xlabel", lang), fontsize=LABEL_PT)
    ax.grid(axis="x", color=PALETTE["grey_light"], linewidth=0.5, zorder=0)
    top, bottom = movers.iloc[0], movers.iloc[-1]
    alt = t(
        "chart.movers.alt",
        lang,
        n=len(movers),
        top=_label(top[label_column], "—"),
        top_change=format_number(top["index_change"], lang=lang, decimals=1),
        bottom=_label(bottom[label_column], "—"),
        bottom_change=format_number(bottom["index_change"], lang=lang, decimals=1),
    )
    return _finish(fig, title, alt)


# ------------------------------------------------------------------------------------------ trends
def _short_period(code: str) -> str:
    """``2025-TW3`` → ``TW3\\n2025`` (two short lines under a small panel)."""
    head, _, tail = str(code).partition("-")
    return f"{tail}\n{head}" if tail else str(code)


#: Height of a small panel's title in axes units: the top of the panel, where matplotlib would place it
#: anyway (its tick labels are below, nothing to clear); given, so that matplotlib does not measure every
#: panel's axes again at each draw to find it.
_TITLE_Y = 1.0


_TREND_TICK_PT = 6
_TREND_TITLE_PT = 7


def _trend_grid(n: int, ncols: int, panel_height_in: float) -> tuple[Figure, list]:
    """``n`` small panels in rows of ``ncols`` sharing both axes: the periods are written under the lowest
    panel of each column only, the values left of the first column only."""
    nrows = int(np.ceil(n / ncols))
    fig = Figure(figsize=(A4_WIDTH_IN, min(0.6 + panel_height_in * nrows, MAX_HEIGHT_IN)))
    grid = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
    axes = grid.ravel().tolist()
    for ax in axes[n:]:
        fig.delaxes(ax)
    for i, ax in enumerate(axes[:n]):
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(PALETTE["grey"])
        ax.tick_params(labelsize=_TREND_TICK_PT, colors=PALETTE["ink"], length=2)
        ax.xaxis.set_tick_params(labelbottom=i + ncols >= n)  # no panel below: its periods are written
        ax.grid(axis="y", color=PALETTE["grey_light"], linewidth=0.5, zorder=0)
    setattr(fig, _FIXED_ATTR, True)
    return fig, axes[:n]


@functools.lru_cache(maxsize=4096)
def _text_width_pt(text: str, size: float, weight: str = "normal") -> float:
    """Width in points of the widest line of ``text`` at ``size`` pt in the charts' font, as matplotlib
    measures it for the SVG (glyph advances of DejaVu Sans, no hinting)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size, weight=weight)
    return max(
        (
            text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
            for line in text.split("\n")
            if line
        ),
        default=0.0,
    )


def _place_trend_grid(fig: Figure, axes: list, ncols: int) -> None:
    """Place the small panels of :func:`_trend_grid` by fixed rules instead of matplotlib's constrained
    layout, which measures every panel's tick labels and titles at each layout pass (twice per save).

    What the margins must hold is known from the texts: left, the widest value label of the shared y axis
    (measured, :func:`_text_width_pt`); above each row, the tallest panel title of that row (7 pt lines);
    below, two lines of period labels (6 pt); on top, the chart's title. Call it after the panels are
    filled (titles, limits, ticks)."""
    n = len(axes)
    nrows = int(np.ceil(n / ncols))
    width, height = (float(v) * 72 for v in fig.get_size_inches())
    first = axes[0]
    low, high = first.get_ylim()
    formatter = first.yaxis.get_major_formatter()
    values = [v for v in first.yaxis.get_major_locator()() if low - 1e-9 <= v <= high + 1e-9]
    formatter.set_locs(values)
    label_w = max(
        (_text_width_pt(formatter(v, i), _TREND_TICK_PT) for i, v in enumerate(values)), default=0.0
    )
    tick = 2 + float(first.yaxis.get_major_ticks()[0].get_pad()) if values else 0.0

    def title_height(ax) -> float:
        text = max((ax.get_title(loc) for loc in ("left", "center", "right")), key=lambda v: v.count("\n"))
        lines = text.count("\n") + 1 if text else 0
        return 0.0 if not lines else 6 + _TREND_TITLE_PT * (1.2 * (lines - 1) + 0.95)

    rows = [axes[r * ncols : (r + 1) * ncols] for r in range(nrows)]
    titles = [max(title_height(ax) for ax in row) for row in rows]
    left = label_w + tick + 5
    right = 6.0
    top = 0.02 * height + TITLE_PT * 1.2 + 5 + titles[0]
    bottom = 2 + 3.5 + _TREND_TICK_PT * 2.2 + 4
    col_gap = 9.0
    row_gap = max(titles[1:], default=0.0) + 7
    panel_w = (width - left - right - (ncols - 1) * col_gap) / ncols
    panel_h = (height - top - bottom - (nrows - 1) * row_gap) / nrows
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=col_gap / panel_w,
        hspace=row_gap / panel_h if nrows > 1 else 0.0,
    )


def program_trend_chart(trend: pd.DataFrame, lang: str = "id", ncols: int = 4) -> Figure:
    """Capaian per program across periods: one small panel per program (a line over the periods, the
    100 % target dashed, each point green when the target was met and gold below, the last value in the
    panel's title). The panels share both axes: the periods are written under the lowest panel of each
    column, the percentages left of the first column (:func:`_trend_grid`, placed by
    :func:`_place_trend_grid`).

    ``trend``: :func:`analysis.publish.content.trends.program_trend` (``achievement_capped_pct``, the value
    the briefing's tables show: capped at ``cap_pct``, said in the title).
    """
    title = t("chart.program_trend.title", lang)
    periods = list(dict.fromkeys(trend["period"])) if not trend.empty else []
    if len(periods) < 2:
        return _empty(title, lang)
    cap = trend["cap_pct"].dropna()
    if len(cap):
        title = t(
            "chart.program_trend.title_cap",
            lang,
            cap=format_percent(float(cap.iloc[0]), lang=lang, decimals=0),
        )
    programs = list(dict.fromkeys(trend.sort_values("program_code")["program_code"]))
    fig, axes = _trend_grid(len(programs), ncols, 1.05)
    values = trend["achievement_capped_pct"].astype("float64")
    low = float(np.nanmin([90.0, *(values.dropna() - 5)]))
    high = float(np.nanmax([110.0, *(values.dropna() + 8)]))
    x_of = {p: i for i, p in enumerate(periods)}
    met_last, falling = 0, []
    for ax, code in zip(axes, programs, strict=True):
        rows = trend[trend["program_code"] == code]
        x = rows["period"].map(x_of).to_numpy()
        y = rows["achievement_capped_pct"].astype("float64").to_numpy()
        ax.axhline(100, color=PALETTE["ink"], linestyle="--", linewidth=0.7, zorder=1)
        ax.plot(x, y, color=PALETTE["grey"], linewidth=1.1, zorder=2)
        ax.scatter(x, y, s=9, zorder=3,
                   color=[PALETTE["green"] if v >= 100 else PALETTE["gold"] for v in np.nan_to_num(y)])  # fmt: skip
        known = ~np.isnan(y)
        name = str(rows["program_label"].iloc[-1])
        last_text = ""
        if known.any() and x[known][-1] == len(periods) - 1:  # the value of the last period, not an older one
            last_y = y[known][-1]
            met_last += int(last_y >= 100)
            last_text = format_percent(last_y, lang=lang)
            if known.sum() >= 2 and y[known][-1] < y[known][-2]:
                falling.append(name)
        # the last value in the panel's title, never on the line it would cover
        ax.set_title(f"{_wrap(name, 22)} · {last_text}" if last_text else _wrap(name, 22), fontsize=7,
                     color=PALETTE["ink"], loc="left", y=_TITLE_Y)  # fmt: skip
        ax.set_xticks(range(len(periods)), [_short_period(p) for p in periods])
        ax.set_xlim(-0.4, len(periods) - 0.6)
        ax.set_ylim(low, high)
        ax.yaxis.set_major_formatter(_percent_axis(lang))
        ax.yaxis.set_major_locator(MaxNLocator(3))
    alt = t(
        "chart.program_trend.alt",
        lang,
        n=len(programs),
        first=periods[0],
        last=periods[-1],
        met=met_last,
        falling=", ".join(falling) if falling else "—",
    )
    _place_trend_grid(fig, axes, ncols)
    return _finish(fig, title, alt)


def principle_trend_chart(trend: pd.DataFrame, lang: str = "id") -> Figure:
    """The median score of each principle and of the index over the scored RTs, across periods: five small
    panels in a row (0–100, the last value in each panel's title). ``trend``:
    :func:`analysis.publish.content.trends.principle_trend`."""
    title = t("chart.principle_trend.title", lang)
    periods = list(dict.fromkeys(trend["period"])) if not trend.empty else []
    if len(periods) < 2:
        return _empty(title, lang)
    keys = [*PRINCIPLES, "index"]
    fig, axes = _trend_grid(len(keys), len(keys), 1.7)
    x_of = {p: i for i, p in enumerate(periods)}
    changes = []
    for ax, key in zip(axes, keys, strict=True):
        rows = trend[trend["principle"] == key]
        x = rows["period"].map(x_of).to_numpy()
        y = rows["median"].astype("float64").to_numpy()
        color = PALETTE["green"] if key != "index" else PALETTE["ink"]
        ax.plot(x, y, color=color, marker="o", markersize=2.5, linewidth=1.3, zorder=3)
        if len(y):
            name = t(f"principles.{key}", lang) if key != "index" else t("chart.heatmap.index", lang)
            changes.append(
                t("chart.principle_trend.alt_item", lang, name=name,
                  first=format_number(y[0], lang=lang, decimals=1), last=format_number(y[-1], lang=lang, decimals=1))
            )  # fmt: skip
        label = t(f"principles.{key}", lang) if key != "index" else t("chart.heatmap.index", lang)
        if len(y):  # the last value in the title, never over the line
            label += " · " + format_number(y[-1], lang=lang, decimals=1)
        ax.set_title(label, fontsize=7, color=PALETTE["ink"], loc="left", y=_TITLE_Y)
        ax.set_xticks(range(len(periods)), [_short_period(p) for p in periods])
        ax.set_xlim(-0.4, len(periods) - 0.6)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(_number_axis(lang))
    alt = t("chart.principle_trend.alt", lang, first=periods[0], last=periods[-1], items="; ".join(changes))
    _place_trend_grid(fig, axes, len(keys))
    return _finish(fig, title, alt)
