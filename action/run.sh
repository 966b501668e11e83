#!/usr/bin/env bash
# The step of git-chimp's GitHub Action (action.yml at the repository root): on a pull
# request, mutate the lines it changes (`--since` its base branch); on any other event, a
# full sweep. Always with the `github` (annotations and step summary), `sarif` and
# `markdown` reports. Reads the action's inputs from the environment:
#
#   INPUT_TESTS       the test command (else the project's configuration or detection)
#   INPUT_FAIL_UNDER  pass when the mutation score reaches this percentage
#   INPUT_BUDGET      stop after this long (--budget)
#   INPUT_CACHE_URL   a shared outcome cache (--cache-url)
#   INPUT_ARGS        more arguments, split on whitespace
#
# and GitHub's GITHUB_EVENT_NAME, GITHUB_BASE_REF and GITHUB_OUTPUT. Writes
# `exit-status` to the step's outputs and exits with git-chimp's status.
set -euo pipefail

args=(--report github,sarif,markdown)
if [ -n "${INPUT_TESTS:-}" ]; then
  args+=(--tests "$INPUT_TESTS")
fi
if [ -n "${INPUT_FAIL_UNDER:-}" ]; then
  args+=(--fail-under "$INPUT_FAIL_UNDER")
fi
if [ -n "${INPUT_CACHE_URL:-}" ]; then
  args+=(--cache-url "$INPUT_CACHE_URL")
fi
if [ -n "${INPUT_BUDGET:-}" ]; then
  args+=(--budget "$INPUT_BUDGET")
fi
case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target)
    base=${GITHUB_BASE_REF:?a pull request event without GITHUB_BASE_REF}
    # actions/checkout fetches one commit by default: --since needs the base branch.
    if ! git rev-parse --verify --quiet "refs/remotes/origin/$base" > /dev/null; then
      git fetch --no-tags --quiet origin "+refs/heads/$base:refs/remotes/origin/$base"
    fi
    args+=(--since "origin/$base")
    ;;
esac
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<< "$INPUT_ARGS"
  args+=("${extra[@]}")
fi

echo "git chimp ${args[*]}"
status=0
git chimp "${args[@]}" || status=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-status=$status" >> "$GITHUB_OUTPUT"
fi
exit "$status"
