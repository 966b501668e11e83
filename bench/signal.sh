#!/usr/bin/env bash
# Survivors worth reading (#16): git-chimp's full sweep of isodate 0.7.2, inflection 0.5.1
# and semver 3.1.2 (the libraries of the speed benchmarks, from their PyPI source
# distributions, with their own pytest suites), then a seeded random sample of the
# survivors for classification by hand (bench/survivor-sample.py).
#
#     bash bench/signal.sh OUT [sample size] [seed]     # defaults: 40, 16
#
# OUT keeps each library's checkout (for reading the code and tests) and its
# report.json as OUT/<library>/ and OUT/<library>.json, the survivor sample as
# OUT/sample.md and the finding sample (one per line with survivors) as
# OUT/sample-lines.md. About 3 minutes with 2 jobs; needs PyPI.
set -euo pipefail
out=$(realpath -m "$1")
size=${2:-40}
seed=${3:-16}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bench_setup
peers_setup packaging

sweep() {  # library, then git-chimp's arguments
  local name=$1
  shift
  "$chimp" --runner pytest --tests "$tests" --no-cache -j 2 "$@" > "$work/$name.out" 2> "$work/$name.err" \
    || [ $? -le 2 ] || { cat "$work/$name.err" >&2; exit 1; }
  grep -E '^[0-9]+ mutants|mutation score' "$work/$name.out"
  cp .chimp/report.json "$out/$name.json"
  "$chimp" clean > /dev/null
  rm -rf "$out/$name"
  cp -a . "$out/$name"
}

peers_sdist isodate 0.7.2
"${pip[@]}" install -e .
sed -i '\|^src/isodate/version.py$|d' .gitignore
commit_all isodate
sweep isodate --exclude src/isodate/version.py
cd "$work" && rm -rf "$work/chimp"

peers_sdist inflection 0.5.1
commit_all inflection
sweep inflection
cd "$work" && rm -rf "$work/chimp"

peers_sdist semver 3.1.2
commit_all semver
tests+=" -o addopts="
sweep semver --code src/semver

reports=("isodate=$out/isodate.json" "inflection=$out/inflection.json" "semver=$out/semver.json")
python3 "$here/survivor-sample.py" --size "$size" --seed "$seed" "${reports[@]}" > "$out/sample.md"
# The findings as the reports show them since #16: one per line with survivors.
python3 "$here/survivor-sample.py" --by-line --size "$size" --seed "$seed" "${reports[@]}" \
  > "$out/sample-lines.md"
echo "samples: $out/sample.md (survivors), $out/sample-lines.md (findings)"
