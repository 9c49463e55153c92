"""``python -m analysis verify REPORT_DIR``: a report folder checked against its manifest.

Fast tests on a report folder whose manifest is written by the runner's own ``write_manifest`` (hand-made
outputs and inputs in ``tmp_path``); one slow test on a real ``run`` of a copy of the sample.
"""

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import cli
from analysis.core import config
from analysis.publish import verify
from analysis.publish.runner import plan as runner_plan
from analysis.publish.runner import release

PERIOD = "2025-TW2"


def make_report(tmp_path: Path) -> tuple[Path, Path]:
    """``(report folder, data folder)``: three outputs and a manifest from ``release.write_manifest``."""
    raw = tmp_path / "raw" / "kota"
    (raw / "referensi").mkdir(parents=True)
    (raw / "realisasi").mkdir()
    (raw / "referensi" / "program.csv").write_text("kode_program,nama_program\nP01,Kartu Bahagia\n")
    for period in (PERIOD, "2025-TW1", "100-hari", "2025-TW3"):
        (raw / "realisasi" / f"realisasi_{period}_dinkes.xlsx").write_bytes(period.encode())
    (raw / "realisasi" / "catatan.txt").write_text("not an input")
    report = tmp_path / "reports" / "kota" / PERIOD
    report.mkdir(parents=True)
    (report / "briefing.html").write_text("<p>Ringkasan</p>", encoding="utf-8")
    (report / "briefing.pdf").write_bytes(b"%PDF-1.7 fake")
    (report / "01_data_quality.html").write_text("<p>Mutu data</p>", encoding="utf-8")
    options = runner_plan.RunOptions(raw_dir=raw, period=PERIOD, out_root=tmp_path / "reports")
    now = dt.datetime.now(runner_plan.REPORT_TZ)
    plan = runner_plan.Plan(
        options=options,
        raw_dir=raw,
        period=PERIOD,
        source_name="kota",
        is_synthetic=False,
        processed_dir=tmp_path / "processed" / "kota" / PERIOD,
        final_dir=report,
        kernel=None,
        run_id=runner_plan.new_run_id(now),
        started_at=now,
    )
    release.write_manifest(plan, report, {"total": 1.0})
    return report, raw


@pytest.fixture
def report(tmp_path):
    return make_report(tmp_path)


def run_verify(capsys, *argv: str) -> tuple[int, list[str]]:
    code = cli.main(["verify", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines() + captured.err.splitlines()


def test_manifest_records_every_output_input_and_the_code(report):
    folder, raw = report
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["outputs"]) == {"briefing.html", "briefing.pdf", "01_data_quality.html"}
    # the period, the previous period (compared against) and the 100 days (every briefing's section)
    assert sorted(manifest["inputs"]) == [
        "realisasi/realisasi_100-hari_dinkes.xlsx",
        "realisasi/realisasi_2025-TW1_dinkes.xlsx",
        "realisasi/realisasi_2025-TW2_dinkes.xlsx",
        "referensi/program.csv",
    ]
    assert manifest["code_digest"] == release.package_digest()
    assert manifest["parameters"]["notebooks_dir"] == str(config.NOTEBOOKS.resolve())
    assert set(manifest["git"]) == {"commit", "dirty"}


def test_fresh_report_verifies(report, capsys):
    folder, _ = report
    code, lines = run_verify(capsys, folder)
    assert code == 0, lines
    assert lines[-1] == "OK: 3 outputs, 4 inputs verified"
    assert not [line for line in lines if not line.startswith(("OK:", "note:"))]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        pytest.param(
            lambda folder, raw: _flip_last_byte(folder / "briefing.pdf"),
            "changed: briefing.pdf (output in ",
            id="output_byte_changed",
        ),
        pytest.param(
            lambda folder, raw: (folder / "01_data_quality.html").unlink(),
            "missing: 01_data_quality.html (output listed in the manifest)",
            id="output_missing",
        ),
        pytest.param(
            lambda folder, raw: (folder / "catatan.html").write_text("added by hand"),
            "extra: catatan.html (in the report folder, not in the manifest)",
            id="extra_file",
        ),
        pytest.param(
            lambda folder, raw: (
                (folder / "lampiran").mkdir() or (folder / "lampiran" / "x.csv").write_text("1")
            ),
            "extra: lampiran/x.csv (in the report folder, not in the manifest)",
            id="extra_file_in_a_subfolder",
        ),
        pytest.param(
            lambda folder, raw: _flip_last_byte(raw / "realisasi" / "realisasi_2025-TW1_dinkes.xlsx"),
            "changed: realisasi/realisasi_2025-TW1_dinkes.xlsx (input in ",
            id="input_byte_changed",
        ),
        pytest.param(
            lambda folder, raw: (raw / "realisasi" / "realisasi_2025-TW2_dinsos.xlsx").write_bytes(b"new"),
            "added: realisasi/realisasi_2025-TW2_dinsos.xlsx (input in ",
            id="input_added_since_the_run",
        ),
    ],
)
def test_a_difference_fails_naming_the_file(report, capsys, tamper, expected):
    folder, raw = report
    tamper(folder, raw)
    code, lines = run_verify(capsys, folder)
    assert code == 1
    assert [line for line in lines if line.startswith(expected)], lines
    assert lines[-1].startswith("FAILED: 1 difference(s); ")


def test_inputs_no_longer_there_are_noted_not_failed(report, capsys):
    folder, raw = report
    (raw / "realisasi" / "realisasi_100-hari_dinkes.xlsx").unlink()
    code, lines = run_verify(capsys, folder)
    assert code == 0
    assert any(line.startswith("note: 1 input(s) of the manifest are no longer in ") for line in lines)
    assert lines[-1] == "OK: 3 outputs, 3 inputs verified"


def test_raw_points_to_a_moved_data_folder(report, tmp_path, capsys):
    folder, raw = report
    moved = tmp_path / "archive" / "kota"
    shutil.move(raw, moved)
    code, lines = run_verify(capsys, folder)
    assert code == 0 and any(line.startswith(f"note: data folder {raw} not found") for line in lines)
    assert lines[-1] == "OK: 3 outputs, 0 inputs verified"
    _flip_last_byte(moved / "referensi" / "program.csv")
    code, lines = run_verify(capsys, folder, "--raw", moved)
    assert code == 1 and any(line.startswith("changed: referensi/program.csv (input in ") for line in lines)


def _edit_manifest(folder: Path, edit) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    edit(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda m: m["git"].update(commit="0" * 40),
            "code: git commit (000000000000 in the manifest, ",
            id="commit",
        ),
        pytest.param(
            lambda m: m.update(code_digest="0" * 64),
            "code: analysis package (its code files differ from those that made the report)",
            id="package_code",
        ),
        pytest.param(
            lambda m: m["notebooks"].update({"04_briefing.ipynb": "0" * 64}),
            "code: 04_briefing.ipynb (notebook in ",
            id="notebook",
        ),
        pytest.param(
            lambda m: m["packages"].update(pandas="0.0.1"),
            "code: package versions (pandas 0.0.1 → ",
            id="versions",
        ),
    ],
)
def test_a_code_difference_is_its_own_line_and_fails_unless_ignored(report, capsys, edit, expected):
    folder, _ = report
    if release.git_state()["commit"] == "unknown" and "commit" in expected:
        pytest.skip("no git repository: the commit cannot be compared")
    _edit_manifest(folder, edit)
    code, lines = run_verify(capsys, folder)
    assert code == 1 and [line for line in lines if line.startswith(expected)], lines
    code, lines = run_verify(capsys, folder, "--ignore-code")
    assert code == 0 and [line for line in lines if line.startswith("code (ignored): ")], lines
    assert lines[-1] == "OK: 3 outputs, 4 inputs verified"


def test_kept_scorecards_subfolder_is_not_an_extra_file(report, capsys):
    folder, _ = report
    (folder / "scorecards").mkdir()
    (folder / "scorecards" / "index.html").write_text("cards")
    assert run_verify(capsys, folder)[0] == 0


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param(lambda f: None, "no manifest.json in ", id="no_manifest"),
        pytest.param(
            lambda f: [(f / name).write_text("{}") for name in verify.SCORECARD_FILES],
            "is a scorecards folder, which has no manifest.json: verify is not supported for scorecards",
            id="scorecards_folder",
        ),
        pytest.param(
            lambda f: (f / "manifest.json").write_text("{not json"), "not a valid manifest", id="not_json"
        ),
        pytest.param(
            lambda f: (f / "manifest.json").write_text('{"outputs": {}}'),
            "not a valid manifest (needs the sections parameters, inputs, outputs)",
            id="sections_missing",
        ),
        pytest.param(
            lambda f: (f / "manifest.json").write_text(
                json.dumps({"parameters": {}, "inputs": {}, "outputs": {"../../etc/passwd": "0"}})
            ),
            "manifest lists a path outside its folder: '../../etc/passwd'",
            id="path_outside",
        ),
    ],
)
def test_a_folder_without_a_usable_manifest_is_a_usage_error(tmp_path, capsys, setup, expected):
    folder = tmp_path / "somewhere"
    folder.mkdir()
    setup(folder)
    code, lines = run_verify(capsys, folder)
    assert code == 2 and len(lines) == 1 and expected in lines[0], lines
    assert lines[0].startswith("python -m analysis verify: error: ")


def test_compare_files_on_hand_made_hashes(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"a")
    (tmp_path / "b.txt").write_bytes(b"b")
    expected = {
        "a.txt": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",  # sha256(b"a")
        "b.txt": "0" * 64,
        "c.txt": "0" * 64,
    }
    checked, differences, absent = verify.compare_files(expected, tmp_path, "output")
    assert checked == 2 and absent == ["c.txt"]
    assert [(d.kind, d.name) for d in differences] == [("changed", "b.txt")]


def test_verify_is_listed_with_its_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["verify", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "REPORT_DIR" in text and "--ignore-code" in text and "--raw RAW" in text


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_verify_a_real_run_then_one_byte_changed(tmp_path):
    """A real ``run`` of a copy of the sample verifies; one byte changed in an output, then in an input,
    fails naming that file."""
    raw = tmp_path / "sample"
    shutil.copytree(config.SAMPLE_SOURCE, raw)
    base = [sys.executable, "-m", "analysis"]
    run = subprocess.run(
        [*base, "run", "--raw", raw, "--period", PERIOD, "--processed", tmp_path / "processed",
         "--out", tmp_path / "reports", "--formats", "html", "--quiet"],
        capture_output=True, text=True, cwd=config.PROJECT_ROOT, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    folder = tmp_path / "reports" / "sample" / PERIOD

    def check() -> subprocess.CompletedProcess:
        return subprocess.run(
            [*base, "verify", folder], capture_output=True, text=True, cwd=config.PROJECT_ROOT, timeout=120
        )

    fresh = check()
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (
        fresh.stdout.splitlines()[-1]
        == f"OK: {len(manifest['outputs'])} outputs, {len(manifest['inputs'])} inputs verified"
    )

    briefing = folder / "briefing.html"
    original = briefing.read_bytes()
    _flip_last_byte(briefing)
    changed = check()
    assert changed.returncode == 1
    assert [line for line in changed.stdout.splitlines() if line.startswith("changed: briefing.html (output")]
    briefing.write_bytes(original)

    an_input = raw / sorted(name for name in manifest["inputs"] if name.endswith(".xlsx"))[0]
    _flip_last_byte(an_input)
    changed = check()
    assert changed.returncode == 1
    name = an_input.relative_to(raw).as_posix()
    assert [line for line in changed.stdout.splitlines() if line.startswith(f"changed: {name} (input")]
