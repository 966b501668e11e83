//! `call-argument`: an argument of a call becomes `None`.

use ruff_python_ast::Expr;

use super::{Argument, Mutate, Operator};
use crate::python::parse::span_of;
use crate::python::sink::Sink;

operator! {
    /// an argument of a call becomes `None` (not `*args`, `**kwargs`, a lone generator,
    /// one that is already `None`, a string literal while `string` is on, or `True`/`False`
    /// while `boolean-constant` is on: one mutant per literal)
    ///
    /// The arid rules say which arguments are left alone (help text, messages, typing).
    CallArgument, signal = 14
}

impl Mutate for CallArgument {
    fn argument(sink: &mut Sink<'_>, argument: Argument<'_>, walked: bool) {
        let value = argument.value();
        if matches!(argument, Argument::Keyword(None, _))
            || matches!(value, Expr::Starred(_) | Expr::Generator(_))
            || value.is_none_literal_expr()
        {
            return;
        }
        // A string literal the walk mutates is the `string` operator's: `None` there
        // would be a second finding on the same literal.
        let string = matches!(value, Expr::StringLiteral(_) | Expr::BytesLiteral(_));
        if walked && string && sink.enabled(Operator::String) {
            return;
        }
        // `True`/`False`: `boolean-constant` flips it, which `None` only repeats where the
        // callee reads it for truth.
        if walked && value.is_boolean_literal_expr() && sink.enabled(Operator::BooleanConstant) {
            return;
        }
        sink.push(Operator::CallArgument, span_of(value), "None");
    }
}

#[cfg(test)]
mod tests {
    use crate::python::discover::tests::mutants;
    use crate::python::discover::mutate_source;
    use crate::python::operators::Operator;

    #[test]
    fn call_arguments_become_none_except_unpacking_generators_and_none() {
        let found: Vec<String> = mutants("f(a, (b), *c, k=d + 1, n=None, **e)\ng(x for x in y)\n")
            .into_iter()
            .filter(|m| m.contains("call-argument"))
            .collect();
        assert_eq!(
            found,
            vec![
                "1:3 call-argument: a -> None",
                "1:7 call-argument: b -> None",
                "1:17 call-argument: d + 1 -> None",
            ]
        );
    }

    /// The mutants of `source` with only `operators`, as `operator original -> replacement`.
    fn listed(source: &str, operators: &[Operator]) -> Vec<String> {
        mutate_source("m.py", source, &operators.iter().copied().collect())
            .unwrap()
            .iter()
            .map(|m| format!("{} {} -> {}", m.operator, m.original, m.replacement))
            .collect()
    }

    /// A string literal given to a call is one finding: the `string` operator's, not also
    /// `call-argument -> None`; with `string` off, the argument is mutated again.
    #[test]
    fn a_string_argument_is_mutated_once() {
        let source = "def f(log, n):\n    log(\"ready\", n, b\"\")\n";
        let with = |operators: &[Operator]| listed(source, operators);
        assert_eq!(
            with(&[Operator::String, Operator::CallArgument]),
            [
                "string \"ready\" -> \"\"",
                "call-argument n -> None",
                "string b\"\" -> b\"XX\"",
            ]
        );
        assert_eq!(
            with(&[Operator::CallArgument]),
            [
                "call-argument \"ready\" -> None",
                "call-argument n -> None",
                "call-argument b\"\" -> None",
            ]
        );
    }

    /// `True`/`False` given to a call is one finding: `boolean-constant`'s flip, not also
    /// `None` (the weaker mutant where the callee reads it for truth); with
    /// `boolean-constant` off, `None` comes back.
    #[test]
    fn a_boolean_argument_is_mutated_once() {
        let source = "def f(run, n):\n    run(n, strict=True, cache=False)\n";
        let with = |operators: &[Operator]| listed(source, operators);
        assert_eq!(
            with(&[Operator::BooleanConstant, Operator::CallArgument]),
            [
                "call-argument n -> None",
                "boolean-constant True -> False",
                "boolean-constant False -> True",
            ]
        );
        assert_eq!(
            with(&[Operator::CallArgument]),
            [
                "call-argument n -> None",
                "call-argument True -> None",
                "call-argument False -> None",
            ]
        );
    }
}
