//! `.chimp/report.sarif`: SARIF 2.1.0, the format GitHub code scanning and other static
//! analysis viewers read. One result per line of code with mutants the tests missed
//! (survived or uncovered): at the exact region of its most telling mutant, with that
//! mutant's operator as its rule, and every mutant of the line with its patch in the
//! message (`properties.mutantIds` lists them). `partialFingerprints` identifies the
//! line by its text rather than its position (see [`fingerprint`]), so the finding stays
//! the same alert while lines above it come and go. Paths are relative to the repository root
//! (`%SRCROOT%`); columns count characters (`columnKind: unicodeCodePoints`), as the rest
//! of git-chimp does.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::outcome::Outcome;
use crate::python::discover::DeadCode;
use crate::python::operators::Operator;
use crate::report::json::DEAD_CODE_KIND;
use crate::report::{Findings, Place};

/// The SARIF log: one run of one tool.
#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

/// One operator that has survivors.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    default_configuration: Level,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
}

/// One survivor.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "gitChimpLine/v1")]
    line: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    outcome: &'static str,
    /// The most telling mutant's.
    mutant_id: String,
    /// Every surviving mutant of the line, the most telling first.
    mutant_ids: Vec<String>,
}

/// The SARIF log of `findings`, as pretty-printed JSON.
///
/// # Errors
/// Never in practice (serialising plain structs).
pub(crate) fn render(findings: &Findings<'_>) -> Result<String> {
    let places = findings.places();
    let used: BTreeSet<Operator> = places
        .iter()
        .map(|place| place.head().mutant.operator)
        .collect();
    let mut rules: Vec<Rule> = used
        .iter()
        .map(|operator| Rule {
            id: operator.name(),
            name: operator.name(),
            short_description: Text {
                text: format!("Mutant survived: {}", operator.description()),
            },
            full_description: Text {
                text: format!(
                    "git-chimp changed the code with the `{}` operator ({}) and every test \
                     still passed: the tests do not check this behaviour.",
                    operator.name(),
                    operator.description()
                ),
            },
            default_configuration: Level { level: "warning" },
            properties: RuleProperties {
                tags: ["mutation-testing", "test-gap"],
            },
        })
        .collect();
    let rule_index = |operator: Operator| used.iter().position(|used| *used == operator);
    let mut results: Vec<SarifResult> = places
        .iter()
        .map(|place| place_result(place, findings, rule_index(place.head().mutant.operator)))
        .collect();
    if !findings.dead.is_empty() {
        results.extend(
            findings
                .dead
                .iter()
                .map(|block| dead_result(block, findings, rules.len())),
        );
        rules.push(Rule {
            id: DEAD_CODE_KIND,
            name: DEAD_CODE_KIND,
            short_description: Text {
                text: "Dead code: no input can notice it".to_owned(),
            },
            full_description: Text {
                text: "git-chimp found statements whose removal no input can notice (code \
                       after a return, or a value never read); it made no mutants there."
                    .to_owned(),
            },
            default_configuration: Level { level: "note" },
            properties: RuleProperties {
                tags: ["mutation-testing", "dead-code"],
            },
        });
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "git-chimp",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

/// The note for one dead block, under the rule at `rule_index`.
fn dead_result(block: &DeadCode, findings: &Findings<'_>, rule_index: usize) -> SarifResult {
    let source = findings.source(&block.path);
    let id = block.id(source);
    let text = format!("Dead code: {} (no input can notice it).", block.why);
    SarifResult {
        rule_id: DEAD_CODE_KIND,
        rule_index: Some(rule_index),
        level: "note",
        message: Message {
            markdown: text.clone(),
            text,
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri_path(&block.path),
                    uri_base_id: "%SRCROOT%",
                },
                region: Region {
                    start_line: block.start.line,
                    start_column: block.start.column,
                    end_line: block.end.line,
                    end_column: block.end.column,
                },
            },
        }],
        partial_fingerprints: Fingerprints {
            line: fingerprint(&block.path, block.start.line, source),
        },
        properties: ResultProperties {
            outcome: DEAD_CODE_KIND,
            mutant_id: id.clone(),
            mutant_ids: vec![id],
        },
    }
}

/// The result for one line with survivors (`place`), under the rule at `rule_index`.
fn place_result(
    place: &Place<'_>,
    findings: &Findings<'_>,
    rule_index: Option<usize>,
) -> SarifResult {
    let result = place.head();
    let mutant = &result.mutant;
    let source = findings.source(&mutant.path);
    let (what, why) = if result.outcome == Outcome::Uncovered {
        ("was not covered", "no test reaches this code")
    } else {
        ("survived", "the tests still pass")
    };
    let mut text = format!(
        "Mutant {} {what}: `{}` ({why}).",
        mutant.id,
        mutant.describe()
    );
    let mut markdown = format!(
        "Mutant `{}` {what}: `{}` ({why}).\n\n```diff\n{}```",
        mutant.id,
        mutant.describe(),
        mutant.diff(source)
    );
    if let Some(note) = result.probe_note() {
        let _ = write!(text, " Probe: {note}.");
        match result.input() {
            Some(input) => {
                let _ = write!(
                    markdown,
                    "\n\nAn input that tells it apart:\n\n```python\n{input}\n```"
                );
            }
            None => {
                let _ = write!(markdown, "\n\nProbe: {note}.");
            }
        }
    }
    for other in place.others() {
        let (id, change) = (&other.mutant.id, other.mutant.describe());
        let _ = write!(text, " Also on this line: {id} `{change}`.");
        let _ = write!(
            markdown,
            "\n\nAlso on this line, `{id}`: `{change}`.\n\n```diff\n{}```",
            other.mutant.diff(source)
        );
    }
    SarifResult {
        rule_id: mutant.operator.name(),
        rule_index,
        level: "warning",
        message: Message { text, markdown },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri_path(&mutant.path),
                    uri_base_id: "%SRCROOT%",
                },
                region: Region {
                    start_line: mutant.start.line,
                    start_column: mutant.start.column,
                    end_line: mutant.end.line,
                    end_column: mutant.end.column,
                },
            },
        }],
        partial_fingerprints: Fingerprints {
            line: fingerprint(&mutant.path, mutant.start.line, source),
        },
        properties: ResultProperties {
            outcome: result.outcome.name(),
            mutant_id: mutant.id.0.clone(),
            mutant_ids: place
                .results
                .iter()
                .map(|result| result.mutant.id.0.clone())
                .collect(),
        },
    }
}

/// A position-free identity of a line of code: SHA-256 over the file's path, the trimmed
/// text of line `line` (1-based), and how many earlier lines of the file have the same
/// trimmed text (so two identical lines stay apart); 16 hex digits. It survives edits
/// elsewhere in the file, and which of the line's mutants survive.
fn fingerprint(path: &str, line: usize, source: &str) -> String {
    let lines = crate::span::LineIndex::new(source).lines(source);
    let index = line.saturating_sub(1);
    let text = lines.get(index).map_or("", |line| line.trim());
    let repeats = lines[..index.min(lines.len())]
        .iter()
        .filter(|line| line.trim() == text)
        .count();
    let mut hasher = Sha256::new();
    for part in [path, text, &repeats.to_string()] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(&hasher.finalize()[..8])
}

/// A repository-relative path as a relative URI reference: every byte outside the
/// unreserved set and `/` percent-encoded (`my mod.py` -> `my%20mod.py`).
fn uri_path(path: &str) -> String {
    /// Everything but ASCII letters, digits, `-._~` and `/`.
    const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(path, ENCODED).to_string()
}

#[cfg(test)]
mod test {
    use super::*;

    fn fingerprints(source: &str) -> Vec<(usize, String)> {
        let operators = [Operator::BinaryOperator].into_iter().collect();
        crate::python::discover::mutate_source("m.py", source, &operators)
            .unwrap()
            .iter()
            .map(|mutant| {
                let line = mutant.start.line;
                (line, fingerprint(&mutant.path, line, source))
            })
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
