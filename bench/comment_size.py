"""The pull-request comment's size for the examples issue #15 names: characters, and the lines a reader
sees with every <details> closed, counted on cmark-gfm's HTML (as GitHub renders the Markdown).

    python bench/comment_size.py

Prints one line per example. Offline, nothing signed; the sign-off section is included.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gate.action.comment import comment_body  # noqa: E402
from gate.checklist import read_checklist  # noqa: E402
from gate.config import load_config  # noqa: E402
from gate.engine import evaluate  # noqa: E402
from tests.gfm import as_github  # noqa: E402

EXAMPLES = ("not-ready-service", "seed-001-power-theft/not-ready")
_BLOCK = re.compile(r"<(p|li|h[1-6]|tr|summary|pre|hr)\b")


def visible_lines(html: str) -> int:
    """Block elements a reader sees: inside a closed <details> only its summary line counts; an open
    one (`<details open>`) shows its body."""
    closed = 0  # how many closed <details> enclose the current point
    stack: list[bool] = []
    count = 0
    for token in re.finditer(r"<details[^>]*>|</details>|<summary>|" + _BLOCK.pattern, html):
        text = token.group(0)
        if text.startswith("<details"):
            stack.append("open" not in text)
            closed += stack[-1]
        elif text == "</details>":
            closed -= stack.pop() if stack else 0
        elif text == "<summary>":
            count += closed <= (1 if stack and stack[-1] else 0)
        elif closed == 0:
            count += 1
    return count


def main() -> int:
    for name in EXAMPLES:
        root = ROOT / "examples" / name
        config, _ = load_config(None, root)
        checklist = read_checklist(root / config.checklist, root) if config.checklist else None
        report = evaluate(root, config, offline=True, checklist=checklist, today=date(2026, 11, 30))
        body = comment_body(report, key="default", summary_url="https://example.invalid/run", notes=[])
        html = as_github(body)
        first = html.split("<details", 1)[0]
        print(
            f"{name}: {len(body)} characters, {visible_lines(html)} lines visible with details closed, "
            f"{visible_lines(first)} before the first <details>"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
