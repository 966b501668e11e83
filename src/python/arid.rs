//! Arid-node rules: places where a mutant only changes what no reasonable test checks
//! (a warning's text, help text, an exception's message, typing-only arguments, a
//! `__repr__`, logging, a script's `__main__` block, code excluded from coverage,
//! namespace tidying, documentation), so git-chimp makes none there. Each rule is named and documented in the
//! README; all but `no-cover` are on by default, and `arid = [...]` (only these) or
//! `no-arid = [...]` (the defaults but these) in `[tool.chimp]` switches them.

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
    /// The `help=`, `description=`, `title=`, `epilog=`, `usage=`, `metavar=` and
    /// `prog=` keyword arguments of any call (argparse, click), the text of `version=`
    /// beside `action="version"` (not its `None` mutant: that breaks `--version`), and
    /// `print_help()`/`print_usage()` calls as statements: text for people. Positional arguments, such as `add_argument`'s name, stay mutated.
    HelpText,
    /// The text arguments of the exception a `raise` statement builds (`raise
    /// ValueError("bad input")`, `"bad %s" % x`, `"bad {}".format(x)`, `"bad " + x`): its
    /// message; and the message of `warnings.warn(...)`. The exception itself, and any
    /// other argument, stay mutated.
    ExceptionMessage,
    /// The arguments of `TypeVar(...)` and `NewType(...)`, the type given to `cast(...)`,
    /// and forward-reference strings in typing subscripts (`Optional["Node"]`): they
    /// matter to type checkers only. The values of `Literal[...]` and the metadata of
    /// `Annotated[...]` stay mutated (validators read them).
    TypingArguments,
    /// The body of a `__repr__` method: text for debugging.
    Repr,
    /// Calls to a logger's methods as statements (`logger.info("got %s", x)`,
    /// `logging.warning(...)`, `self.log.exception(...)`: a method `debug`, `info`,
    /// `warning`, `warn`, `error`, `exception`, `critical`, `fatal` or `log` of a
    /// logger: `log`, `logging`, `*logger`, `*_log`, `log_*`, `getLogger(...)`), and
    /// `print(..., file=sys.stderr)`: neither deleted
    /// nor mutated inside. What is logged is for people reading logs.
    Logging,
    /// An `if __name__ == "__main__":` block: a script's entry point, which no test that
    /// imports the module runs. Not in a `__main__.py`, where the block is what
    /// `python -m package` runs.
    MainBlock,
    /// A line with `# pragma: no cover`, and the block it opens (`if debug:  # pragma: no
    /// cover`): code the team already excludes from coverage, as coverage.py does. Off
    /// by default: measured on semver, 3 of its 4 survivors there were worth a test
    /// (an optional backend's fallback that a stub can reach).
    NoCover,
    /// `del name` of module or class attributes (`del _os, _sys` after using them): it
    /// only tidies a namespace. `del d[key]` and `del` inside functions stay mutated.
    NamespaceDel,
    /// Assignments to `__doc__` (`f.__doc__ = "..."`): documentation, like a docstring.
    DocAssignments,
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
    ///
    /// # Errors
    /// The message for a name that is no rule.
    pub fn selected(only: &[String], without: &[String]) -> Result<BTreeSet<AridRule>, String> {
        let parse = |names: &[String]| -> Result<BTreeSet<AridRule>, String> {
            names.iter().map(|name| name.trim().parse()).collect()
        };
        let mut rules = if only.is_empty() {
            AridRule::defaults()
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

/// The keyword arguments [`AridRule::HelpText`] covers.
pub(crate) const HELP_KEYWORDS: [&str; 7] = [
    "help",
    "description",
    "title",
    "epilog",
    "usage",
    "metavar",
    "prog",
];

/// Whether `call` has `action="version"` (argparse's `--version`), whose `version=` text
/// [`AridRule::HelpText`] covers too.
pub(crate) fn is_version_action(call: &ruff_python_ast::ExprCall) -> bool {
    call.arguments.keywords.iter().any(|keyword| {
        keyword.arg.as_ref().is_some_and(|name| name.as_str() == "action")
            && matches!(&keyword.value, ruff_python_ast::Expr::StringLiteral(s) if s.value.to_str() == "version")
    })
}

/// Whether `call` is `<parser>.print_help(...)` or `<parser>.print_usage(...)`
/// ([`AridRule::HelpText`]).
pub(crate) fn is_help_print(call: &ruff_python_ast::ExprCall) -> bool {
    matches!(&*call.func, ruff_python_ast::Expr::Attribute(a)
        if matches!(a.attr.as_str(), "print_help" | "print_usage"))
}

/// Whether `call` is `print(..., file=sys.stderr)`: a message for people, as a log line
/// is ([`AridRule::Logging`]).
pub(crate) fn is_stderr_print(call: &ruff_python_ast::ExprCall) -> bool {
    use ruff_python_ast::Expr;
    matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "print")
        && call.arguments.keywords.iter().any(|keyword| {
            keyword
                .arg
                .as_ref()
                .is_some_and(|name| name.as_str() == "file")
                && matches!(&keyword.value, Expr::Attribute(a)
                    if a.attr.as_str() == "stderr" && last_name(&a.value) == Some("sys"))
        })
}

/// The methods of a logger that [`AridRule::Logging`] covers.
const LOG_METHODS: [&str; 9] = [
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
];

/// The generic types from `typing` (and `collections.abc`) whose string arguments are
/// forward references ([`AridRule::TypingArguments`]); not `Literal` or `Annotated`.
const TYPING_GENERICS: [&str; 30] = [
    "Optional",
    "Union",
    "List",
    "Dict",
    "Set",
    "FrozenSet",
    "Tuple",
    "Type",
    "Callable",
    "ClassVar",
    "Final",
    "Sequence",
    "MutableSequence",
    "Mapping",
    "MutableMapping",
    "Iterable",
    "Iterator",
    "Generator",
    "AsyncIterator",
    "AsyncGenerator",
    "Awaitable",
    "Coroutine",
    "Collection",
    "AbstractSet",
    "DefaultDict",
    "OrderedDict",
    "Deque",
    "TypeGuard",
    "Required",
    "NotRequired",
];

/// Whether `call` is a logger's method ([`AridRule::Logging`]).
pub(crate) fn is_logging_call(call: &ruff_python_ast::ExprCall) -> bool {
    let ruff_python_ast::Expr::Attribute(method) = &*call.func else {
        return false;
    };
    LOG_METHODS.contains(&method.attr.as_str())
        && last_name(&method.value).is_some_and(is_logger_name)
}

/// Whether a name is a logger's: `log`, `logging`, `logger`, `_log`, `LOGGER`,
/// `audit_log`, `request_logger`, `getLogger(...)`; not `catalog`, `dialog` or `blog`.
fn is_logger_name(name: &str) -> bool {
    let name = name.trim_start_matches('_').to_ascii_lowercase();
    name == "log"
        || name == "logging"
        || name.ends_with("logger")
        || name.ends_with("_log")
        || name.starts_with("log_")
}

/// Whether `test` is `__name__ == "__main__"` (either way round).
pub(crate) fn is_main_test(test: &ruff_python_ast::Expr) -> bool {
    use ruff_python_ast::Expr;
    let Expr::Compare(compare) = test else {
        return false;
    };
    let ([ruff_python_ast::CmpOp::Eq], [right]) = (&*compare.ops, &*compare.comparators) else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&compare.left) && is_main(right)) || (is_main(&compare.left) && is_name(right))
}

/// Whether `expr` builds text: a string or f-string literal, `text % ...`,
/// `text.format(...)`, or `+` with text on either side ([`AridRule::ExceptionMessage`]).
pub(crate) fn is_text(expr: &ruff_python_ast::Expr) -> bool {
    use ruff_python_ast::{Expr, Operator};
    match expr {
        Expr::StringLiteral(_) | Expr::FString(_) => true,
        Expr::BinOp(b) => match b.op {
            Operator::Mod => is_text(&b.left),
            Operator::Add => is_text(&b.left) || is_text(&b.right),
            _ => false,
        },
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "format" && is_text(&a.value))
        }
        _ => false,
    }
}

/// Whether `value` (what is subscripted) is a typing generic whose string arguments
/// are forward references.
pub(crate) fn is_typing_generic(value: &ruff_python_ast::Expr) -> bool {
    last_name(value).is_some_and(|name| TYPING_GENERICS.contains(&name))
}

/// Whether `call` is `warnings.warn(...)` or a bare `warn(...)`.
pub(crate) fn is_warn_call(call: &ruff_python_ast::ExprCall) -> bool {
    use ruff_python_ast::Expr;
    match &*call.func {
        Expr::Name(name) => name.id.as_str() == "warn",
        Expr::Attribute(a) => a.attr.as_str() == "warn" && last_name(&a.value) == Some("warnings"),
        _ => false,
    }
}

/// Where a statement is, for [`statement_rule`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatementContext {
    /// At module level.
    pub(crate) top_level: bool,
    /// In a function's body (not only a class's).
    pub(crate) in_function: bool,
    /// The file is a package's `__main__.py`.
    pub(crate) main_module: bool,
}

/// The rule that takes a whole statement, if one does: a logging call or stderr print,
/// a help print, the `__main__` block, a namespace `del`, a `__doc__` assignment.
/// (`# pragma: no cover` needs the comments: the walk asks for it itself.)
pub(crate) fn statement_rule(
    stmt: &ruff_python_ast::Stmt,
    context: StatementContext,
) -> Option<AridRule> {
    use ruff_python_ast::{Expr, Stmt};
    match stmt {
        Stmt::Expr(e) => match &*e.value {
            Expr::Call(call) if is_logging_call(call) || is_stderr_print(call) => {
                Some(AridRule::Logging)
            }
            Expr::Call(call) if is_help_print(call) => Some(AridRule::HelpText),
            _ => None,
        },
        Stmt::If(i) => (context.top_level && !context.main_module && is_main_test(&i.test))
            .then_some(AridRule::MainBlock),
        Stmt::Delete(d) => (!context.in_function
            && d.targets
                .iter()
                .all(|target| matches!(target, Expr::Name(_))))
        .then_some(AridRule::NamespaceDel),
        Stmt::Assign(a) => a
            .targets
            .iter()
            .any(is_doc_target)
            .then_some(AridRule::DocAssignments),
        Stmt::AugAssign(a) => is_doc_target(&a.target).then_some(AridRule::DocAssignments),
        _ => None,
    }
}

/// Whether an assignment target is `__doc__` or `<something>.__doc__`.
fn is_doc_target(target: &ruff_python_ast::Expr) -> bool {
    match target {
        ruff_python_ast::Expr::Name(name) => name.id.as_str() == "__doc__",
        ruff_python_ast::Expr::Attribute(attribute) => attribute.attr.as_str() == "__doc__",
        _ => false,
    }
}

/// The last name of an expression: `c` for `a.b.c`, `getLogger` for
/// `logging.getLogger(__name__)`.
fn last_name(expr: &ruff_python_ast::Expr) -> Option<&str> {
    match expr {
        ruff_python_ast::Expr::Name(name) => Some(name.id.as_str()),
        ruff_python_ast::Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        ruff_python_ast::Expr::Call(call) => last_name(&call.func),
        _ => None,
    }
}

/// The last name of a called expression (`deprecated` for `_deprecated.deprecated(...)`).
pub(crate) fn called_name(func: &ruff_python_ast::Expr) -> Option<&str> {
    match func {
        ruff_python_ast::Expr::Name(name) => Some(name.id.as_str()),
        ruff_python_ast::Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}
