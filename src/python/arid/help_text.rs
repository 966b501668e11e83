//! `help-text`.

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::helpers::keyword;
use super::{Arid, CallSite, Fate, Place};
use crate::python::operators::Argument;

unit! {
    /// The `help=`, `description=`, `title=`, `epilog=`, `usage=`, `metavar=` and
    /// `prog=` keyword arguments of any call (argparse, click), the text of `version=`
    /// beside `action="version"` (not its `None` mutant: that breaks `--version`), and
    /// `print_help()`/`print_usage()` calls as statements: text for people. Positional
    /// arguments, such as `add_argument`'s name, stay mutated.
    HelpText
}

/// The keyword arguments that hold help text.
const HELP_KEYWORDS: [&str; 7] = [
    "help",
    "description",
    "title",
    "epilog",
    "usage",
    "metavar",
    "prog",
];

impl Arid for HelpText {
    fn statement(_place: Place<'_>, stmt: &Stmt) -> bool {
        matches!(stmt, Stmt::Expr(e) if matches!(&*e.value, Expr::Call(call) if is_help_print(call)))
    }

    fn argument(call: CallSite<'_>, argument: Argument<'_>) -> Fate {
        match argument {
            Argument::Keyword(Some(name), _) if HELP_KEYWORDS.contains(&name) => Fate::Skip,
            Argument::Keyword(Some("version"), _) if is_version_action(call.call) => {
                Fate::Replace
            }
            _ => Fate::Walk,
        }
    }
}

/// Whether `call` has `action="version"` (argparse's `--version`).
fn is_version_action(call: &ast::ExprCall) -> bool {
    matches!(keyword(call, "action"), Some(Expr::StringLiteral(s)) if s.value.to_str() == "version")
}

/// Whether `call` is `<parser>.print_help(...)` or `<parser>.print_usage(...)`.
fn is_help_print(call: &ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Attribute(a)
        if matches!(a.attr.as_str(), "print_help" | "print_usage"))
}
