#!/usr/bin/env bash
# git-chimp against mutmut 3.8.1 and irradiate 0.4.3 on a src-layout library whose
# functions are wrapped by decorators at import: semver 3.1.2, from its source
# distribution on PyPI (nothing of it is committed here), with its own pytest suite (515
# tests) in a fresh virtual environment. `@deprecated(...)` wraps every function of
# src/semver/_deprecated.py and `@_comparator` the six comparison methods of Version
# while the modules are imported, and Version's regular expressions are compiled in its
# class body; mutmut makes no mutants of decorated functions, irradiate tests those in a
# separate, isolated phase.
#
#     bash bench/semver.sh [jobs]      # default jobs: 2
#
# Runs, each timed by wall clock, with `jobs` parallel workers:
#   - git-chimp full sweep of src/semver, `--runner pytest` (the warm pytest worker),
#     `--no-cache`;
#   - mutmut 3.8.1 full run (`mutmut run --max-children jobs`) on a separate copy,
#     configured in pyproject.toml;
#   - irradiate 0.4.3 full run (`irradiate run src/semver --tests-dir tests --workers
#     jobs`) on another copy.
# Every tool runs pytest with `-o addopts=`: semver's .pytest.ini adds coverage options
# (pytest-cov, not installed) and doctests of docs/; its `pythonpath = src tests` makes
# the package importable without installing it. Then prints one table (about 8 minutes
# in all, most of it irradiate). Needs PyPI (pip).
set -euo pipefail
jobs=${1:-2}
source "$(dirname "$0")/lib.sh"
bench_setup
# semver's tests also compare with packaging's Version.
peers_setup packaging
tests+=" -o addopts="

peers_sdist semver 3.1.2
commit_all semver
peers_baseline "semver 3.1.2" --code src/semver

chimp_run pytest --runner pytest --code src/semver --tests "$tests" --no-cache -j "$jobs"

# mutmut: .pytest.ini is not among the files it copies into mutants/ by default. With its
# default process_isolation ("fork": the mutants' workers fork from the process that ran
# the whole suite for its stats) the clean run before the mutants fails: the context
# managers that test_pysemver-cli.py builds in a parametrize list are entered a second
# time in that process. "forkserver" forks them from a process that only collected.
cat >> "$work/mutmut/pyproject.toml" <<'TOML'

[tool.mutmut]
source_paths = ["src/semver/"]
pytest_add_cli_args = ["-o", "addopts="]
pytest_add_cli_args_test_selection = ["tests/"]
also_copy = [".pytest.ini"]
process_isolation = "forkserver"
TOML
git -C "$work/mutmut" -c user.name=bench -c user.email=bench@example.com commit -qam "mutmut config"
mutmut_run

irradiate_run src/semver tests

peers_table "semver 3.1.2, $jobs jobs; git-chimp with --no-cache"
