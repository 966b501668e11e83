//! `import-fallback`.

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::helpers::last_name;
use super::{Arid, Place};

unit! {
    /// An import with a fallback: a `try` whose body and every `except ImportError` (or
    /// `ModuleNotFoundError`) clause hold only imports (`try: from urllib.parse import
    /// quote` / `except ImportError: from urllib import quote`). Which one runs is the
    /// environment's choice (an old Python, an optional dependency), so the tests of one
    /// environment cannot see a mutant of the other. A `try` that does anything else
    /// stays mutated.
    ImportFallback
}

impl Arid for ImportFallback {
    fn statement(_place: Place<'_>, stmt: &Stmt) -> bool {
        let Stmt::Try(t) = stmt else {
            return false;
        };
        !t.handlers.is_empty()
            && t.orelse.is_empty()
            && t.finalbody.is_empty()
            && only_imports(&t.body)
            && t.handlers.iter().all(|handler| {
                let ast::ExceptHandler::ExceptHandler(clause) = handler;
                clause.type_.as_deref().is_some_and(catches_import_error)
                    && only_imports(&clause.body)
            })
    }
}

/// Whether `body` holds only imports (and `pass`), at least one.
fn only_imports(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)))
        && body.iter().all(|stmt| {
            matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Pass(_))
        })
}

/// Whether an `except` clause's type is `ImportError` or `ModuleNotFoundError` (alone
/// or in a tuple).
fn catches_import_error(kind: &Expr) -> bool {
    match kind {
        Expr::Tuple(t) => !t.elts.is_empty() && t.elts.iter().all(catches_import_error),
        other => matches!(last_name(other), Some("ImportError" | "ModuleNotFoundError")),
    }
}
