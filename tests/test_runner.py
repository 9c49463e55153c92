"""``python -m analysis run``: validation, run matrix, execution, publishing, failures, manifest.

Notebooks are tiny ones written into tmp_path; end-to-end tests that start kernels are marked slow.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core.errors import ConfigError, UsageError
from analysis.core.periods import sort_key
from analysis.publish.runner import command, execute, plan, release

PROJECT_ROOT = Path(__file__).resolve().parents[1]

PARAMETERS_CELL = (
    "raw_dir = ''  # data source folder\n"
    "processed_dir = ''  # cleaned tables of the period\n"
    "period = ''  # period code\n"
    "lang = 'id'  # id or en\n"
    "source_name = ''  # data source name\n"
    "is_synthetic = False  # synthetic data source\n"
    "run_id = ''  # run id\n"
)

BRIEFING_CELLS = [
    "from pathlib import Path\n"
    "import pandas as pd\n"
    "from analysis.core.formatting import style_table, format_money_compact\n"
    "table = pd.read_csv(Path(processed_dir) / 'programs.csv')",
    "print('Pagu total', format_money_compact(table['budget_idr'].sum(), lang=lang))",
    "style_table(table, {'budget_idr': 'money_compact'}, lang=lang)",
]


def write_notebook(
    path: Path, cells: list[str], parameters: str = PARAMETERS_CELL, title: str = "Uji"
) -> Path:
    import nbformat.v4 as v4
    from nbformat import write

    param_cell = v4.new_code_cell(parameters)
    param_cell.metadata["tags"] = ["parameters"]
    nb = v4.new_notebook(
        cells=[v4.new_markdown_cell(f"# {title}"), param_cell, *(v4.new_code_cell(c) for c in cells)]
    )
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # fixed ids, as a committed notebook has
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    write(nb, path)
    return path


def make_source(root: Path, name: str = "kota", periods=("2025-TW1", "2025-TW2"), synthetic=True) -> Path:
    raw = root / "raw" / name
    (raw / "referensi").mkdir(parents=True)
    (raw / "referensi" / "program.csv").write_text("kode_program,nama_program\nP01,Kartu Bahagia\n")
    (raw / "realisasi").mkdir()
    (raw / "kampung_bahagia").mkdir()
    for period in periods:
        (raw / "realisasi" / f"realisasi_{period}_dinkes.xlsx").write_bytes(period.encode())
    (raw / "kampung_bahagia" / "laporan_rt_100-hari.xlsx").write_bytes(b"x")
    (raw / "kampung_bahagia" / "catatan.txt").write_text("not a period file")
    if synthetic:
        (raw / "SYNTHETIC").write_text("")
    return raw


@pytest.fixture
def workspace(tmp_path):
    """A data source, processed data for 2025-TW2, two notebooks and a run matrix."""
    raw = make_source(tmp_path)
    processed = tmp_path / "processed" / "kota" / "2025-TW2"
    processed.mkdir(parents=True)
    (processed / "programs.csv").write_text(
        "program_name,budget_idr\nKartu Bahagia,1500000000\n<script>alert(1)</script>,250000000\n"
    )
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "brief.ipynb", BRIEFING_CELLS, title="Ringkasan")
    write_notebook(notebooks / "detail.ipynb", ["answer_value = 2", "answer_value * 21"], title="Rincian")
    matrix = (
        plan.NotebookSpec("brief.ipynb", "briefing", "briefing"),
        plan.NotebookSpec("detail.ipynb", "detail", "analyst"),
    )
    return {
        "root": tmp_path,
        "raw": raw,
        "processed_root": tmp_path / "processed",
        "out": tmp_path / "reports",
        "notebooks": notebooks,
        "matrix": matrix,
    }


def options(ws, **kw):
    base = {
        "raw_dir": ws["raw"],
        "period": "2025-TW2",
        "out_root": ws["out"],
        "processed_root": ws["processed_root"],
        "notebooks_dir": ws["notebooks"],
        "matrix": ws["matrix"],
        "kernel": "python3",
        "reuse_processed": True,
    }
    return plan.RunOptions(**{**base, **kw})


# ---------------------------------------------------------------- validation (fast)


def test_available_periods_sorted(tmp_path):
    raw = make_source(tmp_path, periods=("2025-TW2", "2025-TW1", "2025-S1"))
    # ordered by last day: TW1 ends 31 Mar, the 100 days on 30 May, TW2 and S1 on 30 Jun (shorter first)
    assert plan.available_periods(raw) == ["2025-TW1", "100-hari", "2025-TW2", "2025-S1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("latest", "2025-TW2", id="latest"),
        pytest.param("LATEST", "2025-TW2", id="latest_any_case"),
        pytest.param("Triwulan I 2025", "2025-TW1", id="spelling"),
        pytest.param("100 hari", "100-hari", id="hundred_days"),
    ],
)
def test_resolve_period(tmp_path, text, expected):
    assert plan.resolve_period(make_source(tmp_path), text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("2025-TW9", "unknown period", id="unknown"),
        pytest.param(
            "2025-TW3",
            "no files for period 2025-TW3.*periods present: 2025-TW1, 100-hari, 2025-TW2",
            id="absent",
        ),
    ],
)
def test_resolve_period_errors(tmp_path, text, message):
    with pytest.raises(UsageError, match=message):
        plan.resolve_period(make_source(tmp_path), text)


def test_no_period_files_at_all(tmp_path):
    (tmp_path / "empty" / "realisasi").mkdir(parents=True)
    with pytest.raises(UsageError, match="no period files"):
        plan.resolve_period(tmp_path / "empty", "latest")


def test_parse_formats():
    assert plan.parse_formats("html") == ("html",)
    assert plan.parse_formats(" PDF , html,pdf") == ("pdf", "html")
    with pytest.raises(UsageError, match="docx"):
        plan.parse_formats("html,docx")


def test_load_matrix(tmp_path):
    good = tmp_path / "m.yml"
    good.write_text("- {notebook: a.ipynb, name: briefing, export: briefing, parameters: {top_n: 5}}\n")
    assert plan.load_matrix(good) == (plan.NotebookSpec("a.ipynb", "briefing", "briefing", {"top_n": 5}),)
    bad = tmp_path / "bad.yml"
    bad.write_text("- {notebook: a.ipynb, name: x, export: slides}\n")
    with pytest.raises(ConfigError, match="export must be one of"):
        plan.load_matrix(bad)
    dup = tmp_path / "dup.yml"
    dup.write_text(
        "- {notebook: a.ipynb, name: x, export: analyst}\n- {notebook: b.ipynb, name: x, export: analyst}\n"
    )
    with pytest.raises(ConfigError, match="used twice"):
        plan.load_matrix(dup)
    with pytest.raises(UsageError, match="cannot read"):
        plan.load_matrix(tmp_path / "missing.yml")
    early = tmp_path / "early.yml"
    early.write_text("- {notebook: q.ipynb, name: q, export: analyst, reads: cleaning}\n")
    assert plan.load_matrix(early) == (plan.NotebookSpec("q.ipynb", "q", "analyst", reads="cleaning"),)
    assert plan.load_matrix(good)[0].reads == "evaluation"  # the default: started after the evaluation
    wrong = tmp_path / "wrong.yml"
    wrong.write_text("- {notebook: q.ipynb, name: q, export: analyst, reads: history}\n")
    with pytest.raises(ConfigError, match="reads must be one of"):
        plan.load_matrix(wrong)


def test_a_folder_prepared_by_the_caller_is_not_evaluated_by_the_notebook(tmp_path, monkeypatch):
    """``load.ensure_processed`` evaluates a folder without ``evaluation.json`` (a notebook opened on its
    own), but not one the caller prepares (``prepared_by_caller``: ``run`` evaluates it while notebook 01,
    which reads only the cleaning files, executes)."""
    from analysis.evaluate import evaluation
    from analysis.publish.content import load

    calls = []
    monkeypatch.setattr(
        evaluation, "evaluate_source", lambda raw, period, processed_dir: calls.append(period)
    )
    folder = tmp_path / "kota" / "2025-TW2"
    folder.mkdir(parents=True)
    with load.prepared_by_caller(folder):
        assert load.ensure_processed(tmp_path / "raw", "2025-TW2", str(folder)) == folder
    assert calls == []
    assert load.ensure_processed(tmp_path / "raw", "2025-TW2", str(folder)) == folder
    assert calls == ["2025-TW2"]  # outside the block: evaluated first, as before


def test_default_matrix_has_one_briefing():
    assert [s.name for s in plan.RUN_MATRIX if s.export == "briefing"] == ["briefing"]
    assert len({s.name for s in plan.RUN_MATRIX}) == len(plan.RUN_MATRIX)


def test_notebook_parameters_are_checked(tmp_path):
    nb = write_notebook(tmp_path / "a.ipynb", ["x = 1"], parameters="period = ''\nlang = 'id'\n")
    plan.check_notebook_parameters(nb, ["period", "lang"])
    with pytest.raises(ConfigError, match=r"does not declare \['run_id'\]"):
        plan.check_notebook_parameters(nb, ["period", "run_id"])
    import nbformat.v4 as v4
    from nbformat import write

    plain = tmp_path / "plain.ipynb"
    write(v4.new_notebook(cells=[v4.new_code_cell("x = 1")]), plain)
    with pytest.raises(ConfigError, match="no cell tagged 'parameters'"):
        plan.check_notebook_parameters(plain, ["period"])


def test_declared_parameters_match_papermills_reading_of_every_notebook():
    # our json + ast reading gives the names papermill.inspect_notebook gives, for every shipped notebook
    import papermill

    notebooks = sorted(Path(plan.config.NOTEBOOKS).glob("*.ipynb"))
    assert len(notebooks) >= 5
    for nb in notebooks:
        assert plan.declared_parameters(nb) == list(papermill.inspect_notebook(str(nb))), nb.name


def test_declared_parameters_reads_annotations_and_rejects_bad_python(tmp_path):
    nb = write_notebook(
        tmp_path / "a.ipynb", ["x = 1"], parameters="period: str = ''  # kode\nlang = 'id'\nimport os\n"
    )
    assert plan.declared_parameters(nb) == ["period", "lang"]
    bad = write_notebook(tmp_path / "b.ipynb", ["x = 1"], parameters="period = (\n")
    with pytest.raises(ConfigError, match="parameters cell is not valid Python"):
        plan.check_notebook_parameters(bad, ["period"])


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        pytest.param({"lang": "fr"}, UsageError, "unknown language 'fr'", id="lang"),
        pytest.param({"jobs": 0}, UsageError, "at least 1", id="jobs"),
        pytest.param({"formats": ("html", "epub")}, UsageError, "epub", id="format"),
        pytest.param(
            {"kernel": "no-such-kernel"}, UsageError, "no Jupyter kernel named 'no-such-kernel'", id="kernel"
        ),
        pytest.param({"period": "2024"}, UsageError, "no files for period 2024", id="period"),
        pytest.param({"engine": "nbclient"}, UsageError, "unknown engine 'nbclient'", id="engine"),
        pytest.param(
            {"matrix": (plan.NotebookSpec("gone.ipynb", "g", "analyst"),)},
            ConfigError,
            "gone.ipynb",
            id="notebook",
        ),
        pytest.param(
            {"matrix": (plan.NotebookSpec("detail.ipynb", "d", "analyst", {"top_n": 3}),)},
            ConfigError,
            "top_n",
            id="unknown_parameter",
        ),
    ],
)
def test_plan_run_rejects(workspace, change, error, message):
    with pytest.raises(error, match=message):
        plan.plan_run(options(workspace, **change))
    assert not workspace["out"].exists()  # nothing written before validation passes


def test_plan_run_missing_folders(workspace, tmp_path):
    with pytest.raises(UsageError, match="data folder not found"):
        plan.plan_run(options(workspace, raw_dir=tmp_path / "nope"))
    with pytest.raises(UsageError, match="no processed data"):
        plan.plan_run(options(workspace, period="2025-TW1"))


def test_plan(workspace):
    made = plan.plan_run(options(workspace, period="latest"))
    assert made.period == "2025-TW2"
    assert made.source_name == "kota" and made.is_synthetic
    assert made.final_dir == workspace["out"].resolve() / "kota" / "2025-TW2"
    assert made.staging_dir.parent == made.final_dir.parent and made.staging_dir.name.startswith(
        ".2025-TW2.staging-"
    )
    params = made.parameters(workspace["matrix"][0])
    assert sorted(params) == sorted(plan.COMMON_PARAMETERS)
    assert params["processed_dir"] == str(workspace["processed_root"] / "kota" / "2025-TW2")
    assert params["is_synthetic"] is True and params["run_id"] == made.run_id


def test_kernel_only_for_the_papermill_engine(workspace):
    assert plan.plan_run(options(workspace, kernel=None)).kernel is None  # in process: no kernel
    assert plan.plan_run(options(workspace, kernel=None, engine="papermill")).kernel in (
        plan.PROJECT_KERNEL,
        plan.FALLBACK_KERNEL,
    )
    assert plan.plan_run(options(workspace, kernel="python3")).kernel == "python3"  # checked anyway


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        pytest.param("100-hari", "none", id="the_100_days_themselves"),
        pytest.param("2025-TW2", "none", id="source_without_100_day_files"),
    ],
)
def test_evaluate_hundred_days_when_there_is_nothing_to_do(tmp_path, period, expected):
    raw = make_source(tmp_path)
    (raw / "kampung_bahagia" / "laporan_rt_100-hari.xlsx").unlink()
    assert execute.evaluate_hundred_days(raw, period, tmp_path / "processed" / "kota" / period) == expected
    assert not (tmp_path / "processed").exists()


def test_default_kernel_from_environment(monkeypatch):
    monkeypatch.setenv(plan.KERNEL_ENV, "my-kernel")
    assert plan.default_kernel() == "my-kernel"
    monkeypatch.delenv(plan.KERNEL_ENV)
    assert plan.default_kernel() in (plan.PROJECT_KERNEL, plan.FALLBACK_KERNEL)


def test_input_files_are_every_file_the_run_reads(tmp_path):
    """The reference files, the period's, the previous period's (the evaluation compares against it) and
    the 100 days' (every briefing's 100-day section): not the later periods, not other files."""
    raw = make_source(tmp_path, periods=("2025-TW1", "2025-TW2", "2025-TW3"))
    names = [p.relative_to(raw).as_posix() for p in release.input_files(raw, "2025-TW2")]
    assert names == [
        "SYNTHETIC",
        "kampung_bahagia/laporan_rt_100-hari.xlsx",
        "realisasi/realisasi_2025-TW1_dinkes.xlsx",
        "realisasi/realisasi_2025-TW2_dinkes.xlsx",
        "referensi/program.csv",
    ]
    assert [p.name for p in release.input_files(raw, "100-hari")] == [
        "SYNTHETIC",
        "laporan_rt_100-hari.xlsx",
        "program.csv",
    ]


def test_publish_replaces_whole_report(tmp_path):
    final = tmp_path / "kota" / "2025-TW2"
    final.mkdir(parents=True)
    (final / "old_only.html").write_text("old")
    staging = tmp_path / "kota" / ".2025-TW2.staging-20250101T000000Z-abcdef"
    staging.mkdir()
    (staging / "briefing.html").write_text("new")
    release.publish(staging, final)
    assert sorted(p.name for p in final.iterdir()) == ["briefing.html"]
    assert sorted(p.name for p in (tmp_path / "kota").iterdir()) == ["2025-TW2"]


def test_keep_failed_replaces_older_failure(tmp_path):
    failed = tmp_path / "2025-TW2.failed"
    failed.mkdir()
    (failed / "stale.ipynb").write_text("{}")
    staging = tmp_path / ".staging"
    staging.mkdir()
    (staging / "bad.ipynb").write_text("{}")
    release.keep_failed(staging, failed)
    assert [p.name for p in failed.iterdir()] == ["bad.ipynb"] and not staging.exists()


def test_git_state(tmp_path):
    assert release.git_state(tmp_path) == {"commit": "unknown", "dirty": "unknown"}
    state = release.git_state(PROJECT_ROOT)
    if state["commit"] != "unknown":  # a source tarball has no .git
        assert len(state["commit"]) == 40 and isinstance(state["dirty"], bool)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "analysis", "run", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--period", "2025-TW9"], "unknown period '2025-TW9'", id="bad_period"),
        pytest.param(["--period", "2025-TW3"], "no files for period 2025-TW3", id="absent_period"),
        pytest.param(["--period", "latest", "--lang", "fr"], "unknown language 'fr'", id="bad_lang"),
        pytest.param(
            ["--period", "latest", "--formats", "html,docx"], "unknown format docx", id="bad_format"
        ),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(workspace, args, message):
    result = run_cli(
        "--raw", str(workspace["raw"]), "--out", str(workspace["out"]), *args, cwd=workspace["root"]
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not workspace["out"].exists()


def test_cli_missing_data_folder(tmp_path):
    result = run_cli("--raw", str(tmp_path / "nope"), "--period", "latest", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"python -m analysis run: error: data folder not found: {tmp_path / 'nope'}"
    )


# ---------------------------------------------------------------- end to end (slow: kernels)


def names_but_locks(folder: Path) -> list[str]:
    """The entries of ``folder`` other than the folder locks (``<folder>.lock``, analysis.core.atomic)."""
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".lock")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_run_publishes_report_and_manifest(workspace):
    from analysis.publish.export import strip_run_info

    first = command.run(options(workspace, period="latest", jobs=2), execute.Progress(quiet=True))
    final = first.report_dir
    assert final == workspace["out"].resolve() / "kota" / "2025-TW2"
    names = sorted(p.name for p in final.iterdir())
    assert names == [
        "briefing.html",
        "briefing.ipynb",
        "briefing.pdf",
        "detail.html",
        "detail.ipynb",
        "manifest.json",
    ]
    assert names_but_locks(final.parent) == ["2025-TW2"]  # no staging left behind
    from analysis.evaluate.history import History, store_path

    store = History(store_path(workspace["processed_root"] / "kota"))  # refreshed by the run
    assert store.path.is_file() and store.periods() == []  # the folder has no evaluation.json: not complete

    briefing = (final / "briefing.html").read_text(encoding="utf-8")
    assert "Rp1,8 miliar" in briefing  # the notebook read processed_dir and formatted in Indonesian
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in briefing and "<script" not in briefing
    assert "read_csv" not in briefing  # no code
    assert "DATA CONTOH — bukan data resmi" in briefing
    assert "answer_value" in (final / "detail.html").read_text(encoding="utf-8")  # analysts see code

    manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == first.plan.run_id
    assert (
        manifest["parameters"]["period"] == "2025-TW2"
        and manifest["parameters"]["period_requested"] == "latest"
    )
    assert manifest["parameters"]["is_synthetic"] is True and manifest["parameters"]["lang"] == "id"
    raw = workspace["raw"]
    assert manifest["inputs"] == {
        name: sha256(raw / name)
        for name in (
            "SYNTHETIC",
            "kampung_bahagia/laporan_rt_100-hari.xlsx",
            "realisasi/realisasi_2025-TW1_dinkes.xlsx",
            "realisasi/realisasi_2025-TW2_dinkes.xlsx",
            "referensi/program.csv",
        )
    }
    assert manifest["outputs"] == {n: sha256(final / n) for n in names if n != "manifest.json"}
    assert set(manifest["notebooks"]) == {"brief.ipynb", "detail.ipynb"}
    assert manifest["processed"] == {
        "programs.csv": sha256(workspace["processed_root"] / "kota/2025-TW2/programs.csv")
    }
    assert set(manifest["git"]) == {"commit", "dirty"}
    for package in ("pandas", "papermill", "nbconvert", "weasyprint", "matplotlib", "python"):
        assert manifest["packages"][package]
    assert {
        "validate",
        "execute:briefing",
        "execute:detail",
        "export:briefing",
        "export:detail",
        "total",
    } <= set(manifest["timings_s"])

    # a rerun replaces the report whole and gives the same briefing body
    second = command.run(
        options(workspace, formats=("html",), matrix=workspace["matrix"][:1], jobs=1),
        execute.Progress(quiet=True),
    )
    assert second.plan.run_id != first.plan.run_id
    assert sorted(p.name for p in final.iterdir()) == ["briefing.html", "briefing.ipynb", "manifest.json"]
    again = (final / "briefing.html").read_text(encoding="utf-8")
    assert again != briefing
    assert strip_run_info(again) == strip_run_info(briefing)


@pytest.mark.slow
def test_run_in_english(workspace):
    result = command.run(
        options(workspace, lang="en", formats=("pdf",), matrix=workspace["matrix"][:1]),
        execute.Progress(quiet=True),
    )
    import pypdf

    reader = pypdf.PdfReader(result.report_dir / "briefing.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Rp1.8 billion" in text and "Q2 2025" in text and "SAMPLE DATA — not official figures" in text
    assert f"Page 1 of {len(reader.pages)}" in text


@pytest.mark.slow
@pytest.mark.parametrize("engine", plan.ENGINES)
def test_failing_notebook_exit_1_names_notebook_and_cell(workspace, engine):
    nbs = workspace["notebooks"]
    write_notebook(nbs / "broken.ipynb", ["total = 10", "share = total / 0"], title="Rusak")
    (workspace["root"] / "m.yml").write_text(
        "- {notebook: brief.ipynb, name: briefing, export: briefing}\n"
        "- {notebook: broken.ipynb, name: broken, export: analyst}\n"
    )
    args = [
        "--raw", str(workspace["raw"]), "--period", "2025-TW2", "--out", str(workspace["out"]),
        "--processed", str(workspace["processed_root"]), "--notebooks", str(nbs),
        "--matrix", str(workspace["root"] / "m.yml"), "--reuse-processed", "--kernel", "python3", "--quiet",
        "--engine", engine,
    ]  # fmt: skip
    result = run_cli(*args, cwd=workspace["root"])
    assert result.returncode == 1, result.stderr
    errors = [
        line for line in result.stderr.splitlines() if line.startswith("python -m analysis run: error:")
    ]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    message = errors[0]
    assert "broken.ipynb" in message and "failed at In [4] `share = total / 0`" in message
    assert "share = total / 0" in message and "ZeroDivisionError" in message
    failed = workspace["out"] / "kota" / "2025-TW2.failed"
    assert str(failed.resolve() / "broken.ipynb") in message
    assert (failed / "broken.ipynb").is_file()
    kept = (failed / "broken.ipynb").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in kept and "An Exception was encountered at" in kept  # papermill's banner
    assert not (workspace["out"] / "kota" / "2025-TW2").exists()  # nothing published
    assert names_but_locks(workspace["out"] / "kota") == ["2025-TW2.failed"]

    # a later good run publishes and removes the stale failure
    command.run(options(workspace, formats=("html",)), execute.Progress(quiet=True))
    assert names_but_locks(workspace["out"] / "kota") == ["2025-TW2"]


@pytest.mark.slow
def test_engines_give_the_same_briefing(workspace):
    """In process (default) and a kernel per notebook (papermill): the same briefing body and the same
    analysts' HTML apart from the run id in the injected parameters."""
    from analysis.publish.export import strip_run_info

    pages = {}
    for engine in plan.ENGINES:
        result = command.run(
            options(workspace, formats=("html",), engine=engine), execute.Progress(quiet=True)
        )
        manifest = json.loads((result.report_dir / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["parameters"]["engine"] == engine
        pages[engine] = {
            name: strip_run_info((result.report_dir / name).read_text(encoding="utf-8")).replace(
                result.plan.run_id, "RUN"
            )
            for name in ("briefing.html", "detail.html")
        }
    assert pages["inprocess"] == pages["papermill"]
    assert "hl-ipython3" in pages["inprocess"]["detail.html"]


@pytest.mark.slow
def test_failure_keeps_the_previous_report(workspace):
    first = command.run(options(workspace, formats=("html",)), execute.Progress(quiet=True))
    before = {p.name: p.read_bytes() for p in first.report_dir.iterdir()}
    write_notebook(
        workspace["notebooks"] / "detail.ipynb", ["raise ValueError('kolom hilang')"], title="Rincian"
    )
    with pytest.raises(
        execute.NotebookFailed, match=r"detail.ipynb failed at In \[3\] .*ValueError: kolom hilang"
    ):
        command.run(options(workspace, formats=("html",), jobs=1), execute.Progress(quiet=True))
    assert {p.name: p.read_bytes() for p in first.report_dir.iterdir()} == before


@pytest.mark.slow
def test_prepare_runs_before_notebooks(workspace):
    calls = []

    def prepare(plan, progress, pool=None):
        calls.append((plan.period, plan.processed_dir))
        (plan.processed_dir / "programs.csv").write_text("program_name,budget_idr\nBalikat,3000000\n")

    result = command.run(
        options(workspace, reuse_processed=False, formats=("html",), matrix=workspace["matrix"][:1]),
        execute.Progress(quiet=True),
        prepare=prepare,
    )
    assert calls == [("2025-TW2", workspace["processed_root"] / "kota" / "2025-TW2")]
    assert "Rp3 juta" in (result.report_dir / "briefing.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_real_pipeline_on_sample_data(tmp_path, request):
    """clean_source + evaluate_source on the synthetic sample (bundled, or generated here), then a tiny
    briefing notebook that lists the processed tables. The bundled sample's earlier periods and 100 days are
    taken from the session's shared run (``sample_latest_run``, current by their stage keys; that a fresh run
    evaluates them all is checked on it, test_e2e): the period itself is cleaned and evaluated here."""
    from analysis import cli
    from analysis.core import config

    source = config.SAMPLE_SOURCE
    if not config.is_synthetic_source(source):
        source = tmp_path / "sample"
        assert cli.main(["sample", "--out", str(source)]) == 0
    else:
        request.getfixturevalue("copy_sample_run")(tmp_path, parts=("processed",))
        latest = plan.available_periods(source)[-1]
        shutil.rmtree(tmp_path / "processed" / source.name / latest)
        assert not (tmp_path / "processed" / source.name / latest).exists()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(
        notebooks / "brief.ipynb",
        ["from pathlib import Path\nprint(sorted(p.name for p in Path(processed_dir).glob('*.parquet')))"],
    )
    result = command.run(
        plan.RunOptions(
            raw_dir=source,
            period="latest",
            formats=("html",),
            out_root=tmp_path / "reports",
            processed_root=tmp_path / "processed",
            notebooks_dir=notebooks,
            matrix=(plan.NotebookSpec("brief.ipynb", "briefing", "briefing"),),
            kernel="python3",
        ),
        execute.Progress(quiet=True),
    )
    assert result.plan.period == plan.available_periods(source)[-1]
    html = (result.report_dir / "briefing.html").read_text(encoding="utf-8")
    assert "agency_reports.parquet" in html and "rt_reports.parquet" in html
    assert "DATA CONTOH — bukan data resmi" in html
    manifest = json.loads((result.report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {"clean", "evaluate"} <= set(manifest["timings_s"])
    assert "referensi/target.csv" in manifest["inputs"] and "SYNTHETIC" in manifest["inputs"]
    assert manifest["preparation"]["evaluation_tables"]
    assert any(name.endswith(".parquet") for name in manifest["processed"])
    # the history store was refreshed by the run: the period, evaluated by it, and the 100 days are in it
    from analysis.evaluate.history import History, store_path

    store = History(store_path(tmp_path / "processed" / source.name))
    # and, for the trends, every earlier period of the source: all of the sample's, the run being the latest
    assert store.periods() == sorted(plan.available_periods(source), key=sort_key)
    assert store.periods()[0] == "100-hari" and store.periods()[-1] == result.plan.period
    rt_periods = store.query("SELECT DISTINCT period FROM rt_index ORDER BY period")["period"].tolist()
    assert result.plan.period in rt_periods and "100-hari" not in rt_periods  # no RT index for the 100 days
