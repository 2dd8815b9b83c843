"""How prodgate's time grows with repository size, against the floor of listing and reading every file once.

Generates synthetic repositories (Python services with routes, YAML manifests, Dockerfiles, JSON
metadata, requirements, binary artifacts) of 1k, 10k, 20k and 50k files, then prints for each:
prodgate's wall time, the floor, their ratio, and the growth from 10k to 50k. Prints; asserts nothing.
A second reference adds CPython's parse of every .py file to the floor: parsing is most of the gap.
The last column says how many times a run parsed each module (passes past the tree cache parse again).
Runs offline (no vulnerability audit): bench/bench_audit.py measures the audit.

    python bench/bench_scale.py [--sizes 1000,10000,20000,50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import gate.snapshot
from gate.config import Config
from gate.engine import evaluate

SERVICE = """import os
import logging
from fastapi import FastAPI, Depends

app = FastAPI()
log = logging.getLogger(__name__)
MODEL_PATH = os.getenv("MODEL_PATH_{n}", "models/m{n}.joblib")


@app.get("/health")
def health():
    return {{"status": "ok"}}


@app.post("/predict/{n}")
def predict(values: list[float]):
    total = sum(v * {n} for v in values)
    return {{"score": total / max(len(values), 1)}}
"""
MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{n}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: registry.example/svc:{n}.0.0
          resources:
            limits: {{cpu: "1", memory: 512Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{n}
"""
DOCKERFILE = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["uvicorn", "app:app"]\n'


def generate(root: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "README.md").write_text("# bench\n## Install\npip\n## Usage\nrun\n")
    (root / ".gitignore").write_text(".env\n")
    for i in range(count - 2):
        folder = root / f"svc{i // 200:03d}" / f"pkg{(i // 20) % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = i % 10
        if kind < 5:
            (folder / f"mod{i}.py").write_text(SERVICE.format(n=i))
        elif kind < 7:
            (folder / f"deploy{i}.yaml").write_text(MANIFEST.format(n=i))
        elif kind == 7:
            (folder / f"features{i}.json").write_text(f'{{"features": ["a", "b", "c"], "version": {i}}}\n')
        elif kind == 8 and i % 200 == 8:  # one service folder in 200 files: its Dockerfile and requirements
            (folder / "Dockerfile").write_text(DOCKERFILE)
            (folder / "requirements.txt").write_text("fastapi==0.115.6\nuvicorn==0.32.1\njoblib==1.4.2\n")
        elif kind == 8:
            (folder / f"notes{i}.md").write_text(f"# Notes {i}\n\nSome prose about the model.\n")
        else:
            (folder / f"model{i}.joblib").write_bytes(b"\x80\x04\x95" + rng.randbytes(2048))


def floor(root: Path) -> float:
    start = time.perf_counter()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            (Path(dirpath) / name).read_bytes()
    return time.perf_counter() - start


PARSES: list[str] = []
_PARSE = gate.snapshot._parse_python


def _counted(rel: str, text: str) -> ast.Module:
    PARSES.append(rel)
    return _PARSE(rel, text)


def timed_gate(root: Path) -> float:
    PARSES.clear()
    start = time.perf_counter()
    evaluate(root, Config(), offline=True)  # the audit's own cost is bench_audit.py's figure
    return time.perf_counter() - start


def parses_per_module() -> float:
    """How many times the last run parsed each Python module it parsed (1.0: each tree once)."""
    return len(PARSES) / max(len(set(PARSES)), 1)


def parse_floor(root: Path) -> float:
    """Reading every file plus CPython's own parse of every .py: the least any AST-based gate can do."""
    start = time.perf_counter()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            data = (Path(dirpath) / name).read_bytes()
            if name.endswith(".py"):
                ast.parse(data)
    return time.perf_counter() - start


def best_of(n: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(n))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,20000,50000")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    times: dict[int, float] = {}
    print(
        f"{'files':>7}  {'prodgate s':>10}  {'floor s':>8}  {'ratio':>6}  {'read+parse s':>12}  {'ratio':>6}"
        f"  {'parses/module':>13}"
    )
    gate.snapshot._parse_python = _counted  # counting costs a list append per parse
    for size in sizes:
        root = Path(tempfile.mkdtemp(prefix=f"prodgate-bench-{size}-"))
        try:
            generate(root, size)
            floor(root)  # warm the page cache so both sides read from memory

            g = best_of(args.repeat, partial(timed_gate, root))
            f = best_of(args.repeat, partial(floor, root))
            p = best_of(args.repeat, partial(parse_floor, root))
            times[size] = g
            print(
                f"{size:>7}  {g:>10.2f}  {f:>8.2f}  {g / f:>6.1f}  {p:>12.2f}  {g / p:>6.1f}"
                f"  {parses_per_module():>13.2f}"
            )
        finally:
            shutil.rmtree(root, ignore_errors=True)
    if 10000 in times and 50000 in times:
        print(f"growth 10k -> 50k: x{times[50000] / times[10000]:.2f} for x5.00 files")


if __name__ == "__main__":
    main()
