//! `logging`.

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::helpers::{keyword, last_name};
use super::{Arid, CallSite, Fate, Place};
use crate::python::operators::Argument;

unit! {
    /// Calls to a logger's methods as statements (`logger.info("got %s", x)`,
    /// `logging.warning(...)`, `self.log.exception(...)`: a method `debug`, `info`,
    /// `warning`, `warn`, `error`, `exception`, `critical`, `fatal` or `log` of a
    /// logger: `log`, `logging`, `*logger`, `*_log`, `log_*`, `getLogger(...)`), and
    /// `print(..., file=sys.stderr)`: neither deleted nor mutated inside. What is logged
    /// is for people reading logs, and so are the locals that only build it and their
    /// statements (see `exception-message`). The name a logger is got by
    /// (`logging.getLogger(__name__)`) only routes the lines: not mutated.
    Logging
}

/// The methods of a logger.
const LOG_METHODS: [&str; 9] = [
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
];

impl Arid for Logging {
    fn statement(_place: Place<'_>, stmt: &Stmt) -> bool {
        matches!(stmt, Stmt::Expr(e) if matches!(&*e.value, Expr::Call(call) if is_log_statement(call)))
    }

    fn argument(call: CallSite<'_>, _argument: Argument<'_>) -> Fate {
        let get_logger = match &*call.call.func {
            Expr::Name(name) => name.id.as_str() == "getLogger",
            Expr::Attribute(method) => method.attr.as_str() == "getLogger",
            _ => false,
        };
        if get_logger { Fate::Skip } else { Fate::Walk }
    }
}

/// Whether `call`, as a statement, is one this rule takes: a logger's method or a print
/// to standard error.
pub(super) fn is_log_statement(call: &ast::ExprCall) -> bool {
    is_logging_call(call) || is_stderr_print(call)
}

/// Whether `call` is a logger's method.
fn is_logging_call(call: &ast::ExprCall) -> bool {
    let Expr::Attribute(method) = &*call.func else {
        return false;
    };
    LOG_METHODS.contains(&method.attr.as_str())
        && last_name(&method.value).is_some_and(is_logger_name)
}

/// Whether a name is a logger's: `log`, `logging`, `logger`, `_log`, `LOGGER`,
/// `audit_log`, `request_logger`, `getLogger(...)`; not `catalog`, `dialog` or `blog`.
fn is_logger_name(name: &str) -> bool {
    let name = name.trim_start_matches('_').to_ascii_lowercase();
    name == "log"
        || name == "logging"
        || name.ends_with("logger")
        || name.ends_with("_log")
        || name.starts_with("log_")
}

/// Whether `call` is `print(..., file=sys.stderr)`: a message for people, as a log line
/// is.
fn is_stderr_print(call: &ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "print")
        && matches!(keyword(call, "file"), Some(Expr::Attribute(a))
            if a.attr.as_str() == "stderr" && last_name(&a.value) == Some("sys"))
}
