//! `no-cover`.

use ruff_python_ast::Stmt;

use super::{Arid, Place};
use crate::python::parse::span_of;
use crate::span::Span;

unit! {
    /// A line with `# pragma: no cover`, and the block it opens (`if debug:  # pragma: no
    /// cover`): code the team already excludes from coverage, as coverage.py does. Off
    /// by default: measured on semver, 3 of its 4 survivors there were worth a test
    /// (an optional backend's fallback that a stub can reach).
    NoCover
}

impl Arid for NoCover {
    /// As coverage.py excludes: a compound statement by its header line (a decorated
    /// definition's is its `def`/`class` line, not its first), a simple one by any of
    /// its lines.
    fn statement(place: Place<'_>, stmt: &Stmt) -> bool {
        let lines = &place.module.no_cover_lines;
        if lines.is_empty() {
            return false;
        }
        let header = match stmt {
            Stmt::FunctionDef(f) => Some(span_of(&f.name)),
            Stmt::ClassDef(c) => Some(span_of(&c.name)),
            _ => None,
        };
        let on_header = header.is_some_and(|name| {
            lines.contains(&place.module.lines.line_of(name.start))
        });
        let compound = matches!(
            stmt,
            Stmt::FunctionDef(_)
                | Stmt::ClassDef(_)
                | Stmt::If(_)
                | Stmt::For(_)
                | Stmt::While(_)
                | Stmt::With(_)
                | Stmt::Try(_)
                | Stmt::Match(_)
        );
        let span = span_of(stmt);
        on_header
            || if compound {
                Self::clause(place, span)
            } else {
                let covered = place.module.lines.lines_of(span);
                lines.range(covered).next().is_some()
            }
    }

    /// A clause by its first line.
    fn clause(place: Place<'_>, span: Span) -> bool {
        let first = place.module.lines.line_of(span.start);
        place.module.no_cover_lines.contains(&first)
    }
}
