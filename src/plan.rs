//! What a run will do with each mutant it selected: its cache key, and the outcome when
//! it is already known (from the cache, or from the lab once it ran). Built in one place
//! ([`Plan::new`]) from the cache and its reuse rule ([`Reuse`]); the lab gets the
//! misses, each with its [`EntryId`], and their results are recorded by that id.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::budget;
use crate::cache::{self, Cache, CacheKey};
use crate::outcome::{MutantResult, Outcome, RanBy};
use crate::python::mutant::Mutant;

/// One mutant of the run.
#[derive(Debug)]
pub(crate) struct PlannedMutant {
    /// The mutant.
    pub(crate) mutant: Mutant,
    /// Its cache key, when the run has a cache.
    pub(crate) key: Option<CacheKey>,
    /// Its outcome, once known.
    pub(crate) result: Option<MutantResult>,
}

/// Where a [`PlannedMutant`] is in its [`Plan`]: stable for the plan's life, whatever
/// settles in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryId(usize);

/// Every mutant of a run, in discovery order.
#[derive(Debug)]
pub(crate) struct Plan {
    entries: Vec<PlannedMutant>,
    /// How many outcomes came from the cache.
    pub(crate) from_cache: usize,
    /// Whether the misses go in a time budget's order ([`budget::order`]) rather than in
    /// discovery order.
    budgeted: bool,
}

impl Plan {
    /// The plan for `mutants` with their `keys` (as many): each one the cache holds an
    /// entry for that may stand for this run (see [`Reuse`]) is known already.
    pub(crate) fn new(
        mutants: &[Mutant],
        keys: Vec<Option<CacheKey>>,
        cache: Option<&Cache>,
        reuse: Reuse,
    ) -> Self {
        let entries: Vec<PlannedMutant> = mutants
            .iter()
            .zip(keys)
            .map(|(mutant, key)| {
                let result = cache
                    .zip(key.as_ref())
                    .and_then(|(cache, key)| cache.get(key))
                    .and_then(|entry| cached_result(mutant, &entry, reuse, "from cache"));
                PlannedMutant {
                    mutant: mutant.clone(),
                    key,
                    result,
                }
            })
            .collect();
        let from_cache = entries
            .iter()
            .filter(|entry| entry.result.is_some())
            .count();
        Self {
            entries,
            from_cache,
            budgeted: false,
        }
    }

    /// The entries with no outcome yet and a key, by position in discovery order: what
    /// the shared cache is asked for.
    pub(crate) fn missing_keys(&self) -> Vec<(usize, &CacheKey)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.result.is_none())
            .filter_map(|(position, entry)| entry.key.as_ref().map(|key| (position, key)))
            .collect()
    }

    /// Every entry's key, in discovery order.
    pub(crate) fn keys(&self) -> Vec<Option<&CacheKey>> {
        self.entries
            .iter()
            .map(|entry| entry.key.as_ref())
            .collect()
    }

    /// Settle entries with no outcome yet from the shared cache's `found` entries (by
    /// key) that may stand for this run (`reuse`); returns how many.
    pub(crate) fn fill_from_shared(
        &mut self,
        found: &BTreeMap<CacheKey, cache::StoredOutcome>,
        reuse: Reuse,
    ) -> usize {
        let mut filled = 0;
        for entry in self
            .entries
            .iter_mut()
            .filter(|entry| entry.result.is_none())
        {
            let Some(stored) = entry.key.as_ref().and_then(|key| found.get(key)) else {
                continue;
            };
            entry.result = cached_result(&entry.mutant, stored, reuse, "from the shared cache");
            filled += usize::from(entry.result.is_some());
        }
        self.from_cache += filled;
        filled
    }

    /// The positions of the outcomes this run produced (not from a cache, nor left out
    /// by the budget): what it uploads.
    pub(crate) fn produced(&self) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| {
                entry.result.as_ref().is_some_and(|result| {
                    result.ran_by != RanBy::Cache && result.outcome != Outcome::NotRun
                })
            })
            .map(|(position, _)| position)
            .collect()
    }

    /// Put the misses in the order that makes a time budget buy the most
    /// ([`budget::order`]).
    pub(crate) fn order_for_budget(&mut self) {
        self.budgeted = true;
    }

    /// The entries with no outcome yet, each with its id, in the order they run: what
    /// the lab runs (in a time budget's order once [`Plan::order_for_budget`] is set).
    pub(crate) fn misses(&self) -> Vec<(EntryId, &PlannedMutant)> {
        let misses: Vec<(EntryId, &PlannedMutant)> = (self.entries.iter().enumerate())
            .filter(|(_, entry)| entry.result.is_none())
            .map(|(index, entry)| (EntryId(index), entry))
            .collect();
        if !self.budgeted {
            return misses;
        }
        let mutants: Vec<&Mutant> = misses.iter().map(|(_, entry)| &entry.mutant).collect();
        budget::order(&mutants)
            .into_iter()
            .map(|position| misses[position])
            .collect()
    }

    /// Record results, each for the entry its id names.
    pub(crate) fn record(&mut self, ran: Vec<(EntryId, MutantResult)>) {
        for (EntryId(index), result) in ran {
            self.entries[index].result = Some(result);
        }
    }

    /// Give every entry still without an outcome `outcome`, with `detail`; returns how
    /// many (the mutants a spent budget left out).
    pub(crate) fn settle_rest(&mut self, outcome: Outcome, detail: &str) -> usize {
        let mut settled = 0;
        for entry in self
            .entries
            .iter_mut()
            .filter(|entry| entry.result.is_none())
        {
            entry.result = Some(MutantResult {
                detail: Some(detail.to_owned()),
                ..MutantResult::new(&entry.mutant, outcome, Duration::ZERO)
            });
            settled += 1;
        }
        settled
    }

    /// Every known outcome, in discovery order.
    pub(crate) fn into_results(self) -> Vec<MutantResult> {
        self.entries
            .into_iter()
            .filter_map(|entry| entry.result)
            .collect()
    }
}

/// The result a cached `entry` gives `mutant` when it may stand for this run (`reuse`);
/// `from` says where it came from.
fn cached_result(
    mutant: &Mutant,
    entry: &cache::StoredOutcome,
    reuse: Reuse,
    from: &str,
) -> Option<MutantResult> {
    if !reuse.allows(entry) {
        return None;
    }
    let outcome = entry.outcome()?;
    let detail = if outcome == Outcome::Equivalent {
        format!("compiles to the original's bytecode ({from})")
    } else {
        from.to_owned()
    };
    Some(MutantResult {
        detail: Some(detail),
        ran_by: RanBy::Cache,
        ..MutantResult::new(mutant, outcome, Duration::from_millis(entry.duration_ms))
    })
}

/// What of a run decides whether a cached outcome may stand for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reuse {
    /// Its `--timeout`, if given.
    pub(crate) timeout: Option<Duration>,
    /// Whether it runs the mutants in the warm worker.
    pub(crate) worker: bool,
}

impl Reuse {
    /// Whether a cached entry may stand for the run: a timeout only under the same or a
    /// shorter `--timeout` than the one that produced it; `uncovered` only for a run with
    /// the worker.
    pub(crate) fn allows(self, entry: &cache::StoredOutcome) -> bool {
        match entry.outcome() {
            Some(Outcome::Timeout) => self
                .timeout
                .is_none_or(|timeout| timeout.as_millis() <= u128::from(entry.timeout_ms)),
            Some(Outcome::Uncovered) => self.worker,
            _ => true,
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::cache::TestFingerprint;
    use crate::python::discover::mutate_source;
    use crate::python::operators::Operator;

    const WITH_WORKER: Reuse = Reuse {
        timeout: None,
        worker: true,
    };

    const SOURCE: &str = "def f(a, b):\n    if a > 1:\n        return a + b\n    return 0\n";

    fn mutants() -> Vec<Mutant> {
        mutate_source("m.py", SOURCE, &Operator::ALL.iter().copied().collect()).unwrap()
    }

    fn keys(mutants: &[Mutant]) -> Vec<Option<CacheKey>> {
        let fingerprint = TestFingerprint::of([]);
        mutants
            .iter()
            .map(|mutant| Some(CacheKey::new(mutant, SOURCE, "tests", fingerprint)))
            .collect()
    }

    #[test]
    fn known_outcomes_come_from_the_cache_under_its_reuse_rule_and_the_rest_from_the_lab() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let mutants = mutants();
        assert!(mutants.len() >= 3, "{mutants:?}");
        let keys = keys(&mutants);
        let nine = Duration::from_secs(9);
        cache
            .put(
                keys[0].as_ref().unwrap(),
                Outcome::Killed,
                Duration::ZERO,
                nine,
            )
            .unwrap();
        cache
            .put(
                keys[1].as_ref().unwrap(),
                Outcome::Timeout,
                Duration::ZERO,
                nine,
            )
            .unwrap();
        cache
            .put(
                keys[2].as_ref().unwrap(),
                Outcome::Uncovered,
                Duration::ZERO,
                nine,
            )
            .unwrap();
        // A longer --timeout runs the timeout again; a run without the worker, the
        // uncovered one.
        let plan = Plan::new(
            &mutants,
            keys.clone(),
            Some(&cache),
            Reuse {
                timeout: Some(Duration::from_secs(20)),
                worker: false,
            },
        );
        assert_eq!(plan.from_cache, 1);
        let plan = Plan::new(
            &mutants,
            keys.clone(),
            Some(&cache),
            Reuse {
                timeout: Some(nine),
                worker: true,
            },
        );
        assert_eq!(plan.from_cache, 3);
        let mut plan = Plan::new(&mutants, keys, Some(&cache), WITH_WORKER);
        let misses: Vec<(EntryId, String)> = plan
            .misses()
            .iter()
            .map(|(id, entry)| (*id, entry.mutant.id.0.clone()))
            .collect();
        assert_eq!(misses.len(), mutants.len() - 3);
        // The lab's results come back by entry id, any order, some missing (an
        // interrupted run).
        let last = misses.len() - 1;
        let ran = vec![(
            misses[last].0,
            MutantResult::new(
                &mutants[mutants.len() - 1],
                Outcome::Survived,
                Duration::ZERO,
            ),
        )];
        plan.record(ran);
        let results = plan.into_results();
        assert_eq!(results.len(), 4);
        assert_eq!(results[0].outcome, Outcome::Killed);
        assert_eq!(results[0].ran_by, RanBy::Cache);
        assert_eq!(results[3].mutant.id.0, misses[last].1);
        assert_eq!(results[3].outcome, Outcome::Survived);
    }

    /// A result lands on the entry it was run for even when other entries settled
    /// between handing out the misses and recording it (as the equivalence check and the
    /// type checker settle some before the lab runs the rest).
    #[test]
    fn results_land_on_their_entries_whatever_settled_in_between() {
        let mutants = mutants();
        let mut plan = Plan::new(&mutants, vec![None; mutants.len()], None, WITH_WORKER);
        let ids: Vec<EntryId> = plan.misses().iter().map(|(id, _)| *id).collect();
        let first = MutantResult::new(&mutants[0], Outcome::Equivalent, Duration::ZERO);
        plan.record(vec![(ids[0], first)]);
        let last = mutants.len() - 1;
        let ran = MutantResult::new(&mutants[last], Outcome::Survived, Duration::ZERO);
        plan.record(vec![(ids[last], ran)]);
        let results = plan.into_results();
        assert_eq!(results.len(), 2);
        assert_eq!(results[1].mutant.id, mutants[last].id);
        assert_eq!(results[1].outcome, Outcome::Survived);
    }

    #[test]
    fn without_a_cache_everything_is_a_miss() {
        let mutants = mutants();
        let plan = Plan::new(&mutants, vec![None; mutants.len()], None, WITH_WORKER);
        assert_eq!(plan.from_cache, 0);
        assert_eq!(plan.misses().len(), mutants.len());
    }

    #[test]
    fn a_budgeted_plan_runs_its_misses_in_budget_order_and_settles_the_rest_as_not_run() {
        let mutants = mutants();
        let mut plan = Plan::new(&mutants, vec![None; mutants.len()], None, WITH_WORKER);
        plan.order_for_budget();
        let (first, misses): (EntryId, Vec<Mutant>) = {
            let misses = plan.misses();
            let mutants = misses.iter().map(|(_, entry)| entry.mutant.clone());
            (misses[0].0, mutants.collect())
        };
        let refs: Vec<&Mutant> = mutants.iter().collect();
        let expected: Vec<&str> = budget::order(&refs)
            .into_iter()
            .map(|position| mutants[position].id.0.as_str())
            .collect();
        let ids: Vec<&str> = misses.iter().map(|mutant| mutant.id.0.as_str()).collect();
        assert_eq!(ids, expected);
        assert_ne!(
            ids,
            mutants
                .iter()
                .map(|mutant| mutant.id.0.as_str())
                .collect::<Vec<_>>(),
            "the budget order differs from discovery order here"
        );
        // The first miss ran: its result lands on its own mutant.
        plan.record(vec![(
            first,
            MutantResult::new(&misses[0], Outcome::Killed, Duration::ZERO),
        )]);
        assert_eq!(
            plan.settle_rest(Outcome::NotRun, "not run: budget"),
            mutants.len() - 1
        );
        let results = plan.into_results();
        assert_eq!(results.len(), mutants.len());
        for (mutant, result) in mutants.iter().zip(&results) {
            assert_eq!(result.mutant.id, mutant.id, "discovery order");
            let expected = if mutant.id == misses[0].id {
                Outcome::Killed
            } else {
                Outcome::NotRun
            };
            assert_eq!(result.outcome, expected, "{}", mutant.id);
        }
    }
}
