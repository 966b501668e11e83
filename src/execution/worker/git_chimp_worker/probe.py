"""A concrete input for a survivor (#29): the arguments a function was called with in
the baseline (copied with pickle when they can be), and small neighbours of them,
given to the original function and to its mutant; the first call whose result or
exception differs becomes a test a team can paste.

This module holds the parts that need no worker: copying a call's arguments out of its
frame (`arguments_of`), the neighbours of a call (`neighbours`, `object_variants`) and
comparing the two functions on them (`first_difference`); `written` writes the
difference as a pytest assertion (`Difference.assertion`). The worker runs
`first_difference` in a forked child, so the calls' side effects stay there.
"""

from __future__ import annotations

import base64
import copy
import importlib
import io
import pickle
import re
import sys
import time
import types
from types import CodeType, FrameType
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
    TypeVar,
)

from .calls import (
    VARKEYWORDS,
    Call,
    Made,
    attributes,
    constructor,
    named_fields,
    outcome,
    parameters,
    plain,
    same,
)
from .written import Difference, Recipes

# A class defined in Python (`Py_TPFLAGS_HEAPTYPE`), not in C.
HEAP_TYPE = 1 << 9

T = TypeVar("T")

# How many differences that are not wanted (cannot be written as a test) a probe looks
# past for one that is.
UNWANTED = 10

# The largest pickled copy of one call's arguments that is kept.
LIMIT = 64 * 1024


class Copier(pickle.Pickler):
    """pickle, with four kinds of value it cannot copy as they are: a sentinel
    (`sentinel_name`) is copied as its module and name; a module
    (itsdangerous keeps `json` as a serializer) is copied as its name and imported
    again; a tuple subclass (a namedtuple whose own `__new__` wants more than its
    fields, as rfc3986's `ParseResult`) as its class, its items and its attributes, made
    again without its `__new__`; a regex match (parse's converters take one) as its
    pattern, text and span, found again."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.ModuleType) and sys.modules.get(obj.__name__) is obj:
            return importlib.import_module, (obj.__name__,)
        if (
            isinstance(obj, tuple)
            and type(obj) is not tuple
            and not hasattr(type(obj), "n_sequence_fields")  # os.stat_result: pickle's
            and type(obj).__flags__ & HEAP_TYPE
        ):
            return made_tuple, (type(obj), tuple(obj)), getattr(obj, "__dict__", None) or None
        if isinstance(obj, re.Match):
            return matched, (obj.re, obj.string, obj.pos, obj.endpos, obj.span())
        if type(obj) is object:
            where = sentinel_name(obj)
            if where is not None:
                return sentinel, where
        return NotImplemented


# A sentinel (a module's global `object()`: `MISSING = object()`) by its id: its module
# and name. Functions tell it apart by identity, so a copy of it is the sentinel itself.
SENTINELS: Dict[int, Tuple[str, str]] = {}
SCANNED: Set[str] = set()


def sentinel_name(obj: Any) -> Optional[Tuple[str, str]]:
    """The module and name of the sentinel `obj`, or None (the modules imported since
    the last look are looked through)."""
    if id(obj) not in SENTINELS:
        for name, module in list(sys.modules.items()):
            if name in SCANNED or module is None:
                continue
            SCANNED.add(name)
            try:
                for attribute, value in list(vars(module).items()):
                    if type(value) is object:
                        SENTINELS.setdefault(id(value), (name, attribute))
            except Exception:
                continue  # not a module with a namespace to read
    where = SENTINELS.get(id(obj))
    if where is None or getattr(sys.modules.get(where[0]), where[1], None) is not obj:
        return None
    return where


def sentinel(module: str, name: str) -> Any:
    """The sentinel `name` of `module`."""
    return getattr(importlib.import_module(module), name)


def made_tuple(kind: type, items: Tuple[Any, ...]) -> Any:
    """A tuple of `kind` holding `items`, made as `tuple` makes one."""
    return tuple.__new__(kind, items)


def matched(
    pattern: Any, string: Any, pos: int, endpos: int, span: Tuple[int, int]
) -> Any:
    """The match `pattern` finds in `string` over `span` (a copied `re.Match`: made
    again by searching; a copy that would match elsewhere fails to load)."""
    for start in (pos, span[0]):
        found = pattern.search(string, start, endpos)
        if found is not None and found.span() == span:
            return found
    raise ValueError("the match of %r at %r cannot be made again" % (pattern.pattern, span))


def dumps(value: Any) -> bytes:
    """`value` pickled by `Copier`."""
    out = io.BytesIO()
    Copier(out, protocol=4).dump(value)
    return out.getvalue()


def arguments_of(frame: FrameType) -> Optional[str]:
    """The arguments `frame`'s function was called with, pickled and in base64 (what a
    JSON message carries), or None when they cannot be copied or are too big."""
    return copy_arguments(frame)[0]


def copy_arguments(frame: FrameType) -> Tuple[Optional[str], str]:
    """`arguments_of`, and why not when it gives None. An `__init__`'s object is not
    copied: its class is (`Made`), and each probe makes a new object of it."""
    code = frame.f_code
    values = frame.f_locals
    try:
        call = {name: values[name] for name in parameters(code)}
    except KeyError as error:
        return None, "parameter %s is unbound" % error
    if constructor(code):
        first = parameters(code)[0]
        call[first] = Made(type(call[first]))
    for name, value in call.items():
        if too_big(value):
            return None, "argument %s is too big to copy" % name
    try:
        blob = dumps(call)
    except Exception as error:
        return None, "its arguments cannot be copied (%s: %s)" % (
            type(error).__name__,
            str(error)[:80],
        )
    if len(blob) > LIMIT:
        return None, "its arguments are too big to copy (%d bytes pickled)" % len(blob)
    try:
        pickle.loads(blob)
    except Exception as error:
        return None, "its arguments cannot be copied back (%s: %s)" % (
            type(error).__name__,
            str(error)[:80],
        )
    return base64.b64encode(blob).decode("ascii"), ""


def too_big(value: Any) -> bool:
    """Whether `value` is surely over `LIMIT` without pickling it (a long text or
    container, an array's bytes)."""
    try:
        if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)):
            return len(value) > LIMIT
        nbytes = getattr(type(value), "nbytes", None)
        return nbytes is not None and int(getattr(value, "nbytes")) > LIMIT
    except Exception:
        return False


def load(copied: str) -> Call:
    """A call's arguments from `arguments_of`'s copy (a fresh copy each time)."""
    call: Call = pickle.loads(base64.b64decode(copied))
    return call


def neighbours(
    call: Call, constants: Sequence[Any] = (), defaults: Sequence[str] = ()
) -> List[Call]:
    """`call`, then calls that leave one of `defaults` out (parameters whose default the
    mutant changed), then calls that differ from it in one argument: a number argument set to
    each of `constants` (the numbers the function's code holds, where its boundaries
    are) and one either side; then a small step: an integer one up or down, a float by
    one, a text or sequence emptied or cut to its first element, a dict emptied."""
    out = [call]
    for name in defaults:
        if name in call:
            out.append({k: v for k, v in call.items() if k != name})
    for name, value in call.items():
        if number(value):
            for constant in constants:
                for other in (constant, constant - 1, constant + 1):
                    if other != value and type(other) is type(value):
                        out.append(dict(call, **{name: other}))
    for name, value in call.items():
        for other in steps(value):
            out.append(dict(call, **{name: other}))
    return out


def turns(iterables: Iterable[Iterable[T]]) -> Iterator[T]:
    """The items of `iterables` taking turns (the first of each, then the second of
    each, ...), lazily."""
    going = [iter(each) for each in iterables]
    while going:
        for each in list(going):
            try:
                yield next(each)
            except StopIteration:
                going.remove(each)


def swapped_in(call: Call, named: Sequence[Tuple[str, Any]]) -> List[Call]:
    """Calls that differ from `call` in one argument, set to what an argument of the
    same name held in another copied call (`named`: a query another function was
    given): a difference often needs a value no recorded call of this function holds
    and no small step reaches. The parameters take turns, so that one with many
    recorded values (a parser's texts) does not come before every other's first."""
    by_name: Dict[str, List[Call]] = {}
    seen = set()
    for name, value in named:
        if name not in call or name in ("self", "cls") or isinstance(value, Made):
            continue
        current = call[name]
        if current is not None and value is not None and type(value) is not type(current):
            continue  # (by identity: an `__eq__` may refuse None)
        if alike(current, value) or (name, plain(value)) in seen:
            continue
        seen.add((name, plain(value)))
        by_name.setdefault(name, []).append(dict(call, **{name: value}))
    return list(turns(by_name.values()))


def object_variants(call: Call, donors: Sequence[Any]) -> List[Call]:
    """Calls that differ from `call` in one attribute of one object argument (a
    method's object first): set to what another object of its class holds (`donors`:
    the arguments of other copied calls), to None, or a small step from its own value.
    A method's difference often needs another state of its object (a builder with a
    scheme set), a function's another state of an argument (a base URI with a scheme),
    which the arguments' neighbours never give. Objects with a `__dict__`, and
    namedtuples (through `_replace`)."""
    out: List[Call] = []
    for parameter, value in call.items():
        own = fields_of(value)
        if own is None:
            continue
        changes = []
        for donor in donors:
            theirs = fields_of(donor) if type(donor) is type(value) and donor is not value else None
            for name, other in (theirs or {}).items():
                if name in own and not alike(own[name], other):
                    changes.append((name, other))
        for name, current in own.items():
            for other in steps(current) + ([None] if current is not None else []):
                changes.append((name, other))
        seen = set()
        for name, other in changes:
            if (name, plain(other)) in seen:
                continue  # two donors holding one value: one call
            seen.add((name, plain(other)))
            try:
                out.append(with_field(call, parameter, name, other))
            except Exception:
                continue  # an object that cannot be copied or given the value
    return out


def alike(a: Any, b: Any) -> bool:
    """`same`, and alike when the comparison fails (no state to try)."""
    try:
        return same(a, b)
    except Exception:
        return True


def fields_of(value: Any) -> Optional[Dict[str, Any]]:
    """An object's attributes by name, or a namedtuple's fields; None for other values."""
    if isinstance(value, (Made, type, types.ModuleType, types.FunctionType)):
        return None
    if named_fields(value):
        return attributes(value)
    own = getattr(value, "__dict__", None)
    return own if isinstance(own, dict) and own else None


def with_field(call: Call, parameter: str, name: str, value: Any) -> Call:
    """`call` with a copy of its argument `parameter` whose attribute or field `name` is
    `value`."""
    held = call[parameter]
    if isinstance(held, tuple):
        made = held._replace(**{name: value})  # type: ignore[attr-defined]
        if getattr(held, "__dict__", None):
            vars(made).update(vars(held))  # what its own `__new__` set
    else:
        made = copy.copy(held)
        vars(made)[name] = value
    return dict(call, **{parameter: made})


def number(value: Any) -> bool:
    """Whether `value` is an int or a float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def constants_of(*codes: CodeType) -> List[Any]:
    """The numbers in `codes` and the code nested in them, each once, at most eight."""
    found: List[Any] = []
    pending = list(codes)
    while pending and len(found) < 8:
        code = pending.pop(0)
        for constant in code.co_consts:
            if isinstance(constant, CodeType):
                pending.append(constant)
            elif number(constant) and constant not in found and len(found) < 8:
                found.append(constant)
    return found


def keys_of(*codes: CodeType) -> List[str]:
    """The texts in `codes` that could name a keyword argument (`kwargs.get("strict")`),
    each once, at most eight."""
    found: List[str] = []
    for code in codes:
        for constant in code.co_consts:
            if (
                isinstance(constant, str)
                and constant.isidentifier()
                and not constant.startswith("__")
                and constant not in found
                and len(found) < 8
            ):
                found.append(constant)
    return found


def keyworded(call: Call, code: CodeType, keys: Sequence[str]) -> List[Call]:
    """Calls that give `call`'s `**kwargs` one more keyword of `keys`, set to True (a
    function that reads `kwargs.get("require_scheme", False)` is told apart by it)."""
    if not code.co_flags & VARKEYWORDS:
        return []
    name = parameters(code)[-1]
    given = call.get(name)
    if not isinstance(given, dict):
        return []
    return [dict(call, **{name: dict(given, **{key: True})}) for key in keys if key not in given]


def steps(value: Any) -> List[Any]:
    """The small steps from `value` (a flag's are its opposite)."""
    if isinstance(value, bool):
        return [not value]
    if value is None:
        return []
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        return [value + 1.0, value - 1.0]
    if isinstance(value, (str, bytes, list, tuple)):
        return [value[:0], value[:1]] if len(value) > 1 else [value[:0]] if value else []
    if isinstance(value, dict) and value:
        return [{}]
    return []


def tolerant(make: Callable[..., List[Call]], *args: Any) -> List[Call]:
    """The calls `make` makes, or none when it fails on a value (an equality that
    refuses another type, a `len` that raises): the probe goes on without them."""
    try:
        return make(*args)
    except Exception:
        return []


def first_difference(
    name: str,
    original: Callable[..., Any],
    mutant: Callable[..., Any],
    code: CodeType,
    copies: List[str],
    *,
    calls: int = 200,
    constants: Sequence[Any] = (),
    namespace: Optional[Dict[str, Any]] = None,
    donors: Sequence[Any] = (),
    defaults: Sequence[str] = (),
    named: Sequence[Tuple[str, Any]] = (),
    keys: Sequence[str] = (),
    wanted: Optional[Callable[[Difference], bool]] = None,
    until: float = float("inf"),
    recipes: Optional[Recipes] = None,
) -> Tuple[Optional[Difference], int]:
    """The first call on which `original` and `mutant` (two functions of the signature
    `code`) differ, and how many calls were tried (at most `calls`): first the copied
    calls (`copies` from `arguments_of`), then in turn a call of each of three ways:
    their arguments' neighbours (`defaults` left out too; `**kwargs` given each of
    `keys`, `keyworded`), an argument set to what one of its name held in another copied
    call (`swapped_in`, with `named`), and the calls whose object differs in one
    attribute (`object_variants`, with `donors`), then those with their neighbours.
    Each call is tried once, with fresh copies of the arguments, so what one function
    does to them does not reach the other.

    A difference that is not `wanted` (one that cannot be written as a test) is kept
    while the search goes on for one that is, up to `UNWANTED` of them or the time
    `until` (`time.monotonic`); then the first is given. A difference on arguments
    that cannot be printed is not given (`printable`). `recipes`: how objects in it
    were made, for writing them."""
    tried = 0
    loaded = []
    for copied in copies:
        try:
            loaded.append(load(copied))
        except Exception:
            continue  # a copy that does not load here

    def near() -> Iterator[Call]:
        for call in loaded:
            yield from tolerant(neighbours, call, constants, defaults)[1:]
            yield from tolerant(keyworded, call, code, keys)

    def swapped() -> Iterator[Call]:
        for call in loaded:
            yield from tolerant(swapped_in, call, named)

    def states() -> Iterator[Call]:
        variants = [
            variant for call in loaded for variant in tolerant(object_variants, call, donors)
        ]
        # Each state once, then each with its arguments' neighbours.
        yield from variants
        for variant in variants:
            yield from tolerant(neighbours, variant, constants)[1:]
            yield from tolerant(keyworded, variant, code, keys)

    def candidates() -> Iterator[Call]:
        yield from loaded
        # Then the other ways in turn, a call of each, so that none spends the budget
        # alone (a file's many values by name, the many states of a call's objects).
        yield from turns([near(), swapped(), states()])

    fallback: Optional[Difference] = None
    unwanted = 0
    seen: Set[bytes] = set()
    for call in candidates():
        if tried >= calls or (fallback is not None and time.monotonic() > until):
            break
        try:
            blob = dumps(call)
        except Exception:
            continue
        if blob in seen:
            continue  # two ways to one call (copies of one state): tried once
        seen.add(blob)
        tried += 1
        try:
            before = outcome(original, code, pickle.loads(blob))
            after = outcome(mutant, code, pickle.loads(blob))
            differs = not before.same_as(after)
            if differs:
                # The original again: a difference it does not repeat (a warning issued
                # once, a counter) is none.
                differs = not outcome(original, code, pickle.loads(blob)).same_as(after)
        except Exception:
            continue  # a copy that does not load, an equality that fails: untold
        if differs and printable(pickle.loads(blob)):
            if namespace is None:
                namespace = getattr(original, "__globals__", {})
            found = Difference(name, code, pickle.loads(blob), before, after, namespace)
            found.module = namespace.get("__name__", "")
            found.recipes = recipes
            if wanted is None or welcome(wanted, found):
                return found, tried
            if fallback is None:
                fallback = found
            unwanted += 1
            if unwanted >= UNWANTED:
                break
    return fallback, tried


def printable(call: Call) -> bool:
    """Whether every argument of `call` has a repr: a state in which its own class's
    repr fails (a field set to None that `%d` formats) is none its users make, and a
    difference on it is not given."""
    try:
        for value in call.values():
            repr(value)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return False
    return True


def welcome(wanted: Callable[[Difference], bool], found: Difference) -> bool:
    """`wanted(found)`, and not when it fails."""
    try:
        return wanted(found)
    except KeyboardInterrupt:
        raise
    except BaseException:  # SystemExit, pytest.fail from writing it: not wanted
        return False
