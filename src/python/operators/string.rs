//! `string`: a string literal emptied, an empty one filled.

use ruff_python_ast::Expr;

use super::{Mutate, Operator};
use crate::python::parse::{TokenKind, span_of};
use crate::python::sink::Sink;
use crate::span::Span;

operator! {
    /// `"s"` → `""`, `""` → `"XX"`
    ///
    /// Only the first piece of an implicitly concatenated literal; never a docstring,
    /// nor the literal parts of f-strings and t-strings (their replacement fields are
    /// mutated like any other expression).
    String, signal = 15
}

impl Mutate for String {
    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        let first = match expr {
            Expr::StringLiteral(s) => s.value.iter().next().map(span_of),
            Expr::BytesLiteral(b) => b.value.iter().next().map(span_of),
            _ => None,
        };
        if let Some(first) = first {
            token(sink, first);
        }
    }
}

/// `"s"` -> `""` (and `""` -> `"XX"`) on the string token that starts at `span`.
fn token(sink: &mut Sink<'_>, span: Span) {
    let index = sink.module.token_at_or_after(span.start);
    let Some(token) = sink.module.tokens.get(index) else {
        return;
    };
    if token.kind != TokenKind::String || token.span.start != span.start {
        return;
    }
    if let Some(replacement) = replacement(token.span.of(sink.text)) {
        sink.push(Operator::String, token.span, replacement);
    }
}

/// A string literal's replacement (`literal` is one token, prefix and quotes included):
/// the empty string, or `XX` for an empty one; `None` for a token too short to hold its
/// quotes. Not the text wrapped in `XX`: that keeps the original as a substring, which
/// the `assertIn`/`in` checks many suites make on messages cannot tell from it.
fn replacement(literal: &str) -> Option<std::string::String> {
    let prefix = literal.find(['"', '\'']).unwrap_or(0);
    let rest = &literal[prefix..];
    let quote_len = if rest.starts_with("\"\"\"") || rest.starts_with("\'\'\'") {
        3
    } else {
        1
    };
    if rest.len() < 2 * quote_len {
        return None;
    }
    let (open, body) = literal.split_at(prefix + quote_len);
    let (body, close) = body.split_at(body.len() - quote_len);
    let body = if body.is_empty() { "XX" } else { "" };
    Some(format!("{open}{body}{close}"))
}

#[cfg(test)]
mod tests {
    use crate::python::discover::tests::mutants;

    #[test]
    fn strings_get_markers_inside_their_quotes_whatever_the_prefix() {
        let found = mutants("a = rb'x'\nb = '''t''' 'u'\n");
        assert!(
            found.contains(&"1:5 string: rb'x' -> rb''".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"2:5 string: '''t''' -> ''''''".to_owned()),
            "{found:?}"
        );
        assert!(
            !found.iter().any(|m| m.contains("string: 'u'")),
            "only the first piece: {found:?}"
        );
    }
}
