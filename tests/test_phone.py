"""The sample's briefing, scorecards, their index and the analysts' notebooks read on a phone (issue 13
items 4 and 7).

Each page is opened in headless Chromium at 375 CSS px (an iPhone SE / small Android): the page never
scrolls sideways (``scrollWidth <= innerWidth``) and no element reaches past the right edge unless it sits in
a box that scrolls horizontally by itself (a wide table). Full-page screenshots of the briefing and of a
scorecard are kept as test artefacts: in the test's temporary folder (``<tmp>/phone/screenshots/``, the
path is printed), and copied to ``$KJB_TEST_ARTEFACTS/phone/`` when that variable names a folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import config
from analysis.publish.scorecards import batch

pytestmark = pytest.mark.slow

PHONE_PX = 375

#: Elements wider than the viewport that are not inside a horizontally scrolling box that itself fits.
OVERFLOW_JS = """
(() => {
  const vw = window.innerWidth;
  const scrollsInside = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && a.getBoundingClientRect().right <= vw + 0.5) {
        return true;
      }
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > vw + 0.5 || r.left < -0.5) && !scrollsInside(el)) {
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
               + ' ' + Math.round(r.left) + '–' + Math.round(r.right) + 'px');
    }
  }
  return out;
})()
"""

MEASURES = {
    "scroll_width": "document.documentElement.scrollWidth",
    "inner_width": "window.innerWidth",
    "too_wide": OVERFLOW_JS,
    "images": "Array.from(document.images).map(i => [i.alt, Math.round(i.getBoundingClientRect().width)])",
    "phone_charts": "document.querySelectorAll('picture source[media]').length",
}


def _card(out_dir: Path, rt_code: str) -> Path:
    """The HTML card of ``rt_code`` (named by code and kelurahan: ``rt-<code>_<kelurahan>.html``)."""
    (path,) = (out_dir / "rt").glob(f"rt-{rt_code}_*.html")
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory, sample_latest_run, copy_sample_run):
    """The sample's latest briefing (the session's shared run) and two scorecards (one scored RT, one with too
    little data), made from a copy of its processed folders."""
    tmp = copy_sample_run(tmp_path_factory.mktemp("phone"), parts=("processed",))
    result = sample_latest_run
    period = result.report_dir.name
    index = pd.read_parquet(tmp / "processed" / "sample" / period / "rt_index.parquet")
    scored = index.loc[index["status"] == "dinilai", "rt_code"].iloc[0]
    insufficient = index.loc[index["status"] != "dinilai", "rt_code"].iloc[0]
    cards = batch.run_scorecards(
        batch.ScorecardOptions(
            raw_dir=config.SAMPLE_SOURCE,
            period=period,
            rts=(scored, insufficient),
            formats=("html",),
            processed_root=tmp / "processed",
            out_dir=tmp / "cards",
            jobs=1,
        )
    )
    shots = tmp / "screenshots"
    shots.mkdir()
    return {
        "briefing": result.report_dir / "briefing.html",
        "analyst_02": result.report_dir / "02_program_achievement.html",
        "analyst_03": result.report_dir / "03_kampung_bahagia_index.html",
        "scorecard": _card(cards.out_dir, scored),
        "scorecard_insufficient": _card(cards.out_dir, insufficient),
        "index": cards.out_dir / "index.html",
        "shots": shots,
    }


@pytest.mark.parametrize(
    "page", ["briefing", "scorecard", "scorecard_insufficient", "index", "analyst_02", "analyst_03"]
)
def test_nothing_runs_off_a_phone_screen(pages, page, open_in_chromium):
    shot = pages["shots"] / f"{page}-{PHONE_PX}px.png" if page in ("briefing", "scorecard") else None
    seen = open_in_chromium(pages[page], MEASURES, width=PHONE_PX, screenshot=shot)
    assert seen["inner_width"] == PHONE_PX
    assert seen["scroll_width"] <= seen["inner_width"], seen["too_wide"][:10]
    assert seen["too_wide"] == []
    assert all(width <= PHONE_PX for _alt, width in seen["images"])  # charts scale to the screen
    if page == "briefing":
        assert seen["phone_charts"] == 3  # achievement, serapan, heat map: their phone layouts are offered
    if shot is not None:
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")
        target = os.environ.get("KJB_TEST_ARTEFACTS")
        if target:
            Path(target, "phone").mkdir(parents=True, exist_ok=True)
            shutil.copy2(shot, Path(target, "phone", shot.name))


def test_the_heat_map_on_a_phone_is_its_phone_layout(pages, open_in_chromium):
    """At 375 px the browser picks each chart's phone layout, drawn at about its own size."""
    seen = open_in_chromium(
        pages["briefing"],
        {"chosen": "Array.from(document.querySelectorAll('picture img')).map(i => [i.currentSrc.length, "
         "i.naturalWidth, Math.round(i.getBoundingClientRect().width)])",
         "sources": "Array.from(document.querySelectorAll('picture source')).map(s => s.srcset.length)"},
        width=PHONE_PX,
    )  # fmt: skip
    assert len(seen["chosen"]) == len(seen["sources"]) == 3
    for (src_len, natural, shown), source_len in zip(seen["chosen"], seen["sources"], strict=True):
        assert src_len == source_len  # the phone SVG, not the page one
        assert natural <= 400 and shown >= 0.85 * natural  # drawn for the phone, hardly scaled down
