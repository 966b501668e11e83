//! Predicates several rules share: names of called things, and text-building
//! expressions.

use ruff_python_ast::{self as ast, Expr};

use super::flow::Flow;

/// The last name of an expression: `c` for `a.b.c`, `getLogger` for
/// `logging.getLogger(__name__)`.
pub(super) fn last_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        Expr::Call(call) => last_name(&call.func),
        _ => None,
    }
}

/// The last name of what a call calls (`deprecated` for `_deprecated.deprecated(...)`),
/// unless it calls a call's result.
pub(super) fn called_name(call: &ast::ExprCall) -> Option<&str> {
    if call.func.is_call_expr() {
        return None;
    }
    last_name(&call.func)
}

/// Whether `expr` builds text: a string or f-string literal, a local of the function's
/// `flow` that holds only message text, `text % ...`, `text.format(...)`,
/// `text.join(...)`, or `+` with text on either side.
pub(super) fn is_text(expr: &Expr, flow: Option<&Flow>) -> bool {
    match expr {
        Expr::StringLiteral(_) | Expr::FString(_) => true,
        Expr::Name(name) => flow.is_some_and(|flow| flow.is_message(&name.id)),
        Expr::BinOp(b) => match b.op {
            ast::Operator::Mod => is_text(&b.left, flow),
            ast::Operator::Add => is_text(&b.left, flow) || is_text(&b.right, flow),
            _ => false,
        },
        Expr::Call(c) => matches!(&*c.func, Expr::Attribute(a)
            if matches!(a.attr.as_str(), "format" | "join") && is_text(&a.value, flow)),
        _ => false,
    }
}

/// Whether `call` is `warnings.warn(...)` or a bare `warn(...)`.
pub(super) fn is_warn_call(call: &ast::ExprCall) -> bool {
    match &*call.func {
        Expr::Name(name) => name.id.as_str() == "warn",
        Expr::Attribute(a) => a.attr.as_str() == "warn" && last_name(&a.value) == Some("warnings"),
        _ => false,
    }
}

/// Whether `test` is `__name__ == "__main__"` (either way round).
pub(super) fn is_main_test(test: &Expr) -> bool {
    let Expr::Compare(compare) = test else {
        return false;
    };
    let ([ast::CmpOp::Eq], [right]) = (&*compare.ops, &*compare.comparators) else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&compare.left) && is_main(right)) || (is_main(&compare.left) && is_name(right))
}

/// The keyword argument of `call` named `name`, if it has one.
pub(super) fn keyword<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|keyword| keyword.arg.as_ref().is_some_and(|arg| arg.as_str() == name))
        .map(|keyword| &keyword.value)
}
