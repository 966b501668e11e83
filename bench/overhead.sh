#!/usr/bin/env bash
# git-chimp's own overhead per mutant: a full sweep with `--tests true` (so the tests
# cost ~nothing) over a project of real Python code with well over 1,000 mutants: a few
# standard-library modules of the machine's python3, committed to a fresh git repository.
# Reports wall time, ms per mutant and peak memory (RSS of git-chimp and its children).
#
#     bash bench/overhead.sh            # builds the release binary first
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
stdlib_project
mutants=$("$chimp" list 2>/dev/null | wc -l)
echo "project: $(ls lib | wc -l) stdlib modules, $(cat lib/*.py | wc -l) lines, $mutants mutants"
for jobs in 1 2; do
  "$chimp" clean >/dev/null
  # First run creates the sandboxes; the second (measured) reuses them, as runs do.
  "$chimp" --tests true --no-canary --no-cache -j "$jobs" >/dev/null 2>&1 || true
  /usr/bin/time -f "%e %M" -o "$work/time" "$chimp" --tests true --no-canary --no-cache -j "$jobs" >/dev/null 2>&1 || true
  read -r seconds kb < <(tail -n 1 "$work/time")
  python3 - "$seconds" "$kb" "$mutants" "$jobs" <<'PY'
import sys
seconds, kb, mutants, jobs = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print(f"-j {jobs}: {seconds:.2f} s wall, {1000 * seconds / mutants:.2f} ms per mutant "
      f"(wall / mutants, including sh -c true), peak RSS {kb / 1024:.1f} MiB")
PY
done
"$chimp" clean >/dev/null
