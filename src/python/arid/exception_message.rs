//! `exception-message`.

use ruff_python_ast::{Expr, Stmt};

use super::helpers::{is_text, is_warn_call};
use super::flow::is_super_init;
use super::{Arid, CallSite, Fate, Place};
use crate::python::operators::Argument;

unit! {
    /// The text arguments of the exception a `raise` statement builds (`raise
    /// ValueError("bad input")`, `"bad %s" % x`, `"bad {}".format(x)`, `"bad " + x`): its
    /// message; the message of `warnings.warn(...)`; the text an exception class's
    /// `__init__` gives `super().__init__` first, and when its bases keep `args` only
    /// for its text (builtin exceptions, classes of the module without an `__init__`),
    /// every argument and that call itself. Text built over several
    /// statements counts too: a local whose every use ends in such a message (`msg =
    /// "..." + x`, `parts.append("...")`, `" ".join(parts)`), and the statements that
    /// only build it (an `if` among them when it only chooses the words). The exception
    /// itself, whether the warning is emitted, and any other argument stay mutated.
    ExceptionMessage
}

impl Arid for ExceptionMessage {
    /// The `super().__init__(...)` call of an exception class's `__init__`, as a
    /// statement: deleting it only empties the exception's `args`.
    fn statement(place: Place<'_>, stmt: &Stmt) -> bool {
        let Stmt::Expr(e) = stmt else {
            return false;
        };
        place.flow.is_some_and(|flow| flow.exception_args)
            && matches!(&*e.value, Expr::Call(call) if is_super_init(call))
    }

    fn argument(call: CallSite<'_>, argument: Argument<'_>) -> Fate {
        let init = call.flow.is_some_and(|flow| flow.exception_init) && is_super_init(call.call);
        let message = (init && call.flow.is_some_and(|flow| flow.exception_args))
            || match argument {
                Argument::Positional(index, value) => {
                    is_text(value, call.flow)
                        && (call.raised || (index == 0 && (is_warn_call(call.call) || init)))
                }
                Argument::Keyword(..) => false,
            };
        if message { Fate::Skip } else { Fate::Walk }
    }
}
