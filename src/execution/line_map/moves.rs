//! How a traced file's lines moved between the map's text and today's: the diff, hunk by
//! hunk, must stay inside function bodies ([`Moves::between`]); a record's lines then
//! move with it ([`move_record`]), unless it reached a changed function. The functions
//! come from the Python parser ([`functions`]).

use std::collections::BTreeMap;

use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;
use serde_json::Value;

use crate::span::LineIndex;

/// `record` with its lines and functions moved to the current lines, or `None` when it
/// reached a changed function (it must be traced again).
pub(super) fn move_record(record: &Value, moves: &[Moves]) -> Option<Value> {
    let mut record = record.clone();
    if let Some(lines) = record.get_mut("lines").and_then(Value::as_object_mut) {
        for (number, lines) in lines.iter_mut() {
            let moves = moves.get(number.parse::<usize>().ok()?)?;
            for line in lines.as_array_mut()? {
                *line = moves.line(line.as_u64()?)?.into();
            }
        }
    }
    for field in ["calls", "untraced"] {
        for key in record
            .get_mut(field)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            // [file number, first line, name]
            let number = usize::try_from(key[0].as_u64()?).ok()?;
            key[1] = moves.get(number)?.line(key[1].as_u64()?)?.into();
        }
    }
    record.as_object_mut()?.remove("reused");
    Some(record)
}

/// How one file's lines moved: the changed functions' old lines (a test that reached
/// them must be traced again) and, for the others, how far they moved.
#[derive(Debug, Default)]
pub(super) struct Moves {
    /// `(first, last)` old lines of each changed function (its `def` to its end).
    changed: Vec<(u64, u64)>,
    /// `(first old line after a hunk, lines added since the file's start)`, in order.
    shifts: Vec<(u64, i64)>,
}

impl Moves {
    /// How `old` became `new`, when every difference lies inside a function body.
    pub(super) fn between(old: &str, new: &str) -> Result<Self, String> {
        let (old_defs, new_defs) = (functions(old)?, functions(new)?);
        let mut options = git2::DiffOptions::new();
        options.context_lines(0);
        let patch = git2::Patch::from_buffers(
            old.as_bytes(),
            None,
            new.as_bytes(),
            None,
            Some(&mut options),
        )
        .map_err(|err| format!("diffing it failed: {}", err.message()))?;
        let mut moves = Self::default();
        let mut added: i64 = 0;
        for index in 0..patch.num_hunks() {
            let (hunk, _) = patch
                .hunk(index)
                .map_err(|err| format!("diffing it failed: {}", err.message()))?;
            let old_lines = lines_of(hunk.old_start(), hunk.old_lines());
            let new_lines = lines_of(hunk.new_start(), hunk.new_lines());
            let before = enclosing(&old_defs, old_lines);
            let after = enclosing(&new_defs, new_lines);
            match (before, after) {
                (Some(before), Some(after)) if before.name == after.name => {
                    moves.changed.push((before.first, before.last));
                }
                _ => {
                    let line = hunk.new_start().max(1);
                    return Err(format!(
                        "line {line} changed outside a function body (or in a docstring)"
                    ));
                }
            }
            added += i64::from(hunk.new_lines()) - i64::from(hunk.old_lines());
            // An insertion follows its old line; other hunks end before this one.
            let after = hunk.old_start() + hunk.old_lines().max(1);
            moves.shifts.push((u64::from(after), added));
        }
        Ok(moves)
    }

    /// Where old line `line` is now; `None` when a changed function holds it.
    fn line(&self, line: u64) -> Option<u64> {
        if self
            .changed
            .iter()
            .any(|&(first, last)| (first..=last).contains(&line))
        {
            return None;
        }
        let shift = self
            .shifts
            .iter()
            .take_while(|&&(after, _)| after <= line)
            .last()
            .map_or(0, |&(_, added)| added);
        u64::try_from(i64::try_from(line).ok()? + shift).ok()
    }
}

/// A hunk's lines on one side: `(first, last)`, or for a pure insertion or deletion
/// `(line, line)` where `line` is the one it follows (git's convention), never 0.
fn lines_of(start: u32, count: u32) -> (u64, u64) {
    if count == 0 {
        (u64::from(start).max(1), u64::from(start).max(1))
    } else {
        (u64::from(start), u64::from(start + count - 1))
    }
}

/// One function definition: where it is and what of it runs only when it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Def {
    /// Its qualified name (`Class.method`, `outer.inner`) and which twin of that name.
    name: (String, usize),
    /// Its first line (the first decorator's) and last line.
    first: u64,
    last: u64,
    /// The lines only a call runs: from the body's first statement after the header
    /// (and after a docstring) to the end.
    body: (u64, u64),
}

/// The innermost function whose body holds all of `lines`.
fn enclosing(defs: &[Def], (first, last): (u64, u64)) -> Option<&Def> {
    defs.iter()
        .filter(|def| def.body.0 <= first && last <= def.body.1)
        .min_by_key(|def| def.last - def.first)
}

/// Every function definition of `text`.
fn functions(text: &str) -> Result<Vec<Def>, String> {
    let parsed = crate::python::parse::parse_module(text, "")
        .map_err(|skip| format!("it does not parse ({skip})"))?;
    let mut finder = Functions {
        lines: parsed.lines,
        scope: Vec::new(),
        seen: BTreeMap::new(),
        found: Vec::new(),
    };
    finder.visit_body(&parsed.body);
    Ok(finder.found)
}

struct Functions {
    lines: LineIndex,
    scope: Vec<String>,
    seen: BTreeMap<String, usize>,
    found: Vec<Def>,
}

impl Functions {
    fn line(&self, offset: ruff_text_size::TextSize) -> u64 {
        self.lines.line_of(offset.to_usize()) as u64 + 1
    }

    fn qualified(&mut self, name: &str) -> (String, usize) {
        let mut path = self.scope.clone();
        path.push(name.to_owned());
        let path = path.join(".");
        let twin = self.seen.entry(path.clone()).or_insert(0);
        *twin += 1;
        (path, *twin)
    }
}

impl<'a> StatementVisitor<'a> for Functions {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                let header_end = def
                    .returns
                    .as_ref()
                    .map_or(def.parameters.end(), |returns| returns.end());
                let header_line = self.line(header_end);
                // A docstring becomes the function's `__doc__` when it is defined.
                let statements = match def.body.first() {
                    Some(Stmt::Expr(expr)) if matches!(*expr.value, Expr::StringLiteral(_)) => {
                        &def.body[1..]
                    }
                    _ => &def.body[..],
                };
                let first = def
                    .decorator_list
                    .first()
                    .map_or(def.start(), Ranged::start);
                let body_start = statements
                    .first()
                    .map_or(u64::MAX, |statement| self.line(statement.start()));
                let name = self.qualified(def.name.as_str());
                self.found.push(Def {
                    name,
                    first: self.line(first),
                    last: self.line(def.end()),
                    body: (body_start.max(header_line + 1), self.line(def.end())),
                });
                self.scope.push(def.name.to_string());
                walk_stmt(self, stmt);
                self.scope.pop();
            }
            Stmt::ClassDef(class) => {
                self.scope.push(class.name.to_string());
                walk_stmt(self, stmt);
                self.scope.pop();
            }
            _ => walk_stmt(self, stmt),
        }
    }
}
