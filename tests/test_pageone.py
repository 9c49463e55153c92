"""The briefing's page one from tiny hand-made tables: headline figures, off-track items, the follow-up rules,
the trends, one value in chart and table. Inputs and expected outputs side by side."""

import re

import numpy as np
import pandas as pd
import pytest

from analysis.publish import charts
from analysis.publish.content import followups, messages, pageone, program_tables, trends

DPMPPA = "Dinas Pemberdayaan Masyarakat"


def programs(**override) -> pd.DataFrame:
    """Four programs of 2026-TW3: one on target, one below and falling, one below and rising, one capped."""
    df = pd.DataFrame(
        {
            "period": "2026-TW3",
            "previous_period": "2026-TW2",
            "program_code": ["P01", "P02", "P03", "P05"],
            "program_name": ["Kartu Bahagia", "Kota Tangguh", "Apel Kota", "Kampung Bahagia"],
            "program_label": ["Kartu Bahagia", "Kota Tangguh", "Apel Kota", "Kampung Bahagia"],
            "agency": ["Dinas Sosial", "Dinas PUPR", "BKPSDM", DPMPPA],
            "achievement_pct": [129.2, 98.0, 86.0, 102.0],
            "achievement_capped_pct": [120.0, 98.0, 86.0, 102.0],
            "indicators_met": pd.array([2, 1, 0, 1], dtype="Int64"),
            "indicators_computable": pd.array([2, 2, 1, 1], dtype="Int64"),
            "cap_pct": 120.0,
            "achievement_level": ["Sangat Tinggi", "Sangat Tinggi", "Tinggi", "Sangat Tinggi"],
            "previous_achievement_capped_pct": [110.0, 103.0, 80.0, 99.0],
            "achievement_capped_change_pp": [10.0, -5.0, 6.0, 2.0],
            "budget_allocated_idr": [100.0, 200.0, 100.0, 100.0],
            "budget_spent_idr": [70.0, 150.0, 60.0, 20.0],
            "serapan_pct": [70.0, 75.0, 60.0, 20.0],
            "serapan_pace_pct": [93.3, 100.0, 80.0, 26.7],
            "is_high_spend_low_output": pd.array([False, False, False, False], dtype="boolean"),
            "is_low_spend_high_output": pd.array([False, False, False, False], dtype="boolean"),
        }
    )
    return df.assign(**override)


def rt_index() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rt_code": ["A", "B", "C", "D"],
            "kelurahan_name": ["Legok", "Legok", "Sijenjang", "Sijenjang"],
            "status": ["dinilai", "dinilai", "dinilai", "data belum memadai"],
            "index": [40.0, 60.0, 70.0, np.nan],
            "status_previous": ["dinilai", "dinilai", "data belum memadai", "data belum memadai"],
            "index_previous": [30.0, 50.0, np.nan, np.nan],
        }
    )


def kelurahan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kecamatan_name": ["Danau Sipin", "Jambi Timur", "Jambi Timur"],
            "kelurahan_code": ["K1", "K2", "K3"],
            "kelurahan_name": ["Legok", "Sijenjang", "Talang Banjar"],
            "transparansi": [20.0, 50.0, 60.0],
            "partisipatif": [40.0, 30.04, 60.0],
            "akuntabilitas": [60.0, 70.0, 60.0],
            "keberlanjutan": [50.0, 29.96, 60.0],
            "index": [42.5, 44.9, 60.0],
            "index_change": [3.0, -1.5, 2.0],
            "category": ["Kurang", "Kurang", "Cukup"],
        }
    )


def indicators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_code": ["P02-01", "P02-02", "P03-01", "P03-02"],
            "indicator_name": ["Drainase", "Jalan", "Apel", "Disiplin"],
            "program_code": ["P02", "P02", "P03", "P03"],
            "agency": ["Dinas PUPR", "Dinas PUPR", "BKPSDM", "BKPSDM"],
            "achievement_pct": [96.0, 100.0, 86.0, np.nan],
            "achievement_status": ["computed", "computed", "computed", "not_computable"],
            "achievement_reason": [None, None, None, "not_reported"],
            "is_target_mismatch": pd.array([False, True, False, pd.NA], dtype="boolean"),
        }
    )


# ------------------------------------------------------------------------------ headline figures
def test_headline_figures_and_their_change():
    figs = pageone.headline_figures(
        programs(), rt_index(), programs(budget_spent_idr=[35.0, 75.0, 30.0, 10.0])
    )
    got = figs.set_index("figure")
    assert list(got.index) == ["programs_met", "mean_capaian", "serapan", "median_index", "rt_scored_share"]
    # met now: P01 (120) and P05 (102); in TW2: P01 (110) and P02 (103)
    assert (got.loc["programs_met", "value"], got.loc["programs_met", "total"]) == (2.0, 4.0)
    assert got.loc["programs_met", "previous"] == 2.0 and got.loc["programs_met", "change"] == 0.0
    assert got.loc["mean_capaian", "value"] == pytest.approx((120 + 98 + 86 + 102) / 4)
    assert got.loc["mean_capaian", "previous"] == pytest.approx((110 + 103 + 80 + 99) / 4)
    assert got.loc["serapan", "value"] == pytest.approx(300 / 500 * 100)  # Σ spent / Σ pagu
    assert got.loc["serapan", "change"] == pytest.approx(30.0)  # 60 % now, 30 % in TW2 (same fiscal year)
    assert got.loc["median_index", "value"] == 60.0 and got.loc["median_index", "previous"] == 40.0
    assert got.loc["rt_scored_share", "value"] == 75.0 and got.loc["rt_scored_share", "previous"] == 50.0


@pytest.mark.parametrize(
    ("period", "previous", "reason"),
    [
        pytest.param("2026-TW1", "2025-TW4", "new_fiscal_year", id="new_fiscal_year"),
        pytest.param("2025-TW2", None, "no_previous_period", id="first_period"),
    ],
)
def test_serapan_change_says_why_it_is_missing(period, previous, reason):
    figs = pageone.headline_figures(programs(period=period, previous_period=previous), None, programs())
    row = figs.set_index("figure").loc["serapan"]
    assert pd.isna(row["change"]) and row["no_change_reason"] == reason
    assert pageone.change_parts(row["change"], "pp", "id", reason) == (
        "—",
        {"new_fiscal_year": "tahun anggaran baru, serapan mulai dari nol",
         "no_previous_period": "tidak ada periode sebelumnya untuk dibandingkan"}[reason],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "unit", "lang", "expected"),
    [
        pytest.param(1.0, "programs", "id", ("▲", "naik 1 program"), id="up_programs"),
        pytest.param(-2.26, "pp", "id", ("▼", "turun 2,3 poin persen"), id="down_pp"),
        pytest.param(0.01, "points", "id", ("=", "tetap"), id="steady"),
        pytest.param(7.46, "points", "en", ("▲", "up 7.5 points"), id="english"),
        pytest.param(-1.0, "programs", "en", ("▼", "down 1 programme"), id="english_one_programme"),
        pytest.param(2.0, "programs", "en", ("▲", "up 2 programmes"), id="english_programmes"),
        pytest.param(np.nan, "pp", "id", ("—", "data periode sebelumnya tidak tersedia"), id="missing"),
    ],
)
def test_change_parts(change, unit, lang, expected):
    assert pageone.change_parts(change, unit, lang) == expected


def test_headline_html_has_the_values_the_arrow_hidden_from_screen_readers_and_the_words():
    figs = pageone.headline_figures(programs(), rt_index())
    html = pageone.headline_table_html(figs, "2026-TW3", "2026-TW2", "id")
    shown = dict(re.findall(r'data-figure="(\w+)">([^<]+)<', html))
    assert shown == {
        "programs_met": "2 dari 4 program",
        "mean_capaian": "101,5%",
        "serapan": "60,0% (jadwal linear 75%)",  # 75 % of fiscal 2026 elapsed at the end of TW3
        "median_index": "60,0 dari 100",
        "rt_scored_share": "75,0% (3 dari 4 RT)",
    }
    assert "Perubahan sejak Triwulan II 2026" in html
    assert '<span class="kjb-arrow" aria-hidden="true">=</span> tetap' in html  # 2 programs met, as in TW2
    assert (
        '<span class="kjb-arrow" aria-hidden="true">▲</span> naik 20,0 poin' in html
    )  # median index 40 → 60
    assert "data periode sebelumnya tidak tersedia" in html  # serapan without the previous table


# ------------------------------------------------------------------------------ off track
def test_off_track_names_programs_below_target_with_their_indicators_and_agency_then_weak_kelurahan():
    items = pageone.off_track(programs(), indicators(), kelurahan(), lang="id")
    assert list(items["name"]) == ["Apel Kota", "Kota Tangguh", "Legok", "Sijenjang"]
    assert list(items["agency"]) == ["BKPSDM", "Dinas PUPR", DPMPPA, DPMPPA]
    assert items["detail"].iloc[0] == "indikator terendah: Apel (86,0%)"
    assert items["detail"].iloc[1] == "indikator terendah: Drainase (96,0%)"
    # one rule for "weakest": tie-aware at one decimal (30,0 = 30,0)
    assert items["detail"].iloc[3] == "Kec. Jambi Timur, terlemah: Partisipatif dan Keberlanjutan"
    html = pageone.off_track_html(items, "id")
    assert html.count("<tr>") == 3 and "OPD penanggung jawab" in html  # header + two programs
    assert (
        f"(kategori Kurang; pendamping: <strong>{DPMPPA}</strong>): <strong>Legok</strong> (Kec. Danau Sipin,"
        " terlemah: Transparansi; indeks 42,5, ▲ naik 3,0 poin)"
    ) in html


# ------------------------------------------------------------------------------ follow-up rules
@pytest.mark.parametrize(
    ("override", "rule", "subject"),
    [
        pytest.param({}, "below_target_falling", "Kota Tangguh", id="below_and_falling"),
        pytest.param({}, "below_target", "Apel Kota", id="below_not_falling"),
        pytest.param(
            {"is_high_spend_low_output": pd.array([False, False, True, False], dtype="boolean")},
            "high_spend_low_output", "Apel Kota", id="high_spend_low_output",
        ),
        pytest.param({}, "spending_behind_output", "Kampung Bahagia", id="spending_behind_output"),
    ],
)  # fmt: skip
def test_program_rules(override, rule, subject):
    got = followups.follow_ups(programs(**override))
    assert subject in list(got.loc[got["rule"] == rule, "subject"])


def test_follow_ups_in_priority_order_each_with_its_agency():
    got = followups.follow_ups(programs(), indicators(), rt_index(), kelurahan(), lang="id")
    assert list(zip(got["rule"], got["subject"], got["agency"], strict=True)) == [
        ("below_target_falling", "Kota Tangguh", "Dinas PUPR"),
        ("below_target", "Apel Kota", "BKPSDM"),
        ("spending_behind_output", "Kampung Bahagia", DPMPPA),  # pace 26,7 % < 80 % with the target met
        ("weak_kelurahan", "Legok", DPMPPA),
        ("weak_kelurahan", "Sijenjang", DPMPPA),
        ("indicator_data_gap", "Disiplin", "BKPSDM"),
        ("target_mismatch", "Jalan", "Dinas PUPR"),
        ("rt_data_gap", "1 RT tanpa data cukup", DPMPPA),
    ]
    assert got["text"].iloc[0] == (
        "minta rencana percepatan untuk Kota Tangguh: capaian 98,0%, turun 5,0 poin sejak Triwulan II 2026."
    )
    assert got["text"].iloc[3] == (
        "dampingi RT di Kelurahan Legok (Kec. Danau Sipin, indeks 42,5), mulai dari prinsip Transparansi."
    )
    assert got["text"].iloc[-1].endswith("(tersebar di 1 kelurahan).")


def test_p01_capped_on_target_and_spending_on_pace_calls_for_nothing():
    got = followups.follow_ups(programs().iloc[[0]])
    assert got.empty and list(got.columns) == list(followups.COLUMNS)


def test_page_one_box_keeps_one_of_each_rule_before_a_second():
    actions = followups.follow_ups(programs(), indicators(), rt_index(), kelurahan())
    shown = pageone.select_follow_ups(actions, 7)
    assert list(shown["rule"]) == [
        "below_target_falling", "below_target", "spending_behind_output", "weak_kelurahan",
        "indicator_data_gap", "target_mismatch", "rt_data_gap",
    ]  # fmt: skip
    html = pageone.follow_ups_html(actions, "id", limit=7)  # 8 follow-ups
    assert "<strong>Dinas PUPR</strong>: minta rencana percepatan" in html
    assert "… dan 1 tindak lanjut lain" in html


# ------------------------------------------------------------------------------ one number, one meaning
def test_chart_and_table_show_the_same_capped_value_and_say_the_cap():
    progs = programs()
    fig = charts.achievement_chart(progs, "id")
    bar_texts = {t.get_text() for t in fig.axes[0].texts}
    table = program_tables.program_table(progs, "id", compact=True).to_html()
    cells = re.findall(r"<td [^>]*>([^<]*%[^<]*)</td>", table)
    assert "120,0% (dibatasi 120%)" in bar_texts and "129,2%" not in bar_texts
    assert "120,0% (dibatasi 120%)" in cells
    for value in ("98,0%", "86,0%", "102,0%"):
        assert value in bar_texts and value in cells
    assert "Sangat Tinggi · belum mencapai target" in table  # Kota Tangguh 98 %


def test_heat_map_alt_text_and_key_message_name_the_same_weakest_principle():
    rts = pd.DataFrame(
        {
            "status": ["dinilai"] * 3,
            "transparansi": [10.0, 20.0, 90.0],  # median 20 over RTs
            "partisipatif": [30.0, 30.0, 30.0],
            "akuntabilitas": [50.0, 50.0, 50.0],
            "keberlanjutan": [60.0, 60.0, 60.0],
        }
    )
    areas = kelurahan().assign(transparansi=[80.0, 80.0, 80.0])  # over kelurahan transparansi is strong
    medians = messages.principle_medians(rts)
    alt = charts.alt_text(charts.principle_heatmap(areas, "id", medians=medians))
    message = messages.message_weakest_principle(rts, None, "id")
    assert "prinsip terlemah Transparansi dengan median 20,0" in alt
    assert message == "Prinsip terlemah: Transparansi (median 20,0 dari 100)."


# ------------------------------------------------------------------------------ trends
def test_program_and_principle_trends_from_the_history_tables():
    history = pd.concat(
        [
            programs(period="2026-TW2", achievement_capped_pct=[110.0, 103.0, 80.0, 99.0]),
            programs(),
            programs(period="100-hari"),
        ]
    )
    periods = trends.trend_periods(["100-hari", "2026-TW2", "2026-TW3"], "2026-TW3")
    assert periods == ["2026-TW2", "2026-TW3"]
    got = trends.program_trend(history, periods)
    p02 = got[got["program_code"] == "P02"]
    assert list(zip(p02["period"], p02["achievement_capped_pct"], strict=True)) == [
        ("2026-TW2", 103.0),
        ("2026-TW3", 98.0),
    ]
    rts = pd.concat([rt_index().assign(period="2026-TW2"), rt_index().assign(period="2026-TW3")])
    for p in ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan"):
        rts[p] = rts["index"]
    pt = trends.principle_trend(rts, periods)
    assert set(pt["period"]) == {"2026-TW2", "2026-TW3"}
    assert pt[(pt["period"] == "2026-TW3") & (pt["principle"] == "index")]["median"].iloc[0] == 60.0
    assert (pt["n_rt_scored"] == 3).all()
    fig = charts.program_trend_chart(got, "id")
    assert "turun dibanding periode sebelumnya: Kota Tangguh" in charts.alt_text(fig)
    assert not charts.is_empty(charts.principle_trend_chart(pt, "en"))
    assert charts.is_empty(charts.program_trend_chart(got[got["period"] == "2026-TW3"], "id"))


# ------------------------------------------------------------------------------ one printed page
#: The longest page one the city's names make: all eleven programs below target and falling, each with
#: the longest program, indicator and OPD names of the sample (they are the city's), three weak
#: kelurahan, every follow-up rule firing, the four principles tied, a long claim.
LONG_AGENCY = "Dinas Pemberdayaan Masyarakat, Perempuan dan Perlindungan Anak"
LONG_PROGRAM = "Bahagia Berintegritas Pelayanan Anti Pungli"
LONG_INDICATOR = "Persentase lulusan Balikat yang bekerja atau berwirausaha"


def _longest_page_one(lang: str) -> str:
    n = 11
    codes = [f"P{k:02d}" for k in range(1, n + 1)]
    names = [f"{LONG_PROGRAM} {k}" if c != "P05" else "Kampung Bahagia" for k, c in enumerate(codes, 1)]
    progs = programs().iloc[[1] * n].reset_index(drop=True)
    progs = progs.assign(
        program_code=codes, program_name=names, program_label=names, agency=LONG_AGENCY,
        achievement_pct=np.linspace(40.0, 95.0, n), achievement_capped_pct=np.linspace(40.0, 95.0, n),
        previous_achievement_capped_pct=np.linspace(60.0, 99.0, n), achievement_capped_change_pp=-11.9,
    )  # fmt: skip
    inds = pd.DataFrame(
        {
            "indicator_code": [f"{c}-01" for c in codes],
            "indicator_name": [LONG_INDICATOR] * n,
            "program_code": codes,
            "agency": LONG_AGENCY,
            "achievement_pct": np.linspace(30.0, 90.0, n),
            "achievement_status": "computed",
            "achievement_reason": None,
            "is_target_mismatch": pd.array([True] * n, dtype="boolean"),
        }
    )
    kel = pd.DataFrame(
        {
            "kecamatan_name": ["Telanaipura", "Jambi Selatan", "Danau Teluk"],
            "kelurahan_code": ["K1", "K2", "K3"],
            "kelurahan_name": ["Kenali Asam Bawah", "Tambak Sari", "Pasir Panjang"],
            **{
                p: [30.0, 30.0, 30.0]
                for p in ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")
            },
            "index": [30.0, 30.0, 30.0],
            "index_change": [-8.0, -8.0, -8.0],
            "category": "Kurang",
        }
    )
    rts = rt_index().assign(kelurahan_name=["Kenali Asam Bawah", "Tambak Sari", "Pasir Panjang", "Legok"])
    figures = pageone.headline_figures(progs, rts, progs)
    items = pageone.off_track(progs, inds, kel, progs, lang)
    actions = followups.follow_ups(progs, inds, rts, kel, progs, lang)
    weakest = (
        "Prinsip terlemah, seri: **Transparansi, Partisipatif, Akuntabilitas dan Keberlanjutan** (median 30,0 "
        "dari 100 masing-masing). Indikator terlemahnya: Rencana pemeliharaan aset hasil kegiatan tersedia."
    )
    claim = (
        'Klaim "Program 100 hari kerja telah melebihi target" [The 100-day work programme has exceeded its '
        "target] (Wali Kota Jambi Dr. dr. H. Maulana, 3 Juni 2025): **not supported by the data as stated**: "
        "mean programme achievement 102.1%, but 4 of 10 programmes and 9 of 21 indicators fell short of the "
        "target of the First 100 days (20 Feb–30 May 2025)."
    )
    assert len(items[items["kind"] == "program"]) == n and len(actions) > pageone.MAX_FOLLOW_UPS
    return pageone.page_one_html(figures, items, actions, "2026-TW3", "2026-TW2", lang, weakest, claim)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_longest_page_one_is_one_printed_page(lang):
    """Page one of the briefing's PDF holds all of page one (down to the claim) even at its longest; the
    table counts the programs it leaves out."""
    import nbformat.v4 as v4

    from analysis.publish import export
    from tests.test_export import context

    html = _longest_page_one(lang)
    more = "… dan 8 program lain" if lang == "id" else "… and 8 more programmes"
    offtrack = html[html.index('id="kjb-offtrack"') :].split("</table>")[0]
    assert (
        more in offtrack and offtrack.count("<tr") == 1 + pageone.MAX_OFF_TRACK_PROGRAMS + 1
    )  # head, 3, more
    cells = [
        v4.new_markdown_cell("Periode: **Triwulan III 2026** · sumber data: sample"),
        v4.new_code_cell("page_one", outputs=[v4.new_output("display_data", data={"text/html": html})]),
        v4.new_markdown_cell("## Bagian berikutnya\n\nTeks halaman dua."),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    import weasyprint

    page = export.export_briefing_html(nb, context(lang=lang))
    document = weasyprint.HTML(string=page, base_url=str(export.TEMPLATES_DIR)).render()
    first = set(document.pages[0].anchors)
    assert {"kjb-headline", "kjb-offtrack", "kjb-followups", "kjb-claim"} <= first, (lang, sorted(first))
