//! `--budget`: how long a run may take, and the order that makes a budget buy the most.
//!
//! The clock starts when the run does. Cached outcomes cost nothing and are always
//! used; of the mutants to run, the most telling one of each line goes first (by
//! [`Operator::signal_rank`](crate::python::operators::Operator::signal_rank): statement
//! deletion, return value, condition, comparison, ... string last), then each line's
//! second one, and so on ([`order`]). The order depends only on the mutants, so the same
//! commit gets the same selection, and the cache makes each later run cover more. When
//! the budget is spent, tests still running are stopped and every mutant without an
//! outcome is [`NotRun`](crate::outcome::Outcome::NotRun).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::python::mutant::Mutant;

/// A run's time budget, as a setting gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Stop after this long.
    Limit(Duration),
    /// No budget (`none`, `--no-budget`): also overrides a pre-push hook's default.
    Unlimited,
}

impl Budget {
    /// The limit, if there is one.
    #[must_use]
    pub fn limit(self) -> Option<Duration> {
        match self {
            Budget::Limit(limit) => Some(limit),
            Budget::Unlimited => None,
        }
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Budget::Limit(limit) => write!(f, "{}", humantime::format_duration(*limit)),
            Budget::Unlimited => f.write_str("none"),
        }
    }
}

impl FromStr for Budget {
    type Err = String;

    /// A duration (`90s`, `2m`, `1m 30s`, or a number of seconds), or `none`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            return Ok(Budget::Unlimited);
        }
        let bad = || {
            format!("{text:?}: expected a duration such as 90s, 2m or 1m30s (or seconds), or none")
        };
        let limit = match text.parse::<f64>() {
            Ok(seconds) if seconds > 0.0 => {
                Duration::try_from_secs_f64(seconds).map_err(|_| bad())?
            }
            Ok(_) => return Err(bad()),
            Err(_) => humantime::parse_duration(text).map_err(|_| bad())?,
        };
        if limit.is_zero() {
            return Err(bad());
        }
        Ok(Budget::Limit(limit))
    }
}

/// How long a run of a test command needed before its first mutant could run (sandboxes,
/// baseline, canary). When a budget stopped a run before that, it is remembered per
/// command (and per kind of run: `--since` or whole) in the repository's `.git/chimp/`:
/// a later run of that kind with no longer a budget says so at once instead of spending
/// it again. A run that gets that far forgets it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SetUpCost {
    /// Seconds from the run's start.
    pub seconds: f64,
    /// Whether it got that far; if not, `seconds` is when the budget stopped it.
    pub finished: bool,
}

impl SetUpCost {
    fn file(repo: &crate::git::repo::Repo) -> std::path::PathBuf {
        repo.common_dir().join("chimp").join("setup-cost.json")
    }

    fn all(repo: &crate::git::repo::Repo) -> BTreeMap<String, SetUpCost> {
        std::fs::read(Self::file(repo))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// What it is remembered under: the test command and the kind of run.
    #[must_use]
    pub(crate) fn key(tests: &str, since: bool) -> String {
        format!("{} {tests}", if since { "--since" } else { "whole" })
    }

    /// How long the last run of this `key` in `repo` had run when its budget stopped it
    /// before its first mutant, if it was.
    #[must_use]
    pub(crate) fn load(repo: &crate::git::repo::Repo, key: &str) -> Option<Self> {
        Self::all(repo).remove(key)
    }

    /// The cost of a run (`key`) in `repo` that `started` and now got past its set-up
    /// (`finished`: forgotten) or was stopped by its budget (remembered for the next
    /// run; best effort: a run goes on without it).
    pub(crate) fn measured(
        repo: &crate::git::repo::Repo,
        key: &str,
        started: std::time::Instant,
        finished: bool,
    ) -> Self {
        let cost = Self {
            seconds: started.elapsed().as_secs_f64(),
            finished,
        };
        let mut all = Self::all(repo);
        let changed = if finished {
            all.remove(key).is_some()
        } else {
            all.insert(key.to_owned(), cost);
            true
        };
        if !changed {
            return cost;
        }
        if let Ok(bytes) = serde_json::to_vec_pretty(&all)
            && let Err(err) = crate::output::write_atomic(&Self::file(repo), &bytes)
        {
            tracing::debug!("the set-up time was not remembered: {err:#}");
        }
        cost
    }

    /// A budget that leaves time for mutants after it: half as long again, plus a
    /// minute, in whole minutes (twice as long again when it did not finish).
    #[must_use]
    pub(crate) fn budget_that_fits(self) -> Budget {
        let factor = if self.finished { 1.5 } else { 3.0 };
        let minutes = ((self.seconds * factor + 60.0) / 60.0).ceil();
        Budget::Limit(Duration::from_secs_f64(minutes * 60.0))
    }

    /// What a budgeted run that tested nothing says: `budget`, and whether this cost
    /// was the last run's (`remembered`) or this one's.
    #[must_use]
    pub(crate) fn nothing_tested(self, budget: Duration, remembered: bool) -> String {
        let whole = Duration::try_from_secs_f64(self.seconds.round()).unwrap_or_default();
        let took = humantime::format_duration(whole);
        let needed = match (remembered, self.finished) {
            (false, true) => format!("the baseline (and the sandboxes) took {took}"),
            (false, false) => format!("the baseline had not finished after {took}"),
            (true, _) => format!(
                "the last run of this test command had not finished its baseline after \
                 {took}, so this one did not start"
            ),
        };
        format!(
            "budget {} spent before any mutant was tested: {needed}. Nothing was tested, so \
             this is no pass. A budget that fits: --budget {} (or `git config chimp.budget \
             {}`); or run once with --no-budget",
            Budget::Limit(budget),
            self.budget_that_fits(),
            self.budget_that_fits(),
        )
    }
}

/// The order in which a budgeted run tests `mutants`: positions into the slice. Round
/// by round, each round taking one mutant of every line that has one left, the most
/// telling first. Within a round, files take turns: the first mutant of every file,
/// then the second of every file, and so on, each file's in the most telling operator's
/// order, then by place; so a budget spent early has touched every module.
#[must_use]
pub(crate) fn order(mutants: &[&Mutant]) -> Vec<usize> {
    let mut by_line: BTreeMap<(&str, usize), Vec<usize>> = BTreeMap::new();
    for (position, mutant) in mutants.iter().enumerate() {
        by_line
            .entry((mutant.path.as_str(), mutant.start.line))
            .or_default()
            .push(position);
    }
    let telling = |position: usize| {
        let mutant = mutants[position];
        (
            mutant.operator.signal_rank(),
            mutant.path.as_str(),
            mutant.span,
        )
    };
    // (round, path) -> that round's mutants of the file.
    let mut rounds: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for positions in by_line.values_mut() {
        positions.sort_by_key(|&position| telling(position));
        for (round, &position) in positions.iter().enumerate() {
            rounds
                .entry((round, mutants[position].path.as_str()))
                .or_default()
                .push(position);
        }
    }
    let mut keyed = Vec::with_capacity(mutants.len());
    for ((round, path), mut positions) in rounds {
        positions.sort_by_key(|&position| telling(position));
        for (turn, position) in positions.into_iter().enumerate() {
            keyed.push(((round, turn, path), position));
        }
    }
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, position)| position).collect()
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::python::discover::mutate_source;
    use crate::python::operators::Operator;

    #[test]
    fn a_budget_is_a_duration_or_none() {
        let limit = |text: &str| text.parse::<Budget>().map(Budget::limit);
        assert_eq!(limit("90s"), Ok(Some(Duration::from_secs(90))));
        assert_eq!(limit("2m"), Ok(Some(Duration::from_mins(2))));
        assert_eq!(limit("1m 30s"), Ok(Some(Duration::from_secs(90))));
        assert_eq!(limit("2.5"), Ok(Some(Duration::from_millis(2500))));
        assert_eq!(limit("none"), Ok(None));
        for bad in ["0", "0s", "-1", "soon", "", "inf", "1e30"] {
            assert!(bad.parse::<Budget>().is_err(), "{bad}");
        }
        assert_eq!(
            Budget::Limit(Duration::from_secs(150)).to_string(),
            "2m 30s"
        );
    }

    #[test]
    fn each_line_gets_its_most_telling_mutant_before_any_line_gets_a_second() {
        let source = "def f(a, b):\n    if a > b:\n        return a + 1\n    return 'x'\n";
        let mutants = mutate_source("m.py", source, &Operator::ALL.iter().copied().collect())
            .expect("parses");
        let refs: Vec<&Mutant> = mutants.iter().collect();
        let order = order(&refs);
        let ordered: Vec<&Mutant> = order.iter().map(|&position| refs[position]).collect();
        let lines: std::collections::BTreeSet<usize> =
            mutants.iter().map(|mutant| mutant.start.line).collect();
        // The first round: one mutant of each line, most telling operator first.
        let first: Vec<usize> = ordered[..lines.len()]
            .iter()
            .map(|mutant| mutant.start.line)
            .collect();
        assert_eq!(
            first
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            lines.len(),
            "{first:?}"
        );
        let ranks: Vec<usize> = ordered[..lines.len()]
            .iter()
            .map(|mutant| mutant.operator.signal_rank())
            .collect();
        assert!(ranks.is_sorted(), "{ranks:?}");
        for line in &lines {
            let head = ordered
                .iter()
                .find(|mutant| mutant.start.line == *line)
                .expect("each line has one");
            let best = mutants
                .iter()
                .filter(|mutant| mutant.start.line == *line)
                .map(|mutant| mutant.operator.signal_rank())
                .min();
            assert_eq!(Some(head.operator.signal_rank()), best, "line {line}");
        }
        // A permutation, and the same one every time.
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..mutants.len()).collect::<Vec<_>>());
        assert_eq!(super::order(&refs), order);
    }

    #[test]
    fn files_take_turns_so_an_early_stop_has_seen_every_module() {
        let source = "def f(a, b):\n    a = b\n    b = a\n    return a + b\n";
        let operators = Operator::ALL.iter().copied().collect();
        let mut mutants = Vec::new();
        for path in ["a.py", "b.py", "c.py"] {
            mutants.extend(mutate_source(path, source, &operators).expect("parses"));
        }
        let refs: Vec<&Mutant> = mutants.iter().collect();
        let ordered: Vec<&str> = order(&refs)
            .into_iter()
            .map(|position| refs[position].path.as_str())
            .collect();
        assert_eq!(
            ordered[..6],
            ["a.py", "b.py", "c.py", "a.py", "b.py", "c.py"]
        );
    }
}
