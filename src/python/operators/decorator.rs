//! `decorator`: a decorator line removed.

use ruff_python_ast as ast;

use super::{Mutate, Operator};
use crate::python::parse::{TokenKind, span_of};
use crate::python::sink::Sink;
use crate::span::Span;

operator! {
    /// a decorator is removed
    ///
    /// The edit runs from its `@` to the next code token, so the line goes whole.
    Decorator, signal = 13
}

impl Mutate for Decorator {
    fn decorator(sink: &mut Sink<'_>, decorator: &ast::Decorator) {
        let span = span_of(decorator);
        let next = sink.module.tokens[sink.module.token_at_or_after(span.end)..]
            .iter()
            .find(|token| token.kind != TokenKind::Trivia)
            .map_or(span.end, |token| token.span.start);
        sink.push(Operator::Decorator, Span::new(span.start, next), "");
    }
}
