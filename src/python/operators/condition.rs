//! `condition`: the test of an `if`, `elif`, `while` or conditional expression negated.

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// the test of `if`/`elif`/`while`/a conditional expression → `not (...)`
    Condition, signal = 2
}

impl Mutate for Condition {
    fn stmt(sink: &mut Sink<'_>, stmt: &Stmt) {
        match stmt {
            Stmt::If(i) => negate(sink, &i.test),
            Stmt::While(w) => negate(sink, &w.test),
            _ => {}
        }
    }

    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        if let Expr::If(i) = expr {
            negate(sink, &i.test);
        }
    }

    fn elif_else_clause(sink: &mut Sink<'_>, clause: &ast::ElifElseClause) {
        if let Some(test) = &clause.test {
            negate(sink, test);
        }
    }
}

fn negate(sink: &mut Sink<'_>, test: &Expr) {
    let span = span_of(test);
    let negated = format!("not ({})", span.of(sink.text));
    sink.push(Operator::Condition, span, negated);
}
