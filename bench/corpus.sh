#!/usr/bin/env bash
# The real-project corpus (#26): full sweeps of real pure-Python projects nobody here
# wrote, each from its source distribution on the package registry (nothing of them is
# committed here), with its own test suite, in a throwaway venv; git-chimp side by side
# with mutmut 3.8.1 and irradiate 0.4.3 (2 workers each, one invocation).
#
#     bash bench/corpus.sh [project ...]        # default: every project below
#     BENCH_PEERS=0 bash bench/corpus.sh ...    # git-chimp only
#     BENCH_PYTHON=python3.13 bash bench/corpus.sh ...
#     BENCH_CHIMP_ARGS="--budget 6m" bash bench/corpus.sh ...   # more git-chimp arguments
#     BENCH_KEEP=/tmp/corpus bash bench/corpus.sh ...            # keep the work directory
#
# Projects (click, boltons, cachetools, humanize, more-itertools and packaging are kept
# out: they are the independent check's):
#   tomlkit 0.15.3     flat layout, 1,482 pytest tests
#   pyparsing 3.3.3    flat layout, one large module built at import, unittest-style
#                      TestCase suites run by pytest (its diagram tests left out: they
#                      need railroad-diagrams)
#   marshmallow 4.4.0  src layout, pytest
#   jinja2 3.1.6       src layout, import-time work (the lexer, the node classes)
#
# For each git-chimp run the script prints, from its report and debug log: mutants, wall,
# mutants per second, the time before the first mutant's outcome, the time spent in
# timeouts, in runs from scratch and in fresh confirmations of survivors, and the share of
# mutants run from scratch; then one table per project with the peers' rows.
set -euo pipefail
jobs=${BENCH_JOBS:-2}
source "$(dirname "$0")/lib.sh"
bench_setup
all=(tomlkit pyparsing marshmallow jinja2)
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=("${all[@]}")

# Per project: the sdist, the packages its tests need, the package directory (what
# mutmut and irradiate mutate), the tests directory, pytest arguments, and whether to
# install it editable (src layouts).
project() {
  case $1 in
    tomlkit) sdist=(tomlkit 0.15.3) needs=() code=tomlkit tests_dir=tests pytest_args=() editable=0 ;;
    pyparsing) sdist=(pyparsing 3.3.3) needs=() code=pyparsing tests_dir=tests
      pytest_args=(--ignore=tests/test_diagram.py --deselect tests/test_examples.py::TestExamples::test_range_check) editable=0 ;;
    marshmallow) sdist=(marshmallow 4.4.0) needs=(simplejson) code=src/marshmallow tests_dir=tests
      pytest_args=() editable=1 ;;
    jinja2) sdist=(jinja2 3.1.6) needs=(markupsafe trio) code=src/jinja2 tests_dir=tests
      pytest_args=() editable=1 ;;
    *) echo "unknown project: $1 (known: ${all[*]})" >&2; exit 2 ;;
  esac
}

# From a git-chimp run's report and debug log: the costs #26 asks for.
costs() {  # report.json debug.log start-epoch wall
  python3 - "$@" <<'PY'
import datetime, json, re, sys
report, log, start, wall = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
with open(report) as f:
    mutants = [m for file in json.load(f)["files"].values() for m in file["mutants"]]
def reason(m):
    return m.get("statusReason") or ""
seconds = lambda ms: sum(m.get("duration", 0) for m in ms) / 1000
timeouts = [m for m in mutants if m["status"] == "Timeout"]
scratch = [m for m in mutants if reason(m).startswith("run from scratch")]
confirm = [m for m in scratch if "confirmed by a fresh run" in reason(m)]
first = None
with open(log) as f:
    for line in f:
        if re.search(r" mutant [0-9a-f]{12} .*: [a-z-]+ in \d+ ms$", line):
            stamp = datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00"))
            first = stamp.timestamp() - start
            break
n = len(mutants)
# A budgeted run leaves mutants Pending: the rate counts those tested.
tested = sum(1 for m in mutants if m["status"] != "Pending")
print(f"   mutants {n}, tested {tested}, wall {wall:.1f} s, {tested / wall:.2f} mutants/s, first "
      f"outcome after {first:.1f} s" if first is not None
      else f"   mutants {n}, wall {wall:.1f} s (no outcome)")
print(f"   timeouts {len(timeouts)} ({seconds(timeouts):.1f} s), from scratch {len(scratch)} "
      f"({100 * len(scratch) / max(n, 1):.1f}%, {seconds(scratch):.1f} s), of them fresh "
      f"confirmations {len(confirm)} ({seconds(confirm):.1f} s)")
killed = sorted(m.get("duration", 0) for m in mutants
                if m["status"] == "Killed" and not reason(m).startswith("run from scratch"))
survived = [m for m in mutants if m["status"] == "Survived" and not reason(m)]
if killed:
    print(f"   killed in the worker: median {killed[len(killed) // 2]} ms, 90th percentile "
          f"{killed[int(len(killed) * 0.9)]} ms; survivors in the worker {len(survived)} "
          f"({seconds(survived):.1f} s)")
with open(log) as f:
    text = f.read()
traced = re.search(r"traced baseline ([0-9.]+)s", text)
plain = re.search(r"baseline passed in ([0-9.]+)s untraced", text)
if traced and plain:
    print(f"   traced baseline {traced.group(1)} s, the whole command untraced {plain.group(1)} s "
          f"(ratio {float(traced.group(1)) / float(plain.group(1)):.1f})")
PY
}

for name in "${projects[@]}"; do
  project "$name"
  echo "=== $name ${sdist[1]}"
  rm -rf "$work/chimp" "$work/mutmut" "$work/irradiate" "$work/dl" "$work/venv"
  peers_setup "${needs[@]}"
  peers_sdist "${sdist[@]}"
  if [ "$editable" = 1 ]; then
    "${pip[@]}" install -e .
  fi
  commit_all "$name"
  tests="$tests ${pytest_args[*]}"
  peers_baseline "$name ${sdist[1]}"
  start=$(now)
  status=0
  # shellcheck disable=SC2086 # BENCH_CHIMP_ARGS is a list of words, e.g. "--budget 6m"
  "$chimp" --tests "$tests" --no-cache -j "$jobs" ${BENCH_CHIMP_ARGS:-} > "$work/$name.out" 2> "$work/$name.err" || status=$?
  end=$(now)
  [ "$status" -le 2 ] || { echo "git-chimp exited $status" >&2; tail -20 "$work/$name.err" >&2; exit 1; }
  grep -E 'baseline passed|pytest worker|timeout per mutant|from scratch' "$work/$name.err" || true
  peers_row "git-chimp" "$(elapsed "$start" "$end")" stryker .chimp/report.json
  costs .chimp/report.json .chimp/debug.log "$start" "$(elapsed "$start" "$end")"
  worker_costs .chimp/report.json
  cp .chimp/report.json "$work/$name.json"
  cp .chimp/debug.log "$work/$name.debug.log"
  "$chimp" clean > /dev/null
  if [ "${BENCH_PEERS:-1}" = 1 ]; then
    cat >> "$work/mutmut/pyproject.toml" <<TOML

[tool.mutmut]
source_paths = ["$code/"]
pytest_add_cli_args_test_selection = ["$tests_dir/"]
TOML
    git -C "$work/mutmut" -c user.name=bench -c user.email=bench@example.com commit -qam "mutmut config"
    mutmut_run || true
    irradiate_run "$code" "$tests_dir" "${pytest_args[@]}" || true
  fi
  peers_table "$name ${sdist[1]}, $jobs jobs, $("$venv/bin/python" --version); git-chimp with --no-cache"
done
