"""Re-collecting test modules after re-execution, in a forked child, and running the
re-execution steps `warm.Worker.make_plan` chose."""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Protocol, Sequence, Tuple, cast

if TYPE_CHECKING:
    import pytest


class Test(Protocol):
    """A test as the worker sees it: a pytest Item, or a unittest case
    (`unittests.Case`)."""

    @property
    def nodeid(self) -> str: ...


# What collected a test module's tests: its pytest Module, or for unittest the module.
Collector = Any

# A module to re-execute: the module, its re-execution, its test collector or None, and
# the node ids that collector collected at the start (None without one).
Step = Tuple[ModuleType, Callable[[], None], Optional[Collector], Optional[List[str]]]


class ImportFailed(Exception):
    """Re-executing or re-collecting a module raised: ("importing PATH" or "collecting
    PATH", the error)."""


def recollect(collector: pytest.Module) -> list[pytest.Item]:
    """The test items `collector` (a pytest Module) collects now, selected as at the
    start (`-k`, `-m` and plugins' `pytest_collection_modifyitems`)."""
    import pytest

    items: list[pytest.Item] = []

    def walk(node: pytest.Collector) -> None:
        for child in node.collect():
            if isinstance(child, pytest.Item):
                items.append(child)
            else:
                walk(child)

    walk(collector)
    config = collector.config
    config.hook.pytest_collection_modifyitems(session=collector.session, config=config, items=items)
    return items


def base_name(nodeid: str) -> str:
    """A test's node id without its parameters: `test_format` of `test_format[4-%Y]`."""
    return nodeid.split("[", 1)[0]


class Recollection:
    """What re-executing and re-collecting test modules changed: the new item for each
    node id collected at the start (under another id where the mutant changed a
    parameter's id), items with no counterpart at the start, and ids that are gone."""

    def __init__(self) -> None:
        self.replaced: dict[str, Test] = {}
        self.renamed: dict[str, str] = {}  # new node id -> the id at the start it stands for
        self.added: list[Test] = []
        self.removed: set[str] = set()

    def apply(self, items: Sequence[Test]) -> list[Test]:
        """`items` (as collected at the start) as a fresh collection would give them: a
        renamed test in the place of the one it stands for (never moved ahead: the tests
        before it may leave the state it needs), then the new ones."""
        kept = [self.replaced.get(item.nodeid, item) for item in items if item.nodeid not in self.removed]
        return kept + self.added

    def at_start(self, nodeid: str) -> str:
        """The node id at the start that `nodeid` (collected now) stands for."""
        return self.renamed.get(nodeid, nodeid)

    def adds_or_removes(self) -> bool:
        """Whether tests were added or removed (a renamed case stands for the one in its
        place at the start: parameter ids built from the clock or an address change on
        every collection)."""
        return bool(self.added or self.removed)

    def record(self, before: Sequence[str], items: Sequence[Test]) -> None:
        """Match a test module's `items` (collected now) with the node ids `before` (in
        the order collected at the start): the same id, or else, where a parametrized
        test has as many cases as at the start, the case in the same place (a mutated
        constant in a parameter changes its id, not its place)."""
        old = set(before)
        unmatched = [item for item in items if item.nodeid not in old]
        for item in items:
            if item.nodeid in old:
                self.replaced[item.nodeid] = item
        gone = [nodeid for nodeid in before if nodeid not in self.replaced]
        cases: dict[str, list[str]] = {}
        for nodeid in before:
            cases.setdefault(base_name(nodeid), []).append(nodeid)
        now: dict[str, list[Test]] = {}
        for item in items:
            now.setdefault(base_name(item.nodeid), []).append(item)
        for item in unmatched:
            base = base_name(item.nodeid)
            if len(cases.get(base, ())) != len(now[base]):
                self.added.append(item)
                continue
            nodeid = cases[base][now[base].index(item)]
            if nodeid in self.replaced:
                self.added.append(item)
                continue
            self.replaced[nodeid] = item
            self.renamed[item.nodeid] = nodeid
        self.removed.update(nodeid for nodeid in gone if nodeid not in self.replaced)


def describe_error(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return "%s: %s" % (type(error).__name__, text) if text else type(error).__name__


def reexecute_steps(
    steps: Sequence[Step], recollect: Callable[[Collector], Sequence[Test]]
) -> Recollection:
    """Run `steps` ((module, its re-execution, its test collector or None, the node ids
    that collector collected at the start, in order)) in order, re-collecting each test
    module with `recollect(collector)`; return the Recollection. Raises ImportFailed when
    a module or a collection raises: a fresh run's collection fails the same way
    (SystemExit too)."""
    recollection = Recollection()
    for step, run, collector, before in steps:
        path = os.path.relpath(cast(str, step.__file__))
        try:
            run()
        except (Exception, SystemExit) as error:
            raise ImportFailed("importing " + path, describe_error(error))
        if collector is None or before is None:
            continue
        try:
            items = recollect(collector)
        except (Exception, SystemExit) as error:
            raise ImportFailed("collecting " + path, describe_error(error))
        recollection.record(before, items)
    return recollection
