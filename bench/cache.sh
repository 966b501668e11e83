#!/usr/bin/env bash
# Cold against warm runs with the outcome cache, on real code with well over 1,000
# mutants: seven standard-library modules of the machine's python3 in a fresh git
# repository, test command `true` (what is measured is git-chimp, not the tests).
# The warm run must answer every mutant from the cache without a sandbox or baseline;
# target under 1 s. git-chimp prints its own hashing and lookup times.
#
#     bash bench/cache.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
stdlib_project
for run in cold warm warm; do
  start=$(date +%s.%N)
  "$chimp" --tests true --no-canary > "$work/out" 2> "$work/err" || true
  end=$(date +%s.%N)
  python3 -c "import sys; print(f'{sys.argv[3]}: {float(sys.argv[2]) - float(sys.argv[1]):.2f} s wall')" "$start" "$end" "$run"
  grep -E 'from cache' "$work/out" | sed 's/^/    /'
  grep -E 'cache:' "$work/err" | sed 's/^/    /'
done
"$chimp" clean >/dev/null
