//! Reports of a finished (or interrupted) run: the terminal summary, `report.json`, one
//! patch per survivor, and the reports `--report` asks for (HTML, SARIF, JUnit, GitHub,
//! markdown).
//! Every report reads the same [`Findings`], which a run builds from its results and
//! `git chimp merge` from shard reports.

pub(crate) mod github;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod markdown;
pub(crate) mod merge;
pub(crate) mod mte;
pub(crate) mod patch;
pub(crate) mod sarif;
#[cfg(test)]
mod snapshots;
pub(crate) mod terminal;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::outcome::MutantResult;
use crate::output::{OutputDir, write_atomic};
use crate::python::discover::DeadCode;
use crate::python::mutant::Mutant;
use crate::shard::Shard;

/// A report besides report.json (`--report`). Its name is its variant's in lower case,
/// on the command line (clap's) as in a configuration (strum's, any case there).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    clap::ValueEnum,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
pub enum ReportKind {
    /// One self-contained page: `.chimp/report.html`.
    Html,
    /// SARIF 2.1.0 for code scanning: `.chimp/report.sarif`.
    Sarif,
    /// JUnit XML, one test case per mutant (per line for survivors): `.chimp/junit.xml`.
    Junit,
    /// GitHub Actions annotations and `$GITHUB_STEP_SUMMARY` markdown.
    Github,
    /// The same markdown summary for other CI systems and pull-request comments:
    /// `.chimp/report.md`.
    Markdown,
}

impl ReportKind {
    /// `kinds` with each kind once, in a fixed order.
    #[must_use]
    pub(crate) fn distinct(kinds: &[ReportKind]) -> Vec<ReportKind> {
        let kinds: BTreeSet<ReportKind> = kinds.iter().copied().collect();
        kinds.into_iter().collect()
    }

    /// The file in `.chimp/` the report is written to (none for GitHub's, which goes to
    /// the job's own output).
    #[must_use]
    pub(crate) fn file_name(self) -> Option<&'static str> {
        match self {
            ReportKind::Html => Some("report.html"),
            ReportKind::Sarif => Some("report.sarif"),
            ReportKind::Junit => Some("junit.xml"),
            ReportKind::Markdown => Some("report.md"),
            ReportKind::Github => None,
        }
    }
}

/// A `--shard` run's place in the whole run, as its reports note it.
#[derive(Debug, Clone)]
pub(crate) struct ShardInfo {
    /// The run's share of the mutants.
    pub shard: Shard,
    /// How many mutants the whole run has.
    pub mutants_in_run: usize,
    /// The split's name ([`crate::shard::Split`]).
    pub split: String,
}

/// A selected Python file that was not mutated, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    /// Repository-relative path.
    pub path: String,
    /// Why, as the run said it (`does not parse (line 2, column 18: ...)`).
    pub reason: String,
    /// Whether Python itself would reject it (it does not parse, or holds a NUL byte), which
    /// `--strict-parse` makes an error; a symbolic link is skipped for other reasons.
    pub unparsable: bool,
}

/// What a run found: every mutant it meant to test, with the outcome of those it finished.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Findings<'a> {
    /// The repository root.
    pub root: &'a Path,
    /// Original text of each file with mutants.
    pub sources: &'a BTreeMap<String, String>,
    /// The encoding of each of those files that is not UTF-8: their patches are in it.
    pub encodings: &'a BTreeMap<String, crate::python::encoding::SourceEncoding>,
    /// The mutants, in discovery order.
    pub mutants: &'a [Mutant],
    /// Outcomes known, in any order.
    pub results: &'a [MutantResult],
    /// A `--shard` run's share of the whole run.
    pub shard: Option<&'a ShardInfo>,
    /// The selected files that were not mutated.
    pub skipped: &'a [Skipped],
    /// Dead code, each block once (no mutants were made in it).
    pub dead: &'a [DeadCode],
}

/// The survivors that start on one line of one file, the most telling first: what a
/// report shows as one finding.
#[derive(Debug, Clone)]
pub(crate) struct Place<'a> {
    /// Never empty.
    pub(crate) results: Vec<&'a MutantResult>,
}

impl<'a> Place<'a> {
    /// The most telling survivor: the finding's title.
    #[must_use]
    pub(crate) fn head(&self) -> &'a MutantResult {
        self.results[0]
    }

    /// The other survivors on the line, most telling first.
    #[must_use]
    pub(crate) fn others(&self) -> &[&'a MutantResult] {
        &self.results[1..]
    }
}

/// The survivors among `results` grouped by the line they start on: one finding per
/// place, the most telling mutant first ([`telling`]). Places are in file and line order.
#[must_use]
pub(crate) fn places(results: &[MutantResult]) -> Vec<Place<'_>> {
    let mut by_line: BTreeMap<(&str, usize), Vec<&MutantResult>> = BTreeMap::new();
    for result in results.iter().filter(|result| result.outcome.undetected()) {
        by_line
            .entry((&result.mutant.path, result.mutant.start.line))
            .or_default()
            .push(result);
    }
    by_line
        .into_values()
        .map(|mut results| {
            results.sort_by_key(|result| telling(result));
            Place { results }
        })
        .collect()
}

/// How telling a survivor is, as a sort key (least first): survived before uncovered,
/// one with an input that tells it apart (the probe's) before one without, then by
/// operator ([`Operator::signal_rank`]: statement deletion, return value, condition,
/// comparison, ... string last), then by place.
pub(crate) fn telling(result: &MutantResult) -> impl Ord + use<'_> {
    (
        result.outcome == crate::outcome::Outcome::Uncovered,
        result.input().is_none(),
        result.mutant.operator.signal_rank(),
        &result.mutant.path,
        result.mutant.span,
    )
}

/// A mutant and its result, if it has one.
pub(crate) type Entry<'a> = (&'a Mutant, Option<&'a MutantResult>);

impl<'a> Findings<'a> {
    /// Each mutant with its result, if it has one.
    #[must_use]
    pub(crate) fn entries(&self) -> Vec<Entry<'a>> {
        let by_id: BTreeMap<&str, &MutantResult> = self
            .results
            .iter()
            .map(|result| (result.mutant.id.0.as_str(), result))
            .collect();
        self.mutants
            .iter()
            .map(|mutant| (mutant, by_id.get(mutant.id.0.as_str()).copied()))
            .collect()
    }

    /// The entries grouped by file, files in path order.
    #[must_use]
    pub(crate) fn by_file(&self) -> BTreeMap<&'a str, Vec<Entry<'a>>> {
        let mut files: BTreeMap<&str, Vec<Entry<'a>>> = BTreeMap::new();
        for (mutant, result) in self.entries() {
            files
                .entry(&mutant.path)
                .or_default()
                .push((mutant, result));
        }
        files
    }

    /// The survivors as findings: [`places`] of the results.
    #[must_use]
    pub(crate) fn places(&self) -> Vec<Place<'a>> {
        places(self.results)
    }

    /// The original text of `path` (empty when unknown).
    #[must_use]
    pub(crate) fn source(&self, path: &str) -> &'a str {
        self.sources.get(path).map_or("", String::as_str)
    }
}

/// The files in `.chimp/` a run with `kinds` writes its reports to.
#[must_use]
pub(crate) fn file_names(kinds: &[ReportKind]) -> Vec<&'static str> {
    let mut names = vec!["report.json"];
    names.extend(kinds.iter().filter_map(|kind| kind.file_name()));
    names
}

/// Write `report.json`, the survivors' patches and the `kinds` of report asked for;
/// return what to tell the user about the extra reports (one line each).
///
/// # Errors
/// When a report cannot be written.
pub(crate) fn write_all(
    out: &OutputDir,
    findings: &Findings<'_>,
    kinds: &[ReportKind],
) -> Result<Vec<String>> {
    json::write_report(&out.report_path(), findings)?;
    patch::write_patches(out, findings.results, findings.sources, findings.encodings)?;
    let mut notes = Vec::new();
    for kind in kinds {
        let file = |text: String| -> Result<PathBuf> {
            let path = out.root().join(kind.file_name().unwrap_or_default());
            write_atomic(&path, text.as_bytes())?;
            Ok(path)
        };
        let note = match kind {
            ReportKind::Html => {
                format!("html: {}", file(html::render(findings))?.display())
            }
            ReportKind::Sarif => format!("sarif: {}", file(sarif::render(findings)?)?.display()),
            ReportKind::Junit => {
                format!("junit: {}", file(junit::render(findings))?.display())
            }
            ReportKind::Markdown => {
                format!("markdown: {}", file(markdown::render(findings))?.display())
            }
            // The step summary is a convenience: failing to append to it must not cost
            // the run its outcome (the annotations are already printed).
            ReportKind::Github => {
                github::emit(findings).unwrap_or_else(|err| format!("github: warning: {err:#}"))
            }
        };
        notes.push(note);
    }
    Ok(notes)
}

/// `text` with the characters XML 1.0 cannot hold (control characters other than tab
/// and line ends, U+FFFE, U+FFFF) replaced by U+FFFD.
pub(crate) fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (u32::from(c) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
            || c == '\u{fffe}'
            || c == '\u{ffff}'
    };
    if text.chars().any(unsafe_char) {
        text.chars()
            .map(|c| if unsafe_char(c) { '\u{fffd}' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Text for an HTML or XML attribute or element: markup characters escaped, and characters XML
/// 1.0 cannot hold replaced.
pub(crate) fn escape_markup(text: &str) -> String {
    let text = xml_safe(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn escape_keeps_markup_well_formed() {
        assert_eq!(
            escape_markup("a < b && \"c\"\u{1}"),
            "a &lt; b &amp;&amp; &quot;c&quot;\u{fffd}"
        );
    }
}
