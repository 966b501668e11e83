#!/usr/bin/env bash
# Survivors worth reading (#16, #29): git-chimp's full sweep of some Python libraries
# (from their PyPI source distributions, with their own pytest suites), then a seeded
# random sample of the survivors for classification by hand (bench/survivor-sample.py).
#
#     bash bench/signal.sh OUT [sample size] [seed] [LIBRARY...]    # defaults: 40, 16
#     BENCH_CHIMP=path/to/git-chimp bash bench/signal.sh ...         # that binary, none built
#
# A LIBRARY is NAME==VERSION, optionally followed by `:` and more git-chimp arguments
# (split on spaces), e.g. `semver==3.1.2:--code src/semver`. Without any, the libraries
# of the speed benchmarks (#16):
#
#     isodate==0.7.2:--exclude src/isodate/version.py inflection==0.5.1
#     semver==3.1.2:--code src/semver
#
# and the three nobody tuned rules for (#29):
#
#     bash bench/signal.sh OUT 40 29 itsdangerous==2.2.0 \
#         rfc3986==2.0.0:--code src/rfc3986 parse==1.22.4
#
# Each library is swept alone, with the pytest worker, 2 jobs and `--no-cache`. What a
# library needs besides git-chimp's arguments (an install, test dependencies, pytest
# options) is in `prepare` below, by name; a library not named there is swept as its
# source distribution unpacks.
#
# OUT keeps each library's checkout (for reading the code and tests) and its
# report.json as OUT/<library>/ and OUT/<library>.json, each sweep's counts and time as
# OUT/sweeps.md, the libraries as OUT/libraries (bench/survivor-diff.py reads it), the
# survivor sample as OUT/sample.md and the finding sample (one per line with survivors)
# as OUT/sample-lines.md. About 6 minutes for the default three; needs PyPI.
set -euo pipefail
default=(isodate==0.7.2:"--exclude src/isodate/version.py" inflection==0.5.1
  semver==3.1.2:"--code src/semver")
[ $# -ge 1 ] || { sed -n '2,30s/^# \{0,1\}//p' "$0" >&2; exit 2; }
out=$(realpath -m "$1")
shift
size=40 seed=16
if [[ ${1:-} =~ ^[0-9]+$ ]]; then size=$1; shift; fi
if [[ ${1:-} =~ ^[0-9]+$ ]]; then seed=$1; shift; fi
libraries=("$@")
[ ${#libraries[@]} -gt 0 ] || libraries=("${default[@]}")
for spec in "${libraries[@]}"; do
  [[ ${spec%%:*} =~ ^[A-Za-z0-9._-]+==[A-Za-z0-9.+!_-]+$ ]] \
    || { echo "signal.sh: not NAME==VERSION[:git-chimp arguments]: $spec" >&2; exit 2; }
done
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bench_setup
peers_setup packaging
echo "git-chimp: $chimp ($("$chimp" --version 2>/dev/null || echo unknown version))"
base_tests=$tests

# What a library needs before it is committed and swept, besides git-chimp's arguments:
# installs into the venv, pytest options in $tests. Runs in the unpacked checkout.
prepare() {  # name
  case $1 in
    isodate)
      # setuptools-scm writes src/isodate/version.py on install; the checkout keeps it.
      "${pip[@]}" install -e .
      sed -i '\|^src/isodate/version.py$|d' .gitignore ;;
    semver)
      tests+=" -o addopts=" ;;
    rfc3986)
      # A src layout; idna for the IRI tests (skipped without it).
      "${pip[@]}" install -e . idna ;;
    itsdangerous)
      # A src layout; freezegun for the tests of timed signatures.
      "${pip[@]}" install -e . freezegun ;;
    parse)
      # Its addopts ask for pytest-cov; its doctests (module and README) stay in.
      tests+=" -o addopts= --doctest-modules --doctest-glob=README.rst" ;;
  esac
}

printf '| library | mutants | killed | survived | uncovered | timeout | other | sweep s |\n' \
  > "$out/sweeps.md"
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n' >> "$out/sweeps.md"

sweep() {  # library, version, then git-chimp's arguments
  local name=$1 version=$2 start end status=0
  shift 2
  start=$(now)
  "$chimp" --runner pytest --tests "$tests" --no-cache -j 2 "$@" > "$work/$name.out" \
    2> "$work/$name.err" || status=$?
  end=$(now)
  [ "$status" -le 2 ] || { cat "$work/$name.err" >&2; exit 1; }
  grep -E '^[0-9]+ mutants|mutation score' "$work/$name.out"
  echo "$name: $(elapsed "$start" "$end") s"
  cp .chimp/report.json "$out/$name.json"
  python3 - "$out/$name.json" "$name $version" "$(elapsed "$start" "$end")" \
    >> "$out/sweeps.md" <<'PY'
import collections, json, sys
with open(sys.argv[1]) as f:
    report = json.load(f)
counts = collections.Counter(m["status"] for file in report["files"].values()
                             for m in file["mutants"])
known = ("Killed", "Survived", "NoCoverage", "Timeout")
print("| " + " | ".join(map(str, [sys.argv[2], sum(counts.values()), *(counts[s] for s in known),
                                  sum(counts.values()) - sum(counts[s] for s in known),
                                  sys.argv[3]])) + " |")
PY
  "$chimp" clean > /dev/null
  rm -rf "${out:?}/$name"
  cp -a . "$out/$name"
}

reports=()
: > "$out/libraries"
for spec in "${libraries[@]}"; do
  pinned=${spec%%:*}
  name=${pinned%%==*} version=${pinned#*==}
  args=()
  # shellcheck disable=SC2206 # the arguments after `:` are a list of words
  [ "$pinned" = "$spec" ] || args=(${spec#*:})
  tests=$base_tests
  peers_sdist "$name" "$version"
  prepare "$name"
  commit_all "$name"
  echo "== $name $version: git-chimp ${args[*]:-} (tests: $tests)"
  sweep "$name" "$version" "${args[@]}"
  cd "$work" && rm -rf "$work/chimp"
  reports+=("$name=$out/$name.json")
  echo "$name" >> "$out/libraries"
done

python3 "$here/survivor-sample.py" --size "$size" --seed "$seed" "${reports[@]}" > "$out/sample.md"
# The findings as the reports show them since #16: one per line with survivors.
python3 "$here/survivor-sample.py" --by-line --size "$size" --seed "$seed" "${reports[@]}" \
  > "$out/sample-lines.md"
cat "$out/sweeps.md"
echo "samples: $out/sample.md (survivors), $out/sample-lines.md (findings)"
