//! The mutation operators: stable names (shown in reports, selected with `--operators`)
//! and the one-line description `git chimp operators` prints. How each one finds its
//! targets lives in `discover.rs`, which walks the AST once for all of them.

use std::fmt;
use std::str::FromStr;

/// One kind of small change git-chimp makes to Python code. Its name is its variant's,
/// in kebab case (`StatementDelete` is `statement-delete`): names are stable, as reports,
/// mutant ids and `--operators` use them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
    strum::EnumCount,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Operator {
    /// A simple statement becomes `pass`.
    StatementDelete,
    /// `return x` becomes `return None`.
    ReturnValue,
    /// An arithmetic or bitwise operator is swapped.
    BinaryOperator,
    /// An augmented assignment is swapped, or becomes plain assignment.
    AugmentedAssign,
    /// A comparison is swapped for its neighbour or negation.
    Comparison,
    /// `and` and `or` are swapped.
    BooleanOperator,
    /// A unary `not`, `-` or `~` is removed.
    UnaryOperator,
    /// The test of an `if`, `elif`, `while` or conditional expression is negated.
    Condition,
    /// A number literal `n` becomes `n + 1`.
    Number,
    /// `True` and `False` are swapped.
    BooleanConstant,
    /// A string literal `"s"` becomes `""`, and `""` becomes `"XX"`.
    String,
    /// `break` and `continue` are swapped.
    LoopControl,
    /// A `for` loop iterates over an empty list.
    ZeroIteration,
    /// The body of an `except` clause becomes `raise`.
    ExceptionHandler,
    /// A decorator is removed.
    Decorator,
    /// An argument of a call becomes `None`.
    CallArgument,
}

impl Operator {
    /// Every operator, in catalogue order (the order of the variants).
    pub const ALL: &[Operator] = <Operator as strum::VariantArray>::VARIANTS;

    /// Every operator, the most telling first: a survivor of statement deletion or of a
    /// changed return value says more about the tests than one of a changed string.
    pub const BY_SIGNAL: [Operator; <Operator as strum::EnumCount>::COUNT] = [
        Operator::StatementDelete,
        Operator::ReturnValue,
        Operator::Condition,
        Operator::Comparison,
        Operator::BooleanOperator,
        Operator::BinaryOperator,
        Operator::AugmentedAssign,
        Operator::UnaryOperator,
        Operator::LoopControl,
        Operator::ZeroIteration,
        Operator::ExceptionHandler,
        Operator::BooleanConstant,
        Operator::Number,
        Operator::Decorator,
        Operator::CallArgument,
        Operator::String,
    ];

    /// Where the operator stands in [`Operator::BY_SIGNAL`] (0 is the most telling).
    #[must_use]
    pub fn signal_rank(self) -> usize {
        Operator::BY_SIGNAL
            .iter()
            .position(|each| *each == self)
            .unwrap_or(Operator::BY_SIGNAL.len())
    }

    /// The stable kebab-case name (the variant's name, as strum spells it).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// One line saying what the operator does.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Operator::StatementDelete => {
                "a simple statement (call, assignment, assert, raise, del) becomes `pass`; a \
                 `case` before a catch-all case is removed"
            }
            Operator::ReturnValue => "`return x` becomes `return None`",
            Operator::BinaryOperator => {
                "+ <-> -, * <-> /, // -> /, % -> /, ** -> *, << <-> >>, & <-> |, ^ -> &"
            }
            Operator::AugmentedAssign => "+= <-> -= and the like; `x += y` -> `x = y`",
            Operator::Comparison => "< <-> <=, > <-> >=, == <-> !=, is <-> is not, in <-> not in",
            Operator::BooleanOperator => "`and` <-> `or`",
            Operator::UnaryOperator => "`not x` -> `x`, `-x` -> `x`, `~x` -> `x`",
            Operator::Condition => {
                "the test of if/elif/while/conditional expression becomes `not (...)`"
            }
            Operator::Number => "a number literal `n` becomes `n + 1`",
            Operator::BooleanConstant => "`True` <-> `False`",
            Operator::String => {
                "`\"s\"` becomes `\"\"`, `\"\"` becomes `\"XX\"` (never docstrings)"
            }
            Operator::LoopControl => "`break` <-> `continue`",
            Operator::ZeroIteration => "`for x in xs:` becomes `for x in []:`",
            Operator::ExceptionHandler => "the body of an `except` clause becomes `raise`",
            Operator::Decorator => "a decorator line is removed",
            Operator::CallArgument => "an argument of a call becomes `None`",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Operator {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Operator::ALL
            .iter()
            .copied()
            .find(|op| op.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Operator::ALL.iter().map(|op| op.name()).collect();
                format!(
                    "unknown operator `{name}`; known operators: {}",
                    names.join(", ")
                )
            })
    }
}

/// Replacements for a binary operator's text (`+` -> `-`).
#[expect(
    clippy::match_same_arms,
    reason = "one arm per operator reads as the catalogue"
)]
pub(crate) fn binary_replacements(op: &str) -> &'static [&'static str] {
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

/// Replacements for an augmented assignment's text (`+=` -> `-=`, `=`).
pub(crate) fn augmented_replacements(op: &str) -> Vec<String> {
    let Some(binary) = op.strip_suffix('=') else {
        return Vec::new();
    };
    let mut out: Vec<String> = binary_replacements(binary)
        .iter()
        .map(|other| format!("{other}="))
        .collect();
    if !out.is_empty() || binary == "@" {
        out.push("=".to_owned());
    }
    out
}

/// Replacements for a comparison operator's text (`<` -> `<=`).
pub(crate) fn comparison_replacements(op: &str) -> &'static [&'static str] {
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

#[cfg(test)]
mod test {
    use super::*;

    /// The names are in reports, mutant ids and cache keys: renaming a variant must not
    /// change them unnoticed.
    #[test]
    fn names_are_stable_and_parse_back() {
        let names: Vec<&str> = Operator::ALL.iter().map(|op| op.name()).collect();
        assert_eq!(
            names,
            [
                "statement-delete",
                "return-value",
                "binary-operator",
                "augmented-assign",
                "comparison",
                "boolean-operator",
                "unary-operator",
                "condition",
                "number",
                "boolean-constant",
                "string",
                "loop-control",
                "zero-iteration",
                "exception-handler",
                "decorator",
                "call-argument",
            ]
        );
        for &op in Operator::ALL {
            assert_eq!(op.name().parse::<Operator>(), Ok(op));
        }
        let mut by_signal = Operator::BY_SIGNAL;
        by_signal.sort();
        assert_eq!(
            by_signal,
            Operator::ALL,
            "BY_SIGNAL holds each operator once"
        );
        assert!(
            "comparision"
                .parse::<Operator>()
                .unwrap_err()
                .contains("comparison")
        );
    }
}
