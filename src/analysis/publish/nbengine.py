"""Our papermill engine, ``kota-jambi``: papermill drives the notebook, the cells run in this process.

Papermill (``papermill.execute_notebook`` or the ``papermill`` CLI) reads the notebook, injects the
parameters (its ``injected-parameters`` cell), keeps its metadata (``papermill`` in the notebook's and each
cell's metadata: start and end times, durations, status), shows its progress bar, and marks a failure with
its error banner (the red "An Exception was encountered at In [n]" cell) before raising
``PapermillExecutionError``. Engine ``kota-jambi`` (:func:`engine_class`, registered under papermill's
``papermill.engine`` entry point group in ``pyproject.toml``) runs the cells in this process's persistent
IPython shell (:func:`analysis.publish.nbexec.run_cells`) instead of starting a kernel:

    papermill --engine kota-jambi notebooks/04_briefing.ipynb out.ipynb --cwd notebooks \\
        -p raw_dir data/raw/sample -p period 2025-TW4 ...

``python -m analysis run`` and ``scorecards`` call :func:`execute_in_process` (``papermill.execute_notebook``
with this engine) in their warm worker processes: one way to execute a notebook, whoever calls it. What is
ours to cut of papermill's overhead is cut there: no save of the notebook after each cell (each save
validates and serialises the whole notebook), no progress bar, the executed notebook serialised once, by
papermill, into a file or into memory (:data:`MEMORY_SCHEME`, a papermill I/O handler), not again by us.

Options of papermill that need a kernel have no effect: ``--kernel`` (the cells run in this process's
Python), ``--start-timeout``, ``--execution-timeout`` (a cell cannot be interrupted from outside).

The engine class is made on first use (module ``__getattr__``): papermill imports this module while it
loads its entry points, at the end of importing ``papermill.engines``, and the class needs that module's
``Engine``; so this module imports nothing of papermill at import time, whichever is imported first.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

from analysis.publish.nbexec import CellFailed

#: The engine's name for papermill (``--engine``, ``engine_name=``), as registered in ``pyproject.toml``.
ENGINE_NAME = "kota-jambi"

#: Papermill I/O scheme of notebooks kept in memory: an executed notebook "written" to
#: ``kjb-memory://<n>.ipynb`` is papermill's own serialisation, taken as it is (no second serialisation).
MEMORY_SCHEME = "kjb-memory://"

#: The kernel name (and language ``python``) given to papermill: the cells run in this process's Python,
#: whatever the notebook's kernelspec says (papermill picks its parameter translator by them, and needs
#: them).
PYTHON_KERNEL = "python3"

_ENGINE: type | None = None
_REGISTERED = threading.Lock()
_MEMORY: dict[str, str] = {}
_COUNTER = itertools.count()


def engine_class() -> type:
    """The papermill engine class (``papermill.engines.Engine`` subclass), made once per process."""
    global _ENGINE
    if _ENGINE is None:
        # importing papermill.engines loads its entry points, which (once installed) come back here
        # through __getattr__ and make the class: keep that one
        from papermill.engines import Engine

        if _ENGINE is None:
            _ENGINE = _make_engine_class(Engine)
    return _ENGINE


def __getattr__(name: str) -> Any:
    if name == "KotaJambiEngine":
        return engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _make_engine_class(engine_base: type) -> type:
    class KotaJambiEngine(engine_base):
        """Papermill engine ``kota-jambi``: the notebook's cells run in this process's IPython shell
        (:func:`analysis.publish.nbexec.run_cells`), no kernel."""

        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None, **kwargs
        ):
            from analysis.publish.nbexec import run_cells

            run_cells(nb_man, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            return nb_man.nb

        @classmethod
        def nb_kernel_name(cls, nb, name=None):
            """Papermill's parameter translator is picked by kernel and language; there is no kernel here,
            so a notebook without a kernelspec is taken as ``python3``."""
            return name or nb.metadata.get("kernelspec", {}).get("name") or "python3"

        @classmethod
        def nb_language(cls, nb, language=None):
            return (
                language
                or nb.metadata.get("kernelspec", {}).get("language")
                or nb.metadata.get("language_info", {}).get("name")
                or "python"
            )

    KotaJambiEngine.__module__ = __name__
    return KotaJambiEngine


class MemoryHandler:
    """A papermill I/O handler for :data:`MEMORY_SCHEME` paths: ``write`` keeps the text, ``read`` gives it."""

    def read(self, path: str) -> str:
        return _MEMORY[path]

    def write(self, buf: str, path: str) -> None:
        _MEMORY[path] = buf

    def listdir(self, path: str):
        from papermill.exceptions import PapermillException

        raise PapermillException("listdir is not supported for notebooks in memory")

    def pretty_path(self, path: str) -> str:
        return path


def register() -> str:
    """Make engine ``kota-jambi`` and the :data:`MEMORY_SCHEME` handler known to papermill in this process
    (the entry point does the first once the package is installed; this works either way). Returns the
    engine's name."""
    import papermill.engines
    import papermill.iorw

    with _REGISTERED:
        engines = papermill.engines.papermill_engines
        if engines._engines.get(ENGINE_NAME) is not engine_class():
            engines.register(ENGINE_NAME, engine_class())
        handlers = papermill.iorw.papermill_io
        if not any(scheme == MEMORY_SCHEME for scheme, _ in handlers._handlers):
            handlers.register(MEMORY_SCHEME, MemoryHandler())
    return ENGINE_NAME


def execute_in_process(
    notebook: Path,
    parameters: dict[str, Any],
    cwd: Path | None = None,
    output_path: Path | None = None,
):
    """Execute ``notebook`` with ``parameters`` through ``papermill.execute_notebook`` with engine
    ``kota-jambi``; returns the executed notebook (and writes it to ``output_path`` if given).

    Raises :class:`analysis.publish.nbexec.CellFailed` when a cell raises, naming the cell (its index
    among the cells papermill executed, its ``In [n]``, its source) with ``.notebook``: the executed
    notebook as papermill saved it, with its error banner (also in ``output_path`` if given).
    ``cwd``: the working directory while the cells run (papermill's ``cwd``; it changes the whole process's
    working directory for that time, so pass it only in a worker process of your own).
    """
    nb, _ = _execute(notebook, parameters, cwd, output_path, keep_text=False)
    return nb


def execute_to_text(notebook: Path, parameters: dict[str, Any], cwd: Path | None = None):
    """As :func:`execute_in_process`, without a file: returns ``(notebook, text)``, ``text`` being the
    executed notebook as papermill serialised it (the bytes of an ``.ipynb``)."""
    return _execute(notebook, parameters, cwd, None, keep_text=True)


def _execute(notebook, parameters, cwd, output_path, keep_text: bool):
    import nbformat
    import papermill

    engine = register()
    memory = f"{MEMORY_SCHEME}{next(_COUNTER)}.ipynb"
    target = str(output_path) if output_path is not None else memory
    try:
        nb = papermill.execute_notebook(
            str(notebook),
            target,
            parameters=parameters,
            engine_name=engine,
            kernel_name=PYTHON_KERNEL,
            language="python",
            request_save_on_cell_execute=False,
            progress_bar=False,
            log_output=False,
            cwd=str(cwd) if cwd is not None else None,
        )
        text = _MEMORY.pop(memory, None) if keep_text else None
    except papermill.PapermillExecutionError as exc:
        failed = CellFailed(exc.cell_index, exc.source, exc.ename, exc.evalue, exec_count=exc.exec_count)
        saved = _MEMORY.get(memory) if output_path is None else Path(output_path).read_text(encoding="utf-8")
        failed.notebook = nbformat.reads(saved, as_version=4) if saved is not None else None
        raise failed from None
    finally:
        _MEMORY.pop(memory, None)
    return nb, text
