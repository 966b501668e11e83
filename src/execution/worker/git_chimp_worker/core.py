"""What the mixins of `warm.Worker` (`deciding.Deciding`, `reexecuting.Reexecution`)
call on the worker they are mixed into: its core's methods, declared once for the type
checker. At run time the mixins derive from `object` and the methods are the worker's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Protocol, Sequence, TypeVar

if TYPE_CHECKING:
    from . import fork
    from .collect import Test

T = TypeVar("T")


class Core(Protocol):
    """The methods `warm.Worker` gives its mixins."""

    def in_child(self, work: Callable[[], T], timeout: float) -> fork.ChildOutcome[T]: ...

    def items_at(self, positions: Iterable[int]) -> list[Test]: ...

    def run_items(
        self,
        items: Sequence[Test],
        on_item: Callable[[Test, float, bool], None] | None = None,
        allowances: Sequence[float] | None = None,
    ) -> str | None: ...
