//! The boundary to rustpython-parser: a Python source text becomes its statements, its
//! tokens (with exact byte spans, so operators can be found precisely) and the lines
//! carrying `# pragma: no mutate`. A text that does not parse is a [`ParseSkip`], which
//! the caller reports and moves past.

use std::collections::BTreeSet;
use std::fmt;

use rustpython_parser::ast::{self, Ranged};
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Tok};

use crate::python::span::{LineIndex, Span};

/// The comment that keeps a line from being mutated.
pub const PRAGMA: &str = "pragma: no mutate";

/// What kind of token a [`Token`] is, as far as mutation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `(`, `)`, `[`, `]`, `{`, `}`.
    Bracket,
    /// A comment, a newline, an indent or a dedent: layout, not code.
    Trivia,
    /// A string literal (one piece of an implicit concatenation).
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
    pub body: Vec<ast::Stmt>,
    /// Every token, in source order.
    pub tokens: Vec<Token>,
    /// 0-based lines that carry a `# pragma: no mutate` comment.
    pub pragma_lines: BTreeSet<usize>,
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

/// Byte offset of a parser position.
pub(crate) fn offset(size: rustpython_parser::text_size::TextSize) -> usize {
    u32::from(size) as usize
}

/// Byte span of any AST node.
pub(crate) fn span_of<T: Ranged>(node: &T) -> Span {
    let range = node.range();
    Span::new(offset(range.start()), offset(range.end()))
}

/// Parse `text` (the contents of `path`, used in messages).
///
/// # Errors
/// A [`ParseSkip`] when the text is not valid Python that rustpython-parser accepts.
pub fn parse_module(text: &str, path: &str) -> Result<ParsedModule, ParseSkip> {
    let lines = LineIndex::new(text);
    let module = rustpython_parser::parse(text, Mode::Module, path).map_err(|err| {
        let at = lines.line_col(offset(err.offset).min(text.len()), text);
        ParseSkip {
            message: format!("line {}, column {}: {}", at.line, at.column, err.error),
        }
    })?;
    let ast::Mod::Module(module) = module else {
        return Err(ParseSkip {
            message: "not a module".into(),
        });
    };
    let mut tokens = Vec::new();
    let mut pragma_lines = BTreeSet::new();
    for result in lex(text, Mode::Module) {
        let Ok((tok, range)) = result else {
            // The parser accepted the text, so the lexer cannot fail on it.
            break;
        };
        let span = Span::new(offset(range.start()), offset(range.end()));
        let kind = match tok {
            Tok::Lpar | Tok::Rpar | Tok::Lsqb | Tok::Rsqb | Tok::Lbrace | Tok::Rbrace => {
                TokenKind::Bracket
            }
            Tok::Comment(comment) => {
                if comment.contains(PRAGMA) {
                    pragma_lines.insert(lines.line_of(span.start));
                }
                TokenKind::Trivia
            }
            Tok::Newline | Tok::NonLogicalNewline | Tok::Indent | Tok::Dedent | Tok::EndOfFile => {
                TokenKind::Trivia
            }
            Tok::String { .. } => TokenKind::String,
            Tok::At => TokenKind::At,
            _ => TokenKind::Other,
        };
        tokens.push(Token { span, kind });
    }
    Ok(ParsedModule {
        body: module.body,
        tokens,
        pragma_lines,
        lines,
    })
}

/// Whether `text` parses as a Python module.
#[must_use]
pub fn is_valid_python(text: &str) -> bool {
    rustpython_parser::parse(text, Mode::Module, "<mutant>").is_ok()
}

impl ParsedModule {
    /// Index of the first token starting at or after byte `at`.
    #[must_use]
    pub fn token_at_or_after(&self, at: usize) -> usize {
        self.tokens.partition_point(|token| token.span.start < at)
    }

    /// The code tokens (not brackets, not trivia) that start in `[from, to)`.
    pub fn code_tokens_between(&self, from: usize, to: usize) -> impl Iterator<Item = &Token> {
        self.tokens[self.token_at_or_after(from)..]
            .iter()
            .take_while(move |token| token.span.start < to)
            .filter(|token| !matches!(token.kind, TokenKind::Bracket | TokenKind::Trivia))
    }
}
