"""The model-pickle scanner measured on public corpora: picklescan's own malicious and benign test
samples (read from a local git mirror at a pinned commit, never copied into this repository) and a
folder of benign models written by the libraries themselves (bench/make_benign_models.py).

    python bench/pickles.py --picklescan /work/.mirror/mmaitre314+picklescan/repo \\
        [--commit f15d54da3dec9aa28a87ede82f87882bb80f1023] [--benign DIR] [--verbose]

Prints, per corpus: how many malicious files fail the check (dangerous or unsafe), how many are only
blocked as not verified, how many would pass (a miss), and how many benign files raise an alarm.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gate.facts.pickles import scan_file

PINNED = "f15d54da3dec9aa28a87ede82f87882bb80f1023"
# The samples picklescan's own tests expect to be clean (tests/test_scanner.py at the pinned commit);
# every other sample under tests/data and tests/data2 is expected to be flagged.
PICKLESCAN_BENIGN = {
    "tests/data/benign0_v0.pkl", "tests/data/benign0_v3.pkl", "tests/data/benign0_v4.pkl",
    "tests/data/pytorch_model.bin", "tests/data/new_pytorch_model.bin", "tests/data/bad_pytorch.pt",
    "tests/data/not_a_pickle.bin", "tests/data/benign_password_protected.zip",
    "tests/data2/object_array.npy", "tests/data2/int_array.npy", "tests/data2/object_arrays.npz",
    "tests/data2/object_arrays_compressed.npz", "tests/data2/int_arrays.npz",
    "tests/data2/int_arrays_compressed.npz",
}  # fmt: skip
FAILS = {"dangerous", "unsafe"}
PASSES = {"clean", "not-pickle"}


def _git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={mirror}", *args], check=True, capture_output=True).stdout


def picklescan_samples(mirror: Path, commit: str, into: Path) -> list[tuple[str, Path, bool]]:
    listing = _git(
        mirror, "ls-tree", "-r", "--format=%(objectname) %(path)", commit, "tests/data", "tests/data2"
    )
    samples = []
    for line in listing.decode().splitlines():
        blob, path = line.split(" ", 1)
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git(mirror, "cat-file", "blob", blob))
        samples.append((path, target, path not in PICKLESCAN_BENIGN))
    return samples


def report(name: str, samples: list[tuple[str, Path, bool]], verbose: bool) -> None:
    tally: Counter[str] = Counter()
    started = time.perf_counter()
    for label, path, malicious in samples:
        scan = scan_file(path)
        if malicious:
            kind = (
                "fail" if scan.verdict in FAILS else "blocked" if scan.verdict == "not-verified" else "MISSED"
            )
        else:
            kind = (
                "FALSE ALARM"
                if scan.verdict in FAILS
                else "benign error"
                if scan.verdict == "not-verified"
                else "ok"
            )
        tally[kind] += 1
        if verbose or kind in ("MISSED", "FALSE ALARM", "blocked", "benign error"):
            print(f"  {kind:12} {scan.verdict:12} {label}: {scan.detail[:140]}")
    elapsed = time.perf_counter() - started
    bad = sum(1 for s in samples if s[2])
    good = len(samples) - bad
    print(
        f"{name}: {bad} malicious: {tally['fail']} fail, {tally['blocked']} blocked as not verified, "
        f"{tally['MISSED']} missed; {good} benign: {tally['ok']} pass, {tally['benign error']} not verified, "
        f"{tally['FALSE ALARM']} false alarms ({elapsed:.2f} s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picklescan", type=Path, help="a git mirror of mmaitre314/picklescan")
    parser.add_argument("--commit", default=PINNED)
    parser.add_argument("--benign", type=Path, help="a folder of benign model files")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prodgate-pickles-") as tmp:
        if args.picklescan:
            report(
                f"picklescan@{args.commit[:12]}",
                picklescan_samples(args.picklescan, args.commit, Path(tmp)),
                args.verbose,
            )
        if args.benign:
            files = sorted(p for p in args.benign.rglob("*") if p.is_file())
            report(f"benign models in {args.benign}", [(p.name, p, False) for p in files], args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
