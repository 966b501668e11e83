//! What happened to each mutant ([`Outcome`]), the per-mutant record
//! ([`MutantResult`]) and the totals with the mutation score ([`Summary`]).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::python::mutant::Mutant;

/// The outcome of running the tests against one mutant; its name is the variant's, in
/// lower case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
    strum::EnumCount,
)]
#[strum(serialize_all = "lowercase")]
pub enum Outcome {
    /// The tests failed: the mutant was detected.
    Killed,
    /// The tests ran past the timeout and were killed: counted as detected.
    Timeout,
    /// The type checker (`--type-check`) rejects the mutated code: detected without a
    /// test run, as a compiler would reject it. Its error is the result's detail.
    #[strum(serialize = "type-error")]
    TypeError,
    /// The tests passed with the mutant in place: a gap in the tests.
    Survived,
    /// No test executes the mutated lines (known from the pytest worker's coverage):
    /// a survivor that no test even reaches.
    Uncovered,
    /// The mutant compiles to the same code as the original: no test can tell them
    /// apart. Found without a test run, and left out of the score.
    Equivalent,
    /// A survivor the team accepted (`.chimp-accepted.toml`), with the reason in the
    /// result's detail: not counted against the run, and left out of the score.
    Accepted,
    /// The mutant could not be run: an error of git-chimp or of the sandbox.
    Error,
    /// The run's time budget (`--budget`) was spent before the mutant's tests finished:
    /// nothing is known about it. Left out of the score and of the exit status.
    #[strum(serialize = "not-run")]
    NotRun,
}

impl Outcome {
    /// Every outcome, in report order (the order of the variants).
    pub const ALL: &[Outcome] = <Outcome as strum::VariantArray>::VARIANTS;

    /// Whether the tests missed the mutant: survived or never reached.
    #[must_use]
    pub fn undetected(self) -> bool {
        matches!(self, Outcome::Survived | Outcome::Uncovered)
    }

    /// Whether the score leaves it out as something the tests need not detect: an
    /// equivalent mutant or an accepted survivor (errors are left out as unknown).
    #[must_use]
    pub fn unscored(self) -> bool {
        matches!(self, Outcome::Equivalent | Outcome::Accepted)
    }

    /// Whether a summary lists the outcome only when some mutant has it: type errors,
    /// equivalent, accepted and not run.
    #[must_use]
    pub fn shown_when_some(self) -> bool {
        self.unscored() || matches!(self, Outcome::NotRun | Outcome::TypeError)
    }

    /// Lowercase name, as the terminal shows it.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The status name of the mutation-testing-elements schema.
    #[must_use]
    pub fn schema_status(self) -> &'static str {
        match self {
            Outcome::Killed => "Killed",
            Outcome::Timeout => "Timeout",
            Outcome::TypeError => "CompileError",
            Outcome::Survived => "Survived",
            Outcome::Uncovered => "NoCoverage",
            Outcome::Equivalent | Outcome::Accepted => "Ignored",
            Outcome::Error => "RuntimeError",
            Outcome::NotRun => "Pending",
        }
    }

    /// The outcome a report's `status` and `statusReason` stand for: `Ignored` is an
    /// accepted survivor when its reason starts with [`ACCEPTED`], else an equivalent
    /// mutant.
    #[must_use]
    pub fn from_schema(status: &str, reason: Option<&str>) -> Option<Outcome> {
        if status == "Pending" {
            // Without the budget's reason: an interrupted run's mutant, with no outcome.
            return (reason == Some(NOT_RUN_BUDGET)).then_some(Outcome::NotRun);
        }
        if status == "Ignored" {
            let accepted = reason.is_some_and(|reason| reason.starts_with(ACCEPTED));
            return Some(if accepted {
                Outcome::Accepted
            } else {
                Outcome::Equivalent
            });
        }
        Outcome::ALL
            .iter()
            .copied()
            .find(|outcome| outcome.schema_status() == status)
    }
}

/// How an accepted survivor's detail starts; the team's reason follows.
pub(crate) const ACCEPTED: &str = "accepted: ";

/// The detail of a mutant the time budget left out.
pub(crate) const NOT_RUN_BUDGET: &str = "not run: budget";

/// How a mutant's outcome was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum RanBy {
    /// The tests from scratch: the test command, or pytest forked from the fresh worker.
    #[default]
    Command,
    /// The warm pytest worker, with the mutant's code swapped into live functions.
    Swapped,
    /// The warm pytest worker, re-executing the mutated module (code that runs at
    /// import).
    Reexecuted,
    /// The outcome cache, without a test run.
    Cache,
    /// Compiling the mutant (its bytecode is the original's), without a test run.
    Compiler,
    /// The type checker (`--type-check`), without a test run.
    TypeChecker,
}

impl RanBy {
    /// Whether the warm pytest worker gave the outcome.
    #[must_use]
    pub(crate) fn in_worker(self) -> bool {
        matches!(self, RanBy::Swapped | RanBy::Reexecuted)
    }
}

/// One mutant and what happened to it.
#[derive(Debug, Clone)]
pub(crate) struct MutantResult {
    /// The mutant.
    pub mutant: Mutant,
    /// What happened.
    pub outcome: Outcome,
    /// How long its test run took.
    pub duration: Duration,
    /// Extra detail, e.g. why an error happened.
    pub detail: Option<String>,
    /// How the outcome was found.
    pub ran_by: RanBy,
    /// The test that failed first, when the worker knows it.
    pub killed_by: Option<String>,
    /// The tests the worker ran against the mutant.
    pub covered_by: Vec<String>,
    /// A survivor's probe: an input on which it differs from the original, or why none.
    pub probe: Option<Probe>,
}

/// What the worker's probe of a survivor found (#29).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Probe {
    /// A pytest assertion (or the difference in words) that passes on the original and
    /// fails on the mutant.
    Input(String),
    /// No call tried told them apart, or none could be tried: why.
    NoInput(String),
}

impl Probe {
    /// How report.json's `statusReason` says it ([`Probe::parse`] reads it back).
    #[must_use]
    pub(crate) fn reason(&self) -> String {
        match self {
            Probe::Input(input) => format!("{DIFFERING_INPUT}{input}"),
            Probe::NoInput(why) => format!("{NO_INPUT} ({why})"),
        }
    }

    /// A survivor's `statusReason` written by [`MutantResult::status_reason`]: the
    /// detail before the probe's finding (a survivor confirmed by a fresh run has both),
    /// and the finding.
    #[must_use]
    pub(crate) fn split(reason: &str) -> (Option<String>, Option<Probe>) {
        // A finding alone first: an input may itself hold "; no differing input found".
        if reason.starts_with(DIFFERING_INPUT) || reason.starts_with(NO_INPUT) {
            return (None, Probe::parse(reason));
        }
        for marker in [DIFFERING_INPUT, NO_INPUT] {
            if let Some(at) = reason.find(&format!("; {marker}")) {
                return (
                    Some(reason[..at].to_owned()),
                    Probe::parse(&reason[at + 2..]),
                );
            }
        }
        match Probe::parse(reason) {
            Some(probe) => (None, Some(probe)),
            None => (Some(reason.to_owned()), None),
        }
    }

    /// A `statusReason` written by [`Probe::reason`].
    #[must_use]
    pub(crate) fn parse(reason: &str) -> Option<Probe> {
        if let Some(input) = reason.strip_prefix(DIFFERING_INPUT) {
            return Some(Probe::Input(input.to_owned()));
        }
        let why = reason.strip_prefix(NO_INPUT)?.trim_start();
        let why = why.strip_prefix('(').and_then(|why| why.strip_suffix(')'));
        Some(Probe::NoInput(why.unwrap_or_default().to_owned()))
    }

    /// The input, when one was found.
    #[must_use]
    pub(crate) fn input(&self) -> Option<&str> {
        match self {
            Probe::Input(input) => Some(input),
            Probe::NoInput(_) => None,
        }
    }
}

/// How a survivor's input starts in report.json's `statusReason`.
pub(crate) const DIFFERING_INPUT: &str = "differing input: ";
/// How a probed survivor without one is marked (not "equivalent": no proof says so).
pub(crate) const NO_INPUT: &str = "no differing input found";

impl MutantResult {
    /// The probe's input for this survivor, when it found one.
    #[must_use]
    pub(crate) fn input(&self) -> Option<&str> {
        self.probe.as_ref().and_then(Probe::input)
    }

    /// report.json's `statusReason`: the detail, then the probe's finding
    /// ([`Probe::reason`]; [`Probe::split`] reads them back).
    #[must_use]
    pub(crate) fn status_reason(&self) -> Option<String> {
        // A survivor's finding; an accepted mutant's reason is the team's.
        let probe = (self.probe.as_ref())
            .filter(|_| self.outcome == Outcome::Survived)
            .map(Probe::reason);
        match (&self.detail, probe) {
            (Some(detail), Some(probe)) => Some(format!("{detail}; {probe}")),
            (Some(detail), None) => Some(detail.clone()),
            (None, probe) => probe,
        }
    }

    /// What the probe found, in one sentence for a report, when it ran.
    #[must_use]
    pub(crate) fn probe_note(&self) -> Option<String> {
        self.probe.as_ref().map(|probe| match probe {
            Probe::Input(input) => format!("an input that tells it apart: {input}"),
            Probe::NoInput(why) => format!("{NO_INPUT} ({why})"),
        })
    }

    /// A result with only the essentials; the rest empty.
    #[must_use]
    pub(crate) fn new(mutant: &Mutant, outcome: Outcome, duration: Duration) -> Self {
        Self {
            mutant: mutant.clone(),
            outcome,
            duration,
            detail: None,
            ran_by: RanBy::Command,
            killed_by: None,
            covered_by: Vec::new(),
            probe: None,
        }
    }
}

/// Counts per outcome and the mutation score.
#[derive(Debug, Clone, Default)]
pub(crate) struct Summary {
    /// How many mutants had each outcome.
    pub counts: BTreeMap<Outcome, usize>,
}

impl Summary {
    /// Totals of `results`.
    #[must_use]
    pub(crate) fn of(results: &[MutantResult]) -> Self {
        Self::of_outcomes(results.iter().map(|result| result.outcome))
    }

    /// Totals of a sequence of outcomes.
    #[must_use]
    pub(crate) fn of_outcomes(outcomes: impl IntoIterator<Item = Outcome>) -> Self {
        let mut counts = BTreeMap::new();
        for outcome in outcomes {
            *counts.entry(outcome).or_insert(0) += 1;
        }
        Self { counts }
    }

    /// How many mutants had `outcome`.
    #[must_use]
    pub(crate) fn count(&self, outcome: Outcome) -> usize {
        self.counts.get(&outcome).copied().unwrap_or(0)
    }

    /// The outcomes a summary lists: all of them, but equivalent, accepted and not run
    /// only in a run that has some.
    #[must_use]
    pub(crate) fn shown(&self) -> Vec<Outcome> {
        Outcome::ALL
            .iter()
            .copied()
            .filter(|outcome| !outcome.shown_when_some() || self.count(*outcome) > 0)
            .collect()
    }

    /// What the score leaves out, when it leaves out more than errors: `equivalent and
    /// accepted mutants not counted`.
    #[must_use]
    pub(crate) fn unscored(&self) -> Option<String> {
        let unscored: Vec<&str> = Outcome::ALL
            .iter()
            .copied()
            .filter(|outcome| outcome.unscored() && self.count(*outcome) > 0)
            .map(Outcome::name)
            .collect();
        (!unscored.is_empty()).then(|| format!("{} mutants not counted", unscored.join(" and ")))
    }

    /// [`Summary::unscored`] as a note after the score: ` (...)`, or nothing.
    #[must_use]
    pub(crate) fn unscored_note(&self) -> String {
        self.unscored()
            .map(|unscored| format!(" ({unscored})"))
            .unwrap_or_default()
    }

    /// Mutation score in percent: detected (killed, timeout, type error) / (detected +
    /// survived + uncovered),
    /// so neither equivalent nor accepted mutants (nor errors) count; `None` when there
    /// is nothing to score.
    #[must_use]
    pub(crate) fn score(&self) -> Option<f64> {
        let detected = self.count(Outcome::Killed)
            + self.count(Outcome::Timeout)
            + self.count(Outcome::TypeError);
        let scored = detected + self.count(Outcome::Survived) + self.count(Outcome::Uncovered);
        #[expect(
            clippy::cast_precision_loss,
            reason = "mutant counts are far below 2^52"
        )]
        (scored > 0).then(|| 100.0 * detected as f64 / scored as f64)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_probe_reads_back_from_the_reason_it_writes() {
        for probe in [
            Probe::Input("with pytest.raises(ValueError):\n    f(1)".into()),
            Probe::NoInput("none of 40 calls of f differs".into()),
        ] {
            assert_eq!(Probe::parse(&probe.reason()), Some(probe));
        }
        assert_eq!(Probe::parse("killed after 3.0s"), None);
        // A survivor a fresh run confirmed: its detail, then the worker's finding.
        let probe = Probe::Input("from m import f\nassert f(2) == 2".into());
        let detail = "run from scratch: a survivor of re-executing m.py, confirmed by a fresh run";
        assert_eq!(
            Probe::split(&format!("{detail}; {}", probe.reason())),
            (Some(detail.to_owned()), Some(probe.clone()))
        );
        assert_eq!(Probe::split(&probe.reason()), (None, Some(probe)));
        assert_eq!(Probe::split(detail), (Some(detail.to_owned()), None));
        // An input that holds the separator and the other marker stays whole.
        let tricky = Probe::Input("assert f('x; no differing input found (y)') == 1".into());
        assert_eq!(Probe::split(&tricky.reason()), (None, Some(tricky)));
    }

    #[test]
    fn score_counts_timeouts_as_detected_and_excludes_errors_equivalent_and_accepted() {
        let summary = Summary {
            counts: BTreeMap::from([
                (Outcome::Killed, 2),
                (Outcome::Timeout, 1),
                (Outcome::Survived, 1),
                (Outcome::Error, 5),
                (Outcome::Equivalent, 7),
                (Outcome::Accepted, 3),
            ]),
        };
        assert_eq!(summary.score(), Some(75.0));
        assert_eq!(Summary::default().score(), None);
        assert_eq!(
            summary.unscored().as_deref(),
            Some("equivalent and accepted mutants not counted")
        );
        assert_eq!(Summary::default().unscored(), None);
    }

    #[test]
    fn a_report_status_reads_back_as_the_outcome_it_was_written_from() {
        for &outcome in Outcome::ALL {
            let reason = match outcome {
                Outcome::Accepted => Some(format!("{ACCEPTED}not needed")),
                Outcome::NotRun => Some(NOT_RUN_BUDGET.to_owned()),
                _ => None,
            };
            assert_eq!(
                Outcome::from_schema(outcome.schema_status(), reason.as_deref()),
                Some(outcome)
            );
        }
        assert_eq!(
            Outcome::from_schema("Ignored", Some("compiles to the original's bytecode")),
            Some(Outcome::Equivalent)
        );
        assert_eq!(Outcome::from_schema("Unknown", None), None);
        assert_eq!(Outcome::from_schema("Pending", None), None, "interrupted");
    }
}
