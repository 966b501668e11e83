//! The per-mutant timeout. `--timeout` when given, for every run. Else a run from scratch
//! (the whole test command) gets `3 × baseline + 5 s` (room for slower mutants and for
//! parallel workers sharing the CPUs), where the baseline is the untraced run of the
//! whole command; and each run in the pytest worker gets `10 × the untraced time of the
//! tests it runs + 1 s` (their fixtures, and a re-executed module's import time,
//! included), never more than the first. Both are multiplied by the load when more jobs
//! than CPUs share them: the baseline ran alone. Whatever the timeout, a mutant that
//! passes it is run again alone before it counts as a timeout (`runner.rs`).

use std::time::Duration;

/// Multiplier applied to the baseline duration.
pub(crate) const BASELINE_MULTIPLIER: u32 = 3;
/// Added to the multiplied baseline.
pub(crate) const BASELINE_GRACE: Duration = Duration::from_secs(5);

/// Multiplier of the untraced time of the tests a worker's child runs.
pub(crate) const PER_TEST_MULTIPLIER: f64 = 10.0;
/// Added to it.
pub(crate) const PER_TEST_GRACE: Duration = Duration::from_secs(1);

/// How many test runs share how many CPUs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parallelism {
    /// Test runs at once (one per sandbox).
    pub(crate) jobs: usize,
    /// CPUs they share.
    pub(crate) cpus: usize,
}

impl Parallelism {
    /// `jobs` runs on this machine's CPUs.
    pub(crate) fn of(jobs: usize) -> Self {
        Parallelism {
            jobs,
            cpus: crate::settings::options::cpu_count(),
        }
    }
}

/// How much slower than alone a run is with `jobs` runs at once on `cpus` CPUs.
fn load(Parallelism { jobs, cpus }: Parallelism) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "job and CPU counts are small")]
    let load = (jobs as f64 / cpus.max(1) as f64).max(1.0);
    load
}

/// The worker's rule `[k, c]` (a child running some tests gets k × their untraced time
/// + c seconds), or None when `--timeout` is `given`.
#[must_use]
pub(crate) fn worker_rule(given: Option<Duration>, parallelism: Parallelism) -> Option<[f64; 2]> {
    let load = load(parallelism);
    given.is_none().then(|| {
        [
            PER_TEST_MULTIPLIER * load,
            PER_TEST_GRACE.as_secs_f64() * load,
        ]
    })
}

/// The timeout for each mutant's test run, with `parallelism` runs at once.
#[must_use]
pub(crate) fn mutant_timeout(
    given: Option<Duration>,
    baseline: Duration,
    parallelism: Parallelism,
) -> Duration {
    given.unwrap_or_else(|| {
        (baseline * BASELINE_MULTIPLIER + BASELINE_GRACE).mul_f64(load(parallelism))
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn default_is_three_baselines_plus_five_seconds_and_given_wins() {
        assert_eq!(
            mutant_timeout(
                None,
                Duration::from_secs(2),
                Parallelism { jobs: 2, cpus: 2 }
            ),
            Duration::from_secs(11)
        );
        assert_eq!(
            mutant_timeout(
                Some(Duration::from_secs(1)),
                Duration::from_secs(2),
                Parallelism { jobs: 8, cpus: 2 }
            ),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn the_worker_rule_is_ten_times_the_tests_plus_a_second_unless_a_timeout_is_given() {
        assert_eq!(
            worker_rule(None, Parallelism { jobs: 2, cpus: 2 }),
            Some([10.0, 1.0])
        );
        assert_eq!(
            worker_rule(None, Parallelism { jobs: 4, cpus: 2 }),
            Some([20.0, 2.0])
        );
        assert_eq!(
            worker_rule(
                Some(Duration::from_secs(3)),
                Parallelism { jobs: 2, cpus: 2 }
            ),
            None
        );
    }

    #[test]
    fn more_jobs_than_cpus_scale_the_derived_timeout_by_the_load() {
        assert_eq!(
            mutant_timeout(
                None,
                Duration::from_secs(2),
                Parallelism { jobs: 8, cpus: 2 }
            ),
            Duration::from_secs(44)
        );
        assert_eq!(
            mutant_timeout(
                None,
                Duration::from_secs(2),
                Parallelism { jobs: 3, cpus: 2 }
            ),
            Duration::from_secs_f64(16.5)
        );
        assert_eq!(
            mutant_timeout(
                None,
                Duration::from_secs(2),
                Parallelism { jobs: 1, cpus: 4 }
            ),
            Duration::from_secs(11)
        );
    }
}
