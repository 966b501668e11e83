//! `boolean-constant`: `True`↔`False`.

use ruff_python_ast::Expr;

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// `True`↔`False`
    BooleanConstant, signal = 11
}

impl Mutate for BooleanConstant {
    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        if let Expr::BooleanLiteral(b) = expr {
            let replacement = if b.value { "False" } else { "True" };
            sink.push(Operator::BooleanConstant, span_of(expr), replacement);
        }
    }
}
