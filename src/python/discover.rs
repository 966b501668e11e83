//! Mutant discovery: parse a module, walk it once (`walk.rs`) with every selected
//! operator, then assemble the list: drop duplicate and no-op edits and those on
//! `# pragma: no mutate` lines, sort by position (so the order is deterministic), give
//! each mutant its id, and number twin scopes. Every operator's edit is valid Python by
//! construction (operators swap for operators of the same grammar class, expressions
//! for atoms); the runner re-parses every mutant before it runs, and the corpus tests
//! check the mutants of the standard libraries (`tests/corpus.rs` says which).

use std::collections::{BTreeMap, BTreeSet};

use crate::python::arid::AridRule;
use crate::python::dead::dead_blocks;
use crate::python::mutant::Mutant;
use crate::python::operators::Operator;
use crate::python::parse::{ParseSkip, parse_module};
use crate::python::unread::{Words, unread_constants};
use crate::python::walk;
use crate::span::{LineCol, Span};

/// The mutants of one file's text, or why it could not be parsed.
///
/// `path` is the repository-relative path recorded in each mutant; `operators` selects
/// which operators apply.
///
/// # Errors
/// A [`ParseSkip`] when the text is not valid Python.
pub fn mutate_source(
    path: &str,
    text: &str,
    operators: &BTreeSet<Operator>,
) -> Result<Vec<Mutant>, ParseSkip> {
    mutate_source_with(path, text, operators, &AridRule::defaults())
}

/// [`mutate_source`] with the arid-node rules `arid` in effect (the defaults there).
///
/// # Errors
/// A [`ParseSkip`] when the text is not valid Python.
pub fn mutate_source_with(
    path: &str,
    text: &str,
    operators: &BTreeSet<Operator>,
    arid: &BTreeSet<AridRule>,
) -> Result<Vec<Mutant>, ParseSkip> {
    Ok(discover(path, text, operators, arid)?.mutants)
}

/// Dead code in a file, reported once instead of as the survivors of its mutants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadCode {
    /// Repository-relative path.
    pub path: String,
    /// The dead statements' whole lines.
    pub span: Span,
    /// Where the first dead statement starts.
    pub start: LineCol,
    /// Where the last one ends.
    pub end: LineCol,
    /// Why no input can notice it.
    pub why: String,
}

impl DeadCode {
    /// The block's stable id, as report.json lists it: `dead-` and 12 hex digits of the
    /// path and the block's text (`source` is the file's).
    #[must_use]
    pub fn id(&self, source: &str) -> String {
        use sha2::{Digest, Sha256};
        let text = source
            .get(self.span.start..self.span.end)
            .unwrap_or_default();
        let digest = Sha256::new()
            .chain_update(self.path.as_bytes())
            .chain_update([0])
            .chain_update(text.as_bytes())
            .finalize();
        format!("dead-{}", hex::encode(&digest[..6]))
    }

    /// `path:line` or `path:first-last`.
    #[must_use]
    pub fn place(&self) -> String {
        if self.start.line == self.end.line {
            format!("{}:{}", self.path, self.start.line)
        } else {
            format!("{}:{}-{}", self.path, self.start.line, self.end.line)
        }
    }
}

/// What discovery finds in one file: its mutants, and its dead code (which has none).
#[derive(Debug, Default)]
pub struct Discovered {
    /// The mutants, sorted by position.
    pub mutants: Vec<Mutant>,
    /// The dead blocks, in source order.
    pub dead: Vec<DeadCode>,
}

/// The mutants and dead code of one file's text (`arid` rules in effect).
///
/// # Errors
/// A [`ParseSkip`] when the text is not valid Python.
pub fn discover(
    path: &str,
    text: &str,
    operators: &BTreeSet<Operator>,
    arid: &BTreeSet<AridRule>,
) -> Result<Discovered, ParseSkip> {
    discover_in(path, text, operators, arid, None)
}

/// [`discover`], with the `words` of the whole repository when known: a module
/// constant no other file names is dead code too ([`unread_constants`]).
///
/// # Errors
/// A [`ParseSkip`] when the text is not valid Python.
pub fn discover_in(
    path: &str,
    text: &str,
    operators: &BTreeSet<Operator>,
    arid: &BTreeSet<AridRule>,
    words: Option<&Words>,
) -> Result<Discovered, ParseSkip> {
    let module = parse_module(text, path)?;
    let mut blocks = if arid.contains(&AridRule::DeadCode) {
        dead_blocks(&module.body)
    } else {
        Vec::new()
    };
    if let Some(words) = words.filter(|_| arid.contains(&AridRule::DeadCode)) {
        blocks.extend(unread_constants(path, &module.body, words));
        blocks.sort_by_key(|block| block.span.start);
    }
    let dead: Vec<DeadCode> = blocks
        .into_iter()
        .map(|block| DeadCode {
            path: path.to_owned(),
            span: block.span,
            start: module.lines.line_col(block.span.start, text),
            end: module.lines.line_col(block.span.end, text),
            why: block.why,
        })
        .collect();
    let in_dead_code = |span: Span| {
        dead.iter()
            .any(|block| block.span.start <= span.start && span.end <= block.span.end)
    };
    let mut seen = BTreeSet::new();
    let mut mutants = Vec::new();
    for candidate in walk::candidates(text, &module, operators, arid) {
        if in_dead_code(candidate.edit.span) {
            continue;
        }
        if !seen.insert((candidate.edit.span, candidate.edit.replacement.clone())) {
            continue;
        }
        if candidate.edit.replacement == candidate.edit.span.of(text) {
            continue;
        }
        if module.touches_pragma(candidate.edit.span) {
            continue;
        }
        let span = candidate.edit.span;
        mutants.push(Mutant {
            id: Mutant::compute_id(path, span, candidate.operator, &candidate.edit.replacement),
            path: path.to_owned(),
            span,
            start: module.lines.line_col(span.start, text),
            end: module.lines.line_col(span.end, text),
            original: span.of(text).to_owned(),
            replacement: candidate.edit.replacement,
            operator: candidate.operator,
            scope: candidate.scope,
            block: candidate.block,
        });
    }
    mutants.sort_by(|a, b| {
        (a.span.start, a.span.end, a.operator, &a.replacement).cmp(&(
            b.span.start,
            b.span.end,
            b.operator,
            &b.replacement,
        ))
    });
    number_twin_scopes(&mut mutants, text);
    Ok(Discovered { mutants, dead })
}

/// Set each mutant's [`crate::python::mutant::Scope::occurrence`]: among the scopes of the file with the same
/// qualified name and text, in source order.
fn number_twin_scopes(mutants: &mut [Mutant], text: &str) {
    let mut spans: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    for mutant in mutants.iter() {
        let scope = &mutant.scope;
        spans
            .entry((scope.qualname.as_str(), scope.span.of(text)))
            .or_default()
            .insert(scope.span.start);
    }
    let occurrence: BTreeMap<usize, usize> = spans
        .values()
        .filter(|starts| starts.len() > 1)
        .flat_map(|starts| {
            starts
                .iter()
                .enumerate()
                .map(|(index, start)| (*start, index))
        })
        .collect();
    for mutant in mutants.iter_mut() {
        if let Some(index) = occurrence.get(&mutant.scope.span.start) {
            mutant.scope.occurrence = *index;
        }
    }
}

#[cfg(test)]
mod snapshots;
#[cfg(test)]
pub(crate) mod tests;
