//! `statement-delete`: a simple statement becomes `pass`; a `case` before a catch-all
//! goes.

use ruff_python_ast::Stmt;

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// a simple statement (call, assignment, assert, raise, del) becomes `pass`; a `case`
    /// before an unguarded catch-all `case` is removed
    ///
    /// A literal statement (a docstring, `...`) has nothing to delete, nor has an
    /// annotation without a value. A `case` can go only before an irrefutable one
    /// (`case _:`, `case x:`, unguarded): the `match` keeps a case, and the value falls
    /// through to the later one.
    StatementDelete, signal = 0
}

impl Mutate for StatementDelete {
    fn stmt(sink: &mut Sink<'_>, stmt: &Stmt) {
        let deletable = match stmt {
            Stmt::Expr(e) => !e.value.is_literal_expr(),
            Stmt::AnnAssign(a) => a.value.is_some(),
            Stmt::Assign(_)
            | Stmt::AugAssign(_)
            | Stmt::Delete(_)
            | Stmt::Assert(_)
            | Stmt::Raise(_) => true,
            _ => false,
        };
        if deletable {
            sink.push(Operator::StatementDelete, span_of(stmt), "pass");
        }
        if let Stmt::Match(m) = stmt {
            for (index, case) in m.cases.iter().enumerate() {
                let later_catch_all = m.cases[index + 1..]
                    .iter()
                    .any(|later| later.guard.is_none() && later.pattern.is_irrefutable());
                if later_catch_all {
                    let lines = sink.line_block(span_of(case));
                    sink.push(Operator::StatementDelete, lines, "");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::python::discover::tests::mutants;

    #[test]
    fn a_case_is_removed_only_before_an_unguarded_catch_all() {
        let removed = |source: &str| -> Vec<String> {
            mutants(source)
                .into_iter()
                .filter(|m| m.contains("statement-delete") && m.contains("case"))
                .collect()
        };
        // No catch-all: removing a case would change which values match at all.
        assert!(removed("match x:\n    case 1:\n        y()\n    case 2:\n        z()\n").is_empty());
        // A guarded capture is no catch-all.
        assert!(
            removed("match x:\n    case 1:\n        y()\n    case v if v:\n        z()\n").is_empty()
        );
        // A capture pattern is one; the catch-all itself stays.
        assert_eq!(
            removed(
                "match x:\n    case 1:\n        y()\n    case 2:\n        w()\n    case v:\n        z()\n"
            ),
            [
                "2:1 statement-delete:     case 1:\n        y()\n -> ",
                "4:1 statement-delete:     case 2:\n        w()\n -> ",
            ]
        );
    }
}
