"""The in-process notebook engine shared by the period runner and the scorecards (``analysis.publish.nbexec``).

Output capture, failures and the namespace reset are also tested through ``analysis.publish.scorecards`` (its
names are re-exported there); here: what the runner needs besides.
"""

from pathlib import Path

import pytest

from analysis.publish import nbexec


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


def test_parameters_are_injected_as_papermill_does(tmp_path):
    nb = nbexec.execute_in_process(tiny_notebook(tmp_path / "t.ipynb", ["x * 2"]), {"x": 21})
    injected = nb.cells[2]
    assert "injected-parameters" in injected.metadata.tags and "x = 21" in injected.source
    assert nb.metadata.papermill["parameters"] == {"x": 21}
    assert nb.cells[3].outputs[0].data["text/plain"] == "42"


def test_language_info_as_a_kernel_reports_it(tmp_path):
    """nbconvert highlights code by ``language_info.pygments_lexer``: same HTML as a papermill run."""
    nb = nbexec.execute_in_process(tiny_notebook(tmp_path / "t.ipynb", ["x"]), {})
    info = nb.metadata.language_info
    assert info["name"] == "python" and info["pygments_lexer"] == "ipython3"
    assert info["codemirror_mode"] == {"name": "ipython", "version": 3}


def test_working_directory_for_the_cells_only(tmp_path):
    here = Path.cwd()
    folder = tmp_path / "nbs"
    folder.mkdir()
    nb = nbexec.execute_in_process(
        tiny_notebook(folder / "t.ipynb", ["import os; os.getcwd()"]), {}, cwd=folder
    )
    assert nb.cells[3].outputs[0].data["text/plain"] == repr(str(folder))
    assert Path.cwd() == here


def test_failure_carries_cell_count_source_and_notebook(tmp_path):
    path = tiny_notebook(tmp_path / "t.ipynb", ["y = 1", "y / 0"])
    with pytest.raises(nbexec.CellFailed) as info:
        nbexec.execute_in_process(path, {})
    exc = info.value
    # cells: markdown, parameters, injected parameters, "y = 1", "y / 0" -> index 4, In [4]
    assert (exc.cell_index, exc.exec_count, exc.source) == (4, 4, "y / 0")
    assert (exc.ename, exc.evalue) == ("ZeroDivisionError", "division by zero")
    assert exc.notebook.cells[4].outputs[0].output_type == "error"
    assert "cell 5 `y / 0` raised ZeroDivisionError" in str(exc)


def test_scorecards_use_the_same_engine():
    from analysis.publish.scorecards import build

    assert build.execute_in_process is nbexec.execute_in_process
    assert build.CellFailed is nbexec.CellFailed
