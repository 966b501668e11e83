//! What the dead-store pass may not touch in one function: the names other scopes,
//! `del`, `global`/`nonlocal`, `super()` or a text may read, and the names an inert value
//! may read; or that the function cannot be analysed at all (it reads its own frame, or
//! has `try`, `with` or `match`).

use std::collections::BTreeSet;

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};

/// Names that are never dead in one function, with the names an inert value may read
/// (parameters, and names the function never binds), or `None` when the function
/// cannot be analysed.
pub(super) struct Pinned {
    pub(super) names: BTreeSet<String>,
    pub(super) readable: Box<dyn Fn(&str) -> bool>,
}

impl Pinned {
    pub(super) fn of(function: &ast::StmtFunctionDef) -> Option<Pinned> {
        let mut scan = Scan {
            pinned: BTreeSet::new(),
            bound: BTreeSet::new(),
            texts: Vec::new(),
            unsafe_: false,
            uses_super: false,
            nested: 0,
        };
        scan.visit_body(&function.body);
        if scan.unsafe_ {
            return None;
        }
        // A local named in a text (`ne.evaluate("a * x")`, `df.query("v > @limit")`)
        // may be read through the frame.
        for text in &scan.texts {
            let text = text.value.to_str();
            let words: BTreeSet<&str> = text
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .collect();
            let named = scan
                .bound
                .iter()
                .filter(|name| words.contains(name.as_str()));
            scan.pinned.extend(named.cloned());
        }
        let parameters: BTreeSet<String> = function
            .parameters
            .iter()
            .map(|parameter| parameter.name().to_string())
            .collect();
        // `super()` reads the first parameter implicitly.
        if scan.uses_super
            && let Some(first) = function.parameters.iter().next()
        {
            scan.pinned.insert(first.name().to_string());
        }
        let bound = scan.bound;
        Some(Pinned {
            names: scan.pinned,
            readable: Box::new(move |name| parameters.contains(name) || !bound.contains(name)),
        })
    }
}

/// What `Pinned::of` learns walking a function.
struct Scan<'a> {
    pinned: BTreeSet<String>,
    bound: BTreeSet<String>,
    /// The function's string literals (a name in one may be read through the frame).
    texts: Vec<&'a ast::ExprStringLiteral>,
    unsafe_: bool,
    uses_super: bool,
    nested: usize,
}
impl<'a> Visitor<'a> for Scan<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Try(_) | Stmt::With(_) | Stmt::Match(_) if self.nested == 0 => {
                self.unsafe_ = true;
            }
            Stmt::Global(g) => self.pinned.extend(g.names.iter().map(ToString::to_string)),
            Stmt::Nonlocal(n) => {
                self.pinned.extend(n.names.iter().map(ToString::to_string));
            }
            // A definition's body, a type alias's value and type parameters are
            // read later: the names they read are pinned.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) | Stmt::TypeAlias(_) => {
                self.nested += 1;
                walk_stmt(self, stmt);
                self.nested -= 1;
                return;
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }
    fn visit_type_params(&mut self, type_params: &'a ast::TypeParams) {
        self.nested += 1;
        ruff_python_ast::visitor::walk_type_params(self, type_params);
        self.nested -= 1;
    }
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) if name.ctx.is_store() && self.nested == 0 => {
                self.bound.insert(name.id.to_string());
            }
            Expr::Name(name) if self.nested > 0 || name.ctx.is_del() => {
                self.pinned.insert(name.id.to_string());
            }
            Expr::Name(name) if matches!(name.id.as_str(), "super" | "__class__") => {
                self.uses_super = true;
            }
            // Frames read from inside (`locals()`, `sys._getframe().f_locals`),
            // and code run from text.
            Expr::Name(name)
                if matches!(
                    name.id.as_str(),
                    "locals" | "vars" | "eval" | "exec" | "_getframe" | "currentframe"
                ) =>
            {
                self.unsafe_ = true;
            }
            Expr::Attribute(a)
                if matches!(
                    a.attr.as_str(),
                    "_getframe" | "currentframe" | "f_locals" | "f_back"
                ) =>
            {
                self.unsafe_ = true;
            }
            // A name in a text (`ne.evaluate("a * x")`, `df.query("v > @limit")`)
            // may be read through the frame.
            Expr::StringLiteral(s) => self.texts.push(s),
            Expr::Lambda(_) => {
                self.nested += 1;
                walk_expr(self, expr);
                self.nested -= 1;
                return;
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}
