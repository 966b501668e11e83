"""The unittest front end of the warm worker: `python -m unittest ARGS` loaded once.

The suite is loaded as `python -m unittest ARGS` loads it (`unittest.TestProgram`'s own
argument parsing, discovery and `load_tests`), with the tracer on, and flattened into
its test cases in order. A child runs a list of them as one flat `unittest.TestSuite`,
which sets up and tears down classes and modules around them as a fresh run does, and
stops at the first failure, error or unexpected success (`-f`).

Everything else is shared (`warm.Worker`): the baseline, the swaps, the
order checks, the timeouts, and re-executing a mutant's module (`reexecuting.py`), for
which a re-executed test module's cases are loaded again from it (`recollect`).
"""

from __future__ import annotations

import sys
import time
import unittest
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence, cast

from . import fork
from .collect import Collector, Test
from .protocol import Channel
from .tracer import BaseTracer, Taken
from .warm import Worker

if TYPE_CHECKING:
    from _typeshed import OptExcInfo


class Case:
    """A test case as the worker sees a test: its id (`nodeid`) and the case."""

    def __init__(self, test: unittest.TestCase, nodeid: str) -> None:
        self.test = test
        self.nodeid = nodeid


def flattened(
    suite: Iterable[unittest.TestCase | unittest.TestSuite],
) -> Iterator[unittest.TestCase]:
    """The test cases of `suite` in the order it runs them."""
    for test in suite:
        if isinstance(test, unittest.BaseTestSuite):
            yield from flattened(test)
        else:
            yield test


class Loader(unittest.TestProgram):
    """`unittest.TestProgram` that loads the tests and does not run them."""

    test: unittest.TestSuite
    testLoader: unittest.TestLoader

    def runTests(self) -> None:
        pass


def load(args: Sequence[str]) -> Loader:
    """The program that `python -m unittest ARGS` would run, loaded."""
    return Loader(module=None, argv=["python -m unittest"] + list(args), exit=False)


class Result(unittest.TestResult):
    """Times each test, gives each its own deadline and notes the first failure (with
    what caused it: a test, or a class or module fixture before the next test)."""

    def __init__(
        self,
        worker: UnittestWorker,
        items: Sequence[Case],
        on_item: Callable[[Test, float, bool], None] | None,
        allowances: Sequence[float] | None,
        keep_going: bool,
    ) -> None:
        super().__init__()
        self.worker = worker
        self.items = items
        self.position = {id(item.test): index for index, item in enumerate(items)}
        self.on_item = on_item
        self.allowances = allowances
        self.keep_going = keep_going
        self.next = 0  # the position of the next test to start
        self.ended = time.perf_counter()
        self.started = self.ended
        self.fixture = 0.0
        self.failed_at: set[int] = set()  # positions charged with a failure
        self.reported: dict[int, bool] = {}  # position -> failed, as `on_item` was told
        self.killer: str | None = None
        self.report = ""
        if allowances:
            fork.watch(allowances[0])

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self.started = time.perf_counter()
        # Class and module set-up ran between the last test's end and this start.
        self.fixture = self.started - self.ended

    def stopTest(self, test: unittest.TestCase) -> None:
        super().stopTest(test)
        self.ended = time.perf_counter()
        index = self.position.get(id(test), self.next)
        self.next = index + 1
        if self.on_item is not None:
            self.worker.fixture_seconds = self.fixture
            failed = index in self.failed_at
            self.reported[index] = failed
            self.on_item(self.items[index], self.ended - self.started, failed)
        if self.allowances and self.next < len(self.allowances):
            fork.watch(self.allowances[self.next])

    def failed(self, test: unittest.TestCase, text: str) -> None:
        index = self.position.get(id(test))
        if index is None:
            # A class or module fixture: the test it was set up for, or the last one it
            # was torn down after.
            index = self.next
            if getattr(test, "description", "").startswith("tearDown"):
                index -= 1
            index = min(max(index, 0), len(self.items) - 1)
        self.failed_at.add(index)
        if self.killer is None:
            self.killer = self.items[index].nodeid
            self.report = text
        if not self.keep_going:
            self.stop()

    def addError(self, test: unittest.TestCase, err: OptExcInfo) -> None:
        super().addError(test, err)
        self.failed(test, self.errors[-1][1])

    def addFailure(self, test: unittest.TestCase, err: OptExcInfo) -> None:
        super().addFailure(test, err)
        self.failed(test, self.failures[-1][1])

    def addSubTest(
        self, test: unittest.TestCase, subtest: unittest.TestCase, err: OptExcInfo | None
    ) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = cast("type[BaseException]", err[0])
            found = self.failures if issubclass(kind, test.failureException) else self.errors
            self.failed(test, found[-1][1])

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self.failed(test, "unexpected success: %s" % test.id())


class UnittestWorker(Worker):
    """The warm worker over a unittest suite."""

    def __init__(self, config: dict[str, Any], channel: Channel, tracer: BaseTracer) -> None:
        super().__init__(config, channel, tracer)
        self.args: list[str] = config["args"]
        self.program: Loader | None = None

    def load(self) -> str | None:
        """Load the suite with the tracer on; None when the worker can serve, else why
        not."""
        try:
            self.program = load(self.args)
        except SystemExit as error:
            self.tracer.stop()
            return "unittest could not load the tests (it exited with %s)" % error.code
        except Exception as error:
            self.tracer.stop()
            return "unittest could not load the tests: %s: %s" % (type(error).__name__, error)
        if not self.tracer.active():
            return "another tracer replaced git-chimp's"
        self.tracer.stop()
        self.tracer.importing = False
        self.import_lines, self.import_calls, _ = cast(Taken, self.tracer.take())
        tests = list(flattened(self.program.test))
        failed = [
            getattr(test, "_testMethodName", test.id())
            for test in tests
            if type(test).__name__ == "_FailedTest"
        ]
        if failed:
            return "%d error(s) while loading the tests (%s)" % (len(failed), failed[0])
        if not tests:
            return "no tests were loaded"
        if not self.import_lines:
            return "no line of the files under mutation ran while loading the tests"
        self.find_functions()
        seen: dict[str, int] = {}
        self.items = []
        for test in tests:
            nodeid = test.id()
            seen[nodeid] = seen.get(nodeid, 0) + 1
            if seen[nodeid] > 1:
                nodeid = "%s#%d" % (nodeid, seen[nodeid])
            self.items.append(Case(test, nodeid))
        return None

    def short_tracebacks(self) -> None:
        pass

    def test_module(self, nodeid: str) -> str:
        """The module of `package.module.Class.test_method`."""
        return nodeid.rsplit(".", 2)[0] if nodeid.count(".") >= 2 else nodeid

    def seconds_of(
        self, items: Sequence[Test], at_start: Callable[[str], str] | None = None
    ) -> list[float]:
        """The pytest worker's times, and class and module fixtures where they run: a
        test's time runs from its start to its end, and the set-up of its class (and
        the tear-down of the one before) runs before it, within its deadline. So each
        test that starts a class gets its module's longest fixture time, and the last
        one the longest of all (the tear-downs after it)."""
        seconds = super().seconds_of(items, at_start)
        given: set[str] = set()  # modules whose first test has their time (the base's)
        previous = None
        for index, item in enumerate(items):
            group = item.nodeid.rsplit(".", 1)[0]
            module = self.test_module(item.nodeid)
            if group != previous and module in given:
                # A later class of a module started: its set-up runs in this test's time.
                seconds[index] += self.module_fixtures.get(module, 0.0)
            given.add(module)
            previous = group
        if seconds:
            seconds[-1] += self.longest_fixture
        return seconds

    def run_items(
        self,
        items: Sequence[Test],
        on_item: Callable[[Test, float, bool], None] | None = None,
        allowances: Sequence[float] | None = None,
    ) -> str | None:
        """Run `items` in order as one flat suite; stop at the first failing one and
        return its id. With `on_item`, run them all, report each, and return what
        `reported_late` finds."""
        if not items:
            return None
        cases = cast("Sequence[Case]", items)
        result = Result(self, cases, on_item, allowances, keep_going=on_item is not None)
        program = self.program
        result.buffer = bool(getattr(program, "buffer", False))
        suite = unittest.TestSuite([case.test for case in cases])
        with warnings.catch_warnings():
            # What unittest's runner does (`-W` options win over its default).
            action = getattr(program, "warnings", None)
            if action:
                warnings.simplefilter(action)
            suite.run(result)
        if on_item is not None:
            return self.reported_late(result, cases, on_item)
        if result.killer is not None:
            sys.stdout.write("\ngit-chimp: killed by %s\n" % result.killer)
            sys.stdout.write(result.report + "\n")
            return result.killer
        return None

    def reported_late(
        self, result: Result, items: Sequence[Case], on_item: Callable[[Test, float, bool], None]
    ) -> str | None:
        """After a run that reported each test: report the tests that never started (a
        failed class or module set-up skips them; the one it was set up for failed), and
        return the first test charged with a failure after it was reported as passing (a
        tear-down after it), or None."""
        for index, item in enumerate(items):
            if index not in result.reported:
                self.fixture_seconds = 0.0
                on_item(item, 0.0, index in result.failed_at)
        late = sorted(i for i in result.failed_at if result.reported.get(i) is False)
        return items[late[0]].nodeid if late else None

    def test_collectors(self) -> dict[int, Collector]:
        """id(test module) -> the module, for every module whose test cases were loaded
        (a case's module is its class's)."""
        collectors = {}
        for item in cast("list[Case]", self.items):
            module = sys.modules.get(type(item.test).__module__)
            if module is not None:
                collectors[id(module)] = module
        return collectors

    def collected_by(self, item: Test, collector: Collector) -> bool:
        return type(cast(Case, item).test).__module__ == collector.__name__

    def recollect(self, collector: Collector) -> Sequence[Test]:
        """The cases of test module `collector` (re-executed) that were loaded at the
        start, loaded again from it as `loadTestsFromModule` does (its `load_tests`
        too). A case that is no longer loaded is then gone (the mutant runs from scratch
        when that happens unmutated); a case loaded only now is left out: it was not in
        the run at the start (a narrower selection), and a survivor of re-execution is
        confirmed by a fresh run anyway."""
        wanted = set(self.collected_ids(collector) or ())
        assert self.program is not None
        loader = self.program.testLoader
        cases = []
        seen: dict[str, int] = {}
        for test in flattened(loader.loadTestsFromModule(collector)):
            nodeid = test.id()
            seen[nodeid] = seen.get(nodeid, 0) + 1
            if seen[nodeid] > 1:
                nodeid = "%s#%d" % (nodeid, seen[nodeid])
            if nodeid in wanted:
                cases.append(Case(test, nodeid))
        return cases


def serve(config: dict[str, Any], channel: Channel, tracer: BaseTracer) -> None:
    """Load the suite and answer git-chimp's requests."""
    worker = UnittestWorker(config, channel, tracer)
    tracer.start()
    worker.serve(worker.load())
