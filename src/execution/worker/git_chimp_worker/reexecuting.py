"""Re-executing a mutant's module in the child (the second way `warm.py` puts a mutant
in): which modules to re-execute with it and which test modules to re-collect, the
once-per-module check that re-executing it unmutated changes nothing, and the run.
`Reexecution` is a part of `warm.Worker`, kept here as one concept."""

from __future__ import annotations

import os
import sys
import time
from types import CodeType, ModuleType
from typing import (
    TYPE_CHECKING,
    Callable,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
    cast,
)

from . import fork, reexec
from .collect import Collector, ImportFailed, Recollection, Step, Test, reexecute_steps
from .reexec import Copy
from .swap import Chain
from .tracer import BaseTracer

if TYPE_CHECKING:
    from .deciding import RunResult
    from .protocol import Event, Request
    from .swapping import Swap

# The modules to re-execute for a mutant, in order, each with its test collector or
# None; or why that cannot be done.
Plan = Union[List[Tuple[ModuleType, Optional[Collector]]], str]


if TYPE_CHECKING:
    from .core import Core
else:
    Core = object


class Reexecution(Core):
    """The worker's module re-execution (mixed into `warm.Worker`)."""

    # Set up by `warm.Worker.__init__`.
    tracer: BaseTracer
    reexec: bool
    files: list[str]
    items: list[Test] | None
    tests: list[tuple[str, float]]
    modules: dict[int, ModuleType | None] | None
    checked: dict[int, str | None]
    copies: dict[int, list[Copy]]
    plans: dict[int, Plan]
    by_name: dict[int, set[tuple[str, str]]]
    unmutated_runs: dict[int, Callable[[], None]]
    ids_of: dict[int, list[str]]
    reexec_seconds: dict[int, float]

    if TYPE_CHECKING:
        # `warm.Worker`'s.
        def test_collectors(self) -> dict[int, Collector]: ...

        def collected_by(self, item: Test, collector: Collector) -> bool: ...

        def recollect(self, collector: Collector) -> Sequence[Test]: ...

        def original(self, number: int) -> CodeType: ...


        def swaps(
            self, number: int, diffs: list[Chain], at_import: bool = False
        ) -> list[Swap] | str: ...

        def reexecuted_input(
            self,
            number: int,
            module: ModuleType,
            reexecute: Callable[[], object],
            plan: Sequence[tuple[ModuleType, int]] = (),
        ) -> dict[str, str]: ...

        def decide(
            self,
            request: Request,
            swaps: Sequence[Swap],
            reexecute: Callable[[], Recollection] | None,
            reached: set[int],
            others: set[int],
            extra: float = 0.0,
        ) -> Event: ...

    def module_of(self, number: int) -> ModuleType | None:
        """The one module object executed from file `number`, or None."""
        if self.modules is None:
            found: dict[int, list[ModuleType]] = {}
            for module in list(sys.modules.values()):
                path = getattr(module, "__file__", None)
                if not isinstance(path, str):
                    continue
                other = self.tracer.file_of(path)
                if other is not None:
                    found.setdefault(other, []).append(module)
            self.modules = {
                other: modules[0] if len(modules) == 1 else None
                for other, modules in found.items()
            }
        return self.modules.get(number)

    def why_not_reexecute(self, number: int, diffs: list[Chain], timeout: float) -> str | None:
        """None when the mutant may be put in by re-executing its module, else why not
        (it then runs from scratch)."""
        if not self.reexec:
            return "re-executing its module is off (--no-reexec)"
        if self.module_of(number) is None:
            return "the file is not one imported module"
        steps = self.plan(number)
        if isinstance(steps, str):
            return steps
        if number not in self.checked:
            self.checked[number] = self.check_reexecution(number, timeout)
        return self.checked[number]

    def copies_of(self, module: ModuleType) -> list[Copy]:
        if id(module) not in self.copies:
            self.copies[id(module)] = reexec.copies_elsewhere(module)
        return self.copies[id(module)]

    def plan(self, number: int) -> Plan:
        """The modules to re-execute for a mutant of file `number`, in order, each with
        its pytest collector when it is a test module; or why that cannot be done."""
        if number not in self.plans:
            self.plans[number] = self.make_plan(number)
        return self.plans[number]

    def make_plan(self, number: int) -> Plan:
        """The module, then every module whose import depends on it, as far as that
        can be seen: its code ran below theirs (the tracer), they imported a value from
        it (not a function or class: they may have computed more from it), or their
        top level reads its attributes or uses what it imported from it. A conftest.py
        among them cannot be re-executed (its hooks and fixtures are registered with
        pytest); test modules are re-collected after they are re-executed."""
        module = self.module_of(number)
        assert module is not None
        collectors = self.test_collectors()
        own = reexec.own_modules()
        by_file = {os.path.realpath(cast(str, other.__file__)): other for other in own}
        chosen = [module]
        needs: dict[int, set[int]] = {}
        queue = [module]
        while queue:
            source = queue.pop(0)
            source_number = self.tracer.file_of(cast(str, source.__file__))
            dependents: list[ModuleType] = []
            for key, importers in self.tracer.foreign.items():
                if key[0] != source_number:
                    continue
                for importer in importers:
                    if importer is not None and reexec.is_worker_file(importer):
                        # pytest's collection itself (looking at the test modules'
                        # objects): re-collecting every test module redoes it.
                        dependents.extend(other for other in own if id(other) in collectors)
                        continue
                    target = by_file.get(os.path.realpath(importer)) if importer else None
                    if target is None:
                        where = os.path.relpath(importer) if importer else "no module"
                        return "%s ran while the tests were collected (below %s)" % (key[2], where)
                    dependents.append(target)
            copies = self.copies_of(source)
            for other in own:
                if other is not source and (
                    reexec.holds_values(copies, other)
                    or reexec.reads_at_top_level(other, source, copies)
                ):
                    dependents.append(other)
            for dependent in dependents:
                if dependent is module or dependent is source:
                    continue
                needs.setdefault(id(dependent), set()).add(id(source))
                if any(dependent is seen for seen in chosen):
                    continue
                path = cast(str, dependent.__file__)
                if os.path.basename(path) == "conftest.py":
                    return "re-executing it would need %s re-executed too" % os.path.relpath(path)
                chosen.append(dependent)
                queue.append(dependent)
        ordered = [module] + reexec.in_order(
            chosen[1:], lambda a, b: id(b) in needs.get(id(a), ())
        )
        return [(step, collectors.get(id(step))) for step in ordered]

    def modules_under_mutation(self, number: int) -> list[tuple[ModuleType, int]]:
        """The modules of the files under mutation, with their file numbers, file
        `number`'s first: where a value its re-execution changes may be read (the
        modules re-executed after it, those holding a copy of one of its names)."""
        first = self.module_of(number)
        out = [] if first is None else [(first, number)]
        for other, module in sorted((self.modules or {}).items()):
            if module is not None and other != number:
                out.append((module, other))
        return out

    def code_of(self, module: ModuleType) -> CodeType:
        path = cast(str, module.__file__)
        number = self.tracer.file_of(path)
        if number is not None:
            return self.original(number)
        with open(path, "rb") as source:
            return compile(source.read(), path, "exec", dont_inherit=True)

    def reexecution(self, number: int, code: CodeType) -> Callable[[], Recollection]:
        """A function that, in a child, re-executes the plan of file `number` with
        `code` as the module's, re-collects its test modules and returns a
        Recollection; it raises ImportFailed when a module raises."""
        module = self.module_of(number)
        steps: list[Step] = []
        plan = self.plan(number)
        assert not isinstance(plan, str)
        for step, collector in plan:
            if step is module:
                run = reexec.reexecution(step, code, self.copies_of(step), self.by_name_of(step))
            else:
                run = self.unmutated(step)
            steps.append((step, run, collector, self.collected_ids(collector)))
        return lambda: reexecute_steps(steps, self.recollect)

    def by_name_of(self, module: ModuleType) -> set[tuple[str, str]]:
        if id(module) not in self.by_name:
            self.by_name[id(module)] = reexec.imported_by_name(module)
        return self.by_name[id(module)]

    def unmutated(self, module: ModuleType) -> Callable[[], None]:
        """The re-execution of `module` as it is (a dependent of a mutated module)."""
        if id(module) not in self.unmutated_runs:
            self.unmutated_runs[id(module)] = reexec.reexecution(
                module, self.code_of(module), self.copies_of(module), self.by_name_of(module)
            )
        return self.unmutated_runs[id(module)]

    def collected_ids(self, collector: Collector | None) -> list[str] | None:
        """The node ids `collector` (a test module's, or None) collected at the start, in
        their order."""
        if collector is None:
            return None
        if id(collector) not in self.ids_of:
            assert self.items is not None
            self.ids_of[id(collector)] = [
                item.nodeid for item in self.items if self.collected_by(item, collector)
            ]
        return self.ids_of[id(collector)]

    def check_reexecution(self, number: int, timeout: float) -> str | None:
        """Re-execute the module unmutated in a child and run every test: None when
        they all pass, as in the baseline, else why re-execution cannot be trusted."""
        path = os.path.relpath(self.files[number])
        reexecute = self.reexecution(number, self.original(number))

        def work() -> RunResult:
            started = time.perf_counter()
            try:
                recollection = reexecute()
            except ImportFailed as error:
                return {"killed_by": None, "import_error": list(error.args)}
            if recollection.adds_or_removes():
                return {"killed_by": None, "recollected": True}
            seconds = time.perf_counter() - started
            items = recollection.apply(self.items_at(range(len(self.tests))))
            return {"killed_by": self.run_items(items), "seconds": seconds}

        outcome = self.in_child(work, timeout)
        if isinstance(outcome, fork.Finished) and "seconds" in outcome.value:
            self.reexec_seconds[number] = outcome.value["seconds"]
        if isinstance(outcome, fork.Finished) and "recollected" in outcome.value:
            return "re-collecting the tests after re-executing %s unmutated gives other tests" % path
        if isinstance(outcome, fork.Finished) and "import_error" in outcome.value:
            return "re-executing %s unmutated, %s raises %s" % (
                (path,) + tuple(outcome.value["import_error"])
            )
        if isinstance(outcome, fork.Finished) and not outcome.value["killed_by"]:
            return None
        if isinstance(outcome, fork.Finished):
            failure = "%s fails" % outcome.value["killed_by"]
        else:
            failure = outcome.describe()
        return "re-executing %s unmutated changes the tests' outcome (%s)" % (path, failure)

    def reexecuted(
        self,
        request: Request,
        number: int,
        mutated: CodeType,
        diffs: list[Chain],
        reached: set[int],
    ) -> Event:
        """Put the mutant in by re-executing its module, then run every test, those
        that reach the mutated lines first. A survivor is confirmed by a fresh run:
        values other modules copied at import stay as they were."""
        swaps = self.swaps(number, diffs, at_import=True)
        assert not isinstance(swaps, str)
        everyone = set(range(len(self.tests)))
        answer = self.decide(
            request,
            swaps,
            self.reexecution(number, mutated),
            reached,
            everyone - set(reached),
            self.reexec_seconds.get(number, 0.0),
        )
        path = os.path.relpath(self.files[number])
        if answer["event"] == "import_error":
            why = "with the mutant, %s raises %s" % tuple(answer["error"])
            plan = self.plan(number)
            assert not isinstance(plan, str)
            modules = [step for step, _ in plan]
            if reexec.import_errors_may_be_caught(modules):
                return {
                    "event": "fallback",
                    "reason": "%s, and the project may catch import errors" % why,
                }
            return {"event": "killed", "by": None, "tests": [], "reason": why, "reexecuted": True}
        if answer["event"] == "survived":
            # The fresh run decides; the probe's input goes with it, for a survivor.
            module = self.module_of(number)
            try:
                found = {} if module is None else self.reexecuted_input(
                    number, module, self.reexecution(number, mutated),
                    self.modules_under_mutation(number),
                )
            except Exception as error:  # the probe's own failure: the fresh run decides
                found = {"no_input": "the probe failed: %s: %s" % (type(error).__name__, error)}
            return dict(
                {
                    "event": "fallback",
                    "reason": "a survivor of re-executing %s, confirmed by a fresh run" % path,
                },
                **found,
            )
        if answer["event"] in ("killed", "timeout"):
            answer["reexecuted"] = True
        return answer
