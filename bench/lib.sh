# Shared by the bench scripts (sourced, not run).

# Build the release binary and set $chimp to it (BENCH_CHIMP=path: that binary instead,
# nothing built); set $work to a temporary directory that is removed on exit
# (BENCH_KEEP=DIR: that directory instead, kept).
bench_setup() {
  root=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
  if [ -n "${BENCH_CHIMP:-}" ]; then
    chimp=$BENCH_CHIMP
  else
    cargo build --release --quiet --manifest-path "$root/Cargo.toml"
    chimp="$root/target/release/git-chimp"
  fi
  if [ -n "${BENCH_KEEP:-}" ]; then
    # Kept for a look afterwards: reports, debug logs and checkouts.
    mkdir -p "$BENCH_KEEP"
    work=$(cd "$BENCH_KEEP" && pwd)
  else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
  fi
}

# Commit everything in the current directory to a new git repository.
commit_all() {
  git init -q -b main && git add -A
  git -c user.name=bench -c user.email=bench@example.com commit -qm "${1:-bench}"
}

# A project of seven standard-library modules of the machine's python3 (real code,
# 3,128 mutants with Python 3.11) in $work/project, committed; cd into it.
stdlib_project() {
  local stdlib
  stdlib=$(python3 -c "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
  mkdir -p "$work/project/lib"
  for module in textwrap fractions statistics heapq bisect shlex colorsys; do
    cp "$stdlib/$module.py" "$work/project/lib/"
  done
  cd "$work/project"
  commit_all code
}

now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.1f}")' "$1" "$2"; }

# Side by side with mutmut 3.8.1 and irradiate 0.4.3 (bench/isodate.sh,
# inflection.sh, semver.sh): every tool adds one row to $rows, and peers_table prints them.

# A fresh virtual environment $venv (made by $BENCH_PYTHON, default python3) with pytest,
# mutmut 3.8.1, irradiate 0.4.3 and the given packages (what the library's tests need);
# $pip installs into it; $tests is the pytest command git-chimp runs (a script may add
# pytest options); $rows is empty.
peers_setup() {  # packages
  venv="$work/venv"
  pip=("$venv/bin/pip" -q --disable-pip-version-check)
  "${BENCH_PYTHON:-python3}" -m venv "$venv"
  echo "Python: $("$venv/bin/python" --version)"
  "${pip[@]}" install pytest mutmut==3.8.1 irradiate==0.4.3 "$@"
  tests="$venv/bin/python -m pytest -x -q -p no:cacheprovider"
  rows="$work/rows.tsv"
  : > "$rows"
}

# The source distribution of name==version from PyPI, unpacked as $work/chimp without
# the egg-info it ships; cd into it. The archive's name may spell the project's name
# otherwise (python_slugify-8.0.4.tar.gz); its one top directory becomes $work/chimp.
peers_sdist() {  # name version
  local dl="$work/dl/$1-$2" archive top
  rm -rf "$dl" "$work/unpack"
  "${pip[@]}" download --no-deps --no-binary :all: "$1==$2" -d "$dl"
  archive=$(find "$dl" -maxdepth 1 -type f -name '*.tar.gz')
  [ "$(echo "$archive" | wc -w)" = 1 ] || { echo "no single .tar.gz sdist of $1==$2 in $dl" >&2; exit 1; }
  mkdir "$work/unpack"
  tar --no-same-owner -xzf "$archive" -C "$work/unpack"
  top=$(find "$work/unpack" -mindepth 1 -maxdepth 1)
  [ "$(echo "$top" | wc -l)" = 1 ] || { echo "$archive: not one top directory" >&2; exit 1; }
  mv "$top" "$work/chimp"
  rmdir "$work/unpack"
  find "$work/chimp" -name '*.egg-info' -prune -exec rm -rf {} +
  cd "$work/chimp"
}

# A row of the table from a tool's results: a report in Stryker's JSON schema (git-chimp's
# .chimp/report.json, irradiate's --report json), or `mutmut results --all true` ("name:
# status" lines). A tool that tested no mutant (mutmut can exit 0 with every mutant "not
# checked" when it failed to collect its stats) is an error.
peers_row() {  # name seconds stryker|mutmut results
  python3 - "$@" >> "$rows" <<'PY'
import collections, json, sys
name, seconds, kind, path = sys.argv[1:5]
if kind == "stryker":
    with open(path) as f:
        report = json.load(f)
    statuses = [m["status"] for file in report["files"].values() for m in file["mutants"]]
    columns = ("Killed", "Survived", "Timeout", "NoCoverage")
else:
    with open(path) as f:
        statuses = [line.strip().rpartition(": ")[2] for line in f if ": " in line]
    columns = ("killed", "survived", "timeout", "no tests")
counts = collections.Counter(statuses)
if set(counts) <= {"not checked"}:
    sys.exit(f"{name} tested no mutant: {dict(counts)} in {path}")
other = sum(n for status, n in counts.items() if status not in columns)
if other:
    print(f"{name} statuses: {dict(counts)}", file=sys.stderr)
print("\t".join(map(str, [name, sum(counts.values()), *(counts[c] for c in columns), other,
                          seconds])))
PY
}

# The library's own suite once with $tests (it must pass), how many mutants git-chimp
# finds (with the given `git chimp list` arguments), and the copies mutmut and irradiate
# run on ($work/mutmut, $work/irradiate), made before git-chimp has touched anything:
# each tool starts with no state of its own.
peers_baseline() {  # label, then git chimp list's arguments
  local label=$1
  shift
  $tests > "$work/baseline.out" || { cat "$work/baseline.out" >&2; exit 1; }
  echo "$label test suite: $(tail -n 1 "$work/baseline.out")"
  echo "$label: $("$chimp" list "$@" 2>/dev/null | wc -l) git-chimp mutants"
  cp -a "$work/chimp" "$work/mutmut"
  cp -a "$work/chimp" "$work/irradiate"
}

# One git-chimp run in the current directory, timed; exit status 2 (survivors) is not an
# error. Prints its summary and the pytest worker's lines (how many mutants it ran, how
# many from scratch), adds its row and removes its sandboxes.
chimp_run() {  # name, then git-chimp's arguments
  local name=$1 start end status=0
  shift
  start=$(now)
  "$chimp" "$@" > "$work/$name.out" 2> "$work/$name.err" || status=$?
  end=$(now)
  if [ "$status" -gt 2 ]; then
    echo "git-chimp ($name) exited with status $status:" >&2
    cat "$work/$name.out" "$work/$name.err" >&2
    exit 1
  fi
  echo "== git-chimp $name: $(elapsed "$start" "$end") s wall"
  grep -E '^[0-9]+ mutants|mutation score' "$work/$name.out" || true
  grep -E 'baseline passed|pytest worker|fresh|from scratch' "$work/$name.err" || true
  peers_row "git-chimp $name" "$(elapsed "$start" "$end")" stryker .chimp/report.json
  worker_costs .chimp/report.json
  cp .chimp/report.json "$work/$name.json"
  "$chimp" clean > /dev/null
}

# From a git-chimp report: how many mutants ran from scratch, and the median time of a
# mutant the pytest worker killed with the first test it ran (fork, putting the mutant
# in, that test, the answer; as git-chimp timed it).
worker_costs() {  # report.json
  python3 - "$1" <<'PY'
import json, statistics, sys
with open(sys.argv[1]) as f:
    mutants = [m for file in json.load(f)["files"].values() for m in file["mutants"]]
fresh = [m for m in mutants if (m.get("statusReason") or "").startswith("run from scratch")]
first = [m["duration"] for m in mutants
         if m["status"] == "Killed" and not m.get("statusReason") and m.get("killedBy")
         and m.get("coveredBy") and m["killedBy"][0] == m["coveredBy"][0]]
print(f"   from scratch: {len(fresh)} of {len(mutants)} ({100 * len(fresh) / len(mutants):.1f}%)")
if first:
    print(f"   killed by the first test in the worker: {len(first)}, "
          f"median {statistics.median(first):.0f} ms")
PY
}

# Two git-chimp reports compared mutant by mutant (by id): the first (the plain runner)
# is the truth; the second may only differ by `NoCoverage` where the first says
# `Survived`, or by `Killed` against `Timeout` (both detections, printed). Prints the
# count of agreements and every disagreement; fails on one.
agreement() {  # truth.json other.json
  python3 - "$1" "$2" <<'PY'
import json, sys
def statuses(path):
    with open(path) as f:
        return {m["id"]: (file, m["location"]["start"]["line"], m["mutatorName"], m["status"])
                for file, d in json.load(f)["files"].items() for m in d["mutants"]}
truth, other = statuses(sys.argv[1]), statuses(sys.argv[2])
# Killed and Timeout are the same detection (the worker runs the failing test first).
detected = {"Killed", "Timeout"}
both = [i for i in truth if i in other and other[i][3] != truth[i][3]
        and {other[i][3], truth[i][3]} <= detected]
for i in both:
    print("   both detections:", truth[i], "->", other[i][3])
bad = [(i, truth[i], other.get(i)) for i in truth
       if i not in both and (other.get(i) is None or not (
           other[i][3] == truth[i][3]
           or (truth[i][3] == "Survived" and other[i][3] == "NoCoverage")))]
print(f"agreement with the plain runner: {len(truth) - len(bad)} of {len(truth)} mutants")
for entry in bad:
    print("   disagreement:", entry)
sys.exit(1 if bad or len(truth) != len(other) else 0)
PY
}

# mutmut 3.8.1 in $work/mutmut, configured (pyproject.toml [tool.mutmut] or setup.cfg
# [mutmut]) and committed by the caller: `mutmut run --max-children $jobs`, timed, and its
# row from `mutmut results --all true`.
mutmut_run() {
  local start end
  cd "$work/mutmut"
  start=$(now)
  "$venv/bin/mutmut" run --max-children "$jobs" > "$work/mutmut.out" 2>&1 \
    || peer_failed "$work/mutmut.out"
  end=$(now)
  echo "== mutmut 3.8.1: $(elapsed "$start" "$end") s wall"
  "$venv/bin/mutmut" results --all true > "$work/mutmut-results.out"
  peers_row "mutmut 3.8.1" "$(elapsed "$start" "$end")" mutmut "$work/mutmut-results.out" \
    || peer_failed "$work/mutmut.out"
}

# irradiate 0.4.3 in $work/irradiate: `irradiate run` of the package with $jobs workers
# and the venv's python, timed, and its row from its Stryker JSON report ("no tests" is
# NoCoverage there). pytest's `-o addopts=` and the given pytest arguments reach every
# pytest run through --pytest-args.
irradiate_run() {  # package directory, tests directory, then pytest arguments
  local code=$1 tests_dir=$2 args=(--pytest-args=-o --pytest-args=addopts=) arg start end
  shift 2
  for arg in "$@"; do
    args+=("--pytest-args=$arg")
  done
  cd "$work/irradiate"
  start=$(now)
  "$venv/bin/irradiate" run "$code" --tests-dir "$tests_dir" --workers "$jobs" \
    --python "$venv/bin/python" "${args[@]}" --report json -o irr.json \
    > "$work/irradiate.out" 2>&1 || peer_failed "$work/irradiate.out"
  end=$(now)
  echo "== irradiate 0.4.3: $(elapsed "$start" "$end") s wall"
  grep -E '^Mutation testing complete|^  (Killed|Survived|No tests|Timeout|Errors|Score):' \
    "$work/irradiate.out" || true
  peers_row "irradiate 0.4.3" "$(elapsed "$start" "$end")" stryker irr.json \
    || peer_failed "$work/irradiate.out"
}

# A peer's run went wrong: the end of its output, and stop.
peer_failed() {  # output file
  tail -c 3000 "$1" >&2
  exit 1
}

# The table of $rows, under a title line.
peers_table() {  # title
  echo
  python3 - "$rows" "$1" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print(sys.argv[2])
head = ["tool / mode", "mutants", "killed", "survived", "timeout", "uncovered", "other",
        "wall s", "mutants/s"]
table = [head]
for name, mutants, killed, survived, timeout, uncovered, other, seconds in rows:
    rate = int(mutants) / float(seconds) if float(seconds) > 0 else 0.0
    table.append([name, mutants, killed, survived, timeout, uncovered, other, seconds,
                  f"{rate:.1f}"])
widths = [max(len(row[i]) for row in table) for i in range(len(head))]
for row in table:
    print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                    for i, (cell, w) in enumerate(zip(row, widths))))
print("uncovered: git-chimp's NoCoverage, mutmut's and irradiate's 'no tests'")
PY
}
