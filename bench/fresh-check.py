"""A seeded sample of a git-chimp run's outcomes, each checked against a fresh run of
the project's own test command with the mutant in place (#26: "on two corpus projects
a seeded sample of 30 mutants, each re-run as a plain fresh run of the project's own
test command, agrees with git-chimp's outcome").

    python3 bench/fresh-check.py --repo DIR --tests "python -m pytest -x -q" \
        --report DIR/.chimp/report.json [--size 30] [--seed 26] [--timeout 120]
    python3 bench/fresh-check.py ... --ids ID [ID ...]   # those mutants, not a sample

The repository's checkout is copied once into a scratch directory (its `.git` left
out); each mutant is written into the copy, the command runs there, and the file is
put back. A pass is Survived, a failure Killed, a run past `--timeout` Timeout. Killed
and Timeout are one detection, and NoCoverage (no test reaches the mutant) is a pass,
as the README's rules say. Prints one line per mutant and the agreement count; exits 1
on a disagreement.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time


def mutated(source, mutant):
    """`source` with `mutant` (its 1-based line/column span, end exclusive) replaced."""
    lines = source.splitlines(True)
    start, end = mutant["location"]["start"], mutant["location"]["end"]

    def offset(at):
        return sum(len(line) for line in lines[: at["line"] - 1]) + at["column"] - 1

    return source[: offset(start)] + mutant["replacement"] + source[offset(end) :]


def detection(status):
    return {"Killed": "detected", "Timeout": "detected", "NoCoverage": "passes", "Survived": "passes"}.get(status)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--tests", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--ids", nargs="+", help="check these mutants (report ids) instead")
    args = parser.parse_args()
    with open(args.report) as f:
        report = json.load(f)
    candidates = [
        (path, entry["source"], mutant)
        for path, entry in sorted(report["files"].items())
        for mutant in entry["mutants"]
        if detection(mutant["status"])
    ]
    if args.ids:
        by_id = {mutant["id"]: (path, source, mutant) for path, source, mutant in candidates}
        missing = [i for i in args.ids if i not in by_id]
        if missing:
            sys.exit("not in the report (or not Killed/Timeout/Survived/NoCoverage): "
                     + " ".join(missing))
        sample = [by_id[i] for i in args.ids]
    else:
        sample = random.Random(args.seed).sample(candidates, min(args.size, len(candidates)))
    scratch = tempfile.mkdtemp(prefix="fresh-check-")
    copy = os.path.join(scratch, "project")
    shutil.copytree(args.repo, copy, ignore=shutil.ignore_patterns(".git", ".chimp", "__pycache__"))
    agreed = 0
    try:
        for path, source, mutant in sample:
            target = os.path.join(copy, path)
            with open(target, "rb") as f:
                original = f.read()
            with open(target, "w", encoding="utf-8", newline="") as f:
                f.write(mutated(source, mutant))
            started = time.monotonic()
            try:
                run = subprocess.run(
                    args.tests, shell=True, cwd=copy, timeout=args.timeout,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
                )
                fresh = "Survived" if run.returncode == 0 else "Killed"
            except subprocess.TimeoutExpired:
                fresh = "Timeout"
            finally:
                with open(target, "wb") as f:
                    f.write(original)
            same = detection(fresh) == detection(mutant["status"])
            agreed += same
            print(
                "%-5s %s:%d %s (%s): git-chimp %s, fresh run %s in %.1f s"
                % (
                    "ok" if same else "DIFF", path, mutant["location"]["start"]["line"],
                    mutant["mutatorName"], mutant["description"][:50], mutant["status"],
                    fresh, time.monotonic() - started,
                ),
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    chosen = "given ids" if args.ids else "seed %d" % args.seed
    print("%d of %d agree (%s)" % (agreed, len(sample), chosen))
    sys.exit(0 if agreed == len(sample) else 1)


if __name__ == "__main__":
    main()
