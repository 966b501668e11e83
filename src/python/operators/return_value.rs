//! `return-value`: `return x` becomes `return None`.

use ruff_python_ast::Stmt;

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// `return x` becomes `return None`
    ReturnValue, signal = 1
}

impl Mutate for ReturnValue {
    fn stmt(sink: &mut Sink<'_>, stmt: &Stmt) {
        if let Stmt::Return(r) = stmt
            && let Some(value) = &r.value
            && !value.is_none_literal_expr()
        {
            sink.push(Operator::ReturnValue, span_of(&**value), "None");
        }
    }
}
