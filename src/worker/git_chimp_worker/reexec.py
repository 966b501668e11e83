"""Putting an import-time mutant in by re-executing its module in a forked child.

The mutated module's code runs in the live module's namespace (the same dict, so every
function already defined there and every `import m` reference sees the new globals),
emptied first but for what the import system put there, so a deleted assignment does
not leave the old value behind. Then names other loaded modules imported from it
(`from m import X`, `from .core import *`) are rebound where they still hold the old
object. Functions, classes and other objects are matched by identity; numbers, strings
and other values two modules may hold by chance only where the other module's source
imports that name.

When the mutated module raises while it is re-executed, a fresh run's import would
raise too, and the tests fail: the mutant is killed, unless some module imports it
inside a `try` block (`guarded`), which may swallow the error.

What this cannot reach: values other modules (or the tests, at collection) computed
from the module while it was imported. Callers check each module once by
re-executing it unmutated (`Worker.check_reexecution`), and confirm survivors by a
fresh run.
"""

import ast
import sys
import types

# What the import system puts in a module's namespace: kept when it is re-executed.
KEPT = frozenset(
    (
        "__name__",
        "__file__",
        "__package__",
        "__spec__",
        "__loader__",
        "__path__",
        "__cached__",
        "__builtins__",
    )
)

# Values equal ones may share by chance: rebound only where a module imports them.
IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), tuple, frozenset, range)

_IMPORTED = {}
_TREES = {}


class _Everything:
    def __contains__(self, name):
        return True


def tree_of(module):
    """`module`'s parsed source, or None."""
    path = getattr(module, "__file__", None)
    if path not in _TREES:
        try:
            with open(path, "rb") as source:
                _TREES[path] = ast.parse(source.read())
        except (OSError, SyntaxError, ValueError, TypeError):
            _TREES[path] = None
    return _TREES[path]


def imported_names(module):
    """The names `module`'s source imports with `from ... import` (all of them after
    a `*`)."""
    path = getattr(module, "__file__", None)
    if path not in _IMPORTED:
        names = set()
        tree = tree_of(module)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.ImportFrom):
                names.update(alias.asname or alias.name for alias in node.names)
        _IMPORTED[path] = _Everything() if "*" in names else names
    return _IMPORTED[path]


def _imports_in(statements, package):
    """The absolute module names the import statements among `statements` (nested
    ones included) name, for a module in `package`."""
    for node in statements:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                for alias in inner.names:
                    yield alias.name
            elif isinstance(inner, ast.ImportFrom):
                base = inner.module or ""
                if inner.level:
                    parts = (package or "").split(".")
                    parts = parts[: len(parts) - inner.level + 1]
                    base = ".".join([part for part in parts if part] + ([base] if base else []))
                yield base
                for alias in inner.names:
                    yield base + "." + alias.name if base else alias.name


def guarded(module):
    """Whether a loaded module outside the interpreter's own directories imports
    `module` (or a package above it) inside a `try` block."""
    name = module.__name__
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    for other in list(sys.modules.values()):
        path = getattr(other, "__file__", None)
        if not isinstance(path, str) or path.startswith(prefixes) or other is module:
            continue
        tree = tree_of(other)
        if tree is None:
            continue
        package = getattr(other, "__package__", None)
        for node in ast.walk(tree):
            if type(node).__name__ not in ("Try", "TryStar"):
                continue
            for imported in _imports_in(node.body, package):
                if imported == name or name.startswith(imported + "."):
                    return True
    return False


def copies_elsewhere(module):
    """Where other loaded modules hold what `module`'s namespace holds: a list of
    (their namespace, their name, the name in `module`)."""
    own = module.__dict__
    by_id = {}
    for name, value in own.items():
        if name not in KEPT and not isinstance(value, types.ModuleType):
            by_id.setdefault(id(value), []).append(name)
    found = []
    for other in list(sys.modules.values()):
        space = getattr(other, "__dict__", None)
        if other is module or not isinstance(space, dict):
            continue
        for name, value in list(space.items()):
            sources = by_id.get(id(value))
            if not sources:
                continue
            if isinstance(value, IMMUTABLE):
                if name in sources and name in imported_names(other):
                    found.append((space, name, name))
            else:
                found.append((space, name, name if name in sources else sources[0]))
    return found


def reexecution(module, code, copies):
    """A function that executes `code` as `module` (call it in a child), then rebinds
    `copies` (from `copies_elsewhere`) whose object changed."""
    package = module.__name__ + "."

    def reexecute():
        space = module.__dict__
        old = dict(space)
        for name in list(space):
            if name not in KEPT:
                del space[name]
        exec(code, space)
        for name, value in old.items():
            # Submodules are set by the import system, not by the module's code.
            if (
                name not in space
                and isinstance(value, types.ModuleType)
                and value.__name__ == package + name
            ):
                space[name] = value
        for other, name, source in copies:
            if source in space and space[source] is not old.get(source):
                other[name] = space[source]

    return reexecute
