"""Validation of config/index_framework.yml (analysis.evaluate.principles.framework)."""

import copy

import numpy as np
import pytest
import yaml

from analysis.core.config import CONFIG_DIR
from analysis.core.errors import ConfigError
from analysis.evaluate.principles import PRINCIPLES, IndexOptions, load_framework, parse_framework

SHIPPED = CONFIG_DIR / "index_framework.yml"


def _base() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _indicator(data: dict, code: str) -> dict:
    return next(i for i in data["indicators"] if i["code"] == code)


def test_shipped_framework_loads():
    fw = load_framework(SHIPPED)
    assert {i.principle for i in fw.indicators} == set(PRINCIPLES)
    assert fw.settings.normalisation == "goalposts"
    assert fw.settings.min_coverage == pytest.approx(2 / 3)
    assert len(fw.sha256) == 64
    lpj = next(i for i in fw.indicators if i.code == "A1_lpj_terlambat_hari")
    assert (lpj.direction, lpj.best, lpj.worst) == (-1, 0.0, 30.0)
    assert all(i.justification for i in fw.indicators)


def _edit_indicator(code: str, key: str, value):
    def edit(data):
        _indicator(data, code)[key] = value
        return data

    return edit


def _edit_compute(code: str, key: str, value):
    def edit(data):
        _indicator(data, code)["compute"][key] = value
        return data

    return edit


def _edit_settings(group: str | None, key: str, value):
    def edit(data):
        (data["settings"][group] if group else data["settings"])[key] = value
        return data

    return edit


def _edit_principle_weight(value):
    def edit(data):
        data["principles"]["akuntabilitas"]["weight"] = value
        return data

    return edit


def _drop_principle_indicators(principle):
    def edit(data):
        data["indicators"] = [i for i in data["indicators"] if i["principle"] != principle]
        return data

    return edit


@pytest.mark.parametrize(
    ("edit", "key", "words"),
    [
        pytest.param(
            _edit_indicator("T1_papan_informasi", "principle", "transparency"),
            "indicators[T1_papan_informasi].principle",
            "unknown principle 'transparency'",
            id="bad_principle_name",
        ),
        pytest.param(
            _edit_compute("P1_kehadiran_per_kk", "numerator", "kk_hadir"),
            "indicators[P1_kehadiran_per_kk].compute.numerator",
            "unknown column 'kk_hadir'",
            id="unknown_column",
        ),
        pytest.param(
            _edit_indicator("A1_lpj_terlambat_hari", "direction", "lower"),
            "indicators[A1_lpj_terlambat_hari].direction",
            "'lower' is not one of",
            id="bad_direction",
        ),
        pytest.param(
            _edit_indicator("S2_rencana_pemeliharaan", "weight", 0),
            "indicators[S2_rencana_pemeliharaan].weight",
            "must be > 0",
            id="weight_zero",
        ),
        pytest.param(
            _edit_indicator("S2_rencana_pemeliharaan", "weight", -1.5),
            "indicators[S2_rencana_pemeliharaan].weight",
            "must be > 0",
            id="weight_negative",
        ),
        pytest.param(
            _edit_indicator("S2_rencana_pemeliharaan", "weight", "berat"),
            "indicators[S2_rencana_pemeliharaan].weight",
            "must be a number",
            id="weight_text",
        ),
        pytest.param(
            _edit_principle_weight(0),
            "principles.akuntabilitas.weight",
            "must be > 0",
            id="principle_weight_zero",
        ),
        pytest.param(
            _edit_indicator("P2_porsi_perempuan", "goalposts", {"low": 0.5, "high": 0.5}),
            "indicators[P2_porsi_perempuan].goalposts",
            "must be below high",
            id="goalposts_equal",
        ),
        pytest.param(
            _edit_indicator("P2_porsi_perempuan", "goalposts", [0, 0.5]),
            "indicators[P2_porsi_perempuan].goalposts",
            "missing",
            id="goalposts_list",
        ),
        pytest.param(
            _edit_compute("T1_papan_informasi", "column", "swadaya_idr"),
            "indicators[T1_papan_informasi].compute.column",
            "needs yesno",
            id="boolean_on_money_column",
        ),
        pytest.param(
            _edit_compute("T1_papan_informasi", "kind", "python"),
            "indicators[T1_papan_informasi].compute.kind",
            "'python' is not one of",
            id="unknown_compute_kind",
        ),
        pytest.param(
            _edit_compute(
                "S1_aset_berfungsi", "map", {"berfungsi_penuh": 1, "sebagian": 0.5, "tidak_berfungsi": 0}
            ),
            "indicators[S1_aset_berfungsi].compute.map",
            "not mapped: ['belum_ada']",
            id="ordinal_unmapped",
        ),
        pytest.param(
            _edit_compute("T3_survei_transparansi", "items", ["t1", "t9"]),
            "indicators[T3_survei_transparansi].compute.items",
            "unknown survey item 't9'",
            id="survey_item",
        ),
        pytest.param(
            _edit_compute("A3_temuan_ditindaklanjuti", "zero_denominator", "zero"),
            "indicators[A3_temuan_ditindaklanjuti].compute.zero_denominator",
            "not one of",
            id="zero_denominator",
        ),
        pytest.param(
            _edit_indicator("T1_papan_informasi", "formula", "x*2"),
            "indicators[T1_papan_informasi]",
            "unknown key(s) formula",
            id="unknown_indicator_key",
        ),
        pytest.param(
            _drop_principle_indicators("keberlanjutan"),
            "indicators",
            "'keberlanjutan' has no indicator",
            id="principle_without_indicator",
        ),
        pytest.param(
            _edit_settings(None, "normalisation", "log"),
            "settings.normalisation",
            "'log' is not one of",
            id="bad_normalisation",
        ),
        pytest.param(
            _edit_settings("screening", "min_coverage", 1.5),
            "settings.min_coverage",
            "must be in (0, 1]",
            id="bad_coverage",
        ),
        pytest.param(
            _edit_settings("screening", "min_coverage", "dua pertiga"),
            "settings.screening.min_coverage",
            "fraction",
            id="bad_fraction",
        ),
        pytest.param(
            _edit_settings("uncertainty", "weight_noise", 1.2),
            "settings.weight_noise",
            "must be in [0, 1)",
            id="bad_noise",
        ),
        pytest.param(
            _edit_settings("uncertainty", "n_runs", -5), "settings.n_runs", "whole number >= 0", id="bad_runs"
        ),
        pytest.param(
            _edit_settings(None, "categories", [{"min": 50, "label": "Cukup"}, {"min": 80, "label": "Baik"}]),
            "settings.categories",
            "strictly decreasing",
            id="categories_order",
        ),
        pytest.param(
            _edit_settings(None, "colour", "red"), "settings.colour", "unknown setting", id="unknown_setting"
        ),
        pytest.param(
            _edit_settings(None, "treatment", "winsorise_log"),
            "settings.treatment",
            "needs a normalisation on the RTs' own distribution",
            id="treatment_with_goalposts",
        ),
        pytest.param(
            _edit_settings(None, "treatment", "trim"),
            "settings.treatment",
            "'trim' is not one of",
            id="bad_treatment",
        ),
        pytest.param(
            _edit_settings(None, "generalised_mean_p", 0),
            "settings.generalised_mean_p",
            "must not be 0",
            id="p_zero",
        ),
        pytest.param(
            _edit_settings(None, "normalisation", "fracmax"),
            "settings.normalisation",
            "negative: A1_lpj_terlambat_hari, A2_deviasi_serapan",
            id="fracmax_negative_indicators",
        ),
        pytest.param(
            _edit_settings("uncertainty", "uncertainty_aggregations", ["arithmetic", "harmonic"]),
            "settings.uncertainty_aggregations",
            "'harmonic' is not one of arithmetic, geometric",
            id="uncertainty_aggregation_not_drawable",
        ),
        pytest.param(
            _edit_settings(None, "principle_weighting", "budget"),
            "settings.principle_weighting",
            "'budget' is not one of manual, pca, correlation_optimised",
            id="unknown_principle_weighting",
        ),
    ],
)
def test_invalid_framework_names_file_key_and_problem(tmp_path, edit, key, words):
    data = edit(copy.deepcopy(_base()))
    path = tmp_path / "bad_framework.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_framework(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert words in message


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_framework(tmp_path / "nope.yml")
    bad = tmp_path / "broken.yml"
    bad.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_framework(bad)


def test_missing_principle_in_principles_block():
    data = _base()
    del data["principles"]["partisipatif"]
    with pytest.raises(ConfigError, match=r"<x>: principles: principle 'partisipatif' is missing"):
        parse_framework(data, source="<x>")


def test_options_override_and_are_validated():
    fw = load_framework(SHIPPED)
    changed = fw.with_options(
        IndexOptions(normalisation="minmax", n_runs=10, uncertainty_aggregations=["arithmetic"])
    )
    assert (changed.settings.normalisation, changed.settings.n_runs) == ("minmax", 10)
    assert changed.settings.uncertainty_aggregations == ("arithmetic",)
    assert fw.settings.normalisation == "goalposts"  # the original is unchanged
    assert fw.with_options(IndexOptions(aggregation="harmonic")).settings.aggregation == "harmonic"
    # Copeland is refused with its reason (issue 12): wins minus losses is not a 0-100 score
    with pytest.raises(
        ConfigError, match=r"^IndexOptions: settings.aggregation: copeland is not offered"
    ) as info:
        fw.with_options(IndexOptions(aggregation="copeland"))
    assert "not a 0-100 score" in str(info.value) and "python -m analysis index" in str(info.value)
    with pytest.raises(ConfigError, match=r"^IndexOptions: settings.aggregation: 'mode' is not one of"):
        fw.with_options(IndexOptions(aggregation="mode"))
    with pytest.raises(ConfigError, match=r"^IndexOptions: settings.normalisation: fracmax .* A1_lpj_"):
        fw.with_options(IndexOptions(normalisation="fracmax"))


@pytest.mark.parametrize(
    ("spent", "allocated", "completed", "planned", "expected", "applicable"),
    [
        pytest.param(40e6, 100e6, 2, 4, 0.0, True, id="works_ahead_of_spending_no_risk"),
        pytest.param(90e6, 100e6, 1, 4, 65.0, True, id="spending_far_ahead_of_works_is_the_risk"),
        pytest.param(5e6, 100e6, 0, 4, 5.0, True, id="spent_little_did_little"),
        pytest.param(10e6, 0.0, 1, 2, np.nan, False, id="no_allocation_not_applicable"),
        pytest.param(5e6, 50e6, 0, 0, np.nan, False, id="no_planned_activity_not_applicable"),
    ],
)
def test_ratio_gap_between_serapan_and_activity_progress(
    spent, allocated, completed, planned, expected, applicable
):
    """A2: max(0, 100·spent/allocated − 100·completed/planned), by hand: only spending ahead of works."""
    import pandas as pd

    from analysis.evaluate.principles.indicators import compute_ratio

    fw = load_framework(SHIPPED)
    a2 = next(i for i in fw.indicators if i.code == "A2_deviasi_serapan")
    rt = pd.DataFrame(
        {
            "budget_spent_idr": [spent],
            "budget_allocated_idr": [allocated],
            "activities_completed": pd.array([completed], dtype="Int64"),
            "activities_planned": pd.array([planned], dtype="Int64"),
        }
    )
    value, is_applicable = compute_ratio(rt, a2)
    assert is_applicable.tolist() == [applicable]
    if applicable:
        np.testing.assert_allclose(value, [expected])
    assert a2.can_be_strength is False  # a risk check: "no gap" is never listed as a strength


def test_compare_with_and_distance_from_are_exclusive(tmp_path):
    data = _base()
    _indicator(data, "A2_deviasi_serapan")["compute"]["distance_from"] = 100
    path = tmp_path / "fw.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match="compare_with: use either distance_from or compare_with"):
        load_framework(path)
