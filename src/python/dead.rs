//! Dead code: statements whose removal no input can notice, found per function before
//! any mutant is made, and reported once each instead of as many survivors. Two kinds:
//!
//! - code after a `return`, `raise`, `break` or `continue` in the same block, which
//!   never runs (unless it holds a `yield`, an `await`, `global` or `nonlocal`, which
//!   change what the function is);
//! - assignments of an inert value (a literal, a name, a container of those: nothing
//!   that can raise or run code) to a local that every path assigns again before
//!   reading it (or never reads again), and `if` statements made only of those, with
//!   an inert test (the "duplicate block that overwrites it" case).
//!
//! The second is a backward liveness pass over the function's statements, loops to a
//! fixed point with their `break` and `continue`. It is conservative: a function with
//! `try`, `with` or `match` (an exception can leave a block half done), one that calls
//! `locals()`, `vars()`, `eval` or `exec`, is skipped; names declared `global` or
//! `nonlocal`, read by a nested function or lambda, or deleted are never dead.

use std::collections::BTreeSet;

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::python::parse::span_of;
use crate::span::Span;

mod pinned;

use pinned::Pinned;

/// A block of dead code: its statements' span and why it is dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadBlock {
    /// From the first statement's start to the last one's end.
    pub span: Span,
    /// Why no input can notice it, in a few words.
    pub why: String,
}

/// The dead blocks of a module's functions, in source order.
#[must_use]
pub fn dead_blocks(body: &[Stmt]) -> Vec<DeadBlock> {
    let mut functions = Functions::default();
    functions.visit_body(body);
    let mut blocks = functions.blocks;
    blocks.sort_by_key(|block| block.span.start);
    blocks.dedup_by_key(|block| block.span.start);
    blocks
}

/// Every function definition, analysed.
#[derive(Default)]
struct Functions {
    blocks: Vec<DeadBlock>,
}

impl<'a> Visitor<'a> for Functions {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(function) = stmt {
            self.blocks.extend(unreachable(function));
            self.blocks.extend(dead_stores(function));
        }
        walk_stmt(self, stmt);
    }
}

/// The statements after a `return`, `raise`, `break` or `continue` in every block of
/// `body` (not of nested functions: they are analysed on their own).
fn unreachable(function: &ast::StmtFunctionDef) -> Vec<DeadBlock> {
    let body = &function.body[..];
    let mut bindings = stores(body);
    for parameter in &function.parameters {
        *bindings.entry(parameter.name().to_string()).or_default() += 1;
    }
    let mut found = Vec::new();
    let mut blocks = vec![body];
    while let Some(block) = blocks.pop() {
        let end = block.iter().position(|stmt| {
            matches!(
                stmt,
                Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_)
            )
        });
        if let Some(end) = end {
            let (stop, rest) = (&block[end], &block[end + 1..]);
            // A name bound only in the unreached code is still the function's local:
            // without it, the name would be read from outside.
            let binds_alone = stores(rest)
                .iter()
                .any(|(name, count)| bindings.get(name) == Some(count));
            if let (Some(first), Some(last)) = (rest.first(), rest.last())
                && !rest.iter().any(changes_the_function)
                && !binds_alone
            {
                let keyword = match stop {
                    Stmt::Return(_) => "return",
                    Stmt::Raise(_) => "raise",
                    Stmt::Break(_) => "break",
                    _ => "continue",
                };
                found.push(DeadBlock {
                    span: Span::new(span_of(first).start, span_of(last).end),
                    why: format!("after `{keyword}`: it never runs"),
                });
            }
        }
        for stmt in block {
            blocks.extend(child_blocks(stmt));
        }
    }
    found
}

/// The blocks directly inside `stmt`, nested definitions left out.
fn child_blocks(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::If(i) => std::iter::once(&i.body[..])
            .chain(i.elif_else_clauses.iter().map(|clause| &clause.body[..]))
            .collect(),
        Stmt::For(f) => vec![&f.body, &f.orelse],
        Stmt::While(w) => vec![&w.body, &w.orelse],
        Stmt::With(w) => vec![&w.body],
        Stmt::Try(t) => {
            let handlers = t.handlers.iter().map(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                &handler.body[..]
            });
            [&t.body[..], &t.orelse, &t.finalbody]
                .into_iter()
                .chain(handlers)
                .collect()
        }
        Stmt::Match(m) => m.cases.iter().map(|case| &case.body[..]).collect(),
        _ => Vec::new(),
    }
}

/// How many times each name is bound in `body` (its nested definitions' bodies aside).
fn stores(body: &[Stmt]) -> std::collections::BTreeMap<String, usize> {
    struct Stores(std::collections::BTreeMap<String, usize>);
    impl Stores {
        fn add(&mut self, name: &str) {
            *self.0.entry(name.to_owned()).or_default() += 1;
        }
    }
    impl<'a> Visitor<'a> for Stores {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(f) => self.add(&f.name),
                Stmt::ClassDef(c) => self.add(&c.name),
                Stmt::Import(i) => {
                    for alias in &i.names {
                        let name = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.add(name.as_str().split('.').next().unwrap_or_default());
                    }
                }
                Stmt::ImportFrom(i) => {
                    for alias in &i.names {
                        self.add(alias.asname.as_ref().unwrap_or(&alias.name));
                    }
                }
                Stmt::Try(t) => {
                    for handler in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        if let Some(name) = &handler.name {
                            self.add(name);
                        }
                    }
                    walk_stmt(self, stmt);
                }
                _ => walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(name) if name.ctx.is_store() => self.add(&name.id),
                Expr::Lambda(_) => {}
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut found = Stores(std::collections::BTreeMap::new());
    found.visit_body(body);
    found.0
}

/// Whether `stmt` (even unreached) changes what its function is: a `yield` or `await`
/// makes it a generator or coroutine, `global` and `nonlocal` change its names, `super`
/// and `__class__` give it the class cell.
fn changes_the_function(stmt: &Stmt) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Global(_) | Stmt::Nonlocal(_) => self.0 = true,
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Await(_) => self.0 = true,
                Expr::Name(name) if matches!(name.id.as_str(), "super" | "__class__") => {
                    self.0 = true;
                }
                Expr::Lambda(_) => {}
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder(false);
    finder.visit_stmt(stmt);
    finder.0
}

/// The dead assignments of `function`, merged into blocks.
fn dead_stores(function: &ast::StmtFunctionDef) -> Vec<DeadBlock> {
    let Some(pinned) = Pinned::of(function) else {
        return Vec::new();
    };
    let mut liveness = Liveness {
        pinned,
        dead: BTreeSet::new(),
        record: true,
    };
    liveness.block(&function.body, &BTreeSet::new(), None);
    let mut blocks = Vec::new();
    liveness.merge(&function.body, &mut blocks);
    blocks
}

/// Where `break` and `continue` lead in the loop the statements are in: the names live
/// after the loop, and at its head.
#[derive(Clone, Copy)]
struct Loop<'l> {
    after: &'l BTreeSet<String>,
    head: &'l BTreeSet<String>,
}

/// The backward liveness pass.
struct Liveness {
    pinned: Pinned,
    /// Where each dead assignment starts.
    dead: BTreeSet<usize>,
    /// Whether this pass records dead assignments.
    record: bool,
}

impl Liveness {
    /// The names live before `block`, given those live after it.
    fn block(
        &mut self,
        block: &[Stmt],
        after: &BTreeSet<String>,
        in_loop: Option<Loop<'_>>,
    ) -> BTreeSet<String> {
        // What follows a `return`, `raise`, `break` or `continue` never runs: it is
        // `unreachable`'s, not the liveness pass's.
        let reached = block
            .iter()
            .position(|stmt| {
                matches!(
                    stmt,
                    Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_)
                )
            })
            .map_or(block, |end| &block[..=end]);
        let mut live = after.clone();
        for stmt in reached.iter().rev() {
            live = self.stmt(stmt, live, in_loop);
        }
        live
    }

    /// The names live before `stmt`, given `live` after it.
    fn stmt(
        &mut self,
        stmt: &Stmt,
        mut live: BTreeSet<String>,
        in_loop: Option<Loop<'_>>,
    ) -> BTreeSet<String> {
        match stmt {
            Stmt::Return(_) | Stmt::Raise(_) => reads(stmt),
            Stmt::Break(_) => in_loop.map(|l| l.after.clone()).unwrap_or_default(),
            Stmt::Continue(_) => in_loop.map(|l| l.head.clone()).unwrap_or_default(),
            Stmt::Assign(a) => {
                if let [Expr::Name(name)] = &a.targets[..] {
                    let name = name.id.as_str();
                    if self.record
                        && !live.contains(name)
                        && !self.pinned.names.contains(name)
                        && is_inert(&a.value, &self.pinned)
                    {
                        self.dead.insert(span_of(stmt).start);
                    }
                    live.remove(name);
                } else {
                    for target in &a.targets {
                        for name in stored(target) {
                            live.remove(&name);
                        }
                    }
                }
                live.extend(reads(stmt));
                live
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(name), Some(_)) = (&*a.target, &a.value) {
                    live.remove(name.id.as_str());
                }
                live.extend(reads(stmt));
                live
            }
            Stmt::If(i) => {
                let mut before = self.block(&i.body, &live, in_loop);
                let mut has_else = false;
                for clause in &i.elif_else_clauses {
                    has_else |= clause.test.is_none();
                    before.extend(self.block(&clause.body, &live, in_loop));
                    if let Some(test) = &clause.test {
                        before.extend(reads_expr(test));
                    }
                }
                if !has_else {
                    before.extend(live);
                }
                before.extend(reads_expr(&i.test));
                before
            }
            Stmt::While(w) => {
                let exit = self.block(&w.orelse, &live, in_loop);
                let head: BTreeSet<String> = exit.union(&reads_expr(&w.test)).cloned().collect();
                self.looped(&w.body, head, &live, &[])
            }
            Stmt::For(f) => {
                let exit = self.block(&f.orelse, &live, in_loop);
                let mut head = self.looped(&f.body, exit, &live, &stored(&f.target));
                // `for out[0] in xs` reads `out` on each pass.
                head.extend(reads_expr(&f.target));
                head.extend(reads_expr(&f.iter));
                head
            }
            Stmt::FunctionDef(f) => {
                live.remove(f.name.as_str());
                live.extend(reads(stmt));
                live
            }
            Stmt::ClassDef(c) => {
                live.remove(c.name.as_str());
                live.extend(reads(stmt));
                live
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => live,
            Stmt::AugAssign(a) => {
                live.extend(stored(&a.target));
                live.extend(reads(stmt));
                live
            }
            _ => {
                live.extend(reads(stmt));
                live
            }
        }
    }

    /// The names live at the head of a loop over `body` (which stores `targets` first on
    /// each pass), from `head`, the names live there when the loop ends, and `after`,
    /// those live after it. The head is iterated to its fixed point without recording;
    /// only then is the body walked once more, recording, against the final head.
    fn looped(
        &mut self,
        body: &[Stmt],
        mut head: BTreeSet<String>,
        after: &BTreeSet<String>,
        targets: &[String],
    ) -> BTreeSet<String> {
        let record = std::mem::replace(&mut self.record, false);
        loop {
            let mut body_in = self.block(body, &head, Some(Loop { after, head: &head }));
            for name in targets {
                body_in.remove(name);
            }
            let next: BTreeSet<String> = head.union(&body_in).cloned().collect();
            if next == head {
                break;
            }
            head = next;
        }
        self.record = record;
        if record {
            self.block(body, &head, Some(Loop { after, head: &head }));
        }
        head
    }

    /// Merge the dead statements of `block` (and of its nested blocks) into blocks:
    /// consecutive dead statements are one, and an `if` whose branches are all dead,
    /// with a side-effect-free test, is dead as a whole.
    fn merge(&self, block: &[Stmt], out: &mut Vec<DeadBlock>) {
        let mut run: Vec<&Stmt> = Vec::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        let flush = |run: &mut Vec<&Stmt>,
                     names: &mut BTreeSet<String>,
                     out: &mut Vec<DeadBlock>| {
            if let (Some(first), Some(last)) = (run.first(), run.last()) {
                let listed: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
                let what = if listed.len() == 1 {
                    "the value it assigns is never read"
                } else {
                    "the values they assign are never read"
                };
                out.push(DeadBlock {
                    span: Span::new(span_of(*first).start, span_of(*last).end),
                    why: format!("{what}: {}", listed.join(", ")),
                });
            }
            run.clear();
            names.clear();
        };
        for stmt in block {
            if self.is_dead(stmt) {
                run.push(stmt);
                names.extend(assigned(stmt));
                continue;
            }
            flush(&mut run, &mut names, out);
            for child in child_blocks(stmt) {
                self.merge(child, out);
            }
        }
        flush(&mut run, &mut names, out);
    }

    /// Whether `stmt` is a dead assignment, or an `if` made only of them.
    fn is_dead(&self, stmt: &Stmt) -> bool {
        match stmt {
            Stmt::Assign(_) => self.dead.contains(&span_of(stmt).start),
            Stmt::If(i) => {
                is_inert(&i.test, &self.pinned)
                    && i.body.iter().all(|stmt| self.is_dead(stmt))
                    && i.elif_else_clauses.iter().all(|clause| {
                        clause
                            .test
                            .as_ref()
                            .is_none_or(|test| is_inert(test, &self.pinned))
                            && clause.body.iter().all(|stmt| self.is_dead(stmt))
                    })
            }
            _ => false,
        }
    }
}

/// Whether evaluating `expr` can neither raise nor do anything else a test could see:
/// literals, names that are surely bound (`pinned`'s readable ones: parameters, and
/// names the function never binds), and tuples and lists of those, sets and dict keys
/// of literals (an unhashable element raises). Not an attribute (a property,
/// `AttributeError`), a subscript (`KeyError`), an operator (`TypeError`,
/// `ZeroDivisionError`) or a call: deleting an assignment of one of those changes what
/// some input makes the function raise.
fn is_inert(expr: &Expr, pinned: &Pinned) -> bool {
    let inert = |expr: &Expr| is_inert(expr, pinned);
    match expr {
        Expr::Name(name) => (pinned.readable)(&name.id),
        Expr::UnaryOp(u) => {
            matches!(u.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd)
                && u.operand.is_number_literal_expr()
        }
        Expr::Tuple(t) => t.elts.iter().all(inert),
        Expr::List(l) => l.elts.iter().all(inert),
        Expr::Set(s) => s.elts.iter().all(is_literal),
        Expr::Dict(d) => d
            .items
            .iter()
            .all(|item| item.key.as_ref().is_some_and(is_literal) && inert(&item.value)),
        other => is_literal(other),
    }
}

/// Whether `expr` is a literal (not a container).
fn is_literal(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_)
    )
}

/// The names a dead statement assigns.
fn assigned(stmt: &Stmt) -> Vec<String> {
    match stmt {
        Stmt::Assign(a) => a.targets.iter().flat_map(stored).collect(),
        Stmt::If(i) => i
            .body
            .iter()
            .chain(i.elif_else_clauses.iter().flat_map(|clause| &clause.body))
            .flat_map(assigned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The plain names an assignment target stores (`a`, `a, b`, `[a, *b]`).
fn stored(target: &Expr) -> Vec<String> {
    match target {
        Expr::Name(name) => vec![name.id.to_string()],
        Expr::Tuple(t) => t.elts.iter().flat_map(stored).collect(),
        Expr::List(l) => l.elts.iter().flat_map(stored).collect(),
        Expr::Starred(s) => stored(&s.value),
        _ => Vec::new(),
    }
}

/// The names `stmt` reads, not counting its nested blocks (an `if`'s body) but counting
/// an assignment's target expressions (`a[i] = x` reads `a` and `i`).
fn reads(stmt: &Stmt) -> BTreeSet<String> {
    struct Reads(BTreeSet<String>);
    impl<'a> Visitor<'a> for Reads {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                // A definition reads its decorators and defaults now; its body later
                // (its free names are pinned).
                Stmt::FunctionDef(f) => {
                    for decorator in &f.decorator_list {
                        self.visit_decorator(decorator);
                    }
                    self.visit_parameters(&f.parameters);
                }
                Stmt::ClassDef(c) => {
                    for decorator in &c.decorator_list {
                        self.visit_decorator(decorator);
                    }
                    if let Some(arguments) = &c.arguments {
                        self.visit_arguments(arguments);
                    }
                }
                _ => walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr
                && !name.ctx.is_store()
            {
                self.0.insert(name.id.to_string());
            }
            walk_expr(self, expr);
        }
    }
    let mut found = Reads(BTreeSet::new());
    found.visit_stmt(stmt);
    found.0
}

/// The names `expr` reads.
fn reads_expr(expr: &Expr) -> BTreeSet<String> {
    struct Reads<'f>(&'f mut BTreeSet<String>);
    impl<'a> Visitor<'a> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr
                && !name.ctx.is_store()
            {
                self.0.insert(name.id.to_string());
            }
            walk_expr(self, expr);
        }
    }
    let mut found = BTreeSet::new();
    Reads(&mut found).visit_expr(expr);
    found
}

#[cfg(test)]
mod tests;
