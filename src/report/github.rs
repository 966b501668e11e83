//! The `github` report, for GitHub Actions (it does nothing elsewhere): one
//! `::warning file=...,line=...,col=...::` workflow command per line of code with mutants
//! the tests missed (its most telling mutant, the others in the message), so each shows
//! on the pull request's changed lines, and a markdown summary (totals, score and the
//! survivors by line with their diffs) appended to the file `$GITHUB_STEP_SUMMARY` names.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{Context, Result};

use crate::outcome::{MutantResult, Outcome, Summary};
use crate::report::Findings;

/// Lines with survivors listed in the step summary; the rest are counted.
const SUMMARY_LIMIT: usize = 100;

/// Print the annotations and append the summary when running in GitHub Actions; return a
/// line saying what was done.
///
/// # Errors
/// When the step summary file cannot be written.
pub(crate) fn emit(findings: &Findings<'_>) -> Result<String> {
    if std::env::var("GITHUB_ACTIONS").as_deref() != Ok("true") {
        return Ok(
            "github: not in GitHub Actions (GITHUB_ACTIONS is not `true`): no \
                   annotations"
                .to_owned(),
        );
    }
    print!("{}", annotations(findings));
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok("github: annotations printed; GITHUB_STEP_SUMMARY is not set".to_owned());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("opening $GITHUB_STEP_SUMMARY ({})", path.display()))?;
    file.write_all(summary_markdown(findings).as_bytes())
        .with_context(|| format!("writing $GITHUB_STEP_SUMMARY ({})", path.display()))?;
    Ok("github: annotations printed, step summary written".to_owned())
}

/// One workflow command per place with survivors (a line of code): its most telling
/// mutant, and the others on the line after it.
#[must_use]
pub(crate) fn annotations(findings: &Findings<'_>) -> String {
    let mut out = String::new();
    for place in findings.places() {
        let head = place.head();
        let mutant = &head.mutant;
        let (title, what) = if head.outcome == Outcome::Uncovered {
            ("Mutant not covered", "no test reaches this code")
        } else {
            ("Mutant survived", "the tests still pass")
        };
        let more = match place.others().len() {
            0 => String::new(),
            n => format!(", {n} more on this line"),
        };
        let mut text = format!(
            "{} with this change ({what}); patch: .chimp/survived/{}.patch",
            mutant.describe(),
            mutant.id
        );
        for other in place.others() {
            let _ = write!(
                text,
                "\nalso survived: {} ({}); patch: .chimp/survived/{}.patch",
                other.mutant.describe(),
                other.mutant.operator,
                other.mutant.id
            );
        }
        let _ = writeln!(
            out,
            "::warning file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&mutant.path),
            mutant.start.line,
            mutant.start.column,
            mutant.end.line,
            mutant.end.column,
            property(&format!("{title} ({}{more})", mutant.operator)),
            message(&text)
        );
    }
    out
}

/// The step summary: totals, score, survivors.
#[must_use]
pub(crate) fn summary_markdown(findings: &Findings<'_>) -> String {
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
        for place in places.iter().take(SUMMARY_LIMIT) {
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
                diff(head)
            );
            for other in place.others() {
                let _ = writeln!(
                    out,
                    "Also on this line, {} <code>{}</code>:\n\n{}",
                    other.mutant.operator,
                    super::escape_markup(&other.mutant.describe()),
                    diff(other)
                );
            }
            out.push_str("</details>\n\n");
        }
        if places.len() > SUMMARY_LIMIT {
            let _ = writeln!(
                out,
                "…and {} more lines: see `.chimp/report.json` or the HTML report.\n",
                places.len() - SUMMARY_LIMIT
            );
        }
    }
    out
}

/// A workflow command's message: `%`, CR and LF encoded.
fn message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,` encoded.
fn property(text: &str) -> String {
    message(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn workflow_command_values_are_encoded() {
        assert_eq!(message("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
