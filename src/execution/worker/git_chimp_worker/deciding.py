"""Running a mutant's tests in children and saying what happened: which tests run and
in which order (`decide`: those that reached the mutant, killers of nearby mutants
first, then the fastest; a failure or hang out of the baseline's order run again in
that order), each test's time allowance (`seconds_of`, `allowances`, `limit`), the
killers remembered for the next mutants (`killers_of`, `learn`), and, in a partial run,
the check that the detecting tests pass without the mutant (`unless_unmutated_fails`).
`Deciding` is a part of `warm.Worker`, kept here as one concept."""

from __future__ import annotations

import os
import sys
from typing import (
    TYPE_CHECKING,
    Callable,
    Optional,
    Sequence,
    TypedDict,
    Union,
)

from . import fork
from .collect import ImportFailed, Recollection, Test
from .tracer import Key, Line

if TYPE_CHECKING:
    from .protocol import Event, Request
    from .swapping import Swap

# Where a mutant is, for the tests that killed mutants there: a line or a function.
Place = Union[Line, Key]


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


if TYPE_CHECKING:
    from .core import Core
else:
    Core = object


class Deciding(Core):
    """The worker's test runs for a mutant and their verdict (mixed into `warm.Worker`)."""

    # Set up by `warm.Worker.__init__` and `warm.Worker.record`.
    position: dict[str, int]
    by_id: dict[str, Test]
    plain: list[float]
    module_fixtures: dict[str, float]
    longest_fixture: float
    killers: dict[Place, list[int]]
    prefer: dict[int, int]
    partial: bool
    verified: set[int]

    if TYPE_CHECKING:
        # `warm.Worker`'s.
        def short_tracebacks(self) -> None: ...

        def test_module(self, nodeid: str) -> str: ...


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
        known = [self.position.get(nodeid) for nodeid in ran]
        positions = [position for position in known if position is not None]
        if len(positions) == len(known) and all(p in self.verified for p in positions):
            return answer
        items = [self.by_id[nodeid] for nodeid in ran if nodeid in self.by_id]

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
