//! `.chimp/junit.xml`: JUnit XML for CI systems that show test results (GitLab, Jenkins,
//! Azure Pipelines, ...). One `<testsuite>` per file, one `<testcase>` per mutant: killed
//! and timed-out mutants pass, survivors and uncovered mutants are failures carrying
//! their patch, errors are errors, and mutants an interrupted run did not reach are
//! skipped.

use std::fmt::Write;

use crate::outcome::Outcome;
use crate::report::{Entry, Findings, escape_markup as escape};

/// The JUnit XML document of `findings`.
#[must_use]
pub(crate) fn render(findings: &Findings<'_>) -> String {
    let files = findings.by_file();
    let count = |entries: &[Entry<'_>], wanted: fn(Option<Outcome>) -> bool| {
        entries
            .iter()
            .filter(|(_, result)| wanted(result.map(|r| r.outcome)))
            .count()
    };
    let failed = |outcome: Option<Outcome>| outcome.is_some_and(Outcome::undetected);
    let errored = |outcome: Option<Outcome>| outcome == Some(Outcome::Error);
    let skipped = |outcome: Option<Outcome>| outcome.is_none();
    let seconds = |entries: &[Entry<'_>]| -> f64 {
        entries
            .iter()
            .filter_map(|(_, result)| result.map(|r| r.duration.as_secs_f64()))
            .sum()
    };
    let all = findings.entries();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"git-chimp\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        all.len(),
        count(&all, failed),
        count(&all, errored),
        count(&all, skipped),
        seconds(&all)
    );
    for (path, entries) in &files {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            escape(path),
            entries.len(),
            count(entries, failed),
            count(entries, errored),
            count(entries, skipped),
            seconds(entries)
        );
        for (mutant, result) in entries {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(&mutant.path.replace('/', ".")),
                escape(&format!(
                    "{}:{} {} {} [{}]",
                    mutant.start.line,
                    mutant.start.column,
                    mutant.operator,
                    mutant.describe(),
                    mutant.id
                )),
                result.map_or(0.0, |r| r.duration.as_secs_f64())
            );
            let detail = result.and_then(|r| r.detail.as_deref()).unwrap_or("");
            match result.map(|r| r.outcome) {
                Some(Outcome::Killed | Outcome::Timeout) => xml.push_str("/>\n"),
                None => xml.push_str(
                    ">\n      <skipped message=\"not run (interrupted)\"/>\n    </testcase>\n",
                ),
                Some(Outcome::Error) => {
                    let _ = write!(
                        xml,
                        ">\n      <error message=\"{}\"/>\n    </testcase>\n",
                        escape(detail)
                    );
                }
                Some(outcome) => {
                    let message = if outcome == Outcome::Uncovered {
                        "mutant not covered: no test reaches this code"
                    } else {
                        "mutant survived: the tests pass with this change"
                    };
                    let _ = write!(
                        xml,
                        ">\n      <failure message=\"{message}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                        outcome.name(),
                        escape(&mutant.diff(findings.source(&mutant.path)))
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
