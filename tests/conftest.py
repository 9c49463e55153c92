"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def open_in_chromium():
    """Open a local HTML file in Debian's headless Chromium (playwright, no browser download).

    Returns a function ``(path, evaluate: dict[name, js], width=None, screenshot=None) -> dict`` with the
    page's console ``errors``, the ``requests`` it made and each ``evaluate`` expression's value; ``width``
    sets the viewport's width in CSS px (a phone: 375), ``screenshot`` a path for a full-page PNG. Skips when
    Chromium is not installed.
    """
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium")

    def _open(
        path: Path, evaluate: dict[str, str], width: int | None = None, screenshot: Path | None = None
    ) -> dict:
        from playwright.sync_api import sync_playwright

        errors: list[str] = []
        requests: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"],
            )
            page = browser.new_page(viewport={"width": width, "height": 800} if width else None)
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda req: requests.append(req.url))
            page.goto(Path(path).as_uri(), wait_until="load")
            values = {name: page.evaluate(js) for name, js in evaluate.items()}
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
            browser.close()
        return {"errors": errors, "requests": requests, **values}

    return _open
