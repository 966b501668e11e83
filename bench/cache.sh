#!/usr/bin/env bash
# Cold against warm runs with the outcome cache, on real code with well over 1,000
# mutants: seven standard-library modules of the machine's python3 in a fresh git
# repository, test command `true` (what is measured is git-chimp, not the tests).
# The warm run must answer every mutant from the cache without a sandbox or baseline;
# target under 1 s. git-chimp prints its own hashing and lookup times.
#
#     bash bench/cache.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
chimp="$root/target/release/git-chimp"
stdlib=$(python3 -c "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project/lib"
for module in textwrap fractions statistics heapq bisect shlex colorsys; do
  cp "$stdlib/$module.py" "$work/project/lib/"
done
cd "$work/project"
git init -q -b main && git add -A
git -c user.name=bench -c user.email=bench@example.com commit -qm code
for run in cold warm warm; do
  start=$(date +%s.%N)
  "$chimp" --tests true --no-canary > "$work/out" 2> "$work/err" || true
  end=$(date +%s.%N)
  python3 -c "import sys; print(f'{sys.argv[3]}: {float(sys.argv[2]) - float(sys.argv[1]):.2f} s wall')" "$start" "$end" "$run"
  grep -E 'from cache' "$work/out" | sed 's/^/    /'
  grep -E 'cache:' "$work/err" | sed 's/^/    /'
done
"$chimp" clean >/dev/null
