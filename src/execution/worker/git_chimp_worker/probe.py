"""A concrete input for a survivor (#29): the arguments a function was called with in
the baseline (copied with pickle when they can be), and small neighbours of them,
given to the original function and to its mutant; the first call whose result or
exception differs becomes a test a team can paste.

This module holds the parts that need no worker: copying a call's arguments out of its
frame (`arguments_of`), the neighbours of a call (`neighbours`), comparing the two
functions on them (`first_difference`) and writing the difference as a pytest assertion
(`Difference.assertion`). The worker runs `first_difference` in a forked child, so the
calls' side effects stay there.
"""

from __future__ import annotations

import ast
import base64
import pickle
import re
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

# A call's arguments: the parameters' values by name, in the signature's order.
Call = Dict[str, Any]

# The largest pickled copy of one call's arguments that is kept.
LIMIT = 64 * 1024

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


def arguments_of(frame: FrameType) -> Optional[str]:
    """The arguments `frame`'s function was called with, pickled and in base64 (what a
    JSON message carries), or None when they cannot be copied or are too big."""
    return copy_arguments(frame)[0]


def copy_arguments(frame: FrameType) -> Tuple[Optional[str], str]:
    """`arguments_of`, and why not when it gives None. An `__init__`'s object is not
    copied: its class is (`MADE`), and each probe makes a new object of it."""
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
        blob = pickle.dumps(call, protocol=4)
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


@dataclass
class Made:
    """In a copied call of an `__init__`, its object: a new one of `kind` each call."""

    kind: type


def constructor(code: CodeType) -> bool:
    """Whether `code` is an `__init__` with its object as the first parameter."""
    return code.co_name == "__init__" and code.co_argcount > 0


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


def neighbours(call: Call, constants: Sequence[Any] = ()) -> List[Call]:
    """`call`, then calls that differ from it in one argument: a number argument set to
    each of `constants` (the numbers the function's code holds, where its boundaries
    are) and one either side; then a small step: an integer one up or down, a float by
    one, a text or sequence emptied or cut to its first element, a dict emptied."""
    out = [call]
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


def steps(value: Any) -> List[Any]:
    """The small steps from `value`."""
    if isinstance(value, bool) or value is None:
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


@dataclass
class Outcome:
    """What one call did: returned `value`, or raised `error`."""

    value: Any = None
    error: Optional[BaseException] = None

    def same_as(self, other: Outcome) -> bool:
        if self.error is not None or other.error is not None:
            return type(self.error) is type(other.error)
        return same(self.value, other.value)


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
    """The first attribute in which objects `a` and `b` (of one type, without an
    equality of their own) differ, with its value in `a`; None when none does."""
    if type(a) is not type(b) or (own_equality(a) and not isinstance(a, BaseException)):
        return None
    ours, theirs = state(a), state(b)
    for name in list(ours) + [name for name in theirs if name not in ours]:
        if name not in ours or name not in theirs or not same(ours[name], theirs[name]):
            return name, ours.get(name, Missing())
    return None


class Missing:
    """An attribute one object has and the other has not."""

    def __repr__(self) -> str:
        return "(no such attribute)"


def outcome(function: Callable[..., Any], code: CodeType, call: Call) -> Outcome:
    """Call `function` with `call`'s arguments, as its signature `code` takes them."""
    names = parameters(code)
    positional: List[Any] = []
    keywords: Dict[str, Any] = {}
    for index, name in enumerate(names):
        value = call[name]
        if index < code.co_argcount:
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
        except Exception as error:
            return Outcome(error=error)
    try:
        value = function(*positional, **keywords)
    except Exception as error:
        return Outcome(error=error)
    return Outcome(value=made if made is not None else value)


@dataclass
class Difference:
    """A call on which the original and the mutant differ. `namespace`: the globals of
    the function's module (`module`), where the assertion's names come from."""

    name: str
    code: CodeType
    call: Call
    original: Outcome
    mutant: Outcome
    namespace: Dict[str, Any] = field(default_factory=dict)
    module: str = ""

    def source(self, value: Any, names: Set[str]) -> Optional[str]:
        """`source_of(value)` in the module's namespace, adding the names it uses."""
        found = source_of(value, self.namespace)
        if found is None:
            return None
        text, used = found
        names.update(used)
        return text

    def call_text(self, names: Set[str]) -> Optional[str]:
        """The call as Python source (`f(1)`, `Cls(1)` for an `__init__`,
        `Cls.make(1)` for a class method, `<the object>.method(1)` for a method), or
        None when an argument cannot be written."""
        parameter_names = parameters(self.code)
        parts: List[str] = []
        callee = self.name
        names.add(self.name.split(".")[0])
        for index, name in enumerate(parameter_names):
            value = self.call[name]
            if index == 0 and "." in self.name and self.code.co_argcount > 0:
                owner = self.name.rsplit(".", 1)[0]
                if isinstance(value, Made):
                    callee = owner  # an `__init__`: the class makes the object
                    continue
                if isinstance(value, type) and value.__qualname__ == owner:
                    continue  # a class method: called on the class
                made = self.source(value, names)
                if made is None:
                    return None
                callee = "%s.%s" % (made, self.name.rsplit(".", 1)[1])
                continue
            if self.code.co_flags & VARARGS and name == parameter_names[self.code.co_argcount]:
                for each in value:
                    text = self.source(each, names)
                    if text is None:
                        return None
                    parts.append(text)
                continue
            if self.code.co_flags & VARKEYWORDS and index == len(parameter_names) - 1:
                pairs = list(value.items())
            elif index < self.code.co_argcount:
                text = self.source(value, names)
                if text is None:
                    return None
                parts.append(text)
                continue
            else:
                pairs = [(name, value)]
            for key, each in pairs:
                text = self.source(each, names)
                if text is None:
                    return None
                parts.append("%s=%s" % (key, text))
        return "%s(%s)" % (callee, ", ".join(parts))

    def words(self) -> str:
        """The call in words, for when it cannot be written as source."""
        shown = ", ".join(
            "%s=%s" % (k, plain(v)) for k, v in self.call.items() if not isinstance(v, Made)
        )
        return "%s(%s)" % (self.callee(), shown)

    def callee(self) -> str:
        """What the call calls: the class, for an `__init__`."""
        if constructor(self.code) and self.name.endswith(".__init__"):
            return self.name[: -len(".__init__")]
        return self.name

    def assertion(self) -> str:
        """The difference as a pytest assertion that passes on the original and fails on
        the mutant, with the import it needs, when every value in it can be written as
        Python source; else in words. An object without an equality of its own (an
        `__init__`'s, too) is told apart by its first differing attribute."""
        names: Set[str] = set()
        call = self.call_text(names)
        error = self.original.error
        change = self.change()
        expected: Optional[str] = None
        if error is not None:
            body = "with pytest.raises(%s):\n    %s" % (type(error).__name__, call)
            if type(error).__module__ not in ("builtins", self.module):
                return self.said(call, change)
            if type(error).__module__ == self.module:
                names.add(type(error).__name__)
        elif change is not None:
            expected = self.source(change[1], names)
            body = "assert %s.%s == %s" % (call, change[0], expected)
        else:
            expected = self.source(self.original.value, names)
            body = "assert %s == %s" % (call, expected)
        if call is None or (error is None and expected is None):
            return self.said(call, change)
        imported = sorted(name for name in names if name in self.namespace)
        if self.module and self.module != "__main__" and imported:
            body = "from %s import %s\n%s" % (self.module, ", ".join(imported), body)
        return body

    def change(self) -> Optional[Tuple[str, Any]]:
        """The first attribute in which the two results differ (`first_change`), when
        both returned."""
        if self.original.error is None and self.mutant.error is None:
            return first_change(self.original.value, self.mutant.value)
        return None

    def said(self, call: Optional[str], change: Optional[Tuple[str, Any]]) -> str:
        """The difference in words."""
        call = call or self.words()
        error, mutant = self.original.error, self.mutant
        if error is not None:
            return "%s raises %s; the mutant does not" % (call, type(error).__name__)
        if change is not None:
            theirs = state(mutant.value).get(change[0], Missing())
            return "%s.%s is %s; the mutant's is %s" % (
                call, change[0], plain(change[1]), plain(theirs)
            )
        return "%s returns %s; the mutant %s" % (
            call,
            plain(self.original.value),
            "raises %s" % type(mutant.error).__name__
            if mutant.error is not None
            else "returns %s" % plain(mutant.value),
        )


def source_of(value: Any, namespace: Dict[str, Any]) -> Optional[Tuple[str, Set[str]]]:
    """Python source that makes `value` again in `namespace` (a module's globals), and
    the names of the namespace it uses: a literal; a class of the module; an object
    whose repr, evaluated there, gives the same (`URIReference(scheme='http', ...)`);
    an object of a class of the module that makes the same with no arguments
    (`NoneAlgorithm()`). None when there is none."""
    if literal(value):
        return repr(value), set()
    if isinstance(value, type):
        root = value.__qualname__.split(".")[0]
        if namespace.get(root) is not None and resolve(namespace, value.__qualname__) is value:
            return value.__qualname__, {root}
        return None
    text = plain(value)
    if " at 0x" not in repr_or_empty(value) and len(text) <= 400:
        try:
            made = eval(text, dict(namespace))  # in the probe's child only
        except Exception:
            made = None
        if made is not None and same(made, value):
            used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)) & set(namespace)
            return text, used
    kind = type(value)
    name = kind.__qualname__
    if resolve(namespace, name) is kind:
        try:
            made = kind()
        except Exception:
            return None
        if same(made, value):
            return "%s()" % name, {name.split(".")[0]}
    return None


def repr_or_empty(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return ""


def resolve(namespace: Dict[str, Any], dotted: str) -> Any:
    """The object `dotted` (`Cls.Inner`) names in `namespace`, or None."""
    parts = dotted.split(".")
    found = namespace.get(parts[0])
    for part in parts[1:]:
        found = getattr(found, part, None)
    return found


def literal(value: Any) -> bool:
    """Whether `value` is written as Python source by its `repr` (made only of
    literals: numbers, text, bytes, None, booleans, and containers of those)."""
    try:
        ast.literal_eval(repr(value))
        return True
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def first_difference(
    name: str,
    original: Callable[..., Any],
    mutant: Callable[..., Any],
    code: CodeType,
    copies: List[str],
    calls: int = 40,
    constants: Sequence[Any] = (),
    namespace: Optional[Dict[str, Any]] = None,
) -> Tuple[Optional[Difference], int]:
    """The first call, among the copied calls' neighbours (`copies` from `arguments_of`),
    on which `original` and `mutant` (two functions of the signature `code`) differ;
    and how many calls were tried (at most `calls`). Each call gets fresh copies of the
    arguments, so what one function does to them does not reach the other."""
    tried = 0
    for copied in copies:
        for call in neighbours(load(copied), constants):
            if tried >= calls:
                return None, tried
            try:
                blob = pickle.dumps(call, protocol=4)
            except Exception:
                continue
            tried += 1
            try:
                before = outcome(original, code, pickle.loads(blob))
                after = outcome(mutant, code, pickle.loads(blob))
                differs = not before.same_as(after)
            except Exception:
                continue  # a copy that does not load, an equality that fails: untold
            if differs:
                if namespace is None:
                    namespace = getattr(original, "__globals__", {})
                found = Difference(name, code, pickle.loads(blob), before, after, namespace)
                found.module = namespace.get("__name__", "")
                return found, tried
    return None, tried
