"""The unittest front end (`unittests.py`) end to end: a worker started as git-chimp
starts it for `python -m unittest ARGS`, on a project of unittest tests."""

import pytest

from test_warm import WorkerProcess

SHAPES = """\
FACTOR = 3


def scale(x):
    return x * FACTOR


def table():
    return {"a": 1, "b": 2}


def sign(x):
    if x < 0:
        return -1
    return 1


def broken_on_purpose(x):
    return x + 1
"""

TESTS = """\
import unittest

import shapes

SEEN = []


def setUpModule():
    SEEN.append("module")


class ScaleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.table = shapes.table()

    def test_scale(self):
        self.assertEqual(shapes.scale(2), 6)

    def test_table(self):
        self.assertEqual(self.table["b"], 2)


class SignTest(unittest.TestCase):
    def test_signs(self):
        for value, expected in [(-5, -1), (5, 1)]:
            with self.subTest(value=value):
                self.assertEqual(shapes.sign(value), expected)

    @unittest.skip("not today")
    def test_skipped(self):
        self.fail()

    @unittest.expectedFailure
    def test_known_bug(self):
        self.assertEqual(shapes.broken_on_purpose(1), 1)
"""


@pytest.fixture
def worker(pytester):
    pytester.makepyfile(shapes=SHAPES, test_shapes=TESTS)
    process = WorkerProcess(pytester, files=("shapes.py",), framework="unittest", args=["-f"])
    assert process.event() == {"event": "ready", "tests": 5}
    baseline = process.ask(op="baseline", timeout=30)
    assert baseline["event"] == "baseline" and baseline["failed"] == []
    ids = [record["id"] for record in baseline["records"]]
    assert ids == [
        "test_shapes.ScaleTest.test_scale",
        "test_shapes.ScaleTest.test_table",
        "test_shapes.SignTest.test_known_bug",
        "test_shapes.SignTest.test_signs",
        "test_shapes.SignTest.test_skipped",
    ]
    yield process
    process.close()


def test_a_function_body_is_swapped_and_killed_by_the_test_that_reaches_it(worker):
    answer = worker.mutant("return x * FACTOR", "return x / FACTOR", 5)
    assert answer == {
        "event": "killed",
        "by": "test_shapes.ScaleTest.test_scale",
        "tests": ["test_shapes.ScaleTest.test_scale"],
    }


def test_what_set_up_class_read_is_seen_by_the_classs_tests(worker):
    answer = worker.mutant('"b": 2', '"b": 3', 9)
    assert answer["event"] == "killed"
    assert answer["by"] == "test_shapes.ScaleTest.test_table"


def test_a_failing_sub_test_kills(worker):
    answer = worker.mutant("return -1", "return 1", 14)
    assert answer["event"] == "killed"
    assert answer["by"] == "test_shapes.SignTest.test_signs"


def test_an_expected_failure_that_passes_kills_as_in_a_fresh_run(worker):
    # `python -m unittest` exits 1 on an unexpected success.
    answer = worker.mutant("return x + 1", "return x", 19)
    assert answer["event"] == "killed"
    assert answer["by"] == "test_shapes.SignTest.test_known_bug"


def test_a_survivor_meets_every_test_of_its_file(worker):
    answer = worker.mutant("if x < 0:", "if x < -1:", 13)
    assert answer["event"] == "survived"
    # Their whole test module: test_table reads what setUpClass made, and the skipped
    # test too.
    assert answer["tests"] == [
        "test_shapes.ScaleTest.test_scale",
        "test_shapes.ScaleTest.test_table",
        "test_shapes.SignTest.test_known_bug",
        "test_shapes.SignTest.test_signs",
        "test_shapes.SignTest.test_skipped",
    ]


def test_module_level_code_is_reexecuted_and_killed(worker):
    answer = worker.mutant("FACTOR = 3", "FACTOR = 4", 1)
    assert answer["event"] == "killed", answer
    assert answer["reexecuted"] is True
    assert answer["by"] == "test_shapes.ScaleTest.test_scale"


def test_a_survivor_of_a_reexecuted_module_goes_back_for_a_fresh_run(worker):
    with open(worker.calc) as source:
        text = source.read()
    answer = worker.ask(
        op="mutant", id="m", path=worker.calc, source=text + "\nUNUSED = 1\n",
        lines=[28, 28], timeout=30,
    )
    assert answer["event"] == "fallback", answer
    assert "a survivor of re-executing shapes.py, confirmed by a fresh run" in answer["reason"]


LIMITS = """\
LIMIT = 10
NAMES = ("a", "b")
CEILING = 50
"""

# A test module that copies values at import (re-executed after limits.py, and its
# cases loaded again), one whose load_tests builds cases from such a value, and one
# whose setUpModule reads one.
COPYING_TESTS = """\
import unittest

from limits import LIMIT


class LimitTest(unittest.TestCase):
    def test_limit(self):
        self.assertEqual(LIMIT, 10)
"""

GENERATED_TESTS = """\
import unittest

import limits


def make(name):
    def test(self):
        self.assertIn(name, "ab")
    return test


class NamesTest(unittest.TestCase):
    pass


for name in limits.NAMES:
    setattr(NamesTest, "test_" + name, make(name))
"""

FIXTURE_TESTS = """\
import unittest

import limits

STATE = {}


def setUpModule():
    STATE["ceiling"] = limits.CEILING


class FixtureTest(unittest.TestCase):
    def test_state(self):
        self.assertLess(STATE["ceiling"], 60)
"""


@pytest.fixture
def limits_worker(pytester):
    pytester.makepyfile(
        limits=LIMITS,
        test_copying=COPYING_TESTS,
        test_generated=GENERATED_TESTS,
        test_fixture=FIXTURE_TESTS,
    )
    process = WorkerProcess(pytester, files=("limits.py",), framework="unittest", args=["-f"])
    assert process.event() == {"event": "ready", "tests": 4}
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    yield process
    process.close()


def test_a_test_module_that_copied_a_value_is_reexecuted_and_its_cases_loaded_again(
    limits_worker,
):
    answer = limits_worker.mutant("LIMIT = 10", "LIMIT = 11", 1)
    assert answer["event"] == "killed", answer
    assert answer["reexecuted"] is True
    assert answer["by"] == "test_copying.LimitTest.test_limit"


def test_a_set_up_module_reads_the_reexecuted_value(limits_worker):
    answer = limits_worker.mutant("CEILING = 50", "CEILING = 60", 3)
    assert answer["event"] == "killed", answer
    assert answer["by"] == "test_fixture.FixtureTest.test_state"
    assert answer["reexecuted"] is True


@pytest.mark.parametrize("names", ['("a",)', '("a", "b", "c")'])
def test_a_mutant_that_changes_which_cases_load_goes_back_for_a_fresh_run(
    limits_worker, names
):
    # One case fewer, or one more (which would fail): the cases loaded at the start
    # pass, so the fresh run decides.
    answer = limits_worker.mutant('NAMES = ("a", "b")', "NAMES = " + names, 2)
    assert answer["event"] == "fallback", answer
    assert "confirmed by a fresh run" in answer["reason"]


def test_tests_that_fail_to_load_keep_the_worker_out(pytester):
    pytester.makepyfile(shapes=SHAPES, test_shapes="import nothing_here\n")
    process = WorkerProcess(pytester, files=("shapes.py",), framework="unittest", args=[])
    event = process.event()
    assert event["event"] == "failed"
    assert "error(s) while loading the tests (test_shapes)" in event["reason"]
    process.close()


def test_a_file_the_runner_imported_before_tracing_runs_from_scratch(pytester):
    # The worker itself imports json before its tracer starts: were json under mutation,
    # its import-time code would go unseen (and look untested).
    import json

    pytester.makepyfile(shapes=SHAPES, test_shapes=TESTS)
    early = json.__file__
    process = WorkerProcess(
        pytester, files=("shapes.py", early), framework="unittest", args=["-f"]
    )
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["event"] == "baseline"
    with open(early) as source:
        text = source.read()
    answer = process.ask(
        op="mutant", id="m", path=early, source=text + "\nX = 1\n", lines=[1, 1], timeout=30
    )
    assert answer["event"] == "fallback"
    assert "imported it before the worker could trace its import" in answer["reason"]
    process.close()


FIXTURE_FAILS = """\
import unittest

import shapes


class FirstTest(unittest.TestCase):
    def test_scale(self):
        self.assertEqual(shapes.scale(2), 6)


class BrokenSetUpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("no set-up")

    def test_one(self):
        pass

    def test_two(self):
        pass
"""

TEAR_DOWN_FAILS = """\
import unittest

import shapes


def tearDownModule():
    raise RuntimeError("no tear-down")


class OnlyTest(unittest.TestCase):
    def test_scale(self):
        self.assertEqual(shapes.scale(2), 6)
"""


@pytest.mark.parametrize(
    "tests, failed",
    [
        (FIXTURE_FAILS, ["test_fixtures.BrokenSetUpTest.test_one"]),
        (TEAR_DOWN_FAILS, ["test_fixtures.OnlyTest.test_scale"]),
    ],
)
def test_a_failing_class_or_module_fixture_fails_the_baseline_where_it_ran(
    pytester, tests, failed
):
    # A fresh `python -m unittest` exits 1 on both: the baseline must fail, charged to the
    # test the set-up was for (whose class never ran) or the one torn down after.
    pytester.makepyfile(shapes=SHAPES, test_fixtures=tests)
    process = WorkerProcess(pytester, files=("shapes.py",), framework="unittest", args=[])
    assert process.event()["event"] == "ready"
    baseline = process.ask(op="baseline", timeout=30)
    assert baseline["event"] == "baseline"
    assert baseline["failed"] == failed
    # Every loaded test has a record, run or not.
    assert len(baseline["records"]) == baseline["tests"]
    process.close()
