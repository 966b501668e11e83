#!/usr/bin/env bash
# git-chimp's own overhead per mutant: a full sweep with `--tests true` (so the tests
# cost ~nothing) over a project of real Python code with well over 1,000 mutants: a few
# standard-library modules of the machine's python3, committed to a fresh git repository.
# Reports wall time, ms per mutant and peak memory (RSS of git-chimp and its children).
#
#     bash bench/overhead.sh            # builds the release binary first
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
mutants=$("$chimp" list 2>/dev/null | wc -l)
echo "project: $(ls lib | wc -l) stdlib modules, $(cat lib/*.py | wc -l) lines, $mutants mutants"
for jobs in 1 2; do
  "$chimp" clean >/dev/null
  # First run creates the sandboxes; the second (measured) reuses them, as runs do.
  "$chimp" --tests true --no-canary -j "$jobs" >/dev/null 2>&1 || true
  /usr/bin/time -f "%e %M" -o "$work/time" "$chimp" --tests true --no-canary -j "$jobs" >/dev/null 2>&1 || true
  read -r seconds kb < <(tail -n 1 "$work/time")
  python3 - "$seconds" "$kb" "$mutants" "$jobs" <<'PY'
import sys
seconds, kb, mutants, jobs = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print(f"-j {jobs}: {seconds:.2f} s wall, {1000 * seconds / mutants:.2f} ms per mutant "
      f"(wall / mutants, including sh -c true), peak RSS {kb / 1024:.1f} MiB")
PY
done
"$chimp" clean >/dev/null
