"""A seeded random sample of the survivors in git-chimp reports, for classification by
hand (worth a test / equivalent / arid / false). Prints markdown: per library, the
survivor count; then each sampled survivor with its place, change and five lines of
code around it.

    python3 bench/survivor-sample.py --size 40 --seed 16 isodate=report.json ...

The same reports, size and seed give the same sample.
"""

import argparse
import json
import random


def survivors(label, path):
    with open(path) as f:
        report = json.load(f)
    for file, entry in sorted(report["files"].items()):
        lines = entry["source"].splitlines()
        for mutant in entry["mutants"]:
            if mutant["status"] in ("Survived", "NoCoverage"):
                yield label, file, lines, mutant


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("reports", nargs="+", help="label=report.json")
    args = parser.parse_args()
    found = []
    for spec in args.reports:
        label, _, path = spec.partition("=")
        found.extend(survivors(label, path))
    print("# Survivor sample\n")
    for spec in args.reports:
        label = spec.partition("=")[0]
        count = sum(1 for item in found if item[0] == label)
        print(f"- {label}: {count} survivors")
    print(f"- sample: {args.size} of {len(found)}, seed {args.seed}\n")
    sample = random.Random(args.seed).sample(found, min(args.size, len(found)))
    for number, (label, file, lines, mutant) in enumerate(sample, 1):
        line = mutant["location"]["start"]["line"]
        first = max(1, line - 2)
        context = "\n".join(
            f"{n:5} {'>' if n == line else ' '} {lines[n - 1]}"
            for n in range(first, min(len(lines), line + 2) + 1)
        )
        print(
            f"## {number}. {label} {file}:{line} [{mutant['id']}]\n\n"
            f"{mutant['mutatorName']} ({mutant['status']}): {mutant['description']}\n\n"
            f"```\n{context}\n```\n"
        )


if __name__ == "__main__":
    main()
