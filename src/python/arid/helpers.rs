//! Predicates several rules share: names of called things, and text-building
//! expressions.

use std::collections::BTreeSet;

use ruff_python_ast::visitor::{Visitor, walk_expr};
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

/// Whether evaluating `expr` has no side effect a test could see: literals, names,
/// attributes, subscripts, operators, f-strings, calls of `str`, `repr`, `ascii`,
/// `len`, `type` and `format`, and text methods of string literals (`"-".join(parts)`,
/// `"{}".format(x)`); any other call, a walrus, `await`, `yield`, a lambda or a
/// comprehension is not (a method of another object may do anything).
pub(crate) fn is_pure(expr: &Expr) -> bool {
    const FUNCTIONS: [&str; 6] = ["str", "repr", "ascii", "len", "type", "format"];
    const METHODS: [&str; 12] = [
        "format",
        "join",
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "replace",
        "split",
        "capitalize",
        "encode",
    ];
    let mut pure = true;
    let mut check = |expr: &Expr| match expr {
        Expr::Call(call) => {
            let allowed = match &*call.func {
                Expr::Name(name) => FUNCTIONS.contains(&name.id.as_str()),
                Expr::Attribute(a) => {
                    METHODS.contains(&a.attr.as_str())
                        && matches!(&*a.value, Expr::StringLiteral(_) | Expr::FString(_))
                }
                _ => false,
            };
            pure &= allowed;
        }
        Expr::Named(_)
        | Expr::Await(_)
        | Expr::Yield(_)
        | Expr::YieldFrom(_)
        | Expr::Lambda(_)
        | Expr::ListComp(_)
        | Expr::SetComp(_)
        | Expr::DictComp(_)
        | Expr::Generator(_) => pure = false,
        _ => {}
    };
    every_expr(expr, &mut check);
    pure
}

/// Call `f` on `expr` and every expression inside it.
pub(super) fn every_expr(expr: &Expr, f: &mut dyn FnMut(&Expr)) {
    struct All<'f>(&'f mut dyn FnMut(&Expr));
    impl<'a> Visitor<'a> for All<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            (self.0)(expr);
            walk_expr(self, expr);
        }
    }
    All(f).visit_expr(expr);
}

/// Whether `expr`'s value is text, and if so the locals it is made of: a string
/// literal, an f-string, `str(...)` and the like, `text % ...`, `"text" + x`, `a + b`
/// of text,
/// `text.format(...)`, `text.join(...)`, a list or tuple of text (empty ones too, to be
/// built), or a name (text when that name is).
pub(super) fn text_of(expr: &Expr) -> Option<BTreeSet<String>> {
    fn union<'e>(exprs: impl IntoIterator<Item = &'e Expr>) -> Option<BTreeSet<String>> {
        let mut all = BTreeSet::new();
        for expr in exprs {
            all.extend(text_of(expr)?);
        }
        Some(all)
    }
    match expr {
        Expr::StringLiteral(_) | Expr::FString(_) => Some(BTreeSet::new()),
        Expr::Name(name) => Some(BTreeSet::from([name.id.to_string()])),
        Expr::List(l) => union(&l.elts),
        Expr::Tuple(t) => union(&t.elts),
        // `"text" + x` is text whatever `x` is (or raises); `a + b` is text when both
        // are.
        Expr::BinOp(b) => match b.op {
            ast::Operator::Mod => text_of(&b.left),
            // Each side once: a long `a + b + c + ...` chain nests to the left.
            ast::Operator::Add => match (text_of(&b.left), text_of(&b.right)) {
                (Some(left), _) if left.is_empty() => Some(left),
                (_, Some(right)) if right.is_empty() => Some(right),
                (Some(mut left), Some(right)) => {
                    left.extend(right);
                    Some(left)
                }
                _ => None,
            },
            _ => None,
        },
        Expr::Call(call) => match &*call.func {
            Expr::Name(name) if matches!(name.id.as_str(), "str" | "repr" | "ascii" | "format") => {
                Some(BTreeSet::new())
            }
            Expr::Attribute(a) if matches!(a.attr.as_str(), "format" | "join") => text_of(&a.value),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `name` is a class's by convention (`ValueError`, `BadSignature`), as an
/// exception's is.
pub(super) fn is_class_name(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `call` only turns its arguments into text (`str(x)`, `"-".join(parts)`,
/// `"{}".format(x)`): an argument keeps the context of the call.
pub(super) fn is_text_helper(call: &ast::ExprCall) -> bool {
    match &*call.func {
        Expr::Name(name) => matches!(name.id.as_str(), "str" | "repr" | "ascii" | "format"),
        Expr::Attribute(a) => matches!(a.attr.as_str(), "join" | "format"),
        _ => false,
    }
}
