//! `zero-iteration`: a `for` loop over an empty list.

use ruff_python_ast::{Expr, Stmt};

use super::{Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// `for x in xs:` → `for x in []:`
    ///
    /// Not for a loop over a literal that is already empty, nor for `async for`: `async
    /// for x in []` raises `TypeError` (a list has no `__aiter__`), so that mutant could
    /// only be killed for the wrong reason.
    ZeroIteration, signal = 9
}

impl Mutate for ZeroIteration {
    fn stmt(sink: &mut Sink<'_>, stmt: &Stmt) {
        let Stmt::For(f) = stmt else {
            return;
        };
        let empty = match &*f.iter {
            Expr::List(l) => l.elts.is_empty(),
            Expr::Tuple(t) => t.elts.is_empty(),
            _ => false,
        };
        if !f.is_async && !empty {
            sink.push(Operator::ZeroIteration, span_of(&*f.iter), "[]");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::python::discover::tests::mutants;

    #[test]
    fn async_for_gets_no_zero_iteration_mutant() {
        let found = mutants(
            "async def f(xs):\n    async for x in xs:\n        pass\n    for y in xs:\n        pass\n",
        );
        assert!(
            !found
                .iter()
                .any(|m| m.starts_with("2:") && m.contains("zero-iteration")),
            "{found:?}"
        );
        assert!(
            found.contains(&"4:14 zero-iteration: xs -> []".to_owned()),
            "{found:?}"
        );
    }
}
