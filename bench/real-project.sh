#!/usr/bin/env bash
# A full sweep of a real library with its own pytest suite: inflection 0.5.1, from its
# source distribution on PyPI (nothing of it is committed here). Runs in a fresh git
# repository and a fresh virtual environment with pytest.
#
#     bash bench/real-project.sh [jobs]      # default jobs: 2
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${1:-2}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
chimp="$root/target/release/git-chimp"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check pytest
"$work/venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
  inflection==0.5.1 -d "$work/dl"
tar --no-same-owner -xzf "$work"/dl/inflection-0.5.1.tar.gz -C "$work"
cd "$work/inflection-0.5.1"
rm -rf inflection.egg-info
git init -q -b main && git add -A
git -c user.name=bench -c user.email=bench@example.com commit -qm inflection
echo "inflection 0.5.1: $("$chimp" list 2>/dev/null | wc -l) mutants"
start=$(date +%s.%N)
"$chimp" --tests "$work/venv/bin/python -m pytest -x -q -p no:cacheprovider" -j "$jobs" \
  > "$work/out" 2> "$work/err" || true
end=$(date +%s.%N)
grep -E '^[0-9]+ mutants|mutation score' "$work/out"
grep -E 'baseline passed' "$work/err" || cat "$work/err"
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'-j $jobs: {s:.1f} s wall')" "$start" "$end"
"$chimp" clean >/dev/null
