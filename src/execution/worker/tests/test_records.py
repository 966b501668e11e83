"""Records a worker takes from another process's traced baseline: a test id that names
another case there (a parametrisation over a set, ordered by hashes) stands for every
case of its test function."""

from worker_process import WorkerProcess


CENTURIES = """\
def century(text):
    if len(text) == 2:
        return int(text) * 100 + 1
    return int(text[:2]) * 100 + 1
"""

# Cases from a set, with ids by position (`text0`): which case an id names follows the
# strings' hashes, so another hash seed gives the same ids to other cases.
CENTURY_TESTS = """\
import pytest

from calc import century

CASES = {frozenset({t}) for t in ("19", "1985", "2001", "1850", "1999", "2024", "1712")}


@pytest.mark.parametrize("text", CASES)
def test_century(text):
    (string,) = text
    assert century(string) == int(string[:2]) * 100 + 1
"""


def test_records_of_other_cases_stand_for_their_whole_test_function(pytester):
    pytester.makepyfile(calc=CENTURIES, test_calc=CENTURY_TESTS)
    first = WorkerProcess(pytester, seed="1")
    assert first.event()["event"] == "ready"
    baseline = first.ask(op="baseline", timeout=30)
    first.close()
    records = baseline["records"]
    assert len({record["id"] for record in records}) == 7
    second = WorkerProcess(pytester, seed="2")
    assert second.event()["event"] == "ready"
    answer = second.ask(op="records", records=records, durations=baseline["durations"])
    # The same seven ids, but not each for the same case as in the first process.
    assert answer["event"] == "recorded" and answer["tests"] == 7
    assert answer["unmatched"] > 0
    # Only "19" reaches line 3: this worker runs every case of the test function.
    killed = second.mutant("return int(text) * 100 + 1", "return int(text) * 100", 3)
    assert killed["event"] == "killed"
    second.close()
