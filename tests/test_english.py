"""The English run says everything in English (issue 13 item 5): the briefing and the analysts' notebooks of
the sample's latest period rendered with ``--lang en`` show no Indonesian label of the catalogue and no
Indonesian name from the reference files; proper names (places, the programmes' short names, Kampung
Bahagia) and the mayor's quote (with its translation) are kept on purpose, and the briefing says so once.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import config
from analysis.core.i18n import catalogue, placeholders

#: Indonesian words that English prose never uses (whole words); a text from the data that keeps one is a leak.
INDONESIAN_WORDS = (
    "dan",
    "yang",
    "dari",
    "belum",
    "tidak",
    "untuk",
    "dengan",
    "dalam",
    "pada",
    "sudah",
    "ini",
)

#: Catalogue sections that no report shows (feedback workbooks go to the senders, in Indonesian).
NOT_IN_REPORTS = ("feedback.",)

#: Fragments of Indonesian labels that are proper names or the same in both languages.
PROPER_NAMES = ("Kampung Bahagia", "Kota Jambi Bahagia", "Pemerintah Kota Jambi")

#: A quotation (curly or straight double quotes): shown as said, followed by its translation.
_QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"")

#: The glossary's programme table: its second column gives each Indonesian name on purpose.
_NAMES_TABLE = re.compile(r"<table>(?:(?!</table>).)*?<th>Indonesian name</th>.*?</table>", re.S)


def indonesian_fragments() -> list[str]:
    """The literal pieces (between placeholders and Markdown marks) of every Indonesian label that differs
    from its English label, of two words or more."""
    en = catalogue("en")
    en_text = "\n".join(en.values())
    out = set()
    for key, text in catalogue("id").items():
        if key.startswith(NOT_IN_REPORTS) or en.get(key) == text:
            continue
        pieces = (
            re.split(r"\{[^}]*\}|\*\*|[“”\[\]()]", text) if placeholders(text) or "**" in text else [text]
        )
        for piece in pieces:
            piece = piece.strip(" .,:;—-")
            long_enough = len(piece.split()) >= 2 and len(piece) >= 10
            if long_enough and piece not in en_text and not any(piece in n for n in PROPER_NAMES):
                out.add(piece)
    return sorted(out)


def visible_text(page: str) -> str:
    """The text a reader sees (and a screen reader reads: alt texts) of an exported HTML page."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    alts = " ".join(re.findall(r'\balt="([^"]*)"', page))
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page + " " + alts)


def output_text(notebook: Path) -> str:
    """The outputs of an executed notebook (not its code, whose comments are Indonesian by design)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in ("text/markdown", "text/html", "text/plain"):
                if mime in data:
                    parts.append(visible_text("".join(data[mime])))
                    break
            parts.append("".join(output.get("text", "")))
            for meta in output.get("metadata", {}).values():
                if isinstance(meta, dict) and meta.get("alt"):
                    parts.append(meta["alt"])
    return "\n".join(parts)


def leaks(text: str, names_id: list[str]) -> list[str]:
    """Indonesian labels, Indonesian names of the reference files and Indonesian words found in ``text``
    outside quotes (a quote is shown as said, with its translation)."""
    text = _QUOTED.sub(" ", text)
    found = [f for f in indonesian_fragments() if f in text]
    found += [n for n in names_id if n in text]
    found += [f"word {w!r}" for w in INDONESIAN_WORDS if re.search(rf"(?<![\w/.-]){w}(?![\w/.-])", text)]
    return found


def test_fragments_catch_the_old_jargon():
    """The checker can fail: labels the English run used to leave in Indonesian are among its fragments."""
    fragments = indonesian_fragments()
    assert "Cara menguji klaim" in fragments and "Daftar istilah dan cara menghitung" in fragments
    # the English run of the old code named the weakest index indicator in Indonesian
    assert leaks("Its weakest indicator: Ada rencana pemeliharaan.", []) == ["Ada rencana pemeliharaan"]
    assert leaks("Programme: Dinas Koperasi dan UKM", ["Dinas Koperasi dan UKM"]) == [
        "Dinas Koperasi dan UKM",
        "word 'dan'",
    ]
    assert leaks("Claim “Program 100 hari kerja telah melebihi target” [The 100-day ...]", []) == []


@pytest.fixture(scope="module")
def english_run(tmp_path_factory, copy_sample_run):
    """``run --period latest --lang en`` of the sample, from a copy of the session's shared (Indonesian) run's
    processed folders: the evaluation is the same in either language, the notebooks run in English."""
    from analysis.publish.runner import command, execute, plan

    tmp = copy_sample_run(tmp_path_factory.mktemp("english"), parts=("processed",))
    result = command.run(
        plan.RunOptions(
            raw_dir=config.SAMPLE_SOURCE,
            period="latest",
            lang="en",
            formats=("html",),
            out_root=tmp / "reports",
            processed_root=tmp / "processed",
        ),
        execute.Progress(quiet=True),
    )
    return result


def _reference_names_id() -> list[str]:
    """Indonesian names of the sample's reference files that have an English name (so must not show)."""
    ref = config.SAMPLE_SOURCE / "referensi"
    programs = pd.read_csv(ref / "program.csv", dtype=str)
    indicators = pd.read_csv(ref / "indikator.csv", dtype=str)
    names = []
    for frame, pairs in (
        (programs, (("nama_program", "nama_program_en"), ("opd_pengampu", "opd_pengampu_en"))),
        (indicators, (("nama_indikator", "nama_indikator_en"),)),
    ):
        for col, col_en in pairs:
            given = frame[frame[col_en].notna() & (frame[col_en] != frame[col])]
            names += list(given[col])
    shorts = set(programs["singkatan"].dropna())
    # a program with a short name is named by it; its full Indonesian name is shown once, in brackets, in the
    # glossary's programme table
    full_with_short = set(programs.loc[programs["singkatan"].notna(), "nama_program"])
    return sorted(n for n in names if n not in shorts and n not in full_with_short)


@pytest.mark.slow
def test_english_briefing_has_no_indonesian(english_run):
    page = (english_run.report_dir / "briefing.html").read_text(encoding="utf-8")
    (names_table,) = _NAMES_TABLE.findall(page)
    assert "Kota Tangguh" in names_table and "Resilient City" in names_table
    text = visible_text(_NAMES_TABLE.sub(" ", page))
    assert "Glossary and method" in text and "About this report" in text
    assert "kept in Indonesian as proper names" in text  # said once
    assert text.count("kept in Indonesian as proper names") == 1
    assert leaks(text, _reference_names_id()) == []


@pytest.mark.slow
def test_english_page_one_is_one_printed_page(english_run):
    """English words are longer: page one of the English briefing's PDF still holds all of page one, down
    to the sentence on the claim (the PDF made from the run's HTML, as the run makes it)."""
    import weasyprint

    from analysis.publish.export import TEMPLATES_DIR

    page = (english_run.report_dir / "briefing.html").read_text(encoding="utf-8")
    first = weasyprint.HTML(string=page, base_url=str(TEMPLATES_DIR)).render().pages[0]
    assert {"kjb-headline", "kjb-offtrack", "kjb-followups", "kjb-claim"} <= set(first.anchors)


@pytest.mark.slow
@pytest.mark.parametrize(
    "notebook", ["01_data_quality.ipynb", "02_program_achievement.ipynb", "03_kampung_bahagia_index.ipynb"]
)
def test_english_analyst_notebooks_have_no_indonesian_labels(english_run, notebook):
    text = output_text(english_run.report_dir / notebook)
    assert text.strip()
    assert leaks(text, _reference_names_id()) == []


@pytest.mark.parametrize(
    ("has_report", "n_val", "n_app", "short"),
    [
        pytest.param(
            False, 0, 11, ["transparansi", "partisipatif", "akuntabilitas", "keberlanjutan"], id="no_report"
        ),
        pytest.param(True, 9, 15, ["keberlanjutan"], id="coverage_and_principle"),
        pytest.param(True, 14, 15, ["transparansi"], id="principle_only"),
    ],
)
def test_screening_reasons_of_the_evaluation_are_translated(has_report, n_val, n_app, short):
    """Every reason the evaluation writes (in Indonesian) is shown in English in an English run."""
    from analysis.evaluate.principles.evaluate import _screening_reason
    from analysis.evaluate.principles.framework import Settings
    from analysis.publish.content.index_tables import screening_reason_text

    reason = _screening_reason(has_report, n_val, n_app, short, Settings())
    english = screening_reason_text(reason, "en")
    assert english != reason and leaks(english, []) == []
    assert "dari" not in english and "prinsip" not in english and "cakupan" not in english
