//! The summary printed at the end of a run: counts per outcome, the mutation score and
//! one line per surviving mutant (`path:line:col  operator  before -> after  [id]`).

use std::fmt::Write;

use crate::mutant::Mutant;
use crate::outcome::{MutantResult, Outcome, Summary};

/// One mutant as a terminal line.
#[must_use]
pub fn mutant_line(mutant: &Mutant) -> String {
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

/// The end-of-run summary. `total` is the number of mutants the run meant to test.
#[must_use]
pub fn summary(results: &[MutantResult], total: usize, interrupted: bool) -> String {
    let summary = Summary::of(results);
    let mut out = String::new();
    if interrupted {
        let _ = writeln!(
            out,
            "interrupted: {} of {total} mutants finished",
            results.len()
        );
    }
    let counts: Vec<String> = Outcome::ALL
        .iter()
        .map(|outcome| format!("{} {}", summary.count(*outcome), outcome.name()))
        .collect();
    let _ = writeln!(out, "{total} mutants: {}", counts.join(", "));
    match summary.score() {
        Some(score) => {
            let _ = writeln!(out, "mutation score: {score:.1}%");
        }
        None => {
            let _ = writeln!(out, "mutation score: n/a");
        }
    }
    let mut survivors: Vec<&MutantResult> = results
        .iter()
        .filter(|result| result.outcome.undetected())
        .collect();
    survivors.sort_by(|a, b| (&a.mutant.path, a.mutant.span).cmp(&(&b.mutant.path, b.mutant.span)));
    if !survivors.is_empty() {
        let _ = writeln!(out, "survived:");
        for result in survivors {
            let note = if result.outcome == Outcome::Uncovered {
                "  (no test reaches it)"
            } else {
                ""
            };
            let _ = writeln!(out, "  {}{note}", mutant_line(&result.mutant));
        }
    }
    out
}
