//! `comparison`: a comparison swapped for its neighbour or negation.

use ruff_python_ast::Expr;

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;
use crate::span::Span;

operator! {
    /// `<`↔`<=`, `>`↔`>=`, `==`↔`!=`, `is`↔`is not`, `in`↔`not in`
    ///
    /// Each link of a chained comparison (`a < b <= c`) is changed on its own.
    Comparison, signal = 3
}

impl Mutate for Comparison {
    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        let Expr::Compare(c) = expr else {
            return;
        };
        let mut left = &*c.left;
        for right in &c.comparators {
            let tokens: Vec<Span> = sink
                .code_tokens(span_of(left).end, span_of(right).start)
                .collect();
            left = right;
            let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
                continue;
            };
            let text: Vec<&str> = tokens.iter().map(|token| token.of(sink.text)).collect();
            let span = Span::new(first.start, last.end);
            for replacement in replacements(&text.join(" ")) {
                sink.push(Operator::Comparison, span, *replacement);
            }
        }
    }
}

/// Replacements for a comparison operator's text (`<` -> `<=`).
fn replacements(op: &str) -> &'static [&'static str] {
    match op {
        "<" => &["<="],
        "<=" => &["<"],
        ">" => &[">="],
        ">=" => &[">"],
        "==" => &["!="],
        "!=" => &["=="],
        "is" => &["is not"],
        "is not" => &["is"],
        "in" => &["not in"],
        "not in" => &["in"],
        _ => &[],
    }
}
