//! Snapshot tests (`insta`) of every renderer, from one fixed set of findings: `git chimp
//! list`'s lines, the terminal summary, report.json, HTML, SARIF, JUnit, the GitHub
//! annotations and the markdown summary (GitHub's step summary, `report.md`). A change
//! to any of them shows up as a snapshot diff to review (`cargo insta review`, or
//! compare the `.snap.new` file). The version number is
//! redacted; the findings' paths and durations are fixed, so nothing else varies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use super::{Findings, github, html, json, junit, markdown, sarif, terminal};
use crate::outcome::{MutantResult, Outcome, RanBy};
use crate::python::discover::mutate_source;
use crate::python::operators::Operator;

const SOURCE: &str = "\
def clamp(value, low, high):
    if value < low:
        return low
    if value > high:
        return high
    return value


def describe(count):
    return \"none\" if count == 0 else f\"{count} items\"
";

/// Every outcome, in turn (the first a second survivor on its line, the ninth and
/// tenth equivalent and accepted); the worker's facts on some.
fn results(mutants: &[crate::python::mutant::Mutant]) -> Vec<MutantResult> {
    let outcomes = [
        Outcome::Killed,
        Outcome::Survived,
        Outcome::Killed,
        Outcome::Uncovered,
        Outcome::Timeout,
        Outcome::Killed,
        Outcome::Survived,
        Outcome::Error,
    ];
    mutants
        .iter()
        .zip(outcomes.iter().cycle())
        .enumerate()
        .map(|(position, (mutant, outcome))| {
            let outcome = match position {
                // Line 2 has two survivors: one finding, the condition first.
                0 => &Outcome::Survived,
                8 => &Outcome::Equivalent,
                9 => &Outcome::Accepted,
                _ => outcome,
            };
            let millis = 10 * (u64::try_from(position).unwrap() + 1);
            let mut result = MutantResult::new(mutant, *outcome, Duration::from_millis(millis));
            if position % 2 == 0 {
                result.ran_by = RanBy::Swapped;
                result.covered_by = vec!["tests/test_clamp.py::test_low".to_owned()];
            }
            match outcome {
                Outcome::Killed => {
                    result.killed_by = Some("tests/test_clamp.py::test_low".to_owned());
                }
                Outcome::Error => result.detail = Some("the sandbox could not be restored".into()),
                Outcome::Timeout => result.detail = Some("ran past 5 s".into()),
                Outcome::Equivalent => {
                    result.detail =
                        Some("compiles to the original's bytecode under python3".into());
                }
                Outcome::Accepted => {
                    result.detail = Some("accepted: the label is only logged".into());
                }
                // The worker's probe of swapped survivors: one input found, one not.
                Outcome::Survived if position == 0 => {
                    result.probe = Some(crate::outcome::Probe::Input(
                        "assert clamp(-1, 0, 10) == 0".into(),
                    ));
                }
                Outcome::Survived if position % 2 == 0 => {
                    result.probe = Some(crate::outcome::Probe::NoInput(
                        "none of 12 calls of clamp differs".into(),
                    ));
                }
                _ => {}
            }
            result
        })
        .collect()
}

fn with_findings(check: impl FnOnce(&Findings<'_>)) {
    let operators: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let mutants = mutate_source("src/clamp.py", SOURCE, &operators).unwrap();
    // One mutant is left without a result, as an interrupted run leaves it.
    let results = results(&mutants[..mutants.len() - 1]);
    let sources = BTreeMap::from([("src/clamp.py".to_owned(), SOURCE.to_owned())]);
    let encodings = BTreeMap::new();
    let skipped = [super::Skipped {
        path: "src/pep701.py".into(),
        reason: "does not parse (line 2, column 18: invalid syntax)".into(),
        unparsable: true,
    }];
    // A file whose only finding is a dead block, as discovery reports it.
    let legacy = "def total(items):\n    result = 0\n    result = sum(items)\n    return result\n";
    let dead = crate::python::discover::discover(
        "src/legacy.py",
        legacy,
        &operators,
        &crate::python::arid::AridRule::defaults(),
    )
    .unwrap()
    .dead;
    assert_eq!(dead.len(), 1, "{dead:?}");
    let mut sources = sources;
    sources.insert("src/legacy.py".to_owned(), legacy.to_owned());
    let findings = Findings {
        root: Path::new("/work/project"),
        sources: &sources,
        encodings: &encodings,
        mutants: &mutants,
        results: &results,
        shard: None,
        skipped: &skipped,
        dead: &dead,
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| check(&findings));
}

/// `text` with git-chimp's version, where it stands as a word, written `[version]`, so
/// that a release does not change the snapshots.
fn versionless(text: impl AsRef<str>) -> String {
    let text = text.as_ref();
    let version = env!("CARGO_PKG_VERSION");
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in text.match_indices(version) {
        let end = at + version.len();
        if at < rest || word(text[..at].chars().next_back()) || word(text[end..].chars().next()) {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str("[version]");
        rest = end;
    }
    out.push_str(&text[rest..]);
    out
}

#[test]
fn a_version_is_masked_only_where_it_is_a_word() {
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        versionless(format!("v{version} ({version}) {version}1 x{version}")),
        format!("v{version} ([version]) {version}1 x{version}")
    );
}

#[test]
fn list_lines() {
    with_findings(|findings| {
        let lines: Vec<String> = findings.mutants.iter().map(terminal::mutant_line).collect();
        insta::assert_snapshot!(versionless(lines.join("\n")));
    });
}

#[test]
fn terminal_summary() {
    with_findings(|findings| {
        let summary = terminal::summary(
            findings.results,
            findings.mutants.len(),
            true,
            &terminal::Listing {
                all: false,
                more: ".chimp/report.html",
            },
        );
        let summary = summary
            + &terminal::dead_lines(findings.dead)
            + &terminal::skipped_lines(findings.skipped);
        insta::assert_snapshot!(versionless(summary));
    });
}

#[test]
fn report_json() {
    with_findings(|findings| {
        let json = String::from_utf8(json::render(findings).unwrap()).unwrap();
        insta::assert_snapshot!(versionless(json));
    });
}

/// report.json's dead blocks come back from `git chimp merge` as they went in.
#[test]
fn dead_code_survives_a_merge() {
    with_findings(|findings| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, json::render(findings).unwrap()).unwrap();
        let merged = super::merge::merge(&[path]).unwrap();
        assert_eq!(merged.dead, findings.dead);
        assert_eq!(merged.mutants.len(), findings.mutants.len());
    });
}

#[test]
fn html_page() {
    with_findings(|findings| insta::assert_snapshot!(versionless(html::render(findings))));
}

#[test]
fn sarif_log() {
    with_findings(|findings| {
        insta::assert_snapshot!(versionless(sarif::render(findings).unwrap()));
    });
}

#[test]
fn junit_xml() {
    with_findings(|findings| insta::assert_snapshot!(versionless(junit::render(findings))));
}

#[test]
fn github_annotations_and_summary() {
    with_findings(|findings| {
        insta::assert_snapshot!(
            "github_annotations",
            versionless(github::annotations(findings))
        );
        insta::assert_snapshot!("markdown_summary", versionless(markdown::render(findings)));
    });
}
