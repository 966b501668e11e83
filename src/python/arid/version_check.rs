//! `version-check`.

use ruff_python_ast::{self as ast, Expr};

use super::{Arid, Place};

unit! {
    /// A comparison with the running Python's version (`sys.version_info >= (3, 8)`,
    /// `sys.version_info[0] == 2`, `sys.version_info.major`, `sys.hexversion`,
    /// `sys.version`, `platform.python_version()`) or its build (`sys.maxunicode`,
    /// `sys.maxsize`) against literals, wherever it is: one interpreter runs the tests,
    /// so it gives every test the same answer, and a mutant of it makes this interpreter
    /// take the branch written for another (the same behaviour, or code never meant to
    /// run here), which no test of this Python should pin. The code in each branch
    /// stays mutated, and so does a comparison with anything else (`n <= sys.maxsize`).
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
            // The version against literals only: `0 <= n <= sys.maxsize` checks `n`.
            let operands = || std::iter::once(&*compare.left).chain(&compare.comparators);
            operands().any(is_version)
                && operands().all(|operand| is_version(operand) || is_literal(operand))
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
        Expr::Subscript(s) => is_version(&s.value),
        Expr::Call(call) => is_python_version_call(call),
        _ => false,
    }
}

/// `platform.python_version()` or `platform.python_version_tuple()`.
fn is_python_version_call(call: &ast::ExprCall) -> bool {
    call.arguments.is_empty()
        && matches!(&*call.func, Expr::Attribute(a)
            if matches!(a.attr.as_str(), "python_version" | "python_version_tuple")
                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "platform"))
}

/// A number, text or bytes literal, or a tuple of them (`(3, 8)`, `0x10FFFF`, `"3.10"`).
fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::BytesLiteral(_) => true,
        Expr::Tuple(t) => t.elts.iter().all(is_literal),
        Expr::UnaryOp(u) => matches!(&*u.operand, Expr::NumberLiteral(_)),
        _ => false,
    }
}
