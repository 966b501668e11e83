//! Positions in source text: byte spans, 1-based line/column pairs, and a line index
//! that turns one into the other. Parser position types stay behind `parse.rs`; the rest
//! of git-chimp speaks in these.

use serde::Serialize;

/// A half-open byte range `[start, end)` into a file's UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// A span from `start` (inclusive) to `end` (exclusive), both in bytes.
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Self { start, end }
    }

    /// The text this span covers.
    #[must_use]
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }

    /// The offset of the span's last byte (its start when it is empty).
    #[must_use]
    pub fn last_byte(&self) -> usize {
        self.end.max(self.start + 1) - 1
    }
}

/// A 1-based line and 1-based column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub column: usize,
}

/// Byte offsets of the start of every line of a text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the lines of `text` (`\n`, `\r\n` and lone `\r` all end a line, as in Python).
    #[must_use]
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Self { starts }
    }

    /// The text of each line of `text` (as [`LineIndex::new`] splits it: `\n`, `\r\n` and
    /// a lone `\r` end a line), without its ending. The lines reports number.
    #[must_use]
    pub fn lines<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::with_capacity(self.starts.len());
        for (number, &start) in self.starts.iter().enumerate() {
            let end = self.starts.get(number + 1).copied().unwrap_or(text.len());
            if start == text.len() && number > 0 {
                break;
            }
            out.push(text[start..end].trim_end_matches(['\n', '\r']));
        }
        out
    }

    /// The 0-based line that holds byte `offset`.
    #[must_use]
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The 0-based lines `span` covers, first to last (one line for an empty span).
    #[must_use]
    pub fn lines_of(&self, span: Span) -> std::ops::RangeInclusive<usize> {
        self.line_of(span.start)..=self.line_of(span.last_byte())
    }

    /// The byte offset where 0-based `line` starts (the text's length past the last line).
    #[must_use]
    pub fn line_start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).copied().unwrap_or(text.len())
    }

    /// 1-based line and character column of byte `offset` in `text`.
    #[must_use]
    pub fn line_col(&self, offset: usize, text: &str) -> LineCol {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The byte offset of a 1-based line and character column in `text`, the inverse of
    /// [`LineIndex::line_col`]; `None` when the text has no such position.
    #[must_use]
    pub fn offset(&self, at: LineCol, text: &str) -> Option<usize> {
        let start = *self.starts.get(at.line.checked_sub(1)?)?;
        let steps = at.column.checked_sub(1)?;
        let mut chars = text[start..].char_indices().map(|(i, _)| start + i);
        chars
            .nth(steps)
            .or_else(|| (text[start..].chars().count() == steps).then_some(text.len()))
    }
}

/// One text edit: replace `span` of the original with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes replaced.
    pub span: Span,
    /// What they are replaced with.
    pub replacement: String,
}

impl Edit {
    /// The whole text with this edit applied.
    #[must_use]
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.replacement.len());
        out.push_str(&text[..self.span.start]);
        out.push_str(&self.replacement);
        out.push_str(&text[self.span.end..]);
        out
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn lines_are_split_as_python_and_the_index_split_them() {
        let text = "a = 1\rb = 2\r\nc = 3\nd = 4";
        let index = LineIndex::new(text);
        assert_eq!(index.lines(text), ["a = 1", "b = 2", "c = 3", "d = 4"]);
        assert_eq!(index.line_col(text.find('c').unwrap(), text).line, 3);
        assert_eq!(LineIndex::new("x\n").lines("x\n"), ["x"]);
    }

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\nçd = 1\r\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0, text), LineCol { line: 1, column: 1 });
        let d = text.find('d').unwrap();
        assert_eq!(index.line_col(d, text), LineCol { line: 2, column: 2 });
        let x = text.find('x').unwrap();
        assert_eq!(index.line_col(x, text), LineCol { line: 3, column: 1 });
        for offset in [0, d, x, text.len()] {
            assert_eq!(
                index.offset(index.line_col(offset, text), text),
                Some(offset)
            );
        }
        assert_eq!(index.offset(LineCol { line: 9, column: 1 }, text), None);
    }

    #[test]
    fn edit_apply_replaces_only_the_span() {
        let edit = Edit {
            span: Span::new(2, 3),
            replacement: "-".into(),
        };
        assert_eq!(edit.apply("a + b"), "a - b");
    }
}
