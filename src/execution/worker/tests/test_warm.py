"""The warm mode end to end: a worker process started as git-chimp starts it, on a
project pytester writes, spoken to over its pipes."""

import json
import os

import pytest

from git_chimp_worker.tracer import kinds
from worker_process import WorkerProcess

KINDS = kinds()

CALC = """\
LIMIT = 10


def clamp(x):
    if x > LIMIT:
        return LIMIT
    return x


def unused(x):
    return x - 1
"""

TESTS = """\
import calc


def test_clamp():
    assert calc.clamp(50) == 10


def test_limit():
    assert calc.LIMIT == 10
"""


def without_probe(answer):
    """A survivor's answer without what the probe found (`probing.py`)."""
    return {key: value for key, value in answer.items() if key not in ("input", "no_input")}


@pytest.fixture
def worker(pytester):
    pytester.makepyfile(calc=CALC, test_calc=TESTS)
    process = WorkerProcess(pytester)
    assert process.event() == {"event": "ready", "tests": 2}
    baseline = process.ask(op="baseline", timeout=30)
    assert baseline["event"] == "baseline" and baseline["failed"] == []
    yield process
    process.close()


def test_a_function_body_is_swapped_and_killed_by_the_test_that_reaches_it(worker):
    answer = worker.mutant("return LIMIT", "return None", 6)
    assert answer == {"event": "killed", "by": "test_calc.py::test_clamp", "tests": ["test_calc.py::test_clamp"]}


def test_a_function_no_test_reaches_is_uncovered(worker):
    assert worker.mutant("x - 1", "x + 1", 11) == {"event": "uncovered"}


def test_a_module_level_constant_is_killed_by_reexecuting_the_module(worker):
    answer = worker.mutant("LIMIT = 10", "LIMIT = 11", 1)
    assert answer["event"] == "killed" and answer["reexecuted"] is True
    assert answer["by"] in ("test_calc.py::test_clamp", "test_calc.py::test_limit")


def test_a_survivor_of_a_reexecuted_module_goes_back_for_a_fresh_run(worker):
    answer = worker.mutant("LIMIT = 10", "LIMIT = 10\nEXTRA = 1", 1)
    assert answer["event"] == "fallback"
    assert "confirmed by a fresh run" in answer["reason"]


def test_a_module_that_raises_when_reexecuted_is_killed(worker):
    answer = worker.mutant("LIMIT = 10", "LIMIT = 1 // 0", 1)
    assert answer["event"] == "killed"
    assert answer["reason"] == "with the mutant, importing calc.py raises ZeroDivisionError: integer division or modulo by zero"


HOT = """\
def step(n):
    if n == 19:
        return -1
    return n + 1
"""

HOT_TESTS = """\
import calc


def test_steps():
    assert [calc.step(n) for n in range(20)][-1] == -1
"""


@pytest.mark.parametrize("tracer", KINDS)
def test_a_line_only_a_late_call_reaches_is_not_uncovered(pytester, tracer):
    # sys.settrace traces the first calls of `step` in the test, not the 20th, the one
    # that reaches `return -1`: the test may reach every line of `step`.
    pytester.makepyfile(calc=HOT, test_calc=HOT_TESTS)
    process = WorkerProcess(pytester, tracer=tracer)
    assert process.event()["event"] == "ready"
    baseline = process.ask(op="baseline", timeout=30)
    (record,) = baseline["records"]
    if tracer == "settrace":
        assert record["untraced"] == [[0, 1, "step"]]
        assert 3 not in record["lines"]["0"]
    else:
        assert "untraced" not in record and 3 in record["lines"]["0"]
    answer = process.mutant("return -1", "return 1", 3)
    assert answer["event"] == "killed" and answer["by"] == "test_calc.py::test_steps"
    process.close()


def test_with_reexecution_off_import_time_mutants_fall_back(pytester):
    pytester.makepyfile(calc=CALC, test_calc=TESTS)
    process = WorkerProcess(pytester, reexec=False)
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["event"] == "baseline"
    answer = process.mutant("LIMIT = 10", "LIMIT = 11", 1)
    assert answer["event"] == "fallback" and "--no-reexec" in answer["reason"]
    process.close()


PARAMETRIZED = """\
import pytest

import calc


def record(name):
    with open("order.txt", "a") as out:
        out.write(name + "\\n")


def test_first():
    record("first")


@pytest.mark.parametrize("name", calc.NAMES)
def test_known(name):
    record(name)
    assert name in ("a", "b", "c")
"""


def test_a_case_whose_id_the_mutant_changes_runs_in_its_place_once(pytester):
    pytester.makepyfile(calc='NAMES = ["a", "b", "c"]\n', test_calc=PARAMETRIZED)
    process = WorkerProcess(pytester)
    assert process.event() == {"event": "ready", "tests": 4}
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    order = pytester.path / "order.txt"
    order.unlink()
    answer = process.mutant('"b"', '"XXbXX"', 1)
    assert answer["event"] == "killed" and answer["by"] == "test_calc.py::test_known[XXbXX]"
    # The module's check (re-executed unmutated, every test), then the tests in the
    # baseline's order up to the renamed case, in its place, once: no second run.
    assert order.read_text() == "first\na\nb\nc\nfirst\na\nXXbXX\n"
    process.close()


ORDERED = """\
import pytest

import calc

CACHE = {}


def test_setup():
    CACHE["ready"] = True


@pytest.mark.parametrize("n", calc.NUMBERS)
def test_use(n):
    assert CACHE.get("ready"), "test_setup must run first"
    assert n > 0
"""


def test_a_renamed_case_that_needs_an_earlier_test_is_not_killed_by_running_first(pytester):
    pytester.makepyfile(calc="NUMBERS = [1, 2]\n", test_calc=ORDERED)
    process = WorkerProcess(pytester)
    assert process.event() == {"event": "ready", "tests": 3}
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    # 2 -> 3 renames test_use[2]; with test_setup before it, as in a fresh run, it passes.
    answer = process.mutant("2]", "3]", 1)
    assert answer["reason"] == "a survivor of re-executing calc.py, confirmed by a fresh run"
    # No function changed: nothing to probe, and the probe says so.
    assert answer == {
        "event": "fallback",
        "reason": answer["reason"],
        "no_input": "no function of calc with copied calls changed",
    }
    process.close()


LOOP = """\
def countdown(n):
    while n > 0:
        n -= 1
    return n
"""

LOOP_TESTS = """\
import time

import calc


def test_countdown():
    assert calc.countdown(3) == 0


def test_slow():
    time.sleep(0.3)
"""


def test_an_infinite_loop_times_out_after_ten_times_its_tests_own_time(pytester):
    pytester.makepyfile(calc=LOOP, test_calc=LOOP_TESTS)
    process = WorkerProcess(pytester)
    assert process.event() == {"event": "ready", "tests": 2}
    baseline = process.ask(op="baseline", timeout=30, traced=False)
    assert [entry[0] for entry in baseline["durations"]] == ["test_calc.py::test_countdown", "test_calc.py::test_slow"]
    assert "records" not in baseline
    traced = process.ask(op="baseline", timeout=30)
    assert traced["records"][0]["lines"] == {"0": [2, 3, 4]}
    assert process.ask(op="records", records=None, durations=baseline["durations"]) == {"event": "recorded", "tests": 2, "unmatched": 0}
    source = LOOP.replace("n -= 1", "n -= 0")
    answer = process.ask(op="mutant", id="m", path=process.calc, source=source, lines=[3, 3], timeout=60, rule=[10.0, 1.0])
    # Only test_countdown reaches the loop: 10 x its time (and its fixtures) + 1 s, not
    # the request's 60 s, nor the slow test's share (10 x 0.3 s).
    assert answer["event"] == "timeout" and answer["tests"] == ["test_calc.py::test_countdown"]
    assert 1.0 <= answer["limit"] < 1.5
    # Without a rule (--timeout), the request's timeout is the limit.
    answer = process.ask(op="mutant", id="m", path=process.calc, source=source, lines=[3, 3], timeout=0.5, rule=None)
    assert answer == {"event": "timeout", "tests": ["test_calc.py::test_countdown"], "limit": 0.5}
    process.close()


def test_an_untraced_worker_answers_as_the_traced_one_with_its_records(pytester):
    pytester.makepyfile(calc=CALC, test_calc=TESTS)
    traced = WorkerProcess(pytester)
    untraced = WorkerProcess(pytester)
    assert traced.event()["event"] == untraced.event()["event"] == "ready"
    records = traced.ask(op="baseline", timeout=30)["records"]
    durations = untraced.ask(op="baseline", timeout=30, traced=False)["durations"]
    assert untraced.ask(op="records", records=records, durations=durations)["event"] == "recorded"
    for process in (traced, untraced):
        answer = process.mutant("return LIMIT", "return None", 6)
        assert answer == {"event": "killed", "by": "test_calc.py::test_clamp", "tests": ["test_calc.py::test_clamp"]}
        assert process.mutant("x - 1", "x + 1", 11) == {"event": "uncovered"}
    traced.close()
    untraced.close()


def test_a_baseline_with_reused_records_traces_only_the_other_tests(pytester):
    pytester.makepyfile(calc=CALC, test_calc=TESTS)
    first = WorkerProcess(pytester)
    assert first.event()["event"] == "ready"
    records = first.ask(op="baseline", timeout=30)["records"]
    first.close()
    limit = [record for record in records if record["id"] == "test_calc.py::test_limit"]
    assert limit and limit[0]["lines"] == {}
    # An earlier run's record of test_limit stands; test_clamp runs again, traced.
    again = WorkerProcess(pytester)
    assert again.event()["event"] == "ready"
    baseline = again.ask(op="baseline", timeout=30, reuse=limit)
    assert baseline["tests"] == 1
    assert [record["id"] for record in baseline["records"]] == [
        "test_calc.py::test_clamp",
        "test_calc.py::test_limit",
    ]
    assert [record.get("reused") for record in baseline["records"]] == [None, True]
    # Killed by the test it reaches.
    answer = again.mutant("return LIMIT", "return None", 6)
    assert answer == {"event": "killed", "by": "test_calc.py::test_clamp", "tests": ["test_calc.py::test_clamp"]}
    # No traced test reaches `unused`, and every test passes with it mutated.
    assert again.mutant("x - 1", "x + 1", 11) == {"event": "uncovered"}
    # A survivor meets every test, in the baseline's order, not only those of its file.
    answer = again.mutant("if x > LIMIT:", "if x >= LIMIT:", 5)
    assert without_probe(answer) == {
        "event": "survived",
        "tests": ["test_calc.py::test_clamp", "test_calc.py::test_limit"],
    }
    again.close()


def test_a_detection_by_a_reused_record_stands_only_if_its_tests_pass_unmutated(pytester):
    pytester.makepyfile(calc=CALC, test_calc=TESTS)
    first = WorkerProcess(pytester)
    assert first.event()["event"] == "ready"
    records = first.ask(op="baseline", timeout=30)["records"]
    first.close()
    limit = [record for record in records if record["id"] == "test_calc.py::test_limit"]
    # test_limit, which the earlier run's record stands for, now fails on the code as it
    # is: only a mutant's run reaches it.
    pytester.makepyfile(test_calc=TESTS.replace("calc.LIMIT == 10", "calc.LIMIT == 11"))
    again = WorkerProcess(pytester)
    assert again.event()["event"] == "ready"
    assert again.ask(op="baseline", timeout=30, reuse=limit)["failed"] == []
    # Killed by a test this run traced: no check.
    answer = again.mutant("return LIMIT", "return None", 6)
    assert answer["event"] == "killed" and answer["by"] == "test_calc.py::test_clamp"
    # test_clamp passes with it, test_limit fails: not a kill, the code fails unmutated.
    answer = again.mutant("if x > LIMIT:", "if x >= LIMIT:", 5)
    assert answer["event"] == "unmutated_fails", answer
    assert "test_calc.py::test_limit fails without any mutant" in answer["reason"]
    again.close()


SUPER = """\
class Base:
    def __init__(self):
        self.ready = True


class Child(Base):
    def __init__(self):
        super().__init__()
        self.extra = 1


class Twice(Base):
    def __init__(self):
        super().__init__()

    def again(self):
        super().__init__()
        return self.ready
"""

SUPER_TESTS = """\
import calc


def test_extra():
    assert calc.Child().extra == 1


def test_twice():
    assert calc.Twice().again()
"""


@pytest.mark.parametrize("tracer", KINDS)
def test_a_mutant_that_drops_a_use_of_super_is_swapped(pytester, tracer):
    # `super()` needs the `__class__` cell, which the class body hands to the method:
    # without it, the class body differs too, and yet the mutant goes into the live
    # method (not a re-execution, whose survivors need a run from scratch).
    pytester.makepyfile(calc=SUPER, test_calc=SUPER_TESTS)
    process = WorkerProcess(pytester, tracer=tracer)
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    both = ["test_calc.py::test_extra", "test_calc.py::test_twice"]
    answer = without_probe(process.mutant("super().__init__()", "pass", 8))
    assert answer == {"event": "survived", "tests": both}
    answer = process.mutant("self.extra = 1", "self.extra = 2", 9)
    assert answer == {"event": "killed", "by": "test_calc.py::test_extra", "tests": ["test_calc.py::test_extra"]}
    # The class keeps its cell (`again` uses it); `__init__` no longer takes it.
    answer = process.mutant("super().__init__()\n\n    def again", "pass\n\n    def again", 14)
    assert without_probe(answer) == {"event": "survived", "tests": both}
    process.close()


def test_reexecution_leaves_a_sentinel_its_module_imports_where_it_is(pytester):
    # calc.py imports MISSING from const.py: const.py holding it too makes it no
    # dependent of calc.py, so it is not re-executed (a new MISSING would no longer be
    # the one pick's default holds).
    pytester.makepyfile(
        const="MISSING = object()\n",
        calc="from const import MISSING\n\nLIMIT = 10\n\n\ndef pick(x=MISSING):\n    return 'none' if x is MISSING else x\n",
        test_calc="import calc\n\n\ndef test_pick():\n    assert calc.pick() == 'none'\n\n\ndef test_limit():\n    assert calc.LIMIT == 10\n",
    )
    process = WorkerProcess(pytester)
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    answer = process.mutant("LIMIT = 10", "LIMIT = 11", 3)
    assert answer["event"] == "killed" and answer["reexecuted"] is True, answer
    assert answer["by"] == "test_calc.py::test_limit"
    process.close()


def test_reexecution_accepts_parameter_ids_that_change_on_every_collection(pytester):
    # A case's id from the clock: re-collected after a re-execution, it has another id
    # in the same place, which stands for the one collected at the start.
    pytester.makepyfile(
        calc=CALC,
        test_calc=TESTS
        + "\n\nimport time\nimport pytest\n\n\n"
        "@pytest.mark.parametrize('n', [calc.LIMIT], ids=[str(time.perf_counter_ns())])\n"
        "def test_stamped(n):\n    assert n == 10\n",
    )
    process = WorkerProcess(pytester)
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    answer = process.mutant("LIMIT = 10", "LIMIT = 11", 1)
    assert answer["event"] == "killed" and answer["reexecuted"] is True, answer
    assert answer["by"].startswith("test_calc.py::test_stamped[") or answer["by"] in (
        "test_calc.py::test_clamp",
        "test_calc.py::test_limit",
    )
    process.close()


LAZY = """\
PREFIX = ">"
SUFFIX = "!"


def tag(x):
    return PREFIX + x


def loud(x):
    return x.upper()
"""

LAZY_TESTS = """\
import os
import runpy

import calc


def render(x):
    import lazy

    return lazy.tag(x)


def test_tag():
    assert render("a") == ">a"


def test_loud():
    import lazy

    assert lazy.loud("a") == "A"


def test_run_path():
    # Runs the file's code without importing it.
    space = runpy.run_path(os.path.join(os.path.dirname(__file__), "lazy.py"))
    assert space["SUFFIX"] == "!"
"""


def test_a_file_first_imported_by_a_test_gets_the_mutant_at_that_import(pytester):
    # Nothing imports lazy.py while the tests are collected: the mutant is in the file
    # while its tests run, module level included, as in a fresh run.
    pytester.makepyfile(lazy=LAZY, calc=CALC, test_lazy=LAZY_TESTS)
    process = WorkerProcess(pytester, files=("lazy.py", "calc.py"))
    assert process.event() == {"event": "ready", "tests": 3}
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    path = os.path.join(process.dir, "lazy.py")
    before = os.stat(path)
    with open(path) as source:
        original = source.read()
    process.calc = path
    answer = process.mutant('PREFIX = ">"', 'PREFIX = "<"', 1)
    assert answer["event"] == "killed" and answer["by"] == "test_lazy.py::test_tag", answer
    answer = process.mutant("return x.upper()", "return x.lower()", 10)
    assert answer["event"] == "killed" and answer["by"] == "test_lazy.py::test_loud", answer
    answer = process.mutant("return x.upper()", "return x.upper() or x", 10)
    assert answer["event"] == "survived", answer
    # runpy reads the file itself, as a fresh run's test would.
    answer = process.mutant('SUFFIX = "!"', 'SUFFIX = "?"', 2)
    assert answer["event"] == "killed" and answer["by"] == "test_lazy.py::test_run_path", answer
    # The file is as it was, times included.
    with open(path) as source:
        assert source.read() == original
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    process.close()



FILLED = """\
_cache = {}


def load(k):
    _cache[k] = k * 2


def total():
    s = 0
    for v in _cache.values():
        s += v
    return s
"""

FILLED_TESTS = """\
import calc


def test_load():
    calc.load(3)


def test_total():
    assert calc.total() >= 0
"""


def test_a_survivor_meets_the_earlier_tests_whose_state_the_later_ones_read(pytester):
    # Only test_total reaches the mutant, and alone it passes; after test_load, which
    # fills the cache (as in a fresh run), it fails.
    pytester.makepyfile(calc=FILLED, test_calc=FILLED_TESTS)
    process = WorkerProcess(pytester)
    assert process.event() == {"event": "ready", "tests": 2}
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    answer = process.mutant("s += v", "s -= v", 11)
    assert answer["event"] == "killed" and answer["by"] == "test_calc.py::test_total", answer
    process.close()


def test_only_a_failure_of_the_workers_own_code_in_the_mutants_child_names_its_log(pytester):
    # The test breaks the child's json.dump (what the worker writes its result with)
    # when its value is wrong: the worker's own code fails in that child.
    pytester.makepyfile(
        quarter=(
            "import json\n\nLIMIT = 1\n\n\ndef quarter(x):\n    return x // 4\n\n\n"
            "def check(value, expected):\n    if value != expected:\n"
            "        json.dump = None\n"
        ),
        test_quarter="import quarter\n\n\ndef test_quarter():\n    quarter.check(quarter.quarter(8), 2)\n",
    )
    process = WorkerProcess(pytester, files=("quarter.py",))
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    broke = process.mutant("x // 4", "x // 5", 7)
    assert broke == {"event": "fallback", "reason": "the worker failed", "worker_log": True}
    # A fallback of the worker's choosing names no log.
    survivor = process.mutant("LIMIT = 1", "LIMIT = 2", 3)
    assert survivor["event"] == "fallback" and "worker_log" not in survivor, survivor
    process.close()
