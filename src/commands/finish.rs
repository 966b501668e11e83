//! The end of a run or merge: the reports, the summary and the exit status.

use anyhow::Result;

use crate::exit_code::{ExitCode, fatal};
use crate::outcome::{self, Outcome};
use crate::output::OutputDir;
use crate::report::{self, ReportKind};
use crate::settings::Options;

/// How a run (or merge) ended, besides its outcomes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunEnd<'a> {
    /// The user interrupted it.
    pub(crate) interrupted: bool,
    /// The lines to print after the summary (how many outcomes came from the cache,
    /// what the budget left out).
    pub(crate) notes: &'a [String],
}

/// What the user asked of a finished run's end: the score at which survivors no longer
/// fail it (`--fail-under`), and whether its summary lists every survivor (`--all`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExitPolicy {
    /// Survivors exit 0 when the score reaches this percentage.
    pub(crate) fail_under: Option<f64>,
    /// List every survivor, not only the most telling.
    pub(crate) all: bool,
}

impl ExitPolicy {
    /// A run's: its `fail_under` option, and `all`.
    pub(crate) fn of(options: &Options, all: bool) -> Self {
        ExitPolicy {
            fail_under: options.fail_under,
            all,
        }
    }
}

/// Write every report of a finished run (or merge), print the summary and decide the exit
/// status: survivors fail unless the score reaches the policy's `fail_under`.
pub(crate) fn finish(
    out: &OutputDir,
    findings: &report::Findings<'_>,
    kinds: &[ReportKind],
    end: RunEnd<'_>,
    policy: ExitPolicy,
) -> Result<ExitCode> {
    let RunEnd { interrupted, notes } = end;
    let more = if kinds.contains(&ReportKind::Html) {
        "every one is in .chimp/report.html (or pass --all)".to_owned()
    } else {
        "pass --all, or see .chimp/report.json (--report html for a page)".to_owned()
    };
    // The summary is printed even when a report cannot be written: the outcomes are
    // never lost.
    let written = report::write_all(out, findings, kinds);
    print!(
        "{}",
        report::terminal::summary(
            findings.results,
            findings.mutants.len(),
            interrupted,
            &report::terminal::Listing {
                all: policy.all,
                more: &more,
            },
        )
    );
    print!("{}", report::terminal::dead_lines(findings.dead));
    print!("{}", report::terminal::skipped_lines(findings.skipped));
    for line in notes {
        println!("{line}");
    }
    let survived = findings
        .results
        .iter()
        .any(|result| result.outcome.undetected());
    if survived {
        println!("patches: {}", out.survived_dir().display());
    }
    let notes = written.map_err(|err| {
        fatal(
            ExitCode::Environment,
            format!("writing the reports: {err:#} (the outcomes are in the summary above)"),
        )
    })?;
    println!("report: {}", out.report_path().display());
    for note in notes {
        println!("{note}");
    }
    let untested = findings.mutants.len() - findings.results.len()
        + findings
            .results
            .iter()
            .filter(|result| result.outcome == Outcome::Error)
            .count();
    let run = Finished {
        interrupted,
        untested,
        total: findings.mutants.len(),
        survived,
        score: outcome::Summary::of(findings.results).score(),
    };
    let (code, line) = exit_status(&run, policy.fail_under);
    if let Some(line) = line {
        println!("{line}");
    }
    Ok(code)
}

/// What decides the exit status of a finished run.
#[derive(Debug, Clone, Copy)]
struct Finished {
    /// The user interrupted it.
    interrupted: bool,
    /// Selected mutants with no outcome, or an error.
    untested: usize,
    /// Selected mutants.
    total: usize,
    /// Some mutant survived or went uncovered.
    survived: bool,
    /// The mutation score, when there is one.
    score: Option<f64>,
}

/// The exit policy: interrupted is 130; a run that did not test every mutant it
/// selected is 6, whatever `--fail-under` says; survivors are 2 unless the score reaches
/// `fail_under`. With the line to print, if any.
fn exit_status(run: &Finished, fail_under: Option<f64>) -> (ExitCode, Option<String>) {
    if run.interrupted {
        return (ExitCode::Interrupted, None);
    }
    if run.untested > 0 {
        let line = format!(
            "{} of {} mutants were not tested (errors, named above and in the report): the \
             run is incomplete",
            run.untested, run.total
        );
        return (ExitCode::Incomplete, Some(line));
    }
    match (run.survived, fail_under, run.score) {
        (false, _, _) => (ExitCode::Success, None),
        (true, Some(limit), Some(score)) if score >= limit => (
            ExitCode::Success,
            Some(format!(
                "mutation score {score:.1}% reaches --fail-under {limit}: passing"
            )),
        ),
        (true, Some(limit), _) => (
            ExitCode::Survivors,
            Some(format!(
                "mutation score below --fail-under {limit}: failing"
            )),
        ),
        (true, None, _) => (ExitCode::Survivors, None),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn run(survived: bool, score: Option<f64>) -> Finished {
        Finished {
            interrupted: false,
            untested: 0,
            total: 10,
            survived,
            score,
        }
    }

    #[test]
    fn survivors_fail_unless_the_score_reaches_fail_under() {
        assert_eq!(
            exit_status(&run(false, Some(100.0)), None).0,
            ExitCode::Success
        );
        assert_eq!(
            exit_status(&run(true, Some(80.0)), None).0,
            ExitCode::Survivors
        );
        assert_eq!(
            exit_status(&run(true, Some(80.0)), Some(80.0)).0,
            ExitCode::Success
        );
        assert_eq!(
            exit_status(&run(true, Some(79.9)), Some(80.0)).0,
            ExitCode::Survivors
        );
        assert_eq!(
            exit_status(&run(true, None), Some(0.0)).0,
            ExitCode::Survivors
        );
    }

    #[test]
    fn an_incomplete_run_never_passes_and_an_interrupted_one_is_130() {
        let incomplete = Finished {
            untested: 3,
            ..run(false, Some(100.0))
        };
        let (code, line) = exit_status(&incomplete, Some(0.0));
        assert_eq!(code, ExitCode::Incomplete);
        assert!(line.unwrap().starts_with("3 of 10 mutants were not tested"));
        let interrupted = Finished {
            interrupted: true,
            ..incomplete
        };
        assert_eq!(exit_status(&interrupted, None).0, ExitCode::Interrupted);
    }
}
