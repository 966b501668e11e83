"""The warm mode: collect once, trace a baseline, then fork a child per mutant.

A mutant's child puts the mutant in one of two ways and runs tests until the first
failure:

- **Swap** (`swapping.py`). When only bodies of functions that did not run while the modules were
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
run again in the baseline's order, and that run decides (`deciding.py`).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from types import CodeType, FunctionType
from typing import Any, Callable, Dict, Iterable, Sequence, TypedDict, TypeVar

from . import fork
from .collect import Collector, Test
from .deciding import Deciding, Place
from .lazy import as_written, imported_before, mutated_file, never_imported
from .protocol import Channel, Event, Request
from .probing import Probing
from .reexecuting import Reexecution
from .swap import all_codes, differences, key_of, line_starts, own_lines
from .swapping import Swap, Swapping
from .tracer import BaseTracer, Input, Key, Line, inputs_of

T = TypeVar("T")

# A test's record of the traced baseline, as git-chimp keeps it (`protocol.jsonl`).
Record = Dict[str, Any]


class BaselineRun(TypedDict):
    """What the baseline's child returns: a record per test, and whether the tracer
    stayed git-chimp's."""

    tests: list[Record]
    traced: bool
    inputs: list[Input]


class Worker(Reexecution, Swapping, Deciding, Probing):
    """The warm worker: the baseline, the mutants and the requests, over the tests a
    front end loads and runs (`pytests.PytestWorker`, `unittests.UnittestWorker`). How a
    mutant goes in is `Swapping` (`swapping.py`) or `Reexecution` (`reexecuting.py`); how
    its tests run and what they say is `Deciding` (`deciding.py`)."""

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
        # position -> this worker's tests for the record: the one with its id, or, when
        # this worker collected that id as another case or not at all, every test of
        # its function (`record`)
        self.baseline_items: list[list[Test]] = []
        self.position: dict[str, int] = {}  # node id -> its record, when it is the same case
        self.by_id: dict[str, Test] = {}  # node id -> the test this worker collected
        # The traced baseline's copies of calls' arguments (`tracer.inputs_of`)
        self.copied = {}  # the traced baseline's copied calls (`Probing.take_inputs`)
        self.copied_in = {}  # and by file
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
                records = request["records"]
                if "inputs" in request:
                    self.take_inputs(request["inputs"])
                unmatched = self.record(records, request["durations"], own=records is None)
                self.channel.send(
                    {"event": "recorded", "tests": len(self.tests), "unmatched": unmatched}
                )
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

    def case_of(self, item: Test) -> str:
        """What makes `item` the case it is beyond its id (a parametrised test's values),
        the same in every process for the same case; "" when its id says it all."""
        return ""

    def family_of(self, nodeid: str) -> str:
        """The test function a parametrised test's `nodeid` is a case of."""
        return nodeid

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
        """The tests of the records at `positions`, in their order, each once."""
        seen: set[int] = set()
        items = []
        for position in positions:
            for item in self.baseline_items[position]:
                if id(item) not in seen:
                    seen.add(id(item))
                    items.append(item)
        return items

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
                    "case": self.case_of(item),
                    "seconds": seconds,
                    "failed": failed,
                    "fixture": self.fixture_seconds,
                }
                if traced:
                    taken.append(tracer.take())
                records.append(record)

            if traced:
                tracer.take()
                tracer.keeping = True
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
            return {"tests": records, "traced": active, "inputs": inputs_of(tracer)}

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
            # An earlier run's records name tests collected in another process.
            self.record(records, None, own=not reuse)
            answer["records"] = records
            answer["inputs"] = outcome.value["inputs"]
            self.take_inputs(outcome.value["inputs"])
            answer["tracer"] = tracer.name
        answer["durations"] = durations
        return answer

    def record(
        self,
        records: list[Record] | None,
        durations: list[list[Any]] | None,
        own: bool = True,
    ) -> int:
        """Index the traced baseline's records (built once, looked up per mutant), and
        the tests' untraced times (`durations`: [id, seconds, fixture seconds] each, from
        an untraced run; without them, the traced times stand in). `records` None:
        the ones recorded before. `own`: this process collected the tests the records
        name. Returns how many records name a test this worker collected as another
        case (a parametrisation over a set, ordered by hashes that differ between
        processes) or not at all: each stands for every test of its function."""
        if records is None:
            records = self.records
        self.records = records
        self.tests = []
        self.line_tests = {}
        self.call_tests = {}
        self.untraced_tests = {}
        self.file_tests = {}
        assert self.items is not None
        by_id = self.by_id = {item.nodeid: item for item in self.items}
        families: dict[str, list[Test]] = {}
        for item in self.items:
            families.setdefault(self.family_of(item.nodeid), []).append(item)
        self.baseline_items = []
        self.position = {}
        unmatched = 0
        for index, record in enumerate(records):
            same = by_id.get(record["id"])
            if same is not None and (own or record.get("case", "") == self.case_of(same)):
                self.baseline_items.append([same])
                self.position[record["id"]] = index
            else:
                unmatched += 1
                self.baseline_items.append(families.get(self.family_of(record["id"]), []))
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
        return unmatched

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
            answer = self.with_input(answer, number, swaps)
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
