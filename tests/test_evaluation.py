"""``evaluate_source`` and the ``evaluate`` command on a tiny hand-made data source (and the bundled sample)."""

import argparse
import json
import os
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.config import SAMPLE_NOTICE, SAMPLE_SOURCE, SYNTHETIC_MARKER
from analysis.core.errors import UsageError
from analysis.core.periods import period_from_filename, sort_key
from analysis.evaluate import evaluation
from analysis.evaluate.claims import NOT_SUPPORTED, SUPPORTED, UNVERIFIABLE
from analysis.evaluate.evaluation import evaluate_source, needs_cleaning, run_principles

AGENCY_HEADER = [
    "No", "Kode Indikator", "Nama Indikator", "Satuan", "Target", "Realisasi", "Pagu Anggaran (Rp)",
    "Realisasi Anggaran (Rp)", "Keterangan",
]  # fmt: skip

# (indicator, target as restated, realisation, pagu, spent) per period
REPORTS = {
    # 100-hari: P01-01 120/100 = 120 %; P01-02 negatif (16-9)/8 = 87.5 %; P02-01 70 vs 80-90 -> 70/80 = 87.5 %
    "100-hari": [("P01-01", 100, 120, 1_000_000, 400_000), ("P01-02", 8, 9, None, None), ("P02-01", "80-90", 70, 500_000, 300_000)],
    # TW1: 40/50 = 80 %; 8 vs 8 = 100 %; 85 inside 80-90 = 100 %
    "2025-TW1": [("P01-01", 50, 40, 1_000_000, 200_000), ("P01-02", 8, 8, None, None), ("P02-01", "80-90", 85, 500_000, 100_000)],
    # TW2: 110 %; (16-6)/8 = 125 %; 92/90 = 102.2 %
    "2025-TW2": [("P01-01", 100, 110, 1_000_000, 500_000), ("P01-02", 8, 6, None, None), ("P02-01", "80-90", 92, 500_000, 300_000)],
}  # fmt: skip


def write_source(root: Path) -> Path:
    """A minimal data source: two programs, three indicators, agency reports for three periods."""
    (root / "referensi").mkdir(parents=True)
    (root / "realisasi").mkdir()
    (root / "referensi" / "program.csv").write_text(
        "kode_program,nama_program,singkatan,opd_pengampu,sektor\n"
        "P01,Kartu Bahagia,,Dinas Sosial,sosial\n"
        "P02,Balai Latihan Kerja Tematik,Balikat,Disnaker,pendidikan\n",
        encoding="utf-8",
    )
    (root / "referensi" / "indikator.csv").write_text(
        "kode_indikator,kode_program,nama_indikator,satuan,polaritas,bobot\n"
        "P01-01,P01,Penerima kartu,orang,positif,\n"
        "P01-02,P01,Aduan,kasus,negatif,\n"
        "P02-01,P02,Peserta lulus,%,positif,\n",
        encoding="utf-8",
    )
    lines = ["kode_indikator,periode,target"]
    for period, rows in REPORTS.items():
        lines += [f"{code},{period},{target}" for code, target, *_ in rows]
    (root / "referensi" / "target.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for period, rows in REPORTS.items():
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Realisasi"
        ws.append(AGENCY_HEADER)
        for i, (code, target, real, pagu, spent) in enumerate(rows, start=1):
            ws.append([i, code, code, "", target, real, pagu, spent, ""])
        wb.save(root / "realisasi" / f"realisasi_{period}.xlsx")
    return root


@pytest.fixture
def source(tmp_path):
    return write_source(tmp_path / "raw" / "mini")


def test_evaluate_100_hari(source, tmp_path):
    out_dir = tmp_path / "processed" / "mini" / "100-hari"
    result = evaluate_source(source, "100 hari", out_dir)
    assert result.period == "100-hari"
    assert result.cleaned == ["100-hari"]
    assert result.previous_period is None and not result.previous_available
    for name in (
        "achievement_indicator",
        "achievement_program",
        "achievement_sector",
        "achievement_agency",
        "claims",
    ):
        assert (out_dir / f"{name}.parquet").exists()
    prog = pd.read_parquet(out_dir / "achievement_program.parquet").set_index("program_code")
    assert prog.loc["P01", "achievement_pct"] == pytest.approx((120 + 87.5) / 2)
    assert prog.loc["P02", "achievement_capped_pct"] == pytest.approx(87.5)
    assert prog.loc["P01", "serapan_pct"] == pytest.approx(40.0)
    claims = pd.read_parquet(out_dir / "claims.parquet")
    main_claim = claims[claims["claim_id"] == "program_100_hari_melebihi_target"].set_index("reading_id")
    assert main_claim.loc["setiap_program", "verdict"] == NOT_SUPPORTED
    assert main_claim.loc["setiap_program", "value"] == pytest.approx(87.5)
    assert "P02 87,5%" in main_claim.loc["setiap_program", "evidence"]
    assert main_claim.loc["rerata_program", "value"] == pytest.approx((103.75 + 87.5) / 2)
    assert (main_claim["overall_verdict"] == NOT_SUPPORTED).all()
    assert "laporan mandiri" in main_claim["data_note"].iloc[0]
    manifest = json.loads((out_dir / "evaluation.json").read_text(encoding="utf-8"))
    assert manifest["claims"] == [
        {"claim_id": "program_100_hari_melebihi_target", "overall_verdict": NOT_SUPPORTED}
    ]
    assert manifest["tables"]["claims"] == 8  # the readings of config/claims.yml
    assert manifest["sample_notice"] is None


def test_previous_period_is_cleaned_and_used(source, tmp_path):
    out_dir = tmp_path / "processed" / "mini" / "2025-TW2"
    result = evaluate_source(source, "2025-TW2", out_dir)
    assert result.cleaned == ["2025-TW2", "2025-TW1"]
    assert result.previous_available
    assert (tmp_path / "processed" / "mini" / "2025-TW1" / "quality.json").exists()
    ind = result.tables["achievement_indicator"].set_index("indicator_code")
    assert ind.loc["P01-01", "previous_achievement_pct"] == pytest.approx(80.0)
    assert ind.loc["P01-01", "achievement_change_pp"] == pytest.approx(30.0)
    prog = result.tables["achievement_program"].set_index("program_code")
    # P01 now (110 + 120 capped) / 2 = 115 (uncapped 117.5); before (80 + 100) / 2 = 90
    assert prog.loc["P01", "achievement_capped_pct"] == pytest.approx(115.0)
    assert prog.loc["P01", "achievement_capped_change_pp"] == pytest.approx(25.0)
    # the example serapan claim of 2025-TW2: (500k + 300k) / (1m + 500k) = 53.3 % >= 50
    claims = result.tables["claims"]
    assert claims["claim_id"].tolist() == ["contoh_serapan_semester_1"]
    assert claims["verdict"].iloc[0] == SUPPORTED
    assert claims["is_example"].iloc[0]


def test_previous_period_without_files_is_skipped(source, tmp_path):
    result = evaluate_source(source, "2025-TW1", tmp_path / "p" / "2025-TW1")
    assert result.previous_period == "2024-TW4"
    assert not result.previous_available
    assert result.tables["achievement_program"]["previous_achievement_pct"].isna().all()


def test_rerun_is_byte_identical_and_does_not_reclean(source, tmp_path):
    out_dir = tmp_path / "out" / "2025-TW2"
    evaluate_source(source, "2025-TW2", out_dir)
    first = {p.relative_to(out_dir): p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()}
    again = evaluate_source(source, "2025-TW2", out_dir)
    assert again.cleaned == []
    assert {
        p.relative_to(out_dir): p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()
    } == first


def test_newer_raw_file_triggers_cleaning(source, tmp_path):
    out_dir = tmp_path / "out" / "100-hari"
    evaluate_source(source, "100-hari", out_dir)
    assert not needs_cleaning(source, "100-hari", out_dir)
    raw = source / "realisasi" / "realisasi_100-hari.xlsx"
    future = time.time() + 60
    os.utime(raw, (future, future))
    assert needs_cleaning(source, "100-hari", out_dir)
    assert evaluate_source(source, "100-hari", out_dir).cleaned == ["100-hari"]
    (out_dir / "targets.parquet").unlink()
    assert needs_cleaning(source, "100-hari", out_dir)


def test_synthetic_source_carries_the_notice(source, tmp_path):
    (source / SYNTHETIC_MARKER).write_text("", encoding="utf-8")
    result = evaluate_source(source, "100-hari", tmp_path / "o")
    assert result.tables["claims"]["data_note"].str.startswith(SAMPLE_NOTICE).all()


def test_stale_tables_of_an_earlier_run_are_removed(source, tmp_path):
    out_dir = tmp_path / "o"
    evaluate_source(source, "100-hari", out_dir)
    manifest = json.loads((out_dir / "evaluation.json").read_text(encoding="utf-8"))
    manifest["tables"]["principle_index_rt"] = 3
    (out_dir / "evaluation.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out_dir / "principle_index_rt.parquet").write_bytes(b"old")
    evaluate_source(source, "100-hari", out_dir)
    assert not (out_dir / "principle_index_rt.parquet").exists()
    assert (out_dir / "programs.parquet").exists()


@pytest.mark.parametrize(
    ("raw", "period", "message"),
    [
        pytest.param("missing", "100-hari", "data source folder not found", id="missing_folder"),
        pytest.param(None, "kuartal lima", "unknown period", id="bad_period"),
    ],
)
def test_usage_errors(source, raw, period, message):
    with pytest.raises(UsageError, match=message):
        evaluate_source(source / raw if raw else source, period)


# ----------------------------------------------------------------------------------------- principles
class _FakePrinciples:
    def __init__(self, tables):
        self.tables = tables
        self.calls = []

    def evaluate_principles(self, tables, period, previous_tables):
        self.calls.append((period, previous_tables is None))
        return self.tables


def _rt_tables(n_rows):
    return {"rt_reports": pd.DataFrame({"rt_code": ["15.71.07.1012.014"] * n_rows})}


def test_principles_run_only_with_rt_reports():
    module = _FakePrinciples({"principle_index_rt": pd.DataFrame({"x": [1]})})
    extra, status = run_principles(module, _rt_tables(1), "2025-TW3", None, {"claims"})
    assert list(extra) == ["principle_index_rt"]
    assert status == "computed: principle_index_rt"
    assert module.calls == [("2025-TW3", True)]
    extra, status = run_principles(module, _rt_tables(0), "2025-TW3", None, {"claims"})
    assert extra == {} and "no RT reports" in status
    extra, status = run_principles(None, _rt_tables(1), "2025-TW3", None, {"claims"})
    assert extra == {} and "not available" in status


@pytest.mark.parametrize("name", ["claims", "rt_reports"])
def test_principles_table_name_clash_raises(name):
    module = _FakePrinciples({name: pd.DataFrame()})
    with pytest.raises(RuntimeError, match="already in use"):
        run_principles(module, _rt_tables(1), "2025-TW3", None, {"claims"})


# ------------------------------------------------------------------------------------------------ CLI
def _parse(argv):
    parser = argparse.ArgumentParser()
    evaluation.configure_parser(parser)
    return parser.parse_args(argv)


def test_cli_main(source, tmp_path, capsys):
    out_dir = tmp_path / "cli" / "mini" / "100-hari"  # --processed is the root: ROOT/<source>/<period>/
    assert (
        evaluation.main(
            _parse(["--raw", str(source), "--period", "100 hari", "--processed", str(tmp_path / "cli")])
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "claim program_100_hari_melebihi_target: tidak didukung data" in printed
    assert "achievement_program: 2 rows" in printed
    assert (out_dir / "claims.parquet").exists()


def test_cli_entry_point_bad_period_exits_2(source, capsys):
    from analysis.cli import main

    assert main(["evaluate", "--raw", str(source), "--period", "TW 9 2025"]) == 2
    assert "unknown period" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- bundled sample
#: The bundled sample; ``ANALYSIS_SAMPLE_SOURCE`` points at another one; generated into a temporary folder
#: when neither exists (the generator is deterministic, ~4 s).
SAMPLE = Path(os.environ.get("ANALYSIS_SAMPLE_SOURCE", SAMPLE_SOURCE))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    if (SAMPLE / SYNTHETIC_MARKER).exists():
        return SAMPLE
    from analysis.sample import generate_sample

    out = tmp_path_factory.mktemp("raw") / "sample"
    generate_sample(out)
    return out


def _sample_periods(source: Path) -> list[str]:
    found = {
        period_from_filename(p.name, prefix)
        for p in source.rglob("*")
        for prefix in ("realisasi", "laporan_rt", "survei_warga")
        if p.is_file()
    }
    return sorted(found - {None}, key=sort_key)


def test_sample_100_hari_claim_verdict_with_evidence(sample, tmp_path):
    result = evaluate_source(sample, "100-hari", tmp_path / "sample" / "100-hari")
    all_programs = result.tables["achievement_program"]
    assert len(all_programs) == 11
    # Kampung Bahagia (P05) was launched on 23 Jun 2025, after day 100: not assessable, out of the scope
    late = all_programs["achievement_reason"] == "program_not_started"
    assert all_programs.loc[late, "program_code"].tolist() == ["P05"]
    prog = all_programs[~late]
    assert (prog["achievement_status"] == "computed").all()
    claims = result.tables["claims"]
    main_claim = claims[claims["claim_id"] == "program_100_hari_melebihi_target"].set_index("reading_id")
    assert len(main_claim) == 8
    assert main_claim["data_note"].str.startswith(SAMPLE_NOTICE).all()
    assert (main_claim["coverage_pct"] == 100.0).all()
    assert (main_claim["not_assessable_programs"] == "P05").all()
    assert "P05" not in main_claim["scope_programs"].iloc[0]
    assert (main_claim["verdict"] != UNVERIFIABLE).all()  # complete data: every reading gets a verdict
    every = main_claim.loc["setiap_program"]
    assert every["value"] == pytest.approx(prog["achievement_capped_pct"].min())
    below = prog[prog["achievement_capped_pct"] < 100].sort_values("program_code")
    assert every["verdict"] == (NOT_SUPPORTED if len(below) else SUPPORTED)
    for code in below["program_code"]:
        assert code in every["evidence"]
    assert main_claim.loc["rerata_program", "value"] == pytest.approx(prog["achievement_capped_pct"].mean())
    assert main_claim.loc["median_program", "value"] == pytest.approx(prog["achievement_capped_pct"].median())
    assert (main_claim["overall_verdict"] == every["verdict"]).all()  # rule: primary


@pytest.mark.slow  # ~15-20 s on the 2-core machine: cleaning + principle index of seven periods
def test_sample_every_period(sample, tmp_path):
    periods = _sample_periods(sample)
    assert periods[0] == "100-hari" and len(periods) >= 5
    results = {p: evaluate_source(sample, p, tmp_path / "sample" / p) for p in periods}
    for period, result in results.items():
        assert len(result.tables["achievement_program"]) == 11, period
        assert result.tables["achievement_program"]["achievement_capped_pct"].notna().any(), period
        manifest = json.loads((result.out_dir / "evaluation.json").read_text(encoding="utf-8"))
        assert manifest["tables"]["achievement_indicator"] == len(result.tables["achievement_indicator"])
    # change against the previous period where the sample has it (2025-TW3 follows 2025-TW2)
    assert results["2025-TW3"].previous_available
    assert results["2025-TW3"].tables["achievement_program"]["achievement_capped_change_pp"].notna().any()


@pytest.mark.parametrize(
    "period_folder",
    [
        pytest.param(lambda root: root / "mini" / "100-hari", id="named_like_a_period"),
        pytest.param(lambda root: root / "mini" / "done", id="holds_quality_json"),
    ],
)
def test_cli_period_folder_passed_by_habit_is_a_usage_error(source, tmp_path, capsys, period_folder):
    """``--processed`` used to be the period folder for ``evaluate``: passing one now says what to pass."""
    from analysis.cli import main

    root = tmp_path / "processed"
    folder = period_folder(root)
    folder.mkdir(parents=True)
    if folder.name == "done":
        (folder / "quality.json").write_text("{}", encoding="utf-8")
    argv = ["evaluate", "--raw", str(source), "--period", "100-hari", "--processed", str(folder)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"pass --processed {root} (not {folder})" in err
    assert not (folder / "mini").exists()


# ------------------------------------------------------------ reusing a current evaluation (issue 15)
def test_evaluation_is_current_follows_raw_files_code_and_config(source, tmp_path, monkeypatch):
    out_dir = tmp_path / "p" / "mini" / "2025-TW2"
    assert not evaluation.evaluation_is_current(source, "2025-TW2", out_dir)  # nothing there yet
    evaluate_source(source, "2025-TW2", out_dir)
    assert evaluation.evaluation_is_current(source, "2025-TW2", out_dir)
    assert not evaluation.evaluation_is_current(source, "2025-TW1", out_dir)  # another period's folder
    # the previous period was cleaned as an input only: no evaluation, no feedback workbooks
    prev_dir = out_dir.parent / "2025-TW1"
    assert (prev_dir / "quality.json").exists() and not (prev_dir / "feedback").exists()
    assert not evaluation.evaluation_is_current(source, "2025-TW1", prev_dir)
    assert (out_dir / "feedback").is_dir()  # the period's own cleaning writes them, as before
    # other code or configuration: not current
    monkeypatch.setattr(evaluation, "code_and_config_sha256", lambda: "0" * 64)
    assert not evaluation.evaluation_is_current(source, "2025-TW2", out_dir)
    monkeypatch.undo()
    # a raw file newer than the cleaned tables: not current
    future = time.time() + 60
    os.utime(source / "realisasi" / "realisasi_2025-TW2.xlsx", (future, future))
    assert not evaluation.evaluation_is_current(source, "2025-TW2", out_dir)


def test_code_and_config_digest_covers_the_config_files():
    evaluation.code_and_config_sha256.cache_clear()
    first = evaluation.code_and_config_sha256()
    assert len(first) == 64 and first == evaluation.code_and_config_sha256()


@pytest.mark.slow  # ~10 s: three evaluations of the sample with the principle index
def test_previous_rt_index_reused_gives_byte_identical_tables(sample, tmp_path):
    """The change columns from the previous period's own rt_index equal those of scoring it again."""
    root = tmp_path / "sample"
    first = evaluate_source(sample, "2026-TW3", root / "2026-TW3")  # the previous period scored again
    before = {p.name: p.read_bytes() for p in sorted((root / "2026-TW3").glob("*.parquet"))}
    assert not json.loads((root / "2026-TW3" / "evaluation.json").read_text())["previous_index_reused"]
    evaluate_source(sample, "2026-TW2", root / "2026-TW2")  # now the previous folder is evaluated
    again = evaluate_source(sample, "2026-TW3", root / "2026-TW3")
    manifest = json.loads((root / "2026-TW3" / "evaluation.json").read_text())
    assert manifest["previous_index_reused"]
    assert "rank_previous_median" in again.tables["rt_index"].columns
    pd.testing.assert_frame_equal(again.tables["rt_index"], first.tables["rt_index"])
    assert {p.name: p.read_bytes() for p in sorted((root / "2026-TW3").glob("*.parquet"))} == before


def test_run_evaluates_the_100_days_once_while_current(source, tmp_path):
    """The runner's 100-day step: evaluated (no feedback workbooks: an input only), then left as it is
    while current, evaluated again after a raw file changed."""
    from analysis.publish.runner.execute import evaluate_hundred_days

    period_dir = tmp_path / "p" / "mini" / "2025-TW2"
    hundred = period_dir.parent / "100-hari"
    assert evaluate_hundred_days(source, "2025-TW2", period_dir) == "evaluated"
    assert (hundred / "claims.parquet").exists() and not (hundred / "feedback").exists()
    assert evaluate_hundred_days(source, "2025-TW2", period_dir) == "current"
    future = time.time() + 60
    os.utime(source / "realisasi" / "realisasi_100-hari.xlsx", (future, future))
    assert evaluate_hundred_days(source, "2025-TW2", period_dir) == "evaluated"
    assert evaluate_hundred_days(source, "100-hari", hundred) == "none"
