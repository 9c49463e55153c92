"""The analysts' notebooks' shortcuts (issue 15, lane "nbs") give what the longer way gave: the trends read
in one connection to the history store, the rank tables written for the rows they show, the 100 days read
as three tables, an interactive table's HTML made once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.evaluate import history
from analysis.publish import interactive
from analysis.publish.content import index_tables, load
from analysis.publish.content.common import PRINCIPLES, with_program_labels
from analysis.publish.content.trends import principle_trend, program_trend, trend_periods

PERIODS = ["2025-TW4", "2026-TW1", "2026-TW2", "2026-TW3"]


def rt_index_frame(period: str, n: int = 40, seed: int = 0) -> pd.DataFrame:
    """``n`` RTs, a few not scored, one without an RT number and one rank without its interval."""
    rng = np.random.default_rng(seed)
    codes = [f"15.71.07.1012.{i:03d}" for i in range(1, n + 1)]
    df = pd.DataFrame(
        {
            "rt_code": codes,
            "period": period,
            "kelurahan_name": ["Kenali Asam" if i % 3 else "Murni" for i in range(n)],
            "kecamatan_name": "Kota Baru",
            "rt_number": pd.array([i + 1 if i != 5 else None for i in range(n)], dtype="Int64"),
            "is_pilot": pd.array([i % 4 == 0 for i in range(n)], dtype="boolean"),
            "status": ["dinilai" if i % 7 else "data_kurang" for i in range(n)],
            **{p: rng.uniform(20, 95, n).round(2) for p in PRINCIPLES},
            "index": rng.uniform(20, 95, n).round(2),
            "category": rng.choice(["Baik Sekali", "Baik", "Cukup", "Kurang"], n),
        }
    )
    scored = df["status"] == "dinilai"
    rank = df["index"].where(scored).rank(ascending=False, method="min")
    df["rank"] = rank
    df["rank_p05"] = (rank - rng.uniform(0, 3, n)).clip(lower=1).round(1)
    df["rank_p95"] = rank + rng.uniform(0, 4, n).round(1)
    df.loc[9, "rank_p95"] = np.nan
    df["rank_in_group"] = df.groupby("is_pilot")["index"].rank(ascending=False, method="min").where(scored)
    df["rank_in_group_p05"] = (df["rank_in_group"] - 1).clip(lower=1)
    df["rank_in_group_p95"] = df["rank_in_group"] + 2.5
    return df


def programs_frame(period: str, k: int) -> pd.DataFrame:
    codes = [f"P{i:02d}" for i in range(1, 12)]
    return pd.DataFrame(
        {
            "program_code": codes,
            "program_name": [f"Program {c}" for c in codes],
            "achievement_pct": [80.0 + 3 * i + k for i in range(len(codes))],
            "achievement_capped_pct": [min(80.0 + 3 * i + k, 120.0) for i in range(len(codes))],
            "cap_pct": 120.0,
            "is_target_met": [80.0 + 3 * i + k >= 100 for i in range(len(codes))],
        }
    )


@pytest.fixture
def store(tmp_path) -> Path:
    """A source of four complete periods (``rt_index`` and ``achievement_program``), its store built."""
    source = tmp_path / "processed" / "src"
    for k, period in enumerate(PERIODS):
        folder = source / period
        folder.mkdir(parents=True)
        rt_index_frame(period, seed=k).to_parquet(folder / "rt_index.parquet", index=False)
        programs_frame(period, k).to_parquet(folder / "achievement_program.parquet", index=False)
        (folder / "evaluation.json").write_text(json.dumps({"period": period}), encoding="utf-8")
    history.refresh(source)
    (tmp_path / "raw").mkdir()
    return source


def trends_through_history(source: Path, period: str, programs_ref: pd.DataFrame, lang: str) -> load.Trends:
    """The trends as ``load_trends`` read them before: ``History.periods``, ``views`` and ``table``."""
    store = history.open_history(source)
    periods = trend_periods(store.periods(), period)
    views = store.views()
    programs = store.table("achievement_program") if "achievement_program" in views else pd.DataFrame()
    if not programs.empty:
        programs = with_program_labels(programs, programs_ref, lang)
    rt_index = store.table("rt_index") if "rt_index" in views else pd.DataFrame()
    return load.Trends(
        periods, programs, program_trend(programs, periods), principle_trend(rt_index, periods)
    )


@pytest.mark.parametrize("period", ["2026-TW3", "2026-TW1"])
def test_trends_read_in_one_connection_are_the_trends_read_through_the_history_api(store, period):
    ref = programs_frame(period, 0)[["program_code", "program_name"]]
    new = load.load_trends(store.parent.parent / "raw", store / period, period, ref, "id")
    old = trends_through_history(store, period, ref, "id")
    assert new.periods == old.periods == trend_periods(PERIODS, period)
    pd.testing.assert_frame_equal(new.program_trend, old.program_trend, check_exact=True)
    pd.testing.assert_frame_equal(new.principle_trend, old.principle_trend, check_exact=True)
    assert len(new.principle_trend) == 5 * len(new.periods)
    # every row of every period, oldest period first; within a period by program, as the period's own table
    order = {p: i for i, p in enumerate(PERIODS)}
    expected = (
        old.programs.assign(_o=old.programs["period"].map(order))
        .sort_values(["_o", "program_code"], kind="mergesort")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(new.programs, expected, check_exact=True)
    for p in PERIODS:
        mine = new.programs_of(p).drop(columns=["period", "program_label"])
        pd.testing.assert_frame_equal(mine, programs_frame(p, PERIODS.index(p)), check_dtype=False)


def test_trends_of_a_store_without_the_tables(tmp_path):
    source = tmp_path / "processed" / "src"
    folder = source / "2026-TW3"
    folder.mkdir(parents=True)
    pd.DataFrame({"rt_code": ["x"]}).to_parquet(folder / "rt_registry.parquet", index=False)
    (folder / "evaluation.json").write_text("{}", encoding="utf-8")
    history.refresh(source)
    (tmp_path / "raw").mkdir()
    trends = load.load_trends(tmp_path / "raw", folder, "2026-TW3")
    assert trends.periods == ["2026-TW3"]
    assert trends.programs.empty and trends.program_trend.empty and trends.principle_trend.empty


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("bottom", [False, True])
def test_rank_table_shows_the_rows_of_the_whole_rank_frame(lang, bottom):
    rt_index = rt_index_frame("2026-TW3", n=60)
    whole = index_tables.rank_frame(rt_index, lang)  # every scored RT written out
    expected = whole.tail(15) if bottom else whole.head(15)
    table = index_tables.rank_table(rt_index, lang, n=15, bottom=bottom)
    shown = table.data
    assert len(shown) == 15
    columns = ["rt", "kecamatan_name", *PRINCIPLES, "index", "category_text", "rank_text", "group_rank_text"]
    assert shown.index.tolist() == expected.index.tolist()
    for label, column in zip(shown.columns, columns, strict=True):
        want = expected[column]
        if column in (*PRINCIPLES, "index"):
            want = want.astype("float64").round(1)
        assert shown[label].tolist() == want.tolist(), column
    assert "—" in whole["rank_text"].tolist()  # the rank without its interval is never written alone
    assert any(text.startswith("RT 15.71") for text in whole["rt"])  # the RT without a number


def test_rank_table_without_scored_rts():
    rt_index = rt_index_frame("2026-TW3", n=10).assign(status="data_kurang")
    assert index_tables.rank_table(rt_index, "id") == index_tables.rank_table(pd.DataFrame(), "id")


def test_hundred_days_read_as_three_tables(tmp_path):
    folder = tmp_path / "100-hari"
    folder.mkdir()
    for name in ("achievement_program", "achievement_indicator", "claims", "rt_index"):
        pd.DataFrame({"x": [name]}).to_parquet(folder / f"{name}.parquet", index=False)
    tables = load.load_tables(folder, load.HUNDRED_DAYS_TABLES)
    assert list(tables) == list(load.HUNDRED_DAYS_TABLES)
    hundred = load.load_hundred_days(tmp_path / "raw", folder, "100-hari")
    assert hundred.source == "own"
    assert hundred.programs["x"].tolist() == ["achievement_program"]
    assert hundred.claims["x"].tolist() == ["claims"]
    assert set(load.load_tables(folder)) == set(load.TABLE_NAMES)  # the default: every table


def test_a_filtered_tables_whole_html_is_made_once(monkeypatch):
    calls = []
    real = interactive.table_html

    def counting(df, caption=None):
        calls.append(len(df))
        return real(df, caption)

    monkeypatch.setattr(interactive, "table_html", counting)
    df = rt_index_frame("2026-TW3", n=12)[["kelurahan_name", "rt_code", "index"]]
    table = interactive.FilteredTable(df)
    bundle = table._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert calls == [12]  # the widget's first draw and the export's text/html: one table
    (drawn,) = table.output.outputs
    assert drawn["data"]["text/html"] == bundle["text/html"] == table.whole_html()
    assert "15.71.07.1012.012" in bundle["text/html"]

    table.dropdowns["kelurahan_name"].value = "Murni"  # a selection draws its own rows
    assert calls == [12, 4]
    assert "15.71.07.1012.012" not in table.output.outputs[0]["data"]["text/html"]
    table.dropdowns["kelurahan_name"].value = interactive.ALL  # and back: the whole table again, not remade
    assert calls == [12, 4]
    assert table.output.outputs[0]["data"]["text/html"] == table.whole_html()


def test_history_reading_shares_one_connection_and_reads_what_each_call_reads(store, monkeypatch):
    import duckdb

    opened = []
    connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or connect(*a, **k))
    plain = history.open_history(store)
    opened.clear()  # (open_history checks the store is current)
    alone = (plain.periods(), plain.views(), plain.table("achievement_program"))
    assert len(opened) == 4  # periods, views, and table's own views + query
    opened.clear()
    with plain.reading() as shared:
        together = (shared.periods(), shared.views(), shared.table("achievement_program"))
        some = shared.table(
            "achievement_program", columns=["period", "program_code"], within_period=["program_code"]
        )
    assert len(opened) == 1
    assert together[:2] == alone[:2]
    pd.testing.assert_frame_equal(
        together[2].sort_values(["period", "program_code"]).reset_index(drop=True),
        alone[2].sort_values(["period", "program_code"]).reset_index(drop=True),
    )
    order = {p: i for i, p in enumerate(together[0])}
    keys = list(zip(some["period"].map(order), some["program_code"], strict=True))
    assert list(some.columns) == ["period", "program_code"] and keys == sorted(keys)
