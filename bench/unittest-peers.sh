#!/usr/bin/env bash
# The unittest worker side by side with mutmut 3.8.1 and irradiate 0.4.3 on a real
# library whose tests are all unittest TestCases: webcolors 1.13 (src layout, 4 test
# modules), from its source distribution on PyPI (nothing of it is committed here), in a
# fresh virtual environment, installed editable. mutmut and irradiate run pytest only, so
# they run the same TestCases through pytest; git-chimp runs them as
# `python -m unittest discover -s tests -f`, with the unittest worker (`--runner auto`'s
# choice for that command) and with the plain runner, and through pytest with the pytest
# worker. The unittest worker's outcomes are compared with the plain runner's mutant by
# mutant (any disagreement fails the script).
#
#     bash bench/unittest-peers.sh [jobs]      # default jobs: 2; about 10 minutes
#
# Every git-chimp run is `--no-cache`; mutmut and irradiate start on copies without state.
# Needs PyPI (pip).
set -euo pipefail
jobs=${1:-2}
source "$(dirname "$0")/lib.sh"
bench_setup
peers_setup
peers_sdist webcolors 1.13
"${pip[@]}" install -e .
commit_all webcolors
unittest_tests="$venv/bin/python -m unittest discover -s tests -f"
$unittest_tests > "$work/unittest-baseline.out" 2>&1 \
  || { cat "$work/unittest-baseline.out" >&2; exit 1; }
echo "webcolors 1.13 as unittest: $(tail -n 3 "$work/unittest-baseline.out" | tr '\n' ' ')"
peers_baseline "webcolors 1.13" --code src/webcolors

# git-chimp: the unittest command zero-config would run (auto chooses the unittest
# worker), the same command from scratch, and the suite through pytest.
chimp_args=(--code src/webcolors --no-cache -j "$jobs")
chimp_run unittest --runner auto --tests "$unittest_tests" "${chimp_args[@]}"
chimp_run command --runner command --tests "$unittest_tests" "${chimp_args[@]}"
agreement "$work/command.json" "$work/unittest.json"
chimp_run pytest --runner pytest --tests "$tests" "${chimp_args[@]}"

# mutmut 3.8.1: the editable install points at $work/chimp; mutants/src goes first on
# sys.path.
cat >> "$work/mutmut/pyproject.toml" <<'TOML'

[tool.mutmut]
source_paths = ["src/webcolors/"]
pytest_add_cli_args_test_selection = ["tests/"]
TOML
git -C "$work/mutmut" -c user.name=bench -c user.email=bench@example.com commit -qam "mutmut config"
mutmut_run

irradiate_run src/webcolors tests

peers_table "webcolors 1.13 (unittest TestCases), $jobs jobs; git-chimp with --no-cache: 'unittest' and 'command' run python -m unittest, 'pytest' and the peers run pytest"
