//! `number`: a number literal `n` becomes `n + 1`, written in the literal's own base.

use ruff_python_ast::{self as ast, Expr};

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// `n` → `n + 1`, as a literal (hex, octal and binary keep their base)
    ///
    /// A float becomes the next float up by one when that is a different finite float;
    /// complex literals are left alone.
    Number, signal = 12
}

impl Mutate for Number {
    fn expr(sink: &mut Sink<'_>, expr: &Expr) {
        let Expr::NumberLiteral(n) = expr else {
            return;
        };
        let span = span_of(expr);
        let replacement = match &n.value {
            ast::Number::Int(_) => int(span.of(sink.text)),
            ast::Number::Float(float) => float_plus_one(*float),
            ast::Number::Complex { .. } => None,
        };
        if let Some(replacement) = replacement {
            sink.push(Operator::Number, span, replacement);
        }
    }
}

/// An integer literal's replacement (`literal` is its source text): its value plus one,
/// written in the literal's base (`0x1f.real` is valid, `32.real` is not); `None` when
/// its digits are not of that base.
fn int(literal: &str) -> Option<String> {
    let digits: String = literal.chars().filter(|c| *c != '_').collect();
    let prefix = digits.get(..2).map(str::to_ascii_lowercase);
    let radix = match prefix.as_deref() {
        Some("0x") => 16,
        Some("0o") => 8,
        Some("0b") => 2,
        _ => {
            let value = digits.trim_start_matches('0');
            return Some(increment_decimal(if value.is_empty() {
                "0"
            } else {
                value
            }));
        }
    };
    let bigger = u128::from_str_radix(&digits[2..], radix)
        .ok()
        .and_then(|n| n.checked_add(1));
    Some(match (bigger, radix) {
        (Some(n), 16) => format!("0x{n:x}"),
        (Some(n), 8) => format!("0o{n:o}"),
        (Some(n), _) => format!("0b{n:b}"),
        // Beyond u128: count up in the literal's own digits.
        (None, _) => {
            let prefix = prefix.unwrap_or_default();
            format!(
                "{}{}",
                &literal[..2],
                increment_in_base(&literal[2..], &prefix)?
            )
        }
    })
}

/// A float literal's replacement: plus one, when that is a different finite float.
fn float_plus_one(value: f64) -> Option<String> {
    let bigger = value + 1.0;
    (bigger.is_finite() && (bigger - value - 1.0).abs() < 0.5).then(|| format!("{bigger:?}"))
}

/// `digits` (a `0x`/`0o`/`0b` literal's, underscores allowed) plus one, in that base; hex
/// letters keep their case. None when they are not digits of that base.
fn increment_in_base(digits: &str, prefix: &str) -> Option<String> {
    let radix = match prefix {
        "0x" => 16,
        "0o" => 8,
        _ => 2,
    };
    let upper = digits.chars().any(|c| c.is_ascii_uppercase());
    let mut out: Vec<char> = digits.chars().filter(|c| *c != '_').collect();
    if out.is_empty() || out.iter().any(|c| !c.is_digit(radix)) {
        return None;
    }
    for position in (0..out.len()).rev() {
        let value = out[position].to_digit(radix)? + 1;
        if value < radix {
            let digit = std::char::from_digit(value, radix)?;
            out[position] = if upper {
                digit.to_ascii_uppercase()
            } else {
                digit
            };
            return Some(out.into_iter().collect());
        }
        out[position] = '0';
    }
    out.insert(0, '1');
    Some(out.into_iter().collect())
}

/// `digits` (a non-negative decimal integer) plus one.
fn increment_decimal(digits: &str) -> String {
    let mut bytes: Vec<u8> = digits.bytes().collect();
    for byte in bytes.iter_mut().rev() {
        if *byte == b'9' {
            *byte = b'0';
        } else {
            *byte += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    let mut out = String::from("1");
    out.push_str(&String::from_utf8(bytes).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use crate::python::discover::tests::mutants;
    use super::increment_in_base;

    #[test]
    fn numbers_keep_their_base_and_floats_stay_floats() {
        let found = mutants("a = 0x1f.real\nb = 1.5\nc = 0b1\nd = 10**30\n");
        assert!(
            found.contains(&"1:5 number: 0x1f -> 0x20".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"2:5 number: 1.5 -> 2.5".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"3:5 number: 0b1 -> 0b10".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"4:5 number: 10 -> 11".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn non_decimal_literals_beyond_u128_count_up_in_their_own_digits() {
        let big = "F".repeat(40);
        let found = mutants(&format!("a = 0x{big}\nb = 0xff_{}\n", "f".repeat(35)));
        assert!(
            found.contains(&format!("1:5 number: 0x{big} -> 0x1{}", "0".repeat(40))),
            "{found:?}"
        );
        assert!(
            found.contains(&format!(
                "2:5 number: 0xff_{} -> 0x1{}",
                "f".repeat(35),
                "0".repeat(37)
            )),
            "{found:?}"
        );
        assert_eq!(increment_in_base("1011", "0b").as_deref(), Some("1100"));
        assert_eq!(increment_in_base("7", "0o").as_deref(), Some("10"));
        assert_eq!(increment_in_base("x", "0o"), None);
    }
}
