//! `exception-message`.

use ruff_python_ast::{self as ast, Expr};

use super::helpers::{is_text, last_name};
use super::{Arid, CallSite, Fate};
use crate::python::operators::Argument;

unit! {
    /// The text arguments of the exception a `raise` statement builds (`raise
    /// ValueError("bad input")`, `"bad %s" % x`, `"bad {}".format(x)`, `"bad " + x`): its
    /// message; and the message of `warnings.warn(...)`. The exception itself, and any
    /// other argument, stay mutated.
    ExceptionMessage
}

impl Arid for ExceptionMessage {
    fn argument(call: CallSite<'_>, argument: Argument<'_>) -> Fate {
        let message = match argument {
            Argument::Positional(index, value) => {
                is_text(value) && (call.raised || (index == 0 && is_warn_call(call.call)))
            }
            Argument::Keyword(..) => false,
        };
        if message { Fate::Skip } else { Fate::Walk }
    }
}

/// Whether `call` is `warnings.warn(...)` or a bare `warn(...)`.
fn is_warn_call(call: &ast::ExprCall) -> bool {
    match &*call.func {
        Expr::Name(name) => name.id.as_str() == "warn",
        Expr::Attribute(a) => a.attr.as_str() == "warn" && last_name(&a.value) == Some("warnings"),
        _ => false,
    }
}
