//! Where the walk's candidates are recorded: the one place a mutant is pushed, with the
//! frame stack that says which scope and block it belongs to, and the token and line
//! helpers operators share.

use std::collections::BTreeSet;

use ruff_python_ast::{Expr, Stmt};

use crate::python::arid::Flow;
use crate::python::mutant::Scope;
use crate::python::operators::Operator;
use crate::python::parse::{ParsedModule, span_of};
use crate::span::{Edit, Span};

/// A mutation found by the walk, before the assembly filters and numbers it.
#[derive(Debug)]
pub(crate) struct Candidate {
    pub(crate) edit: Edit,
    pub(crate) operator: Operator,
    pub(crate) scope: Scope,
    /// Whole lines of the innermost definition or module-level statement holding it:
    /// the text that must still parse after the edit.
    pub(crate) block: Span,
}

/// One level of the walk: a module-level statement or a definition's body.
#[derive(Debug)]
pub(crate) struct Frame {
    /// The scope its mutants belong to.
    pub(crate) scope: Scope,
    /// Whether it is a function's body (not a class's, nor module level).
    pub(crate) is_function: bool,
    /// Its whole lines.
    pub(crate) block: Span,
    /// What the arid rules learnt of the function, for a function's body.
    pub(crate) flow: Option<Flow>,
    /// It is the body of an exception class (its name or a base's ends in `Error`,
    /// `Exception` or `Warning`).
    pub(crate) exception_class: bool,
    /// It is an exception class whose bases keep its `args` only for its text (builtin
    /// exceptions, and classes of the module without an `__init__` of their own).
    pub(crate) plain_exception: bool,
}

/// The walk's output and what operators read while they match.
pub(crate) struct Sink<'a> {
    /// The module's text.
    pub(crate) text: &'a str,
    /// The parsed module: tokens, lines, pragma lines.
    pub(crate) module: &'a ParsedModule,
    operators: &'a BTreeSet<Operator>,
    frames: Vec<Frame>,
    candidates: Vec<Candidate>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(
        text: &'a str,
        module: &'a ParsedModule,
        operators: &'a BTreeSet<Operator>,
    ) -> Self {
        Sink {
            text,
            module,
            operators,
            frames: Vec::new(),
            candidates: Vec::new(),
        }
    }

    /// Whether `operator` is selected.
    pub(crate) fn enabled(&self, operator: Operator) -> bool {
        self.operators.contains(&operator)
    }

    /// Record that `operator` replaces `span` with `replacement`, in the current frame.
    ///
    /// # Panics
    /// Outside every frame: the walk enters one for each module-level statement.
    pub(crate) fn push(&mut self, operator: Operator, span: Span, replacement: impl Into<String>) {
        if !self.enabled(operator) {
            return;
        }
        let frame = self
            .frames
            .last()
            .expect("the walk records mutants inside a frame");
        self.candidates.push(Candidate {
            edit: Edit {
                span,
                replacement: replacement.into(),
            },
            operator,
            scope: frame.scope.clone(),
            block: frame.block,
        });
    }

    /// Drop the mutants recorded so far whose edits lie within `span` (an arid
    /// expression's negation or replacement, recorded before the walk reached it).
    pub(crate) fn drop_within(&mut self, span: Span) {
        self.candidates
            .retain(|c| !(span.start <= c.edit.span.start && c.edit.span.end <= span.end));
    }

    /// The innermost frame, if the walk is inside one.
    pub(crate) fn frame(&self) -> Option<&Frame> {
        self.frames.last()
    }

    /// Enter a frame.
    pub(crate) fn enter(&mut self, frame: Frame) {
        self.frames.push(frame);
    }

    /// Leave the frame that starts at `span`'s start: it must be the innermost.
    ///
    /// # Panics
    /// When the innermost frame is another: the walk's enters and leaves do not pair.
    pub(crate) fn leave(&mut self, span: Span) {
        let frame = self.frames.pop();
        assert_eq!(
            frame.map(|frame| frame.scope.span),
            Some(span),
            "the walk leaves the frame it entered"
        );
    }

    /// The candidates, once the walk is done.
    pub(crate) fn into_candidates(self) -> Vec<Candidate> {
        assert!(self.frames.is_empty(), "the walk left every frame");
        self.candidates
    }

    /// The whole lines holding `span`.
    pub(crate) fn line_block(&self, span: Span) -> Span {
        let lines = self.module.lines.lines_of(span);
        Span::new(
            self.module.lines.line_start(*lines.start(), self.text),
            self.module.lines.line_start(lines.end() + 1, self.text),
        )
    }

    /// The spans of the code tokens (no comments or line breaks) from `start` to `end`.
    pub(crate) fn code_tokens(&self, start: usize, end: usize) -> impl Iterator<Item = Span> {
        self.module
            .code_tokens_between(start, end)
            .map(|token| token.span)
    }

    /// The first code token between two operands: the operator joining them.
    pub(crate) fn operator_between(&self, left: &Expr, right: &Expr) -> Option<Span> {
        self.code_tokens(span_of(left).end, span_of(right).start)
            .next()
    }
}

/// The span of a statement including its decorators (a decorator's range starts at its
/// `@`).
pub(crate) fn full_span(stmt: &Stmt) -> Span {
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
