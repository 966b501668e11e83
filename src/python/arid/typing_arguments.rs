//! `typing-arguments`.

use ruff_python_ast::Expr;

use super::helpers::{called_name, last_name};
use super::{Arid, CallSite, Fate};
use crate::python::operators::Argument;

unit! {
    /// The arguments of `TypeVar(...)` and `NewType(...)`, the type given to `cast(...)`,
    /// and forward-reference strings in typing subscripts (`Optional["Node"]`): they
    /// matter to type checkers only. The values of `Literal[...]` and the metadata of
    /// `Annotated[...]` stay mutated (validators read them).
    TypingArguments
}

/// The generic types from `typing` (and `collections.abc`) whose string arguments are
/// forward references; not `Literal` or `Annotated`.
const TYPING_GENERICS: [&str; 30] = [
    "Optional",
    "Union",
    "List",
    "Dict",
    "Set",
    "FrozenSet",
    "Tuple",
    "Type",
    "Callable",
    "ClassVar",
    "Final",
    "Sequence",
    "MutableSequence",
    "Mapping",
    "MutableMapping",
    "Iterable",
    "Iterator",
    "Generator",
    "AsyncIterator",
    "AsyncGenerator",
    "Awaitable",
    "Coroutine",
    "Collection",
    "AbstractSet",
    "DefaultDict",
    "OrderedDict",
    "Deque",
    "TypeGuard",
    "Required",
    "NotRequired",
];

impl Arid for TypingArguments {
    fn argument(call: CallSite<'_>, argument: Argument<'_>) -> Fate {
        let name = called_name(call.call);
        let typing_only = matches!(name, Some("TypeVar" | "NewType"))
            || (name == Some("cast") && matches!(argument, Argument::Positional(0, _)));
        if typing_only { Fate::Skip } else { Fate::Walk }
    }

    fn forward_references(value: &Expr) -> bool {
        last_name(value).is_some_and(|name| TYPING_GENERICS.contains(&name))
    }
}
