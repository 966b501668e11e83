//! `exception-handler`: the body of an `except` clause becomes `raise`.

use ruff_python_ast::{self as ast, Stmt};

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::{Sink, full_span};
use crate::span::Span;

operator! {
    /// an `except` body becomes `raise`
    ///
    /// Not a body that is already a bare `raise`.
    ExceptionHandler, signal = 10
}

impl Mutate for ExceptionHandler {
    fn except_handler(sink: &mut Sink<'_>, handler: &ast::ExceptHandlerExceptHandler) {
        let bare_raise = handler.body.len() == 1
            && matches!(&handler.body[0], Stmt::Raise(r) if r.exc.is_none());
        if let (Some(first), Some(last), false) =
            (handler.body.first(), handler.body.last(), bare_raise)
        {
            let span = Span::new(full_span(first).start, span_of(last).end);
            sink.push(Operator::ExceptionHandler, span, "raise");
        }
    }
}
