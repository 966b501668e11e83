//! Arid-node rules: places where a mutant only changes what no reasonable test checks
//! (a warning's text, help text, an exception's message, typing-only arguments, a
//! `__repr__`), so git-chimp makes none there. Each rule is named and documented in the
//! README; all are on by default, and `arid = [...]` (only these) or `no-arid = [...]`
//! (all but these) in `[tool.chimp]` switches them.

use std::collections::BTreeSet;
use std::str::FromStr;

/// One arid-node rule.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::VariantArray,
    strum::EnumCount,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AridRule {
    /// The arguments of a call (or decorator) named `deprecated`
    /// (`@deprecated(version="2.10", replace="new")`): they only change a warning.
    DeprecationArguments,
    /// The `help=`, `description=`, `title=`, `epilog=`, `usage=` and `metavar=`
    /// keyword arguments of any call (argparse, click): text for people. Positional
    /// arguments, such as `add_argument`'s name, stay mutated.
    HelpText,
    /// The string and f-string arguments of the exception a `raise` statement builds
    /// (`raise ValueError("bad input")`): its message. The exception itself, and any
    /// other argument, stay mutated.
    ExceptionMessage,
    /// The arguments of `TypeVar(...)` and `NewType(...)`, and the type given to
    /// `cast(...)`: they matter to type checkers only.
    TypingArguments,
    /// The body of a `__repr__` method: text for debugging.
    Repr,
}

impl AridRule {
    /// Every rule, in the order of the variants.
    pub const ALL: [AridRule; <AridRule as strum::EnumCount>::COUNT] =
        crate::outcome::every_variant();

    /// The rule's stable kebab-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The rules in effect: `only` when given, else all; less `without`.
    ///
    /// # Errors
    /// The message for a name that is no rule.
    pub fn selected(only: &[String], without: &[String]) -> Result<BTreeSet<AridRule>, String> {
        let parse = |names: &[String]| -> Result<BTreeSet<AridRule>, String> {
            names.iter().map(|name| name.trim().parse()).collect()
        };
        let mut rules = if only.is_empty() {
            AridRule::ALL.into_iter().collect()
        } else {
            parse(only)?
        };
        for rule in parse(without)? {
            rules.remove(&rule);
        }
        Ok(rules)
    }
}

impl FromStr for AridRule {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        AridRule::ALL
            .into_iter()
            .find(|rule| rule.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = AridRule::ALL.iter().map(|rule| rule.name()).collect();
                format!(
                    "unknown arid rule `{name}`; the rules are {}",
                    names.join(", ")
                )
            })
    }
}

/// The keyword arguments [`AridRule::HelpText`] covers.
pub(crate) const HELP_KEYWORDS: [&str; 6] =
    ["help", "description", "title", "epilog", "usage", "metavar"];

/// The last name of a called expression (`deprecated` for `_deprecated.deprecated(...)`).
pub(crate) fn called_name(func: &ruff_python_ast::Expr) -> Option<&str> {
    match func {
        ruff_python_ast::Expr::Name(name) => Some(name.id.as_str()),
        ruff_python_ast::Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}
