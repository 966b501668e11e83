"""Which mutants compile to the same code as the original: equivalent without a test run.

git-chimp runs this before the tests, with the interpreter the test command uses:

    python -c "import sys; sys.path.insert(0, DIR); from git_chimp_worker import equivalent; equivalent.main()"

Its input is one JSON object per line, one per file: `{"path", "source", "mutants"}`,
where `source` is the file's text and each mutant is `[start, end, replacement]` with
byte offsets into the UTF-8 text. For each file it prints one line,
`{"path", "equivalent": [indices]}`: the mutants whose module code equals the original's
as `swap.differences` compares them (positions aside). A file whose original does not
compile has none; a mutant that does not compile is not equivalent.
"""

from __future__ import annotations

import json
import sys
import warnings

from .swap import differences


def without_bom(text: str) -> str:
    # compile() rejects a str that starts with a byte order mark; a file may.
    return text[1:] if text.startswith("\ufeff") else text


def equivalent(path: str, source: str, mutants: list[tuple[int, int, str]]) -> list[int]:
    text = source.encode("utf-8")
    try:
        original = compile(without_bom(source), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return []
    found: list[int] = []
    for index, (start, end, replacement) in enumerate(mutants):
        mutated = (text[:start] + replacement.encode("utf-8") + text[end:]).decode("utf-8")
        try:
            code = compile(without_bom(mutated), path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        if not differences(original, code):
            found.append(index)
    return found


def main() -> None:
    # A mutant's SyntaxWarning (`x is 1`) is the tests' business, not this check's.
    warnings.simplefilter("ignore")
    for line in sys.stdin:
        request = json.loads(line)
        found = equivalent(request["path"], request["source"], request["mutants"])
        sys.stdout.write(json.dumps({"path": request["path"], "equivalent": found}) + "\n")
        sys.stdout.flush()
