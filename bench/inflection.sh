#!/usr/bin/env bash
# git-chimp against mutmut 3.8.1 and irradiate 0.4.3 on a library whose module does real
# work at import: inflection 0.5.1, from its source distribution on PyPI (nothing of it is
# committed here), flat layout (inflection/__init__.py beside test_inflection.py), with
# its own pytest suite (455 tests) in a fresh virtual environment. Its rule tables
# (PLURALS, SINGULARS, UNCOUNTABLES) are filled while the module is imported, by 12
# calls of the helper `_irregular`: a mutant of `_irregular` only shows when the module
# is imported again, which a tool that swaps functions into an already imported module
# never does (mutmut reports such mutants as survivors, irradiate as "no tests").
#
#     bash bench/inflection.sh [jobs]      # default jobs: 2
#
# Runs, each timed by wall clock, with `jobs` parallel workers:
#   - git-chimp full sweep, `--runner pytest` (the warm pytest worker), `--no-cache`;
#   - mutmut 3.8.1 full run (`mutmut run --max-children jobs`) on a separate copy,
#     configured in setup.cfg: source_paths = inflection/, test_inflection.py as test
#     selection (mutmut copies test*.py of the top directory into mutants/ itself);
#   - irradiate 0.4.3 full run (`irradiate run inflection --tests-dir . --workers jobs`)
#     on another copy.
# Then prints one table (about 2 minutes in all). Needs PyPI (pip).
set -euo pipefail
jobs=${1:-2}
source "$(dirname "$0")/lib.sh"
bench_setup
# inflection's tests need nothing beyond pytest; the package is not installed: pytest's
# rootdir on sys.path imports it from the checkout (or sandbox, or mutants/) under test.
peers_setup

peers_sdist inflection 0.5.1
commit_all inflection
peers_baseline "inflection 0.5.1"

chimp_run pytest --runner pytest --tests "$tests" --no-cache -j "$jobs"

cat >> "$work/mutmut/setup.cfg" <<'INI'

[mutmut]
source_paths = inflection/
pytest_add_cli_args_test_selection = test_inflection.py
INI
git -C "$work/mutmut" -c user.name=bench -c user.email=bench@example.com commit -qam "mutmut config"
mutmut_run

irradiate_run inflection .

peers_table "inflection 0.5.1, $jobs jobs; git-chimp with --no-cache"
