//! `loop-control`: `break`↔`continue`.

use ruff_python_ast::Stmt;

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// `break`↔`continue`
    LoopControl, signal = 8
}

impl Mutate for LoopControl {
    fn stmt(sink: &mut Sink<'_>, stmt: &Stmt) {
        match stmt {
            Stmt::Break(_) => sink.push(Operator::LoopControl, span_of(stmt), "continue"),
            Stmt::Continue(_) => sink.push(Operator::LoopControl, span_of(stmt), "break"),
            _ => {}
        }
    }
}
