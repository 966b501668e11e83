//! The one traversal: a [`Visitor`] over a module that keeps the frame stack (which
//! scope and block a mutant belongs to), asks the arid rules what to leave alone, and
//! shows every other node to the operators. It dispatches only: no operator or rule
//! logic lives here. Not walked: literal statements (docstrings among them),
//! annotations, type parameters and aliases, assignment targets of `for`, `with` and
//! comprehensions, `match` patterns, the literal parts and format specs of f-strings
//! and t-strings, fields under `# pragma: no mutate`, and module metadata (`__all__`,
//! `__version__`).

use std::collections::BTreeSet;

use ruff_python_ast::visitor::{
    Visitor, walk_elif_else_clause, walk_except_handler, walk_expr, walk_stmt,
};
use ruff_python_ast::{self as ast, Expr, InterpolatedStringElement, Stmt};

use crate::python::arid::{AridRule, CallSite, Fate, Flow, Place, Rules};
use crate::python::mutant::Scope;
use crate::python::operators::{Argument, Operator, dispatch};
use crate::python::parse::{ParsedModule, span_of};
use crate::python::sink::{Candidate, Frame, Sink, full_span};
use crate::span::Span;

/// The candidates of a parsed module.
pub(crate) fn candidates(
    text: &str,
    module: &ParsedModule,
    operators: &BTreeSet<Operator>,
    arid: &BTreeSet<AridRule>,
) -> Vec<Candidate> {
    let mut walker = Walker {
        sink: Sink::new(text, module, operators),
        rules: Rules(arid),
    };
    walker.visit_body(&module.body);
    walker.sink.into_candidates()
}

struct Walker<'a> {
    sink: Sink<'a>,
    rules: Rules<'a>,
}

impl<'a> Walker<'a> {
    /// Where the walk is, for the arid rules.
    fn place(&self) -> Place<'_> {
        let frame = self.sink.frame();
        Place {
            module: self.sink.module,
            top_level: frame.is_none(),
            in_function: frame.is_some_and(|frame| frame.is_function),
            flow: self.flow(),
        }
    }

    /// What the arid rules learnt of the function the walk is in (not of a class in it).
    fn flow(&self) -> Option<&Flow> {
        self.sink.frame().and_then(|frame| frame.flow.as_ref())
    }

    /// Walk a definition's body in a frame of its own, named as Python's `__qualname__`
    /// names it.
    fn definition(&mut self, stmt: &Stmt, name: &str, body: &'a [Stmt]) {
        let span = full_span(stmt);
        let flow = match stmt {
            Stmt::FunctionDef(f) => {
                let init = name == "__init__";
                let frame = self.sink.frame();
                let mut flow = Flow::of(
                    &f.parameters,
                    body,
                    self.rules.0,
                    init && frame.is_some_and(|frame| frame.plain_exception),
                );
                flow.exception_init = init && frame.is_some_and(|frame| frame.exception_class);
                Some(flow)
            }
            _ => None,
        };
        let exception_class = matches!(stmt, Stmt::ClassDef(c) if is_exception_class(c));
        let plain_exception = exception_class
            && matches!(stmt, Stmt::ClassDef(c) if keeps_args_for_text(c, &self.sink.module.body, 0));
        let is_function = flow.is_some();
        let qualname = match self.sink.frame() {
            Some(frame) if frame.is_function => format!("{}.<locals>.{name}", frame.scope.qualname),
            Some(frame) if !frame.scope.qualname.is_empty() => {
                format!("{}.{name}", frame.scope.qualname)
            }
            _ => name.to_owned(),
        };
        self.sink.enter(Frame {
            scope: Scope {
                qualname,
                span,
                occurrence: 0,
            },
            is_function,
            block: self.sink.line_block(span),
            flow,
            exception_class,
            plain_exception,
        });
        self.visit_body(body);
        self.sink.leave(span);
    }

    /// A call: what it calls, then each argument the arid rules leave, shown to the
    /// operators and walked.
    fn call(&mut self, call: &'a ast::ExprCall, raised: bool) {
        self.visit_expr(&call.func);
        let positional = (call.arguments.args.iter().enumerate())
            .map(|(index, value)| Argument::Positional(index, value));
        let keywords = call.arguments.keywords.iter().map(|keyword| {
            let name = keyword.arg.as_ref().map(ast::Identifier::as_str);
            Argument::Keyword(name, &keyword.value)
        });
        let site = CallSite {
            call,
            raised,
            flow: self.flow(),
        };
        let fates: Vec<(Argument<'a>, Fate)> = positional
            .chain(keywords)
            .map(|argument| (argument, self.rules.argument(site, argument)))
            .collect();
        for (argument, fate) in fates {
            if fate == Fate::Skip {
                continue;
            }
            dispatch::argument(&mut self.sink, argument, fate == Fate::Walk);
            if fate == Fate::Walk {
                self.visit_expr(argument.value());
            }
        }
    }

    /// The arguments of a typing generic: everything but forward-reference strings, in
    /// nested generics too.
    fn typing_arguments(&mut self, slice: &'a Expr) {
        match slice {
            Expr::StringLiteral(_) => {}
            Expr::Tuple(t) => t
                .elts
                .iter()
                .for_each(|element| self.typing_arguments(element)),
            Expr::List(l) => l
                .elts
                .iter()
                .for_each(|element| self.typing_arguments(element)),
            other => self.visit_expr(other),
        }
    }

    /// The expressions in the replacement fields of an f-string's or t-string's
    /// `elements` (spanning `span`); never the literal parts or the format specs. A field
    /// with `=` (`f"{a + b=}"`) prints its own source, so a mutant of it would be killed
    /// by any test of the text: left alone. A pragma on any line of a string that spans
    /// lines covers all its fields (no comment fits on its inner lines).
    fn interpolations(
        &mut self,
        span: Span,
        elements: impl Iterator<Item = &'a InterpolatedStringElement>,
    ) {
        if self.sink.module.touches_pragma(span) {
            return;
        }
        for element in elements {
            if let InterpolatedStringElement::Interpolation(field) = element
                && field.debug_text.is_none()
            {
                self.visit_expr(&field.expression);
            }
        }
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let top_level = self.sink.frame().is_none();
        if top_level && assigns_module_metadata(stmt) {
            return;
        }
        if self.rules.statement(self.place(), stmt) {
            return;
        }
        let span = full_span(stmt);
        if top_level {
            self.sink.enter(Frame {
                scope: Scope {
                    qualname: String::new(),
                    span,
                    occurrence: 0,
                },
                is_function: false,
                block: self.sink.line_block(span),
                flow: None,
                exception_class: false,
                plain_exception: false,
            });
        }
        dispatch::stmt(&mut self.sink, stmt);
        // The first assignment of a message local: deleting it is seen (the local is
        // unbound), what it assigns is text.
        let message_value = self
            .flow()
            .is_some_and(|flow| flow.first_binds_message(stmt));
        match stmt {
            _ if message_value => {}
            Stmt::FunctionDef(f) => {
                for decorator in &f.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.visit_parameters(&f.parameters);
                let body: &[Stmt] = if self.rules.function_body(f) {
                    &[]
                } else {
                    &f.body
                };
                self.definition(stmt, f.name.as_str(), body);
            }
            Stmt::ClassDef(c) => {
                for decorator in &c.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &c.arguments {
                    self.visit_arguments(arguments);
                }
                self.definition(stmt, c.name.as_str(), &c.body);
            }
            Stmt::For(f) => {
                self.visit_expr(&f.iter);
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
            }
            Stmt::Raise(r) => {
                match r.exc.as_deref() {
                    Some(exc @ Expr::Call(call)) => {
                        dispatch::expr(&mut self.sink, exc);
                        self.call(call, true);
                    }
                    Some(exc) => self.visit_expr(exc),
                    None => {}
                }
                if let Some(cause) = &r.cause {
                    self.visit_expr(cause);
                }
            }
            // A literal statement (a docstring, `...`) has nothing to mutate; a type
            // alias is an annotation.
            Stmt::Expr(e) if e.value.is_literal_expr() => {}
            Stmt::TypeAlias(_) => {}
            _ => walk_stmt(self, stmt),
        }
        if top_level {
            self.sink.leave(span);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.rules.expression(self.place(), expr) {
            // What was made of it as a whole before the walk reached it goes too.
            self.sink.drop_within(span_of(expr));
            return;
        }
        dispatch::expr(&mut self.sink, expr);
        match expr {
            Expr::Call(call) => self.call(call, false),
            Expr::Subscript(s) => {
                self.visit_expr(&s.value);
                if self.rules.forward_references(&s.value) {
                    self.typing_arguments(&s.slice);
                } else {
                    self.visit_expr(&s.slice);
                }
            }
            Expr::FString(f) => self.interpolations(span_of(expr), f.value.elements()),
            Expr::TString(t) => self.interpolations(span_of(expr), t.value.elements()),
            _ => walk_expr(self, expr),
        }
    }

    fn visit_annotation(&mut self, _annotation: &'a Expr) {}

    fn visit_type_params(&mut self, _type_params: &'a ast::TypeParams) {}

    fn visit_decorator(&mut self, decorator: &'a ast::Decorator) {
        dispatch::decorator(&mut self.sink, decorator);
        self.visit_expr(&decorator.expression);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(clause) = handler;
        if self.rules.clause(self.place(), span_of(clause)) {
            return;
        }
        dispatch::except_handler(&mut self.sink, clause);
        walk_except_handler(self, handler);
    }

    fn visit_elif_else_clause(&mut self, clause: &'a ast::ElifElseClause) {
        if self.rules.clause(self.place(), span_of(clause)) {
            return;
        }
        dispatch::elif_else_clause(&mut self.sink, clause);
        walk_elif_else_clause(self, clause);
    }

    fn visit_match_case(&mut self, case: &'a ast::MatchCase) {
        if let Some(guard) = &case.guard {
            self.visit_expr(guard);
        }
        self.visit_body(&case.body);
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        self.visit_expr(&comprehension.iter);
        for condition in &comprehension.ifs {
            self.visit_expr(condition);
        }
    }

    fn visit_with_item(&mut self, item: &'a ast::WithItem) {
        self.visit_expr(&item.context_expr);
    }
}

/// Whether `stmt` only sets module metadata such as `__all__` or `__version__` (every
/// target a `__dunder__` name): mutating it changes what `from m import *` exports or a
/// version string, noise that costs a full test run per mutant.
fn assigns_module_metadata(stmt: &Stmt) -> bool {
    let dunder = |target: &Expr| {
        matches!(target, Expr::Name(name)
            if name.id.len() > 4 && name.id.starts_with("__") && name.id.ends_with("__"))
    };
    match stmt {
        Stmt::Assign(a) => a.targets.iter().all(dunder),
        Stmt::AnnAssign(a) => dunder(&a.target),
        Stmt::AugAssign(a) => dunder(&a.target),
        _ => false,
    }
}

/// Whether `class` is an exception class by its name or a base's: `...Error`,
/// `...Exception`, `...Warning` (PEP 8's names for them).
fn is_exception_class(class: &ast::StmtClassDef) -> bool {
    let exceptional = |name: &str| {
        ["Error", "Exception", "Warning"]
            .iter()
            .any(|end| name.ends_with(end))
    };
    exceptional(class.name.as_str())
        || class.arguments.as_ref().is_some_and(|arguments| {
            arguments.args.iter().any(|base| match base {
                Expr::Name(name) => exceptional(name.id.as_str()),
                Expr::Attribute(attribute) => exceptional(attribute.attr.as_str()),
                _ => false,
            })
        })
}

/// Builtin exceptions whose `args` only their text shows.
const PLAIN_EXCEPTIONS: [&str; 14] = [
    "BaseException",
    "Exception",
    "ValueError",
    "TypeError",
    "RuntimeError",
    "LookupError",
    "KeyError",
    "IndexError",
    "ArithmeticError",
    "NotImplementedError",
    "AssertionError",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
];

/// Whether `class` keeps what its `__init__` gives `super().__init__` only for its text:
/// each base is a builtin exception of [`PLAIN_EXCEPTIONS`] or a class of the module
/// (`body`) without an `__init__` or `__new__` of its own whose bases are so too. A
/// base from elsewhere may keep an argument as an attribute (`HTTPError(404, url)`).
fn keeps_args_for_text(class: &ast::StmtClassDef, body: &[Stmt], depth: usize) -> bool {
    let Some(arguments) = &class.arguments else {
        return false;
    };
    depth < 8
        && !arguments.args.is_empty()
        && arguments.keywords.is_empty()
        && arguments.args.iter().all(|base| {
            let Expr::Name(name) = base else {
                return false;
            };
            let name = name.id.as_str();
            if let Some(own) = body.iter().find_map(|stmt| match stmt {
                Stmt::ClassDef(c) if c.name.as_str() == name => Some(c),
                _ => None,
            }) {
                let constructs = own.body.iter().any(|stmt| {
                    matches!(stmt, Stmt::FunctionDef(f)
                        if matches!(f.name.as_str(), "__init__" | "__new__"))
                });
                !constructs && keeps_args_for_text(own, body, depth + 1)
            } else {
                PLAIN_EXCEPTIONS.contains(&name)
            }
        })
}
