"""Interactive tables for the analysts' notebooks: itables (sort, search, page; offline) and ipywidgets
filters (kecamatan, kelurahan, RT, program). Not for the briefing: leadership reads a fixed page.

- :func:`init` loads the DataTables library into the notebook once (``itables.init_notebook_mode`` with
  ``connected=False``: the library is in that cell's output, so the exported HTML needs no internet and no
  kernel). DataFrames keep pandas' own display (``all_interactive=False``): notebooks executed one after
  the other in one process (``--engine inprocess``) must not change each other's display.
- :func:`show_table` shows a DataFrame as an interactive table.
- :class:`FilteredTable` is a row of drop-downs (one per filter column present) above the table; choosing
  a value re-draws the table (in a running kernel). Its display also carries the whole table as
  ``text/html``, which the analysts' export (``nbtemplates/analyst``) shows in place of the widget: the
  HTML file has the table with DataTables' own search box, and no widget. The whole table's HTML is made
  once: the first draw of the widget and that ``text/html`` are the same string (a frontend shows one of
  the two, never both).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd

#: Filter columns of the analysts' notebooks, in the order the drop-downs appear.
FILTER_COLUMNS = ("kecamatan_name", "kelurahan_name", "rt_code", "program_label")

#: The drop-down value that keeps every row.
ALL = "(semua)"

#: Largest table (bytes of data) shown whole; itables would otherwise drop rows above its default 64 kB.
MAX_BYTES = 4 * 2**20


def init() -> None:
    """Load the DataTables library into the notebook (offline: the library is in this cell's output)."""
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)


def table_html(df: pd.DataFrame, caption: str | None = None) -> str:
    """The HTML of an interactive table of ``df`` (offline: needs :func:`init`'s output on the page)."""
    import itables

    return itables.to_html_datatable(
        df.reset_index(drop=True), caption=caption, connected=False, maxBytes=MAX_BYTES, showIndex=False
    )


def show_table(df: pd.DataFrame, caption: str | None = None) -> None:
    """Display ``df`` as an interactive table."""
    from IPython.display import HTML, display

    display(HTML(table_html(df, caption)))


#: Columns of the analysts' tables whose values are category codes, and the catalogue section that names them.
VALUE_LABELS = {"achievement_level": "levels", "status": "nb.status", "category": "nb.category"}


def localize(df: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """``df`` with the category values of :data:`VALUE_LABELS` in ``lang`` (the data keep the Indonesian
    codes; an English run shows "Very high", "scored", "Good").

    >>> df = pd.DataFrame({"category": ["Baik Sekali", None], "status": ["dinilai", "dinilai"]})
    >>> localize(df, "en").values.tolist()
    [['Very good', 'scored'], ['—', 'scored']]
    """
    from analysis.publish.content.common import label_of

    out = df.copy()
    for column, section in VALUE_LABELS.items():
        if column in out.columns:
            out[column] = [label_of(section, v, lang) for v in out[column]]
    return out


def select_rows(df: pd.DataFrame, selection: dict[str, str]) -> pd.DataFrame:
    """The rows of ``df`` whose columns have the selected values (:data:`ALL` keeps every row).

    >>> df = pd.DataFrame({"kelurahan_name": ["Murni", "Beringin"], "index": [1.0, 2.0]})
    >>> select_rows(df, {"kelurahan_name": "Beringin"})["index"].tolist()
    [2.0]
    """
    keep = pd.Series(True, index=df.index)
    for column, value in selection.items():
        if value != ALL:
            keep &= df[column].astype("string") == value
    return df[keep]


class FilteredTable(widgets.VBox):
    """Drop-downs for the :data:`FILTER_COLUMNS` that ``df`` has, above an interactive table of the rows
    selected; :attr:`selected` is that DataFrame. Exported without a kernel: the whole table."""

    def __init__(self, df: pd.DataFrame, columns: Sequence[str] = FILTER_COLUMNS, caption: str | None = None):
        present = [c for c in columns if c in df.columns]  # none (an empty table): the table alone
        self.df = df
        self.caption = caption
        self._whole_html: str | None = None
        self.dropdowns = {
            c: widgets.Dropdown(
                options=[ALL, *sorted(df[c].dropna().astype("string").unique())],
                value=ALL,
                description=c.removesuffix("_name").removesuffix("_label"),
            )
            for c in present
        }
        self.output = widgets.Output()
        for dropdown in self.dropdowns.values():
            dropdown.observe(self._redraw, names="value")
        super().__init__([widgets.HBox(list(self.dropdowns.values())), self.output])
        self._redraw()

    @property
    def selected(self) -> pd.DataFrame:
        """The rows chosen with the drop-downs."""
        return select_rows(self.df, {c: d.value for c, d in self.dropdowns.items()})

    def whole_html(self) -> str:
        """:func:`table_html` of the whole table, made at the first call (an itables table of a few
        hundred rows costs tens of milliseconds)."""
        if self._whole_html is None:
            self._whole_html = table_html(self.df, self.caption)
        return self._whole_html

    def _redraw(self, change: object = None) -> None:
        # the Output widget's state set directly (what ``append_display_data`` does, without creating an
        # IPython shell where there is none, which would clash with analysis.publish.nbexec's shell)
        rows = self.selected
        whole = all(d.value == ALL for d in self.dropdowns.values())
        html = self.whole_html() if whole else table_html(rows, self.caption)
        data = {"text/html": html, "text/plain": f"<{len(rows)} rows>"}
        self.output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = self.whole_html()  # what the HTML export shows
        return bundle


def with_area_names(df: pd.DataFrame, rt_registry: pd.DataFrame) -> pd.DataFrame:
    """``df`` (one row per RT, with ``rt_code``) with ``kecamatan_name`` and ``kelurahan_name`` from the RT
    registry in front, for the filters; ``df`` unchanged when either table is empty."""
    names = ["kecamatan_name", "kelurahan_name"]
    if df.empty or rt_registry.empty or "rt_code" not in df.columns:
        return df
    areas = rt_registry[["rt_code", *names]].drop_duplicates("rt_code")
    out = df.drop(columns=[c for c in names if c in df.columns]).merge(
        areas, on="rt_code", how="left", validate="m:1"
    )
    return out[[*names, *[c for c in out.columns if c not in names]]]
