#!/usr/bin/env bash
# Sharding and reports on a real library: isodate 0.7.2 (from its sdist on PyPI, nothing
# committed here) with its own pytest suite, in the warm pytest worker.
#
#     bash bench/shard.sh
#
# 1. An unsharded sweep with 2 workers (`-j 2`).
# 2. `--shard 1/2` and `--shard 2/2`, one after the other, each with 1 worker: each
#    stands for one single-core CI machine of a 2-job matrix, so their wall times show
#    how balanced the shares are.
# 3. `git chimp merge` of the two shard reports, and a check that the merged report has
#    every mutant of the unsharded run with the same outcome.
# 4. `git chimp merge` of the unsharded report alone with `--report html,sarif,junit`:
#    the cost and size of the reports for a 1,400-mutant run.
# Every run is `--no-cache`. Needs PyPI (pip); the temporary directory holds ~100 MB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
venv="$work/venv"
pip=("$venv/bin/pip" -q --disable-pip-version-check)
tests="$venv/bin/python -m pytest -x -q -p no:cacheprovider"

now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.1f}")' "$1" "$2"; }

python3 -m venv "$venv"
"${pip[@]}" install pytest
"${pip[@]}" download --no-deps --no-binary :all: isodate==0.7.2 -d "$work/dl"
tar --no-same-owner -xzf "$work"/dl/isodate-0.7.2.tar.gz -C "$work"
cd "$work/isodate-0.7.2"
rm -rf src/isodate.egg-info
"${pip[@]}" install -e .
sed -i '\|^src/isodate/version.py$|d' .gitignore
commit_all isodate
args=(--exclude src/isodate/version.py --tests "$tests" --no-cache --runner pytest)

run() { # name, extra args...: time one run, keep its report as $work/<name>.json
  local name=$1; shift
  local start; start=$(now)
  "$chimp" "${args[@]}" "$@" > "$work/$name.out" 2> "$work/$name.err" || [ $? -eq 2 ]
  local end; end=$(now)
  cp .chimp/report.json "$work/$name.json"
  printf '%s\t%s\t%s\n' "$name" \
    "$(python3 -c 'import json,sys; print(sum(len(f["mutants"]) for f in json.load(open(sys.argv[1]))["files"].values()))' "$work/$name.json")" \
    "$(elapsed "$start" "$end")"
}

echo -e "run\tmutants\twall s"
run unsharded -j 2
run shard-1-of-2 -j 1 --shard 1/2
run shard-2-of-2 -j 1 --shard 2/2

start=$(now)
"$chimp" merge "$work/shard-1-of-2.json" "$work/shard-2-of-2.json" > "$work/merge.out" || [ $? -eq 2 ]
end=$(now)
echo -e "merge of 2 shards\t-\t$(elapsed "$start" "$end")"
python3 - "$work/unsharded.json" .chimp/report.json <<'PY'
import json, sys
def statuses(path):
    return {m["id"]: m["status"] for f in json.load(open(path))["files"].values() for m in f["mutants"]}
whole, merged = statuses(sys.argv[1]), statuses(sys.argv[2])
same = sum(whole[i] == merged.get(i) for i in whole)
print(f"merged vs unsharded: {len(merged)} vs {len(whole)} mutants, {same} with the same outcome")
PY
grep -E '^[0-9]+ mutants:|^mutation score' "$work/unsharded.out" "$work/merge.out" | sed "s|$work/||"

start=$(now)
"$chimp" merge "$work/unsharded.json" --report html,sarif,junit > /dev/null || [ $? -eq 2 ]
end=$(now)
echo "reports (json, patches, html, sarif, junit) of the unsharded run: $(elapsed "$start" "$end") s"
ls -l .chimp/report.json .chimp/report.html .chimp/report.sarif .chimp/junit.xml | awk '{printf "  %s %d KiB\n", $9, $5/1024}'
