"""Putting an import-time mutant in by re-executing its module in a forked child.

The mutated module's code runs in the live module's namespace (the same dict, so every
function already defined there and every `import m` reference sees the new globals),
emptied first but for what the import system put there, so a deleted assignment does
not leave the old value behind. Then names other loaded modules imported from it
(`from m import X`, `from .core import *`) are rebound where they still hold the old
object. Functions, classes and other objects are matched by identity; numbers, strings
and other values two modules may hold by chance only where the other module's source
imports them from it (`bound_from`, through re-exports too).

This module also finds what depends on a module at import (`holds_values`,
`reads_at_top_level`, `in_order`); `warm.Worker.make_plan` re-executes those after it.
When a re-executed module raises, a fresh run's collection fails the same way, unless
the project may catch import errors (`import_errors_may_be_caught`).

What this cannot see: dynamic access (`vars(m)`, `getattr`, `importlib`) and state
others put into a module after its import. Callers check each module once by
re-executing it unmutated (`Worker.check_reexecution`), and confirm survivors by a
fresh run.
"""

from __future__ import annotations

import ast
import os
import sys
import types
from typing import Any, Callable, Iterable, Iterator, Sequence, Tuple, cast

# Where another module holds what a module's namespace holds: (that module, its name,
# the name in the module).
Copy = Tuple[types.ModuleType, str, str]

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

_IMPORTED: dict[str | None, list[tuple[str, str, str]]] = {}
_TREES: dict[str | None, ast.Module | None] = {}


def tree_of(module: types.ModuleType) -> ast.Module | None:
    """`module`'s parsed source, or None."""
    path: Any = getattr(module, "__file__", None)
    if path not in _TREES:
        try:
            with open(path, "rb") as source:
                _TREES[path] = ast.parse(source.read())
        except (OSError, SyntaxError, ValueError, TypeError):
            _TREES[path] = None
    return _TREES[path]


def from_imports(module: types.ModuleType) -> list[tuple[str, str, str]]:
    """`module`'s `from X import a as b` statements, as (X resolved to an absolute
    module name, a, b); `from X import *` as (X, "*", "*")."""
    path = getattr(module, "__file__", None)
    if path not in _IMPORTED:
        found: list[tuple[str, str, str]] = []
        tree = tree_of(module)
        package = getattr(module, "__package__", None) or ""
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.ImportFrom):
                base = _absolute(node, package)
                found.extend((base, alias.name, alias.asname or alias.name) for alias in node.names)
        _IMPORTED[path] = found
    return _IMPORTED[path]


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The absolute module name an ImportFrom node names, in `package`."""
    base = node.module or ""
    if not node.level:
        return base
    parts = package.split(".") if package else []
    parts = parts[: len(parts) - node.level + 1]
    return ".".join([part for part in parts if part] + ([base] if base else []))


def bound_from(module: types.ModuleType) -> dict[str, dict[str, tuple[str, bool]]]:
    """For each loaded module that imports names from `module`, directly or through
    modules that re-export them (`from .core import *` in a package): module name ->
    {its name: (the name in `module`, whether its own import names it rather than `*`)}.
    Only names imported this way, so a value another module holds by chance (a small
    int, True, an interned string) is not one."""
    holders: dict[str, dict[str, tuple[str, bool]]] = {
        module.__name__: {name: (name, True) for name in module.__dict__ if not _dunder(name)}
    }
    importers = [other for other in own_modules() if other is not module]
    changed = True
    while changed:
        changed = False
        for other in importers:
            names = holders.setdefault(other.__name__, {})
            for source, imported, bound in from_imports(other):
                held = holders.get(source)
                if not held or other.__name__ == source:
                    continue
                pairs = (
                    [(name, name) for name in held if not name.startswith("_")]
                    if imported == "*"
                    else [(imported, bound)]
                )
                for name, as_name in pairs:
                    if name in held and as_name not in names:
                        names[as_name] = (held[name][0], imported != "*")
                        changed = True
    del holders[module.__name__]
    return {name: names for name, names in holders.items() if names}


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _imports_in(statements: Iterable[ast.AST], package: str | None) -> Iterator[str]:
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


def guarded(module: types.ModuleType) -> bool:
    """Whether a loaded module outside the interpreter's own directories imports
    `module` (or a package above it) inside a `try` block."""
    name = module.__name__
    prefixes = tuple({os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
    for other in list(sys.modules.values()):
        path = getattr(other, "__file__", None)
        if not isinstance(path, str) or path.startswith(prefixes) or other is module:
            continue
        for imported in _imported_in_try(other, path):
            if imported == name or name.startswith(imported + "."):
                return True
    return False


_TRY_IMPORTS: dict[str, set[str]] = {}


def _imported_in_try(module: types.ModuleType, path: str) -> set[str]:
    """The module names `module` (from the file at `path`) imports inside `try`
    blocks (its file parsed once)."""
    if path not in _TRY_IMPORTS:
        names: set[str] = set()
        tree = tree_of(module)
        if tree is not None:
            package = getattr(module, "__package__", None)
            for node in ast.walk(tree):
                if type(node).__name__ in ("Try", "TryStar"):
                    names.update(_imports_in(cast(ast.Try, node).body, package))
        _TRY_IMPORTS[path] = names
    return _TRY_IMPORTS[path]


def import_errors_may_be_caught(modules: Iterable[types.ModuleType]) -> bool:
    """Whether an import error of one of `modules` might not fail a fresh run: some
    own module imports one of them inside `try`, or uses `pytest.importorskip` or
    `contextlib.suppress` of import errors anywhere."""
    if any(guarded(module) for module in modules):
        return True
    return any(_catches_import_errors(cast(str, other.__file__)) for other in own_modules())


_CATCHES: dict[str, bool] = {}


def _catches_import_errors(path: str) -> bool:
    """Whether the file at `path` mentions `importorskip` or suppresses ImportError
    (read once per file)."""
    if path not in _CATCHES:
        try:
            with open(path, encoding="utf-8", errors="replace") as source:
                text = source.read()
        except OSError:
            text = ""
        _CATCHES[path] = "importorskip" in text or ("ImportError)" in text and "suppress(" in text)
    return _CATCHES[path]


def copies_elsewhere(module: types.ModuleType) -> list[Copy]:
    """Where other loaded modules hold what `module`'s namespace holds: a list of
    (that module, its name, the name in `module`). Functions, classes and other objects
    with an identity of their own count wherever they are; values two modules may hold
    by chance (numbers, strings, None, tuples) only where the other module imports
    them from `module` (`bound_from`)."""
    own = module.__dict__
    imported = imported_names(module)
    by_id: dict[int, list[str]] = {}
    for name, value in own.items():
        if not _dunder(name) and not isinstance(value, types.ModuleType):
            by_id.setdefault(id(value), []).append(name)
    bound: dict[Any, dict[str, tuple[str, bool]]] = bound_from(module)
    found: list[Copy] = []
    for other in list(sys.modules.values()):
        space = getattr(other, "__dict__", None)
        if other is module or not isinstance(space, dict):
            continue
        names = bound.get(getattr(other, "__name__", None), {})
        for name, value in list(space.items()):
            sources = by_id.get(id(value))
            if not sources:
                continue
            if name in names and names[name][0] in sources:
                found.append((other, name, names[name][0]))
            elif not isinstance(value, IMMUTABLE) and not all(s in imported for s in sources):
                # (What `module` itself imported is another module's: holding it too is
                # no copy of `module`'s, and re-executing `module` binds the same object.)
                found.append((other, name, name if name in sources else sources[0]))
    return found


def imported_names(module: types.ModuleType) -> set[str]:
    """The names `module` binds to what its `from X import a` statements import: the
    same object as X's `a` (a sentinel from a constants module, a class)."""
    names: set[str] = set()
    space = module.__dict__
    for source, imported, bound in from_imports(module):
        held = sys.modules.get(source)
        if imported != "*" and bound in space and held is not None:
            if getattr(held, imported, names) is space[bound]:
                names.add(bound)
    return names


def vanished(
    copies: Sequence[Copy], by_name: set[tuple[str, str]], space: dict[str, Any]
) -> tuple[types.ModuleType, str] | None:
    """A copy whose name the re-executed module no longer defines and that its holder
    imports by name (`by_name`: (holder's name, its name) pairs): (the holder, the
    name), or None. A fresh import of the holder fails."""
    for other, name, source in copies:
        if source not in space and (getattr(other, "__name__", None), name) in by_name:
            return other, source
    return None


def imported_by_name(module: types.ModuleType) -> set[tuple[str, str]]:
    """The (holder's name, its name) pairs of names other modules import from `module`
    by name (not by `*`, `bound_from`): those a re-execution must still define."""
    return {
        (holder, name)
        for holder, names in bound_from(module).items()
        for name, (_, named) in names.items()
        if named
    }


def reexecution(
    module: types.ModuleType,
    code: types.CodeType,
    copies: Sequence[Copy],
    by_name: set[tuple[str, str]] | None = None,
) -> Callable[[], None]:
    """A function that executes `code` as `module` (call it in a child), then rebinds
    `copies` (from `copies_elsewhere`) whose object changed. `by_name` is
    `imported_by_name(module)`, when the caller has it."""
    package = module.__name__ + "."
    if by_name is None:
        by_name = imported_by_name(module)

    def reexecute() -> None:
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
        gone = vanished(copies, by_name, space)
        if gone is not None:
            raise ImportError(
                "cannot import name %r from %r (%s imports it)"
                % (gone[1], module.__name__, gone[0].__name__)
            )
        for other, name, source in copies:
            if source in space and space[source] is not old.get(source):
                other.__dict__[name] = space[source]

    return reexecute


# The worker's own files (its package and start-up script).
WORKER_FILES = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def own_modules() -> list[types.ModuleType]:
    """Loaded modules whose files lie outside the interpreter's own directories and the
    worker's (the project's code and tests, not the standard library or
    site-packages)."""
    prefixes = tuple(
        {os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        | {WORKER_FILES}
    )
    found: list[types.ModuleType] = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and not path.startswith(prefixes) and path.endswith(".py"):
            found.append(module)
    return found


def is_worker_file(path: str) -> bool:
    """Whether `path` is one of the worker's own files."""
    return os.path.abspath(path).startswith(WORKER_FILES)


def holds_values(copies: Sequence[Copy], other: types.ModuleType) -> bool:
    """Whether `copies` (from `copies_elsewhere`) put into module `other` a value that
    is not a function, class or module, or a function or class that its top-level code
    uses (in a table, a `parametrize` list, a call): `other` may have computed more from
    it while it was imported."""
    names: set[str] = set()
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


def reads_at_top_level(
    other: types.ModuleType, module: types.ModuleType, copies: Sequence[Copy] = ()
) -> bool:
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
        else:
            # The module itself, handed to something (`vars(m)`, `register(m)`).
            if target is module:
                return True
    return False


def _top_level_dotted(statements: Iterable[ast.AST]) -> Iterator[list[str]]:
    """Every name and dotted name `a.b.c` (as ["a", "b", "c"]) `statements` read,
    outside function and lambda bodies."""
    stack: list[ast.AST] = list(statements)
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
            chain: list[str] = []
            inner: ast.expr = node
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name):
                yield [inner.id] + chain[::-1]
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            yield [node.id]
        stack.extend(ast.iter_child_nodes(node))


def in_order(
    modules: Sequence[types.ModuleType],
    depends_on: Callable[[types.ModuleType, types.ModuleType], bool],
) -> list[types.ModuleType]:
    """`modules` so that each comes after those it depends on (`depends_on(a, b)`:
    whether a needs b first); where that cannot be (a cycle), in `sys.modules`
    order."""
    loaded = {id(module): position for position, module in enumerate(sys.modules.values())}
    remaining = sorted(modules, key=lambda module: loaded.get(id(module), 0))
    ordered: list[types.ModuleType] = []
    while remaining:
        for module in remaining:
            if not any(depends_on(module, other) for other in remaining if other is not module):
                break
        else:
            module = remaining[0]
        ordered.append(module)
        remaining.remove(module)
    return ordered
