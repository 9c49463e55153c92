"""The CPU cuts of cleaning and evaluation give what the code they replace gave (session 6, lane "eval")."""

import gc
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from analysis.core import config, gctune, xlsxio
from analysis.core.errors import ConfigError
from analysis.core.reference import kelurahan_table
from analysis.ingest import cleaning

ROOT = Path(__file__).resolve().parents[1]
YAML_FILES = sorted(
    [*ROOT.glob("config/*.yml"), *ROOT.glob("src/analysis/**/*.yml"), *ROOT.glob("src/analysis/**/*.yaml")]
)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_load_yaml_equals_safe_load(path):
    raw = path.read_bytes()
    expected = yaml.safe_load(raw)
    got = config.load_yaml(raw)
    assert got == expected
    assert repr(got) == repr(expected)  # same types, same key order


def test_load_yaml_uses_libyaml_when_there():
    assert getattr(yaml, "CSafeLoader", None) is not None, "PyYAML without libyaml: the cut does nothing"


@pytest.mark.parametrize(
    "text",
    [
        "a: [1, 2\nb: 3\n",
        "a: 1\n  b: 2\n",
        "key: 'unterminated\n",
        "- a\nb: c\n",
        "a: !!python/object:os.system x\n",
    ],
)
def test_load_yaml_raises_what_safe_load_raises(text):
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as got:
        config.load_yaml(text)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)


def test_read_yaml_error_names_the_file(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        config.read_yaml(bad)


def test_kelurahan_rows_equal_the_table_lookup():
    table = kelurahan_table()
    assert len(table) == 68
    for code in table["kelurahan_code"]:
        row = table.set_index("kelurahan_code").loc[code]
        expected = {"kelurahan_code": code, **row.to_dict()}
        got = cleaning._kelurahan_row(code)
        assert got == expected and list(got) == list(expected)
        assert all(type(a) is type(b) for a, b in zip(got.values(), expected.values(), strict=True))
    with pytest.raises(KeyError):
        cleaning._kelurahan_row("15.71.99.9999")


def _workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for i in range(1, 60):
        ws.append([f"baris {i}", i, i / 7, None, "=B1*2" if i == 3 else "teks"])
    wb.create_sheet("Ringkasan")["A1"] = "ringkasan"
    return wb


def test_workbook_bytes_equal_a_deflated_first_write():
    """The archive written stored, then deflated once by normalise_zip, has the bytes of the one written
    deflated and re-deflated (what workbook_bytes did before)."""
    before = _workbook()
    for attr, value in (("created", xlsxio.FIXED_DOC_TIME), ("modified", xlsxio.FIXED_DOC_TIME)):
        setattr(before.properties, attr, value)
    before.properties.creator, before.properties.lastModifiedBy = xlsxio.CREATOR, None
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(before, archive).write_data()
    expected = xlsxio.normalise_zip(raw.getvalue())
    assert xlsxio.workbook_bytes(_workbook()) == expected
    with zipfile.ZipFile(io.BytesIO(expected)) as z:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())


def test_fewer_collections_from_now_stays_raised_also_after_an_open_block():
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    try:
        gctune.fewer_collections_from_now()
        assert gc.get_threshold() == (gctune.YOUNG_THRESHOLD, *before[1:])
        gc.set_threshold(700, *before[1:])
        with gctune.fewer_collections():
            gctune.fewer_collections_from_now()  # inside a block: what the block puts back is raised
        assert gc.get_threshold() == (gctune.YOUNG_THRESHOLD, *before[1:])
        gc.set_threshold(0)
        gctune.fewer_collections_from_now()  # automatic collection switched off: left so
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_fewer_collections_raises_the_threshold_and_puts_it_back():
    before = gc.get_threshold()
    with gctune.fewer_collections():
        inside = gc.get_threshold()
        with gctune.fewer_collections():
            assert gc.get_threshold() == inside
        assert gc.get_threshold() == inside  # the inner block leaves the outer one's setting
    assert inside[0] == max(before[0], gctune.YOUNG_THRESHOLD) and inside[1:] == before[1:]
    assert gc.get_threshold() == before


def test_fewer_collections_restores_after_an_error_and_as_a_decorator():
    before = gc.get_threshold()

    @gctune.fewer_collections()
    def fails():
        assert gc.get_threshold()[0] >= gctune.YOUNG_THRESHOLD
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fails()
    with pytest.raises(RuntimeError):
        fails()  # a second call enters again (one context per call)
    assert gc.get_threshold() == before


def test_fewer_collections_leaves_collection_switched_off():
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with gctune.fewer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def _variations_counting(calls: list, n_units: int = 40, n_ind: int = 6):
    from analysis.evaluate.principles.uncertainty import Variations

    rng = np.random.default_rng(7)
    base = rng.uniform(0, 100, size=(n_units, n_ind))
    base[rng.uniform(size=base.shape) < 0.1] = np.nan

    def matrix(method, imputation, goalposts, rule):
        calls.append((method, imputation, goalposts, rule))
        shift = {"goalposts": 0.0, "minmax": 1.0, "rank": 2.0}[method] + {
            "nominal": 0,
            "lenient": 3,
            "strict": 5,
        }[goalposts]
        m = base + shift + (0.5 if imputation != "none" else 0.0)
        return m if rule == "declared" else np.where(np.isnan(m), 0.0, m)

    return Variations(
        matrix=matrix,
        imputation=("none", "kelurahan_median"),
        goalposts=("nominal", "lenient", "strict"),
        rules=("declared", "missing_as_worst"),
        leave_one_out=True,
    )


def test_sensitivity_reuses_the_simulations_matrices_with_the_same_results():
    """The rank simulation and the sensitivity analysis of one period share its variations: the second
    builds no matrix again, and both give what they give on variations of their own."""
    import dataclasses

    from analysis.evaluate.principles import uncertainty as u
    from analysis.evaluate.principles.framework import load_framework

    settings = dataclasses.replace(load_framework().settings, n_runs=60, sensitivity_samples=8)
    principle = np.array([0, 0, 1, 2, 3, 3])
    weights, pweights = np.array([1.0, 2, 1, 1, 1, 3]), np.array([1.0, 1, 1, 1])
    groups = np.array(["a", "b"] * 20)
    nominal = np.arange(1, 41, dtype=float)

    def both(variations_sim, variations_sens):
        sim = u.simulate_rank_intervals(
            None, principle, weights, pweights, groups, settings, 3, variations=variations_sim
        )
        sens = u.sensitivity_table(variations_sens, principle, weights, pweights, nominal, settings, 3)
        return sim, sens

    shared_calls, own_sim, own_sens = [], [], []
    shared = _variations_counting(shared_calls)
    sim, sens = both(shared, shared)
    sim_ref, sens_ref = both(_variations_counting(own_sim), _variations_counting(own_sens))
    assert len(shared_calls) == len(set(shared_calls)) == len(set(own_sim) | set(own_sens))
    assert len(own_sim) > 0 and len(own_sens) > 0
    for name in ("median", "low", "high", "group_median", "group_low", "group_high"):
        np.testing.assert_array_equal(getattr(sim, name), getattr(sim_ref, name))
    pd.testing.assert_frame_equal(sens, sens_ref, check_exact=True)


def test_each_missing_rule_is_applied_once_per_period(monkeypatch):
    """The Monte Carlo's variations compute a missing-value rule's values once and share them between
    the imputation levels (the zero-counts rule recomputes every indicator: once, not once per level)."""
    import importlib.util

    from analysis.evaluate.principles import evaluate as ev
    from analysis.evaluate.principles.framework import IndexOptions

    calls = []
    real = ev.compute_indicator_values

    def counting(rt, survey, framework, period_end):
        calls.append(framework)
        return real(rt, survey, framework, period_end)

    monkeypatch.setattr(ev, "compute_indicator_values", counting)
    settings = ev.load_framework().settings
    assert "zero_counts_not_applicable" in settings.uncertainty_missing_rules
    assert settings.uncertainty_imputation  # two imputation levels share the rule's values
    spec = importlib.util.spec_from_file_location("_index_tests", ROOT / "tests" / "test_principles_index.py")
    index_tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(index_tests)  # its tiny city (3 RTs with reports, survey-free)
    ev.evaluate_principles(index_tests.tiny_tables(), index_tests.PERIOD, options=IndexOptions(n_runs=50))
    assert len(calls) == 2  # the published values, then the zero-counts rule's
