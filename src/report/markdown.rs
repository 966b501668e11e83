//! The markdown summary of a run: the score, the counts, and the survivors by line
//! (the most telling mutant first, the others with it) with their diffs. GitHub's step
//! summary (`--report github`) and `.chimp/report.md` (`--report markdown`, for other CI
//! systems and pull-request comments) are this text.

use std::fmt::Write as _;

use crate::outcome::{MutantResult, Outcome, Summary};
use crate::report::Findings;

/// Lines with survivors listed; the rest are counted.
const LIMIT: usize = 100;

/// The summary: totals, score, and the survivors by line with their diffs.
#[must_use]
pub(crate) fn render(findings: &Findings<'_>) -> String {
    let summary = Summary::of(findings.results);
    let mut out = String::from("## git-chimp mutation testing\n\n");
    let score = summary
        .score()
        .map_or_else(|| "n/a".to_owned(), |score| format!("{score:.1}%"));
    let _ = writeln!(
        out,
        "**Mutation score: {score}** ({} mutants{})\n",
        findings.mutants.len(),
        summary
            .unscored()
            .map(|unscored| format!("; {unscored}"))
            .unwrap_or_default()
    );
    out.push_str("| outcome | mutants |\n| --- | ---: |\n");
    for outcome in summary.shown() {
        let _ = writeln!(out, "| {} | {} |", outcome.name(), summary.count(outcome));
    }
    if !findings.dead.is_empty() {
        out.push_str("\n### Dead code\n\nNo input can notice these blocks; no mutants were made in them.\n\n");
        for block in findings.dead {
            let _ = writeln!(out, "- `{}`: {}", block.place(), block.why);
        }
    }
    let places = findings.places();
    if !places.is_empty() {
        out.push_str("\n### Survivors\n\n");
        let diff = |result: &MutantResult| {
            let mutant = &result.mutant;
            format!(
                "```diff\n{}```\n",
                mutant
                    .diff(findings.source(&mutant.path))
                    .replace("```", "`\u{200b}``")
            )
        };
        for place in places.iter().take(LIMIT) {
            let head = place.head();
            let mutant = &head.mutant;
            let more = match place.others().len() {
                0 => String::new(),
                n => format!(" (and {n} more on this line)"),
            };
            let _ = writeln!(
                out,
                "<details><summary><code>{}:{}:{}</code> {} <code>{}</code>{}{more}</summary>\n\n{}",
                mutant.path,
                mutant.start.line,
                mutant.start.column,
                mutant.operator,
                super::escape_markup(&mutant.describe()),
                if head.outcome == Outcome::Uncovered {
                    " (no test reaches it)"
                } else {
                    ""
                },
                diff(head) + &probed(head)
            );
            for other in place.others() {
                let _ = writeln!(
                    out,
                    "Also on this line, {} <code>{}</code>:\n\n{}",
                    other.mutant.operator,
                    super::escape_markup(&other.mutant.describe()),
                    diff(other) + &probed(other)
                );
            }
            out.push_str("</details>\n\n");
        }
        if places.len() > LIMIT {
            let _ = writeln!(
                out,
                "…and {} more lines: see `.chimp/report.json` or the HTML report.\n",
                places.len() - LIMIT
            );
        }
    }
    out
}

/// A survivor's probe finding, after its diff: the input as a Python block, or why none.
fn probed(result: &MutantResult) -> String {
    match &result.probe {
        Some(crate::outcome::Probe::Input(input)) => format!(
            "\nAn input that tells it apart (passes on the original, fails on the mutant):\n\n```python\n{}\n```\n",
            input.replace("```", "`\u{200b}``")
        ),
        Some(crate::outcome::Probe::NoInput(why)) => {
            format!(
                "\nNo differing input found ({}).\n",
                super::escape_markup(why)
            )
        }
        None => String::new(),
    }
}
