"""The pytest front end of the warm worker: a pytest plugin whose `pytest_runtestloop`
serves git-chimp's requests over the items pytest collected (with the tracer on), and
runs a child's items through pytest's own run protocol, stopping at the first failure
(`-x`).

Everything else is shared (`warm.Worker`): the baseline, the swaps, the order checks,
the timeouts, re-executing a mutant's module (`reexecuting.py`), for which a
re-executed test module is collected again (`collect.recollect`).
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from typing import Any, Callable, Sequence, cast

import pytest

from . import fork
from .collect import Collector, Test, recollect
from .protocol import Channel
from .tracer import BaseTracer, Taken
from .warm import Worker

# A memory address in a default repr (`<Thing object at 0x7f...>`): another in each process.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class PytestWorker(Worker):
    """The warm worker over a pytest session."""

    def __init__(self, config: dict[str, Any], channel: Channel, tracer: BaseTracer) -> None:
        super().__init__(config, channel, tracer)
        self.failed_report: pytest.TestReport | None = None
        self.session: pytest.Session | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and self.failed_report is None:
            self.failed_report = report
        if report.when != "call":
            self.fixture_seconds += report.duration

    # Before any other plugin's loop (pytest's own, or one a conftest adds).
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        self.session = session
        self.serve(self.collected(session))
        return True

    def short_tracebacks(self) -> None:
        """In a child about to run a mutant's tests: only the first failure matters, and
        pytest's long tracebacks are slow."""
        assert self.session is not None
        self.session.config.option.tbstyle = "native"

    def collected(self, session: pytest.Session) -> str | None:
        """Stop tracing the import; None when the worker can serve, else why not."""
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            return "%d error(s) while collecting the tests" % session.testsfailed
        if not self.tracer.active():
            return "another tracer (a coverage plugin?) replaced git-chimp's"
        self.tracer.stop()
        self.tracer.importing = False
        self.import_lines, self.import_calls, _ = cast(Taken, self.tracer.take())
        if not session.items:
            return "no tests were collected"
        if not self.import_lines:
            return "no line of the files under mutation ran while collecting the tests"
        self.find_functions()
        self.items = list(session.items)
        if session.config.pluginmanager.hasplugin("dsession"):
            return "pytest-xdist (-n) runs the tests elsewhere"
        return None

    def test_collectors(self) -> dict[int, Collector]:
        """id(test module) -> what collected its tests (its pytest Module), for
        re-collecting them after the module is re-executed."""
        import pytest

        collectors = {}
        for item in cast("list[pytest.Item]", self.items):
            collector = item.getparent(pytest.Module)
            if collector is not None:
                collectors[id(collector.obj)] = collector
        return collectors

    def collected_by(self, item: Test, collector: Collector) -> bool:
        """Whether test `item` was collected by `collector` (from `test_collectors`)."""
        return cast("pytest.Item", item).getparent(type(collector)) is collector

    def recollect(self, collector: Collector) -> Sequence[Test]:
        """The tests `collector` collects now (after its module was re-executed)."""
        return recollect(collector)

    def run_items(
        self,
        items: Sequence[Test],
        on_item: Callable[[Test, float, bool], None] | None = None,
        allowances: Sequence[float] | None = None,
    ) -> str | None:
        """Run `items` in order; stop at the first failing one. Returns its node id.
        With `allowances` (seconds, one per item), each test must end within its own.
        With `on_item`, run them all and report each as it ends; returns a test charged
        with a failure after it was reported (pytest reports its tear-down with it: never
        here)."""
        items = cast("Sequence[pytest.Item]", items)
        for position, item in enumerate(items):
            following = items[position + 1] if position + 1 < len(items) else None
            if allowances is not None:
                fork.watch(allowances[position])
            started = time.perf_counter()
            self.fixture_seconds = 0.0
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            if on_item is not None:
                on_item(item, time.perf_counter() - started, self.failed_report is not None)
                self.failed_report = None
            elif self.failed_report is not None:
                report = self.failed_report
                sys.stdout.write("\ngit-chimp: killed by %s\n" % report.nodeid)
                sys.stdout.write(getattr(report, "longreprtext", "") + "\n")
                return item.nodeid
        return None

    def case_of(self, item: Test) -> str:
        """A parametrised test's values, as text without memory addresses (an object's
        default repr): the same case has the same text in every process, whatever the
        order of the set it came from."""
        callspec = getattr(item, "callspec", None)
        if callspec is None:
            return ""
        try:
            text = repr(sorted(callspec.params.items(), key=lambda pair: pair[0]))
        except Exception as error:  # a repr that fails says nothing either way
            text = "unprintable: %s" % type(error).__name__
        return hashlib.sha1(ADDRESS.sub("", text).encode("utf-8", "replace")).hexdigest()[:16]

    def family_of(self, nodeid: str) -> str:
        """The test function of a parametrised test's `nodeid` (the part before `[`)."""
        return nodeid.split("[", 1)[0]

    def test_module(self, nodeid: str) -> str:
        """The test module of the test `nodeid` (pytest's: the part before `::`)."""
        return nodeid.split("::", 1)[0]
