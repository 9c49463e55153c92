"""The notebooks: structure (fast), execution on the bundled sample (slow), and every notebook executed as
shipped with a real kernel from a copy of the project (slow)."""

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
#: Every notebook in notebooks/ (the run matrix, the scorecard, the cross-period notebook).
ALL = sorted(p.name for p in config.NOTEBOOKS.glob("*.ipynb"))


def load(name: str) -> dict:
    return json.loads((config.NOTEBOOKS / name).read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_run_matrix_names_our_notebooks():
    assert sorted(OURS) == sorted(NOTEBOOKS)


def test_a_notebook_started_after_the_cleaning_reads_only_the_cleaning_files():
    """``run`` starts the notebooks of the matrix marked ``reads="cleaning"`` while it evaluates the
    period: they may read nothing the evaluation writes, only ``quality.json`` and ``rejected_rows.csv``
    (through ``load``), and not the history store."""
    import re

    early = [spec.notebook for spec in RUN_MATRIX if spec.reads == "cleaning"]
    assert early == ["01_data_quality.ipynb"]
    for name in early:
        code = "\n".join(code_cells(load(name)))
        assert set(re.findall(r"\bload\.(\w+)", code)) == {
            "resolve_path", "ensure_processed", "load_quality", "load_rejected",
        }  # fmt: skip
        assert "history" not in code and "parquet" not in code


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


def test_all_notebooks_are_listed():
    assert [*OURS, "05_scorecard_rt.ipynb", "06_explore.ipynb"] == ALL


@pytest.mark.parametrize("name", ALL)
def test_committed_without_outputs_and_with_the_project_kernel(name):
    from analysis.publish.runner.plan import PROJECT_KERNEL

    nb = load(name)
    assert nb["metadata"]["kernelspec"] == {
        "display_name": "Python (Kota Jambi)",
        "language": "python",
        "name": PROJECT_KERNEL,
    }
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


#: English words that the notebooks' own prose (markdown cells, comments) must not use: one language per
#: notebook (Indonesian; English in docs/ and the README).
ENGLISH_WORDS = (" the ", " and ", " of ", "data source", "period code", "empty:")


@pytest.mark.parametrize("name", ALL)
def test_the_notebooks_own_prose_is_indonesian(name):
    nb = load(name)
    prose = []
    for c in nb["cells"]:
        source = "".join(c["source"])
        if c["cell_type"] == "markdown":
            prose.append(
                source.split("```")[0] + (source.split("```")[2] if source.count("```") >= 2 else "")
            )
        else:
            prose += [line.split("  # ", 1)[1] for line in source.splitlines() if "  # " in line]
    text = " ".join(prose).lower()
    assert [w for w in ENGLISH_WORDS if w in text] == []


def test_the_briefing_has_no_interactive_tables():
    sources = "\n".join(code_cells(load("04_briefing.ipynb")))
    assert "interactive" not in sources and "itables" not in sources and "widgets" not in sources


@pytest.mark.parametrize("name", ["02_program_achievement.ipynb", "03_kampung_bahagia_index.ipynb"])
def test_analyst_notebooks_have_filters_for_the_areas_or_programs(name):
    sources = "\n".join(code_cells(load(name)))
    assert "interactive.init()" in sources and sources.count("interactive.FilteredTable(") >= 2
    wanted = ["program_label", "kecamatan_name"] if name.startswith("02") else ["kecamatan_name", "rt_code"]
    assert all(w in sources for w in wanted)


@pytest.mark.parametrize("name", ALL)
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


#: The charts the briefing shares with 02 and 03 (each drawn once per period, analysis.publish.chartcache).
SHARED_CHARTS = ("achievement_chart", "serapan_capaian_chart", "program_trend_chart", "principle_trend_chart",
                 "principle_heatmap", "rank_interval_chart")  # fmt: skip


@pytest.mark.parametrize(
    "name", ["02_program_achievement.ipynb", "03_kampung_bahagia_index.ipynb", "04_briefing.ipynb"]
)
def test_the_shared_charts_go_through_the_chart_cache(name):
    code = "\n".join("".join(c["source"]) for c in load(name)["cells"] if c["cell_type"] == "code")
    assert "chart_cache = chartcache.ChartCache.beside(processed)" in code
    for chart in SHARED_CHARTS:
        assert f"charts.{chart}(" not in code, chart  # drawn here, not taken from the cache
    assert code.count("chart_cache.show(") == {"02": 4, "03": 3, "04": 6}[name[:2]]


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
def processed(tmp_path_factory, copy_sample_run) -> Path:
    """The sample's processed folders (2026-TW3, the 100 days and the earlier periods evaluated, as
    ``run --period latest`` leaves them): a copy of the session's shared run's."""
    root = copy_sample_run(tmp_path_factory.mktemp("processed"), parts=("processed",))
    assert {"2026-TW3", "100-hari"} <= {p.name for p in (root / "processed" / "sample").iterdir()}
    return root / "processed" / "sample"


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
        "Peringkat RT-nya (rentang 5–95%)",  # area categories with their RTs' rank intervals
        "Komponen utama (PCA)",  # index_pca
        "Korelasi yang ditandai menurut panduan COINr",  # index_correlations flags
    ],
    "04_briefing.ipynb": [
        "Bagaimana kinerja kita?",
        "Program yang mencapai target",
        "Tindak lanjut",
        "Klaim",
        "Catatan kualitas data",
    ],
}


@pytest.fixture(scope="module")
def on_the_sample(processed, tmp_path_factory):
    """``on_the_sample(name) -> nb``: our notebook ``name`` executed on the sample's 2026-TW3 in Indonesian,
    once per module (the tests that read the same execution share it; each gets its own copy of the JSON)."""
    out = tmp_path_factory.mktemp("on_the_sample")
    done: dict[str, str] = {}

    def executed(name: str) -> dict:
        if name not in done:
            nb = execute(
                name,
                out / name,
                raw_dir=str(config.SAMPLE_SOURCE),
                processed_dir=str(processed / "2026-TW3"),
                period="2026-TW3",
                lang="id",
            )
            done[name] = json.dumps(nb)
        return json.loads(done[name])

    return executed


@pytest.mark.slow
@pytest.mark.parametrize("name", OURS)
def test_notebook_runs_on_the_sample(name, on_the_sample):
    nb = on_the_sample(name)
    text = shown_text(nb)
    for expected in EXPECTED[name]:
        assert expected in text, expected
    assert "87.4999" not in text and "nan" not in text.lower().split()
    alts = count_images(nb)
    assert alts and all(alt.strip() for alt in alts)


def chart_svgs(nb: dict) -> list[str]:
    return [
        "".join(output["data"]["image/svg+xml"])
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]


@pytest.mark.slow
def test_the_briefing_and_the_analysts_notebooks_draw_their_common_charts_once(on_the_sample, processed):
    briefing = chart_svgs(on_the_sample("04_briefing.ipynb"))
    analysts = chart_svgs(on_the_sample("02_program_achievement.ipynb")) + chart_svgs(
        on_the_sample("03_kampung_bahagia_index.ipynb")
    )
    assert len([svg for svg in briefing if svg in analysts]) == 6  # every chart of the briefing
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in (processed / ".chart-cache").glob("*.json")]
    for svg in briefing:  # one entry each: 02 and 03 asked for the briefing's charts with the same inputs
        assert [e["svg"] for e in entries].count(svg) == 1


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
    assert "How are we doing?" in text and "Programmes on target" in text and "Follow-up" in text
    assert "not supported by the data" in text
    assert "no previous period to compare with" in text  # the 100 days have no previous period
    assert "Bagaimana kinerja" not in text and "Tindak lanjut" not in text and "minta " not in text
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


# ------------------------------------------------------------------ every notebook as shipped, from a copy (slow)
@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """A copy of the project (pyproject.toml, notebooks/, data/raw/sample) away from the installed package;
    the notebooks' defaults must read and write in it."""
    import shutil

    root = tmp_path_factory.mktemp("copy")
    shutil.copy(config.PROJECT_ROOT / "pyproject.toml", root)
    shutil.copytree(config.NOTEBOOKS, root / "notebooks")
    shutil.copytree(config.SAMPLE_SOURCE, root / "data" / "raw" / "sample")
    (root / "data" / "processed").mkdir()
    return root


def execute_as_shipped(root: Path, name: str) -> dict:
    """Execute the notebook unchanged with a real kernel (nbclient; the project kernel when installed)."""
    import nbformat
    from nbclient import NotebookClient

    from analysis.publish.runner.plan import default_kernel

    nb = nbformat.read(root / "notebooks" / name, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=default_kernel(),
        timeout=900,
        resources={"metadata": {"path": str(root / "notebooks")}},
    )
    client.execute()
    return json.loads(nbformat.writes(nb))


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_every_notebook_runs_as_shipped_from_a_copy(name, project_copy, monkeypatch):
    monkeypatch.delenv(config.PROJECT_ROOT_ENV, raising=False)
    repo_processed = sorted(p.name for p in config.DATA_PROCESSED.iterdir())
    nb = execute_as_shipped(project_copy, name)
    text = shown_text(nb)
    assert "DATA CONTOH" in text or name == "05_scorecard_rt.ipynb"
    assert (project_copy / "data" / "processed" / "sample" / "2026-TW3" / "evaluation.json").is_file()
    assert sorted(p.name for p in config.DATA_PROCESSED.iterdir()) == repo_processed  # nothing written there
    if name == "06_explore.ipynb":
        assert "RT 15.71.07.1012.014 (Kenali Asam, Kota Baru) dinilai pada 3 periode" in text
        assert "penilaiannya dimulai 2026-TW1" in text
        assert "Paling membaik: **Tanjung Pinang** (Jambi Timur)" in text
        assert "Payo Selincah" in text
        store = project_copy / "data" / "processed" / "sample" / "history.duckdb"
        assert store.is_file()
    if name == "05_scorecard_rt.ipynb":
        assert "15.71.01.1001.003" in text  # the first RT of the default period


@pytest.mark.slow
def test_the_analysts_export_shows_the_filtered_tables_without_a_kernel(on_the_sample):
    import datetime as dt

    import nbformat

    from analysis.publish import export

    nb = on_the_sample("03_kampung_bahagia_index.ipynb")
    widget = "application/vnd.jupyter.widget-view+json"
    assert any(widget in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
    context = export.ReportContext("id", "2026-TW3", "sample", True, "r1", dt.datetime(2026, 10, 10))
    html = export.export_analyst_html(nbformat.reads(json.dumps(nb), as_version=4), context)
    assert "15.71.07.1012.014" in html  # an RT of the filtered table, shown by its static HTML
    assert "Loading ITables" in html and "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert widget not in html  # no widget state or widget script
