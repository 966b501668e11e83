"""Comparing a module's code with its mutant's, and the code objects to swap.

Positions are ignored: a mutant moves no line, but the comparison must not depend on
it. A difference is reported as the chain of (original, mutated) code pairs from the
module down to the shallowest code object that differs.
"""

from __future__ import annotations

import dis
import types
from typing import Iterator, List, Tuple

# A pair of code objects: the original's and the mutant's.
Pair = Tuple[types.CodeType, types.CodeType]
# From the module down to a code object that differs.
Chain = List[Pair]

CO_NEWLOCALS = 0x0002
CODE_ATTRS = (
    "co_code",
    "co_names",
    "co_varnames",
    "co_freevars",
    "co_cellvars",
    "co_flags",
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
    "co_name",
    "co_exceptiontable",
)


def key_of(number: int, code: types.CodeType) -> tuple[int, int, str]:
    """What identifies a code object of file `number` across compilations."""
    return (number, code.co_firstlineno, code.co_name)


def is_function(code: types.CodeType) -> bool:
    """Whether `code` is a function's (not a module's or a class body's)."""
    return bool(code.co_flags & CO_NEWLOCALS)


def differences(
    original: types.CodeType, mutated: types.CodeType, chain: Chain | None = None
) -> list[Chain]:
    """For each shallowest code object that differs, the chain of (original, mutated)
    pairs from the module down to it."""
    out: list[Chain] = []
    _differences(original, mutated, chain or [], out)
    return out


def _differences(
    original: types.CodeType, mutated: types.CodeType, chain: Chain, out: list[Chain]
) -> None:
    pair = chain + [(original, mutated)]
    if len(original.co_consts) != len(mutated.co_consts) or any(
        getattr(original, name, None) != getattr(mutated, name, None) for name in CODE_ATTRS
    ):
        out.append(pair)
        return
    nested: list[Pair] = []
    for a, b in zip(original.co_consts, mutated.co_consts):
        if isinstance(a, types.CodeType) and isinstance(b, types.CodeType):
            nested.append((a, b))
        elif isinstance(a, types.CodeType) or isinstance(b, types.CodeType):
            out.append(pair)
            return
        elif type(a) is not type(b) or repr(a) != repr(b):
            out.append(pair)
            return
    for a, b in nested:
        _differences(a, b, pair, out)


def all_codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """`code` and every code object nested in it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from all_codes(const)


def own_lines(code: types.CodeType) -> set[int]:
    """The lines that start an instruction of `code` itself (not of code nested in it)."""
    return {line for _, line in dis.findlinestarts(code) if line is not None}


def line_starts(code: types.CodeType) -> set[int]:
    """Every line that starts an instruction in `code` or the code nested in it."""
    lines: set[int] = set()
    for nested in all_codes(code):
        lines.update(own_lines(nested))
    return lines
