"""Our papermill engine ``kota-jambi`` (``analysis.publish.nbengine``) and its in-process cell executor
(``analysis.publish.nbexec``), shared by the period runner, the scorecards and the papermill CLI.

Output capture, failures and the namespace reset are also tested through ``analysis.publish.scorecards``;
here: papermill's parameter injection, metadata, progress bar and error banner with our engine, the entry
point, the CLI, and what the runner needs besides.
"""

import importlib.metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from analysis.publish import nbengine, nbexec

ROOT = Path(__file__).resolve().parents[1]


def tiny_notebook(path: Path, cells: list[str]) -> Path:
    import nbformat
    import nbformat.v4 as v4

    params = v4.new_code_cell("x = 1  # a number")
    params.metadata["tags"] = ["parameters"]
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# T"), params, *(v4.new_code_cell(c) for c in cells)])
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def engine():
    """The engine registered with papermill in this process, as the entry point does once installed."""
    return nbengine.register()


def test_parameters_are_injected_as_papermill_does(tmp_path):
    nb = nbengine.execute_in_process(tiny_notebook(tmp_path / "t.ipynb", ["x * 2"]), {"x": 21})
    injected = nb.cells[2]
    assert "injected-parameters" in injected.metadata.tags and "x = 21" in injected.source
    assert nb.metadata.papermill["parameters"] == {"x": 21}
    assert nb.cells[3].outputs[0].data["text/plain"] == "42"


def test_papermill_metadata_of_the_notebook_and_every_cell(tmp_path, engine):
    import papermill

    out = tmp_path / "out.ipynb"
    nb = papermill.execute_notebook(
        str(tiny_notebook(tmp_path / "t.ipynb", ["import time; time.sleep(0.05)", "x"])),
        str(out),
        parameters={"x": 3},
        engine_name=engine,
        progress_bar=False,
    )
    meta = nb.metadata.papermill
    assert meta["parameters"] == {"x": 3} and meta["exception"] is None
    assert meta["input_path"].endswith("t.ipynb") and meta["output_path"] == str(out)
    assert meta["start_time"] < meta["end_time"] and meta["duration"] >= 0.05
    cells = nb.cells  # markdown, parameters, injected, sleep, x
    assert [c.metadata.papermill["status"] for c in cells] == ["completed"] * 5
    assert all(c.metadata.papermill["exception"] is False for c in cells)
    assert cells[3].metadata.papermill["duration"] >= 0.05
    assert [c.get("execution_count") for c in cells] == [None, 1, 2, 3, 4]
    assert cells[4].outputs[0].data["text/plain"] == "3"
    import nbformat

    assert nbformat.read(out, as_version=4).cells[4].metadata.papermill["status"] == "completed"


def test_progress_bar_counts_every_cell(tmp_path, engine, capsys):
    import papermill

    papermill.execute_notebook(
        str(tiny_notebook(tmp_path / "t.ipynb", ["print('cell output')", "y = 2"])),
        None,
        parameters={"x": 3},
        engine_name=engine,
        progress_bar=True,
    )
    captured = capsys.readouterr()
    assert "Executing: 100%" in captured.err and "5/5" in captured.err, captured.err
    assert "cell output" not in captured.out + captured.err  # the cell's output went into the notebook


def test_failure_gets_papermills_error_banner(tmp_path, engine):
    import nbformat
    import papermill

    out = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as info:
        papermill.execute_notebook(
            str(tiny_notebook(tmp_path / "t.ipynb", ["y = 1", "y / 0", "never = 1"])),
            str(out),
            parameters={"x": 3},
            engine_name=engine,
            progress_bar=False,
        )
    exc = info.value
    # markdown, parameters, injected, "y = 1", "y / 0": index 4, In [4]
    assert (exc.cell_index, exc.exec_count, exc.ename) == (4, 4, "ZeroDivisionError")
    saved = nbformat.read(out, as_version=4)
    assert "An Exception was encountered at" in saved.cells[0].source and "In [4]" in saved.cells[0].source
    assert "papermill-error-cell-tag" in saved.cells[0].metadata.tags
    assert 'id="papermill-error-cell"' in saved.cells[5].source  # the anchor just before the failing cell
    failing, after = saved.cells[6], saved.cells[7]
    assert failing.source == "y / 0" and failing.outputs[0].output_type == "error"
    assert failing.outputs[0].ename == "ZeroDivisionError" and failing.outputs[0].traceback
    assert failing.metadata.papermill["status"] == "failed" and failing.metadata.papermill["exception"]
    assert after.metadata.papermill["status"] == "pending" and after.get("execution_count") is None
    assert saved.metadata.papermill["exception"] is True


def test_failure_carries_cell_count_source_and_the_banner_notebook(tmp_path):
    path = tiny_notebook(tmp_path / "t.ipynb", ["y = 1", "y / 0"])
    with pytest.raises(nbexec.CellFailed) as info:
        nbengine.execute_in_process(path, {"x": 1})
    exc = info.value
    assert (exc.cell_index, exc.exec_count, exc.source) == (4, 4, "y / 0")
    assert (exc.ename, exc.evalue) == ("ZeroDivisionError", "division by zero")
    assert "An Exception was encountered" in exc.notebook.cells[0].source
    assert exc.notebook.cells[6].outputs[0].output_type == "error"
    assert "cell 5 `y / 0` raised ZeroDivisionError" in str(exc)


def test_failure_written_to_the_output_path(tmp_path):
    import nbformat

    out = tmp_path / "executed.ipynb"
    with pytest.raises(nbexec.CellFailed) as info:
        nbengine.execute_in_process(tiny_notebook(tmp_path / "t.ipynb", ["1 / 0"]), {"x": 1}, output_path=out)
    assert nbformat.read(out, as_version=4).cells[0].source == info.value.notebook.cells[0].source


def test_executed_notebook_as_papermill_serialised_it(tmp_path):
    import nbformat

    nb, text = nbengine.execute_to_text(tiny_notebook(tmp_path / "t.ipynb", ["x + 1"]), {"x": 1})
    assert text == nbformat.writes(nb)
    assert nbengine._MEMORY == {}  # nothing kept in memory after the call


def test_language_info_as_a_kernel_reports_it(tmp_path):
    """nbconvert highlights code by ``language_info.pygments_lexer``: same HTML as a papermill run."""
    nb = nbengine.execute_in_process(tiny_notebook(tmp_path / "t.ipynb", ["x"]), {})
    info = nb.metadata.language_info
    assert info["name"] == "python" and info["pygments_lexer"] == "ipython3"
    assert info["codemirror_mode"] == {"name": "ipython", "version": 3}


def test_working_directory_for_the_cells_only(tmp_path):
    here = Path.cwd()
    folder = tmp_path / "nbs"
    folder.mkdir()
    nb = nbengine.execute_in_process(
        tiny_notebook(folder / "t.ipynb", ["import os; os.getcwd()"]), {"x": 1}, cwd=folder
    )
    assert nb.cells[3].outputs[0].data["text/plain"] == repr(str(folder))
    assert Path.cwd() == here


def test_notebook_without_kernelspec_is_python(tmp_path):
    import nbformat

    path = tiny_notebook(tmp_path / "t.ipynb", ["x * 3"])
    nb = nbformat.read(path, as_version=4)
    del nb.metadata["kernelspec"]
    nbformat.write(nb, path)
    assert nbengine.execute_in_process(path, {"x": 2}).cells[3].outputs[0].data["text/plain"] == "6"


def test_the_engine_class_is_papermills_engine():
    from papermill.engines import Engine, papermill_engines

    cls = nbengine.engine_class()
    assert issubclass(cls, Engine) and nbengine.KotaJambiEngine is cls
    nbengine.register()
    assert papermill_engines.get_engine(nbengine.ENGINE_NAME) is cls


def test_runner_and_scorecards_use_the_same_engine():
    from analysis.publish.scorecards import build

    assert build.execute_in_process is nbengine.execute_in_process
    assert build.CellFailed is nbexec.CellFailed


def declared_entry_point() -> str:
    """The ``papermill.engine`` entry point as ``pyproject.toml`` declares it."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        declared = tomllib.load(f)["project"]["entry-points"]["papermill.engine"]
    assert declared == {nbengine.ENGINE_NAME: "analysis.publish.nbengine:KotaJambiEngine"}
    return declared[nbengine.ENGINE_NAME]


def test_entry_point_of_the_installed_package():
    """After ``pip install -e .`` the package metadata registers the engine with papermill."""
    declared_entry_point()
    found = [
        ep for ep in importlib.metadata.entry_points(group="papermill.engine") if ep.name == "kota-jambi"
    ]
    if not found:
        pytest.skip(
            "the installed package metadata has no papermill.engine entry point yet: reinstall the project "
            "(pip install -e .) after merging, then this test runs"
        )
    assert found[0].value == declared_entry_point()
    assert found[0].load() is nbengine.engine_class()


@pytest.fixture
def entry_point_path(tmp_path):
    """A folder with a ``*.dist-info`` declaring the engine as ``pyproject.toml`` does: on ``PYTHONPATH``,
    papermill finds the engine through its entry point as it will in the installed package."""
    dist = tmp_path / "ep" / "kjb_engine_test-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kjb-engine-test\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text(
        f"[papermill.engine]\n{nbengine.ENGINE_NAME} = {declared_entry_point()}\n"
    )
    return dist.parent


def _env(*paths: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in (*paths, ROOT / "src"))}


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            "import papermill.engines as e\nfrom analysis.publish import nbengine\n"
            "assert e.papermill_engines.get_engine('kota-jambi') is nbengine.engine_class()",
            id="papermill-first",
        ),
        pytest.param(
            "from analysis.publish import nbengine\ncls = nbengine.engine_class()\n"
            "import papermill.engines as e\nassert e.papermill_engines.get_engine('kota-jambi') is cls",
            id="ours-first",
        ),
    ],
)
def test_entry_point_loads_whichever_module_is_imported_first(entry_point_path, code):
    """papermill imports the entry point while ``papermill.engines`` is being imported; the engine class
    needs that module: no import cycle either way round."""
    proc = subprocess.run(
        [sys.executable, "-c", code], env=_env(entry_point_path), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def papermill_cli(args: list[str], entry_point_path: Path, cwd: Path) -> subprocess.CompletedProcess:
    """The ``papermill`` CLI of the venv, finding the engine through its entry point."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "papermill"), *args],
        env=_env(entry_point_path),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_papermill_cli_with_our_engine(tmp_path, entry_point_path):
    import nbformat

    source = tiny_notebook(tmp_path / "t.ipynb", ["import os; print(os.getpid())", "x * 2"])
    out = tmp_path / "out.ipynb"
    proc = papermill_cli(
        ["--engine", "kota-jambi", str(source), str(out), "-p", "x", "21"], entry_point_path, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "Executing: 100%" in proc.stderr and "5/5" in proc.stderr  # papermill's progress bar
    nb = nbformat.read(out, as_version=4)
    assert "injected-parameters" in nb.cells[2].metadata.tags and "x = 21" in nb.cells[2].source
    assert nb.cells[4].outputs[0].data["text/plain"] == "42"
    assert nb.metadata.papermill["parameters"] == {"x": 21}
    assert all(c.metadata.papermill["status"] == "completed" for c in nb.cells)


def test_papermill_cli_failure_banner_and_exit_code(tmp_path, entry_point_path):
    import nbformat

    source = tiny_notebook(tmp_path / "t.ipynb", ["raise ValueError('no data for ' + str(x))"])
    out = tmp_path / "out.ipynb"
    proc = papermill_cli(
        ["--engine", "kota-jambi", "--no-progress-bar", str(source), str(out), "-p", "x", "7"],
        entry_point_path,
        tmp_path,
    )
    assert proc.returncode == 1
    assert "PapermillExecutionError" in proc.stderr and "ValueError: no data for 7" in proc.stderr
    nb = nbformat.read(out, as_version=4)
    assert "An Exception was encountered at" in nb.cells[0].source and "In [3]" in nb.cells[0].source


@pytest.mark.slow
def test_briefing_under_the_papermill_cli_with_our_engine(tmp_path, entry_point_path):
    """``papermill --engine kota-jambi notebooks/04_briefing.ipynb out.ipynb -p period ...``: the real
    briefing, papermill's injection, metadata and progress bar, the cells run in papermill's process."""
    import nbformat

    from analysis.evaluate.evaluation import evaluate_source

    sample, period = ROOT / "data" / "raw" / "sample", "2025-TW4"
    processed = tmp_path / "processed" / "sample" / period
    evaluate_source(sample, period, processed_dir=processed)
    out = tmp_path / "briefing.ipynb"
    notebooks = ROOT / "notebooks"
    proc = papermill_cli(
        ["--engine", "kota-jambi", str(notebooks / "04_briefing.ipynb"), str(out), "--cwd", str(notebooks),
         "-p", "raw_dir", str(sample), "-p", "processed_dir", str(processed), "-p", "period", period,
         "-p", "lang", "en", "-p", "run_id", "cli-test"],
        entry_point_path,
        tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Executing: 100%" in proc.stderr
    nb = nbformat.read(out, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'period = "2025-TW4"' in injected[0].source
    assert nb.metadata.papermill["parameters"]["run_id"] == "cli-test"
    assert nb.metadata.kernelspec["name"] == "kota-jambi"  # kept as it was: no kernel started
    assert all(c.metadata.papermill["status"] == "completed" for c in nb.cells)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/svg+xml" in o.get("data", {}) for o in outputs)  # the charts


def test_no_full_garbage_collection_per_notebook(tmp_path, monkeypatch):
    """The shell's reset before each notebook drops the cached outputs (``_``, ``_3``, ``Out``) as
    IPython's does, without IPython's ``gc.collect()`` of the whole heap."""
    import gc

    path = tiny_notebook(tmp_path / "t.ipynb", ["x * 2", "_"])
    first = nbengine.execute_in_process(path, {"x": 21})
    assert first.cells[4].outputs[0].data["text/plain"] == "42"  # `_` is the previous result, as in a kernel
    collections = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or 0)
    reader = tiny_notebook(tmp_path / "r.ipynb", ["[name for name in ('_3', '_4') if name in dir()], Out"])
    nb = nbengine.execute_in_process(reader, {"x": 1})
    assert nb.cells[3].outputs[0].data["text/plain"] == "([], {})"  # nothing of the first notebook
    assert collections == []
