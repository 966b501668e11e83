//! Module constants nothing reads (#29): `NAME = <value free of side effects>` at a
//! module's top level, where the word `NAME` appears nowhere else in the repository's
//! files, in code, strings (`getattr(m, "NAME")`, `__all__`), comments or configuration
//! (`module:NAME` entry points). Deleting the statement or changing its value is noticed
//! by no code of the project and so by no test: dead code, reported once (as a function's
//! dead stores are, [`crate::python::dead`]).
//!
//! Conservative: a name read under another spelling (built from parts) is missed, so
//! packages' `__init__.py` (their API), configuration modules read by frameworks by
//! convention (`conf.py`, `settings.py`, `conftest.py`, `setup.py`, `manage.py`) and
//! dunder names are left alone.

use std::collections::HashMap;

use ruff_python_ast::{Expr, Stmt};

use crate::python::arid::is_pure;
use crate::python::dead::DeadBlock;
use crate::python::parse::span_of;

/// How often each word (an identifier-like run) occurs in the repository's files.
#[derive(Debug, Default)]
pub struct Words(HashMap<String, u32>);

impl Words {
    /// Count the words of `texts`.
    #[must_use]
    pub fn of<'t>(texts: impl IntoIterator<Item = &'t str>) -> Self {
        let mut words = Words::default();
        for text in texts {
            words.add(text);
        }
        words
    }

    /// Count the words of `text`.
    pub fn add(&mut self, text: &str) {
        let is_word = |c: char| c == '_' || c.is_alphanumeric();
        for word in text.split(|c: char| !is_word(c)) {
            if word.starts_with(|c: char| c == '_' || c.is_alphabetic()) {
                *self.0.entry(word.to_owned()).or_default() += 1;
            }
        }
    }

    /// How often `word` occurs.
    #[must_use]
    pub fn count(&self, word: &str) -> u32 {
        self.0.get(word).copied().unwrap_or(0)
    }
}

/// The files whose top-level names others may read by convention or as API.
fn read_by_convention(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "__init__.py" | "__main__.py" | "conf.py" | "conftest.py" | "setup.py" | "manage.py"
    ) || name.contains("settings")
        || name.contains("config")
}

/// The top-level assignments of `body` (the module at `path`) whose name `words` counts
/// once (its own assignment), each its own block.
#[must_use]
pub fn unread_constants(path: &str, body: &[Stmt], words: &Words) -> Vec<DeadBlock> {
    if read_by_convention(path) {
        return Vec::new();
    }
    let mut blocks = Vec::new();
    for stmt in body {
        let (target, value) = match stmt {
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                (&assign.targets[0], &*assign.value)
            }
            Stmt::AnnAssign(assign) => match &assign.value {
                Some(value) => (&*assign.target, &**value),
                None => continue,
            },
            _ => continue,
        };
        let Expr::Name(name) = target else {
            continue;
        };
        let name = name.id.as_str();
        if name.starts_with("__") || words.count(name) > 1 || !is_pure(value) {
            continue;
        }
        blocks.push(DeadBlock {
            span: span_of(stmt),
            why: format!("`{name}` is never read: the name appears nowhere else in the repository"),
        });
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse_module;

    fn unread(path: &str, text: &str, others: &[&str]) -> Vec<String> {
        let module = parse_module(text, path).unwrap();
        let words = Words::of(std::iter::once(text).chain(others.iter().copied()));
        unread_constants(path, &module.body, &words)
            .iter()
            .map(|block| block.span.of(text).to_owned())
            .collect()
    }

    #[test]
    fn a_constant_no_file_names_is_unread() {
        let text = "import re\nA = 'x'\nB = A + 'y'\nC = re.compile(B)\nD = 'z'\n";
        // A is read by B; B by C; C's value is a call; D is read by another file.
        assert_eq!(
            unread("pkg/m.py", text, &["from pkg.m import D"]),
            Vec::<String>::new()
        );
        assert_eq!(unread("pkg/m.py", text, &[]), ["D = 'z'"]);
    }

    #[test]
    fn names_in_strings_comments_and_conventional_files_are_read() {
        let text = "A = 1\nB = 2\nC = 3\n__version__ = '1'\n";
        let others = [
            "getattr(m, 'A')",
            "# B is documented",
            "[tool]\nentry = 'pkg.m:Z'",
        ];
        assert_eq!(unread("pkg/m.py", text, &others), ["C = 3"]);
        for path in [
            "pkg/__init__.py",
            "docs/conf.py",
            "app/settings.py",
            "conftest.py",
        ] {
            assert_eq!(unread(path, text, &others), Vec::<String>::new(), "{path}");
        }
    }

    #[test]
    fn twice_assigned_chained_and_computed_values_are_left_alone() {
        let text = "A = 1\nA = 2\nB = C = 3\nD = make()\nE: int = 4\nF: int\n";
        assert_eq!(unread("pkg/m.py", text, &[]), ["E: int = 4"]);
    }
}
