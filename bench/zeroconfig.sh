#!/usr/bin/env bash
# Zero-config on real projects (#27): each project from its source distribution on PyPI
# (nothing of it is committed here), in a fresh virtual environment whose bin/ is first
# on PATH (as an activated venv is), a fresh git repository with no git-chimp settings.
# For each: what `git chimp config` detects (the test command and why), what `git chimp
# doctor` says (its verdict and wall time), and a zero-config run with `--budget 60s
# --no-cache` (how many mutants it tested, in which runner).
#
#     bash bench/zeroconfig.sh [project ...]   # default: every project below
#
# Projects: the corpus of bench/corpus.sh (tomlkit, pyparsing, marshmallow, jinja2) as
# their sdists ship (no pytest arguments of the bench's), and two unittest projects:
# webcolors 1.13 (src layout, unittest TestCases under pytest's config) and jsonpatch
# 1.33 (flat, one `tests.py`, unittest only). About 10 minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
all=(tomlkit pyparsing marshmallow jinja2 webcolors jsonpatch)
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=("${all[@]}")
table="$work/table.tsv"
: > "$table"

project() {  # name -> sdist, needs, editable
  case $1 in
    tomlkit) sdist=(tomlkit 0.15.3) needs=(pytest) editable=0 ;;
    pyparsing) sdist=(pyparsing 3.3.3) needs=(pytest railroad-diagrams jinja2) editable=0 ;;
    marshmallow) sdist=(marshmallow 4.4.0) needs=(pytest simplejson) editable=1 ;;
    jinja2) sdist=(jinja2 3.1.6) needs=(pytest markupsafe trio) editable=1 ;;
    webcolors) sdist=(webcolors 1.13) needs=(pytest) editable=1 ;;
    jsonpatch) sdist=(jsonpatch 1.33) needs=(jsonpointer) editable=0 ;;
    *) echo "unknown project: $1 (known: ${all[*]})" >&2; exit 2 ;;
  esac
}

for name in "${projects[@]}"; do
  project "$name"
  echo "=== $name ${sdist[1]}"
  rm -rf "$work/chimp" "$work/dl" "$work/venv"
  venv="$work/venv"
  pip=("$venv/bin/pip" -q --disable-pip-version-check)
  "${BENCH_PYTHON:-python3}" -m venv "$venv"
  "${pip[@]}" install "${needs[@]}"
  peers_sdist "${sdist[@]}"
  [ "$editable" = 0 ] || "${pip[@]}" install -e .
  commit_all "$name"
  export PATH="$venv/bin:$PATH"
  detected=$("$chimp" config 2>&1 | grep -E '^tests ' | head -1 || true)
  echo "   config: $detected"
  start=$(now)
  status=0
  "$chimp" doctor > "$work/$name.doctor" 2>&1 || status=$?
  doctor_s=$(elapsed "$start" "$(now)")
  sed 's/^/   doctor: /' "$work/$name.doctor"
  start=$(now)
  run_status=0
  "$chimp" --budget 60s --no-cache > "$work/$name.out" 2> "$work/$name.err" || run_status=$?
  run_s=$(elapsed "$start" "$(now)")
  runner=$(grep -oE 'ran in the (pytest|unittest) worker|[0-9]+ mutants ran in the [a-z]+ worker[^,]*, [0-9]+ from scratch' "$work/$name.err" | tail -1 || true)
  tested=$(python3 - .chimp/report.json <<'PY' 2>/dev/null || echo "no report"
import json, sys
with open(sys.argv[1]) as f:
    mutants = [m for file in json.load(f)["files"].values() for m in file["mutants"]]
print(f"{sum(m['status'] != 'Pending' for m in mutants)} of {len(mutants)}")
PY
)
  echo "   run (--budget 60s): exit $run_status, $run_s s, tested $tested; ${runner:-no worker line}"
  grep -E 'baseline|cannot|from scratch:' "$work/$name.err" | head -5 | sed 's/^/      /' || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name ${sdist[1]}" "${detected#tests }" \
    "$(grep -E '^(ready|problem)' "$work/$name.doctor" | head -1 | cut -c1-60)" "$doctor_s" \
    "$run_status" "$tested" "${runner:-}" >> "$table"
  "$chimp" clean > /dev/null 2>&1 || true
  export PATH="${PATH#"$venv/bin:"}"
  cd "$work"
done
echo
echo "project | detected test command | doctor | doctor s | run exit | tested in 60 s | runner"
sed 's/\t/ | /g' "$table"
