"""``python -m analysis index``: COINr's published ASEM example reproduced from CSVs in COINr's layout,
the outputs per level, the settings file, and one-line errors for bad iMeta / iData."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import cli

ASEM = Path(__file__).parent / "data" / "coinr_asem"


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["index", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _expected() -> pd.DataFrame:
    return pd.read_csv(ASEM / "coinr_aggregated.csv").set_index("uCode")


def test_defaults_reproduce_coinr_minmax_and_arithmetic_mean(tmp_path, capsys):
    """COINr's defaults on the data as given: COINr's treated ASEM data in, its published index out."""
    treated = pd.read_csv(ASEM / "coinr_treated.csv")
    treated.to_csv(tmp_path / "iData.csv", index=False, float_format="%.17g")
    code, out, err = _run(
        capsys, "--data", tmp_path / "iData.csv", "--meta", ASEM / "iMeta.csv", "--out", tmp_path / "out"
    )
    assert (code, err) == (0, ""), err
    assert "51 units, 49 indicators, 4 levels" in out
    got = pd.read_csv(tmp_path / "out" / "aggregated.csv").set_index("uCode")
    expected = _expected()
    np.testing.assert_allclose(got.loc[expected.index, expected.columns], expected, rtol=0, atol=1e-9)


def test_full_coinr_pipeline_from_raw_data(tmp_path, capsys):
    """Denominate → group-mean imputation → winsorise/log → min-max → arithmetic mean, as COINr's example."""
    settings = tmp_path / "settings.yml"
    settings.write_text(
        "denominate: true\n"
        "impute: {method: group_mean, group: EurAsia_group}\n"
        "treat: {method: winsorise_log, winmax: 6}\n"
        "pca: {level: 1}\n"
    )
    out_dir = tmp_path / "out"
    code, _, err = _run(
        capsys,
        "--data",
        ASEM / "iData.csv",
        "--meta",
        ASEM / "iMeta.csv",
        "--out",
        out_dir,
        "--settings",
        settings,
    )
    assert (code, err) == (0, ""), err
    got = pd.read_csv(out_dir / "aggregated.csv").set_index("uCode")
    expected = _expected()
    np.testing.assert_allclose(got.loc[expected.index, expected.columns], expected, rtol=0, atol=1e-9)
    # COINr's treatment summary for the example: e.g. Services 4 points winsorised, Flights 1, none logged
    treatment = pd.read_csv(out_dir / "treatment.csv").set_index("iCode")
    assert treatment.loc[["Services", "Flights", "Goods"], "n_winsorised"].tolist() == [4, 1, 0]
    assert set(treatment["treatment"]) == {"none", "winsorised"}
    assert (treatment["treatment"] == "winsorised").sum() == 15
    # ranks per level: Switzerland first, as COINr's published example
    ranks = pd.read_csv(out_dir / "ranks_level4.csv")
    assert ranks.sort_values("Index")["uName"].head(3).tolist() == ["Switzerland", "Netherlands", "Denmark"]
    assert set(pd.read_csv(out_dir / "scores_level2.csv").columns) == {
        "uCode",
        "uName",
        "Physical",
        "ConEcFin",
        "Political",
        "Instit",
        "P2P",
        "Environ",
        "Social",
        "SusEcFin",
    }
    corr = pd.read_csv(out_dir / "correlations.csv")
    assert {(a, b) for a, b in zip(corr["level_a"], corr["level_b"], strict=True)} == {
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 2),
        (2, 3),
        (2, 4),
        (3, 3),
        (3, 4),
    }
    dens = pd.read_csv(out_dir / "denominator_correlations.csv")
    assert set(dens["denominator"]) == {"Area", "Energy", "GDP", "Population"}
    pca = pd.read_csv(out_dir / "pca.csv")
    assert set(pca["parent"]) == {
        "Physical",
        "ConEcFin",
        "Political",
        "Instit",
        "P2P",
        "Environ",
        "Social",
        "SusEcFin",
    }


def _tiny(
    tmp_path: Path, meta_rows: list[str] | None = None, data_rows: list[str] | None = None
) -> tuple[Path, Path]:
    meta = tmp_path / "iMeta.csv"
    data = tmp_path / "iData.csv"
    meta.write_text(
        "\n".join(
            meta_rows
            or [
                "Level,iCode,iName,Parent,Direction,Weight,Type",
                "1,x1,X one,A,1,1,Indicator",
                "1,x2,X two,A,-1,1,Indicator",
                "1,x3,X three,B,1,1,Indicator",
                "2,A,Sub A,Top,1,1,Aggregate",
                "2,B,Sub B,Top,1,3,Aggregate",
                "3,Top,Index,,1,1,Aggregate",
                ",grp,Group,,,,Group",
            ]
        )
        + "\n"
    )
    data.write_text(
        "\n".join(
            data_rows or ["uCode,uName,grp,x1,x2,x3", "u1,One,g,0,10,5", "u2,Two,g,10,0,", "u3,Three,h,5,5,0"]
        )
        + "\n"
    )
    return data, meta


def test_tiny_three_level_index_by_hand(tmp_path, capsys):
    data, meta = _tiny(tmp_path)
    code, _, err = _run(capsys, "--data", data, "--meta", meta, "--out", tmp_path / "out")
    assert (code, err) == (0, ""), err
    got = pd.read_csv(tmp_path / "out" / "aggregated.csv").set_index("uCode")
    # x1 min-max: 0, 100, 50; x2 reversed: 0, 100, 50; x3: 100, missing, 0
    assert got["A"].tolist() == [0.0, 100.0, 50.0]
    assert got["B"].tolist()[0] == 100.0 and np.isnan(got["B"].tolist()[1])
    # Top = (1·A + 3·B)/4; u2 has no B: A alone (weights renormalised)
    assert got["Top"].tolist() == [75.0, 100.0, 12.5]
    assert pd.read_csv(tmp_path / "out" / "ranks_level3.csv")["Top"].tolist() == [2, 1, 3]


@pytest.mark.parametrize(
    ("settings", "column", "expected"),
    [
        # Copeland at both levels: A = (-2, 2, 0) (u2 beats both on x1 and x2); B: x3 = (100, NA, 0) gives
        # every unit one win and one loss (a missing value loses its pair), so Top follows A
        pytest.param("aggregate: {method: copeland}", "Top", [-2.0, 2.0, 0.0], id="copeland"),
        # generalised mean p = 2: Top = sqrt((1·A² + 3·B²)/4)
        pytest.param("aggregate: {method: genmean, p: 2}", "Top", [np.sqrt(7500), 100.0, 25.0], id="genmean"),
        pytest.param(
            "impute: {method: group_mean, group: grp}", "B", [100.0, 100.0, 0.0], id="group_mean_imputation"
        ),
        pytest.param("weights: {method: equal}", "Top", [50.0, 100.0, 25.0], id="equal_weights"),
        pytest.param("normalise: {method: prank}", "A", [0.0, 1.0, 0.5], id="prank"),
    ],
)
def test_settings_select_methods(tmp_path, capsys, settings, column, expected):
    data, meta = _tiny(tmp_path)
    (tmp_path / "s.yml").write_text(settings + "\n")
    code, _, err = _run(
        capsys, "--data", data, "--meta", meta, "--out", tmp_path / "out", "--settings", tmp_path / "s.yml"
    )
    assert (code, err) == (0, ""), err
    got = pd.read_csv(tmp_path / "out" / "aggregated.csv")
    assert got[column].tolist() == pytest.approx(expected)


META_HEADER = "Level,iCode,iName,Parent,Direction,Weight,Type"


@pytest.mark.parametrize(
    ("meta_rows", "data_rows", "message"),
    [
        pytest.param(
            [META_HEADER, "1,x1,X,Sub,1,1,Indicator", "2,Sub,S,Top,1,1,Aggregate", "3,Top,T,,1,1,Aggregate"],
            ["uCode,x1,x9", "u1,1,2"],
            "iData.csv: column 'x9' is not an iCode of",
            id="unknown_indicator_column",
        ),
        pytest.param(
            [META_HEADER, "1,x1,X,Sub,1,1,Indicator", "2,Sub,S,Top,1,1,Aggregate", "3,Top,T,,1,1,Aggregate"],
            ["uCode,x1", "u1,1", "u2,dua"],
            "iData.csv: line 3, column x1: 'dua' is not a number",
            id="non_numeric_cell",
        ),
        pytest.param(
            [META_HEADER, "1,x1,X,Sbu,1,1,Indicator", "2,Sub,S,Top,1,1,Aggregate", "3,Top,T,,1,1,Aggregate"],
            ["uCode,x1", "u1,1"],
            "iMeta.csv: line 2, column Parent: 'Sbu' (parent of 'x1') is not a code of level 2; did you mean Sub?",
            id="bad_parent",
        ),
        pytest.param(
            [META_HEADER, "1,x1,X,Sub,2,1,Indicator", "2,Sub,S,Top,1,1,Aggregate", "3,Top,T,,1,1,Aggregate"],
            ["uCode,x1", "u1,1"],
            "iMeta.csv: line 2, column Direction: '2' must be 1 or -1",
            id="bad_direction",
        ),
        pytest.param(
            [META_HEADER, "1,x1,X,Sub,1,1,Indicatr", "2,Sub,S,Top,1,1,Aggregate", "3,Top,T,,1,1,Aggregate"],
            ["uCode,x1", "u1,1"],
            "iMeta.csv: line 2, column Type: 'Indicatr' is not one of",
            id="bad_type",
        ),
        pytest.param(
            [
                META_HEADER,
                "1,x1,X,Sub,1,1,Indicator",
                "1,x2,X,Sub,1,1,Indicator",
                "2,Sub,S,Top,1,1,Aggregate",
                "3,Top,T,,1,1,Aggregate",
            ],
            ["uCode,x1", "u1,1"],
            "iData.csv: no column 'x2' (",
            id="indicator_column_missing",
        ),
        pytest.param(
            ["Level,iCode,Parent,Direction,Weight,Type", "1,x1,Top,1,1,Indicator", "2,Top,,1,1,Aggregate"],
            ["uCode,x1", "u1,1"],
            "iMeta.csv: missing column(s) iName",
            id="missing_meta_column",
        ),
        pytest.param(
            [META_HEADER, "1,x1,X,Top,1,1,Indicator", "2,Top,T,,1,1,Aggregate", "2,Top2,T,,1,1,Aggregate"],
            ["uCode,x1", "u1,1"],
            "the top level 2 must hold exactly one code",
            id="two_top_codes",
        ),
        pytest.param(
            [META_HEADER, "1,x1,X,Top,1,1,Indicator", "2,Top,T,,1,1,Aggregate"],
            ["uCode,x1", "u1,1", "u1,2"],
            "iData.csv: line 3, column uCode: unit 'u1' appears twice",
            id="duplicate_unit",
        ),
    ],
)
def test_bad_inputs_are_one_line_errors(tmp_path, capsys, meta_rows, data_rows, message):
    data, meta = _tiny(tmp_path, meta_rows, data_rows)
    code, out, err = _run(capsys, "--data", data, "--meta", meta, "--out", tmp_path / "out")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert message in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param(
            "normalize: minmax", "normalize: unknown key; did you mean normalise?", id="unknown_section"
        ),
        pytest.param(
            "aggregate: {method: mode}", "aggregate.method: 'mode' is not one of", id="unknown_method"
        ),
        pytest.param(
            "normalise: {method: fracmax, l_u: [0, 1]}",
            "normalise.l_u: not a parameter of fracmax",
            id="param_of_other_method",
        ),
        pytest.param(
            "impute: {method: group_mean}", "impute.group: name the iData group column", id="group_missing"
        ),
        pytest.param(
            "aggregate: {method: [amean, hmean]}",
            "aggregate.method: hmean at level 3: Top: harmonic mean: zero values",
            id="mean_outside_its_domain",
        ),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path, capsys, settings, message):
    data, meta = _tiny(tmp_path)
    (tmp_path / "s.yml").write_text(settings + "\n")
    code, _, err = _run(
        capsys, "--data", data, "--meta", meta, "--out", tmp_path / "out", "--settings", tmp_path / "s.yml"
    )
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"s.yml: {message}" in err


def test_carry_forward_fills_from_the_previous_time_and_lists_what_it_carried(tmp_path, capsys):
    # u2's x3 is missing in 2024 and was 8 in 2023: carried forward. u3's x1 missing in 2024 and 2023:
    # stays missing. Scores use 2024 only: x3 = (5, 8, 0) -> min-max (62.5, 100, 0).
    data, meta = _tiny(
        tmp_path,
        data_rows=[
            "uCode,uName,Time,grp,x1,x2,x3",
            "u1,One,2023,g,1,1,1",
            "u2,Two,2023,g,2,2,8",
            "u3,Three,2023,h,,3,3",
            "u1,One,2024,g,0,10,5",
            "u2,Two,2024,g,10,0,",
            "u3,Three,2024,h,,5,0",
        ],
    )
    (tmp_path / "s.yml").write_text("impute: {method: carry_forward, max_periods: 1}\n")
    code, _, err = _run(
        capsys, "--data", data, "--meta", meta, "--out", tmp_path / "out", "--settings", tmp_path / "s.yml"
    )
    assert (code, err) == (0, ""), err
    got = pd.read_csv(tmp_path / "out" / "aggregated.csv").set_index("uCode")
    assert got["x3"].tolist() == [62.5, 100.0, 0.0]
    assert np.isnan(got.loc["u3", "x1"])
    carried = pd.read_csv(tmp_path / "out" / "carried_forward.csv")
    assert carried.to_dict("records") == [
        {"uCode": "u2", "iCode": "x3", "value": 8.0, "Time": 2024, "from_Time": 2023.0}
    ]
