//! The per-mutant timeout: `--timeout` when given, else derived from the baseline run as
//! `3 × baseline + 5 s` (room for slower mutants and for parallel workers sharing the CPUs).

use std::time::Duration;

/// Multiplier applied to the baseline duration.
pub const BASELINE_MULTIPLIER: u32 = 3;
/// Added to the multiplied baseline.
pub const GRACE: Duration = Duration::from_secs(5);

/// The timeout for each mutant's test run.
#[must_use]
pub fn mutant_timeout(given: Option<Duration>, baseline: Duration) -> Duration {
    given.unwrap_or(baseline * BASELINE_MULTIPLIER + GRACE)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn default_is_three_baselines_plus_five_seconds_and_given_wins() {
        assert_eq!(
            mutant_timeout(None, Duration::from_secs(2)),
            Duration::from_secs(11)
        );
        assert_eq!(
            mutant_timeout(Some(Duration::from_secs(1)), Duration::from_secs(2)),
            Duration::from_secs(1)
        );
    }
}
