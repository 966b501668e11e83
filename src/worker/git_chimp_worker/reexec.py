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
import os
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


def named_imports(module):
    """The names `module`'s source imports by name with `from ... import` (a `*`
    included as "*")."""
    path = getattr(module, "__file__", None)
    if path not in _IMPORTED:
        names = set()
        tree = tree_of(module)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.ImportFrom):
                names.update(alias.asname or alias.name for alias in node.names)
        _IMPORTED[path] = names
    return _IMPORTED[path]


def imported_names(module):
    """The names `module`'s source imports with `from ... import` (all of them after
    a `*`)."""
    names = named_imports(module)
    return _Everything() if "*" in names else names


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
    (that module, its name, the name in `module`)."""
    own = module.__dict__
    by_id = {}
    for name, value in own.items():
        # Dunder names (`__doc__`, `__all__`) are each module's own.
        dunder = name.startswith("__") and name.endswith("__")
        if not dunder and not isinstance(value, types.ModuleType):
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
                    found.append((other, name, name))
            else:
                found.append((other, name, name if name in sources else sources[0]))
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
            if source in space:
                if space[source] is not old.get(source):
                    other.__dict__[name] = space[source]
            elif name in named_imports(other):
                # `from m import NAME` of a name m no longer defines: a fresh import of
                # that module fails.
                raise ImportError(
                    "cannot import name %r from %r (%s imports it)"
                    % (source, module.__name__, other.__name__)
                )

    return reexecute


# The worker's own files (its package and start-up script).
WORKER_FILES = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def own_modules():
    """Loaded modules whose files lie outside the interpreter's own directories and the
    worker's (the project's code and tests, not the standard library or
    site-packages)."""
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, WORKER_FILES})
    found = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and not path.startswith(prefixes) and path.endswith(".py"):
            found.append(module)
    return found


def is_worker_file(path):
    """Whether `path` is one of the worker's own files."""
    return os.path.abspath(path).startswith(WORKER_FILES)


def holds_values(copies, other):
    """Whether `copies` (from `copies_elsewhere`) put into module `other` a value that
    is not a function, class or module, or a function or class that its top-level code
    uses (in a table, a `parametrize` list, a call): `other` may have computed more from
    it while it was imported."""
    names = set()
    for holder, name, _ in copies:
        if holder is other:
            value = other.__dict__.get(name)
            if not isinstance(value, (types.FunctionType, type, types.BuiltinFunctionType)):
                return True
            names.add(name)
    if not names:
        return False
    tree = tree_of(other)
    return tree is not None and any(chain[0] in names for chain in _top_level_dotted(tree.body))


def reads_at_top_level(other, module, copies=()):
    """Whether `other`'s top-level code (outside function bodies; decorators, default
    values and class bodies included) reads an attribute of `module` through a module
    it holds (`import m` then `m.X`, `import pkg` then `pkg.m.X`), or a copy of one that
    another module holds (`import pkg` then `pkg.X`, where pkg imported X from m)."""
    tree = tree_of(other)
    if tree is None:
        return False
    space = other.__dict__
    copied = {(id(holder), name) for holder, name, _ in copies}
    for chain in _top_level_dotted(tree.body):
        target = space.get(chain[0])
        for attribute in chain[1:]:
            if target is module or (id(target), attribute) in copied:
                return True
            if not isinstance(target, types.ModuleType):
                break
            target = getattr(target, attribute, None)
    return False


def _top_level_dotted(statements):
    """Every name and dotted name `a.b.c` (as ["a", "b", "c"]) `statements` read,
    outside function and lambda bodies."""
    stack = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            continue
        if isinstance(node, ast.Attribute):
            chain = []
            inner = node
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name):
                yield [inner.id] + chain[::-1]
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            yield [node.id]
        stack.extend(ast.iter_child_nodes(node))


def in_order(modules, depends_on):
    """`modules` so that each comes after those it depends on (`depends_on(a, b)`:
    whether a needs b first); where that cannot be (a cycle), in `sys.modules`
    order."""
    loaded = {id(module): position for position, module in enumerate(sys.modules.values())}
    remaining = sorted(modules, key=lambda module: loaded.get(id(module), 0))
    ordered = []
    while remaining:
        for module in remaining:
            if not any(depends_on(module, other) for other in remaining if other is not module):
                break
        else:
            module = remaining[0]
        ordered.append(module)
        remaining.remove(module)
    return ordered
