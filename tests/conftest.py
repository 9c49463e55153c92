"""Shared fixtures."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def built_once(tmp_path_factory, name: str, build: Callable[[Path], Any]) -> tuple[Path, Any]:
    """``(folder, value)``: ``value = build(folder)`` done once per test session, also under pytest-xdist.

    The first test process that asks builds into the session's shared temporary folder (every xdist worker's
    base temporary folder is inside it) under a file lock; the others wait for it and read what it built, the
    value unpickled. A build that failed leaves nothing behind, so the next one who asks builds again. The
    folder is shared: read it, never write into it (copy it first, :func:`shutil.copytree`).
    """
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-of-<user>/pytest-<n>/, holding each worker's gw0/, gw1/ ...
    folder, done = base / name, base / f"{name}.pickle"
    with FileLock(str(base / f"{name}.lock")):
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                value = build(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            done.write_bytes(pickle.dumps(value))
    return folder, pickle.loads(done.read_bytes())


@pytest.fixture(scope="session")
def build_once(tmp_path_factory):
    """``build_once(name, build) -> (folder, value)``: :func:`built_once` for a test module."""
    return lambda name, build: built_once(tmp_path_factory, name, build)


def _run_sample_latest(root: Path):
    from analysis.core import config
    from analysis.publish.runner import command, execute, plan

    return command.run(
        plan.RunOptions(
            raw_dir=config.SAMPLE_SOURCE,
            period="latest",
            out_root=root / "reports",
            processed_root=root / "processed",
        ),
        execute.Progress(quiet=True),
    )


@pytest.fixture(scope="session")
def sample_latest_run(tmp_path_factory):
    """``python -m analysis run --period latest`` of the bundled sample (Indonesian, HTML and PDF, the default
    notebooks) in a fresh root: cleaned, every period to date evaluated (the earlier ones for the trends, the
    100 days), the four notebooks executed and exported. Made once for the whole session (:func:`built_once`):
    its ``RunResult``, whose paths point into the shared root ``<root>/reports``, ``<root>/processed``.
    Read only: a test that runs or writes anything there works on a copy (:func:`copy_sample_run`)."""
    _root, result = built_once(tmp_path_factory, "sample_latest_run", _run_sample_latest)
    return result


@pytest.fixture(scope="session")
def copy_sample_run(sample_latest_run):
    """``copy(dest, parts=("processed", "reports")) -> dest``: a private copy of :func:`sample_latest_run`'s
    root (only ``parts`` of it) at ``dest``. The run's own stage keys make the copied processed folders current
    for the sample (same raw folder, configuration and code), so a run there cleans and evaluates only what
    the test removed or changed."""
    root = sample_latest_run.plan.processed_dir.parents[2]  # <root>/processed/<source>/<period>

    def copy(dest: Path, parts: tuple[str, ...] = ("processed", "reports")) -> Path:
        for part in parts:
            shutil.copytree(root / part, dest / part, symlinks=True)
        return dest

    return copy


@pytest.fixture
def open_in_chromium():
    """Open a local HTML file in Debian's headless Chromium (playwright, no browser download).

    Returns a function ``(path, evaluate: dict[name, js], width=None, screenshot=None) -> dict`` with the
    page's console ``errors``, the ``requests`` it made and each ``evaluate`` expression's value; ``width``
    sets the viewport's width in CSS px (a phone: 375), ``screenshot`` a path for a full-page PNG. Skips when
    Chromium is not installed.
    """
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium")

    def _open(
        path: Path, evaluate: dict[str, str], width: int | None = None, screenshot: Path | None = None
    ) -> dict:
        from playwright.sync_api import sync_playwright

        errors: list[str] = []
        requests: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"],
            )
            page = browser.new_page(viewport={"width": width, "height": 800} if width else None)
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda req: requests.append(req.url))
            page.goto(Path(path).as_uri(), wait_until="load")
            values = {name: page.evaluate(js) for name, js in evaluate.items()}
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
            browser.close()
        return {"errors": errors, "requests": requests, **values}

    return _open
