//! Arid-node rules, one file each: places where a mutant only changes what no reasonable
//! test checks (a warning's text, help text, an exception's message, typing-only
//! arguments, a `__repr__`, logging, a script's `__main__` block, code excluded from
//! coverage, namespace tidying, documentation, Python version checks, import
//! fallbacks), so git-chimp makes none there. A rule's
//! `///` doc is what `git chimp arid` prints; all but `no-cover` are on by default, and
//! `arid = [...]` (only these) or `no-arid = [...]` (the defaults but these) in
//! `[tool.chimp]` switches them. The walk asks the selected rules at six kinds of
//! place through the hooks of [`Arid`]; adding a rule is one file here plus one line in
//! the `arid_rules!` list below, and a fixture under `tests/fixtures/arid/`.

use std::collections::BTreeSet;
use std::str::FromStr;

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::python::Described;
use crate::python::operators::Argument;
use crate::python::parse::ParsedModule;
use crate::span::Span;

mod flow;
mod helpers;

pub(crate) use flow::Flow;
pub(crate) use helpers::is_pure;

/// Where a statement or clause is, for [`Arid::statement`] and [`Arid::clause`].
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    /// The parsed module: its `# pragma: no cover` lines.
    pub(crate) module: &'a ParsedModule,
    /// At module level.
    pub(crate) top_level: bool,
    /// In a function's body (not only a class's).
    pub(crate) in_function: bool,
    /// What the rules learnt of the function the walk is in.
    pub(crate) flow: Option<&'a Flow>,
}

/// A call whose arguments the walk is about to visit.
#[derive(Clone, Copy)]
pub(crate) struct CallSite<'a> {
    /// The call.
    pub(crate) call: &'a ast::ExprCall,
    /// It builds the exception of a `raise` statement.
    pub(crate) raised: bool,
    /// What the rules learnt of the function the call is in.
    pub(crate) flow: Option<&'a Flow>,
}

/// What becomes of one argument of a call, most arid last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fate {
    /// Mutated, and walked inside.
    Walk,
    /// Only the argument as a whole may be replaced (`call-argument`); nothing inside.
    Replace,
    /// Left alone.
    Skip,
}

/// What a rule says at the places the walk asks; each hook says "not arid" by default.
pub(crate) trait Arid {
    /// Whether the rule takes a whole statement (its mutants and those inside).
    fn statement(_place: Place<'_>, _stmt: &Stmt) -> bool {
        false
    }
    /// Whether the rule takes an `elif`/`else` or `except` clause spanning `span`.
    fn clause(_place: Place<'_>, _span: Span) -> bool {
        false
    }
    /// What becomes of an argument of `call`.
    fn argument(_call: CallSite<'_>, _argument: Argument<'_>) -> Fate {
        Fate::Walk
    }
    /// Whether the rule takes a function's body.
    fn function_body(_function: &ast::StmtFunctionDef) -> bool {
        false
    }
    /// Whether the string arguments of a subscript of `value` are forward references.
    fn forward_references(_value: &Expr) -> bool {
        false
    }
    /// Whether the rule takes an expression: its mutants, those inside, and those made
    /// of it as a whole (its negation as a test, `None` as an argument).
    fn expression(_place: Place<'_>, _expr: &Expr) -> bool {
        false
    }
}

/// The rules: each one's variant and the file that holds it. Generates the modules, the
/// [`AridRule`] enum, its docs and the walk's questions.
macro_rules! arid_rules {
    ($($variant:ident: $module:ident,)+) => {
        $(mod $module;)+

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
            $(
                #[doc = concat!("The rule in `python/arid/", stringify!($module), ".rs`.")]
                $variant,
            )+
        }

        impl AridRule {
            /// The rule's `///` doc.
            #[must_use]
            pub fn doc(self) -> &'static str {
                match self {
                    $(AridRule::$variant => <$module::$variant as Described>::DOC,)+
                }
            }
        }

        /// The selected rules, asked by the walk.
        pub(crate) struct Rules<'a>(pub(crate) &'a BTreeSet<AridRule>);

        impl Rules<'_> {
            /// Whether a selected rule takes the whole statement; a statement that only
            /// builds message text ([`Flow::builds_message`]) is taken by the rules of the
            /// messages it builds, which the flow was computed with.
            pub(crate) fn statement(&self, place: Place<'_>, stmt: &Stmt) -> bool {
                place.flow.is_some_and(|flow| flow.builds_message(stmt))
                    || $((self.0.contains(&AridRule::$variant)
                        && <$module::$variant as Arid>::statement(place, stmt)))||+
            }

            /// Whether a selected rule takes the clause spanning `span`.
            pub(crate) fn clause(&self, place: Place<'_>, span: Span) -> bool {
                $((self.0.contains(&AridRule::$variant)
                    && <$module::$variant as Arid>::clause(place, span)))||+
            }

            /// The most arid fate the selected rules give the argument.
            pub(crate) fn argument(&self, call: CallSite<'_>, argument: Argument<'_>) -> Fate {
                let mut fate = Fate::Walk;
                $(if self.0.contains(&AridRule::$variant) {
                    fate = fate.max(<$module::$variant as Arid>::argument(call, argument));
                })+
                fate
            }

            /// Whether a selected rule takes the function's body.
            pub(crate) fn function_body(&self, function: &ast::StmtFunctionDef) -> bool {
                $((self.0.contains(&AridRule::$variant)
                    && <$module::$variant as Arid>::function_body(function)))||+
            }

            /// Whether a selected rule takes the expression.
            pub(crate) fn expression(&self, place: Place<'_>, expr: &Expr) -> bool {
                $((self.0.contains(&AridRule::$variant)
                    && <$module::$variant as Arid>::expression(place, expr)))||+
            }

            /// Whether a selected rule calls the subscript's strings forward references.
            pub(crate) fn forward_references(&self, value: &Expr) -> bool {
                $((self.0.contains(&AridRule::$variant)
                    && <$module::$variant as Arid>::forward_references(value)))||+
            }
        }
    };
}

arid_rules! {
    DeprecationArguments: deprecation_arguments,
    HelpText: help_text,
    ExceptionMessage: exception_message,
    TypingArguments: typing_arguments,
    Repr: repr,
    Logging: logging,
    MainBlock: main_block,
    NoCover: no_cover,
    NamespaceDel: namespace_del,
    DocAssignments: doc_assignments,
    ArgparseStrType: argparse_str_type,
    LocalDel: local_del,
    DeadCode: dead_code,
    VersionCheck: version_check,
    ImportFallback: import_fallback,
}

impl AridRule {
    /// Every rule, in the order of the variants.
    pub const ALL: &[AridRule] = <AridRule as strum::VariantArray>::VARIANTS;

    /// The rule's stable kebab-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Whether the rule is in effect when `arid` does not name the rules: all but
    /// [`AridRule::NoCover`].
    #[must_use]
    pub fn on_by_default(self) -> bool {
        self != AridRule::NoCover
    }

    /// The rules in effect by default.
    #[must_use]
    pub fn defaults() -> BTreeSet<AridRule> {
        AridRule::ALL
            .iter()
            .copied()
            .filter(|rule| rule.on_by_default())
            .collect()
    }

    /// The rules in effect: `only` when given, else the defaults; less `without`.
    #[must_use]
    pub fn selected(only: &[AridRule], without: &[AridRule]) -> BTreeSet<AridRule> {
        let mut rules = if only.is_empty() {
            AridRule::defaults()
        } else {
            only.iter().copied().collect()
        };
        for rule in without {
            rules.remove(rule);
        }
        rules
    }
}

impl FromStr for AridRule {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        AridRule::ALL
            .iter()
            .copied()
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

#[cfg(test)]
mod tests;
