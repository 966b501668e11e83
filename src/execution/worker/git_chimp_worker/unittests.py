"""The unittest front end of the warm worker: `python -m unittest ARGS` loaded once.

The suite is loaded as `python -m unittest ARGS` loads it (`unittest.TestProgram`'s own
argument parsing, discovery and `load_tests`), with the tracer on, and flattened into
its test cases in order. A child runs a list of them as one flat `unittest.TestSuite`,
which sets up and tears down classes and modules around them as a fresh run does, and
stops at the first failure, error or unexpected success (`-f`).

Everything else is the pytest worker's (`warm.Worker`): the baseline, the swaps, the
order checks, the timeouts, and re-executing a mutant's module (`reexecuting.py`), for
which a re-executed test module's cases are loaded again from it (`recollect`).
"""

import sys
import time
import unittest
import warnings

from . import fork
from .warm import Worker


class Case:
    """A test case as the worker sees a test: its id (`nodeid`) and the case."""

    def __init__(self, test, nodeid):
        self.test = test
        self.nodeid = nodeid


def flattened(suite):
    """The test cases of `suite` in the order it runs them."""
    for test in suite:
        if isinstance(test, unittest.BaseTestSuite):
            yield from flattened(test)
        else:
            yield test


class Loader(unittest.TestProgram):
    """`unittest.TestProgram` that loads the tests and does not run them."""

    def runTests(self):
        pass


def load(args):
    """The program that `python -m unittest ARGS` would run, loaded."""
    return Loader(module=None, argv=["python -m unittest"] + list(args), exit=False)


class Result(unittest.TestResult):
    """Times each test, gives each its own deadline and notes the first failure (with
    what caused it: a test, or a class or module fixture before the next test)."""

    def __init__(self, worker, items, on_item, allowances, keep_going):
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
        self.failed_now = False
        self.killer = None
        self.report = ""
        if allowances:
            fork.watch(allowances[0])

    def startTest(self, test):
        super().startTest(test)
        self.started = time.perf_counter()
        # Class and module set-up ran between the last test's end and this start.
        self.fixture = self.started - self.ended

    def stopTest(self, test):
        super().stopTest(test)
        self.ended = time.perf_counter()
        index = self.position.get(id(test), self.next)
        self.next = index + 1
        if self.on_item is not None:
            self.worker.fixture_seconds = self.fixture
            self.on_item(self.items[index], self.ended - self.started, self.failed_now)
        self.failed_now = False
        if self.allowances and self.next < len(self.allowances):
            fork.watch(self.allowances[self.next])

    def failed(self, test, text):
        self.failed_now = True
        if self.killer is None:
            index = self.position.get(id(test))
            if index is None:
                # A class or module fixture: the test it was set up for, or the last one
                # it was torn down after.
                index = self.next
                if getattr(test, "description", "").startswith("tearDown"):
                    index -= 1
                index = min(max(index, 0), len(self.items) - 1)
            self.killer = self.items[index].nodeid
            self.report = text
        if not self.keep_going:
            self.stop()

    def addError(self, test, err):
        super().addError(test, err)
        self.failed(test, self.errors[-1][1])

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.failed(test, self.failures[-1][1])

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            found = self.failures if issubclass(err[0], test.failureException) else self.errors
            self.failed(test, found[-1][1])

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.failed(test, "unexpected success: %s" % test.id())


class UnittestWorker(Worker):
    """The warm worker over a unittest suite."""

    def __init__(self, config, channel, tracer):
        super().__init__(config, channel, tracer)
        self.program = None

    def load(self):
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
        self.import_lines, self.import_calls, _ = self.tracer.take()
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
        seen = {}
        self.items = []
        for test in tests:
            nodeid = test.id()
            seen[nodeid] = seen.get(nodeid, 0) + 1
            if seen[nodeid] > 1:
                nodeid = "%s#%d" % (nodeid, seen[nodeid])
            self.items.append(Case(test, nodeid))
        return None

    def short_tracebacks(self):
        pass

    def test_module(self, nodeid):
        """The module of `package.module.Class.test_method`."""
        return nodeid.rsplit(".", 2)[0] if nodeid.count(".") >= 2 else nodeid

    def seconds_of(self, items, at_start=None):
        """The pytest worker's times, and class and module fixtures where they run: a
        test's time runs from its start to its end, and the set-up of its class (and
        the tear-down of the one before) runs before it, within its deadline. So each
        test that starts a class gets its module's longest fixture time, and the last
        one the longest of all (the tear-downs after it)."""
        seconds = super().seconds_of(items, at_start)
        previous = None
        for index, item in enumerate(items):
            group = item.nodeid.rsplit(".", 1)[0]
            if index > 0 and group != previous:
                seconds[index] += self.module_fixtures.get(self.test_module(item.nodeid), 0.0)
            previous = group
        if seconds:
            seconds[-1] += self.longest_fixture
        return seconds

    def run_items(self, items, on_item=None, allowances=None):
        """Run `items` in order as one flat suite; stop at the first failing one (with
        `on_item`, run them all and report each). Returns the failing test's id."""
        if not items:
            return None
        result = Result(self, items, on_item, allowances, keep_going=on_item is not None)
        program = self.program
        result.buffer = bool(getattr(program, "buffer", False))
        suite = unittest.TestSuite([item.test for item in items])
        with warnings.catch_warnings():
            # What unittest's runner does (`-W` options win over its default).
            if getattr(program, "warnings", None):
                warnings.simplefilter(program.warnings)
            suite.run(result)
        if result.killer is not None and on_item is None:
            sys.stdout.write("\ngit-chimp: killed by %s\n" % result.killer)
            sys.stdout.write(result.report + "\n")
            return result.killer
        return None

    def test_collectors(self):
        """id(test module) -> the module, for every module whose test cases were loaded
        (a case's module is its class's)."""
        collectors = {}
        for item in self.items:
            module = sys.modules.get(type(item.test).__module__)
            if module is not None:
                collectors[id(module)] = module
        return collectors

    def collected_by(self, item, collector):
        return type(item.test).__module__ == collector.__name__

    def recollect(self, collector):
        """The cases of test module `collector` (re-executed) that were loaded at the
        start, loaded again from it as `loadTestsFromModule` does (its `load_tests`
        too). A case that is no longer loaded is then gone (the mutant runs from scratch
        when that happens unmutated); a case loaded only now is left out: it was not in
        the run at the start (a narrower selection), and a survivor of re-execution is
        confirmed by a fresh run anyway."""
        wanted = set(self.collected_ids(collector))
        loader = self.program.testLoader
        cases = []
        seen = {}
        for test in flattened(loader.loadTestsFromModule(collector)):
            nodeid = test.id()
            seen[nodeid] = seen.get(nodeid, 0) + 1
            if seen[nodeid] > 1:
                nodeid = "%s#%d" % (nodeid, seen[nodeid])
            if nodeid in wanted:
                cases.append(Case(test, nodeid))
        return cases


def serve(config, channel, tracer):
    """Load the suite and answer git-chimp's requests."""
    worker = UnittestWorker(config, channel, tracer)
    worker.args = config["args"]
    tracer.start()
    worker.serve(worker.load())
