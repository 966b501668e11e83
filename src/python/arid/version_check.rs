//! `version-check`.

use ruff_python_ast::{self as ast, Expr};

use super::helpers::last_name;
use super::{Arid, Place};

unit! {
    /// A comparison with the running Python's version (`sys.version_info >= (3, 8)`,
    /// `sys.version_info[0] == 2`, `sys.version_info.major`, `sys.hexversion`,
    /// `sys.version`, `platform.python_version()`) or its build (`sys.maxunicode`,
    /// `sys.maxsize`), wherever it is: one interpreter runs
    /// the tests, so it gives every test the same answer, and a mutant of it is seen
    /// only on another Python. The code in each branch stays mutated.
    VersionCheck
}

impl Arid for VersionCheck {
    fn expression(_place: Place<'_>, expr: &Expr) -> bool {
        is_version_check(expr)
    }
}

/// Whether `expr` compares the running Python's version, or joins or negates only such
/// comparisons (`sys.version_info[0] == 2 or version_info.major < 3`).
fn is_version_check(expr: &Expr) -> bool {
    match expr {
        Expr::Compare(compare) => {
            is_version(&compare.left) || compare.comparators.iter().any(is_version)
        }
        Expr::BoolOp(b) => b.values.iter().all(is_version_check),
        Expr::UnaryOp(u) => u.op == ast::UnaryOp::Not && is_version_check(&u.operand),
        _ => false,
    }
}

/// Whether `expr` is the running Python's version or a part of it.
fn is_version(expr: &Expr) -> bool {
    match expr {
        Expr::Attribute(a) if a.attr.as_str() == "major" || a.attr.as_str() == "minor" => {
            is_version(&a.value)
        }
        Expr::Attribute(a) => {
            matches!(
                a.attr.as_str(),
                "version_info" | "hexversion" | "version" | "maxunicode" | "maxsize"
            )
                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "sys")
        }
        Expr::Name(n) => matches!(n.id.as_str(), "version_info" | "hexversion"),
        Expr::Subscript(s) => is_version(&s.value),
        Expr::Call(call) => is_python_version_call(call),
        _ => false,
    }
}

/// `platform.python_version()` or `platform.python_version_tuple()`.
fn is_python_version_call(call: &ast::ExprCall) -> bool {
    call.arguments.is_empty()
        && matches!(last_name(&call.func), Some("python_version" | "python_version_tuple"))
}
