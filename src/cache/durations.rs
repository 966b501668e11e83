//! How long each mutant took when it last ran, by mutant id, in the cache's
//! `durations.json`: what `--shard` balances its shares by ([`crate::shard::Split`]).
//!
//! Only runs that test every selected mutant write it (a run without `--shard`, and
//! `git chimp merge`, which holds every share's durations): the shares of one run are
//! then computed from the same records on every machine the cache is restored to, and
//! in whatever order they run on one machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::outcome::{MutantResult, Outcome};

/// Milliseconds by mutant id.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Durations(BTreeMap<String, u64>);

/// The file under `cache_dir`.
fn file(cache_dir: &Path) -> PathBuf {
    cache_dir.join("durations.json")
}

impl Durations {
    /// What `cache_dir` holds (nothing when there is no file or it does not parse).
    #[must_use]
    pub(crate) fn load(cache_dir: &Path) -> Self {
        std::fs::read(file(cache_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .map(Self)
            .unwrap_or_default()
    }

    /// The duration of mutant `id`, if known.
    #[must_use]
    pub(crate) fn get(&self, id: &str) -> Option<u64> {
        self.0.get(id).copied()
    }

    /// Record the durations of `results` that ran tests (now, or in the run the cache
    /// took them from) in `cache_dir`, keeping the other mutants'.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub(crate) fn record<'a>(
        cache_dir: &Path,
        results: impl IntoIterator<Item = &'a MutantResult>,
    ) -> Result<()> {
        let mut durations = Self::load(cache_dir);
        let before = durations.0.len();
        let mut changed = false;
        for result in results {
            let ran = matches!(
                result.outcome,
                Outcome::Killed | Outcome::Survived | Outcome::Timeout | Outcome::Uncovered
            );
            if !ran || result.duration.is_zero() {
                continue;
            }
            let ms = u64::try_from(result.duration.as_millis()).unwrap_or(u64::MAX);
            changed |= durations.0.insert(result.mutant.id.0.clone(), ms) != Some(ms);
        }
        if !changed && durations.0.len() == before {
            return Ok(());
        }
        std::fs::create_dir_all(cache_dir)?;
        crate::output::write_atomic(&file(cache_dir), &serde_json::to_vec(&durations.0)?)
    }
}
