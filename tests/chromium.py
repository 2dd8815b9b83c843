"""The comment as a reviewer's browser lays it out: cmark-gfm's HTML in GitHub's Markdown stylesheet
(the `github-markdown-css` package, from tests/npm), measured by headless Chromium.

Chromium runs the page's own script and prints the DOM (`--dump-dom`), so no driver library is needed:
the script writes what it measured into an attribute of <body>. Debian's `chromium` package provides
the browser (`apt-get install chromium`); `.ci/run` installs it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
STYLESHEET = (
    Path(__file__).resolve().parent / "npm/node_modules/github-markdown-css/github-markdown-light.css"
)

WIDTH = 780
"""The width of a comment's body in a pull request's conversation, in a 1280-pixel-wide window."""
SCREEN = 720
"""The first screen: what a 1280x800 laptop shows of the comment, scrolled to its top, below the
browser's own bars."""

_MEASURE = """
const origin = document.querySelector('article').getBoundingClientRect().top;
const below = (el) => el.getBoundingClientRect().bottom - origin;
const heading = [...document.querySelectorAll('h3')].find((h) => h.textContent.startsWith('What blocks this merge'));
const items = heading ? [...heading.nextElementSibling.children] : [];
document.body.setAttribute('data-measured', JSON.stringify({
  verdict: below(document.querySelector('h2')),
  blockers: items.map(below),
  seen: [...document.querySelectorAll('code')].filter((c) => below(c) <= SCREEN).map((c) => c.textContent),
}));
"""


def _page(body_html: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{STYLESHEET.as_uri()}">'
        f"<style>body{{margin:0}} .markdown-body{{box-sizing:border-box;width:{WIDTH}px;padding:16px}}</style>"
        f'</head><body><article class="markdown-body">{body_html}</article>'
        f"<script>const SCREEN = {SCREEN};{_MEASURE}</script></body></html>"
    )


def _chromium(page: str, *flags: str) -> str:
    assert CHROMIUM, "no Chromium"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "comment.html"
        path.write_text(page, encoding="utf-8")
        proc = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",  # tests run as root in CI containers, where the sandbox cannot start
                "--disable-gpu",
                f"--user-data-dir={tmp}/profile",
                f"--window-size=1280,{SCREEN}",
                "--virtual-time-budget=5000",
                *flags,
                path.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def measure(body_html: str) -> dict[str, object]:
    """Where the verdict and each line of "What blocks this merge" end, in pixels from the comment's
    top, and the code spans (check ids, places) that end on the first screen."""
    dom = _chromium(_page(body_html), "--dump-dom")
    found = re.search(r'data-measured="([^"]*)"', dom)
    assert found, "the page's script did not run"
    measured: dict[str, object] = json.loads(html.unescape(found[1]))
    return measured


def screenshot(body_html: str, target: Path) -> None:
    """A picture of the first screen, for a person to look at."""
    _chromium(_page(body_html), f"--screenshot={target}")


def measure_page(page: str, script: str) -> dict[str, object]:
    """A whole page as Chromium lays it out, with `script` run after the page's own: the script puts what
    it measured (JSON) into `data-measured` on <body>."""
    dom = _chromium(page.replace("</body>", f"<script>{script}</script></body>"), "--dump-dom")
    found = re.search(r'data-measured="([^"]*)"', dom)
    assert found, "the measuring script did not run"
    measured: dict[str, object] = json.loads(html.unescape(found[1]))
    return measured


def screenshot_page(page: str, target: Path, height: int = 900) -> None:
    _chromium(page, f"--screenshot={target}", f"--window-size=1280,{height}")
