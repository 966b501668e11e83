//! `.chimp/report.sarif`: SARIF 2.1.0, the format GitHub code scanning and other static
//! analysis viewers read. One result per mutant the tests missed (survived or uncovered),
//! at the exact region of the changed code, with the operator as its rule and the patch
//! in its message; `partialFingerprints` carries the mutant id so a survivor that stays
//! the same is the same alert from run to run. Paths are relative to the repository root
//! (`%SRCROOT%`); columns count characters (`columnKind: unicodeCodePoints`), as the rest
//! of git-chimp does.

use std::collections::BTreeSet;

use std::fmt::Write as _;

use anyhow::Result;
use serde_json::{Value, json};

use crate::operators::Operator;
use crate::outcome::Outcome;
use crate::report::Findings;

/// The SARIF log of `findings`, as pretty-printed JSON.
///
/// # Errors
/// Never in practice (serialising a JSON value).
pub fn render(findings: &Findings<'_>) -> Result<String> {
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
                "partialFingerprints": { "gitChimpMutant/v1": mutant.id.0 },
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

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_path("src/pkg/mod_1.py"), "src/pkg/mod_1.py");
        assert_eq!(uri_path("my mod/50%#é.py"), "my%20mod/50%25%23%C3%A9.py");
    }
}
