//! `.chimp/report.sarif`: SARIF 2.1.0, the format GitHub code scanning and other static
//! analysis viewers read. One result per mutant the tests missed (survived or uncovered),
//! at the exact region of the changed code, with the operator as its rule and the patch
//! in its message. `partialFingerprints` identifies the mutant by its line's text rather
//! than its position (see [`fingerprint`]), so a survivor stays the same alert while
//! lines above it come and go. Paths are relative to the repository root
//! (`%SRCROOT%`); columns count characters (`columnKind: unicodeCodePoints`), as the rest
//! of git-chimp does.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::Result;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::mutant::Mutant;
use crate::outcome::Outcome;
use crate::python::operators::Operator;
use crate::report::Findings;

/// The SARIF log of `findings`, as pretty-printed JSON.
///
/// # Errors
/// Never in practice (serialising a JSON value).
pub(crate) fn render(findings: &Findings<'_>) -> Result<String> {
    let survivors = findings.survivors();
    let used: BTreeSet<Operator> = survivors
        .iter()
        .map(|result| result.mutant.operator)
        .collect();
    let rules: Vec<Value> = used
        .iter()
        .map(|operator| {
            json!({
                "id": operator.name(),
                "name": operator.name(),
                "shortDescription": { "text": format!("Mutant survived: {}", operator.description()) },
                "fullDescription": { "text": format!(
                    "git-chimp changed the code with the `{}` operator ({}) and every test still \
                     passed: the tests do not check this behaviour.",
                    operator.name(), operator.description()) },
                "defaultConfiguration": { "level": "warning" },
                "properties": { "tags": ["mutation-testing", "test-gap"] },
            })
        })
        .collect();
    let rule_index = |operator: Operator| used.iter().position(|used| *used == operator);
    let results: Vec<Value> = survivors
        .iter()
        .map(|result| {
            let mutant = &result.mutant;
            let (what, why) = if result.outcome == Outcome::Uncovered {
                ("was not covered", "no test reaches this code")
            } else {
                ("survived", "the tests still pass")
            };
            let diff = mutant.diff(findings.source(&mutant.path));
            json!({
                "ruleId": mutant.operator.name(),
                "ruleIndex": rule_index(mutant.operator),
                "level": "warning",
                "message": {
                    "text": format!("Mutant {} {what}: `{}` ({why}).", mutant.id, mutant.describe()),
                    "markdown": format!(
                        "Mutant `{}` {what}: `{}` ({why}).\n\n```diff\n{diff}```",
                        mutant.id, mutant.describe()),
                },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_path(&mutant.path), "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": mutant.start.line,
                            "startColumn": mutant.start.column,
                            "endLine": mutant.end.line,
                            "endColumn": mutant.end.column,
                        },
                    },
                }],
                "partialFingerprints": {
                    "gitChimpMutant/v1": fingerprint(mutant, findings.source(&mutant.path)),
                },
                "properties": { "outcome": result.outcome.name(), "mutantId": mutant.id.0 },
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "git-chimp",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

/// A position-free identity of a mutant: SHA-256 over its path, operator, replacement, the
/// trimmed text of its line, its column, and how many earlier lines of the file have the
/// same trimmed text (so two identical lines stay apart); 16 hex digits. Unlike the
/// mutant id (which hashes byte offsets), it survives edits elsewhere in the file.
fn fingerprint(mutant: &Mutant, source: &str) -> String {
    let lines = crate::python::span::LineIndex::new(source).lines(source);
    let index = mutant.start.line.saturating_sub(1);
    let text = lines.get(index).map_or("", |line| line.trim());
    let repeats = lines[..index.min(lines.len())]
        .iter()
        .filter(|line| line.trim() == text)
        .count();
    let mut hasher = Sha256::new();
    for part in [
        mutant.path.as_str(),
        mutant.operator.name(),
        &mutant.replacement,
        text,
        &mutant.start.column.to_string(),
        &repeats.to_string(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..8]
        .iter()
        .fold(String::with_capacity(16), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// A repository-relative path as a relative URI reference: every byte outside the
/// unreserved set and `/` percent-encoded (`my mod.py` -> `my%20mod.py`).
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod test {
    use super::*;

    fn fingerprints(source: &str) -> Vec<(usize, String)> {
        let operators = [Operator::BinaryOperator].into_iter().collect();
        crate::python::discover::mutate_source("m.py", source, &operators)
            .unwrap()
            .iter()
            .map(|mutant| (mutant.start.line, fingerprint(mutant, source)))
            .collect()
    }

    #[test]
    fn fingerprints_survive_lines_moving_and_tell_twin_lines_apart() {
        let before =
            fingerprints("def f(a, b):\n    return a + b\n\n\ndef g(a):\n    return a + b\n");
        let after = fingerprints(
            "import os\n\n\ndef f(a, b):\n    return a + b\n\n\ndef g(a):\n    return a + b\n",
        );
        assert_eq!(before.len(), 2);
        assert_eq!((before[0].0, after[0].0), (2, 5), "the line moved");
        assert_eq!(before[0].1, after[0].1, "the fingerprint did not");
        assert_eq!(before[1].1, after[1].1);
        assert_ne!(
            before[0].1, before[1].1,
            "identical lines differ by occurrence"
        );
        let edited = fingerprints("def f(a, b):\n    return a + b + 0\n");
        assert_ne!(edited[0].1, before[0].1);
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_path("src/pkg/mod_1.py"), "src/pkg/mod_1.py");
        assert_eq!(uri_path("my mod/50%#é.py"), "my%20mod/50%25%23%C3%A9.py");
    }
}
