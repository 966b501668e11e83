"""A seeded random sample of the survivors in git-chimp reports, for classification by
hand (worth a test / equivalent / arid / false). Prints markdown: per library, the
survivor count; then each sampled survivor with its place, change and five lines of
code around it.

    python3 bench/survivor-sample.py --size 40 --seed 16 isodate=report.json ...
    python3 bench/survivor-sample.py --by-line ...   # sample the findings instead

`--by-line` samples what the reports show since #16: one finding per line with
survivors, its most telling mutant (the order of git-chimp's `Operator::BY_SIGNAL`),
with the others of the line listed under it. The same reports, size and seed give the
same sample.
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


# git-chimp's Operator::BY_SIGNAL: the most telling first.
BY_SIGNAL = [
    "statement-delete", "return-value", "condition", "comparison", "boolean-operator",
    "binary-operator", "augmented-assign", "unary-operator", "loop-control",
    "zero-iteration", "exception-handler", "boolean-constant", "number", "decorator",
    "call-argument", "string",
]


def by_line(found):
    """One (label, file, lines, head, others) per line with survivors, in order."""
    places = {}
    for label, file, lines, mutant in found:
        key = (label, file, mutant["location"]["start"]["line"])
        places.setdefault(key, (label, file, lines, []))[3].append(mutant)
    out = []
    for label, file, lines, mutants in places.values():
        mutants.sort(key=lambda m: (
            m["status"] == "NoCoverage", BY_SIGNAL.index(m["mutatorName"]),
            m["location"]["start"]["column"]))
        out.append((label, file, lines, mutants[0], mutants[1:]))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--by-line", action="store_true")
    parser.add_argument("reports", nargs="+", help="label=report.json")
    args = parser.parse_args()
    found = []
    for spec in args.reports:
        label, _, path = spec.partition("=")
        found.extend(survivors(label, path))
    if args.by_line:
        return sample_places(args, by_line(found))
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


def sample_places(args, places):
    print("# Finding sample (one per line with survivors)\n")
    for spec in args.reports:
        label = spec.partition("=")[0]
        count = sum(1 for item in places if item[0] == label)
        mutants = sum(1 + len(item[4]) for item in places if item[0] == label)
        print(f"- {label}: {count} findings ({mutants} survivors)")
    print(f"- sample: {args.size} of {len(places)}, seed {args.seed}\n")
    sample = random.Random(args.seed).sample(places, min(args.size, len(places)))
    for number, (label, file, lines, mutant, others) in enumerate(sample, 1):
        line = mutant["location"]["start"]["line"]
        first = max(1, line - 2)
        context = "\n".join(
            f"{n:5} {'>' if n == line else ' '} {lines[n - 1]}"
            for n in range(first, min(len(lines), line + 2) + 1)
        )
        also = "".join(
            f"- also: {m['mutatorName']} ({m['status']}): {m['description']} [{m['id']}]\n"
            for m in others
        )
        print(
            f"## {number}. {label} {file}:{line} [{mutant['id']}]\n\n"
            f"{mutant['mutatorName']} ({mutant['status']}): {mutant['description']}\n\n"
            f"{also}{chr(10) if also else ''}```\n{context}\n```\n"
        )


if __name__ == "__main__":
    main()
