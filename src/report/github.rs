//! The `github` report, for GitHub Actions (it does nothing elsewhere): one
//! `::warning file=...,line=...,col=...::` workflow command per line of code with mutants
//! the tests missed (its most telling mutant, the others in the message), so each shows
//! on the pull request's changed lines, and the markdown summary ([`super::markdown`])
//! appended to the file `$GITHUB_STEP_SUMMARY` names.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{Context, Result};

use crate::outcome::Outcome;
use crate::report::Findings;

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
    file.write_all(super::markdown::render(findings).as_bytes())
        .with_context(|| format!("writing $GITHUB_STEP_SUMMARY ({})", path.display()))?;
    Ok("github: annotations printed, step summary written".to_owned())
}

/// One workflow command per place with survivors (a line of code): its most telling
/// mutant, and the others on the line after it.
#[must_use]
pub(crate) fn annotations(findings: &Findings<'_>) -> String {
    let mut out = String::new();
    for block in findings.dead {
        let _ = writeln!(
            out,
            "::notice file={},line={},endLine={},title=Dead code::{}",
            property(&block.path),
            block.start.line,
            block.end.line,
            message(&format!("{}; no input can notice it", block.why))
        );
    }
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
        if let Some(note) = head.probe_note() {
            let _ = write!(text, "\n{note}");
        }
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
