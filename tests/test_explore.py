"""Exploring: interactive tables and filters, the analysts' export of a widget, notebook paths from the
project root (not the installed package), the cross-period sentences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import UsageError
from analysis.publish import export, interactive
from analysis.publish.content import load, trends

RTS = pd.DataFrame(
    {
        "kecamatan_name": ["Kota Baru", "Kota Baru", "Jelutung"],
        "kelurahan_name": ["Kenali Asam", "Kenali Asam Atas", "Jelutung"],
        "rt_code": ["15.71.07.1012.014", "15.71.07.1006.007", "15.71.08.1006.001"],
        "index": [41.8, 31.6, 70.0],
    }
)


def test_filters_select_rows_and_redraw_the_table():
    table = interactive.FilteredTable(RTS)
    assert list(table.dropdowns) == ["kecamatan_name", "kelurahan_name", "rt_code"]
    assert table.dropdowns["kecamatan_name"].options == (interactive.ALL, "Jelutung", "Kota Baru")
    table.dropdowns["kecamatan_name"].value = "Kota Baru"
    assert table.selected["rt_code"].tolist() == ["15.71.07.1012.014", "15.71.07.1006.007"]
    table.dropdowns["kelurahan_name"].value = "Kenali Asam"
    assert table.selected["rt_code"].tolist() == ["15.71.07.1012.014"]
    shown = table.output.outputs[-1]["data"]["text/html"]
    assert "15.71.07.1012.014" in shown and "15.71.07.1006.007" not in shown


def test_a_table_without_filter_columns_is_shown_alone():
    table = interactive.FilteredTable(pd.DataFrame())
    assert table.dropdowns == {} and table.selected.empty


def test_the_analysts_export_shows_a_filtered_table_by_its_static_html_and_the_briefing_drops_it():
    bundle = interactive.FilteredTable(RTS)._repr_mimebundle_()
    widget = "application/vnd.jupyter.widget-view+json"
    assert widget in bundle and "15.71.08.1006.001" in bundle["text/html"]  # the whole table
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Uji"), nbformat.v4.new_code_cell("t")]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    context = export.ReportContext("id", "2026-TW3", "sample", True, "r1", dt.datetime(2026, 10, 10))
    analyst = export.export_analyst_html(nb, context)
    assert "15.71.08.1006.001" in analyst and "FilteredTable(" not in analyst  # not the text/plain repr
    briefing = export.export_briefing_html(nb, context)
    assert "15.71.08.1006.001" not in briefing  # no widget, no interactive table in a briefing


def test_with_area_names_puts_the_names_first():
    reports = pd.DataFrame({"rt_code": ["15.71.08.1006.001"], "budget_spent_idr": [1.0]})
    got = interactive.with_area_names(reports, RTS)
    assert list(got.columns) == ["kecamatan_name", "kelurahan_name", "rt_code", "budget_spent_idr"]
    assert got["kelurahan_name"].tolist() == ["Jelutung"]
    assert interactive.with_area_names(pd.DataFrame(), RTS).empty


def make_project(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'copy'\n")
    (root / "notebooks").mkdir()
    return root


def test_project_root_is_found_from_the_notebooks_folder_not_the_package(tmp_path, monkeypatch):
    monkeypatch.delenv(config.PROJECT_ROOT_ENV, raising=False)
    root = make_project(tmp_path / "copy")
    monkeypatch.chdir(root / "notebooks")
    assert config.find_project_root() == root.resolve() != config.PROJECT_ROOT
    assert load.processed_root() == root.resolve() / "data" / "processed"
    assert load.resolve_path("../data/raw/sample") == root.resolve() / "data" / "raw" / "sample"


def test_project_root_from_the_environment_or_a_clear_error(tmp_path, monkeypatch):
    root = make_project(tmp_path / "elsewhere")
    monkeypatch.setenv(config.PROJECT_ROOT_ENV, str(root))
    assert config.find_project_root(tmp_path) == root.resolve()
    monkeypatch.setenv(config.PROJECT_ROOT_ENV, str(tmp_path / "missing"))
    with pytest.raises(UsageError, match=r"\$KJB_PROJECT_ROOT is not a folder"):
        config.find_project_root()
    monkeypatch.delenv(config.PROJECT_ROOT_ENV)
    (tmp_path / "bare").mkdir()
    with pytest.raises(UsageError, match="no project root .* set \\$KJB_PROJECT_ROOT or pass processed_dir"):
        config.find_project_root(tmp_path / "bare")


TRAJECTORY = pd.DataFrame(
    {
        "period": ["2026-TW1", "2026-TW3"],
        "rt_code": "15.71.07.1012.014",
        "kelurahan_name": "Kenali Asam",
        "kecamatan_name": "Kota Baru",
        "index": [46.24, 41.79],
        "rank": pd.array([154, 247], dtype="Int64"),
    }
)


@pytest.mark.parametrize(
    "since, lang, expected",
    [
        pytest.param(
            "2025-TW3",
            "id",
            "RT 15.71.07.1012.014 (Kenali Asam, Kota Baru) dinilai pada 2 periode, dari 2026-TW1 sampai 2026-TW3: "
            "indeks 46,2 menjadi 41,8 (-4,5 poin), peringkat 154 menjadi 247. "
            "RT ini belum ada pada 2025-TW3: penilaiannya dimulai 2026-TW1.",
            id="joined_later",
        ),
        pytest.param(
            "2026-TW1",
            "en",
            "RT 15.71.07.1012.014 (Kenali Asam, Kota Baru) was scored in 2 periods, from 2026-TW1 to 2026-TW3: "
            "index 46.2 to 41.8 (-4.5 points), rank 154 to 247.",
            id="english",
        ),
    ],
)
def test_trajectory_summary(since, lang, expected):
    assert trends.trajectory_summary(TRAJECTORY, "15.71.07.1012.014", since, lang) == expected


def test_trajectory_summary_of_an_unknown_rt():
    assert trends.trajectory_summary(TRAJECTORY.iloc[:0], "x", "2025-TW3") == (
        "RT x tidak ada dalam tabel indeks periode mana pun."
    )
