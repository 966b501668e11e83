//! `boolean-operator`: `and`↔`or`.

use ruff_python_ast::Expr;

use super::{Mutate, Operator};
use crate::python::sink::Sink;

operator! {
    /// `and`↔`or`
    ///
    /// Each operator of a longer chain (`a and b and c`) is swapped on its own.
    BooleanOperator, signal = 4
}

impl Mutate for BooleanOperator {
    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        let Expr::BoolOp(b) = expr else {
            return;
        };
        for pair in b.values.windows(2) {
            if let Some(token) = sink.operator_between(&pair[0], &pair[1]) {
                let replacement = match token.of(sink.text) {
                    "and" => "or",
                    _ => "and",
                };
                sink.push(Operator::BooleanOperator, token, replacement);
            }
        }
    }
}
