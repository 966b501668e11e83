"""The swap decision (the first way `warm.py` puts a mutant in): whether only bodies of
functions that never ran at import change, the live function objects that take the
mutated code, and the class-cell case a swap can still handle. `Swapping` is a part of
`warm.Worker`, kept here as one concept."""

from __future__ import annotations

from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Tuple

from .swap import Chain, differences, is_function, key_of
from .tracer import Key

if TYPE_CHECKING:
    from .protocol import Request

# A live function and the mutated code that goes into it.
Swap = Tuple[FunctionType, CodeType]


class Swapping:
    """The worker's swap decision (mixed into `warm.Worker`)."""

    # Set up by `warm.Worker.__init__` and `warm.Worker.find_functions`.
    files: list[str]
    file_numbers: dict[str, int]
    import_calls: set[Key]
    functions: dict[Key, list[FunctionType]]

    def only_bodies_that_slept(self, number: int, diffs: list[Chain]) -> bool:
        """Whether every change is inside a function that, like every function around
        it, never ran while the modules were imported and the tests collected."""
        for chain in diffs:
            if not is_function(chain[-1][0]):
                return False
            for old, _ in chain:
                if is_function(old) and key_of(number, old) in self.import_calls:
                    return False
        return bool(diffs)

    def keeping_the_class_cell(
        self, original: CodeType, request: Request, diffs: list[Chain]
    ) -> tuple[CodeType, list[Chain]] | None:
        """When the mutant drops a method's last use of `super()` (or `__class__`), the
        method no longer takes the class's `__class__` cell, so its class body, which
        hands the cell to it, differs too: only re-executing the module would put it in.
        `__class__` appended to the mutated line as a statement of its own (a no-op once
        the class exists) keeps the cell, so only the method differs and is swapped.
        Returns (code, differences) that way, or None."""
        if not any(
            not is_function(chain[-1][0]) and "__class__" in chain[-1][0].co_cellvars
            for chain in diffs
        ):
            return None
        lines = request["source"].splitlines(True)
        number = self.file_numbers[request["path"]]
        with open(self.files[number], "rb") as source:
            before = source.read().decode("utf-8", "replace").count("\n")
        # The change's last line in the mutated text (a deletion may have shortened it).
        first, last = request["lines"]
        last += request["source"].count("\n") - before
        if not first <= last <= len(lines):
            return None
        text = lines[last - 1]
        body = text.rstrip("\r\n")
        lines[last - 1] = body + "; __class__" + text[len(body):]
        try:
            mutated = compile("".join(lines), self.files[number], "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return None
        kept = differences(original, mutated)
        if not kept or not all(is_function(chain[-1][0]) for chain in kept):
            return None
        return mutated, kept

    def swaps(self, number: int, diffs: list[Chain], at_import: bool = False) -> list[Swap] | str:
        """The (function, new code) pairs that put the mutant into the live functions,
        or why that cannot be done. With `at_import` the module is re-executed too, so
        functions that ran at import are swapped as well (for copies held elsewhere),
        and what cannot be swapped is left to the re-execution."""
        swaps: list[Swap] = []
        for chain in diffs:
            if not is_function(chain[-1][0]):
                if at_import:
                    continue
                return "module level or class body"
            outermost = next(i for i, (old, _) in enumerate(chain) if is_function(old))
            for position, (old, new) in enumerate(chain[outermost:]):
                key = key_of(number, old)
                if key in self.import_calls and not at_import:
                    return "%s ran while the modules were imported" % old.co_name
                if old.co_freevars != new.co_freevars:
                    if at_import:
                        break
                    return "the free variables of %s change" % old.co_name
                live = self.functions.get(key, [])
                if len({id(function.__code__) for function in live}) > 1:
                    # Two definitions share the key (lambdas on one line): keep the ones
                    # whose code is this definition's.
                    live = [function for function in live if function.__code__ == old]
                    if not live and not at_import:
                        return "cannot tell apart the functions of %s" % old.co_name
                if position == 0 and not live and not at_import:
                    return "no live function object for %s" % old.co_name
                swaps.extend((function, new) for function in live)
        return swaps
