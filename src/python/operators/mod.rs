//! The mutation operators, one file each: its `///` doc (the one description, which
//! `git chimp operators`, the man page and the README table come from), its matcher and
//! its replacement table. The walk (`walk.rs`) shows every node to every operator
//! through the hooks of [`Mutate`]; an operator matches its own node kinds and records
//! candidates in the [`Sink`]. Adding an operator is one file here plus one line in the
//! `operators!` list below, whose order is the catalogue's (and sorts mutants that share
//! a span: keep it).

use std::fmt::{self, Write as _};
use std::str::FromStr;

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::python::Described;
use crate::python::sink::Sink;

/// One argument of a call, as the walk shows it to [`Mutate::argument`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Argument<'a> {
    /// The `index`th positional argument (`*args` included).
    Positional(usize, &'a Expr),
    /// A keyword argument; no name for `**kwargs`.
    Keyword(Option<&'a str>, &'a Expr),
}

impl<'a> Argument<'a> {
    /// The argument's value.
    pub(crate) fn value(self) -> &'a Expr {
        match self {
            Argument::Positional(_, value) | Argument::Keyword(_, value) => value,
        }
    }
}

/// What an operator does at the nodes the walk shows it. Each hook is called for every
/// node of its kind (before the node's children are walked) and does nothing by default.
pub(crate) trait Mutate {
    /// A statement.
    fn stmt(_sink: &mut Sink<'_>, _stmt: &Stmt) {}
    /// An expression.
    fn expr(_sink: &mut Sink<'_>, _expr: &Expr) {}
    /// A decorator of a function or class.
    fn decorator(_sink: &mut Sink<'_>, _decorator: &ast::Decorator) {}
    /// An `except` clause.
    fn except_handler(_sink: &mut Sink<'_>, _handler: &ast::ExceptHandlerExceptHandler) {}
    /// An `elif` or `else` clause.
    fn elif_else_clause(_sink: &mut Sink<'_>, _clause: &ast::ElifElseClause) {}
    /// An argument of a call that no arid rule takes; `walked` says whether its value is
    /// mutated inside too.
    fn argument(_sink: &mut Sink<'_>, _argument: Argument<'_>, _walked: bool) {}
}

/// Declares an operator's unit type with its `///` doc, which becomes its description,
/// and its signal rank: how much a survivor of it says about the tests, 0 the most (a
/// deleted statement or a changed return value says more than a changed string).
/// Reports and the budget order by it; operators of one rank go in catalogue order.
macro_rules! operator {
    ($(#[doc = $doc:literal])+ $name:ident, signal = $rank:literal) => {
        unit! {
            $(#[doc = $doc])+
            $name
        }

        impl $name {
            /// Its signal rank.
            pub(crate) const SIGNAL: usize = $rank;
        }
    };
}

/// One function of the walk's dispatch: the [`Mutate`] hook `$hook` of every selected
/// operator, in catalogue order.
macro_rules! hook {
    ($hook:ident $sink:ident $params:tt $args:tt $($variant:ident: $module:ident),+) => {
        #[doc = concat!("[`Mutate::", stringify!($hook), "`] of every selected operator.")]
        pub(crate) fn $hook $params {
            $(if $sink.enabled(Operator::$variant) {
                <$module::$variant as Mutate>::$hook $args;
            })+
        }
    };
}

/// The catalogue: each operator's variant and the file that holds it. Generates the
/// modules, the [`Operator`] enum, its docs and the walk's dispatch.
macro_rules! operators {
    ($($variant:ident: $module:ident,)+) => {
        $(mod $module;)+

        /// One kind of small change git-chimp makes to Python code. Its name is its
        /// variant's, in kebab case (`StatementDelete` is `statement-delete`): names are
        /// stable, as reports, mutant ids and `--operators` use them.
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
            $(
                #[doc = concat!("The operator in `python/operators/", stringify!($module), ".rs`.")]
                $variant,
            )+
        }

        impl Operator {
            /// The operator's `///` doc.
            fn doc(self) -> &'static str {
                match self {
                    $(Operator::$variant => <$module::$variant as Described>::DOC,)+
                }
            }

            /// How much a survivor of the operator says about the tests, 0 the most:
            /// statement deletion and changed return values first, strings last.
            #[must_use]
            pub fn signal_rank(self) -> usize {
                match self {
                    $(Operator::$variant => $module::$variant::SIGNAL,)+
                }
            }
        }

        /// Every selected operator's hooks, in catalogue order, for the walk.
        pub(crate) mod dispatch {
            use super::*;

            hook!(stmt sink (sink: &mut Sink<'_>, stmt: &Stmt) (sink, stmt) $($variant: $module),+);
            hook!(expr sink (sink: &mut Sink<'_>, expr: &Expr) (sink, expr) $($variant: $module),+);
            hook!(decorator sink (sink: &mut Sink<'_>, decorator: &ast::Decorator) (sink, decorator)
                $($variant: $module),+);
            hook!(except_handler sink (sink: &mut Sink<'_>, handler: &ast::ExceptHandlerExceptHandler)
                (sink, handler) $($variant: $module),+);
            hook!(elif_else_clause sink (sink: &mut Sink<'_>, clause: &ast::ElifElseClause)
                (sink, clause) $($variant: $module),+);
            hook!(argument sink (sink: &mut Sink<'_>, argument: Argument<'_>, walked: bool)
                (sink, argument, walked) $($variant: $module),+);
        }
    };
}

operators! {
    StatementDelete: statement_delete,
    ReturnValue: return_value,
    BinaryOperator: binary_operator,
    AugmentedAssign: augmented_assign,
    Comparison: comparison,
    BooleanOperator: boolean_operator,
    UnaryOperator: unary_operator,
    Condition: condition,
    Number: number,
    BooleanConstant: boolean_constant,
    String: string,
    LoopControl: loop_control,
    ZeroIteration: zero_iteration,
    ExceptionHandler: exception_handler,
    Decorator: decorator,
    CallArgument: call_argument,
}

impl Operator {
    /// Every operator, in catalogue order (the order of the variants).
    pub const ALL: &[Operator] = <Operator as strum::VariantArray>::VARIANTS;

    /// The stable kebab-case name (the variant's name, as strum spells it).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// What the operator does, in one line of Markdown: the first paragraph of its doc.
    #[must_use]
    pub fn description(self) -> String {
        first_paragraph(self.doc())
    }
}

/// The first paragraph of a `///` doc as one line.
pub(crate) fn first_paragraph(doc: &str) -> String {
    doc.lines()
        .map(str::trim)
        .take_while(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Operator {
    type Err = std::string::String;

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

/// The README's operator table, as `git chimp operators` describes each operator.
#[must_use]
pub fn markdown_table() -> std::string::String {
    let mut out = std::string::String::from("| name | mutation |\n| --- | --- |\n");
    for &operator in Operator::ALL {
        let description = operator.description().replace('|', "\\|");
        let _ = writeln!(out, "| {} | {description} |", operator.name());
    }
    out
}

#[cfg(test)]
mod test;
