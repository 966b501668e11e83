//! The summary printed at the end of a run: counts per outcome, the mutation score and
//! the survivors, one finding per line of code ([`super::Place`]): its most telling
//! mutant (`path:line:col  operator  before -> after  [id]`), then the others on that
//! line under it (`+ ...`). The [`SHOWN`] most telling places (survived before
//! uncovered, then by [`Operator::signal_rank`](crate::python::operators::Operator::signal_rank) of their first mutant, then by place), or
//! every one with `--all`.

use std::fmt::Write;

use crate::python::mutant::Mutant;

/// How many places (lines with survivors) the summary lists without `--all`.
pub(crate) const SHOWN: usize = 30;
use crate::outcome::{MutantResult, Outcome, Summary};

/// One mutant as a terminal line.
#[must_use]
pub(crate) fn mutant_line(mutant: &Mutant) -> String {
    format!(
        "{}:{}:{}  {}  {}  [{}]",
        mutant.path,
        mutant.start.line,
        mutant.start.column,
        mutant.operator,
        mutant.describe(),
        mutant.id
    )
}

/// Which survivors the summary lists: every one (`all`, `--all`), or the most telling
/// with `more` saying where the rest are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listing<'a> {
    /// List every survivor.
    pub(crate) all: bool,
    /// Where the survivors left out are (`pass --all, or see ...`).
    pub(crate) more: &'a str,
}

/// The end-of-run summary. `total` is the number of mutants the run meant to test; `all`
/// lists every survivor; `more` says where the rest are.
#[must_use]
pub(crate) fn summary(
    results: &[MutantResult],
    total: usize,
    interrupted: bool,
    listing: &Listing<'_>,
) -> String {
    let Listing { all, more } = *listing;
    let summary = Summary::of(results);
    let mut out = String::new();
    if interrupted {
        let _ = writeln!(
            out,
            "interrupted: {} of {total} mutants finished",
            results.len()
        );
    }
    let counts: Vec<String> = summary
        .shown()
        .into_iter()
        .map(|outcome| format!("{} {}", summary.count(outcome), outcome.name()))
        .collect();
    let _ = writeln!(out, "{total} mutants: {}", counts.join(", "));
    let note = summary.unscored_note();
    match summary.score() {
        Some(score) => {
            let _ = writeln!(out, "mutation score: {score:.1}%{note}");
        }
        None => {
            let _ = writeln!(out, "mutation score: n/a{note}");
        }
    }
    let mut places = super::places(results);
    places.sort_by_key(|place| super::telling(place.head()));
    let hidden = if all {
        0
    } else {
        places.len().saturating_sub(SHOWN)
    };
    if !places.is_empty() {
        let _ = writeln!(out, "survived:");
        let line = |result: &MutantResult| {
            let note = if result.outcome == Outcome::Uncovered {
                "  (no test reaches it)"
            } else if matches!(result.probe, Some(crate::outcome::Probe::NoInput(_))) {
                "  (no differing input found)"
            } else {
                ""
            };
            let mut text = format!("{}{note}", mutant_line(&result.mutant));
            if let Some(input) = result.input() {
                let _ = write!(
                    text,
                    "\n      input: {}",
                    input.replace('\n', "\n             ")
                );
            }
            text
        };
        for place in &places[..places.len() - hidden] {
            let _ = writeln!(out, "  {}", line(place.head()));
            for other in place.others() {
                let _ = writeln!(out, "    + {}", line(other));
            }
        }
        if hidden > 0 {
            let mutants: usize = places[places.len() - hidden..]
                .iter()
                .map(|place| place.results.len())
                .sum();
            let _ = writeln!(
                out,
                "  ... and {hidden} more lines ({mutants} mutants): {more}"
            );
        }
    }
    out
}

/// The dead code a run found, one line per block (none when there is none).
#[must_use]
pub(crate) fn dead_lines(dead: &[crate::python::discover::DeadCode]) -> String {
    let mut out = String::new();
    if dead.is_empty() {
        return out;
    }
    let blocks = if dead.len() == 1 { "block" } else { "blocks" };
    let _ = writeln!(
        out,
        "dead code: {} {blocks} no input can notice (no mutants made there; delete it):",
        dead.len()
    );
    for block in dead {
        let _ = writeln!(out, "  {}  {}", block.place(), block.why);
    }
    out
}

/// The lines counting the files a run skipped: those that do not parse, then the rest
/// (each with up to five paths); empty when none was.
#[must_use]
pub(crate) fn skipped_lines(skipped: &[super::Skipped]) -> String {
    const SHOWN: usize = 5;
    let mut out = String::new();
    for unparsable in [true, false] {
        let paths: Vec<&str> = skipped
            .iter()
            .filter(|file| file.unparsable == unparsable)
            .map(|file| file.path.as_str())
            .collect();
        if paths.is_empty() {
            continue;
        }
        let more = paths.len().saturating_sub(SHOWN);
        let why = match (unparsable, paths.len()) {
            (true, 1) => "does not parse",
            (true, _) => "do not parse",
            (false, _) => "not mutated for another reason",
        };
        let _ = writeln!(
            out,
            "{} skipped: {why} ({}{}; the reasons are in report.json)",
            if paths.len() == 1 {
                "1 file".to_owned()
            } else {
                format!("{} files", paths.len())
            },
            paths[..paths.len().min(SHOWN)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    out
}
