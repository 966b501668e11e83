//! `binary-operator`: arithmetic and bitwise operators swapped, and the table
//! `augmented-assign` shares.

use ruff_python_ast::Expr;

use super::{Mutate, Operator};
use crate::python::sink::Sink;

operator! {
    /// `+`↔`-`, `*`↔`/`, `//`→`/`, `%`→`/`, `**`→`*`, `<<`↔`>>`, `&`↔`|`, `^`→`&`
    ///
    /// The operator token is found between the operands (parentheses and comments
    /// skipped), so the edit is that token alone.
    BinaryOperator, signal = 5
}

impl Mutate for BinaryOperator {
    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        let Expr::BinOp(b) = expr else {
            return;
        };
        if let Some(token) = sink.operator_between(&b.left, &b.right) {
            for replacement in replacements(token.of(sink.text)) {
                sink.push(Operator::BinaryOperator, token, *replacement);
            }
        }
    }
}

/// Replacements for a binary operator's text (`+` -> `-`).
#[expect(
    clippy::match_same_arms,
    reason = "one arm per operator reads as the catalogue"
)]
pub(super) fn replacements(op: &str) -> &'static [&'static str] {
    match op {
        "+" => &["-"],
        "-" => &["+"],
        "*" => &["/"],
        "/" => &["*"],
        "//" | "%" => &["/"],
        "**" => &["*"],
        "<<" => &[">>"],
        ">>" => &["<<"],
        "&" => &["|"],
        "|" => &["&"],
        "^" => &["&"],
        _ => &[],
    }
}
