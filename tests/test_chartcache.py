"""The chart cache (analysis.publish.chartcache): a chart drawn by one notebook is shown by another with the
same display bundle, byte for byte; the key follows every input; a second process waits for a chart being
drawn instead of drawing it again."""

import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time

import matplotlib
import pandas as pd
import pytest

from analysis.core.atomic import owner_tag, write_text_atomic
from analysis.publish import cache, chartcache, charts
from tests.test_charts import areas_frame, programs_frame


@pytest.fixture
def shown(monkeypatch):
    import IPython.display

    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: calls.append((a, kw)))
    return calls


def counted(function):
    """``function`` with a count of its calls (a chart function of its own name: its own cache entries)."""

    def chart(*args, **kwargs):
        chart.calls += 1
        return function(*args, **kwargs)

    chart.calls = 0
    chart.__qualname__ = f"counted_{function.__name__}"
    return chart


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: (charts.achievement_chart, (programs_frame(), "id"), {}), id="bars"),
        pytest.param(lambda: (charts.principle_heatmap, (areas_frame(), "en"), {}), id="heat_map_with_phone"),
        pytest.param(lambda: (charts.serapan_capaian_chart, (programs_frame(), "id"), {}), id="scatter"),
    ],
)
def test_a_cached_chart_is_shown_as_charts_show_shows_it(build, tmp_path, shown):
    chart, args, kwargs = build()
    charts.show(chart(*args, **kwargs))
    chartcache.ChartCache(tmp_path).show(chart, *args, **kwargs)  # drawn and stored
    chartcache.ChartCache(tmp_path).show(chart, *args, **kwargs)  # read back, as another notebook does
    direct, drawn, read = shown
    assert drawn == direct and read == direct
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_another_notebook_does_not_draw_the_chart_again(tmp_path, shown):
    chart = counted(charts.achievement_chart)
    for _ in range(3):
        chartcache.ChartCache(tmp_path).show(chart, programs_frame(), "id")
    assert chart.calls == 1 and len(shown) == 3


def test_an_empty_chart_is_left_out_only_where_asked(tmp_path, shown):
    store = chartcache.ChartCache(tmp_path)
    store.show(charts.rank_interval_chart, pd.DataFrame(), "id", skip_empty=True)
    assert shown == []
    store.show(charts.rank_interval_chart, pd.DataFrame(), "id")
    ((args, _),) = shown
    assert args[0]["image/svg+xml"] == charts.figure_svg(charts.rank_interval_chart(pd.DataFrame(), "id"))


def _key(store, *args, **kwargs):
    return store.key(charts.achievement_chart, args, kwargs)


def test_the_key_follows_every_input(tmp_path, monkeypatch):
    store = chartcache.ChartCache(tmp_path)
    base = programs_frame()
    key = _key(store, base, "id")
    assert _key(store, programs_frame(), "id") == key  # the same content: the same key
    changed_value = base.copy()
    changed_value.loc[1, "achievement_pct"] = 87.6
    reindexed = base.set_axis([5, 6, 7])
    renamed = base.rename(columns={"serapan_pct": "serapan"})
    as_float = base.astype({"serapan_pct": "float32"})
    categories = base.assign(program_code=pd.Categorical(base["program_code"], ["P03", "P02", "P01"]))
    other_order = base.assign(program_code=pd.Categorical(base["program_code"], ["P01", "P02", "P03"]))
    mixed = base.assign(program_label=pd.Series(["1", "Balikat", None], dtype=object))
    mixed_types = base.assign(program_label=pd.Series([1, "Balikat", None], dtype=object))  # hashed alike
    with_attrs = base.copy()
    with_attrs.attrs["period"] = "2026-TW3"
    variants = [
        _key(store, changed_value, "id"),
        _key(store, reindexed, "id"),
        _key(store, renamed, "id"),
        _key(store, as_float, "id"),
        _key(store, categories, "id"),
        _key(store, other_order, "id"),
        _key(store, with_attrs, "id"),
        _key(store, mixed, "id"),
        _key(store, mixed_types, "id"),
        _key(store, base, "en"),
        _key(store, base, "id", ncols=3),
        store.key(charts.serapan_capaian_chart, (base, "id"), {}),
    ]
    assert len({key, *variants}) == len(variants) + 1
    with matplotlib.rc_context({"font.size": 13}):  # a notebook's own matplotlib settings
        assert _key(store, base, "id") != key
    monkeypatch.setattr(cache, "code_digest", lambda: "other code")
    assert _key(chartcache.ChartCache(tmp_path), base, "id") != key


def test_an_argument_without_a_content_digest_is_refused(tmp_path):
    with pytest.raises(TypeError, match="not object"):
        _key(chartcache.ChartCache(tmp_path), programs_frame(), object())


def test_a_chart_being_drawn_elsewhere_is_waited_for(tmp_path, shown):
    store = chartcache.ChartCache(tmp_path)
    path = store.path(_key(store, programs_frame(), "id"))
    claim = path.with_suffix(".drawing")
    claim.write_text(owner_tag("chart"))  # a live process (this one) is drawing it
    entry = chartcache.CachedChart.of(charts.achievement_chart(programs_frame(), "id"))

    def finish_drawing():
        time.sleep(0.3)
        write_text_atomic(path, json.dumps(dataclasses.asdict(entry)))
        claim.unlink()

    chart = counted(charts.achievement_chart)
    chart.__qualname__ = charts.achievement_chart.__qualname__  # the same key as the chart being drawn
    chart.__module__ = charts.achievement_chart.__module__
    writer = threading.Thread(target=finish_drawing)
    writer.start()
    assert store.get(chart, programs_frame(), "id") == entry
    writer.join()
    assert chart.calls == 0


def test_the_claim_of_a_process_that_is_gone_is_taken_over(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store = chartcache.ChartCache(tmp_path)
    chart = counted(charts.achievement_chart)
    path = store.path(store.key(chart, (programs_frame(), "id"), {}))
    claim = path.with_suffix(".drawing")
    claim.write_text(owner_tag("chart").replace(f"{os.getpid()}_", f"{gone.pid}_", 1))
    started = time.monotonic()
    store.get(chart, programs_frame(), "id")
    assert chart.calls == 1 and path.is_file() and not claim.exists()
    assert time.monotonic() - started < chartcache.WAIT_S / 2


def test_a_cache_that_cannot_be_written_still_shows_the_chart(tmp_path, shown, caplog):
    blocked = tmp_path / "a file"
    blocked.write_text("")
    with caplog.at_level(logging.WARNING, logger="analysis.publish.chartcache"):
        chartcache.ChartCache(blocked / "cache").show(charts.achievement_chart, programs_frame(), "id")
    ((args, _),) = shown
    assert args[0]["image/svg+xml"] == charts.figure_svg(charts.achievement_chart(programs_frame(), "id"))
    assert "not writable" in caplog.text


def test_opening_a_cache_removes_old_entries_of_other_code_and_dead_claims(tmp_path):
    store = chartcache.ChartCache(tmp_path)
    store.get(charts.achievement_chart, programs_frame(), "id")
    (current,) = tmp_path.glob("*.json")
    hour = chartcache.OTHER_CODE_AFTER_S
    old_other = tmp_path / "000000000000-old.json"
    recent_other = tmp_path / "000000000000-recent.json"
    old_claim = tmp_path / "000000000000-x.drawing"
    for path in (old_other, recent_other, old_claim):
        path.write_text("{}")
    old = time.time() - hour - 60
    for path in (old_other, current, old_claim):
        os.utime(path, (old, old))
    chartcache.ChartCache(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([current.name, recent_other.name])
