//! The replacement text of the literal operators: a number plus one in its own base, a
//! string with markers inside its quotes. Pure functions of the literal's source text.

/// An integer literal's replacement (`literal` is its source text): its value plus one,
/// written in the literal's base (`0x1f.real` is valid, `32.real` is not); `None` when
/// its digits are not of that base.
pub(super) fn int(literal: &str) -> Option<String> {
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
pub(super) fn float(value: f64) -> Option<String> {
    let bigger = value + 1.0;
    (bigger.is_finite() && (bigger - value - 1.0).abs() < 0.5).then(|| format!("{bigger:?}"))
}

/// A string literal's replacement (`literal` is one token, prefix and quotes included):
/// the empty string, or `XX` for an empty one; `None` for a token too short to hold its
/// quotes. Not the text wrapped in `XX`: that keeps the original as a substring, which
/// the `assertIn`/`in` checks many suites make on messages cannot tell from it.
pub(super) fn string(literal: &str) -> Option<String> {
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

/// `digits` (a `0x`/`0o`/`0b` literal's, underscores allowed) plus one, in that base; hex
/// letters keep their case. None when they are not digits of that base.
pub(super) fn increment_in_base(digits: &str, prefix: &str) -> Option<String> {
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
