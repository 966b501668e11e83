#!/usr/bin/env bash
# A full sweep of the bundled example (examples/shop) with its real unittest tests,
# from a copy in a fresh git repository. Reports outcomes, wall time and mutants/s.
#
#     bash bench/sweep-examples.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
cp -r "$root/examples/shop" "$work/shop"
cd "$work/shop"
commit_all shop
for jobs in 1 2; do
  start=$(date +%s.%N)
  "$chimp" --tests "python3 -m unittest -q" --no-cache -j "$jobs" > "$work/out" 2>/dev/null || true
  end=$(date +%s.%N)
  total=$(grep -oE '^[0-9]+ mutants' "$work/out" | grep -oE '[0-9]+')
  echo "-j $jobs: $(head -1 "$work/out" | sed 's/^[0-9]* mutants: //'); $(grep 'mutation score' "$work/out")"
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'       {s:.2f} s wall, {n/s:.1f} mutants/s')" "$start" "$end" "$total"
done
"$chimp" clean >/dev/null
