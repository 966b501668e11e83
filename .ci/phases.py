"""Print the wall time of each phase of `.ci/run`, and of each group of tests in it.

Usage: phases.py PHASES.tsv JUNIT.xml

PHASES.tsv holds `name<TAB>seconds` lines (a name may repeat: the times add up). The
test groups come from cargo-nextest's JUnit report: the unit tests, the corpus, the
integration tests by module, packaging apart. They run at once on every core, so a
group's span (its first test's start to its last test's end) overlaps the others'; its
test time is the sum of its tests' own times.
"""

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime


def group_of(suite, test):
    if suite.endswith("::corpus"):
        return "corpus"
    if suite.endswith("::integration"):
        module = test.split("::", 1)[0]
        return "packaging" if module == "packaging" else f"integration: {module}"
    return "unit tests"


def main(phases_path, junit_path):
    phases = defaultdict(int)
    for line in open(phases_path, encoding="utf-8"):
        name, seconds = line.rstrip("\n").split("\t")
        phases[name] += int(seconds)
    print("\nphase times (wall):")
    for name, seconds in phases.items():
        print(f"  {name:<34} {seconds // 60:3d}m{seconds % 60:02d}s")
    print(f"  {'total':<34} {sum(phases.values()) // 60:3d}m{sum(phases.values()) % 60:02d}s")
    try:
        root = ET.parse(junit_path).getroot()
    except (OSError, ET.ParseError) as err:
        print(f"no test report ({err})")
        return
    groups = defaultdict(lambda: {"tests": 0, "failed": 0, "time": 0.0, "start": None, "end": None})
    t0 = None
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            group = groups[group_of(suite.get("name"), case.get("name"))]
            start = datetime.fromisoformat(case.get("timestamp")).timestamp()
            took = float(case.get("time"))
            group["tests"] += 1
            group["failed"] += case.find("failure") is not None or case.find("error") is not None
            group["time"] += took
            group["start"] = start if group["start"] is None else min(group["start"], start)
            group["end"] = start + took if group["end"] is None else max(group["end"], start + took)
            t0 = start if t0 is None else min(t0, start)
    print("\ntest groups (they run at once; span = first start to last end, from the tests' start):")
    print(f"  {'group':<34} {'tests':>5} {'failed':>6} {'test time':>10} {'span':>15}")
    order = sorted(groups, key=lambda name: (name.startswith("integration"), name))
    for name in order:
        group = groups[name]
        print(
            f"  {name:<34} {group['tests']:5d} {group['failed']:6d} {group['time']:9.0f}s"
            f"   {group['start'] - t0:5.0f}s-{group['end'] - t0:5.0f}s"
        )
    total = sum(group["tests"] for group in groups.values())
    failed = sum(group["failed"] for group in groups.values())
    print(f"  {'all':<34} {total:5d} {failed:6d} {sum(g['time'] for g in groups.values()):9.0f}s")


if __name__ == "__main__":
    main(*sys.argv[1:3])
