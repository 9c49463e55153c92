"""The package's folders are its stages, and the import contract in pyproject.toml holds them (issue #9)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
STAGES = ("core", "ingest", "evaluate", "publish")


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "src" / "analysis", tmp_path / "src" / "analysis", ignore=shutil.ignore_patterns("*.pyc")
    )
    return tmp_path


def test_every_stage_is_a_subpackage_that_says_what_it_owns():
    for stage in STAGES:
        doc = (ROOT / "src" / "analysis" / stage / "__init__.py").read_text(encoding="utf-8")
        assert "Owns" in doc and "May import" in doc, stage


def test_the_import_contract_holds_on_the_package(project_copy):
    result = lint_imports(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("core/periods.py", "import analysis.ingest.contract", "Stages"),
        ("ingest/readers.py", "import analysis.publish.charts", "Stages"),
        ("evaluate/achievement.py", "import analysis.publish.charts", "Stages"),
        ("ingest/contract.py", "import analysis.sample", "no stage depends on it"),
        ("core/errors.py", "import analysis.core.config", "No import cycles"),
    ],
)
def test_a_stage_importing_a_later_one_or_a_cycle_breaks_the_contract(
    project_copy, module, bad_import, contract
):
    path = project_copy / "src" / "analysis" / module
    path.write_text(
        path.read_text(encoding="utf-8") + f"\n{bad_import}  # planted by the test\n", encoding="utf-8"
    )
    result = lint_imports(project_copy)
    assert result.returncode == 1, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken, broken
