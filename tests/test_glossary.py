"""The briefing's glossary and method page (analysis.publish.content.glossary): every number comes from the
configuration, so changing the configuration changes the text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.config import CONFIG_DIR
from analysis.evaluate.achievement import load_achievement_config
from analysis.evaluate.principles.framework import load_framework
from analysis.publish.content import glossary


def _config_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (CONFIG_DIR / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {name}"
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


PROGRAMS = pd.DataFrame(
    {
        "program_code": ["P01", "P02", "P05"],
        "program_name": ["Kartu Bahagia", "Balai Latihan Kerja Tematik", "Kampung Bahagia"],
        "program_short": [None, "Balikat", None],
        "agency": ["Dinas Sosial", "Dinas Tenaga Kerja", "DPMPPA"],
        "program_name_en": ["Happiness Card", "Thematic Vocational Training Centre", None],
        "agency_en": ["Social Affairs Office", None, None],
    }
)


def test_default_glossary_states_the_shipped_scale_cap_and_runs():
    text = glossary.glossary_section("id", PROGRAMS)
    assert "<tr><td>Sangat Tinggi</td><td>≥ 91%</td></tr>" in text
    assert "<tr><td>Tinggi</td><td>76% sampai di bawah 91%</td></tr>" in text
    assert "<tr><td>Sangat Rendah</td><td>di bawah 51%</td></tr>" in text
    assert (
        "<tr><td>Baik Sekali</td><td>≥ 80</td></tr>" in text
        and "<tr><td>Kurang</td><td>0 sampai di bawah 50</td></tr>" in text
    )
    assert "dibatasi paling tinggi 120%" in text and "Dasar batas 120%: " in text
    assert "(sumber: Permendagri No. 86 Tahun 2017" in text
    assert "dihitung ulang 1.000 kali" in text and "kurang dari 2/3 indikator" in text
    assert "Kampung Bahagia 23 Juni 2025" in text  # program_start of achievement.yml
    assert text.startswith('<div class="kjb-page-break"')  # its own page in the PDF


@pytest.mark.parametrize(
    ("old", "new", "expected", "gone"),
    [
        pytest.param(
            "{label: Sangat Tinggi, min_pct: 91}",
            "{label: Sangat Tinggi, min_pct: 95}",
            [
                "<tr><td>Sangat Tinggi</td><td>≥ 95%</td></tr>",
                "<tr><td>Tinggi</td><td>76% sampai di bawah 95%</td></tr>",
            ],
            "≥ 91%",
            id="band",
        ),
        pytest.param(
            "max_pct: 120",
            "max_pct: 110",
            ["dibatasi paling tinggi 110%", "Dasar batas 110%"],
            "120%",
            id="cap",
        ),
        pytest.param(
            "high_spend_min_pace_pct: 75",
            "high_spend_min_pace_pct: 80",
            ["belanja ≥ 80% dari laju belanja merata"],
            "≥ 75%",
            id="serapan_flag",
        ),
    ],
)
def test_achievement_config_changes_the_glossary(tmp_path, old, new, expected, gone):
    config = load_achievement_config(_config_copy(tmp_path, "achievement.yml", old, new))
    text = glossary.glossary_section("id", PROGRAMS, config=config)
    for piece in expected:
        assert piece in text
    assert gone not in text


@pytest.mark.parametrize(
    ("old", "new", "expected", "gone"),
    [
        pytest.param(
            "- {min: 80, label: Baik Sekali}",
            "- {min: 85, label: Baik Sekali}",
            ["<tr><td>Very good</td><td>≥ 85</td></tr>", "<tr><td>Good</td><td>65 to below 85</td></tr>"],
            "≥ 80",
            id="category",
        ),
        pytest.param("n_runs: 1000", "n_runs: 500", ["recomputed 500 times"], "1,000", id="runs"),
        pytest.param(
            "transparansi: {label: Transparansi, weight: 1}",
            "transparansi: {label: Transparansi, weight: 2}",
            ["No. 18 of 2025: Transparency 2, Participation 1"],
            "equal weights",
            id="weights",
        ),
    ],
)
def test_framework_changes_the_glossary(tmp_path, old, new, expected, gone):
    framework = load_framework(_config_copy(tmp_path, "index_framework.yml", old, new))
    text = glossary.glossary_section("en", PROGRAMS, framework=framework)
    for piece in expected:
        assert piece in text
    assert gone not in text


def test_english_glossary_translates_the_levels_and_the_source():
    text = glossary.glossary_section("en", PROGRAMS)
    assert (
        "<tr><td>Very high</td><td>≥ 91%</td></tr>" in text
        and "<tr><td>Very low</td><td>below 51%</td></tr>" in text
    )
    assert "Permendagri No. 86 of 2017" in text and "Tahun 2017" not in text  # levels.source_en
    assert "Sangat" not in text and "Batas" not in text and "Basis of the 120% cap" in text


@pytest.mark.parametrize(
    ("lang", "rows"),
    [
        pytest.param(
            "id",
            [
                "<tr><td>Kartu Bahagia</td><td>—</td><td>Dinas Sosial</td></tr>",
                "<tr><td>Balikat</td><td>Balai Latihan Kerja Tematik</td><td>Dinas Tenaga Kerja</td></tr>",
                "<tr><td>Kampung Bahagia</td><td>—</td><td>DPMPPA</td></tr>",
            ],
            id="id",
        ),
        pytest.param(
            "en",
            [
                "<tr><td>Happiness Card</td><td>Kartu Bahagia</td><td>Social Affairs Office</td></tr>",
                "<tr><td>Balikat (Thematic Vocational Training Centre)</td><td>Balai Latihan Kerja Tematik</td><td>Dinas Tenaga Kerja</td></tr>",
                "<tr><td>Kampung Bahagia</td><td>—</td><td>DPMPPA</td></tr>",  # no English name given: the Indonesian one, on purpose
            ],
            id="en",
        ),
    ],
)
def test_program_table_names(lang, rows):
    table = glossary.program_table(PROGRAMS, lang)
    for row in rows:
        assert row in table


def test_english_caption_names_the_short_names_kept_in_indonesian():
    assert "Their short names (Balikat)" in glossary.programs_caption(PROGRAMS, "en")


@pytest.mark.parametrize(
    ("minimums", "unit", "lang", "expected"),
    [
        pytest.param(
            [91, 76, None], "%", "id", ["≥ 91%", "76% sampai di bawah 91%", "di bawah 76%"], id="pct"
        ),
        pytest.param([90.5, None], "%", "en", ["≥ 90.5%", "below 90.5%"], id="decimal"),
        pytest.param([80, 65, 0], "", "en", ["≥ 80", "65 to below 80", "0 to below 65"], id="score"),
    ],
)
def test_band_texts(minimums, unit, lang, expected):
    assert glossary.band_texts(minimums, lang, unit) == expected


def test_names_from_the_data_are_escaped():
    hostile = PROGRAMS.assign(
        program_name=["<script>alert(1)</script>", "B", "C"], program_short=[None, "B", None]
    )
    table = glossary.program_table(hostile, "id")
    assert "<script>" not in table and "&lt;script&gt;alert(1)&lt;/script&gt;" in table


def test_short_tables_are_kept_on_one_page():
    text = glossary.glossary_section("id", PROGRAMS)
    assert text.count('<div class="kjb-keep" style="break-inside: avoid; page-break-inside: avoid">') == 2
