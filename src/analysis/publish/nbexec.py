"""Run a notebook's code cells inside this Python process (no kernel): the cell executor of our papermill
engine (:mod:`analysis.publish.nbengine`, engine ``kota-jambi``), which ``python -m analysis run``
(:mod:`analysis.publish.runner`), ``python -m analysis scorecards`` (:mod:`analysis.publish.scorecards`)
and the ``papermill --engine kota-jambi`` CLI use.

Papermill reads and parameterises the notebook (its ``injected-parameters`` cell) and keeps its metadata;
:func:`run_cells` runs the code cells one after the other in one IPython ``InteractiveShell`` per process,
and every display, result, stream and error is captured into the cell's outputs in nbformat form, as a
kernel would report them. The shell's namespace is cleared before each notebook, so nothing of an earlier
notebook is visible.

What in-process execution gives up against a kernel per notebook: process-wide state that a notebook
changes (pandas options, matplotlib rcParams, environment variables, the working directory) stays for the
next notebook in the same process, and a notebook that crashes the interpreter takes the process down.
The shell does not take over ``sys.modules["__main__"]`` (which would break multiprocessing and Dask in
the same process); it redirects ``sys.stdout``/``sys.stderr`` while a cell runs, so run one notebook at a
time per process (a lock enforces it).
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import io
import sys
import threading
from collections.abc import Callable
from functools import cache

from analysis.core.errors import AnalysisError

#: Module name of the notebook's namespace. IPython would otherwise install its namespace as
#: ``sys.modules["__main__"]``, which breaks ``multiprocessing`` (spawn) and Dask in the same process.
NOTEBOOK_MODULE = "__kjb_notebook__"

#: The notebook's ``language_info`` as IPython's kernel (ipykernel) reports it to papermill, which writes
#: it into the executed notebook; nbconvert picks the code highlighting from it (``ipython3``).
LANGUAGE_INFO = {
    "name": "python",
    "version": sys.version.split()[0],
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


class CellFailed(AnalysisError):
    """A cell of the notebook raised; names the cell (0-based ``cell_index`` in the executed notebook,
    ``exec_count`` its ``In [n]``), its first line and the error. ``notebook`` (set by the engines) is the
    executed notebook up to the failing cell, with the error in its outputs."""

    def __init__(self, cell_index: int, source: str, ename: str, evalue: str, exec_count: int | None = None):
        self.cell_index, self.source, self.ename, self.evalue = cell_index, source, ename, evalue
        self.exec_count = exec_count
        self.notebook = None
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:80]
        super().__init__(f"cell {cell_index + 1} `{first}` raised {ename}: {evalue}")


class _Outputs:
    """Collects a cell's outputs in nbformat form, in the order they happen (streams merged)."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        if self.items and self.items[-1]["output_type"] == "stream" and self.items[-1]["name"] == name:
            self.items[-1]["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def display(self, data: dict, metadata: dict | None) -> None:
        self.items.append(
            {"output_type": "display_data", "data": dict(data), "metadata": dict(metadata or {})}
        )

    def result(self, count: int, data: dict, metadata: dict | None) -> None:
        self.items.append(
            {
                "output_type": "execute_result",
                "execution_count": count,
                "data": dict(data),
                "metadata": dict(metadata or {}),
            }
        )

    def error(self, ename: str, evalue: str, tb: list[str]) -> None:
        self.items.append({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": list(tb)})


class _StreamWriter(io.TextIOBase):
    def __init__(self, outputs: Callable[[], _Outputs], name: str) -> None:
        self._outputs, self._name = outputs, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._outputs().stream(self._name, text)
        return len(text)


@cache
def _shell_classes():
    """The shell classes, built on first use (IPython is imported only by processes that execute)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class CapturingPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            self.shell.kjb_outputs.display(data, metadata)

        def clear_output(self, wait=False):
            self.shell.kjb_outputs.items.clear()

    class CapturingDisplayHook(DisplayHook):
        def quiet(self):  # the history is off: look at the cell being run for a trailing ';'
            return self.semicolon_at_end_of_expression(self.shell.kjb_cell_source)

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.kjb_outputs.result(self.shell.execution_count, format_dict, md_dict)

        def finish_displayhook(self):
            self._is_active = False

        def flush(self):
            """IPython's ``DisplayHook.flush`` (called by ``shell.reset`` before each notebook: drops the
            cached outputs ``_1``, ``_2`` …, ``Out``, ``_``) without its ``gc.collect()``: a full collection
            of the worker's heap (pandas, matplotlib, WeasyPrint …) per notebook, before the namespace it
            would free is even cleared; Python's own collector runs anyway. Measured in
            ``bench/engine_bench.py`` (``docs/performance.md``, "Driven by papermill")."""
            for n in range(1, self.prompt_count + 1):
                self.shell.user_ns_hidden.pop(f"_{n}", None)
                self.shell.user_ns.pop(f"_{n}", None)
            cached = self.shell.user_ns.get("_oh")
            if cached is not None:
                cached.clear()
            self._, self.__, self.___ = "", "", ""
            if "_" not in builtins.__dict__:
                self.shell.user_ns.update({"_": self._, "__": self.__, "___": self.___})

    class NotebookShell(InteractiveShell):
        """An InteractiveShell whose outputs go into notebook cells instead of the terminal."""

        display_pub_class = CapturingPublisher
        displayhook_class = CapturingDisplayHook

        def __init__(self, **kwargs):
            self.kjb_outputs = _Outputs()
            self.kjb_cell_source = ""
            super().__init__(**kwargs)

        def _showtraceback(self, etype, evalue, stb):
            self.kjb_outputs.error(getattr(etype, "__name__", str(etype)), str(evalue), stb)

    return NotebookShell


_SHELL_LOCK = threading.Lock()


@cache
def notebook_shell():
    """The process's one shell (no history file, colours off so tracebacks stay readable in a file)."""
    import types

    from traitlets.config import Config

    cfg = Config()
    cfg.HistoryManager.enabled = False
    cfg.InteractiveShell.colors = "nocolor"
    return _shell_classes().instance(config=cfg, user_module=types.ModuleType(NOTEBOOK_MODULE))


def run_cells(nb_man, log_output: bool = False, stdout_file=None, stderr_file=None) -> None:
    """Run the code cells of papermill's managed notebook ``nb_man.nb`` in this process's
    :func:`notebook_shell`, telling ``nb_man`` (papermill's ``NotebookExecutionManager``) when each cell
    starts, fails and completes, as papermill's own nbclient engine does: it keeps the cells' metadata and
    durations and moves the progress bar. Stops at the first failing cell, whose outputs hold the error
    (papermill then adds its error banner and raises ``PapermillExecutionError``).

    The shell's namespace is cleared first, so nothing of an earlier notebook is visible. ``log_output``,
    ``stdout_file``, ``stderr_file``: as papermill's (``--log-output``, ``--stdout-file``,
    ``--stderr-file``), after each cell.
    """
    import nbformat

    nb = nb_man.nb
    nb.metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)
    with _SHELL_LOCK:
        shell = notebook_shell()
        shell.reset(new_session=False)
        shell.kjb_outputs = _Outputs()
        count = 0
        stdout, stderr = (
            _StreamWriter(lambda: shell.kjb_outputs, "stdout"),
            _StreamWriter(lambda: shell.kjb_outputs, "stderr"),
        )
        for index, cell in enumerate(nb.cells):
            nb_man.cell_start(cell, index)
            try:
                if cell.cell_type != "code":
                    continue
                count += 1
                shell.execution_count = count
                shell.kjb_outputs = _Outputs()
                shell.kjb_cell_source = cell.source
                with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                    result = shell.run_cell(cell.source, store_history=False, silent=False)
                cell.execution_count = count
                cell.outputs = [nbformat.from_dict(o) for o in shell.kjb_outputs.items]
                if log_output or stdout_file or stderr_file:
                    _log_outputs(cell.outputs, log_output, stdout_file, stderr_file)
                if not result.success:
                    nb_man.cell_exception(cell, cell_index=index)
                    break
            finally:
                nb_man.cell_complete(cell, cell_index=index)


def _log_outputs(outputs, log_output: bool, stdout_file, stderr_file) -> None:
    """What papermill's nbclient engine logs of a cell's outputs (``PapermillNotebookClient.log_output_message``)."""
    from papermill.log import logger

    for output in outputs:
        if output.output_type == "stream":
            target, log = (
                (stdout_file, logger.info) if output.name == "stdout" else (stderr_file, logger.warning)
            )
            if log_output:
                log(output.text)
            if target:
                target.write(output.text)
                target.flush()
        elif log_output and "text/plain" in output.get("data", {}):
            logger.info(output.data["text/plain"])
