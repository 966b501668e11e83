//! `unary-operator`: a unary `not`, `-` or `~` removed.

use ruff_python_ast::{self as ast, Expr};

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;
use crate::span::Span;

operator! {
    /// `not x`→`x`, `-x`→`x`, `~x`→`x`
    ///
    /// The operator goes with the space after it; a space stays where removing both
    /// would glue two words (`a if not b` stays `a if b`, never `a ifb`).
    UnaryOperator, signal = 7
}

impl Mutate for UnaryOperator {
    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        let Expr::UnaryOp(u) = expr else {
            return;
        };
        if matches!(u.op, ast::UnaryOp::UAdd) {
            return;
        }
        let start = span_of(expr).start;
        let index = sink.module.token_at_or_after(start);
        let Some(next) = sink.module.tokens.get(index + 1) else {
            return;
        };
        let span = Span::new(start, next.span.start);
        let before = sink.text[..start].chars().next_back();
        let after = sink.text[next.span.start..].chars().next();
        let glue = before.is_some_and(is_word_char) && after.is_some_and(is_word_char);
        sink.push(Operator::UnaryOperator, span, if glue { " " } else { "" });
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use crate::python::discover::tests::mutants;

    #[test]
    fn unary_removal_never_glues_tokens() {
        let found = mutants("def f(x):\n    return-x\n");
        assert!(
            found.contains(&"2:11 unary-operator: - ->  ".to_owned()),
            "{found:?}"
        );
        let found = mutants("y = not (a)\n");
        assert!(
            found.contains(&"1:5 unary-operator: not  -> ".to_owned()),
            "{found:?}"
        );
    }
}
