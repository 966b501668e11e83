"""A concrete input for a survivor (#29), in the worker: after a swapped mutant survived,
a forked child calls the changed function, original and mutated, on the arguments the
traced baseline copied (`tracer.BaseTracer.keep_arguments`), on their neighbours, and
with one attribute of an object argument as another recorded object holds it
(`probe.first_difference`). The first call on which they differ becomes the survivor's
`input`, an assertion a team can paste; without one, `no_input` says why. A survivor
of a re-executed module (`reexecuted_input`) is probed on the module's functions whose
code or defaults the re-execution changed, or else on those that read a value it
changed (`readers`). The calls' side effects stay in the child.
`Probing` is a part of `warm.Worker`."""

from __future__ import annotations

import sys
import time
from types import CodeType, FunctionType, ModuleType
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Sequence, Tuple

from . import fork, readers
from .calls import parameters, same
from .probe import constants_of, fields_of, first_difference, keys_of, load, turns
from .swap import differences, key_of
from .written import Difference, Recipe, Recipes

if TYPE_CHECKING:
    from .core import Core
    from .protocol import Event
    from .swapping import Swap
    from .tracer import Input, Key
else:
    Core = object

# How long a survivor's probe may take, and how many calls it may make.
SECONDS = 2.0
CALLS = 200
# How many copied calls of the file give their objects' states to a probe.
DONORS = 200
# How many copied calls of a class's methods are tried to write one of its objects.
RECIPES = 30

# Code flags of generators and coroutines (`inspect.CO_GENERATOR`, ...): their calls
# return objects whose results a probe cannot compare.
LAZY_RESULTS = 0x20 | 0x80 | 0x100 | 0x200


class Probing(Core):
    """The survivors' probe (mixed into `warm.Worker`)."""

    # function key -> (its copied calls, why none could be copied), from `take_inputs`
    copied: Dict[Key, Tuple[List[str], str]]

    # file number -> the copied calls of its functions, the functions taking turns (the
    # donors of object states and of values by name)
    copied_in: Dict[int, List[str]]

    def take_inputs(self, inputs: Sequence[Input]) -> None:
        """Index the traced baseline's copied calls (`tracer.inputs_of`), once."""
        self.copied = {(n, line, name): (kept, why) for n, line, name, kept, why in inputs}
        by_file: Dict[int, List[List[str]]] = {}
        for n, _, _, kept, _ in inputs:
            by_file.setdefault(n, []).append(kept)
        # Each function's first copy, then each one's second, ...: the first `DONORS`
        # hold every function's calls, not the first functions' only.
        self.copied_in = {n: list(turns(lists)) for n, lists in by_file.items()}

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
            until = deadline()
            sys.stdout.write("git-chimp: looking for an input that tells %s apart\n" % name)
            sys.stdout.flush()
            # The numbers of both versions: a moved boundary shows next to them.
            constants = constants_of(code, *(body for _, body in swaps))
            keys = keys_of(code, *(body for _, body in swaps))
            values, named = donors(self.copied_in.get(number, []))
            namespace = changed.__globals__

            texts: Dict[int, str] = {}

            def tested(difference: Difference) -> str:
                """The difference as it is given (written once)."""
                if id(difference) in texts:
                    return texts[id(difference)]
                text, words = written(difference)
                if is_assertion(text) and not (
                    holds(text, originals, namespace) and not holds(text, swaps, namespace)
                ):
                    # Written out, it does not tell them apart (an equality that runs
                    # the mutated code too): said in words instead.
                    text = words
                texts[id(difference)] = text
                return text

            difference, tried = first_difference(
                name, called(originals), called(swaps), code, kept, calls=CALLS,
                constants=constants, namespace=namespace, donors=values, named=named,
                keys=keys, wanted=lambda found: is_assertion(tested(found)), until=until,
                recipes=recipes_of(copies, number),
            )
            if difference is None:
                return {"no_input": "none of %d calls of %s differs" % (tried, name)}
            return {"input": tested(difference)}

        found = self.probed(work, name)
        found.pop("words", None)
        return found

    def probed(self, work: Callable[[], Dict[str, Any]], name: str) -> Dict[str, str]:
        """Run a probe's `work` in a child: what it found (`input`, and its `words`), or
        `no_input`."""
        outcome = self.in_child(work, SECONDS)
        if isinstance(outcome, fork.Finished):
            return {key: str(value) for key, value in outcome.value.items()}
        if isinstance(outcome, fork.TimedOut):
            return {"no_input": "none found within %.0f s" % SECONDS}
        return {"no_input": "the probe of %s ended: %s" % (name, outcome.describe())}

    def reexecuted_input(
        self,
        number: int,
        module: ModuleType,
        reexecute: Callable[[], object],
        plan: Sequence[Tuple[ModuleType, int]] = (),
    ) -> Dict[str, str]:
        """The `input` (or `no_input`) of a survivor of re-executing file `number`'s
        `module` (`reexecute` puts the mutant in): in a child, the first of the module's
        functions whose code or defaults the re-execution changed, and whose calls were
        copied, is called before and after it; a parameter whose default changed is left
        out too; else the functions of the modules under mutation (`plan`, with their
        file numbers) that read a value it changed. The original of the function runs
        with the re-executed module's globals, so an assertion found is checked on the
        original module in a second child, and said in words when it does not hold
        there."""
        copies = self.copied
        donated = self.copied_in.get(number, [])
        namespace = module.__dict__

        def work() -> Dict[str, Any]:
            until = deadline()
            before = functions_in(module, number)
            reexecute()
            after = functions_in(module, number)
            why = "no function of %s with copied calls changed" % module.__name__
            budget = CALLS
            values, named = donors(donated)
            for key in sorted(before):
                old, new = before[key], after.get(key)
                kept = copies.get(key, ([], ""))[0]
                if (
                    new is None
                    or not kept
                    or old.__code__.co_flags & LAZY_RESULTS
                    or "<" in old.__qualname__  # a lambda, a nested function
                ):
                    continue
                defaults = changed_defaults(old, new)
                if not defaults and not differences(old.__code__, new.__code__):
                    continue
                name = old.__qualname__
                constants = constants_of(old.__code__, new.__code__)
                difference, tried = first_difference(
                    name, old, new, old.__code__, kept, calls=budget, constants=constants,
                    namespace=namespace, donors=values, defaults=defaults, named=named,
                    keys=keys_of(old.__code__, new.__code__),
                    wanted=lambda found: is_assertion(told(found)["input"]), until=until,
                    recipes=recipes_of(copies, number),
                )
                budget -= tried
                if difference is not None:
                    return told(difference)
                why = "none of %d calls of %s differs" % (tried, name)
                if budget <= 0:
                    break
            return {"no_input": why}

        found = self.probed(work, module.__name__)
        if found.get("no_input", "").startswith("no function of "):
            found = self.readers_input(list(plan) or [(module, number)], reexecute) or found
        words = found.pop("words", "")
        if "input" not in found or not is_assertion(found["input"]):
            return found
        text = found["input"]
        check = self.in_child(lambda: holds(text, [], namespace), SECONDS)
        if isinstance(check, fork.Finished) and check.value:
            return found
        return {"input": words}

    def readers_input(
        self, plan: Sequence[Tuple[ModuleType, int]], reexecute: Callable[[], object]
    ) -> Dict[str, str]:
        """When the mutant of a re-executed module changed no function: the functions of
        the modules under mutation (`plan`, with their file numbers) that read a value
        it changed, probed across two children (`readers`); {} when none reads one."""
        modules = [module for module, _ in plan]
        changed = self.in_child(
            lambda: sorted(readers.changed_names(modules, reexecute)), SECONDS
        )
        if not isinstance(changed, fork.Finished) or not changed.value:
            return {}
        names = set(changed.value)
        copies = self.copied

        def functions() -> Dict[Any, FunctionType]:
            out: Dict[Any, FunctionType] = {}
            for module, number in plan:
                out.update(functions_in(module, number))
            return out

        def original() -> List[readers.Recorded]:
            return readers.record(
                readers.readers(functions(), copies, names), CALLS,
                readers.held_numbers(modules, names),
            )

        recorded = self.in_child(original, SECONDS)
        if not isinstance(recorded, fork.Finished) or not recorded.value:
            return {}
        calls = recorded.value

        def mutant() -> Dict[str, Any]:
            reexecute()
            difference, tried = readers.compare(calls, functions())
            if difference is None:
                return {"no_input": "none of %d calls of the readers of %s differs" % (
                    tried, ", ".join(sorted(names)[:3]))}
            return told(difference)

        return self.probed(mutant, modules[0].__name__)


def functions_in(module: ModuleType, number: int) -> Dict[Any, FunctionType]:
    """The functions of `module` and the methods of its classes, by `key_of`."""
    out: Dict[Any, FunctionType] = {}
    for value in list(vars(module).values()):
        found = [value]
        if isinstance(value, type) and value.__module__ == module.__name__:
            found.extend(vars(value).values())
        for each in found:
            function = getattr(each, "__func__", each)
            if isinstance(function, FunctionType) and function.__module__ == module.__name__:
                out[key_of(number, function.__code__)] = function
    return out


def changed_defaults(old: FunctionType, new: FunctionType) -> List[str]:
    """The parameters whose default differs between two versions of a function."""
    code = old.__code__
    names = parameters(code)
    out: List[str] = []
    before, after = old.__defaults__ or (), new.__defaults__ or ()
    positional = names[: code.co_argcount]
    if len(before) != len(after):
        return positional[code.co_argcount - max(len(before), len(after)) :]
    for name, a, b in zip(positional[code.co_argcount - len(before) :], before, after):
        if not same(a, b):
            out.append(name)
    keywords_before, keywords_after = old.__kwdefaults__ or {}, new.__kwdefaults__ or {}
    for name in set(keywords_before) | set(keywords_after):
        if name not in keywords_before or name not in keywords_after or not same(
            keywords_before[name], keywords_after[name]
        ):
            out.append(name)
    return out


def recipes_of(copies: Dict[Key, Tuple[List[str], str]], number: int) -> Recipes:
    """How objects of file `number`'s classes were made: the copied calls of a class's
    `__init__`, then of its other methods and class methods, not dunders (a builder's
    `forbid_use_of_password()` returns the builder), at most `RECIPES` in all, each
    loaded anew when asked for (in the probe's child)."""

    def recipes(kind: type) -> List[Recipe]:
        members: List[Tuple[str, Any]] = [("__init__", getattr(kind, "__init__", None))]
        members += [(name, each) for name, each in vars(kind).items() if not name.startswith("__")]
        out: List[Recipe] = []
        for name, member in members:
            if isinstance(member, staticmethod):
                continue  # no object or class to write it on
            function = getattr(member, "__func__", member)  # a class method's
            code = getattr(function, "__code__", None)
            if code is None:
                continue
            for copied in copies.get(key_of(number, code), ([], ""))[0]:
                if len(out) >= RECIPES:
                    return out
                try:
                    out.append((function, "%s.%s" % (kind.__qualname__, name), code, load(copied)))
                except Exception:
                    continue  # a copy that does not load here
        return out

    return recipes


def deadline() -> float:
    """When a probe's child stops looking past differences that cannot be written for
    one that can (`first_difference`'s `until`): before its `SECONDS` are over."""
    return time.monotonic() + SECONDS * 0.6


def told(difference: Difference) -> Dict[str, str]:
    """A re-executed survivor's `input` with the mutant in place (in its child), and its
    `words`: the assertion, unless it passes on the mutant too."""
    text, words = written(difference)
    if is_assertion(text) and holds(text, [], difference.namespace):
        text = words
    return {"input": text, "words": words}


def written(difference: Difference) -> Tuple[str, str]:
    """The difference as an assertion (or in words when a value has no source form),
    and in words."""
    words = difference.said(None, difference.change())
    try:
        return difference.assertion(), words
    except Exception:  # a value whose repr or equality fails: said plainly
        return difference.words() + " differs from the mutant's", words


def donors(copies: Sequence[str]) -> Tuple[List[Any], List[Tuple[str, Any]]]:
    """The argument values of up to `DONORS` copied calls of a file's functions (the
    states other objects of a class were in), and the same by parameter name, with the
    public attributes of the objects among them by attribute name (a `fragment` some
    object held, for a `fragment` parameter; in the probe's child)."""
    values: List[Any] = []
    named: List[Tuple[str, Any]] = []
    for copied in copies[:DONORS]:
        try:
            call = load(copied)
        except Exception:
            continue  # a copy that does not load here
        values.extend(call.values())
        named.extend(call.items())
        for value in call.values():
            held = fields_of(value) or {}
            named.extend((k, v) for k, v in held.items() if not k.startswith("_"))
    return values, named


def is_assertion(text: str) -> bool:
    """Whether a probe's input is a test (not words)."""
    return text.startswith(("from ", "assert ", "with pytest."))


def holds(
    text: str, codes: Sequence[Tuple[FunctionType, CodeType]], namespace: Dict[str, Any]
) -> bool:
    """Whether the assertion `text` passes with `codes` in their functions, run in a
    copy of the module's `namespace` (in the probe's child)."""
    for function, body in codes:
        function.__code__ = body
    scope = dict(namespace)
    try:
        if "pytest." in text:
            import pytest

            scope["pytest"] = pytest
        exec(compile(text, "<git-chimp input>", "exec"), scope)
    except KeyboardInterrupt:
        raise
    except BaseException:  # pytest.raises' "DID NOT RAISE" is no Exception
        return False
    return True
