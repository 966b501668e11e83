//! A [`Mutant`]: one small change to one file, as a byte span of the original and its
//! replacement. It knows its stable id, its position, the definition it sits in, the
//! mutated text and the unified diff a survivor's patch holds.

use std::fmt::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::python::operators::Operator;
use crate::span::{Edit, LineCol, Span};

/// A stable id computed from the mutant's content (path, span, operator, replacement),
/// never from the order it was found in: 12 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct MutantId(pub String);

impl fmt::Display for MutantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The definition a mutant sits in: what a later runner swaps and a cache key hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// Python qualified name (`Class.method`, `outer.<locals>.inner`); empty at module level.
    pub qualname: String,
    /// Bytes of the whole definition (decorators included), or of the module-level
    /// statement the mutant sits in.
    pub span: Span,
    /// How many earlier definitions (or module-level statements) of the file have the
    /// same qualified name and the same text: 0 for the first. It tells twins apart (a
    /// name defined twice, a statement repeated) in keys that do not use line numbers.
    #[serde(skip)]
    pub occurrence: usize,
}

/// One mutation of one file.
#[derive(Debug, Clone, Serialize)]
pub struct Mutant {
    /// Stable id.
    pub id: MutantId,
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// The replaced bytes of the original file.
    pub span: Span,
    /// Where the span starts.
    pub start: LineCol,
    /// Where the span ends (exclusive column).
    pub end: LineCol,
    /// The original text of the span.
    pub original: String,
    /// What replaces it.
    pub replacement: String,
    /// Which operator made it.
    #[serde(serialize_with = "serialize_operator")]
    pub operator: Operator,
    /// The definition it sits in.
    pub scope: Scope,
    /// Whole lines of the innermost definition (or module-level statement) holding the
    /// span: text that parses on its own, so a mutant can be checked without the file.
    #[serde(skip)]
    pub block: Span,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn serialize_operator<S: serde::Serializer>(op: &Operator, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(op.name())
}

impl Mutant {
    /// Feed `part` what identifies this mutant whatever its line: the file's path, the
    /// qualified name, occurrence and text of its enclosing definition (`source` is the
    /// file's), the operator, its byte offsets within that definition and the
    /// replacement. The outcome cache's key and an
    /// accepted survivor's are built on it.
    pub(crate) fn hash_in_scope(&self, source: &str, part: &mut impl FnMut(&[u8])) {
        let scope = self.scope.span;
        self.hash_scope(source, part);
        part(self.operator.name().as_bytes());
        part(&((self.span.start - scope.start) as u64).to_le_bytes());
        part(&((self.span.end - scope.start) as u64).to_le_bytes());
        part(self.replacement.as_bytes());
    }

    /// Feed `part` what identifies this mutant's enclosing definition whatever its line:
    /// the file's path, the definition's qualified name, occurrence and text (`source`
    /// is the file's). The shared cache's definition packs are named by it.
    pub(crate) fn hash_scope(&self, source: &str, part: &mut impl FnMut(&[u8])) {
        part(self.path.as_bytes());
        part(self.scope.qualname.as_bytes());
        part(&(self.scope.occurrence as u64).to_le_bytes());
        part(self.scope.span.of(source).as_bytes());
    }

    /// The id of a mutant with these parts.
    #[must_use]
    pub fn compute_id(path: &str, span: Span, operator: Operator, replacement: &str) -> MutantId {
        let mut hasher = Sha256::new();
        for part in [
            path,
            &span.start.to_string(),
            &span.end.to_string(),
            operator.name(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher.update(replacement.as_bytes());
        MutantId(hex::encode(&hasher.finalize()[..6]))
    }

    /// The edit that makes this mutant.
    #[must_use]
    pub fn edit(&self) -> Edit {
        Edit {
            span: self.span,
            replacement: self.replacement.clone(),
        }
    }

    /// The whole file with this mutant applied to `original` (the unmutated file text).
    #[must_use]
    pub fn mutated_text(&self, original: &str) -> String {
        self.edit().apply(original)
    }

    /// Whether the mutated code still parses. Only the mutant's block is re-parsed (nested
    /// under `if 1:` when it is indented), which is enough: edits never leave it.
    #[must_use]
    pub fn reparses(&self, original: &str) -> bool {
        let (block, span) = (self.block, self.span);
        let mut chunk = String::with_capacity(block.end - block.start + 8);
        if original[block.start..].starts_with([' ', '\t', '\x0c']) {
            chunk.push_str("if 1:\n");
        }
        chunk.push_str(&original[block.start..span.start]);
        chunk.push_str(&self.replacement);
        chunk.push_str(&original[span.end..block.end]);
        crate::python::parse::is_valid_python(&chunk)
    }

    /// A short `before -> after` for one terminal line.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{} -> {}",
            short(self.original.trim()),
            short(&self.replacement)
        )
    }

    /// A unified diff (`a/<path>`, `b/<path>`) from `original` to this mutant, as `git
    /// apply` takes it: lines are git's (`\n` ends one; a lone `\r` is text), and the
    /// paths are quoted as git quotes them.
    #[must_use]
    pub fn diff(&self, original: &str) -> String {
        // Only the changed lines and their context can differ: diff that excerpt (fast on
        // big files), then shift the hunk's line numbers to the whole file.
        // No line index of the whole file: walk out from the mutant to the context's
        // first and last lines (git's lines: only `\n` ends one), and count the lines
        // before it.
        let line_start = |at: usize| original[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let line_end = |at: usize| {
            original[at..]
                .find('\n')
                .map_or(original.len(), |newline| at + newline + 1)
        };
        let mut start = line_start(self.span.start.min(original.len()));
        for _ in 0..CONTEXT {
            if start == 0 {
                break;
            }
            start = line_start(start - 1);
        }
        let context_start = original[..start].matches('\n').count();
        let last_byte = self.span.last_byte().min(original.len());
        let mut end = line_end(last_byte);
        for _ in 0..CONTEXT {
            if end >= original.len() {
                break;
            }
            end = line_end(end);
        }
        let old = &original[start..end];
        let new = format!(
            "{}{}{}",
            &original[start..self.span.start],
            self.replacement,
            &original[self.span.end..end]
        );
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
        let diff = similar::TextDiff::from_slices(&old_lines, &new_lines);
        let (a, b) = (quote_path("a/", &self.path), quote_path("b/", &self.path));
        // git ends a header's unquoted name that holds a space with a tab.
        let end = if a.starts_with('"') || !self.path.contains(' ') {
            ""
        } else {
            "\t"
        };
        let mut out = format!("diff --git {a} {b}\n--- {a}{end}\n+++ {b}{end}\n");
        // The hunks are written here, not by `similar`'s formatter, which takes a lone
        // `\r` at the end of the file for a newline.
        for group in diff.grouped_ops(CONTEXT) {
            let header = similar::udiff::UnifiedHunkHeader::new(&group).to_string();
            let ranges = header
                .strip_prefix("@@ ")
                .and_then(|rest| rest.strip_suffix(" @@"))
                .unwrap_or_default();
            let shifted: Vec<String> = ranges
                .split(' ')
                .map(|range| shift_range(range, context_start))
                .collect();
            let _ = writeln!(out, "@@ {} @@", shifted.join(" "));
            for change in group.iter().flat_map(|op| diff.iter_changes(op)) {
                let tag = match change.tag() {
                    similar::ChangeTag::Equal => ' ',
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                };
                let line = change.value();
                out.push(tag);
                out.push_str(line);
                if !line.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
        out
    }
}

/// Context lines around a change in a patch.
const CONTEXT: usize = 3;

/// `prefix` + `path` as git writes it in a diff header: in double quotes with C escapes
/// (octal for other control characters and for every byte of a non-ASCII character, as
/// with git's default `core.quotePath`) when it holds any of those, a quote or a
/// backslash; else as it is.
fn quote_path(prefix: &str, path: &str) -> String {
    let plain = |byte: u8| (0x20..0x7f).contains(&byte) && byte != b'"' && byte != b'\\';
    let whole = format!("{prefix}{path}");
    if whole.bytes().all(plain) {
        return whole;
    }
    let mut out = String::from("\"");
    for byte in whole.bytes() {
        match byte {
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            byte if plain(byte) => out.push(char::from(byte)),
            byte => {
                let _ = write!(out, "\\{byte:03o}");
            }
        }
    }
    out.push('"');
    out
}

/// A hunk range (`-3,7`, `+3`) with `by` added to its start line (kept at 0 for an empty
/// range at the top of a file).
fn shift_range(range: &str, by: usize) -> String {
    let (sign, rest) = range.split_at(1);
    let (start, len) = match rest.split_once(',') {
        Some((start, len)) => (start, Some(len)),
        None => (rest, None),
    };
    let start: usize = start.parse().unwrap_or(0);
    let shifted = if start == 0 && len == Some("0") {
        by
    } else {
        start + by
    };
    match len {
        Some(len) => format!("{sign}{shifted},{len}"),
        None => format!("{sign}{shifted}"),
    }
}

/// The first line of `text`, at most 40 characters, with `...` when cut.
fn short(text: &str) -> String {
    if text.is_empty() {
        return "(nothing)".to_owned();
    }
    let first = text.lines().next().unwrap_or("");
    let cut: String = first.chars().take(40).collect();
    if cut.len() < text.len() {
        format!("{}...", cut.trim_end())
    } else {
        cut
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn mutant(original: &str, span: Span, replacement: &str) -> Mutant {
        Mutant {
            id: Mutant::compute_id("m.py", span, Operator::BinaryOperator, replacement),
            path: "pkg/m.py".into(),
            span,
            start: LineCol { line: 1, column: 1 },
            end: LineCol { line: 1, column: 1 },
            original: span.of(original).into(),
            replacement: replacement.into(),
            operator: Operator::BinaryOperator,
            scope: Scope {
                qualname: String::new(),
                span,
                occurrence: 0,
            },
            block: Span::new(0, original.len()),
        }
    }

    #[test]
    fn ids_depend_on_content_only() {
        let a = Mutant::compute_id("a.py", Span::new(1, 2), Operator::Number, "2");
        let b = Mutant::compute_id("a.py", Span::new(1, 2), Operator::Number, "2");
        let c = Mutant::compute_id("a.py", Span::new(1, 2), Operator::Number, "3");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.0.len(), 12);
    }

    #[test]
    fn diff_of_a_big_file_has_whole_file_line_numbers() {
        let mut text = String::new();
        for n in 1..=40 {
            let _ = writeln!(text, "x{n} = {n}");
        }
        let at = text.find("x20 = 20").unwrap() + 6;
        let m = mutant(&text, Span::new(at, at + 2), "21");
        let diff = m.diff(&text);
        assert!(diff.contains("@@ -17,7 +17,7 @@\n x17 = 17\n"), "{diff}");
        assert!(diff.contains("-x20 = 20\n+x20 = 21\n"), "{diff}");
        let whole = similar::TextDiff::from_lines(text.as_str(), m.mutated_text(&text).as_str())
            .unified_diff()
            .context_radius(3)
            .header("a/pkg/m.py", "b/pkg/m.py")
            .to_string();
        assert_eq!(diff, format!("diff --git a/pkg/m.py b/pkg/m.py\n{whole}"));
    }

    #[test]
    fn diff_has_repo_relative_headers_and_one_hunk() {
        let text = "def f(a, b):\n    return a + b\n";
        let plus = text.find('+').unwrap();
        let m = mutant(text, Span::new(plus, plus + 1), "-");
        let diff = m.diff(text);
        assert!(
            diff.starts_with("diff --git a/pkg/m.py b/pkg/m.py\n--- a/pkg/m.py\n+++ b/pkg/m.py\n")
        );
        assert!(
            diff.contains("-    return a + b\n+    return a - b\n"),
            "{diff}"
        );
        assert_eq!(m.describe(), "+ -> -");
    }
}
