#!/usr/bin/env bash
# The unittest worker (`--runner unittest`) against the plain runner (`--runner command`)
# on real code with its real unittest suite: four modules of the machine's python3
# standard library (textwrap, colorsys, shlex, fractions) and CPython's own tests of
# them (Lib/test/test_*.py), run as `python3 -m unittest discover -s tests -f` with the
# modules first on PYTHONPATH. Both sweeps are full, `--no-cache`, with `jobs` workers;
# their outcomes are compared mutant by mutant (the worker's `uncovered` stands for the
# plain runner's `survived`, and Killed and Timeout are both detections; any other
# difference fails the script). About 15 minutes, most of it the plain runner's.
#
#     bash bench/unittest.sh [jobs]       # default jobs: 2
set -euo pipefail
jobs=${1:-2}
source "$(dirname "$0")/lib.sh"
bench_setup
stdlib=$(python3 -c "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
mkdir -p "$work/project/lib" "$work/project/tests"
cd "$work/project"
for module in textwrap colorsys shlex fractions; do
  cp "$stdlib/$module.py" lib/
  cp "$stdlib/test/test_$module.py" tests/
done
touch tests/__init__.py
commit_all code
tests="env PYTHONPATH=lib python3 -m unittest discover -s tests -f"
for runner in command unittest; do
  start=$(now)
  "$chimp" --tests "$tests" --code lib --runner "$runner" --no-cache -j "$jobs" \
    > "$work/$runner.out" 2> "$work/$runner.err" || true
  end=$(now)
  cp .chimp/report.json "$work/$runner.json"
  echo "--runner $runner: $(head -1 "$work/$runner.out"); $(elapsed "$start" "$end") s wall"
  grep -E "ran in the|baseline" "$work/$runner.err" | sed 's/^/    /' || true
done
python3 - "$work/command.json" "$work/unittest.json" <<'PY'
import json, sys
def statuses(path):
    with open(path) as f:
        return {m["id"]: m["status"] for file in json.load(f)["files"].values() for m in file["mutants"]}
plain, warm = statuses(sys.argv[1]), statuses(sys.argv[2])
assert plain.keys() == warm.keys(), "different mutants"
detected = {"Killed", "Timeout"}
same = lambda a, b: a == b or (a == "Survived" and b == "NoCoverage") or {a, b} <= detected
differ = [(k, plain[k], warm[k]) for k in plain if not same(plain[k], warm[k])]
both = sum(1 for k in plain if plain[k] != warm[k] and {plain[k], warm[k]} <= detected)
print(f"{len(plain)} mutants compared: {len(differ)} differ "
      f"({both} Killed in one and Timeout in the other: both detections)")
for row in differ[:20]:
    print("   ", *row)
sys.exit(1 if differ else 0)
PY
