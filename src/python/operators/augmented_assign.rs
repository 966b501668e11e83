//! `augmented-assign`: `+=`↔`-=` and the like, and `x += y` → `x = y`.

use ruff_python_ast::Stmt;

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// `+=`↔`-=` and the like; `x += y` → `x = y`
    ///
    /// The swaps are `binary-operator`'s table; `@=` has no swap but becomes `=`.
    AugmentedAssign, signal = 6
}

impl Mutate for AugmentedAssign {
    fn stmt(sink: &mut Sink<'_>, stmt: &Stmt) {
        let Stmt::AugAssign(a) = stmt else {
            return;
        };
        let token = sink
            .code_tokens(span_of(&*a.target).end, span_of(&*a.value).start)
            .next();
        if let Some(token) = token {
            for replacement in replacements(token.of(sink.text)) {
                sink.push(Operator::AugmentedAssign, token, replacement);
            }
        }
    }
}

/// Replacements for an augmented assignment's text (`+=` -> `-=`, `=`).
fn replacements(op: &str) -> Vec<String> {
    let Some(binary) = op.strip_suffix('=') else {
        return Vec::new();
    };
    let mut out: Vec<String> = super::binary_operator::replacements(binary)
        .iter()
        .map(|other| format!("{other}="))
        .collect();
    if !out.is_empty() || binary == "@" {
        out.push("=".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::python::discover::tests::mutants;

    #[test]
    fn augmented_assignments_swap_and_become_plain_assignments() {
        let found = mutants("x += 1\ny @= z\n");
        assert!(
            found.contains(&"1:3 augmented-assign: += -> -=".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"1:3 augmented-assign: += -> =".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"2:3 augmented-assign: @= -> =".to_owned()),
            "{found:?}"
        );
    }
}
