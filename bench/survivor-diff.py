"""Which survivors a change suppressed: compares two `bench/signal.sh` output
directories mutant by mutant. Prints per library the mutant and survivor counts, every
survivor of BEFORE that AFTER no longer makes (to check none was worth a test), any
survivor whose status changed, and whether each mutant of BEFORE's samples (sample.md,
and the head mutants of sample-lines.md) is still made.

A mutant of BEFORE is matched in AFTER by its id, else by its place and operator (file,
line, column, operator): the `string` operator's replacement changed in #16 (`"XXsXX"`
became `""`), which changes the id but not the mutant's place.

    python3 bench/survivor-diff.py BEFORE AFTER

The libraries are those BEFORE's `libraries` file lists (one a line, written by
`bench/signal.sh` since #29), else isodate, inflection and semver.
"""

import json
import re
import sys

LIBRARIES = ["isodate", "inflection", "semver"]
MISSED = ("Survived", "NoCoverage")


def libraries(directory):
    try:
        with open(f"{directory}/libraries") as f:
            return [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        return LIBRARIES


def mutants(directory, library):
    with open(f"{directory}/{library}.json") as f:
        report = json.load(f)
    return {
        mutant["id"]: (path, mutant)
        for path, entry in report["files"].items()
        for mutant in entry["mutants"]
    }


def place(path, mutant):
    start = mutant["location"]["start"]
    return (path, start["line"], start["column"], mutant["mutatorName"])


def matcher(after):
    by_place = {place(path, m): m for path, m in after.values()}

    def match(i, path, mutant):
        if i in after:
            return after[i][1]
        return by_place.get(place(path, mutant))

    return match


def main():
    before_dir, after_dir = sys.argv[1:3]
    for library in libraries(before_dir):
        before, after = mutants(before_dir, library), mutants(after_dir, library)
        match = matcher(after)
        missed_before = {i for i, (_, m) in before.items() if m["status"] in MISSED}
        missed_after = {i for i, (_, m) in after.items() if m["status"] in MISSED}
        gone, changed = [], []
        for i in sorted(missed_before):
            path, mutant = before[i]
            now = match(i, path, mutant)
            if now is None:
                gone.append(i)
            elif now["status"] != mutant["status"]:
                changed.append((i, mutant, now))
        print(
            f"{library}: mutants {len(before)} -> {len(after)}, survivors "
            f"{len(missed_before)} -> {len(missed_after)}, suppressed survivors {len(gone)}, "
            f"status changed {len(changed)}"
        )
        for i, mutant, now in changed:
            path = before[i][0]
            line = mutant["location"]["start"]["line"]
            print(
                f"  status changed: {path}:{line} {mutant['mutatorName']} "
                f"{mutant['status']} -> {now['status']}: {now['description'][:70]} "
                f"{now.get('statusReason', '')[:40]}"
            )
        for i in gone:
            path, mutant = before[i]
            line = mutant["location"]["start"]["line"]
            print(f"  suppressed: {path}:{line} {mutant['mutatorName']}: {mutant['description'][:90]}")
    # The survivor sample, and the finding sample (its head mutants) where there is one.
    for name, label in (("sample.md", "sample"), ("sample-lines.md", "finding")):
        try:
            with open(f"{before_dir}/{name}") as f:
                sample = re.findall(r"^## \d+\. (\w+) (\S+) \[(\w+)\]", f.read(), re.M)
        except FileNotFoundError:
            continue
        for number, (library, where, i) in enumerate(sample, 1):
            before, after = mutants(before_dir, library), mutants(after_dir, library)
            now = matcher(after)(i, *before[i]) if i in before else None
            state = "suppressed" if now is None else f"kept, {now['status']}"
            print(f"{label} {number} {library} {where} {i}: {state}")


if __name__ == "__main__":
    main()
