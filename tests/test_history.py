"""The history store (analysis.evaluate.history): views over every complete period folder of a source."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import UsageError
from analysis.evaluate import history


def write_period(source: Path, period: str, tables: dict[str, pd.DataFrame], complete: bool = True) -> Path:
    """A processed period folder as evaluate_source leaves it: Parquet tables, then evaluation.json."""
    folder = source / period
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
    if complete:
        (folder / "evaluation.json").write_text(json.dumps({"period": period}), encoding="utf-8")
    return folder


def rt_index(period: str, scores: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rt_code": list(scores),
            "period": period,
            "kelurahan_name": "Kenali Asam",
            "kecamatan_name": "Kota Baru",
            "rt_number": [int(code[-3:]) for code in scores],
            "status": "dinilai",
            "index": list(scores.values()),
        }
    )


def kelurahan(rows: dict[str, tuple[float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kelurahan_code": list(rows),
            "kelurahan_name": [f"Kel {c[-4:]}" for c in rows],
            "kecamatan_name": "Kota Baru",
            "n_rt_scored": [n for _, n in rows.values()],
            "index": [i for i, _ in rows.values()],
        }
    )


#: Three periods of a tiny source; 2026-TW1 has no kelurahan table (a period that lacks a table).
PERIODS = {
    "2025-TW4": {
        "rt_index": rt_index("2025-TW4", {"15.71.07.1012.014": 40.0, "15.71.07.1012.042": 70.0}),
        "index_kelurahan": kelurahan({"15.71.07.1012": (55.0, 2), "15.71.07.1005": (30.0, 1)}),
        "targets": pd.DataFrame({"indicator_code": ["P01-01"] * 2, "period": ["2025-TW4", "2026-TW1"]}),
    },
    "2026-TW1": {
        "rt_index": rt_index("2026-TW1", {"15.71.07.1012.014": 46.0, "15.71.07.1012.042": 65.0}),
    },
    "2026-TW2": {
        "rt_index": rt_index("2026-TW2", {"15.71.07.1012.014": 50.5, "15.71.07.1012.042": 60.0}),
        "index_kelurahan": kelurahan({"15.71.07.1012": (57.0, 2), "15.71.07.1005": (45.0, 3)}),
    },
}


def snapshot(source: Path) -> dict:
    """Everything the store shows: the periods table and every view's rows (sorted, paths left out)."""
    h = history.History(history.store_path(source))
    out = {"periods": h.query("SELECT * FROM periods ORDER BY period_order").to_dict("records")}
    for name in h.views():
        df = h.table(name)
        out[name] = df.sort_values(list(df.columns)).astype("string").to_dict("records")
    return out


def test_views_are_named_like_the_tables_with_a_period_column(tmp_path):
    for period, tables in PERIODS.items():
        write_period(tmp_path, period, tables)
    history.refresh(tmp_path)
    h = history.History(history.store_path(tmp_path))
    assert h.views() == ["index_kelurahan", "rt_index", "targets"]
    assert h.periods() == ["2025-TW4", "2026-TW1", "2026-TW2"]
    kel = h.table("index_kelurahan")
    assert list(kel.columns)[0] == "period"
    assert kel["period"].tolist() == ["2025-TW4", "2025-TW4", "2026-TW2", "2026-TW2"]  # none for 2026-TW1
    targets = h.table("targets")
    assert targets[["period", "target_period"]].values.tolist() == [
        ["2025-TW4", "2025-TW4"],
        ["2025-TW4", "2026-TW1"],
    ]
    counts = h.query("SELECT period, tables FROM periods ORDER BY period_order")
    assert counts.values.tolist() == [["2025-TW4", 3], ["2026-TW1", 1], ["2026-TW2", 2]]


def test_incomplete_staging_and_failed_folders_are_left_out(tmp_path):
    write_period(tmp_path, "2026-TW1", PERIODS["2026-TW1"])
    write_period(tmp_path, "2025-TW4", PERIODS["2025-TW4"], complete=False)  # cleaned only, no evaluation
    write_period(tmp_path, ".2026-TW2.staging-1234", PERIODS["2026-TW2"])
    write_period(tmp_path, "2026-TW2.failed", PERIODS["2026-TW2"])
    write_period(tmp_path, "TW2 2026", PERIODS["2026-TW2"])  # not a canonical folder name
    assert list(history.complete_periods(tmp_path)) == ["2026-TW1"]
    h = history.open_history(tmp_path)
    assert h.table("rt_index")["period"].unique().tolist() == ["2026-TW1"]


def test_runs_in_any_order_give_the_same_store_as_a_fresh_build(tmp_path):
    fresh = tmp_path / "fresh"
    for period, tables in PERIODS.items():
        write_period(fresh, period, tables)
    history.refresh(fresh)
    expected = snapshot(fresh)

    for seed in range(3):
        runs = [*PERIODS, *PERIODS]  # each period run twice, in a shuffled order
        random.Random(seed).shuffle(runs)
        source = tmp_path / f"runs{seed}"
        for period in runs:
            # a rerun replaces the folder whole (built aside, then swapped in), as the runner does
            staging = write_period(source, f".{period}.staging", PERIODS[period])
            if (source / period).exists():
                shutil.rmtree(source / period)
            os.replace(staging, source / period)
            history.refresh(source)
        assert snapshot(source) == expected, runs
    assert not list(source.glob(".*.tmp"))  # the temporary store was renamed into place


def test_a_replaced_period_folder_is_read_as_it_is_now(tmp_path):
    for period, tables in PERIODS.items():
        write_period(tmp_path, period, tables)
    h = history.open_history(tmp_path)
    shutil.rmtree(tmp_path / "2026-TW2")
    write_period(tmp_path, "2026-TW2", {"rt_index": rt_index("2026-TW2", {"15.71.07.1012.014": 99.0})})
    rows = h.query("SELECT rt_code, index FROM rt_index WHERE period = '2026-TW2'")  # no refresh yet
    assert rows.values.tolist() == [["15.71.07.1012.014", 99.0]]


def test_open_history_refreshes_when_a_period_is_added(tmp_path):
    write_period(tmp_path, "2025-TW4", PERIODS["2025-TW4"])
    assert not history.is_current(tmp_path)
    assert history.open_history(tmp_path).periods() == ["2025-TW4"]
    assert history.is_current(tmp_path)
    write_period(tmp_path, "2026-TW2", PERIODS["2026-TW2"])
    assert not history.is_current(tmp_path)
    assert history.open_history(tmp_path).periods() == ["2025-TW4", "2026-TW2"]
    assert history.open_history(tmp_path, refresh_store=False).periods() == ["2025-TW4", "2026-TW2"]


def test_trajectory_of_one_rt(tmp_path):
    for period, tables in PERIODS.items():
        write_period(tmp_path, period, tables)
    h = history.open_history(tmp_path)
    got = h.trajectory("15.71.07.1012.014", since="2026-TW1")
    assert got[["period", "index"]].values.tolist() == [["2026-TW1", 46.0], ["2026-TW2", 50.5]]
    assert h.trajectory("15.71.07.1012.999").empty
    with pytest.raises(UsageError, match="no period '2025-TW1'; periods: 2025-TW4, 2026-TW1, 2026-TW2"):
        h.trajectory("15.71.07.1012.014", since="2025-TW1")


@pytest.mark.parametrize(
    "level, since, expected",
    [
        pytest.param(
            "kelurahan",
            None,
            [
                ["15.71.07.1005", "2025-TW4", "2026-TW2", 15.0, 1, 3],
                ["15.71.07.1012", "2025-TW4", "2026-TW2", 2.0, 2, 2],
            ],
            id="kelurahan_first_to_last",
        ),
        pytest.param("kelurahan", "2026-TW1", [], id="scored_in_one_period_only"),
    ],
)
def test_movers_of_areas(tmp_path, level, since, expected):
    for period, tables in PERIODS.items():
        write_period(tmp_path, period, tables)
    got = history.open_history(tmp_path).movers(level, since=since)
    columns = [
        "kelurahan_code",
        "period_start",
        "period_end",
        "index_change",
        "n_rt_scored_start",
        "n_rt_scored_end",
    ]
    assert got[columns].values.tolist() == expected


def test_movers_of_rts_largest_increase_first(tmp_path):
    for period, tables in PERIODS.items():
        write_period(tmp_path, period, tables)
    got = history.open_history(tmp_path).movers("rt", until="2026-TW1")
    assert got[["rt_code", "index_start", "index_end", "index_change"]].values.tolist() == [
        ["15.71.07.1012.014", 40.0, 46.0, 6.0],
        ["15.71.07.1012.042", 70.0, 65.0, -5.0],
    ]
    with pytest.raises(UsageError, match="unknown level 'rw'; use rt, kelurahan, kecamatan"):
        history.open_history(tmp_path).movers("rw")


def test_unknown_view_and_missing_folder_are_one_line_errors(tmp_path):
    write_period(tmp_path, "2026-TW1", PERIODS["2026-TW1"])
    h = history.open_history(tmp_path)
    with pytest.raises(UsageError, match=r"no view 'survey'; views: rt_index"):
        h.table("survey")
    with pytest.raises(UsageError, match="processed data source folder not found"):
        history.refresh(tmp_path / "nope")


def test_command_line_lists_the_views_and_runs_a_query(tmp_path, capsys):
    for period, tables in PERIODS.items():
        write_period(tmp_path, period, tables)
    assert history.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "periods 2025-TW4, 2026-TW1, 2026-TW2" in out and "  rt_index\n" in out
    assert history.main([str(tmp_path), "SELECT count(*) AS n FROM rt_index"]) == 0
    assert capsys.readouterr().out.split() == ["n", "6"]


@pytest.mark.slow
def test_real_runs_in_shuffled_order_equal_a_fresh_build(tmp_path):
    """Three sample periods evaluated (and the store refreshed after each) in a shuffled order."""
    from analysis.core import config
    from analysis.evaluate.evaluation import evaluate_source

    periods = ["2025-TW4", "2026-TW1", "2026-TW2"]
    order = [periods[2], periods[0], periods[1], periods[2]]
    runs = tmp_path / "runs" / "sample"
    for period in order:
        evaluate_source(config.SAMPLE_SOURCE, period, processed_dir=runs / period)
        history.refresh(runs)
    fresh = tmp_path / "fresh" / "sample"
    shutil.copytree(runs, fresh, ignore=shutil.ignore_patterns("history.duckdb"))
    history.refresh(fresh)
    assert snapshot(runs) == snapshot(fresh)
    h = history.History(history.store_path(runs))
    assert h.periods() == periods
    assert {"rt_index", "achievement_indicator", "index_kelurahan", "rt_reports"} <= set(h.views())
