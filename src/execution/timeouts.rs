//! The per-mutant timeout: `--timeout` when given, else derived from the baseline run as
//! `3 × baseline + 5 s` (room for slower mutants and for parallel workers sharing the CPUs),
//! times the load when more jobs than CPUs share them: the baseline ran alone. Whatever the
//! timeout, a mutant that passes it is run again alone before it counts as a timeout
//! (`lab.rs`).

use std::time::Duration;

/// Multiplier applied to the baseline duration.
pub const BASELINE_MULTIPLIER: u32 = 3;
/// Added to the multiplied baseline.
pub const GRACE: Duration = Duration::from_secs(5);

/// The timeout for each mutant's test run, with `jobs` runs at once on `cpus` CPUs.
#[must_use]
pub fn mutant_timeout(
    given: Option<Duration>,
    baseline: Duration,
    (jobs, cpus): (usize, usize),
) -> Duration {
    given.unwrap_or_else(|| {
        #[expect(clippy::cast_precision_loss, reason = "job and CPU counts are small")]
        let load = (jobs as f64 / cpus.max(1) as f64).max(1.0);
        (baseline * BASELINE_MULTIPLIER + GRACE).mul_f64(load)
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn default_is_three_baselines_plus_five_seconds_and_given_wins() {
        assert_eq!(
            mutant_timeout(None, Duration::from_secs(2), (2, 2)),
            Duration::from_secs(11)
        );
        assert_eq!(
            mutant_timeout(Some(Duration::from_secs(1)), Duration::from_secs(2), (8, 2)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn more_jobs_than_cpus_scale_the_derived_timeout_by_the_load() {
        assert_eq!(
            mutant_timeout(None, Duration::from_secs(2), (8, 2)),
            Duration::from_secs(44)
        );
        assert_eq!(
            mutant_timeout(None, Duration::from_secs(2), (3, 2)),
            Duration::from_secs_f64(16.5)
        );
        assert_eq!(
            mutant_timeout(None, Duration::from_secs(2), (1, 4)),
            Duration::from_secs(11)
        );
    }
}
