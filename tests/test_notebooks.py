"""The four notebooks of the run matrix: structure (fast) and execution on the bundled sample (slow)."""

import ast
import json
from pathlib import Path

import pytest

from analysis.core import config
from analysis.publish.runner.plan import COMMON_PARAMETERS, RUN_MATRIX

NOTEBOOKS = [spec.notebook for spec in RUN_MATRIX]
OURS = [
    "01_data_quality.ipynb",
    "02_program_achievement.ipynb",
    "03_kampung_bahagia_index.ipynb",
    "04_briefing.ipynb",
]


def load(name: str) -> dict:
    return json.loads((config.NOTEBOOKS / name).read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_run_matrix_names_our_notebooks():
    assert sorted(OURS) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", OURS)
def test_exactly_one_parameters_cell_declaring_the_common_parameters(name):
    nb = load(name)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0]["cell_type"] == "code"
    tree = ast.parse("".join(tagged[0]["source"]))
    declared = {node.target.id for node in tree.body if isinstance(node, ast.AnnAssign)}
    assert set(COMMON_PARAMETERS) <= declared
    for line in "".join(tagged[0]["source"]).splitlines():
        assert ": " in line.split("=")[0] and "  # " in line, f"typed default with a comment: {line}"


@pytest.mark.parametrize("name", OURS)
def test_committed_without_outputs_and_with_python3_kernel(name):
    nb = load(name)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("name", OURS)
def test_no_def_class_or_try_in_code_cells(name):
    for source in code_cells(load(name)):
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Try | ast.Lambda
            )


@pytest.mark.parametrize("name", OURS[:3])
def test_analyst_notebooks_start_with_a_title(name):
    first = load(name)["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")


def test_briefing_plumbing_cells_are_removed_from_the_export():
    from analysis.publish.export import REMOVE_CELL_TAGS

    nb = load("04_briefing.ipynb")
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in nb["cells"]]
    assert tags[0] & REMOVE_CELL_TAGS  # the analysts' note
    params = next(i for i, t in enumerate(tags) if "parameters" in t)
    assert (
        tags[params] & REMOVE_CELL_TAGS and tags[params + 1] & REMOVE_CELL_TAGS
    )  # parameters, derived values


# ----------------------------------------------------------------------------------- execution (slow)
@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    """The sample's 2026-TW3 and 100-hari evaluated into a temporary processed root."""
    from analysis.evaluate.evaluation import evaluate_source

    root = tmp_path_factory.mktemp("processed")
    for period in ("2026-TW3", "100-hari"):
        evaluate_source(config.SAMPLE_SOURCE, period, processed_dir=root / "sample" / period)
    return root / "sample"


def execute(name: str, out: Path, **parameters) -> dict:
    import papermill

    papermill.execute_notebook(
        str(config.NOTEBOOKS / name),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(config.NOTEBOOKS),
        progress_bar=False,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def shown_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            data = output.get("data", {})
            for mime in ("text/markdown", "text/html"):
                if mime in data:
                    parts.append("".join(data[mime]))
    return "\n".join(parts)


def count_images(nb: dict) -> list[str]:
    alts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("image/svg+xml")
            if meta is not None:
                alts.append(meta["alt"])
    return alts


EXPECTED = {
    "01_data_quality.ipynb": [
        "Berkas yang masuk",
        "Baris yang ditolak menurut alasan",
        "Baris ganda",
        "Peringatan",
    ],
    "02_program_achievement.ipynb": [
        "Capaian per program",
        "Kota Tangguh",
        "Evaluasi 100 hari kerja",
        "tidak didukung data",
    ],
    "03_kampung_bahagia_index.ipynb": [
        "Peringkat (rentang 5–95%)",
        "Alfa Cronbach",
        "Rintisan 2025",
        "Telanaipura",
    ],
    "04_briefing.ipynb": ["Pesan utama", "program prioritas mencapai target", "Klaim", "Kualitas data:"],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", OURS)
def test_notebook_runs_on_the_sample(name, processed, tmp_path):
    nb = execute(
        name,
        tmp_path / name,
        raw_dir=str(config.SAMPLE_SOURCE),
        processed_dir=str(processed / "2026-TW3"),
        period="2026-TW3",
        lang="id",
    )
    text = shown_text(nb)
    for expected in EXPECTED[name]:
        assert expected in text, expected
    assert "87.4999" not in text and "nan" not in text.lower().split()
    alts = count_images(nb)
    assert alts and all(alt.strip() for alt in alts)


@pytest.mark.slow
def test_briefing_in_english_for_the_100_days(processed, tmp_path):
    nb = execute(
        "04_briefing.ipynb",
        tmp_path / "b.ipynb",
        raw_dir=str(config.SAMPLE_SOURCE),
        processed_dir=str(processed / "100-hari"),
        period="100-hari",
        lang="en",
    )
    text = shown_text(nb)
    assert "Key messages" in text and "priority programmes met their target" in text
    assert "not supported by the data" in text
    assert "Pesan utama" not in text and "Tertinggal" not in text
    assert "The four-principle index was not computed" in text  # no RT reports in the first 100 days


#: Indonesian words of the claim check (evidence, readings, rule, data note) that an English run must not show.
CLAIM_WORDS_ID = (
    "Terendah", "Rerata", "didukung data", "Per program:", "Cakupan", "Tidak dapat", "dari pagu", "Pembacaan",
    "Putusan", "laporan mandiri", "Setiap program", "dibaca sebagai", "Di bawah ambang",
)  # fmt: skip


@pytest.mark.slow
def test_claim_check_in_english(processed, tmp_path):
    nb = execute(
        "02_program_achievement.ipynb",
        tmp_path / "c.ipynb",
        raw_dir=str(config.SAMPLE_SOURCE),
        processed_dir=str(processed / "100-hari"),
        period="100-hari",
        lang="en",
    )
    text = shown_text(nb)
    # the quote stays as said, with its translation in brackets
    assert "“Program 100 hari kerja telah melebihi target.” [The 100-day work programme has exceeded" in text
    assert "Lowest 73.2%" in text and "Per programme:" in text and "Every priority programme reaches" in text
    assert "the agencies' own reports" in text and "supported by the data only if" in text
    outside_quote = text.replace("Program 100 hari kerja telah melebihi target", "")
    assert [w for w in CLAIM_WORDS_ID if w in outside_quote] == []


@pytest.mark.slow
def test_warnings_grouped_by_code_in_english(processed, tmp_path):
    nb = execute(
        "01_data_quality.ipynb",
        tmp_path / "q.ipynb",
        raw_dir=str(config.SAMPLE_SOURCE),
        processed_dir=str(processed / "2026-TW3"),
        period="2026-TW3",
        lang="en",
    )
    text = shown_text(nb)
    assert "Spending above the budget (accepted, flagged)" in text
    assert "Kelurahan written under the wrong kecamatan" in text and "Personal data masked" in text
    assert "Belanja melebihi pagu" not in text


@pytest.mark.slow
def test_index_notebook_without_rt_reports(processed, tmp_path):
    nb = execute(
        "03_kampung_bahagia_index.ipynb",
        tmp_path / "i.ipynb",
        raw_dir=str(config.SAMPLE_SOURCE),
        processed_dir=str(processed / "100-hari"),
        period="100-hari",
    )
    assert "Indeks empat prinsip tidak dihitung" in shown_text(nb)
