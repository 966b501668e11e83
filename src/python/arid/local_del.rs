//! `local-del`.

use ruff_python_ast::Stmt;

use super::{Arid, Place};

unit! {
    /// `del name` of a function's locals after their last use (`del frame` before a
    /// return): the names are read nowhere after it, nor in a nested function, so only
    /// when the object is freed changes. Only a `del` at the top level of the function
    /// body, of names assigned there before it; a `del` in a branch or a loop, of a
    /// global, or in a function that calls `locals()`, `vars()`, `eval` or `exec` stays
    /// mutated.
    LocalDel
}

impl Arid for LocalDel {
    fn statement(place: Place<'_>, stmt: &Stmt) -> bool {
        place.flow.is_some_and(|flow| flow.drops_dead_locals(stmt))
    }
}
