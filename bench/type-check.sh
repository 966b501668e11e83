#!/usr/bin/env bash
# The type-checker pre-filter (--type-check) on isodate 0.7.2, semver 3.1.2 and
# inflection 0.5.1 (PyPI sdists, their own pytest suites, the pytest worker, 2 jobs,
# --no-cache): a sweep without a checker, then with mypy and with ty. Per run: mutants
# rejected as type errors, survivors, wall time; the checker's own time is in its line
# (`--type-check ...: N of M mutants rejected, in T ms`). About 10 minutes.
#
#     bash bench/type-check.sh [jobs]          # needs the package registry
set -euo pipefail
jobs=${1:-2}
source "$(dirname "$0")/lib.sh"
bench_setup
venv="$work/venv"
pip=("$venv/bin/pip" -q --disable-pip-version-check)
"${BENCH_PYTHON:-python3}" -m venv "$venv"
"${pip[@]}" install pytest mypy ty packaging
echo "Python: $("$venv/bin/python" --version); $("$venv/bin/python" -m mypy --version); $("$venv/bin/ty" --version)"
tests="$venv/bin/python -m pytest -x -q -p no:cacheprovider"

sweep() {  # library, then git-chimp's arguments
  local library=$1 start end checker
  shift
  for checker in none mypy ty; do
    local extra=()
    [ "$checker" = none ] || extra=(--type-check "$checker")
    start=$(now)
    "$chimp" --runner pytest --no-cache -j "$jobs" "$@" "${extra[@]}" > "$work/out" 2> "$work/err" || true
    end=$(now)
    python3 - "$library" "$checker" "$(elapsed "$start" "$end")" "$(grep -o 'in [0-9]* ms' "$work/err" | tail -1 | grep -o '[0-9]*' || echo -)" <<'PY'
import collections, json, sys
library, checker, seconds, checker_ms = sys.argv[1:5]
report = json.load(open(".chimp/report.json"))
counts = collections.Counter(m["status"] for f in report["files"].values() for m in f["mutants"])
print(f"| {library} | {checker} | {sum(counts.values())} | {counts['CompileError']} | "
      f"{counts['Survived'] + counts['NoCoverage']} | {checker_ms} | {seconds} s |")
PY
    "$chimp" clean > /dev/null
  done
}

echo "| library | --type-check | mutants | type errors | survivors | checker ms | wall |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"

mkdir -p "$work/dl"
unpack() {  # name version
  "${pip[@]}" download --no-deps --no-binary :all: "$1==$2" -d "$work/dl"
  tar --no-same-owner -xzf "$work/dl/$1-$2.tar.gz" -C "$work"
  find "$work/$1-$2" -name '*.egg-info' -prune -exec rm -rf {} +
  cd "$work/$1-$2"
}

unpack isodate 0.7.2
"${pip[@]}" install -e .
sed -i '\|^src/isodate/version.py$|d' .gitignore
commit_all isodate
sweep "isodate 0.7.2" --exclude src/isodate/version.py --tests "$tests"

unpack semver 3.1.2
commit_all semver
sweep "semver 3.1.2" --code src/semver --tests "$tests -o addopts="

unpack inflection 0.5.1
commit_all inflection
sweep "inflection 0.5.1" --tests "$tests"
