"""The warm mode: collect once, trace a baseline, then fork a child per mutant.

A mutant's child puts the mutant in one of two ways and runs tests until the first
failure:

- **Swap.** When only bodies of functions that did not run while the modules were
  imported change, the mutated code objects go into the live function objects (every
  one with the same file, first line and name), and only the tests that reached the
  mutated lines in the baseline run, fastest first. Before a mutant counts as survived,
  every test that touches its file runs in the baseline's order (a cache one test fills
  and the next reads hides lines from per-test coverage).
- **Re-execution** (`reexecuting.py`, `reexec.py`). Module level, class bodies, defaults, decorators and
  functions that ran while their own module was imported: the module is re-executed
  with the mutant in the child, and every test runs, those that reach the mutated lines
  first. Modules whose import depends on it are re-executed after it and test modules
  among them re-collected (`make_plan`). The first such mutant of a module checks it
  once (re-executed unmutated, every test must still pass); a module that fails the
  check, code a `conftest.py` ran at import, and every survivor go back to git-chimp as
  "fallback", to run from scratch.

In both, when a test fails after one that followed it in the baseline, the same tests
run again in the baseline's order, and that run decides.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from types import CodeType, FunctionType
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
)

from . import fork
from .collect import Collector, ImportFailed, Recollection, Test
from .lazy import as_written, imported_before, mutated_file, never_imported
from .protocol import Channel, Event, Request
from .reexecuting import Reexecution
from .swap import Chain, all_codes, differences, is_function, key_of, line_starts, own_lines
from .tracer import BaseTracer, Key, Line

T = TypeVar("T")

# A test's record of the traced baseline, as git-chimp keeps it (`protocol.jsonl`).
Record = Dict[str, Any]
# Where a mutant is, for the tests that killed mutants there: a line or a function.
Place = Union[Line, Key]
# A live function and the mutated code that goes into it.
Swap = Tuple[FunctionType, CodeType]


class BaselineRun(TypedDict):
    """What the baseline's child returns: a record per test, and whether the tracer
    stayed git-chimp's."""

    tests: list[Record]
    traced: bool


class RunResult(TypedDict, total=False):
    """What a child that ran tests returns: the first test that failed (`killed_by`,
    None when none did), and as the run needs, whether a test that followed it in the
    baseline ran before it (`out_of_order`), what raised while a module was
    re-executed or re-collected (`import_error`: what was done, the error), that
    re-collecting gave other tests (`recollected`), or how long re-executing took
    (`seconds`)."""

    killed_by: Optional[str]
    out_of_order: bool
    import_error: list[str]
    recollected: bool
    seconds: float


class Worker(Reexecution):
    """The warm worker: the baseline, the mutants and the requests, over the tests a
    front end loads and runs (`pytests.PytestWorker`, `unittests.UnittestWorker`)."""

    def __init__(self, config: dict[str, Any], channel: Channel, tracer: BaseTracer) -> None:
        self.channel = channel
        self.tracer = tracer
        self.files = config["files"]
        self.file_numbers: dict[str, int] = {
            path: number for number, path in enumerate(self.files)
        }
        self.result_path: str = config["result"]
        self.reexec = config.get("reexec", True)
        self.compiled: dict[int, CodeType] = {}
        self.traceable: dict[int, set[int]] = {}
        self.items = None
        # What ran while the tests were loaded (the front end's `collected`/`load`).
        self.import_lines: set[Line] = set()
        self.import_calls: set[Key] = set()
        self.tests = []  # (nodeid, duration) after the baseline
        self.records: list[Record] = []  # the traced baseline's records
        self.line_tests: dict[Line, list[int]] = {}
        self.call_tests: dict[Key, list[int]] = {}
        # a function's key -> tests that ran it partly untraced
        self.untraced_tests: dict[Key, list[int]] = {}
        # (file number, line) -> keys of the functions it is in
        self.line_owners: dict[Line, list[Key]] = {}
        self.file_tests: dict[int, set[int]] = {}
        self.baseline_items: list[Test | None] = []
        self.position: dict[str, int] = {}
        self.modules = None  # file number -> its one module object, or None
        self.checked = {}  # file number -> None (re-execution is safe) or why not
        self.copies = {}  # id(module) -> reexec.copies_elsewhere(module)
        self.plans = {}  # file number -> Worker.make_plan(number)
        self.by_name = {}  # id(module) -> reexec.imported_by_name(module)
        self.unmutated_runs = {}  # id(module) -> its unmutated re-execution
        self.ids_of = {}  # id(collector) -> the node ids it collected at the start
        # position -> the test's untraced seconds (traced, when unknown)
        self.plain: list[float] = []
        self.module_fixtures: dict[str, float] = {}  # test module -> its longest fixture seconds
        self.longest_fixture = 0.0
        self.fixture_seconds = 0.0  # setup and teardown of the test running now
        # Whether the worker's own code failed in the last child (`in_child`).
        self.last_child_failed = False
        self.reexec_seconds = {}  # file number -> seconds its unmutated re-execution took
        # (file number, line) or a function's key -> tests that killed there
        self.killers: dict[Place, list[int]] = {}
        self.prefer: dict[int, int] = {}  # position -> rank: the current mutant's nearby killers
        self.retraced: set[int] = set()  # positions of the tests this run traced
        self.partial = False  # whether some records are an earlier run's (`baseline`)
        self.verified: set[int] = set()  # positions of the tests seen to pass unmutated this run
        # file number -> whether a module of it was imported at the start
        self.loaded: dict[int, bool] = {}
        # Files under mutation already imported (by the test runner, or the worker's own
        # imports) before the tracer started: their import-time code went unseen.
        self.early = imported_before(self.files)

    def serve(self, failed: str | None) -> None:
        """Answer git-chimp's requests until they end; `failed`: why the worker cannot
        serve (the tests as collected), or None."""
        if failed is not None:
            self.channel.send({"event": "failed", "reason": failed})
            return
        assert self.items is not None
        self.channel.send({"event": "ready", "tests": len(self.items)})
        while True:
            request = self.channel.receive()
            if request is None:
                return
            if request["op"] == "baseline":
                self.channel.send(self.baseline(request))
            elif request["op"] == "records":
                self.record(request["records"], request["durations"])
                self.channel.send({"event": "recorded", "tests": len(self.tests)})
            elif request["op"] == "mutant":
                self.last_child_failed = False
                answer = self.mutant(request)
                if answer["event"] == "fallback" and self.last_child_failed:
                    # The console holds the failed child's output, traceback included:
                    # git-chimp keeps it as the mutant's worker log.
                    answer["worker_log"] = True
                self.channel.send(answer)

    def find_functions(self) -> None:
        """Every live function of the files under mutation, by key (what a swap puts
        the mutated code into)."""
        import gc
        import types

        self.functions: dict[Key, list[FunctionType]] = {}
        for obj in gc.get_objects():
            if isinstance(obj, types.FunctionType):
                number = self.tracer.file_of(obj.__code__.co_filename)
                if number is not None:
                    self.functions.setdefault(key_of(number, obj.__code__), []).append(obj)

    # what a front end gives (`pytests.PytestWorker`, `unittests.UnittestWorker`) -------

    def short_tracebacks(self) -> None:
        """In a child about to run a mutant's tests: make failure reports cheap."""
        raise NotImplementedError

    def test_collectors(self) -> dict[int, Collector]:
        """id(test module) -> what loaded its tests, for loading them again after the
        module is re-executed (`recollect`)."""
        raise NotImplementedError

    def collected_by(self, item: Test, collector: Collector) -> bool:
        """Whether test `item` was loaded by `collector` (from `test_collectors`)."""
        raise NotImplementedError

    def recollect(self, collector: Collector) -> Sequence[Test]:
        """The tests `collector` loads now (after its module was re-executed)."""
        raise NotImplementedError

    def test_module(self, nodeid: str) -> str:
        """The test module of the test `nodeid`."""
        raise NotImplementedError

    def run_items(
        self,
        items: Sequence[Test],
        on_item: Callable[[Test, float, bool], None] | None = None,
        allowances: Sequence[float] | None = None,
    ) -> str | None:
        """Run `items` in order; stop at the first failing one. Returns its id. With
        `allowances` (seconds, one per item), each test must end within its own. With
        `on_item`, run them all and report each as it ends; returns a test charged with
        a failure after it was reported, or None."""
        raise NotImplementedError

    # running tests in a child ---------------------------------------------------------

    def in_child(self, work: Callable[[], T], timeout: float) -> fork.ChildOutcome[T]:
        """`fork.in_child`, noting whether the worker's own code failed in the child
        (the last child of a request is the one whose output the console holds)."""
        outcome = fork.in_child(self.channel, self.result_path, work, timeout)
        self.last_child_failed = isinstance(outcome, fork.Exited) and outcome.worker_failed()
        return outcome

    def items_at(self, positions: Iterable[int]) -> list[Test]:
        items = (self.baseline_items[position] for position in positions)
        return [item for item in items if item is not None]

    # requests ---------------------------------------------------------------------------

    def baseline(self, request: Request) -> Event:
        """Run every test once in a child. Traced (the default): record which lines and
        functions each reaches, and send the records, so that git-chimp can give them to
        the other sandboxes' workers. Untraced: only each test's time, which sets the
        mutants' timeouts (`records` then brings the traced records)."""
        tracer = self.tracer
        traced = request.get("traced", True)
        # An earlier run's records of the tests that need no new trace (`reuse`): only
        # the others run, traced.
        reuse = {record["id"]: record for record in request.get("reuse") or ()}
        assert self.items is not None
        items = [item for item in self.items if item.nodeid not in reuse]

        def work() -> BaselineRun:
            records: list[Record] = []
            taken = []

            def on_item(item: Test, seconds: float, failed: bool) -> None:
                record = {
                    "id": item.nodeid,
                    "seconds": seconds,
                    "failed": failed,
                    "fixture": self.fixture_seconds,
                }
                if traced:
                    taken.append(tracer.take())
                records.append(record)

            if traced:
                tracer.take()
                tracer.start()
            late = self.run_items(items, on_item)
            for record in records:
                if record["id"] == late:
                    # A failure charged to it after its report (a tear-down after it).
                    record["failed"] = True
            active = not traced or tracer.active()
            tracer.stop()
            for record, (lines, calls, untraced) in zip(records, tracer.resolve(taken)):
                by_file: dict[int, list[int]] = {}
                for number, line in lines:
                    by_file.setdefault(number, []).append(line)
                record["lines"] = {str(k): sorted(v) for k, v in by_file.items()}
                record["calls"] = sorted(calls)
                if untraced:
                    record["untraced"] = sorted(untraced)
            return {"tests": records, "traced": active}

        started = time.perf_counter()
        outcome = self.in_child(work, request["timeout"])
        seconds = time.perf_counter() - started
        if not isinstance(outcome, fork.Finished):
            return {"event": "baseline_failed", "reason": outcome.describe()}
        if not outcome.value["traced"]:
            return {"event": "baseline_failed", "reason": "the tests replaced git-chimp's tracer"}
        records = outcome.value["tests"]
        if reuse:
            ran = {record["id"]: record for record in records}
            records = [
                ran.get(item.nodeid) or dict(reuse[item.nodeid], reused=True)
                for item in self.items
            ]
        durations = [[r["id"], r["seconds"], r["fixture"]] for r in records]
        failed = [record["id"] for record in records if record["failed"]]
        answer: Event = {
            "event": "baseline", "tests": len(items), "failed": failed, "seconds": seconds
        }
        if traced:
            self.record(records, None)
            answer["records"] = records
            answer["tracer"] = tracer.name
        answer["durations"] = durations
        return answer

    def record(self, records: list[Record] | None, durations: list[list[Any]] | None) -> None:
        """Index the traced baseline's records (built once, looked up per mutant), and
        the tests' untraced times (`durations`: [id, seconds, fixture seconds] each, from
        an untraced run; without them, the traced times stand in). `records` None:
        the ones recorded before."""
        if records is None:
            records = self.records
        self.records = records
        self.tests = []
        self.line_tests = {}
        self.call_tests = {}
        self.untraced_tests = {}
        self.file_tests = {}
        assert self.items is not None
        by_id = {item.nodeid: item for item in self.items}
        self.baseline_items = [by_id.get(record["id"]) for record in records]
        self.position = {record["id"]: index for index, record in enumerate(records)}
        plain = {entry[0]: entry[1:] for entry in durations or ()}
        self.plain = []
        self.module_fixtures = {}
        self.longest_fixture = 0.0
        # Records an earlier run traced (`reused`) stand for tests that did not reach
        # what changed since: the mutants' survivors then meet every test (`partial`).
        self.retraced = {i for i, record in enumerate(records) if not record.get("reused")}
        self.partial = len(self.retraced) < len(records)
        self.verified = set(self.retraced)
        for position, record in enumerate(records):
            self.tests.append((record["id"], record["seconds"]))
            seconds, fixture = plain.get(record["id"], (record["seconds"], record["fixture"]))
            self.plain.append(seconds)
            module = self.test_module(record["id"])
            self.module_fixtures[module] = max(self.module_fixtures.get(module, 0.0), fixture)
            self.longest_fixture = max(self.longest_fixture, fixture)
            for number, lines in record["lines"].items():
                self.file_tests.setdefault(int(number), set()).add(position)
                for line in lines:
                    self.line_tests.setdefault((int(number), line), []).append(position)
            for call in record["calls"]:
                self.call_tests.setdefault(tuple(call), []).append(position)
            for key in record.get("untraced", ()):
                self.untraced_tests.setdefault(tuple(key), []).append(position)
        # A class or module fixture runs the code once, for the first test that needs
        # it; the later tests of its module read what it made without touching the
        # file. Whoever meets every test of a file meets their whole test modules.
        members: dict[str, set[int]] = {}
        for position, record in enumerate(records):
            members.setdefault(self.test_module(record["id"]), set()).add(position)
        for tests in self.file_tests.values():
            for module in {self.test_module(records[position]["id"]) for position in tests}:
                tests.update(members[module])

    def only_bodies_that_slept(self, number: int, diffs: list[Chain]) -> bool:
        """Whether every change is inside a function that, like every function around
        it, never ran while the modules were imported and the tests collected."""
        for chain in diffs:
            if not is_function(chain[-1][0]):
                return False
            for old, _ in chain:
                if is_function(old) and key_of(number, old) in self.import_calls:
                    return False
        return bool(diffs)

    def out_of_order(
        self, killer: str, ran: Sequence[Test], at_start: Callable[[str], str] | None = None
    ) -> bool:
        """Whether a test that followed `killer` in the baseline ran before it in `ran`
        (`at_start` gives the baseline's id of a re-collected test)."""

        def baseline_id(nodeid: str) -> str:
            return at_start(nodeid) if at_start else nodeid

        limit = self.position.get(baseline_id(killer), -1)
        for item in ran:
            if item.nodeid == killer:
                return False
            if self.position.get(baseline_id(item.nodeid), -1) > limit:
                return True
        return False

    def original(self, number: int) -> CodeType:
        if number not in self.compiled:
            path = self.files[number]
            with open(path, "rb") as source:
                code = compile(source.read(), path, "exec", dont_inherit=True)
            self.compiled[number] = code
            self.traceable[number] = line_starts(code)
            for nested in all_codes(code):
                for line in own_lines(nested):
                    owners = self.line_owners.setdefault((number, line), [])
                    owners.append(key_of(number, nested))
        return self.compiled[number]

    def maybe_reached(self, number: int, lines: Iterable[int]) -> set[int]:
        """Tests that ran a function holding one of `lines` partly untraced (see
        `tracer.ENTRIES`): any of them may have reached those lines."""
        tests: set[int] = set()
        for line in lines:
            for key in self.line_owners.get((number, line), ()):
                tests.update(self.untraced_tests.get(key, ()))
        return tests

    def mutant(self, request: Request) -> Event:
        def fallback(reason: str) -> Event:
            return {"event": "fallback", "reason": reason}

        number = self.file_numbers.get(request["path"])
        if number is None:
            return fallback("not a file the worker traces")
        try:
            original = self.original(number)
            mutated = compile(request["source"], self.files[number], "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return fallback("Python cannot compile it: %s" % error)
        diffs = differences(original, mutated)
        kept = self.keeping_the_class_cell(original, request, diffs)
        if kept is not None:
            mutated, diffs = kept
        if not diffs:
            # The same code: no test can tell them apart (git-chimp's up-front check
            # for the plain runner, made here as each mutant comes).
            return {"event": "equivalent"}
        if number in self.early:
            return fallback(
                "the test runner imported it before the worker could trace its import"
            )

        first, last = request["lines"]
        traceable = [line for line in range(first, last + 1) if line in self.traceable[number]]
        reached: set[int] = set()
        if traceable:
            # A line that ran at import may only hold the definition of a function that
            # did not run then (a lambda in a module-level table): only its body changed.
            at_import = not self.only_bodies_that_slept(number, diffs) and any(
                (number, line) in self.import_lines for line in traceable
            )
            for line in traceable:
                reached.update(self.line_tests.get((number, line), ()))
            reached.update(self.maybe_reached(number, traceable))
        else:
            nodes = [chain[-1][0] for chain in diffs]
            at_import = any(
                len(chain) == 1 or key_of(number, node) in self.import_calls
                for chain, node in zip(diffs, nodes)
            )
            for node in nodes:
                reached.update(self.call_tests.get(key_of(number, node), ()))
        # A file nothing had imported when the tests were collected (imported inside a
        # function, on first use): the mutant is in the file while its tests run.
        lazy: bytes | None = None
        if not self.was_loaded(number):
            lazy = as_written(self.files[number], request["source"])
        if lazy is not None:
            at_import = False
            if not traceable:
                # No line of its own to look up: whatever test ran the file's code.
                reached = set(self.file_tests.get(number, ()))
        if not at_import and not reached and not self.partial:
            return {"event": "uncovered"}
        places: list[Place] = [(number, line) for line in range(first, last + 1)]
        places += [key_of(number, chain[-1][0]) for chain in diffs]
        self.prefer = self.killers_of(places)
        swaps: list[Swap] | str | None = (
            [] if lazy is not None else None if at_import else self.swaps(number, diffs)
        )
        if isinstance(swaps, list):
            if self.partial:
                # Only some tests were traced this run: the others meet the mutant too.
                others = set(range(len(self.records))) - reached
            else:
                others = self.file_tests.get(number, set()) - reached
            in_file: AbstractContextManager[None] = (
                nullcontext() if lazy is None else mutated_file(self.files[number], lazy)
            )
            with in_file:
                answer = self.decide(request, swaps, None, reached, others)
            if not reached and answer["event"] == "survived":
                return {"event": "uncovered"}
            return self.unless_unmutated_fails(request, self.learn(places, answer))
        if not at_import and not reached:
            return fallback("no traced test reaches it and %s" % swaps)
        # Code that ran at import, or a function made by code that did (a decorator's
        # wrapper): only re-executing the module puts the mutant everywhere.
        why = self.why_not_reexecute(number, diffs, request["timeout"])
        if why is not None:
            context = swaps or "the mutated code runs while the modules are imported"
            return fallback("%s; %s" % (context, why))
        answer = self.reexecuted(request, number, mutated, diffs, reached)
        return self.unless_unmutated_fails(request, self.learn(places, answer))

    def unless_unmutated_fails(self, request: Request, answer: Event) -> Event:
        """In a partial run (some records are an earlier run's, `record`), a detection
        that rests on tests this run has not yet seen pass unmutated stands only once
        those tests, run the same way in the same order without the mutant, pass: the
        tests the map stood for never ran on this code before. `answer` when they pass
        (or need no check), else `unmutated_fails`: the code fails without any mutant."""
        if not self.partial or answer["event"] not in ("killed", "timeout"):
            return answer
        ran = list(answer.get("tests") or ())
        killer = answer.get("by")
        if killer is not None:
            ran = ran[: ran.index(killer) + 1] if killer in ran else [killer]
        positions = [self.position[nodeid] for nodeid in ran if nodeid in self.position]
        if all(position in self.verified for position in positions):
            return answer
        items = self.items_at(positions)

        def work() -> RunResult:
            self.short_tracebacks()
            sys.stdout.write(
                "git-chimp: the same %d test(s) without the mutant: %s\n"
                % (len(items), " ".join(item.nodeid for item in items))
            )
            sys.stdout.flush()
            return {"killed_by": self.run_items(items, allowances=self.allowances(request, items))}

        outcome = self.in_child(work, self.limit(request, items))
        if isinstance(outcome, fork.Finished) and not outcome.value["killed_by"]:
            self.verified.update(positions)
            return answer
        if isinstance(outcome, fork.TimedOut):
            # Maybe only the other sandboxes' load: a run from scratch decides, after the
            # whole test command has passed unmutated once.
            return {
                "event": "fallback",
                "reason": "the tests that detected it ran past their time without it too",
            }
        if isinstance(outcome, fork.Finished):
            failure = "%s fails" % outcome.value["killed_by"]
        else:
            failure = outcome.describe()
        return {
            "event": "unmutated_fails",
            "reason": "%s without any mutant (%d test(s): %s)"
            % (failure, len(items), " ".join(item.nodeid for item in items[:5])),
        }

    def was_loaded(self, number: int) -> bool:
        """Whether anything of file `number` was in the worker's process when the tests
        were collected: a module object from it, a line of it run, a function of it."""
        if number not in self.loaded:
            self.loaded[number] = (
                not never_imported(self.files[number])
                or any(line[0] == number for line in self.import_lines)
                or any(key[0] == number for key in self.functions)
            )
        return self.loaded[number]

    def keeping_the_class_cell(
        self, original: CodeType, request: Request, diffs: list[Chain]
    ) -> tuple[CodeType, list[Chain]] | None:
        """When the mutant drops a method's last use of `super()` (or `__class__`), the
        method no longer takes the class's `__class__` cell, so its class body, which
        hands the cell to it, differs too: only re-executing the module would put it in.
        `__class__` appended to the mutated line as a statement of its own (a no-op once
        the class exists) keeps the cell, so only the method differs and is swapped.
        Returns (code, differences) that way, or None."""
        if not any(
            not is_function(chain[-1][0]) and "__class__" in chain[-1][0].co_cellvars
            for chain in diffs
        ):
            return None
        lines = request["source"].splitlines(True)
        number = self.file_numbers[request["path"]]
        with open(self.files[number], "rb") as source:
            before = source.read().decode("utf-8", "replace").count("\n")
        # The change's last line in the mutated text (a deletion may have shortened it).
        first, last = request["lines"]
        last += request["source"].count("\n") - before
        if not first <= last <= len(lines):
            return None
        text = lines[last - 1]
        body = text.rstrip("\r\n")
        lines[last - 1] = body + "; __class__" + text[len(body):]
        try:
            mutated = compile("".join(lines), self.files[number], "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return None
        kept = differences(original, mutated)
        if not kept or not all(is_function(chain[-1][0]) for chain in kept):
            return None
        return mutated, kept

    def killers_of(self, places: Sequence[Place]) -> dict[int, int]:
        """Tests that killed earlier mutants at `places` (the mutant's lines, then its
        functions): position -> rank (the nearer, the lower), to run first."""
        rank: dict[int, int] = {}
        for index, place in enumerate(reversed(places)):
            for position in self.killers.get(place, ()):
                rank[position] = len(places) - index
        return rank

    def learn(self, places: Sequence[Place], answer: Event) -> Event:
        """Remember which test killed the mutant, for the next mutants at `places`."""
        position = self.position.get(answer["by"]) if answer["event"] == "killed" else None
        if position is not None:
            for place in places:
                killers = self.killers.setdefault(place, [])
                if position not in killers:
                    killers.append(position)
        return answer

    def swaps(self, number: int, diffs: list[Chain], at_import: bool = False) -> list[Swap] | str:
        """The (function, new code) pairs that put the mutant into the live functions,
        or why that cannot be done. With `at_import` the module is re-executed too, so
        functions that ran at import are swapped as well (for copies held elsewhere),
        and what cannot be swapped is left to the re-execution."""
        swaps: list[Swap] = []
        for chain in diffs:
            if not is_function(chain[-1][0]):
                if at_import:
                    continue
                return "module level or class body"
            outermost = next(i for i, (old, _) in enumerate(chain) if is_function(old))
            for position, (old, new) in enumerate(chain[outermost:]):
                key = key_of(number, old)
                if key in self.import_calls and not at_import:
                    return "%s ran while the modules were imported" % old.co_name
                if old.co_freevars != new.co_freevars:
                    if at_import:
                        break
                    return "the free variables of %s change" % old.co_name
                live = self.functions.get(key, [])
                if len({id(function.__code__) for function in live}) > 1:
                    # Two definitions share the key (lambdas on one line): keep the ones
                    # whose code is this definition's.
                    live = [function for function in live if function.__code__ == old]
                    if not live and not at_import:
                        return "cannot tell apart the functions of %s" % old.co_name
                if position == 0 and not live and not at_import:
                    return "no live function object for %s" % old.co_name
                swaps.extend((function, new) for function in live)
        return swaps

    def seconds_of(
        self, items: Sequence[Test], at_start: Callable[[str], str] | None = None
    ) -> list[float]:
        """The untraced time of each of `items` when run in this order: its own, plus its
        module's longest fixture time when it is the first of its module, plus the
        longest of all for the first test (a test run alone may set up what another set
        up in the baseline). `at_start` gives the baseline's id of a re-collected test;
        one the baseline did not have counts as the longest test."""
        seconds: list[float] = []
        modules: set[str] = set()
        for index, item in enumerate(items):
            nodeid = at_start(item.nodeid) if at_start else item.nodeid
            position = self.position.get(nodeid)
            own = self.plain[position] if position is not None else max(self.plain, default=0.0)
            module = self.test_module(item.nodeid)
            if module not in modules:
                modules.add(module)
                own += self.module_fixtures.get(module, 0.0)
            if index == 0:
                own += self.longest_fixture
            seconds.append(own)
        return seconds

    def allowances(
        self,
        request: Request,
        items: Sequence[Test],
        at_start: Callable[[str], str] | None = None,
    ) -> list[float] | None:
        """With a rule [k, c]: how long each of `items` may take, k x its time
        (`seconds_of`) + c; None without a rule."""
        rule = request.get("rule")
        if not rule:
            return None
        k, c = rule
        return [k * seconds + c for seconds in self.seconds_of(items, at_start)]

    def limit(self, request: Request, items: Sequence[Test], extra: float = 0.0) -> float:
        """How long a child may run `items`: with a rule [k, c], k x (their times and
        `extra`) + c, never more than the request's timeout; without one, that timeout."""
        rule = request.get("rule")
        if not rule:
            return request["timeout"]
        k, c = rule
        return min(request["timeout"], k * (sum(self.seconds_of(items)) + extra) + c)

    def decide(
        self,
        request: Request,
        swaps: Sequence[Swap],
        reexecute: Callable[[], Recollection] | None,
        reached: set[int],
        others: set[int],
        extra: float = 0.0,
    ) -> Event:
        """Run the mutant's tests in a child and say what happened. Swapped: `reached`
        fastest first, then (before calling it a survivor) `reached` and `others` in
        the baseline's order. Re-executed (`reexecute` puts the mutant in first):
        `reached` fastest first, then `others` in the baseline's order. A failure, hang
        or crash out of the baseline's order is run again in that order, which decides."""

        def run(selected: list[Test]) -> fork.ChildOutcome[RunResult]:
            def work() -> RunResult:
                os.environ["CHIMP_MUTANT"] = request["id"]
                self.short_tracebacks()
                items = selected
                at_start: Callable[[str], str] | None = None
                if reexecute is not None:
                    rule = request.get("rule")
                    if rule:
                        # A module that hangs at import: its own import time's rule.
                        fork.watch(rule[0] * extra + rule[1])
                    try:
                        recollection = reexecute()
                    except ImportFailed as error:
                        return {"killed_by": None, "import_error": list(error.args)}
                    items = recollection.apply(selected)
                    at_start = recollection.at_start
                # Each test its own deadline, in the order they run.
                allowances = self.allowances(request, items, at_start)
                for function, code in swaps:
                    function.__code__ = code
                sys.stdout.write(
                    "git-chimp: mutant %s, %d test(s): %s\n"
                    % (request["id"], len(selected), " ".join(i.nodeid for i in selected))
                )
                # In the console file at once: it says what runs while the tests run.
                sys.stdout.flush()
                killer = self.run_items(items, allowances=allowances)
                return {
                    "killed_by": killer,
                    "out_of_order": bool(killer and self.out_of_order(killer, items, at_start)),
                }

            limits.append(self.limit(request, selected, extra))
            return self.in_child(work, limits[-1])

        limits: list[float] = []
        # Tests that killed mutants nearby first (same line, then same function), then
        # the fastest.
        fastest = sorted(
            reached,
            key=lambda position: (self.prefer.get(position, 1 << 30), self.plain[position]),
        )
        in_order = sorted(set(reached) | set(others))
        chosen = fastest if reexecute is None else fastest + sorted(set(others) - set(reached))
        selected = self.items_at(chosen)
        outcome = run(selected)
        if isinstance(outcome, fork.Finished) and "import_error" in outcome.value:
            return {"event": "import_error", "error": outcome.value["import_error"]}

        if (
            isinstance(outcome, fork.Finished)
            and outcome.value["killed_by"]
            and outcome.value["out_of_order"]
        ):
            # A test that came after the failing one in the baseline ran before it: make
            # sure the failure is the mutant's, not that test's leftovers.
            selected = self.items_at(in_order)
            outcome = run(selected)
        elif (
            isinstance(outcome, fork.TimedOut)
            or (isinstance(outcome, fork.Exited) and outcome.died_of_a_test())
        ) and chosen != sorted(chosen):
            # A hang or a crash with the tests out of the baseline's order: the same
            # check as for a failure, since no test's report names the culprit. (In
            # order, the hang is the mutant's: a fresh run meets the same tests so.)
            selected = self.items_at(in_order)
            outcome = run(selected)
        if (
            isinstance(outcome, fork.Finished)
            and not outcome.value["killed_by"]
            and reexecute is None
            and others
        ):
            # The baseline saw which tests reach these lines with the other tests' state
            # around (a cache one test fills is read by the next). Before calling the
            # mutant a survivor, every test that touches the file runs, in the
            # baseline's order.
            selected = self.items_at(in_order)
            outcome = run(selected)
        ran = [item.nodeid for item in selected]
        if isinstance(outcome, fork.TimedOut):
            # The hanging test's own allowance, or the whole run's.
            return {"event": "timeout", "tests": ran, "limit": outcome.seconds or limits[-1]}
        if isinstance(outcome, fork.Finished):
            killer = outcome.value["killed_by"]
            if killer:
                return {"event": "killed", "by": killer, "tests": ran}
            return {"event": "survived", "tests": ran}
        if outcome.died_of_a_test():
            return {"event": "killed", "by": None, "tests": ran, "reason": outcome.describe()}
        return {"event": "fallback", "reason": outcome.describe()}
