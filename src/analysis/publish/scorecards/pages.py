"""The batch's own pages: ``index.html`` (every RT, grouped by kecamatan and kelurahan, sortable by score,
searchable and filterable by kecamatan, kelurahan and category without a server) and
``summary.csv``/``summary.json`` (RT, status, duration, rebuilt or unchanged, the card's files).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from analysis.core import config
from analysis.core.atomic import write_text_atomic
from analysis.publish import cache as kcache
from analysis.publish.scorecards.build import SUMMARY_CSV, SUMMARY_JSON, JobResult


@dataclass
class RTStatus:
    """One row of the run summary."""

    rt_code: str
    kecamatan_name: str
    kelurahan_name: str
    card: str  # rt_index.status: dinilai / data belum memadai
    status: str  # ok / failed
    build: str  # rebuilt / unchanged
    duration_s: float
    message: str = ""
    files: str = ""  # the card's published files (HTML, PDF), space-separated paths inside the folder


def _card_files(entry: kcache.CacheEntry | None) -> str:
    return " ".join(sorted(n for n in entry.files if not n.endswith(".ipynb"))) if entry is not None else ""


def _summary_rows(
    rt_index,
    selected: Sequence[str],
    fresh: set[str],
    results: dict[str, JobResult],
    cache_index: kcache.CacheIndex | None = None,
) -> list[RTStatus]:
    info = rt_index.set_index("rt_code")
    entries = cache_index.entries if cache_index is not None else {}
    rows = []
    for rt in selected:
        row = info.loc[rt]
        base = {
            "rt_code": rt,
            "kecamatan_name": str(row["kecamatan_name"]),
            "kelurahan_name": str(row["kelurahan_name"]),
            "card": str(row["status"]),
        }
        if rt in entries:
            base["files"] = _card_files(entries[rt])
        if rt in fresh:
            rows.append(RTStatus(**base, status="ok", build="unchanged", duration_s=0.0))
            continue
        result = results.get(rt)
        if result is None:  # the executor never reported it (should not happen): say so, do not hide it
            rows.append(
                RTStatus(
                    **base, status="failed", build="rebuilt", duration_s=0.0, message="no result returned"
                )
            )
        elif result.ok:
            rows.append(RTStatus(**base, status="ok", build="rebuilt", duration_s=result.duration_s))
        else:
            rows.append(
                RTStatus(
                    **base,
                    status="failed",
                    build="rebuilt",
                    duration_s=result.duration_s,
                    message=result.error,
                )
            )
    return rows


def write_summary(folder: Path, rows: Sequence[RTStatus], meta: dict[str, Any]) -> None:
    """``summary.csv`` (one row per RT of the run) and ``summary.json`` (the run and the same rows)."""
    fields = list(RTStatus.__dataclass_fields__)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    write_text_atomic(folder / SUMMARY_CSV, buffer.getvalue())
    totals = {
        "rts": len(rows),
        "rebuilt": sum(1 for r in rows if r.status == "ok" and r.build == "rebuilt"),
        "unchanged": sum(1 for r in rows if r.status == "ok" and r.build == "unchanged"),
        "failed": sum(1 for r in rows if r.status == "failed"),
    }
    data = {**meta, "totals": totals, "rts": [asdict(r) for r in rows]}
    write_text_atomic(folder / SUMMARY_JSON, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


_SORT_SCRIPT = """<script>
(function () {
  var box = document.getElementById("sc-sort");
  if (!box) return;
  box.hidden = false;
  var grouped = document.getElementById("sc-grouped"), flat = document.getElementById("sc-flat");
  function show(mode) {
    if (mode === "score" && !flat.dataset.built) {
      var rows = Array.prototype.slice.call(grouped.querySelectorAll("tr.sc-rt"));
      rows.sort(function (a, b) {
        var x = parseFloat(a.dataset.score), y = parseFloat(b.dataset.score);
        x = isNaN(x) ? -1 : x; y = isNaN(y) ? -1 : y;
        return y - x || (a.dataset.code < b.dataset.code ? -1 : 1);
      });
      var body = flat.querySelector("tbody");
      rows.forEach(function (r) { body.appendChild(r.cloneNode(true)); });
      flat.dataset.built = "1";
      document.dispatchEvent(new Event("sc-sorted"));
    }
    grouped.hidden = mode === "score";
    flat.hidden = mode !== "score";
  }
  box.querySelectorAll("input[name=sc-sort]").forEach(function (input) {
    input.addEventListener("change", function () { show(input.value); });
    if (location.hash === "#" + input.value) { input.checked = true; show(input.value); }
  });
})();
</script>"""


_FILTER_SCRIPT = """<script>
(function () {
  var form = document.getElementById("sc-filter");
  if (!form) return;
  form.hidden = false;
  var q = document.getElementById("sc-q"), kec = document.getElementById("sc-kec"),
      kel = document.getElementById("sc-kel"), cat = document.getElementById("sc-cat"),
      count = document.getElementById("sc-count"), none = document.getElementById("sc-none");
  function norm(s) { return s.toLowerCase().normalize("NFKD").replace(/[\\u0300-\\u036f]/g, ""); }
  function apply() {
    var terms = norm(q.value).split(/\\s+/).filter(Boolean);
    Array.prototype.forEach.call(kel.options, function (o) {
      o.hidden = !!(o.value && kec.value && o.dataset.kecamatan !== kec.value);
    });
    if (kel.selectedOptions[0] && kel.selectedOptions[0].hidden) kel.value = "";
    var rows = document.querySelectorAll("tr.sc-rt"), shown = 0, total = 0;
    Array.prototype.forEach.call(rows, function (r) {
      var ok = (!kec.value || r.dataset.kecamatan === kec.value) && (!kel.value || r.dataset.kelurahan === kel.value)
        && (!cat.value || r.dataset.category === cat.value)
        && terms.every(function (t) { return r.dataset.search.indexOf(t) !== -1; });
      r.hidden = !ok;
      if (r.closest("#sc-grouped")) { total += 1; if (ok) shown += 1; }
    });
    document.querySelectorAll("#sc-grouped tbody").forEach(function (b) {
      b.hidden = !b.querySelector("tr.sc-rt:not([hidden])");
    });
    document.querySelectorAll("#sc-grouped section").forEach(function (s) {
      s.hidden = !s.querySelector("tr.sc-rt:not([hidden])");
    });
    count.textContent = count.dataset.template.replace("{shown}", shown).replace("{total}", total);
    none.hidden = shown > 0;
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
  document.addEventListener("sc-sorted", apply);
  apply();
})();
</script>"""


def search_text(r) -> str:
    """What the index page's search box matches for one RT (lower case, ASCII): RT number in both
    spellings, code, kelurahan and kecamatan names.

    >>> import pandas as pd
    >>> search_text(pd.Series({"rt_number": 5, "rt_code": "15.71.01.1001.005",
    ...     "kelurahan_name": "Simpang IV Sipin", "kecamatan_name": "Telanaipura"}))
    'rt 005 rt 5 rt005 15.71.01.1001.005 simpang iv sipin telanaipura'
    """
    from analysis.publish.scorecards.data import slug

    n = int(r["rt_number"])
    names = " ".join(slug(r[c]).replace("-", " ") for c in ("kelurahan_name", "kecamatan_name"))
    return f"rt {n:03d} rt {n} rt{n:03d} {str(r['rt_code']).lower()} {names}"


def category_key(status: object, category: object) -> str:
    """The value of a row's category filter: the category's catalogue key, or ``insufficient``.

    >>> category_key("dinilai", "Baik Sekali"), category_key("data belum memadai", None)
    ('baik_sekali', 'insufficient')
    """
    from analysis.core.formatting import is_missing

    if status != "dinilai" or is_missing(category) or not str(category):
        return "insufficient"
    return str(category).strip().lower().replace(" ", "_")


def index_rows(rt_index) -> Any:
    """``rt_index`` ordered for the index page: kecamatan, kelurahan, then index score (best first,
    unscored last), then RT code."""
    df = rt_index.assign(_score=rt_index["index"].where(rt_index["status"] == "dinilai"))
    return df.sort_values(
        ["kecamatan_code", "kelurahan_code", "_score", "rt_code"],
        ascending=[True, True, False, True],
        na_position="last",
        kind="mergesort",
    )


def write_index(
    path: Path,
    rt_index,
    kelurahan_table,
    cache_index: kcache.CacheIndex,
    failed: set[str],
    lang: str,
    period: str,
    is_synthetic: bool,
) -> Path:
    """The index page: every RT with links to its card, grouped by kecamatan and kelurahan (RTs by score
    inside a kelurahan); a small inline script adds a city-wide order by score. Self-contained, no CDN."""
    import html as _html

    from analysis.core.formatting import format_number
    from analysis.core.i18n import t
    from analysis.core.periods import period_label
    from analysis.publish.export import page_css
    from analysis.publish.scorecards import data as sd

    def e(value: object) -> str:
        return _html.escape(str(value), quote=True)

    def L(key: str, **kw: object) -> str:  # noqa: N802
        return t(f"scorecard.{key}", lang, **kw)

    plabel = period_label(period, lang)
    notice = (config.SAMPLE_NOTICE if lang == "id" else config.SAMPLE_NOTICE_EN) if is_synthetic else ""
    n_scored = int((rt_index["status"] == "dinilai").sum())
    ordered = index_rows(rt_index)
    kelurahan_index = dict(
        zip(kelurahan_table["kelurahan_code"].astype(str), kelurahan_table["index"], strict=True)
    )

    def shows_rank(r) -> bool:  # a category is shown only with the rank interval it came from
        return r.status == "dinilai" and not any(sd.is_missing(v) for v in (r.rank, r.rank_p05, r.rank_p95))

    row_category = {
        str(r.rt_code): category_key(r.status, r.category if shows_rank(r) else None)
        for r in ordered.itertuples()
    }

    def rt_row(r) -> str:
        code = str(r.rt_code)
        entry = cache_index.entries.get(code)
        if entry is not None:
            links = " · ".join(
                f'<a href="{e(name)}">{e(name.rsplit(".", 1)[-1].upper())}</a>'
                for name in sorted(entry.files)
                if not name.endswith(".ipynb")
            )
        else:
            links = (
                f'<span class="sc-muted">{e(L("file_failed" if code in failed else "file_missing"))}</span>'
            )
        scored = r.status == "dinilai"
        score = float(r.index) if scored else float("nan")
        rank = sd.rank_text(r.rank, r.rank_p05, r.rank_p95, n_scored, "rank_all", lang) if scored else ""
        rank_cell = (
            f"{int(r.rank)} ({sd.rank_bound(r.rank_p05)}–{sd.rank_bound(r.rank_p95)})" if rank else "—"
        )
        # a category is never shown without the rank interval it came from
        category = (
            (sd.category_label(r.category, lang) if rank else "—") if scored else L("status_insufficient")
        )
        attrs = (
            f'data-kecamatan="{e(r.kecamatan_code)}" data-kelurahan="{e(r.kelurahan_code)}" '
            f'data-category="{e(row_category[code])}" '
            f'data-search="{e(search_text(r._asdict()))}"'
        )
        return (
            f'<tr class="sc-rt" data-score="{"" if not scored else f"{score:.4f}"}" data-code="{e(code)}" {attrs}>'
            f'<td>{e(L("rt_label", rt=f"{int(r.rt_number):03d}"))}<br><span class="sc-muted">{e(code)}</span></td>'
            f"<td>{e(r.kelurahan_name)}</td>"
            f'<td class="num">{e(format_number(score, lang=lang, decimals=1))}</td>'
            f"<td>{e(category)}</td><td>{e(rank_cell)}</td><td>{links}</td></tr>"
        )

    head = (
        "<thead><tr>"
        + "".join(
            f"<th>{e(L(k))}</th>"
            for k in ("col_rt", "col_kelurahan", "col_index", "col_category", "col_rank", "col_files")
        )
        + "</tr></thead>"
    )
    sections = []
    for (kec_code, kec_name), kec in ordered.groupby(["kecamatan_code", "kecamatan_name"], sort=False):
        bodies = []
        for (kel_code, kel_name), kel in kec.groupby(["kelurahan_code", "kelurahan_name"], sort=False):
            kel_scored = kel[kel["status"] == "dinilai"]
            kel_index = format_number(kelurahan_index.get(str(kel_code)), lang=lang, decimals=1)
            group = L(
                "kelurahan_group", kelurahan=kel_name, index=kel_index, scored=len(kel_scored), total=len(kel)
            )
            rows = "".join(rt_row(r) for r in kel.itertuples())
            bodies.append(f'<tbody><tr class="sc-group"><th colspan="6">{e(group)}</th></tr>{rows}</tbody>')
        sections.append(
            f'<section id="kec-{e(kec_code)}"><h2>{e(L("kecamatan_heading", kecamatan=kec_name))}</h2>'
            f'<table class="sc-index">{head}{"".join(bodies)}</table></section>'
        )

    # the filters: every kecamatan, kelurahan (tagged with its kecamatan) and category of the page
    def options(pairs, extra=lambda key: "") -> str:
        return f'<option value="">{e(L("filter_all"))}</option>' + "".join(
            f'<option value="{e(key)}"{extra(key)}>{e(label)}</option>' for key, label in pairs
        )

    kecs = list(
        dict.fromkeys(
            zip(ordered["kecamatan_code"].astype(str), ordered["kecamatan_name"].astype(str), strict=True)
        )
    )
    kels = list(
        dict.fromkeys(
            zip(ordered["kelurahan_code"].astype(str), ordered["kelurahan_name"].astype(str), strict=True)
        )
    )
    kel_kec = dict(
        zip(ordered["kelurahan_code"].astype(str), ordered["kecamatan_code"].astype(str), strict=True)
    )
    kels.sort(key=lambda pair: (pair[1], pair[0]))

    def kel_attr(key: str) -> str:
        return f' data-kecamatan="{e(kel_kec[key])}"'

    # categories of the page, best first (by their best index score), "data belum memadai" last
    best: dict[str, tuple[float, str]] = {}
    for r in ordered.itertuples():
        key = row_category[str(r.rt_code)]
        label = L("status_insufficient") if key == "insufficient" else sd.category_label(r.category, lang)
        score = float(r.index) if key != "insufficient" else float("-inf")
        best[key] = (max(score, best.get(key, (score, label))[0]), label)
    cats = [(key, label) for key, (_, label) in sorted(best.items(), key=lambda kv: -kv[1][0])]
    filter_form = (
        f'<form id="sc-filter" role="search" hidden>'
        f'<label class="sc-q">{e(L("search_label"))} '
        f'<input id="sc-q" type="search" autocomplete="off" placeholder="{e(L("search_placeholder"))}"></label>'
        f'<label>{e(L("filter_kecamatan"))} <select id="sc-kec">{options(kecs)}</select></label>'
        f'<label>{e(L("filter_kelurahan"))} <select id="sc-kel">'
        f"{options(kels, kel_attr)}</select></label>"
        f'<label>{e(L("filter_category"))} <select id="sc-cat">{options(cats)}</select></label>'
        f'<p id="sc-count" aria-live="polite" data-template="{e(L("filter_count", shown="{shown}", total="{total}"))}"></p>'
        f'<p id="sc-none" class="sc-warn" hidden>{e(L("filter_none"))}</p>'
        "</form>"
    )
    n_insufficient = int(len(rt_index) - n_scored)
    lead = L("index_page_lead", n=len(rt_index), scored=n_scored, insufficient=n_insufficient)
    failed_line = f'<p class="sc-warn">{e(L("index_page_failed", n=len(failed)))}</p>' if failed else ""
    title = L("index_page_title")
    notice_html = (
        f'<div class="kjb-notice" role="note"><strong>{e(notice)}</strong> '
        f"<span>{e(t('notice.sample_long', lang))}</span></div>"
        if notice
        else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{e(title)} — {e(plabel)}</title>
<style>
{page_css(title, plabel, notice, lang)}
body {{ font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; max-width: 60rem; margin: 0 auto;
  padding: 1.5rem 1.25rem 2rem; font-size: 10.5pt; line-height: 1.45; }}
h1, h2 {{ font-family: "DejaVu Serif", Georgia, serif; color: #1f3a5f; }}
h2 {{ border-bottom: 1px solid #c9d1da; margin-top: 1.6em; }}
.kjb-notice {{ background: #fff4d6; color: #6b4a00; border: 1px solid #d9b44a; border-left: 6px solid #b7791f;
  padding: 0.5em 0.8em; margin: 0 0 1em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.92em; font-variant-numeric: tabular-nums;
  table-layout: fixed; }}
th:nth-child(1) {{ width: 18%; }} th:nth-child(2) {{ width: 22%; }} th:nth-child(3) {{ width: 12%; }}
th:nth-child(4) {{ width: 16%; }} th:nth-child(5) {{ width: 16%; }}
tr.sc-group th {{ width: auto; }}
th, td {{ text-align: left; padding: 0.25em 0.5em; border-bottom: 1px solid #c9d1da; vertical-align: top; }}
thead th {{ border-bottom: 2px solid #1f3a5f; }}
tr.sc-group th {{ background: #f3f5f8; color: #1f3a5f; font-weight: bold; }}
td.num {{ text-align: right; }}
.sc-muted {{ color: #5b6673; font-size: 0.88em; }}
.sc-warn {{ color: #8a1c1c; font-weight: bold; }}
#sc-sort {{ margin: 0.8em 0; padding: 0.4em 0.6em; background: #f3f5f8; }}
#sc-sort label {{ margin-right: 1em; }}
#sc-filter {{ display: flex; flex-wrap: wrap; gap: 0.5em 1.2em; align-items: flex-end; margin: 0.8em 0 0.4em;
  padding: 0.6em 0.8em; background: #f3f5f8; border-left: 4px solid #1f3a5f; }}
#sc-filter[hidden], #sc-filter [hidden] {{ display: none; }}
#sc-filter label {{ display: flex; flex-direction: column; font-size: 0.9em; color: #1f3a5f; font-weight: bold; }}
#sc-filter label.sc-q {{ flex: 1 1 16em; }}
#sc-filter input, #sc-filter select {{ font: inherit; font-weight: normal; padding: 0.3em 0.4em; margin-top: 0.2em;
  border: 1px solid #8795a6; border-radius: 3px; max-width: 100%; }}
#sc-filter p {{ flex-basis: 100%; margin: 0.2em 0 0; }}
tr.sc-rt[hidden], tbody[hidden], section[hidden] {{ display: none; }}
@media print {{ #sc-filter input, #sc-filter select, #sc-filter label, #sc-sort {{ display: none; }} }}
@media screen and (max-width: 40rem) {{
  body {{ padding: 1rem 0.6rem 1.5rem; }}
  table {{ font-size: 0.8em; table-layout: auto; }} thead th {{ width: auto !important; overflow-wrap: normal; }}
  th, td {{ padding: 0.2em 0.25em; overflow-wrap: anywhere; }}
}}
</style>
</head>
<body>
{notice_html}
<header><p class="sc-muted">{e(t("report.city", lang))} · {e(t("report.program_name", lang))}</p>
<h1>{e(title)}</h1><p>{e(plabel)}</p></header>
<p>{e(lead)}</p>
{failed_line}
<form id="sc-sort" hidden><strong>{e(L("sort_label"))}:</strong>
<label><input type="radio" name="sc-sort" value="region" checked> {e(L("sort_region"))}</label>
<label><input type="radio" name="sc-sort" value="score"> {e(L("sort_score"))}</label></form>
{filter_form}
<noscript><p class="sc-muted">{e(L("sort_note"))} {e(L("filter_note"))}</p></noscript>
<div id="sc-grouped">
{"".join(sections)}
</div>
<table id="sc-flat" class="sc-index" hidden>{head}<tbody></tbody></table>
<footer class="sc-muted"><p>{e(t("report.missing_value_note", lang))}</p>{f"<p><strong>{e(notice)}</strong></p>" if notice else ""}</footer>
{_SORT_SCRIPT}
{_FILTER_SCRIPT}
</body>
</html>
"""
    return write_text_atomic(path, page)
