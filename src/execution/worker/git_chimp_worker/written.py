"""A difference a probe found (#29), written as a test a team can paste: the call and
the values in it as Python source (`source_of`), with the imports they need, or in
words when a value has no source form."""

from __future__ import annotations

import ast
import copy
import re
import sys
import types
from dataclasses import dataclass, field
from types import CodeType
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from .calls import (
    VARARGS,
    VARKEYWORDS,
    Call,
    Made,
    Missing,
    Outcome,
    attributes,
    changes,
    constructor,
    first_change,
    named_fields,
    outcome,
    own_equality,
    parameters,
    plain,
    same,
    state,
)

# Where a name an input uses comes from: "" for the function's module, else a module's
# name; and the name.
Used = Set[Tuple[str, str]]

# A copied call of a class's method in the baseline: the function, its name
# (`Cls.method`), its code and the call; a class's recipes: how its objects were made.
Recipe = Tuple[Callable[..., Any], str, CodeType, Call]
Recipes = Callable[[type], Sequence[Recipe]]


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
    # Names the assertion imports from other modules than the function's, and whence.
    foreign: Dict[str, str] = field(default_factory=dict)
    # The copied calls of a class's methods: how its objects were made (`Recipes`).
    recipes: Optional[Recipes] = None

    def source(self, value: Any, names: Set[str], argument: bool = True) -> Optional[str]:
        """`source_of(value)` in the module's namespace, adding the names it uses: the
        module's to `names`, other modules' to `foreign`. Only an `argument` may be
        written as a recorded call made it (`recipes`): an expected value so written
        would check the code under test with itself."""
        found = source_of(value, self.namespace, recipes=self.recipes if argument else None)
        if found is None:
            return None
        text, used = found
        self.uses(used, names)
        return text

    def uses(self, used: Used, names: Set[str]) -> None:
        """Note the names an input uses: the function's module's in `names`, other
        modules' in `foreign` (the builtins need no import)."""
        for module, name in used:
            if module == "builtins":
                continue
            if module and module != self.module:
                self.foreign[name] = module
            else:
                names.add(name)

    def call_text(self, names: Set[str]) -> Optional[str]:
        """The call as Python source (`f(1)`, `Cls(1)` for an `__init__`,
        `Cls.make(1)` for a class method, `<the object>.method(1)` for a method), or
        None when an argument cannot be written."""
        parameter_names = parameters(self.code)
        parts: List[str] = []
        callee = self.name
        on_object = False  # a method called on its written object: no class to import
        gap = False
        for index, name in enumerate(parameter_names):
            if name not in self.call:
                gap = True  # left to its default
                continue
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
                on_object = True
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
            elif index < self.code.co_argcount and not gap:
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
        if not on_object:
            names.add(self.name.split(".")[0])
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
        if call is None:
            return self.said(call, self.change())
        if self.only_warned():
            warned = self.warned(names)
            if warned is None or error is not None:
                return self.said(call, None)
            body = "with pytest.warns(%s):\n    %s" % (warned, call)
        elif error is not None:
            body = "with pytest.raises(%s):\n    %s" % (type(error).__name__, call)
            kind = named(type(error), self.namespace, module_of(error))
            if kind is None or "." in kind[0]:
                return self.said(call, self.change())
            self.uses(kind[1], names)
            if type(self.mutant.error) is type(error):
                # Both raise it: what it holds differs.
                held = self.held(names)
                if held is None:
                    return self.said(call, self.change())
                body = "with pytest.raises(%s) as caught:\n    %s\nassert caught.value.%s" % (
                    type(error).__name__, call, held
                )
        else:
            expected = self.expectation(call, names)
            if expected is None:
                return self.said(call, self.change())
            body = expected
        imported = sorted(name for name in names if name in self.namespace)
        lines = []
        if self.module and self.module != "__main__" and imported:
            lines.append("from %s import %s" % (self.module, ", ".join(imported)))
        for module in sorted(set(self.foreign.values())):
            taken = sorted(name for name, home in self.foreign.items() if home == module)
            lines.append("from %s import %s" % (module, ", ".join(taken)))
        return "\n".join(lines + [body])

    def change(self) -> Optional[Tuple[str, Any]]:
        """The first attribute in which the two results differ (`first_change`), when
        both returned."""
        if self.original.error is None and self.mutant.error is None:
            return first_change(self.original.value, self.mutant.value)
        return None

    def only_warned(self) -> bool:
        """Whether the two calls differ only in the warnings they issued."""
        original, mutant = self.original, self.mutant
        return original.warned != mutant.warned and Outcome(
            original.value, original.error
        ).same_as(Outcome(mutant.value, mutant.error))

    def warned(self, names: Set[str]) -> Optional[str]:
        """The first category of warning the original issues and the mutant does not,
        named as the assertion can name it."""
        for category in self.original.warned:
            if not any(issubclass(theirs, category) for theirs in self.mutant.warned):
                found = named(category, self.namespace, module_of(category))
                if found is not None and "." not in found[0]:
                    self.uses(found[1], names)
                    return found[0]
        return None

    def held(self, names: Set[str]) -> Optional[str]:
        """`<attribute> == <value>` for the first attribute of the original's exception
        that differs from the mutant's and can be written."""
        for attribute, value in changes(self.original.error, self.mutant.error):
            if attribute == "args" or not comparable(value):
                continue  # the message (`same_error`), or what `==` cannot check
            expected = self.source(value, names, argument=False)
            if expected is not None:
                return "%s == %s" % (attribute, expected)
        return None

    def expectation(self, call: str, names: Set[str]) -> Optional[str]:
        """What the original's result holds and the mutant's does not, as an assertion
        on `call`: its first differing attribute (or namedtuple field) whose value can be
        written, else the whole value (first, for a namedtuple). When the value cannot
        be written either: that it is not None when the mutant returns None, the call
        alone (it returns) when the mutant raises; else None."""
        original, mutant = self.original.value, self.mutant
        # `==` on an object without an equality of its own is identity: never written.
        whole = (
            self.source(original, names, argument=False) if comparable(original) else None
        )
        if whole is not None and named_fields(original):
            return "assert %s == %s" % (call, whole)
        if mutant.error is None:
            for attribute, value in changes(original, mutant.value):
                expected = (
                    self.source(value, names, argument=False) if comparable(value) else None
                )
                if expected is not None:
                    return "assert %s.%s == %s" % (call, attribute, expected)
        if whole is not None:
            return "assert %s == %s" % (call, whole)
        if mutant.error is not None:
            return "%s  # the mutant raises %s" % (call, type(mutant.error).__name__)
        if mutant.value is None:
            return "assert %s is not None" % call
        return None

    def said(self, call: Optional[str], change: Optional[Tuple[str, Any]]) -> str:
        """The difference in words."""
        call = call or self.words()
        error, mutant = self.original.error, self.mutant
        if self.only_warned():
            return "%s warns %s; the mutant warns %s" % (
                call,
                [kind.__name__ for kind in self.original.warned],
                [kind.__name__ for kind in mutant.warned],
            )
        if error is not None and type(mutant.error) is type(error):
            return "%s raises %s with %s; the mutant's has %s" % (
                call, type(error).__name__, plain(state(error)), plain(state(mutant.error))
            )
        if error is not None and mutant.error is not None:
            return "%s raises %s; the mutant raises %s" % (
                call, type(error).__name__, type(mutant.error).__name__
            )
        if error is not None:
            return "%s raises %s; the mutant does not" % (call, type(error).__name__)
        if change is not None:
            theirs = attributes(mutant.value).get(change[0], Missing())
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


def source_of(
    value: Any, namespace: Dict[str, Any], depth: int = 0, recipes: Optional[Recipes] = None
) -> Optional[Tuple[str, Used]]:
    """Python source that makes `value` again, run in `namespace` (the function's
    module's globals) after the imports of the names it uses: a literal; a class; an
    object whose repr, evaluated in the function's module or in its class's own, gives
    the same (`URIReference(scheme='http', ...)`); an object a global names
    (`global_name`); an object its class makes the same
    from the attributes named like its constructor's parameters (`Builder(host='a')`,
    `NoneAlgorithm()`); an object a recorded call of its class's `__init__` or another
    method made (`remade`, with `recipes`). None when there is none."""
    if literal(value):
        return repr(value), set()
    home = module_of(value)
    if isinstance(value, type):
        return named(value, namespace, home)
    text = plain(value)
    if " at 0x" not in repr_or_empty(value) and len(text) <= 400:
        for module, scope in (("", namespace), (home, vars_of(home))):
            if scope is None or (module and scope is namespace):
                continue
            try:
                made = eval(text, dict(scope))  # in the probe's child only
            except KeyboardInterrupt:
                raise
            except BaseException:  # SystemExit, pytest.fail: no source form
                made = None
            if made is not None and same(made, value):
                words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)) & set(scope)
                return text, {(module, word) for word in words}
    return (
        global_name(value, namespace)
        or constructed(value, namespace, home, depth)
        or remade(value, namespace, recipes)
    )


def global_name(value: Any, namespace: Dict[str, Any]) -> Optional[Tuple[str, Used]]:
    """The name `value` has in `namespace` (the function's module's globals), or in a
    module imported there (`misc.UseExisting`, a sentinel; a function): by identity."""
    for name, held in namespace.items():
        if held is value and not name.startswith("__"):
            return name, {("", name)}
    for name, held in namespace.items():
        if isinstance(held, types.ModuleType) and not name.startswith("__"):
            for attribute, inner in vars(held).items():
                if inner is value and not attribute.startswith("__"):
                    return "%s.%s" % (name, attribute), {("", name)}
    return None


def named(kind: type, namespace: Dict[str, Any], home: str) -> Optional[Tuple[str, Used]]:
    """A class's name, in the function's module or its own."""
    root = kind.__qualname__.split(".")[0]
    if resolve(namespace, kind.__qualname__) is kind:
        return kind.__qualname__, {("", root)}
    scope = vars_of(home)
    if scope is not None and resolve(scope, kind.__qualname__) is kind:
        return kind.__qualname__, {(home, root)}
    return None


def constructed(
    value: Any, namespace: Dict[str, Any], home: str, depth: int
) -> Optional[Tuple[str, Used]]:
    """`Cls(a=..., b=...)` when `value`'s class, given the attributes named like its
    constructor's parameters (`a` or `_a`), makes the same object; the arguments that
    make no difference are left out."""
    kind = type(value)
    name = named(kind, namespace, home)
    if name is None or depth > 2:
        return None
    init = getattr(kind.__init__, "__code__", None)
    attributes = getattr(value, "__dict__", {}) or {}
    given: Dict[str, Any] = {}
    for parameter in (parameters(init)[1 : init.co_argcount + init.co_kwonlyargcount]
                      if init is not None else []):
        for attribute in (parameter, "_" + parameter):
            if attribute in attributes:
                given[parameter] = attributes[attribute]
                break

    def makes(arguments: Dict[str, Any]) -> bool:
        try:
            return same(kind(**arguments), value)
        except KeyboardInterrupt:
            raise
        except BaseException:
            return False

    if not makes(given):
        return None
    for parameter in list(given):
        fewer = {k: v for k, v in given.items() if k != parameter}
        if makes(fewer):
            given = fewer
    parts = []
    used = set(name[1])
    for parameter, each in given.items():
        found = source_of(each, namespace, depth + 1)
        if found is None:
            return None
        parts.append("%s=%s" % (parameter, found[0]))
        used |= found[1]
    return "%s(%s)" % (name[0], ", ".join(parts)), used


def remade(
    value: Any, namespace: Dict[str, Any], recipes: Optional[Recipes]
) -> Optional[Tuple[str, Used]]:
    """`value` written as a copied call of one of its class's methods (`recipes`) that
    makes an object the same as it: an `__init__`'s (`Signer([b'key'], salt=b'x')`,
    whose attributes are not named like its parameters), or another method's that
    returns one (`Validator().forbid_use_of_password()`, a builder's state), its own
    object written without recipes; the class named in the function's module."""
    kind = type(value)
    if recipes is None or resolve(namespace, kind.__qualname__) is not kind:
        return None
    for function, qualname, code, call in recipes(kind):
        try:
            made = outcome(function, code, copy.deepcopy(call))
        except KeyboardInterrupt:
            raise
        except BaseException:
            continue  # arguments that cannot be copied again
        if made.error is not None or type(made.value) is not kind or not same(made.value, value):
            continue
        maker = Difference(qualname, code, call, made, made, namespace)
        maker.module = str(namespace.get("__name__", ""))
        names: Set[str] = set()
        text = maker.call_text(names)
        if text is not None:
            used = {("", name) for name in names}
            return text, used | {(home, name) for name, home in maker.foreign.items()}
    return None


def comparable(value: Any, depth: int = 0) -> bool:
    """Whether `==` compares `value` by what it holds: a literal, an object whose class
    has an equality of its own, a container of those (not `Missing`, an attribute one
    result lacks)."""
    if isinstance(value, Missing) or depth > 6:
        return False
    if literal(value):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(comparable(each, depth + 1) for each in value)
    if isinstance(value, dict):
        return all(comparable(each, depth + 1) for each in value.values())
    return own_equality(value)


def module_of(value: Any) -> str:
    """The name of the module `value`'s class (or `value`, a class) is defined in."""
    kind = value if isinstance(value, type) else type(value)
    return str(getattr(kind, "__module__", "") or "")


def vars_of(module: str) -> Optional[Dict[str, Any]]:
    """The globals of the imported module `module`, or None."""
    found = sys.modules.get(module) if module else None
    return vars(found) if found is not None else None


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
