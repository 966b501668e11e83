"""A call of a function under probe (#29): its arguments by parameter name, calling a
function with them (`outcome`), and telling two outcomes apart (`same`,
`first_change`). Shared by `probe` (finding a differing call) and `written` (writing it
as a test)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from types import CodeType
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

# A call's arguments: the parameters' values by name, in the signature's order.
Call = Dict[str, Any]

# Flags of a code object (`inspect.CO_VARARGS`, `inspect.CO_VARKEYWORDS`).
VARARGS = 0x04
VARKEYWORDS = 0x08


def parameters(code: CodeType) -> List[str]:
    """The parameter names of `code`, in order: positional, `*args`, keyword-only,
    `**kwargs`."""
    names = list(code.co_varnames)
    positional = code.co_argcount
    keyword_only = code.co_kwonlyargcount
    out = names[:positional]
    at = positional + keyword_only
    if code.co_flags & VARARGS:
        out.append(names[at])
        at += 1
    out.extend(names[positional : positional + keyword_only])
    if code.co_flags & VARKEYWORDS:
        out.append(names[at])
    return out


@dataclass
class Made:
    """In a copied call of an `__init__`, its object: a new one of `kind` each call."""

    kind: type


def constructor(code: CodeType) -> bool:
    """Whether `code` is an `__init__` with its object as the first parameter."""
    return code.co_name == "__init__" and code.co_argcount > 0


@dataclass
class Outcome:
    """What one call did: returned `value`, or raised `error`; and what it `warned`."""

    value: Any = None
    error: Optional[BaseException] = None
    # The categories of the warnings it issued (`DeprecationWarning`), in order.
    warned: Tuple[type, ...] = ()

    def same_as(self, other: Outcome) -> bool:
        if self.warned != other.warned:
            return False
        if self.error is not None and other.error is not None:
            return same_error(self.error, other.error)
        if self.error is not None or other.error is not None:
            return False
        return same(self.value, other.value)


def same_error(a: BaseException, b: BaseException) -> bool:
    """Whether two exceptions are of one type and hold the same attributes (`.uri`,
    `.status`: what a caller reads), and the same arguments unless those are all text
    (a message: the `exception-message` rule's, and a builtin error's differs with the
    value that failed; `SystemExit(2)`, `KeyError(0)` hold data)."""
    if type(a) is not type(b):
        return False
    if not all(isinstance(each, str) for each in a.args + b.args) and plain(a.args) != plain(
        b.args
    ):
        return False
    return same(dict(getattr(a, "__dict__", {}) or {}), dict(getattr(b, "__dict__", {}) or {}))


# A memory address in a default repr: another in each object.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def plain(value: Any) -> str:
    """`value`'s repr without memory addresses."""
    try:
        return ADDRESS.sub("", repr(value))
    except Exception:
        return "<unprintable %s>" % type(value).__name__


def same(a: Any, b: Any, depth: int = 0) -> bool:
    """Whether `a` and `b` hold the same: by the type's own equality when it has one,
    else by their attributes (two objects that are equal in all but identity are the
    same here), else by their reprs without addresses. Too deep to tell: the same (a
    probe must not claim a difference it cannot show)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if depth > 6:
        return True
    if isinstance(a, float) and a != a and b != b:
        return True  # NaN, unequal to itself
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, depth + 1) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, BaseException):
        return same(a.args, b.args, depth + 1) and same(state(a), state(b), depth + 1)
    if own_equality(a):
        try:
            return bool(a == b)
        except Exception:
            return plain(a) == plain(b)
    if hasattr(a, "__dict__"):
        return same(state(a), state(b), depth + 1)
    return plain(a) == plain(b)


def own_equality(value: Any) -> bool:
    """Whether `value`'s type defines `==` (not identity, `object`'s)."""
    equality: Any = type(value).__eq__
    return equality is not object.__eq__


def state(value: Any) -> Dict[str, Any]:
    """An object's attributes (its `__dict__`; an exception's `args` too)."""
    out = dict(getattr(value, "__dict__", {}) or {})
    if isinstance(value, BaseException):
        out["args"] = value.args
    return out


def first_change(a: Any, b: Any) -> Optional[Tuple[str, Any]]:
    """The first attribute in which objects `a` and `b` differ, with its value in `a`;
    None when none does (`changes`)."""
    return next(changes(a, b), None)


def changes(a: Any, b: Any) -> Iterator[Tuple[str, Any]]:
    """The attributes in which objects `a` and `b` (of one type, without an equality of
    their own, or namedtuples) differ, in order, each with its value in `a`."""
    if type(a) is not type(b):
        return
    if not named_fields(a) and own_equality(a) and not isinstance(a, BaseException):
        return
    ours, theirs = attributes(a), attributes(b)
    for name in list(ours) + [name for name in theirs if name not in ours]:
        if name not in ours or name not in theirs or not same(ours[name], theirs[name]):
            yield name, ours.get(name, Missing())


def named_fields(value: Any) -> bool:
    """Whether `value` is a namedtuple (its fields are attributes)."""
    return isinstance(value, tuple) and hasattr(value, "_fields") and hasattr(value, "_replace")


def attributes(value: Any) -> Dict[str, Any]:
    """A namedtuple's fields by name, else the object's `state`."""
    if named_fields(value):
        return dict(zip(value._fields, value))
    return state(value)


class Missing:
    """An attribute one object has and the other has not."""

    def __repr__(self) -> str:
        return "(no such attribute)"


def outcome(function: Callable[..., Any], code: CodeType, call: Call) -> Outcome:
    """Call `function` with `call`'s arguments, as its signature `code` takes them; a
    parameter `call` leaves out gets its default (the positional ones after it are given
    by name)."""
    names = parameters(code)
    positional: List[Any] = []
    keywords: Dict[str, Any] = {}
    gap = False
    for index, name in enumerate(names):
        if name not in call:
            gap = True
            continue
        value = call[name]
        if index < code.co_argcount and gap:
            keywords[name] = value
        elif index < code.co_argcount:
            positional.append(value)
        elif code.co_flags & VARARGS and name == names[code.co_argcount]:
            positional.extend(value)
        elif code.co_flags & VARKEYWORDS and index == len(names) - 1:
            keywords.update(value)
        else:
            keywords[name] = value
    made = None
    if positional and isinstance(positional[0], Made):
        # An `__init__`: a new object of the class, made as `Cls(...)` makes it (its
        # `__new__` given the arguments too: an exception's sets `args`), then the call
        # initialises it.
        try:
            kind: Any = positional[0].kind
            if kind.__new__ is object.__new__:
                made = kind.__new__(kind)
            else:
                made = kind.__new__(kind, *positional[1:], **keywords)
            positional[0] = made
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit, pytest.fail: an outcome too
            return Outcome(error=error)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = function(*positional, **keywords)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit, pytest.fail: an outcome too
            return Outcome(error=error, warned=categories(caught))
    return Outcome(value=made if made is not None else value, warned=categories(caught))


def categories(caught: Optional[List[warnings.WarningMessage]]) -> Tuple[type, ...]:
    """The categories of the warnings `caught`, in order; not `ResourceWarning` (an
    object the collector happened to finalise during the call)."""
    return tuple(
        each.category for each in caught or [] if not issubclass(each.category, ResourceWarning)
    )
