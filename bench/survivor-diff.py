"""Which survivors a change suppressed: compares two `bench/signal.sh` output
directories mutant id by mutant id. Prints per library the mutant and survivor counts,
every survivor of BEFORE that AFTER no longer has (to check none was worth a test), any
survivor whose status changed, and whether each mutant of BEFORE's sample is still made.

    python3 bench/survivor-diff.py BEFORE AFTER
"""

import json
import re
import sys

LIBRARIES = ["isodate", "inflection", "semver"]
MISSED = ("Survived", "NoCoverage")


def mutants(directory, library):
    with open(f"{directory}/{library}.json") as f:
        report = json.load(f)
    return {
        mutant["id"]: (path, mutant)
        for path, entry in report["files"].items()
        for mutant in entry["mutants"]
    }


def main():
    before_dir, after_dir = sys.argv[1:3]
    for library in LIBRARIES:
        before, after = mutants(before_dir, library), mutants(after_dir, library)
        missed_before = {i for i, (_, m) in before.items() if m["status"] in MISSED}
        missed_after = {i for i, (_, m) in after.items() if m["status"] in MISSED}
        gone = sorted(missed_before - set(after))
        print(
            f"{library}: mutants {len(before)} -> {len(after)}, survivors "
            f"{len(missed_before)} -> {len(missed_after)}, suppressed survivors {len(gone)}"
        )
        for i in sorted(missed_before & set(after)):
            if after[i][1]["status"] != before[i][1]["status"]:
                print(f"  status changed: {i} {before[i][1]['status']} -> {after[i][1]['status']}")
        for i in gone:
            path, mutant = before[i]
            line = mutant["location"]["start"]["line"]
            print(f"  {path}:{line} {mutant['mutatorName']}: {mutant['description'][:90]}")
    with open(f"{before_dir}/sample.md") as f:
        sample = re.findall(r"^## \d+\. (\w+) (\S+) \[(\w+)\]", f.read(), re.M)
    for number, (library, where, i) in enumerate(sample, 1):
        kept = i in mutants(after_dir, library)
        print(f"sample {number} {library} {where} {i}: {'kept' if kept else 'suppressed'}")


if __name__ == "__main__":
    main()
