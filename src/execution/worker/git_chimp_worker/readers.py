"""A concrete input for a survivor of a re-executed module whose functions did not change
(#29): the mutant changed a value the module or a class of it holds (a constant, a
regex, a table, a class attribute), so the functions that read it are probed instead.
The original and the mutant live in two module states, one per forked child, so the
calls run in each and the results cross over pickled:

1. `changed_names`, in a child with the mutant: the names whose value it changed, in
   the module and in the other modules under mutation (re-executed with it: a regex
   compiled from its text; or holding a copy of one of its names);
2. `record`, in a child with the original: the outcomes of the copied calls (and their
   neighbours) of the functions of those modules that read one of those names;
3. `compare`, in a child with the mutant: the first of those calls whose outcome
   differs, written as an assertion (or in words).

`probing.Probing.reexecuted_input` runs them and checks the assertion on the original in
a fourth child.
"""

from __future__ import annotations

import base64
import pickle
from types import CodeType, FunctionType, ModuleType
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from .calls import Outcome, outcome, same
from .probe import constants_of, dumps, load, neighbours, number
from .written import Difference

# One recorded call, as a child's JSON result carries it: its function's key, the call
# and its outcome pickled, in base64.
Recorded = Tuple[List[Any], str, str]


class Absent:
    """A name or attribute one state has and the other has not."""


def changed_names(modules: Sequence[ModuleType], reexecute: Callable[[], object]) -> Set[str]:
    """The names whose value `reexecute` (the mutant's re-execution of the first of
    `modules`, and of those of the others that depend on it) changes: module globals, and
    attributes of the modules' classes; functions are compared by their code
    elsewhere."""
    before = [dict(vars(module)) for module in modules]
    classes = [
        {
            name: dict(vars(value))
            for name, value in held.items()
            if isinstance(value, type) and value.__module__ == module.__name__
        }
        for module, held in zip(modules, before)
    ]
    reexecute()
    out: Set[str] = set()
    for module, held, kinds in zip(modules, before, classes):
        for name, value in vars(module).items():
            if name in kinds and isinstance(value, type):
                for attribute, now in vars(value).items():
                    was = kinds[name].get(attribute, Absent)
                    if not callable_member(now) and not unchanged(was, now):
                        out.add(attribute)
            elif not isinstance(value, (FunctionType, ModuleType, type)):
                if not unchanged(held.get(name, Absent), value):
                    out.add(name)
    return out


def callable_member(value: Any) -> bool:
    """A method, class or static method, or property: code, compared elsewhere."""
    return isinstance(value, (FunctionType, classmethod, staticmethod, property, type))


def unchanged(a: Any, b: Any) -> bool:
    """Whether a name holds the same before and after (`same`); changed when one side
    lacks it or the comparison fails."""
    if a is Absent or b is Absent:
        return a is b
    try:
        return same(a, b)
    except Exception:
        return False


def names_in(code: CodeType) -> Set[str]:
    """The global and attribute names `code` and the code nested in it use."""
    out = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            out |= names_in(constant)
    return out


def readers(
    functions: Dict[Any, FunctionType], copied: Dict[Any, Tuple[List[str], str]], names: Set[str]
) -> List[Tuple[Any, FunctionType, List[str]]]:
    """The functions that use one of `names` and have copied calls, in line order."""
    out = []
    for key in sorted(functions):
        function = functions[key]
        kept = copied.get(key, ([], ""))[0]
        if kept and names_in(function.__code__) & names:
            out.append((key, function, kept))
    return out


def text_of(blob: bytes) -> str:
    """`blob` in base64, as JSON carries it."""
    return base64.b64encode(blob).decode("ascii")


def held_numbers(modules: Sequence[ModuleType], names: Set[str]) -> List[Any]:
    """The numbers `names` hold in `modules` and their classes (a boundary a changed
    constant moves is next to them), at most eight."""
    out: List[Any] = []
    scopes: List[Mapping[str, Any]] = []
    for module in modules:
        scopes.append(vars(module))
        scopes.extend(
            vars(value) for value in list(vars(module).values())
            if isinstance(value, type) and value.__module__ == module.__name__
        )
    for scope in scopes:
        for name in sorted(names):
            value = scope.get(name)
            if number(value) and value not in out and len(out) < 8:
                out.append(value)
    return out


def record(
    found: Sequence[Tuple[Any, FunctionType, List[str]]], calls: int, held: Sequence[Any] = ()
) -> List[Recorded]:
    """The outcomes of the copied calls of `found` and their neighbours (`held`: numbers
    the changed names hold, as boundaries), at most `calls`, with the original in place;
    those whose call or outcome cannot be pickled are left out."""
    out: List[Recorded] = []
    for key, function, kept in found:
        code = function.__code__
        for copied in kept:
            for call in neighbours(load(copied), list(held) + constants_of(code)):
                if len(out) >= calls:
                    return out
                try:
                    blob = dumps(call)
                    result = dumps(outcome(function, code, pickle.loads(blob)))
                    out.append((list(key), text_of(blob), text_of(result)))
                except Exception:
                    continue
    return out


def compare(
    recorded: Sequence[Recorded], functions: Dict[Any, FunctionType]
) -> Tuple[Optional[Difference], int]:
    """The first recorded call whose outcome differs with the mutant in place, and how
    many were compared; its assertion's names come from the function's module."""
    tried = 0
    for key, call, result in recorded:
        function = functions.get(tuple(key))
        if function is None:
            continue
        tried += 1
        blob = base64.b64decode(call)
        try:
            before: Outcome = pickle.loads(base64.b64decode(result))
            after = outcome(function, function.__code__, pickle.loads(blob))
            differs = not before.same_as(after)
        except Exception:
            continue
        if differs:
            namespace = function.__globals__
            found = Difference(
                function.__qualname__, function.__code__, pickle.loads(blob), before, after,
                namespace,
            )
            found.module = namespace.get("__name__", "")
            return found, tried
    return None, tried
