"""A concrete input for a survivor (#29), in the worker: after a swapped mutant survived,
a forked child calls the changed function, original and mutated, on the arguments the
traced baseline copied (`tracer.BaseTracer.keep_arguments`) and on their neighbours
and on the method's object with one attribute as another recorded object holds it
(`probe.first_difference`). The first call on which they differ becomes the survivor's
`input`, an assertion a team can paste; without one, `no_input` says why. The calls'
side effects stay in the child. `Probing` is a part of `warm.Worker`."""

from __future__ import annotations

import sys
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Tuple

from . import fork
from .probe import constants_of, first_difference, load
from .swap import key_of

if TYPE_CHECKING:
    from .core import Core
    from .protocol import Event
    from .swapping import Swap
    from .tracer import Input, Key
else:
    Core = object

# How long a survivor's probe may take, and how many calls it may make.
SECONDS = 2.0
CALLS = 60
# How many copied calls of the file give their objects' states to a method's probe.
DONORS = 24

# Code flags of generators and coroutines (`inspect.CO_GENERATOR`, ...): their calls
# return objects whose results a probe cannot compare.
LAZY_RESULTS = 0x20 | 0x80 | 0x100 | 0x200


class Probing(Core):
    """The survivors' probe (mixed into `warm.Worker`)."""

    # function key -> (its copied calls, why none could be copied), from `take_inputs`
    copied: Dict[Key, Tuple[List[str], str]]

    # file number -> the copied calls of its functions (the donors of object states)
    copied_in: Dict[int, List[str]]

    def take_inputs(self, inputs: Sequence[Input]) -> None:
        """Index the traced baseline's copied calls (`tracer.inputs_of`), once."""
        self.copied = {(n, line, name): (kept, why) for n, line, name, kept, why in inputs}
        self.copied_in = {}
        for n, _, _, kept, _ in inputs:
            self.copied_in.setdefault(n, []).extend(kept)

    def with_input(self, answer: Event, number: int, swaps: Sequence[Swap]) -> Event:
        """`answer` with the survivor's `input` or `no_input` when it is a survivor of
        swapped functions; else `answer` as it is."""
        if answer["event"] != "survived" or not swaps:
            return answer
        found = self.probe(number, swaps)
        return dict(answer, **found)

    def probe(self, number: int, swaps: Sequence[Swap]) -> Dict[str, str]:
        copies = self.copied
        # The innermost changed function whose calls were copied (swaps go outside in).
        target: FunctionType | None = None
        why = ""
        for function, _ in reversed(swaps):
            kept, reason = copies.get(key_of(number, function.__code__), ([], ""))
            if kept:
                target = function
                break
            why = why or reason
        if target is None:
            name = swaps[-1][0].__name__
            return {"no_input": why and "%s: %s" % (name, why) or
                    "no call of %s was copied in the baseline" % name}
        code = target.__code__
        name = target.__qualname__
        if "<" in name:
            return {"no_input": "%s is not reachable by name from a test" % name}
        if code.co_flags & LAZY_RESULTS:
            return {"no_input": "%s returns a generator or coroutine" % name}
        kept, _ = copies[key_of(number, code)]
        originals = [(function, function.__code__) for function, _ in swaps]
        changed: FunctionType = target

        def called(codes: Sequence[Tuple[FunctionType, CodeType]]) -> Any:
            def call(*args: Any, **kwargs: Any) -> Any:
                for each, body in codes:
                    each.__code__ = body
                return changed(*args, **kwargs)

            return call

        def work() -> Dict[str, Any]:
            sys.stdout.write("git-chimp: looking for an input that tells %s apart\n" % name)
            sys.stdout.flush()
            # The numbers of both versions: a moved boundary shows next to them.
            constants = constants_of(code, *(body for _, body in swaps))
            difference, tried = first_difference(
                name, called(originals), called(swaps), code, kept, CALLS, constants,
                changed.__globals__, donors(self.copied_in.get(number, [])),
            )
            if difference is None:
                return {"tried": tried}
            try:
                text = difference.assertion()
            except Exception:  # a value whose repr or equality fails: said plainly
                return {"input": difference.words() + " differs from the mutant's"}
            if is_assertion(text) and not (
                holds(text, originals, changed.__globals__)
                and not holds(text, swaps, changed.__globals__)
            ):
                # Written out, it does not tell them apart (an equality that runs the
                # mutated code too): said in words instead.
                return {"input": difference.said(None, difference.change())}
            return {"input": text}

        outcome = self.in_child(work, SECONDS)
        if isinstance(outcome, fork.Finished):
            if "input" in outcome.value:
                return {"input": outcome.value["input"]}
            return {"no_input": "none of %d calls of %s differs" % (outcome.value["tried"], name)}
        if isinstance(outcome, fork.TimedOut):
            return {"no_input": "none found within %.0f s" % SECONDS}
        return {"no_input": "the probe of %s ended: %s" % (name, outcome.describe())}


def donors(copies: Sequence[str]) -> List[Any]:
    """The argument values of up to `DONORS` copied calls of a file's functions: the
    states other objects of a method's class were in (in the probe's child)."""
    out: List[Any] = []
    for copied in copies[:DONORS]:
        try:
            out.extend(load(copied).values())
        except Exception:
            continue  # a copy that does not load here
    return out


def is_assertion(text: str) -> bool:
    """Whether a probe's input is a test (not words)."""
    return text.startswith(("from ", "assert ", "with pytest.raises"))


def holds(
    text: str, codes: Sequence[Tuple[FunctionType, CodeType]], namespace: Dict[str, Any]
) -> bool:
    """Whether the assertion `text` passes with `codes` in their functions, run in a
    copy of the module's `namespace` (in the probe's child)."""
    for function, body in codes:
        function.__code__ = body
    scope = dict(namespace)
    try:
        if "pytest.raises" in text:
            import pytest

            scope["pytest"] = pytest
        exec(compile(text, "<git-chimp input>", "exec"), scope)
    except Exception:
        return False
    return True
