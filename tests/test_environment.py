"""The conda environment, the pip lock and the Makefile agree (issue #2)."""

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lines, sep):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and sep in line:
            name, version = line.split(sep, 1)
            pins[_normalise(name.strip())] = version.strip()
    return pins


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        (pip.extend(dep["pip"]) if isinstance(dep, dict) else conda.append(dep))
    pins = _pins([d for d in conda if not d.startswith(("python=", "pip"))], "=")
    pins.update(_pins([d for d in pip if "==" in d], "=="))
    return pins


def test_environment_yml_pins_equal_requirements_in():
    top_level = _pins((ROOT / "requirements/requirements.in").read_text().splitlines(), "==")
    assert _environment_pins() == top_level


def test_every_top_level_pin_is_in_the_lock_at_the_same_version():
    lock = _pins((ROOT / "requirements/requirements.lock").read_text().splitlines(), "==")
    top_level = _pins((ROOT / "requirements/requirements.in").read_text().splitlines(), "==")
    drift = {
        name: (version, lock.get(name)) for name, version in top_level.items() if lock.get(name) != version
    }
    assert not drift, f"requirements.in vs requirements.lock (in, lock): {drift}"


def test_lock_pins_every_package_exactly():
    lines = [
        line.strip()
        for line in (ROOT / "requirements/requirements.lock").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    loose = [line for line in lines if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", line)]
    assert not loose


def test_installed_versions_match_the_lock():
    from importlib.metadata import PackageNotFoundError, version

    lock = _pins((ROOT / "requirements/requirements.lock").read_text().splitlines(), "==")
    wrong = {}
    for name, pinned in lock.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong[name] = (pinned, None)
            continue
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert not wrong, f"(lock, installed): {wrong}; run `make setup`"


def test_make_help_lists_every_target_with_a_line():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("setup", "report", "test", "lint", "lab", "sample", "templates", "bench"):
        assert re.search(rf"make {target}\s+\S", out), out
