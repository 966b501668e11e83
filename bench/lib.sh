# Shared by the bench scripts (sourced, not run).

# Build the release binary and set $chimp to it; set $work to a temporary directory that
# is removed on exit.
bench_setup() {
  root=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  chimp="$root/target/release/git-chimp"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}

# Commit everything in the current directory to a new git repository.
commit_all() {
  git init -q -b main && git add -A
  git -c user.name=bench -c user.email=bench@example.com commit -qm "${1:-bench}"
}

# A project of seven standard-library modules of the machine's python3 (real code,
# 3,128 mutants with Python 3.11) in $work/project, committed; cd into it.
stdlib_project() {
  local stdlib
  stdlib=$(python3 -c "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
  mkdir -p "$work/project/lib"
  for module in textwrap fractions statistics heapq bisect shlex colorsys; do
    cp "$stdlib/$module.py" "$work/project/lib/"
  done
  cd "$work/project"
  commit_all code
}
