//! `.chimp/report.html`: one self-contained page (inline CSS, no script, no network) that
//! opens offline in any browser. It shows the totals and score, a file index, and each
//! file's source with every line that holds a missed mutant highlighted; under such a
//! line, each of its mutants with outcome, operator and change, and for survivors the
//! diff. Check boxes at the top filter the mutants by outcome (plain CSS, so the page
//! works with scripts disabled); killed mutants start hidden.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::outcome::{MutantResult, Outcome, Summary};
use crate::python::mutant::Mutant;
use crate::report::{Entry, Findings, ShardInfo, escape_markup as escape};

/// The outcome classes of the page, with their filter's label and initial state.
const FILTERS: [(&str, &str, bool); 8] = [
    ("survived", "survived", true),
    ("uncovered", "uncovered", true),
    ("killed", "killed", false),
    ("timeout", "timeout", true),
    ("equivalent", "equivalent", false),
    ("accepted", "accepted", true),
    ("error", "error", true),
    ("pending", "not run", true),
];

const STYLE: &str = "
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #fff; }
header { padding: 16px 24px; background: #24292f; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 20px; }
.totals span { display: inline-block; margin-right: 14px; }
.score { font-size: 28px; font-weight: 700; }
.filters { padding: 10px 24px; border-bottom: 1px solid #d0d7de; background: #f6f8fa;
  position: sticky; top: 0; z-index: 2; }
.filters label { margin-right: 14px; cursor: pointer; }
main { padding: 8px 24px 40px; }
nav table, .source { border-collapse: collapse; }
nav td { padding: 1px 10px 1px 0; }
details.file { margin: 14px 0; border: 1px solid #d0d7de; border-radius: 6px; }
details.file > summary { padding: 8px 12px; background: #f6f8fa; cursor: pointer;
  font-weight: 600; }
.source { width: 100%; font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
.source td { padding: 0 8px; vertical-align: top; white-space: pre-wrap; }
.source td.n { width: 1%; text-align: right; color: #6e7781; user-select: none; }
tr.line-missed td { background: #ffd7d5; }
tr.line-missed td.n { color: #82071e; font-weight: 700; }
tr.line-caught td.n { color: #116329; }
tr.mutants td { padding: 2px 8px 6px 48px; background: #fafbfc; white-space: normal; }
.mutant { margin: 2px 0; font-family: system-ui, sans-serif; }
.badge { display: inline-block; min-width: 70px; padding: 0 6px; border-radius: 10px;
  font-size: 12px; text-align: center; color: #fff; }
.o-survived .badge { background: #cf222e; } .o-uncovered .badge { background: #bc4c00; }
.o-killed .badge { background: #1a7f37; } .o-timeout .badge { background: #0969da; }
.o-error .badge { background: #6e7781; } .o-pending .badge { background: #8c959f; }
.o-equivalent .badge { background: #8c959f; } .o-accepted .badge { background: #8250df; }
.mutant code { background: #eff1f3; padding: 0 3px; border-radius: 3px; }
pre.diff { margin: 4px 0 6px; padding: 6px 8px; background: #fff; border: 1px solid #d0d7de;
  border-radius: 4px; overflow-x: auto; font-size: 12px; }
pre.diff .add { color: #116329; background: #dafbe1; }
pre.diff .del { color: #82071e; background: #ffebe9; }
pre.diff .hunk { color: #6e7781; }
.id { color: #6e7781; font-size: 12px; }
";

/// The page for `findings`.
#[must_use]
pub(crate) fn render(findings: &Findings<'_>) -> String {
    let summary = Summary::of(findings.results);
    let files = findings.by_file();
    let mut page = String::with_capacity(64 * 1024);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<title>git-chimp mutation report</title>\n<style>");
    page.push_str(STYLE);
    for (class, _, _) in FILTERS {
        let _ = write!(
            page,
            "\n#show-{class}:not(:checked) ~ main .o-{class} {{ display: none; }}"
        );
    }
    page.push_str("\n</style>\n</head>\n<body>\n");
    header(&mut page, findings, &summary);
    for (class, _, checked) in FILTERS {
        let _ = write!(
            page,
            "<input type=\"checkbox\" id=\"show-{class}\" hidden{}>",
            if checked { " checked" } else { "" }
        );
    }
    page.push_str("\n<div class=\"filters\">Show: ");
    for (class, label, _) in FILTERS {
        let _ = write!(
            page,
            "<label for=\"show-{class}\" class=\"toggle\" data-for=\"{class}\">{label}</label>"
        );
    }
    page.push_str("</div>\n");
    // The hidden check boxes must be siblings of <main> for the CSS filters; the labels
    // toggle them. A tick mark shows each box's state.
    page.push_str("<style>");
    for (class, _, _) in FILTERS {
        let _ = write!(
            page,
            "\n#show-{class}:checked ~ .filters label[data-for={class}]::before {{ content: '\\2611  '; }}\
             \n#show-{class}:not(:checked) ~ .filters label[data-for={class}]::before {{ content: '\\2610  '; }}"
        );
    }
    page.push_str("\n</style>\n<main>\n");
    index(&mut page, &files);
    dead_section(&mut page, findings.dead);
    skipped_section(&mut page, findings.skipped);
    for (number, (path, entries)) in files.iter().enumerate() {
        file_section(&mut page, number, path, findings.source(path), entries);
    }
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

fn header(page: &mut String, findings: &Findings<'_>, summary: &Summary) {
    let score = summary
        .score()
        .map_or_else(|| "n/a".to_owned(), |score| format!("{score:.1}%"));
    // Mutants with no outcome: an interrupted run's, and those the budget left out.
    let pending = findings.mutants.len() - findings.results.len() + summary.count(Outcome::NotRun);
    let _ = write!(
        page,
        "<header>\n<h1>git-chimp mutation report</h1>\n<div class=\"score\">mutation score {score}{}</div>\n<div class=\"totals\"><span>{} mutants</span>",
        summary.unscored_note(),
        findings.mutants.len()
    );
    for outcome in summary.shown() {
        if outcome == Outcome::NotRun {
            continue;
        }
        let _ = write!(
            page,
            "<span id=\"total-{}\">{} {}</span>",
            outcome.name(),
            summary.count(outcome),
            outcome.name()
        );
    }
    if pending > 0 {
        let _ = write!(page, "<span id=\"total-pending\">{pending} not run</span>");
    }
    if let Some(&ShardInfo {
        shard,
        mutants_in_run: total,
        ..
    }) = findings.shard
    {
        let _ = write!(
            page,
            "<span>shard {shard} of a run with {total} mutants</span>"
        );
    }
    let _ = writeln!(
        page,
        "</div>\n<div>{}</div>\n</header>",
        escape(&findings.root.display().to_string())
    );
}

/// The dead code the run found, if any: each block's place and why.
fn dead_section(page: &mut String, dead: &[crate::python::discover::DeadCode]) {
    if dead.is_empty() {
        return;
    }
    page.push_str(
        "<section id=\"dead\"><h2>Dead code</h2>\n<p>No input can notice these blocks; \
         no mutants were made in them.</p>\n<ul>\n",
    );
    for block in dead {
        let _ = writeln!(
            page,
            "<li><code>{}</code>: {}</li>",
            escape(&block.place()),
            escape(&block.why)
        );
    }
    page.push_str("</ul></section>\n");
}

/// The files the run did not mutate, with the reason, if any.
fn skipped_section(page: &mut String, skipped: &[super::Skipped]) {
    if skipped.is_empty() {
        return;
    }
    page.push_str("<section id=\"skipped\"><h2>Skipped files</h2>\n<ul>\n");
    for file in skipped {
        let _ = writeln!(
            page,
            "<li><code>{}</code>: {}</li>",
            escape(&file.path),
            escape(&file.reason)
        );
    }
    page.push_str("</ul></section>\n");
}

fn index(page: &mut String, files: &BTreeMap<&str, Vec<Entry<'_>>>) {
    page.push_str("<nav><h2>Files</h2>\n<table>\n<tr><th align=\"left\">file</th><th>mutants</th><th>missed</th><th>score</th></tr>\n");
    for (number, (path, entries)) in files.iter().enumerate() {
        let summary = Summary::of_outcomes(
            entries
                .iter()
                .filter_map(|(_, result)| result.map(|result| result.outcome)),
        );
        let missed = summary.count(Outcome::Survived) + summary.count(Outcome::Uncovered);
        let _ = writeln!(
            page,
            "<tr><td><a href=\"#file-{number}\">{}</a></td><td align=\"right\">{}</td><td align=\"right\">{missed}</td><td align=\"right\">{}</td></tr>",
            escape(path),
            entries.len(),
            summary
                .score()
                .map_or_else(|| "n/a".to_owned(), |score| format!("{score:.0}%"))
        );
    }
    page.push_str("</table></nav>\n");
}

fn file_section(page: &mut String, number: usize, path: &str, source: &str, entries: &[Entry<'_>]) {
    let missed = entries
        .iter()
        .filter(|(_, result)| result.is_some_and(|r| r.outcome.undetected()))
        .count();
    let mut by_line: BTreeMap<usize, Vec<Entry<'_>>> = BTreeMap::new();
    for entry in entries {
        by_line.entry(entry.0.start.line).or_default().push(*entry);
    }
    // On each line, what the tests missed first, the most telling of it first.
    for line in by_line.values_mut() {
        line.sort_by_key(|(mutant, result)| {
            (
                !result.is_some_and(|result| result.outcome.undetected()),
                mutant.operator.signal_rank(),
                mutant.span,
            )
        });
    }
    let _ = writeln!(
        page,
        "<details class=\"file\" id=\"file-{number}\"{}>\n<summary>{} — {} mutants, {missed} missed</summary>\n<table class=\"source\">",
        if missed > 0 { " open" } else { "" },
        escape(path),
        entries.len()
    );
    for (number, line) in crate::span::LineIndex::new(source)
        .lines(source)
        .into_iter()
        .enumerate()
    {
        let number = number + 1;
        let here = by_line.get(&number);
        let class = match here {
            Some(mutants)
                if mutants
                    .iter()
                    .any(|(_, r)| r.is_some_and(|r| r.outcome.undetected())) =>
            {
                " class=\"line-missed\""
            }
            Some(_) => " class=\"line-caught\"",
            None => "",
        };
        let _ = writeln!(
            page,
            "<tr{class}><td class=\"n\">{number}</td><td>{}</td></tr>",
            escape(line)
        );
        if let Some(mutants) = here {
            page.push_str("<tr class=\"mutants\"><td></td><td>");
            for (mutant, result) in mutants {
                mutant_entry(page, source, mutant, *result);
            }
            page.push_str("</td></tr>\n");
        }
    }
    page.push_str("</table>\n</details>\n");
}

fn mutant_entry(page: &mut String, source: &str, mutant: &Mutant, result: Option<&MutantResult>) {
    let class = result
        .filter(|r| r.outcome != Outcome::NotRun)
        .map_or("pending", |r| r.outcome.name());
    let _ = write!(
        page,
        "<div class=\"mutant o-{class}\" id=\"m-{}\"><span class=\"badge\">{}</span> {}:{} {} <code>{}</code> <span class=\"id\">{}</span>",
        mutant.id,
        if class == "pending" { "not run" } else { class },
        mutant.start.line,
        mutant.start.column,
        mutant.operator,
        escape(&mutant.describe()),
        mutant.id
    );
    if let Some(killer) = result.and_then(|r| r.killed_by.as_deref()) {
        let _ = write!(
            page,
            " <span class=\"id\">killed by {}</span>",
            escape(killer)
        );
    }
    // Why an equivalent mutant is one, and the team's reason for an accepted survivor.
    if let Some(detail) = result
        .filter(|r| r.outcome.unscored())
        .and_then(|r| r.detail.as_deref())
    {
        let _ = write!(page, " <span class=\"id\">{}</span>", escape(detail));
    }
    // What the probe found for a survivor: an input that tells it apart, or why none.
    if let Some(note) = result.and_then(MutantResult::probe_note) {
        let _ = write!(page, " <span class=\"id\">{}</span>", escape(&note));
    }
    if result.is_some_and(|r| r.outcome.undetected()) {
        page.push_str("<pre class=\"diff\">");
        // The file is the section's; the hunk is what matters.
        let diff = mutant.diff(source);
        let hunk = diff.lines().skip_while(|line| !line.starts_with("@@"));
        for line in hunk {
            let class = if line.starts_with("@@") {
                "hunk"
            } else if line.starts_with('+') {
                "add"
            } else if line.starts_with('-') {
                "del"
            } else {
                ""
            };
            let _ = writeln!(page, "<span class=\"{class}\">{}</span>", escape(line));
        }
        page.push_str("</pre>");
    }
    page.push_str("</div>\n");
}
