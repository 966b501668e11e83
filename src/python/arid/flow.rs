//! What the rules learn from a whole function before the walk enters it: which local
//! names hold only message text ([`AridRule::ExceptionMessage`], [`AridRule::Logging`],
//! [`AridRule::DeprecationArguments`]) and which `del` statements only drop a local
//! after its last use ([`AridRule::LocalDel`]).
//!
//! A local is message text when every use of it ends in a message: an argument of the
//! exception a `raise` builds, the message of `warnings.warn(...)`, a logging call, a
//! `deprecated(...)` call, or the building of another such local (`msg = "..." + x`,
//! `parts.append(...)`, `msg += ...`). One use anywhere else (a return, an attribute, a
//! condition, a call, a nested function) and it is code. A statement that only builds
//! message text from side-effect-free expressions is then arid, and so is an `if`
//! whose branches do nothing else: it only chooses words, not whether a warning is
//! emitted. The analysis is conservative: a function that calls `locals()`, `vars()`,
//! `eval` or `exec` has no message locals and no droppable `del`.

use std::collections::{BTreeMap, BTreeSet};

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};

use super::AridRule;
use super::helpers::{
    called_name, every_expr, is_class_name, is_pure, is_text_helper, is_warn_call, text_of,
};
use crate::python::parse::span_of;

/// The facts of one function.
#[derive(Debug, Default)]
pub(crate) struct Flow {
    /// The locals that hold only message text, under the rules in effect.
    messages: BTreeSet<String>,
    /// Where each `del` that only drops locals after their last use starts.
    last_dels: BTreeSet<usize>,
    /// Where the first assignment of each message local starts: deleting it leaves the
    /// local unbound, which a test can see, so only what it assigns is arid.
    first_bindings: BTreeSet<usize>,
    /// It is the `__init__` of an exception class: the text it gives
    /// `super().__init__` first is the exception's message.
    pub(crate) exception_init: bool,
    /// ... of an exception class whose bases keep its `args` only for its text: all it
    /// gives `super().__init__` is.
    pub(crate) exception_args: bool,
}

impl Flow {
    /// The facts of a function with `parameters` and `body`, for the `rules` in effect.
    pub(crate) fn of(
        parameters: &ast::Parameters,
        body: &[Stmt],
        rules: &BTreeSet<AridRule>,
        exception_args: bool,
    ) -> Flow {
        let mut uses = Uses {
            exception_args,
            ..Uses::default()
        };
        uses.body(body);
        if uses.dynamic {
            return Flow {
                exception_args,
                ..Flow::default()
            };
        }
        let parameters: BTreeSet<&str> = parameters
            .iter()
            .map(|parameter| parameter.name().as_str())
            .collect();
        let messages = uses.messages(&parameters, rules);
        let first_bindings = messages
            .iter()
            .filter_map(|name| uses.first_binding.get(name).copied())
            .collect();
        Flow {
            last_dels: uses.last_dels(&parameters, body),
            messages,
            first_bindings,
            exception_init: false,
            exception_args,
        }
    }

    /// Whether `name` holds only message text.
    pub(crate) fn is_message(&self, name: &str) -> bool {
        self.messages.contains(name)
    }

    /// Whether `stmt` only builds message text: assignments to message locals, appends
    /// to them, and `if` statements made only of those, all free of side effects.
    pub(crate) fn builds_message(&self, stmt: &Stmt) -> bool {
        if self.messages.is_empty() {
            return false;
        }
        let message_name =
            |target: &Expr| matches!(target, Expr::Name(name) if self.is_message(&name.id));
        let later = !self.first_bindings.contains(&span_of(stmt).start);
        match stmt {
            Stmt::Assign(a) => later && a.targets.iter().all(message_name) && is_pure(&a.value),
            Stmt::AnnAssign(a) => {
                later && message_name(&a.target) && a.value.as_deref().is_some_and(is_pure)
            }
            Stmt::AugAssign(a) => message_name(&a.target) && is_pure(&a.value),
            Stmt::Expr(e) => match &*e.value {
                Expr::Call(call) => {
                    builder(call).is_some_and(|name| self.is_message(name))
                        && call.arguments.args.iter().all(is_pure)
                        && call.arguments.keywords.is_empty()
                }
                _ => false,
            },
            Stmt::If(i) => {
                is_pure(&i.test)
                    && !i.body.is_empty()
                    && i.body.iter().all(|stmt| self.builds_message(stmt))
                    && i.elif_else_clauses.iter().all(|clause| {
                        clause.test.as_ref().is_none_or(is_pure)
                            && clause.body.iter().all(|stmt| self.builds_message(stmt))
                    })
            }
            _ => false,
        }
    }

    /// Whether `stmt` is the first assignment of a message local from a side-effect-free
    /// value: the statement stays (deleting it leaves the local unbound), what it
    /// assigns is arid.
    pub(crate) fn first_binds_message(&self, stmt: &Stmt) -> bool {
        if !self.first_bindings.contains(&span_of(stmt).start) {
            return false;
        }
        match stmt {
            Stmt::Assign(a) => is_pure(&a.value),
            Stmt::AnnAssign(a) => a.value.as_deref().is_some_and(is_pure),
            _ => false,
        }
    }

    /// Whether `stmt` is a `del` that only drops locals after their last use.
    pub(crate) fn drops_dead_locals(&self, stmt: &Stmt) -> bool {
        matches!(stmt, Stmt::Delete(_)) && self.last_dels.contains(&span_of(stmt).start)
    }
}

/// The local a statement `name.append(...)`, `.extend(...)` or `.insert(...)` builds.
fn builder(call: &ast::ExprCall) -> Option<&str> {
    match &*call.func {
        Expr::Attribute(a) if matches!(a.attr.as_str(), "append" | "extend" | "insert") => {
            match &*a.value {
                Expr::Name(name) => Some(name.id.as_str()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// How a load of a local is used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Use {
    /// In the message of a sink of this rule.
    Sink(AridRule),
    /// In the value that builds this local.
    Builds(String),
    /// Anywhere else.
    Code,
}

/// Every load of every local of one function, by how it is used, and how each name is
/// stored.
#[derive(Default)]
struct Uses {
    /// Each loaded name's uses.
    loads: BTreeMap<String, BTreeSet<Use>>,
    /// Names stored other than by a plain assignment (a loop target, `with ... as`,
    /// `except ... as`, `import`, a walrus, `global`/`nonlocal`, a nested definition).
    bound_otherwise: BTreeSet<String>,
    /// Names loaded in a nested function, lambda or class.
    in_nested: BTreeSet<String>,
    /// Names loaded anywhere, each with the offsets of its loads.
    load_offsets: BTreeMap<String, Vec<usize>>,
    /// The function calls `locals()`, `vars()`, `eval` or `exec`.
    dynamic: bool,
    /// What each plainly assigned name is given, value by value: text made of the
    /// names in the set (`Some`), or a value that may not be text (`None`).
    values: BTreeMap<String, Vec<Option<BTreeSet<String>>>>,
    /// Where the first plain assignment of each name starts.
    first_binding: BTreeMap<String, usize>,
    /// How many `del` statements delete each name.
    dels: BTreeMap<String, usize>,
    /// The context loads are in now.
    context: Vec<Use>,
    /// How deep in nested scopes the walk is.
    nested: usize,
    /// The function is the `__init__` of an exception class whose bases keep its
    /// `args` only for its text: what it gives `super().__init__` is text.
    exception_args: bool,
}

impl Uses {
    fn body(&mut self, body: &[Stmt]) {
        for stmt in body {
            self.visit_stmt(stmt);
        }
    }

    /// Walk `exprs` with loads in context `context`.
    fn in_context<'e>(&mut self, context: Use, exprs: impl IntoIterator<Item = &'e Expr>) {
        self.context.push(context);
        for expr in exprs {
            self.visit_expr(expr);
        }
        self.context.pop();
    }

    fn bind_otherwise(&mut self, target: &Expr) {
        every_expr(target, &mut |expr| {
            if let Expr::Name(name) = expr {
                self.bound_otherwise.insert(name.id.to_string());
            }
        });
    }

    /// The message locals: not parameters, stored only by plain assignment, loaded only
    /// to build messages of sinks whose rules are all in effect.
    fn messages(
        &self,
        parameters: &BTreeSet<&str>,
        rules: &BTreeSet<AridRule>,
    ) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = self
            .loads
            .iter()
            .filter(|(name, uses)| {
                !parameters.contains(name.as_str())
                    && !self.bound_otherwise.contains(*name)
                    && !self.in_nested.contains(*name)
                    && !uses.contains(&Use::Code)
                    && self
                        .values
                        .get(*name)
                        .is_some_and(|values| values.iter().all(Option::is_some))
            })
            .map(|(name, _)| name.clone())
            .collect();
        // A name that builds another must build a message local; and it must reach a
        // sink whose rule is in effect.
        loop {
            let before = names.len();
            let kept: BTreeSet<String> = names
                .iter()
                .filter(|name| {
                    let uses = &self.loads[*name];
                    let builds_only_messages = uses.iter().all(|use_| match use_ {
                        Use::Builds(target) => target == *name || names.contains(target),
                        Use::Sink(rule) => rules.contains(rule),
                        Use::Code => false,
                    });
                    // Every value it is given is text made of message locals.
                    let text = self.values[*name]
                        .iter()
                        .flatten()
                        .all(|deps| deps.iter().all(|dep| names.contains(dep)));
                    builds_only_messages && text && self.reaches_sink(name, &names)
                })
                .cloned()
                .collect();
            names = kept;
            if names.len() == before {
                return names;
            }
        }
    }

    /// Whether `name` ends in a sink, directly or through other names of `names`.
    fn reaches_sink(&self, name: &str, names: &BTreeSet<String>) -> bool {
        let mut seen = BTreeSet::new();
        let mut todo = vec![name.to_owned()];
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            for use_ in self.loads.get(&name).into_iter().flatten() {
                match use_ {
                    Use::Sink(_) => return true,
                    Use::Builds(target) if names.contains(target) => todo.push(target.clone()),
                    _ => {}
                }
            }
        }
        false
    }

    /// The `del` statements at the top level of `body` whose names are all locals bound
    /// before them at the top level (or parameters), loaded nowhere after them and in
    /// no nested scope, and not bound in any other way.
    fn last_dels(&self, parameters: &BTreeSet<&str>, body: &[Stmt]) -> BTreeSet<usize> {
        let mut bound: BTreeSet<&str> = parameters.clone();
        let mut found = BTreeSet::new();
        for stmt in body {
            match stmt {
                Stmt::Assign(a) => {
                    for target in &a.targets {
                        if let Expr::Name(name) = target {
                            bound.insert(name.id.as_str());
                        }
                    }
                }
                Stmt::AnnAssign(a) if a.value.is_some() => {
                    if let Expr::Name(name) = &*a.target {
                        bound.insert(name.id.as_str());
                    }
                }
                Stmt::Delete(d) => {
                    let end = span_of(stmt).end;
                    let droppable = d.targets.iter().all(|target| {
                        let Expr::Name(name) = target else {
                            return false;
                        };
                        let name = name.id.as_str();
                        bound.contains(name)
                            && self.dels.get(name) == Some(&1)
                            && !self.bound_otherwise.contains(name)
                            && !self.in_nested.contains(name)
                            && self
                                .load_offsets
                                .get(name)
                                .is_none_or(|loads| loads.iter().all(|at| *at < end))
                    });
                    if droppable {
                        found.insert(span_of(stmt).start);
                    }
                }
                _ => {}
            }
        }
        found
    }
}

impl<'a> Visitor<'a> for Uses {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nested > 0 {
            return walk_stmt(self, stmt);
        }
        self.note_bindings(stmt);
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                walk_stmt(self, stmt);
                self.nested -= 1;
            }
            Stmt::Raise(r) => {
                // `raise ValueError(msg)`: the message; not `raise cast(Error, last)` or
                // `raise make_error(x)`, whose arguments may be the exception itself.
                if let Some(Expr::Call(call)) = r.exc.as_deref()
                    && called_name(call).is_some_and(is_class_name)
                {
                    self.visit_expr(&call.func);
                    self.in_context(Use::Sink(AridRule::ExceptionMessage), &call.arguments.args);
                    let keywords = call.arguments.keywords.iter().map(|k| &k.value);
                    self.in_context(Use::Code, keywords);
                } else if let Some(exc) = &r.exc {
                    self.visit_expr(exc);
                }
                if let Some(cause) = &r.cause {
                    self.visit_expr(cause);
                }
            }
            Stmt::Expr(e) => match &*e.value {
                Expr::Call(call) => self.call_statement(&e.value, call),
                _ => walk_stmt(self, stmt),
            },
            Stmt::Assign(a) => {
                if let [Expr::Name(name)] = &a.targets[..] {
                    self.bound(&name.id, span_of(stmt).start, text_of(&a.value));
                    self.in_context(Use::Builds(name.id.to_string()), [&*a.value]);
                } else {
                    for target in &a.targets {
                        self.bind_otherwise(target);
                        self.visit_expr(target);
                    }
                    self.in_context(Use::Code, [&*a.value]);
                }
            }
            Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
                (Expr::Name(name), Some(value)) => {
                    self.bound(&name.id, span_of(stmt).start, text_of(value));
                    self.in_context(Use::Builds(name.id.to_string()), [&**value]);
                }
                _ => walk_stmt(self, stmt),
            },
            Stmt::AugAssign(a) => match &*a.target {
                Expr::Name(name) => {
                    let target = name.id.to_string();
                    let value = text_of(&a.value);
                    self.values.entry(target.clone()).or_default().push(value);
                    let at = span_of(&*a.target).start;
                    self.note_load(&target, at, Use::Builds(target.clone()));
                    self.in_context(Use::Builds(target), [&*a.value]);
                }
                _ => walk_stmt(self, stmt),
            },
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) if name.ctx.is_load() => {
                let context = if self.nested > 0 {
                    self.in_nested.insert(name.id.to_string());
                    Use::Code
                } else {
                    self.context.last().cloned().unwrap_or(Use::Code)
                };
                self.note_load(&name.id, span_of(expr).start, context);
            }
            Expr::Name(name) if name.ctx.is_del() => {
                *self.dels.entry(name.id.to_string()).or_default() += 1;
                self.note_load(&name.id, span_of(expr).start, Use::Code);
            }
            Expr::Named(named) => {
                self.bind_otherwise(&named.target);
                walk_expr(self, expr);
            }
            Expr::Call(call) => {
                if let Expr::Name(name) = &*call.func
                    && matches!(name.id.as_str(), "locals" | "vars" | "eval" | "exec")
                {
                    self.dynamic = true;
                }
                if called_name(call) == Some("deprecated") {
                    self.visit_expr(&call.func);
                    let keywords = call.arguments.keywords.iter().map(|k| &k.value);
                    let args = call.arguments.args.iter().chain(keywords);
                    self.in_context(Use::Sink(AridRule::DeprecationArguments), args);
                } else {
                    // What a call returns is code, whatever its arguments are.
                    self.visit_expr(&call.func);
                    let keywords = call.arguments.keywords.iter().map(|k| &k.value);
                    let args = call.arguments.args.iter().chain(keywords);
                    let context = if is_text_helper(call) {
                        self.context.last().cloned().unwrap_or(Use::Code)
                    } else {
                        Use::Code
                    };
                    self.in_context(context, args);
                }
            }
            Expr::Lambda(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
            | Expr::Generator(_) => {
                self.nested += 1;
                walk_expr(self, expr);
                self.nested -= 1;
            }
            _ => walk_expr(self, expr),
        }
    }
}

impl Uses {
    /// Note the names `stmt` binds other than by a plain assignment.
    fn note_bindings(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.bound_otherwise.insert(f.name.to_string());
            }
            Stmt::ClassDef(c) => {
                self.bound_otherwise.insert(c.name.to_string());
            }
            Stmt::Global(g) => {
                let names = g.names.iter().map(ToString::to_string);
                self.bound_otherwise.extend(names);
            }
            Stmt::Nonlocal(n) => {
                let names = n.names.iter().map(ToString::to_string);
                self.bound_otherwise.extend(names);
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    let first = name.as_str().split('.').next().unwrap_or_default();
                    self.bound_otherwise.insert(first.to_owned());
                }
            }
            Stmt::ImportFrom(i) => {
                for alias in &i.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bound_otherwise.insert(name.to_string());
                }
            }
            Stmt::For(f) => self.bind_otherwise(&f.target),
            Stmt::With(w) => {
                for vars in w
                    .items
                    .iter()
                    .filter_map(|item| item.optional_vars.as_deref())
                {
                    self.bind_otherwise(vars);
                }
            }
            Stmt::Try(t) => {
                for handler in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.bound_otherwise.insert(name.to_string());
                    }
                }
            }
            _ => {}
        }
    }

    /// A call as a statement: a logging call or a warning (their messages are sinks),
    /// `name.append(...)` (building `name`), or any other call.
    fn call_statement<'a>(&mut self, value: &'a Expr, call: &'a ast::ExprCall) {
        let keywords = call.arguments.keywords.iter().map(|k| &k.value);
        if super::logging::is_log_statement(call) {
            self.visit_expr(&call.func);
            // `logger.log(level, ...)`: the level decides whether it is emitted.
            let leveled = matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "log");
            let (level, message) = call.arguments.args.split_at(usize::from(leveled));
            self.in_context(Use::Code, level);
            let args = message.iter().chain(keywords);
            self.in_context(Use::Sink(AridRule::Logging), args);
        } else if self.exception_args && is_super_init(call) {
            self.visit_expr(&call.func);
            let args = call.arguments.args.iter().chain(keywords);
            self.in_context(Use::Sink(AridRule::ExceptionMessage), args);
        } else if is_warn_call(call) {
            self.visit_expr(&call.func);
            let (message, rest) = call.arguments.args.split_first().unzip();
            self.in_context(Use::Sink(AridRule::ExceptionMessage), message);
            let rest = rest.into_iter().flatten().chain(keywords);
            self.in_context(Use::Code, rest);
        } else if let Some(target) = builder(call) {
            let target = target.to_owned();
            let appended = match &*call.func {
                Expr::Attribute(a) if a.attr.as_str() == "insert" => call.arguments.args.get(1),
                _ => call.arguments.args.first(),
            };
            let value = match (&*call.func, appended) {
                (Expr::Attribute(a), Some(value)) if a.attr.as_str() == "extend" => text_of(value),
                (_, Some(value)) => text_of(value),
                (_, None) => None,
            };
            self.values.entry(target.clone()).or_default().push(value);
            let args = call.arguments.args.iter().chain(keywords);
            // The receiver is loaded to build itself.
            self.in_context(Use::Builds(target.clone()), [&*call.func]);
            self.in_context(Use::Builds(target), args);
        } else {
            self.visit_expr(value);
        }
    }

    /// Note a plain assignment of `name` at `at`, of a value that is text made of the
    /// names in `text` (or `None`).
    fn bound(&mut self, name: &str, at: usize, text: Option<BTreeSet<String>>) {
        self.values.entry(name.to_owned()).or_default().push(text);
        let first = self.first_binding.entry(name.to_owned()).or_insert(at);
        *first = (*first).min(at);
    }

    fn note_load(&mut self, name: &str, at: usize, context: Use) {
        self.loads
            .entry(name.to_owned())
            .or_default()
            .insert(context);
        self.load_offsets
            .entry(name.to_owned())
            .or_default()
            .push(at);
    }
}

/// Whether `call` is `super().__init__(...)`.
pub(super) fn is_super_init(call: &ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Attribute(method)
        if method.attr.as_str() == "__init__"
            && matches!(&*method.value, Expr::Call(inner)
                if matches!(&*inner.func, Expr::Name(name) if name.id.as_str() == "super")))
}
