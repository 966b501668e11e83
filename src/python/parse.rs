//! The boundary to ruff's parser (`ruff_python_parser` and `ruff_python_ast`): a Python
//! source text becomes its statements, its tokens (with exact byte spans, so operators
//! can be found precisely) and the lines carrying `# pragma: no mutate`. The parser takes
//! the syntax of every Python version (PEP 701 f-strings, PEP 750 t-strings, PEP 695 type
//! parameters); a text that does not parse is a [`ParseSkip`], which the caller reports
//! and moves past.

use std::collections::BTreeSet;
use std::fmt;

use ruff_python_ast::token::TokenKind as RuffToken;
use ruff_python_ast::{ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::span::{LineIndex, Span};

/// The comment that keeps a line from being mutated.
pub const PRAGMA: &str = "pragma: no mutate";

/// What kind of token a [`Token`] is, as far as mutation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `(`, `)`, `[`, `]`, `{`, `}`.
    Bracket,
    /// A comment, a newline, an indent or a dedent: layout, not code.
    Trivia,
    /// A string or bytes literal (one piece of an implicit concatenation; f-strings and
    /// t-strings are tokens of their own kinds).
    String,
    /// The `@` that starts a decorator (or the matrix-multiply operator).
    At,
    /// Anything else: names, numbers, operators, keywords.
    Other,
}

/// One token and where it is.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    /// Its bytes in the source.
    pub span: Span,
    /// Its kind.
    pub kind: TokenKind,
}

/// A parsed Python module.
pub struct ParsedModule {
    /// The module's statements.
    pub body: Vec<Stmt>,
    /// Every token, in source order.
    pub tokens: Vec<Token>,
    /// 0-based lines that carry a `# pragma: no mutate` comment.
    pub pragma_lines: BTreeSet<usize>,
    /// 0-based lines that carry a `# pragma: no cover` comment (coverage.py's default
    /// exclusion, any case, with or without the colon).
    pub no_cover_lines: BTreeSet<usize>,
    /// Line starts of the text.
    pub lines: LineIndex,
}

/// A file that could not be parsed, and why.
#[derive(Debug, Clone)]
pub struct ParseSkip {
    /// The parser's message, with its position.
    pub message: String,
}

impl fmt::Display for ParseSkip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The byte span of a parser range.
pub(crate) fn span_of_range(range: TextRange) -> Span {
    Span::new(range.start().to_usize(), range.end().to_usize())
}

/// Byte span of any AST node.
pub(crate) fn span_of<T: Ranged>(node: &T) -> Span {
    span_of_range(node.range())
}

/// Parse `text` (the contents of `path`, for the caller's messages).
///
/// # Errors
/// A [`ParseSkip`] naming the first syntax error's line and column.
pub fn parse_module(text: &str, _path: &str) -> Result<ParsedModule, ParseSkip> {
    let lines = LineIndex::new(text);
    let parsed = ruff_python_parser::parse_module(text).map_err(|err| {
        let at = lines.line_col(err.location.start().to_usize().min(text.len()), text);
        ParseSkip {
            message: format!("line {}, column {}: {}", at.line, at.column, err.error),
        }
    })?;
    let mut tokens = Vec::with_capacity(parsed.tokens().len());
    let mut pragma_lines = BTreeSet::new();
    let mut no_cover_lines = BTreeSet::new();
    for token in parsed.tokens() {
        let span = span_of_range(token.range());
        let kind = match token.kind() {
            RuffToken::Lpar
            | RuffToken::Rpar
            | RuffToken::Lsqb
            | RuffToken::Rsqb
            | RuffToken::Lbrace
            | RuffToken::Rbrace => TokenKind::Bracket,
            RuffToken::Comment => {
                let comment = span.of(text);
                if comment.contains(PRAGMA) {
                    pragma_lines.insert(lines.line_of(span.start));
                }
                if is_no_cover(comment) {
                    no_cover_lines.insert(lines.line_of(span.start));
                }
                TokenKind::Trivia
            }
            RuffToken::Newline
            | RuffToken::NonLogicalNewline
            | RuffToken::Indent
            | RuffToken::Dedent
            | RuffToken::EndOfFile => TokenKind::Trivia,
            RuffToken::String => TokenKind::String,
            RuffToken::At => TokenKind::At,
            _ => TokenKind::Other,
        };
        tokens.push(Token { span, kind });
    }
    let ModModule { body, .. } = parsed.into_syntax();
    Ok(ParsedModule {
        body: body.into_iter().collect(),
        tokens,
        pragma_lines,
        no_cover_lines,
        lines,
    })
}

/// Whether a comment holds coverage.py's default exclusion, `#\s*(pragma|PRAGMA)[:\s]?
/// \s*(no|NO)\s*(cover|COVER)`.
fn is_no_cover(comment: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    let Some(at) = lower.find("pragma") else {
        return false;
    };
    let rest = lower[at + "pragma".len()..]
        .trim_start_matches(':')
        .trim_start();
    rest.strip_prefix("no")
        .is_some_and(|rest| rest.trim_start().starts_with("cover"))
}

/// Whether `text` parses as a Python module.
#[must_use]
pub fn is_valid_python(text: &str) -> bool {
    ruff_python_parser::parse_module(text).is_ok()
}

impl ParsedModule {
    /// Whether any line `span` covers has `# pragma: no mutate`.
    #[must_use]
    pub fn touches_pragma(&self, span: Span) -> bool {
        !self.pragma_lines.is_empty()
            && self
                .pragma_lines
                .range(self.lines.lines_of(span))
                .next()
                .is_some()
    }

    /// Index of the first token starting at or after byte `at` that has text: a dedent,
    /// which is an empty token where the next statement starts, is passed over.
    #[must_use]
    pub fn token_at_or_after(&self, at: usize) -> usize {
        let first = self.tokens.partition_point(|token| token.span.start < at);
        first
            + self.tokens[first..]
                .iter()
                .take_while(|token| token.span.start == token.span.end && token.span.start == at)
                .count()
    }

    /// The code tokens (not brackets, not trivia) that start in `[from, to)`.
    pub fn code_tokens_between(&self, from: usize, to: usize) -> impl Iterator<Item = &Token> {
        self.tokens[self.token_at_or_after(from)..]
            .iter()
            .take_while(move |token| token.span.start < to)
            .filter(|token| !matches!(token.kind, TokenKind::Bracket | TokenKind::Trivia))
    }
}
