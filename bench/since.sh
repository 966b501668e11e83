#!/usr/bin/env bash
# Diff-scoped runs against full sweeps on a real project with history. Give it a local
# clone of a Python library whose tests run with pytest (nothing of it is committed
# here); by default the last 5 commits that changed its non-test Python code are used.
# For each: `git chimp --rev C --since C~1` (what the pre-push hook runs), timed; and
# one full sweep `git chimp --rev C` of the newest, for the ratio.
#
#     bash bench/since.sh /path/to/clone [commits] [pytest args]
#     e.g. bash bench/since.sh ~/src/inflection 5 test_inflection.py
set -euo pipefail
src=${1:?usage: bench/since.sh /path/to/clone [commits] [pytest args]}
count=${2:-5}
pytest_args=${3:-}
source "$(dirname "$0")/lib.sh"
bench_setup
git clone -q "$src" "$work/project"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check pytest
tests="$work/venv/bin/python -m pytest -x -q -p no:cacheprovider $pytest_args"
cd "$work/project"
commits=$(git log --format=%H --no-merges -n "$count" -- '*.py' ':!*test*')
timed() { # prints seconds, runs "$@" with output to $work/out
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/out" 2> "$work/err" || true
  end=$(date +%s.%N)
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$end"
}
summary() { grep -oE '^[0-9]+ mutants: .*' "$work/out" || grep -E 'no mutants|git-chimp: ' "$work/err" | tail -1; }
total=0
for c in $commits; do
  seconds=$(timed "$chimp" --rev "$c" --since "$c~1" --no-cache --tests "$tests")
  scope=$(grep -oE '[0-9]+ changed lines in [0-9]+ files' "$work/err" || echo "?")
  echo "$(git log -1 --format='%h %s' "$c" | cut -c1-50): ${seconds}s; $scope; $(summary)"
  total=$(python3 -c "print($total + $seconds)")
done
newest=$(echo "$commits" | head -n 1)
seconds=$(timed "$chimp" --rev "$newest" --no-cache --tests "$tests")
echo "full sweep of $(git rev-parse --short "$newest"): ${seconds}s; $(summary)"
python3 -c "import sys; n=$count; t=$total; f=$seconds; print(f'mean --since run {t/n:.1f}s vs full sweep {f:.1f}s: {f/(t/n) if t else float(\"inf\"):.0f}x')"
"$chimp" clean >/dev/null
