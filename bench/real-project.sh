#!/usr/bin/env bash
# A full sweep of a real library with its own pytest suite: inflection 0.5.1, from its
# source distribution on PyPI (nothing of it is committed here). Runs in a fresh git
# repository and a fresh virtual environment with pytest.
#
#     bash bench/real-project.sh [jobs]      # default jobs: 2
set -euo pipefail
jobs=${1:-2}
source "$(dirname "$0")/lib.sh"
bench_setup
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check pytest
"$work/venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
  inflection==0.5.1 -d "$work/dl"
tar --no-same-owner -xzf "$work"/dl/inflection-0.5.1.tar.gz -C "$work"
cd "$work/inflection-0.5.1"
rm -rf inflection.egg-info
commit_all inflection
echo "inflection 0.5.1: $("$chimp" list 2>/dev/null | wc -l) mutants"
start=$(date +%s.%N)
"$chimp" --tests "$work/venv/bin/python -m pytest -x -q -p no:cacheprovider" --no-cache -j "$jobs" \
  > "$work/out" 2> "$work/err" || true
end=$(date +%s.%N)
grep -E '^[0-9]+ mutants|mutation score' "$work/out"
grep -E 'baseline passed|pytest worker' "$work/err" || cat "$work/err"
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'-j $jobs: {s:.1f} s wall')" "$start" "$end"
"$chimp" clean >/dev/null
