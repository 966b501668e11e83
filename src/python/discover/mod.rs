//! Mutant discovery: one walk over a module's AST (ruff's) that applies every selected
//! operator, skipping docstrings, annotations, type parameters and aliases, the literal
//! parts and format specs of f-strings and t-strings, and `# pragma: no mutate` lines;
//! the expressions in f-string and t-string replacement fields are mutated like any
//! other. Every
//! operator's edit is valid Python by construction (operators swap for operators of the
//! same grammar class, expressions for atoms); `Mutant::reparses` checks one, and the
//! corpus tests check the mutants of the standard libraries (`tests/corpus.rs` says
//! which). The result is sorted by position so the order is deterministic.

use std::collections::{BTreeMap, BTreeSet};

mod literals;

use ruff_python_ast::{self as ast, Expr, InterpolatedStringElement, Number, Stmt};

use crate::mutant::{Mutant, Scope};
use crate::python::arid::{self, AridRule};
use crate::python::operators::{
    Operator, augmented_replacements, binary_replacements, comparison_replacements,
};
use crate::python::parse::{ParseSkip, ParsedModule, TokenKind, parse_module, span_of};
use crate::span::{Edit, Span};

/// The mutants of one file's text, or why it could not be parsed.
///
/// `path` is the repository-relative path recorded in each mutant; `operators` selects
/// which operators apply.
///
/// # Errors
/// A [`ParseSkip`] when the text is not valid Python.
pub fn mutate_source(
    path: &str,
    text: &str,
    operators: &BTreeSet<Operator>,
) -> Result<Vec<Mutant>, ParseSkip> {
    mutate_source_with(path, text, operators, &AridRule::defaults())
}

/// [`mutate_source`] with the arid-node rules `arid` in effect (the defaults there).
///
/// # Errors
/// A [`ParseSkip`] when the text is not valid Python.
pub fn mutate_source_with(
    path: &str,
    text: &str,
    operators: &BTreeSet<Operator>,
    arid: &BTreeSet<AridRule>,
) -> Result<Vec<Mutant>, ParseSkip> {
    let module = parse_module(text, path)?;
    let mut walker = Walker {
        text,
        main_module: path == "__main__.py" || path.ends_with("/__main__.py"),
        module: &module,
        operators,
        arid,
        scopes: Vec::new(),
        functions: Vec::new(),
        blocks: Vec::new(),
        candidates: Vec::new(),
    };
    walker.body(&module.body, true);
    let mut seen = BTreeSet::new();
    let mut mutants = Vec::new();
    for candidate in walker.candidates {
        if !seen.insert((candidate.edit.span, candidate.edit.replacement.clone())) {
            continue;
        }
        if candidate.edit.replacement == candidate.edit.span.of(text) {
            continue;
        }
        if touches_pragma(&module, candidate.edit.span) {
            continue;
        }
        let span = candidate.edit.span;
        mutants.push(Mutant {
            id: Mutant::compute_id(path, span, candidate.operator, &candidate.edit.replacement),
            path: path.to_owned(),
            span,
            start: module.lines.line_col(span.start, text),
            end: module.lines.line_col(span.end, text),
            original: span.of(text).to_owned(),
            replacement: candidate.edit.replacement,
            operator: candidate.operator,
            scope: candidate.scope,
            block: candidate.block,
        });
    }
    mutants.sort_by(|a, b| {
        (a.span.start, a.span.end, a.operator, &a.replacement).cmp(&(
            b.span.start,
            b.span.end,
            b.operator,
            &b.replacement,
        ))
    });
    number_twin_scopes(&mut mutants, text);
    Ok(mutants)
}

/// Set each mutant's [`Scope::occurrence`]: among the scopes of the file with the same
/// qualified name and text, in source order.
fn number_twin_scopes(mutants: &mut [Mutant], text: &str) {
    let mut spans: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    for mutant in mutants.iter() {
        let scope = &mutant.scope;
        spans
            .entry((scope.qualname.as_str(), scope.span.of(text)))
            .or_default()
            .insert(scope.span.start);
    }
    let occurrence: BTreeMap<usize, usize> = spans
        .values()
        .filter(|starts| starts.len() > 1)
        .flat_map(|starts| {
            starts
                .iter()
                .enumerate()
                .map(|(index, start)| (*start, index))
        })
        .collect();
    for mutant in mutants.iter_mut() {
        if let Some(index) = occurrence.get(&mutant.scope.span.start) {
            mutant.scope.occurrence = *index;
        }
    }
}

/// A mutation found by the walk, before filtering.
#[derive(Debug)]
struct Candidate {
    edit: Edit,
    operator: Operator,
    scope: Scope,
    /// Whole lines of the innermost definition or module-level statement holding it: the
    /// text that must still parse after the edit.
    block: Span,
}

struct Walker<'a> {
    text: &'a str,
    /// Whether the file is a package's `__main__.py`.
    main_module: bool,
    module: &'a ParsedModule,
    operators: &'a BTreeSet<Operator>,
    arid: &'a BTreeSet<AridRule>,
    scopes: Vec<Scope>,
    /// Parallel to `scopes` inside definitions: whether each is a function's.
    functions: Vec<bool>,
    blocks: Vec<Span>,
    candidates: Vec<Candidate>,
}

fn touches_pragma(module: &ParsedModule, span: Span) -> bool {
    if module.pragma_lines.is_empty() {
        return false;
    }
    let first = module.lines.line_of(span.start);
    let last = module.lines.line_of(span.end.max(span.start + 1) - 1);
    module.pragma_lines.range(first..=last).next().is_some()
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

fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr())
}

/// A literal that is a whole expression statement (a docstring, `...`, a bare number):
/// nothing to delete or mutate.
fn is_literal(expr: &Expr) -> bool {
    expr.is_literal_expr()
}

fn is_none(expr: &Expr) -> bool {
    expr.is_none_literal_expr()
}

impl Walker<'_> {
    fn enabled(&self, operator: Operator) -> bool {
        self.operators.contains(&operator)
    }

    fn arid(&self, rule: AridRule) -> bool {
        self.arid.contains(&rule)
    }

    fn push(&mut self, operator: Operator, span: Span, replacement: impl Into<String>) {
        if !self.enabled(operator) {
            return;
        }
        let (Some(scope), Some(block)) = (self.scopes.last(), self.blocks.last()) else {
            return;
        };
        self.candidates.push(Candidate {
            edit: Edit {
                span,
                replacement: replacement.into(),
            },
            operator,
            scope: scope.clone(),
            block: *block,
        });
    }

    /// The whole lines holding `span`.
    fn line_block(&self, span: Span) -> Span {
        let lines = &self.module.lines;
        let first = lines.line_of(span.start);
        let last = lines.line_of(span.end.max(span.start + 1) - 1);
        Span::new(
            lines.line_start(first, self.text),
            lines.line_start(last + 1, self.text),
        )
    }

    /// The span of a statement including its decorators (a decorator's range starts at
    /// its `@`).
    fn full_span(stmt: &Stmt) -> Span {
        let span = span_of(stmt);
        let decorators = match stmt {
            Stmt::FunctionDef(f) => &f.decorator_list,
            Stmt::ClassDef(c) => &c.decorator_list,
            _ => return span,
        };
        match decorators.first() {
            Some(first) => Span::new(span_of(first).start.min(span.start), span.end),
            None => span,
        }
    }

    fn body(&mut self, stmts: &[Stmt], docstring_allowed: bool) {
        for (index, stmt) in stmts.iter().enumerate() {
            if index == 0 && docstring_allowed && is_docstring(stmt) {
                continue;
            }
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        let top_level = self.scopes.is_empty();
        if top_level && assigns_module_metadata(stmt) {
            return;
        }
        if self.arid_statement(stmt) {
            return;
        }
        if top_level {
            let span = Self::full_span(stmt);
            self.scopes.push(Scope {
                qualname: String::new(),
                span,
                occurrence: 0,
            });
            self.blocks.push(self.line_block(span));
        }
        self.stmt_inner(stmt);
        if top_level {
            self.scopes.pop();
            self.blocks.pop();
        }
    }

    /// Whether an arid-node rule takes the whole statement: a logging call, the
    /// `__main__` block, a `# pragma: no cover` statement, a namespace `del`, a `__doc__`
    /// assignment.
    fn arid_statement(&self, stmt: &Stmt) -> bool {
        let compound = matches!(
            stmt,
            Stmt::FunctionDef(_)
                | Stmt::ClassDef(_)
                | Stmt::If(_)
                | Stmt::For(_)
                | Stmt::While(_)
                | Stmt::With(_)
                | Stmt::Try(_)
                | Stmt::Match(_)
        );
        // A decorated definition's header is its `def`/`class` line, not its first.
        let header = match stmt {
            Stmt::FunctionDef(f) => Some(span_of(&f.name)),
            Stmt::ClassDef(c) => Some(span_of(&c.name)),
            _ => None,
        };
        let on_header = header.is_some_and(|name| {
            let line = self.module.lines.line_of(name.start);
            self.module.no_cover_lines.contains(&line)
        });
        if self.arid(AridRule::NoCover) && (on_header || self.no_cover(stmt, !compound)) {
            return true;
        }
        let context = arid::StatementContext {
            top_level: self.scopes.is_empty(),
            in_function: self.functions.last().copied().unwrap_or(false),
            main_module: self.main_module,
        };
        arid::statement_rule(stmt, context).is_some_and(|rule| self.arid(rule))
    }

    /// Whether `# pragma: no cover` excludes `node` as coverage.py does: on its first
    /// line (a compound statement's header: the whole block goes), or on any line of a
    /// simple statement.
    fn no_cover<T: ruff_text_size::Ranged>(&self, node: &T, simple: bool) -> bool {
        let lines = &self.module.no_cover_lines;
        if lines.is_empty() {
            return false;
        }
        let span = span_of(node);
        let first = self.module.lines.line_of(span.start);
        if !simple {
            return lines.contains(&first);
        }
        let last = self.module.lines.line_of(span.end.max(span.start + 1) - 1);
        lines.range(first..=last).next().is_some()
    }

    /// Walk a definition's body as a new scope, named as Python's `__qualname__` names it.
    fn enter_scope(&mut self, stmt: &Stmt, name: &str, body: &[Stmt], is_function: bool) {
        let span = Self::full_span(stmt);
        let qualname = match (self.scopes.last(), self.functions.last()) {
            (Some(scope), Some(true)) => format!("{}.<locals>.{name}", scope.qualname),
            (Some(scope), _) if !scope.qualname.is_empty() => format!("{}.{name}", scope.qualname),
            _ => name.to_owned(),
        };
        self.scopes.push(Scope {
            qualname,
            span,
            occurrence: 0,
        });
        self.functions.push(is_function);
        self.blocks.push(self.line_block(span));
        self.body(body, true);
        self.scopes.pop();
        self.functions.pop();
        self.blocks.pop();
    }

    fn decorators(&mut self, decorators: &[ast::Decorator]) {
        for decorator in decorators {
            let span = span_of(decorator);
            let next = self.module.tokens[self.module.token_at_or_after(span.end)..]
                .iter()
                .find(|token| token.kind != TokenKind::Trivia)
                .map_or(span.end, |token| token.span.start);
            self.push(Operator::Decorator, Span::new(span.start, next), "");
            self.expr(&decorator.expression);
        }
    }

    fn parameters(&mut self, parameters: &ast::Parameters) {
        for parameter in parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
        {
            if let Some(default) = &parameter.default {
                self.expr(default);
            }
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per statement kind reads best as one match"
    )]
    fn stmt_inner(&mut self, stmt: &Stmt) {
        let span = span_of(stmt);
        let deletable = match stmt {
            Stmt::Expr(e) => !is_literal(&e.value),
            Stmt::AnnAssign(a) => a.value.is_some(),
            Stmt::Assign(_)
            | Stmt::AugAssign(_)
            | Stmt::Delete(_)
            | Stmt::Assert(_)
            | Stmt::Raise(_) => true,
            _ => false,
        };
        if deletable {
            self.push(Operator::StatementDelete, span, "pass");
        }
        match stmt {
            Stmt::FunctionDef(f) => {
                self.decorators(&f.decorator_list);
                self.parameters(&f.parameters);
                let body: &[Stmt] = if f.name.as_str() == "__repr__" && self.arid(AridRule::Repr) {
                    &[]
                } else {
                    &f.body
                };
                self.enter_scope(stmt, f.name.as_str(), body, true);
            }
            Stmt::ClassDef(c) => {
                self.decorators(&c.decorator_list);
                if let Some(arguments) = &c.arguments {
                    self.exprs(&arguments.args);
                    for keyword in &arguments.keywords {
                        self.expr(&keyword.value);
                    }
                }
                self.enter_scope(stmt, c.name.as_str(), &c.body, false);
            }
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    if !is_none(value) {
                        self.push(Operator::ReturnValue, span_of(&**value), "None");
                    }
                    self.expr(value);
                }
            }
            Stmt::Delete(d) => self.exprs(&d.targets),
            Stmt::Assign(a) => {
                self.exprs(&a.targets);
                self.expr(&a.value);
            }
            Stmt::AugAssign(a) => {
                let target_end = span_of(&*a.target).end;
                let value_start = span_of(&*a.value).start;
                let token = self
                    .module
                    .code_tokens_between(target_end, value_start)
                    .next()
                    .copied();
                if let Some(token) = token {
                    for replacement in augmented_replacements(token.span.of(self.text)) {
                        self.push(Operator::AugmentedAssign, token.span, replacement);
                    }
                }
                self.expr(&a.target);
                self.expr(&a.value);
            }
            Stmt::AnnAssign(a) => {
                self.expr(&a.target);
                if let Some(value) = &a.value {
                    self.expr(value);
                }
            }
            // `async for x in []` raises TypeError (a list has no `__aiter__`): no
            // zero-iteration mutant, it could only be killed for the wrong reason.
            Stmt::For(f) => self.for_loop(&f.iter, &f.body, &f.orelse, !f.is_async),
            Stmt::While(w) => {
                self.condition(&w.test);
                self.expr(&w.test);
                self.body(&w.body, false);
                self.body(&w.orelse, false);
            }
            Stmt::If(i) => {
                self.condition(&i.test);
                self.expr(&i.test);
                self.body(&i.body, false);
                for clause in &i.elif_else_clauses {
                    if self.arid(AridRule::NoCover) && self.no_cover(clause, false) {
                        continue;
                    }
                    if let Some(test) = &clause.test {
                        self.condition(test);
                        self.expr(test);
                    }
                    self.body(&clause.body, false);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                }
                self.body(&w.body, false);
            }
            Stmt::Match(m) => {
                self.expr(&m.subject);
                // A case before an irrefutable one (`case _:`, `case x:`, unguarded) can go:
                // the match still has a case, and the value falls through to a later one.
                for (index, case) in m.cases.iter().enumerate() {
                    let later_catch_all = m.cases[index + 1..]
                        .iter()
                        .any(|later| later.guard.is_none() && later.pattern.is_irrefutable());
                    if later_catch_all {
                        self.push(
                            Operator::StatementDelete,
                            self.line_block(span_of(case)),
                            "",
                        );
                    }
                }
                for case in &m.cases {
                    if let Some(guard) = &case.guard {
                        self.expr(guard);
                    }
                    self.body(&case.body, false);
                }
            }
            Stmt::Raise(r) => {
                match r.exc.as_deref() {
                    Some(Expr::Call(call)) if self.arid(AridRule::ExceptionMessage) => {
                        self.call(call, arid::is_text);
                    }
                    Some(exc) => self.expr(exc),
                    None => {}
                }
                if let Some(cause) = &r.cause {
                    self.expr(cause);
                }
            }
            Stmt::Try(t) => self.try_stmt(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            Stmt::Assert(a) => {
                self.expr(&a.test);
                if let Some(msg) = &a.msg {
                    self.expr(msg);
                }
            }
            Stmt::Expr(e) => {
                if !is_literal(&e.value) {
                    self.expr(&e.value);
                }
            }
            Stmt::Break(_) => self.push(Operator::LoopControl, span, "continue"),
            Stmt::Continue(_) => self.push(Operator::LoopControl, span, "break"),
            // Type aliases are annotations; the rest has nothing to mutate.
            Stmt::TypeAlias(_)
            | Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Pass(_)
            | Stmt::IpyEscapeCommand(_) => {}
        }
    }

    fn for_loop(&mut self, iter: &Expr, body: &[Stmt], orelse: &[Stmt], zero_iteration: bool) {
        let empty = !zero_iteration
            || match iter {
                Expr::List(l) => l.elts.is_empty(),
                Expr::Tuple(t) => t.elts.is_empty(),
                _ => false,
            };
        if !empty {
            self.push(Operator::ZeroIteration, span_of(iter), "[]");
        }
        self.expr(iter);
        self.body(body, false);
        self.body(orelse, false);
    }

    fn try_stmt(
        &mut self,
        body: &[Stmt],
        handlers: &[ast::ExceptHandler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
    ) {
        self.body(body, false);
        for handler in handlers {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            if self.arid(AridRule::NoCover) && self.no_cover(handler, false) {
                continue;
            }
            let bare_raise = handler.body.len() == 1
                && matches!(&handler.body[0], Stmt::Raise(r) if r.exc.is_none());
            if let (Some(first), Some(last), false) =
                (handler.body.first(), handler.body.last(), bare_raise)
            {
                let span = Span::new(Self::full_span(first).start, span_of(last).end);
                self.push(Operator::ExceptionHandler, span, "raise");
            }
            if let Some(type_) = &handler.type_ {
                self.expr(type_);
            }
            self.body(&handler.body, false);
        }
        self.body(orelse, false);
        self.body(finalbody, false);
    }

    fn condition(&mut self, test: &Expr) {
        let span = span_of(test);
        self.push(
            Operator::Condition,
            span,
            format!("not ({})", span.of(self.text)),
        );
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        for expr in exprs {
            self.expr(expr);
        }
    }

    /// The first code token between two operands: the operator joining them.
    fn operator_between(&self, left: &Expr, right: &Expr) -> Option<Span> {
        let token = self
            .module
            .code_tokens_between(span_of(left).end, span_of(right).start)
            .next()?;
        Some(token.span)
    }

    /// The expressions in the replacement fields of an f-string's or t-string's
    /// `elements` (spanning `span`); never the literal parts or the format specs. A field
    /// with `=` (`f"{a + b=}"`) prints its own source, so a mutant of it would be killed
    /// by any test of the text: left alone. A pragma on any line of a string that spans
    /// lines covers all its fields (no comment fits on its inner lines).
    fn interpolations<'e>(
        &mut self,
        span: Span,
        elements: impl Iterator<Item = &'e InterpolatedStringElement>,
    ) {
        if touches_pragma(self.module, span) {
            return;
        }
        for element in elements {
            if let InterpolatedStringElement::Interpolation(field) = element
                && field.debug_text.is_none()
            {
                self.expr(&field.expression);
            }
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per expression kind reads best as one match"
    )]
    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::BoolOp(b) => {
                for pair in b.values.windows(2) {
                    if let Some(token) = self.operator_between(&pair[0], &pair[1]) {
                        let replacement = match token.of(self.text) {
                            "and" => "or",
                            _ => "and",
                        };
                        self.push(Operator::BooleanOperator, token, replacement);
                    }
                }
                self.exprs(&b.values);
            }
            Expr::Named(n) => self.expr(&n.value),
            Expr::BinOp(b) => {
                if let Some(token) = self.operator_between(&b.left, &b.right) {
                    for replacement in binary_replacements(token.of(self.text)) {
                        self.push(Operator::BinaryOperator, token, *replacement);
                    }
                }
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expr::UnaryOp(u) => {
                if !matches!(u.op, ast::UnaryOp::UAdd) {
                    self.unary(span_of(expr).start);
                }
                self.expr(&u.operand);
            }
            Expr::Lambda(l) => {
                if let Some(parameters) = &l.parameters {
                    self.parameters(parameters);
                }
                self.expr(&l.body);
            }
            Expr::If(i) => {
                self.condition(&i.test);
                self.expr(&i.test);
                self.expr(&i.body);
                self.expr(&i.orelse);
            }
            Expr::Dict(d) => {
                for item in &d.items {
                    if let Some(key) = &item.key {
                        self.expr(key);
                    }
                    self.expr(&item.value);
                }
            }
            Expr::Set(s) => self.exprs(&s.elts),
            Expr::List(l) => self.exprs(&l.elts),
            Expr::Tuple(t) => self.exprs(&t.elts),
            Expr::ListComp(c) => {
                self.expr(&c.elt);
                self.comprehensions(&c.generators);
            }
            Expr::SetComp(c) => {
                self.expr(&c.elt);
                self.comprehensions(&c.generators);
            }
            Expr::Generator(c) => {
                self.expr(&c.elt);
                self.comprehensions(&c.generators);
            }
            Expr::DictComp(c) => {
                if let Some(key) = &c.key {
                    self.expr(key);
                }
                self.expr(&c.value);
                self.comprehensions(&c.generators);
            }
            Expr::Await(a) => self.expr(&a.value),
            Expr::Yield(y) => {
                if let Some(value) = &y.value {
                    self.expr(value);
                }
            }
            Expr::YieldFrom(y) => self.expr(&y.value),
            Expr::Compare(c) => {
                let mut left = &*c.left;
                for right in &c.comparators {
                    self.comparison(left, right);
                    left = right;
                }
                self.expr(&c.left);
                self.exprs(&c.comparators);
            }
            Expr::Call(c) => self.call(c, |_| false),
            Expr::BooleanLiteral(b) => {
                self.push(
                    Operator::BooleanConstant,
                    span_of(expr),
                    if b.value { "False" } else { "True" },
                );
            }
            Expr::NumberLiteral(n) => {
                let span = span_of(expr);
                let replacement = match &n.value {
                    Number::Int(_) => literals::int(span.of(self.text)),
                    Number::Float(float) => literals::float(*float),
                    Number::Complex { .. } => None,
                };
                if let Some(replacement) = replacement {
                    self.push(Operator::Number, span, replacement);
                }
            }
            // The first piece of a (possibly implicitly concatenated) literal.
            Expr::StringLiteral(s) => {
                if let Some(first) = s.value.iter().next() {
                    self.string(span_of(first));
                }
            }
            Expr::BytesLiteral(b) => {
                if let Some(first) = b.value.iter().next() {
                    self.string(span_of(first));
                }
            }
            Expr::FString(f) => self.interpolations(span_of(expr), f.value.elements()),
            Expr::TString(t) => self.interpolations(span_of(expr), t.value.elements()),
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::Subscript(s) => {
                self.expr(&s.value);
                if self.arid(AridRule::TypingArguments) && arid::is_typing_generic(&s.value) {
                    self.typing_arguments(&s.slice);
                } else {
                    self.expr(&s.slice);
                }
            }
            Expr::Starred(s) => self.expr(&s.value),
            Expr::Slice(s) => {
                for part in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    self.expr(part);
                }
            }
            Expr::Name(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_)
            | Expr::IpyEscapeCommand(_) => {}
        }
    }

    /// The arguments of a typing generic: everything but forward-reference strings, in
    /// nested generics too.
    fn typing_arguments(&mut self, slice: &Expr) {
        match slice {
            Expr::StringLiteral(_) => {}
            Expr::Tuple(t) => {
                for element in &t.elts {
                    self.typing_arguments(element);
                }
            }
            Expr::List(l) => {
                for element in &l.elts {
                    self.typing_arguments(element);
                }
            }
            other => self.expr(other),
        }
    }

    /// A call: its function, and its arguments as call-argument mutants and walked, but
    /// none of those the arid rules cover, nor the positional ones `arid_arg` says are.
    fn call(&mut self, c: &ast::ExprCall, arid_arg: impl Fn(&Expr) -> bool) {
        self.expr(&c.func);
        let name = arid::called_name(&c.func);
        if name == Some("deprecated") && self.arid(AridRule::DeprecationArguments) {
            return;
        }
        let typing = self.arid(AridRule::TypingArguments);
        if typing && matches!(name, Some("TypeVar" | "NewType")) {
            return;
        }
        let help = self.arid(AridRule::HelpText);
        let warn_message = self.arid(AridRule::ExceptionMessage) && arid::is_warn_call(c);
        // A string literal is the `string` operator's: `None` there would be a second
        // finding on the same literal.
        let strings = self.enabled(Operator::String);
        let plain = |value: &Expr| {
            let the_strings =
                strings && matches!(value, Expr::StringLiteral(_) | Expr::BytesLiteral(_));
            !(matches!(value, Expr::Starred(_) | Expr::Generator(_))
                || is_none(value)
                || the_strings)
        };
        for (index, arg) in c.arguments.args.iter().enumerate() {
            // `cast(T, value)`: the type is for type checkers.
            if arid_arg(arg) || (typing && index == 0 && name == Some("cast")) {
                continue;
            }
            // `warnings.warn("text", Category)`: the text is for people.
            if index == 0 && warn_message && arid::is_text(arg) {
                continue;
            }
            if plain(arg) {
                self.push(Operator::CallArgument, span_of(arg), "None");
            }
            self.expr(arg);
        }
        for keyword in &c.arguments.keywords {
            let keyword_name = keyword.arg.as_ref().map(ast::Identifier::as_str);
            if help && keyword_name.is_some_and(|name| arid::HELP_KEYWORDS.contains(&name)) {
                continue;
            }
            if help && keyword_name == Some("version") && arid::is_version_action(c) {
                // The text is arid, but `version=None` breaks `--version`: that stays.
                if !is_none(&keyword.value) {
                    self.push(Operator::CallArgument, span_of(&keyword.value), "None");
                }
                continue;
            }
            if keyword_name.is_some() && plain(&keyword.value) {
                self.push(Operator::CallArgument, span_of(&keyword.value), "None");
            }
            self.expr(&keyword.value);
        }
    }

    fn comprehensions(&mut self, generators: &[ast::Comprehension]) {
        for generator in generators {
            self.expr(&generator.iter);
            self.exprs(&generator.ifs);
        }
    }

    fn comparison(&mut self, left: &Expr, right: &Expr) {
        let tokens: Vec<Span> = self
            .module
            .code_tokens_between(span_of(left).end, span_of(right).start)
            .map(|token| token.span)
            .collect();
        let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
            return;
        };
        let text: Vec<&str> = tokens.iter().map(|token| token.of(self.text)).collect();
        let span = Span::new(first.start, last.end);
        for replacement in comparison_replacements(&text.join(" ")) {
            self.push(Operator::Comparison, span, *replacement);
        }
    }

    /// Remove the unary operator token at `start`, and the space after it.
    fn unary(&mut self, start: usize) {
        let index = self.module.token_at_or_after(start);
        let Some(next) = self.module.tokens.get(index + 1) else {
            return;
        };
        let span = Span::new(start, next.span.start);
        let before = self.text[..start].chars().next_back();
        let after = self.text[next.span.start..].chars().next();
        let glue = before.is_some_and(is_word_char) && after.is_some_and(is_word_char);
        self.push(Operator::UnaryOperator, span, if glue { " " } else { "" });
    }

    /// `"s"` -> `""` (and `""` -> `"XX"`) on the string token that starts at `span`.
    fn string(&mut self, span: Span) {
        let index = self.module.token_at_or_after(span.start);
        let Some(token) = self.module.tokens.get(index) else {
            return;
        };
        if token.kind != TokenKind::String || token.span.start != span.start {
            return;
        }
        if let Some(replacement) = literals::string(token.span.of(self.text)) {
            self.push(Operator::String, token.span, replacement);
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod arid_tests;
#[cfg(test)]
mod snapshots;
#[cfg(test)]
mod tests;
