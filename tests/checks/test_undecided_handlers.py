"""Checks that read a route's handler say so when they cannot find or read it, rather than passing or
failing on what they did not see."""

from __future__ import annotations

from pathlib import Path

from gate.config import load_config
from gate.engine import evaluate
from gate.model import Outcome


def _judge(root: Path, files: dict[str, str], check_id: str) -> tuple[Outcome, str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    config, _ = load_config(None, root)
    result = next(r for r in evaluate(root, config, offline=True).results if r.check_id == check_id)
    return result.outcome, result.summary


REGISTERED = """from flask import Flask, request

app = Flask(__name__)


def run_formula():
    return str(eval(request.args["f"]))


app.add_url_rule("/formula", view_func=run_formula, methods=["POST"])
"""


def test_sinks_not_followed_into_a_handler_they_could_not_find_are_not_called_safe(tmp_path: Path) -> None:
    config = "checks:\n  request-sinks:\n    options:\n      aspects: [injection]\n"
    outcome, summary = _judge(
        tmp_path, {"app.py": REGISTERED, ".github/prodgate.yml": config}, "request-sinks"
    )
    assert outcome is Outcome.MISSING_EVIDENCE, summary


DETAILED = "checks:\n  health-endpoint:\n    options:\n      detailed: true\n"


def test_a_health_answer_built_by_a_response_model_is_read_by_its_fields(tmp_path: Path) -> None:
    app = (
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\n\napp = FastAPI()\n\n\n"
        "class HealthOut(BaseModel):\n    status: str\n    model_loaded: bool\n\n\n"
        '@app.get("/health")\ndef health() -> HealthOut:\n    return HealthOut(status="ok", model_loaded=True)\n'
    )
    outcome, summary = _judge(tmp_path, {"app.py": app, ".github/prodgate.yml": DETAILED}, "health-endpoint")
    assert outcome is Outcome.PASS and "model_loaded" in summary


def test_a_health_answer_held_in_a_variable_is_not_judged(tmp_path: Path) -> None:
    app = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/health")\ndef health() -> dict[str, object]:\n    answer = current_state()\n    return answer\n'
    )
    outcome, _ = _judge(tmp_path, {"app.py": app, ".github/prodgate.yml": DETAILED}, "health-endpoint")
    assert outcome is Outcome.MISSING_EVIDENCE
