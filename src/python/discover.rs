//! Mutant discovery: one walk over a module's AST that applies every selected operator,
//! skipping docstrings, annotations, f-strings and `# pragma: no mutate` lines. Every
//! operator's edit is valid Python by construction (operators swap for operators of the
//! same grammar class, expressions for atoms); `Mutant::reparses` checks one, and the
//! corpus test checks every mutant of the standard library. The result is sorted by
//! position so the order is deterministic.

use std::collections::BTreeSet;

use rustpython_parser::ast::{self, Constant, Expr, Stmt};

use crate::mutant::{Mutant, Scope};
use crate::python::operators::{
    Operator, augmented_replacements, binary_replacements, comparison_replacements,
};
use crate::python::parse::{ParseSkip, ParsedModule, TokenKind, parse_module, span_of};
use crate::python::span::{Edit, Span};

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
    let module = parse_module(text, path)?;
    let mut walker = Walker {
        text,
        module: &module,
        operators,
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
    Ok(mutants)
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
    module: &'a ParsedModule,
    operators: &'a BTreeSet<Operator>,
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
    matches!(stmt, Stmt::Expr(e) if matches!(&*e.value, Expr::Constant(c) if matches!(c.value, Constant::Str(_))))
}

impl Walker<'_> {
    fn enabled(&self, operator: Operator) -> bool {
        self.operators.contains(&operator)
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

    /// The span of a statement including its decorators.
    fn full_span(&self, stmt: &Stmt) -> Span {
        let span = span_of(stmt);
        let decorators = match stmt {
            Stmt::FunctionDef(f) => &f.decorator_list,
            Stmt::AsyncFunctionDef(f) => &f.decorator_list,
            Stmt::ClassDef(c) => &c.decorator_list,
            _ => return span,
        };
        match decorators.first() {
            Some(first) => Span::new(self.at_before(span_of(first).start), span.end),
            None => span,
        }
    }

    /// Start of the `@` token that precedes a decorator expression starting at `at`.
    fn at_before(&self, at: usize) -> usize {
        let index = self.module.token_at_or_after(at);
        self.module.tokens[..index]
            .iter()
            .rev()
            .find(|token| token.kind == TokenKind::At)
            .map_or(at, |token| token.span.start)
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
        if top_level {
            let span = self.full_span(stmt);
            self.scopes.push(Scope {
                qualname: String::new(),
                span,
            });
            self.blocks.push(self.line_block(span));
        }
        self.stmt_inner(stmt);
        if top_level {
            self.scopes.pop();
            self.blocks.pop();
        }
    }

    /// Walk a definition's body as a new scope, named as Python's `__qualname__` names it.
    fn enter_scope(&mut self, stmt: &Stmt, name: &str, body: &[Stmt], is_function: bool) {
        let span = self.full_span(stmt);
        let qualname = match (self.scopes.last(), self.functions.last()) {
            (Some(scope), Some(true)) => format!("{}.<locals>.{name}", scope.qualname),
            (Some(scope), _) if !scope.qualname.is_empty() => format!("{}.{name}", scope.qualname),
            _ => name.to_owned(),
        };
        self.scopes.push(Scope { qualname, span });
        self.functions.push(is_function);
        self.blocks.push(self.line_block(span));
        self.body(body, true);
        self.scopes.pop();
        self.functions.pop();
        self.blocks.pop();
    }

    fn decorators(&mut self, decorators: &[Expr]) {
        for decorator in decorators {
            let span = span_of(decorator);
            let at = self.at_before(span.start);
            let next = self.module.tokens[self.module.token_at_or_after(span.end)..]
                .iter()
                .find(|token| token.kind != TokenKind::Trivia)
                .map_or(span.end, |token| token.span.start);
            self.push(Operator::Decorator, Span::new(at, next), "");
            self.expr(decorator);
        }
    }

    fn arguments(&mut self, args: &ast::Arguments) {
        for arg in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            if let Some(default) = &arg.default {
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
            Stmt::Expr(e) => !matches!(&*e.value, Expr::Constant(_)),
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
                self.arguments(&f.args);
                self.enter_scope(stmt, f.name.as_str(), &f.body, true);
            }
            Stmt::AsyncFunctionDef(f) => {
                self.decorators(&f.decorator_list);
                self.arguments(&f.args);
                self.enter_scope(stmt, f.name.as_str(), &f.body, true);
            }
            Stmt::ClassDef(c) => {
                self.decorators(&c.decorator_list);
                for base in &c.bases {
                    self.expr(base);
                }
                for keyword in &c.keywords {
                    self.expr(&keyword.value);
                }
                self.enter_scope(stmt, c.name.as_str(), &c.body, false);
            }
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    if !matches!(&**value, Expr::Constant(c) if matches!(c.value, Constant::None)) {
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
            Stmt::For(f) => self.for_loop(&f.iter, &f.body, &f.orelse, true),
            // `async for x in []` raises TypeError (a list has no `__aiter__`): no
            // zero-iteration mutant, it could only be killed for the wrong reason.
            Stmt::AsyncFor(f) => self.for_loop(&f.iter, &f.body, &f.orelse, false),
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
                self.body(&i.orelse, false);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                }
                self.body(&w.body, false);
            }
            Stmt::AsyncWith(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                }
                self.body(&w.body, false);
            }
            Stmt::Match(m) => {
                self.expr(&m.subject);
                for case in &m.cases {
                    if let Some(guard) = &case.guard {
                        self.expr(guard);
                    }
                    self.body(&case.body, false);
                }
            }
            Stmt::Raise(r) => {
                if let Some(exc) = &r.exc {
                    self.expr(exc);
                }
                if let Some(cause) = &r.cause {
                    self.expr(cause);
                }
            }
            Stmt::Try(t) => self.try_stmt(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            Stmt::TryStar(t) => self.try_stmt(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            Stmt::Assert(a) => {
                self.expr(&a.test);
                if let Some(msg) = &a.msg {
                    self.expr(msg);
                }
            }
            Stmt::Expr(e) => {
                if !matches!(&*e.value, Expr::Constant(_)) {
                    self.expr(&e.value);
                }
            }
            Stmt::Break(_) => self.push(Operator::LoopControl, span, "continue"),
            Stmt::Continue(_) => self.push(Operator::LoopControl, span, "break"),
            Stmt::TypeAlias(_)
            | Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Pass(_) => {}
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
            let bare_raise = handler.body.len() == 1
                && matches!(&handler.body[0], Stmt::Raise(r) if r.exc.is_none());
            if let (Some(first), Some(last), false) =
                (handler.body.first(), handler.body.last(), bare_raise)
            {
                let span = Span::new(self.full_span(first).start, span_of(last).end);
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
            Expr::NamedExpr(n) => self.expr(&n.value),
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
                self.arguments(&l.args);
                self.expr(&l.body);
            }
            Expr::IfExp(i) => {
                self.condition(&i.test);
                self.expr(&i.test);
                self.expr(&i.body);
                self.expr(&i.orelse);
            }
            Expr::Dict(d) => {
                for key in d.keys.iter().flatten() {
                    self.expr(key);
                }
                self.exprs(&d.values);
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
            Expr::GeneratorExp(c) => {
                self.expr(&c.elt);
                self.comprehensions(&c.generators);
            }
            Expr::DictComp(c) => {
                self.expr(&c.key);
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
            Expr::Call(c) => {
                self.expr(&c.func);
                let plain = |value: &Expr| {
                    !matches!(value, Expr::Starred(_) | Expr::GeneratorExp(_))
                        && !matches!(value, Expr::Constant(k) if matches!(k.value, Constant::None))
                };
                for arg in c.args.iter().filter(|arg| plain(arg)) {
                    self.push(Operator::CallArgument, span_of(arg), "None");
                }
                for keyword in c
                    .keywords
                    .iter()
                    .filter(|k| k.arg.is_some() && plain(&k.value))
                {
                    self.push(Operator::CallArgument, span_of(&keyword.value), "None");
                }
                self.exprs(&c.args);
                for keyword in &c.keywords {
                    self.expr(&keyword.value);
                }
            }
            Expr::Constant(c) => self.constant(expr, &c.value),
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::Subscript(s) => {
                self.expr(&s.value);
                self.expr(&s.slice);
            }
            Expr::Starred(s) => self.expr(&s.value),
            Expr::Slice(s) => {
                for part in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    self.expr(part);
                }
            }
            // f-strings: their inner positions are not reliable in this parser version.
            Expr::FormattedValue(_) | Expr::JoinedStr(_) | Expr::Name(_) => {}
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

    fn constant(&mut self, expr: &Expr, value: &Constant) {
        let span = span_of(expr);
        match value {
            Constant::Bool(b) => {
                self.push(
                    Operator::BooleanConstant,
                    span,
                    if *b { "False" } else { "True" },
                );
            }
            Constant::Int(int) => {
                let literal = span.of(self.text);
                let bigger = increment_decimal(&int.to_string());
                // Keep the base of 0x/0o/0b literals: `0x1f.real` is valid, `32.real` is not.
                let replacement = match literal.get(..2).map(str::to_ascii_lowercase).as_deref() {
                    Some(prefix @ ("0x" | "0o" | "0b")) => match bigger.parse::<u128>() {
                        Ok(n) => match prefix {
                            "0x" => format!("0x{n:x}"),
                            "0o" => format!("0o{n:o}"),
                            _ => format!("0b{n:b}"),
                        },
                        // Beyond u128: count up in the literal's own digits.
                        Err(_) => match increment_in_base(&literal[2..], prefix) {
                            Some(digits) => format!("{}{digits}", &literal[..2]),
                            None => return,
                        },
                    },
                    _ => bigger,
                };
                self.push(Operator::Number, span, replacement);
            }
            Constant::Float(float) => {
                let bigger = float + 1.0;
                if bigger.is_finite() && (bigger - float - 1.0).abs() < 0.5 {
                    self.push(Operator::Number, span, format!("{bigger:?}"));
                }
            }
            Constant::Str(_) | Constant::Bytes(_) => self.string(span),
            Constant::None | Constant::Tuple(_) | Constant::Complex { .. } | Constant::Ellipsis => {
            }
        }
    }

    /// `"s"` -> `"XXsXX"` on the first piece of a (possibly concatenated) literal.
    fn string(&mut self, span: Span) {
        let index = self.module.token_at_or_after(span.start);
        let Some(token) = self.module.tokens.get(index) else {
            return;
        };
        if token.kind != TokenKind::String || token.span.start != span.start {
            return;
        }
        let literal = token.span.of(self.text);
        let prefix = literal.find(['"', '\'']).unwrap_or(0);
        let rest = &literal[prefix..];
        let quote_len = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            3
        } else {
            1
        };
        if rest.len() < 2 * quote_len {
            return;
        }
        let (open, body) = literal.split_at(prefix + quote_len);
        let (body, close) = body.split_at(body.len() - quote_len);
        self.push(
            Operator::String,
            token.span,
            format!("{open}XX{body}XX{close}"),
        );
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `digits` (a `0x`/`0o`/`0b` literal's, underscores allowed) plus one, in that base; hex
/// letters keep their case. None when they are not digits of that base.
fn increment_in_base(digits: &str, prefix: &str) -> Option<String> {
    let radix = match prefix {
        "0x" => 16,
        "0o" => 8,
        _ => 2,
    };
    let upper = digits.chars().any(|c| c.is_ascii_uppercase());
    let mut out: Vec<char> = digits.chars().filter(|c| *c != '_').collect();
    if out.is_empty() || out.iter().any(|c| !c.is_digit(radix)) {
        return None;
    }
    for position in (0..out.len()).rev() {
        let value = out[position].to_digit(radix)? + 1;
        if value < radix {
            let digit = std::char::from_digit(value, radix)?;
            out[position] = if upper {
                digit.to_ascii_uppercase()
            } else {
                digit
            };
            return Some(out.into_iter().collect());
        }
        out[position] = '0';
    }
    out.insert(0, '1');
    Some(out.into_iter().collect())
}

/// `digits` (a non-negative decimal integer) plus one.
fn increment_decimal(digits: &str) -> String {
    let mut bytes: Vec<u8> = digits.bytes().collect();
    for byte in bytes.iter_mut().rev() {
        if *byte == b'9' {
            *byte = b'0';
        } else {
            *byte += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    let mut out = String::from("1");
    out.push_str(&String::from_utf8(bytes).unwrap_or_default());
    out
}

#[cfg(test)]
mod test {
    use super::*;

    /// `line:col operator: original -> replacement`, one per mutant.
    fn mutants(source: &str) -> Vec<String> {
        let all: BTreeSet<Operator> = Operator::ALL.into_iter().collect();
        let found = mutate_source("m.py", source, &all).unwrap();
        for mutant in &found {
            assert!(mutant.reparses(source), "does not parse: {mutant:?}");
        }
        found
            .iter()
            .map(|m| {
                format!(
                    "{}:{} {}: {} -> {}",
                    m.start.line, m.start.column, m.operator, m.original, m.replacement
                )
            })
            .collect()
    }

    #[test]
    fn docstrings_annotations_and_fstrings_are_not_mutated() {
        let found = mutants(
            "\"\"\"Module.\"\"\"\n\ndef f(x: int = 1) -> \"Ret\":\n    \"\"\"Doc.\"\"\"\n    y: list[int] = []\n    return f\"{x + 1}\"\n",
        );
        assert_eq!(
            found,
            vec![
                "3:16 number: 1 -> 2",
                "5:5 statement-delete: y: list[int] = [] -> pass",
                "6:12 return-value: f\"{x + 1}\" -> None",
            ]
        );
    }

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

    #[test]
    fn module_metadata_is_not_mutated_but_class_dunders_are() {
        let found = mutants(
            "__all__ = [\"f\"]\n__version__: str = \"1.0\"\n__all__ += [\"g\"]\nLIMIT = 2\n\n\nclass C:\n    __slots__ = (\"a\",)\n",
        );
        assert_eq!(
            found,
            vec![
                "4:1 statement-delete: LIMIT = 2 -> pass",
                "4:9 number: 2 -> 3",
                "8:5 statement-delete: __slots__ = (\"a\",) -> pass",
                "8:18 string: \"a\" -> \"XXaXX\"",
            ]
        );
    }

    #[test]
    fn operators_are_found_by_their_exact_tokens_even_inside_parentheses() {
        let found = mutants("z = (a) +(b)\nw = a not in b\nv = x is not None\n");
        assert!(
            found.contains(&"1:9 binary-operator: + -> -".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"2:7 comparison: not in -> in".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"3:7 comparison: is not -> is".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn unary_removal_never_glues_tokens() {
        let found = mutants("def f(x):\n    return-x\n");
        assert!(
            found.contains(&"2:11 unary-operator: - ->  ".to_owned()),
            "{found:?}"
        );
        let found = mutants("y = not (a)\n");
        assert!(
            found.contains(&"1:5 unary-operator: not  -> ".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn numbers_keep_their_base_and_floats_stay_floats() {
        let found = mutants("a = 0x1f.real\nb = 1.5\nc = 0b1\nd = 10**30\n");
        assert!(
            found.contains(&"1:5 number: 0x1f -> 0x20".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"2:5 number: 1.5 -> 2.5".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"3:5 number: 0b1 -> 0b10".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"4:5 number: 10 -> 11".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn non_decimal_literals_beyond_u128_count_up_in_their_own_digits() {
        let big = "F".repeat(40);
        let found = mutants(&format!("a = 0x{big}\nb = 0xff_{}\n", "f".repeat(35)));
        assert!(
            found.contains(&format!("1:5 number: 0x{big} -> 0x1{}", "0".repeat(40))),
            "{found:?}"
        );
        assert!(
            found.contains(&format!(
                "2:5 number: 0xff_{} -> 0x1{}",
                "f".repeat(35),
                "0".repeat(37)
            )),
            "{found:?}"
        );
        assert_eq!(increment_in_base("1011", "0b").as_deref(), Some("1100"));
        assert_eq!(increment_in_base("7", "0o").as_deref(), Some("10"));
        assert_eq!(increment_in_base("x", "0o"), None);
    }

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

    #[test]
    fn strings_get_markers_inside_their_quotes_whatever_the_prefix() {
        let found = mutants("a = rb'x'\nb = '''t''' 'u'\n");
        assert!(
            found.contains(&"1:5 string: rb'x' -> rb'XXxXX'".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"2:5 string: '''t''' -> '''XXtXX'''".to_owned()),
            "{found:?}"
        );
        assert!(
            !found.iter().any(|m| m.contains("string: 'u'")),
            "only the first piece: {found:?}"
        );
    }

    #[test]
    fn statements_loops_handlers_and_decorators() {
        let found = mutants(
            "@dec\n@other(1)\ndef f(xs):\n    for x in xs:\n        if x:\n            break\n        continue\n    try:\n        g()\n    except E:\n        h()\n",
        );
        for expected in [
            "1:1 decorator: @dec\n -> ",
            "2:1 decorator: @other(1)\n -> ",
            "4:14 zero-iteration: xs -> []",
            "5:12 condition: x -> not (x)",
            "6:13 loop-control: break -> continue",
            "7:9 loop-control: continue -> break",
            "9:9 statement-delete: g() -> pass",
            "11:9 exception-handler: h() -> raise",
        ] {
            assert!(
                found.contains(&expected.to_owned()),
                "{expected:?} not in {found:#?}"
            );
        }
    }

    #[test]
    fn pragma_lines_are_skipped_and_order_is_by_position() {
        let found = mutants("a = 1 + 2  # pragma: no mutate\nb = True and False\n");
        assert_eq!(
            found,
            vec![
                "2:1 statement-delete: b = True and False -> pass",
                "2:5 boolean-constant: True -> False",
                "2:10 boolean-operator: and -> or",
                "2:14 boolean-constant: False -> True",
            ]
        );
    }

    #[test]
    fn scopes_carry_python_qualified_names() {
        let all: BTreeSet<Operator> = Operator::ALL.into_iter().collect();
        let source = "class C:\n    def m(self):\n        def inner():\n            return 1\n        return inner\nX = 2\n";
        let found = mutate_source("m.py", source, &all).unwrap();
        let names: Vec<&str> = found.iter().map(|m| m.scope.qualname.as_str()).collect();
        assert_eq!(
            names,
            vec!["C.m.<locals>.inner", "C.m.<locals>.inner", "C.m", "", ""]
        );
    }

    #[test]
    fn augmented_assignments_swap_and_become_plain_assignments() {
        let found = mutants("x += 1\ny @= z\n");
        assert!(
            found.contains(&"1:3 augmented-assign: += -> -=".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"1:3 augmented-assign: += -> =".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"2:3 augmented-assign: @= -> =".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_a_parse_skip() {
        let all: BTreeSet<Operator> = Operator::ALL.into_iter().collect();
        let skip = mutate_source("m.py", "def f(:\n", &all).unwrap_err();
        assert!(skip.message.starts_with("line 1, column"), "{skip}");
    }
}
