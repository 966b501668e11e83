//! `namespace-del`.

use ruff_python_ast::{Expr, Stmt};

use super::{Arid, Place};

unit! {
    /// `del name` of module or class attributes (`del _os, _sys` after using them): it
    /// only tidies a namespace. `del d[key]` and `del` inside functions stay mutated.
    NamespaceDel
}

impl Arid for NamespaceDel {
    fn statement(place: Place<'_>, stmt: &Stmt) -> bool {
        matches!(stmt, Stmt::Delete(d)
            if !place.in_function && d.targets.iter().all(|target| matches!(target, Expr::Name(_))))
    }
}
