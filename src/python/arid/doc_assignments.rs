//! `doc-assignments`.

use ruff_python_ast::{Expr, Stmt};

use super::{Arid, Place};

unit! {
    /// Assignments to `__doc__` (`f.__doc__ = "..."`): documentation, like a docstring.
    DocAssignments
}

impl Arid for DocAssignments {
    fn statement(_place: Place<'_>, stmt: &Stmt) -> bool {
        match stmt {
            Stmt::Assign(a) => a.targets.iter().any(is_doc_target),
            Stmt::AugAssign(a) => is_doc_target(&a.target),
            _ => false,
        }
    }
}

/// Whether an assignment target is `__doc__` or `<something>.__doc__`.
fn is_doc_target(target: &Expr) -> bool {
    match target {
        Expr::Name(name) => name.id.as_str() == "__doc__",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "__doc__",
        _ => false,
    }
}
