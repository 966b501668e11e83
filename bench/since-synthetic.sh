#!/usr/bin/env bash
# The cost of diff-scoped selection on a big repository: 1,000 Python files and 10,000
# commits (built with git fast-import: one initial commit of 1,000 modules, then 9,999
# commits that each change one line of one module). Times `git chimp list --since
# HEAD~1` (working-tree mode: status, merge base, diff, parsing the changed file) and
# `--rev HEAD --since HEAD~1`, five runs each; the target is well under a second.
#
#     bash bench/since-synthetic.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
mkdir "$work/big" && cd "$work/big" && git init -q -b main
python3 - <<'PY' | git fast-import --quiet
import sys
files, commits = 1000, 10000
def module(i, version):
    body = [f'"""Module {i}."""', ""]
    for f in range(10):
        body += [f"def f{f}(x, y):", f"    if x > {f}:", f"        return x + y * {version}",
                 "    return x - y", ""]
    return "\n".join(body) + "\n"
out = sys.stdout.buffer
for c in range(commits):
    msg = f"commit {c}\n"
    head = f"commit refs/heads/main\nmark :{c + 1}\n"
    head += f"committer bench <bench@example.com> {1700000000 + c} +0000\n"
    head += f"data {len(msg)}\n{msg}"
    if c:
        head += f"from :{c}\n"
    out.write(head.encode())
    for i in (range(files) if c == 0 else [c % files]):
        data = module(i, c).encode()
        out.write(f"M 100644 inline pkg/m{i:04}.py\ndata {len(data)}\n".encode() + data + b"\n")
    out.write(b"\n")
PY
echo "repository: $(git rev-list --count main) commits, $(git ls-tree -r main --name-only | wc -l) files"
git checkout -q main
for args in "list --since HEAD~1" "list --rev HEAD --since HEAD~1"; do
  python3 - "$chimp" $args <<'PY'
import subprocess, sys, time
times = []
for _ in range(5):
    start = time.perf_counter()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    times.append(time.perf_counter() - start)
mutants = len(done.stdout.splitlines())
scope = [l for l in done.stderr.splitlines() if "changed lines" in l]
print(f"git chimp {' '.join(sys.argv[2:])}: best {min(times)*1000:.0f} ms, "
      f"median {sorted(times)[2]*1000:.0f} ms; {mutants} mutants; {scope[0].split('; ')[-1] if scope else ''}")
PY
done
