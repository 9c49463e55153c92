"""Content-hash cache keys (analysis.publish.cache): digests of frames and groups, the cache index, the code digest."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.publish import cache


def frame(**columns):
    return pd.DataFrame(columns)


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        pytest.param(frame(x=[1.0, 2.0]), frame(x=[1.0, 2.0]), True, id="same_values"),
        pytest.param(frame(x=[1.0, 2.0]), frame(x=[2.0, 1.0]), False, id="row_order_matters"),
        pytest.param(frame(x=[1.0, 2.0]), frame(y=[1.0, 2.0]), False, id="column_name_matters"),
        pytest.param(frame(x=[1, 2]), frame(x=[1.0, 2.0]), False, id="dtype_matters"),
        pytest.param(frame(x=[1.0, np.nan]), frame(x=[1.0, np.nan]), True, id="nan_equal_to_nan"),
        pytest.param(
            frame(x=pd.array([1, None], dtype="Int64")),
            frame(x=pd.array([1, 0], dtype="Int64")),
            False,
            id="na_differs_from_zero",
        ),
        pytest.param(frame(x=[1.0]).set_axis([5]), frame(x=[1.0]).set_axis([0]), True, id="index_ignored"),
        pytest.param(frame(s=["a", "b"]), frame(s=["a", "c"]), False, id="text_change"),
    ],
)
def test_frame_digest(a, b, equal):
    assert (cache.frame_digest(a) == cache.frame_digest(b)) is equal


def test_group_digests_equal_digest_of_each_group():
    df = pd.DataFrame(
        {
            "rt_code": ["b", "a", "b", "c", "a"],
            "v": [1.0, 2.0, 3.0, np.nan, 5.0],
            "s": ["x", "y", "z", "w", "v"],
        }
    )
    digests = cache.group_digests(df, "rt_code", ["rt_code", "v"])
    assert set(digests) == {"a", "b", "c"}
    for key, digest in digests.items():
        assert digest == cache.frame_digest(df.loc[df["rt_code"] == key, ["rt_code", "v"]])


def test_group_digests_change_only_for_the_changed_group():
    df = pd.DataFrame({"rt_code": ["a", "b", "c"], "v": [1.0, 2.0, 3.0]})
    before = cache.group_digests(df, "rt_code")
    changed = df.copy()
    changed.loc[1, "v"] = 2.5
    after = cache.group_digests(changed, "rt_code")
    assert [k for k in before if before[k] != after[k]] == ["b"]


def test_group_digests_of_empty_frame():
    assert cache.group_digests(pd.DataFrame({"rt_code": pd.Series([], dtype="str")}), "rt_code") == {}


def test_cache_index_round_trip_and_freshness(tmp_path):
    (tmp_path / "rt").mkdir()
    (tmp_path / "rt" / "a.html").write_text("<p>a</p>", encoding="utf-8")
    index = cache.CacheIndex()
    index.entries["a"] = cache.CacheEntry(
        key="k1", files=cache.file_digests(tmp_path, ["rt/a.html"]), run_id="r1"
    )
    index.save(tmp_path / "cache.json")
    loaded = cache.CacheIndex.load(tmp_path / "cache.json")
    assert loaded.entries["a"].files == index.entries["a"].files
    assert loaded.is_fresh("a", "k1", tmp_path)
    assert not loaded.is_fresh("a", "k2", tmp_path), "another key"
    assert not loaded.is_fresh("b", "k1", tmp_path), "unknown item"
    (tmp_path / "rt" / "a.html").write_text("<p>changed by hand</p>", encoding="utf-8")
    assert not loaded.is_fresh("a", "k1", tmp_path), "file content changed"
    (tmp_path / "rt" / "a.html").unlink()
    assert not loaded.is_fresh("a", "k1", tmp_path), "file gone"


def test_cache_index_missing_other_version_and_corrupt(tmp_path):
    assert cache.CacheIndex.load(tmp_path / "none.json").entries == {}
    other = tmp_path / "old.json"
    other.write_text(
        json.dumps({"version": 999, "entries": {"a": {"key": "k", "files": {}}}}), encoding="utf-8"
    )
    assert cache.CacheIndex.load(other).entries == {}
    corrupt = tmp_path / "bad.json"
    corrupt.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json"):
        cache.CacheIndex.load(corrupt)


def test_code_digest_follows_file_content_not_time(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "__pycache__").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n", encoding="utf-8")
    (pkg / "t.j2").write_text("{{ x }}", encoding="utf-8")
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\x00")
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}", encoding="utf-8")
    first = cache.code_digest([nb], package_dir=pkg)
    (pkg / "a.py").touch()  # a newer time, same content
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\x01")  # caches do not count
    assert cache.code_digest([nb], package_dir=pkg) == first
    (pkg / "t.j2").write_text("{{ y }}", encoding="utf-8")
    second = cache.code_digest([nb], package_dir=pkg)
    assert second != first, "a template change changes the digest"
    nb.write_text('{"cells": []}', encoding="utf-8")
    assert cache.code_digest([nb], package_dir=pkg) != second, "a notebook change changes the digest"
