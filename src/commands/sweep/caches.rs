//! A run's outcome caches: the local one and the shared one (`--cache-url`), their keys
//! (the cache key of each mutant, the fingerprint of the tests, the tests' Python for the
//! shared packs), how the plan gets what they hold, and the upload at the end.

use anyhow::Result;

use crate::cache::remote::{OpenError, Remote};
use crate::cache::{Cache, CacheKey, TestFingerprint, shared};
use crate::execution::pyenv;
use crate::exit_code::{ExitCode, fatal};
use crate::plan::{Plan, Reuse};
use crate::python::select;
use crate::settings::{self, Options};

use super::discovery::Discovery;
use crate::commands::current_dir;

/// A run's outcome caches: the local one (`None` with `--no-cache`) and the shared one
/// (`--cache-url`), with what the shared one was asked.
pub(crate) struct Caches {
    pub(crate) local: Option<Cache>,
    shared: Option<Remote>,
    /// The shared cache's packs of each mutant.
    groups: shared::Groups,
    /// What the shared cache gave.
    found: shared::Found,
}

impl Caches {
    /// The caches `options` name, opened (nothing is sent yet).
    ///
    /// # Errors
    /// A usage error for a `--cache-url` no store takes.
    pub(crate) fn open(options: &Options) -> Result<Caches> {
        let shared = match options.cache_url.as_ref().map(Remote::open) {
            None => None,
            Some(Ok(remote)) => Some(remote),
            Some(Err(OpenError::Usage(err))) => return Err(fatal(ExitCode::Usage, err)),
            Some(Err(OpenError::Store(err))) => {
                tracing::warn!("{err}; this run uses the local cache only");
                None
            }
        };
        Ok(Caches {
            local: options.cache_dir.clone().map(Cache::new),
            shared,
            groups: shared::Groups::default(),
            found: shared::Found::default(),
        })
    }

    /// The run's plan, with every outcome the caches hold for it: the local cache's,
    /// then the shared cache's for the local misses (kept locally). `pytest`: whether
    /// the run uses the pytest worker.
    pub(crate) fn plan(&mut self, cx: super::Context<'_>, worker: bool) -> Result<Plan> {
        let (found, tests) = (cx.found, cx.tests);
        let hashing = std::time::Instant::now();
        let fingerprint = match self.local {
            Some(_) => Some(test_fingerprint(cx)?),
            None => None,
        };
        let keys = cache_keys(found, tests, fingerprint);
        let hashed = hashing.elapsed();
        let reuse = Reuse {
            timeout: cx.options.timeout,
            worker,
        };
        let mut plan = Plan::new(&found.mutants, keys, self.local.as_ref(), reuse);
        if cx.options.budget.is_some() {
            plan.order_for_budget();
        }
        let Some(cache) = &self.local else {
            return Ok(plan);
        };
        tracing::info!(
            "cache: {} hits, {} misses (hashing {} ms, lookup {} ms)",
            plan.from_cache,
            found.mutants.len() - plan.from_cache,
            hashed.as_millis(),
            hashing.elapsed().saturating_sub(hashed).as_millis()
        );
        let Some(fingerprint) = fingerprint else {
            return Ok(plan);
        };
        if self.shared.is_none() && !shared::has_copies(cache) {
            return Ok(plan);
        }
        let started = std::time::Instant::now();
        let python = python_identity(tests);
        self.groups =
            shared::Groups::of(&found.mutants, &found.sources, tests, &python, fingerprint);
        let misses = plan.missing_keys();
        let asked = misses.len();
        let remote = self.shared.as_ref();
        let got = shared::look_up(remote, cache, &self.groups, &misses);
        let shown = remote.map_or("(local copies)", |remote| remote.shown.as_str());
        if got.damaged > 0 {
            tracing::warn!(
                "shared cache {shown}: {} packs or entries are damaged: ignored, and replaced \
                 by this run's",
                got.damaged
            );
        }
        let filled = plan.fill_from_shared(&got.entries, reuse);
        if !remote.is_some_and(Remote::is_broken) && asked > 0 {
            tracing::info!(
                "shared cache {shown}: {filled} of {asked} local misses found ({} packs \
                 fetched, {} ms)",
                got.asked,
                started.elapsed().as_millis()
            );
        }
        self.found = got;
        Ok(plan)
    }

    /// Write the shared cache's packs that were missing or lacked a mutant of this run,
    /// and those of the outcomes it produced, from the local cache.
    pub(crate) fn upload(&self, plan: &Plan) {
        let (Some(remote), Some(cache)) = (&self.shared, &self.local) else {
            return;
        };
        let started = std::time::Instant::now();
        let produced = plan.produced();
        let (stored, due) = shared::upload(
            remote,
            cache,
            &self.groups,
            &plan.keys(),
            &self.found,
            &produced,
        );
        if due > 0 && !remote.is_broken() {
            tracing::info!(
                "shared cache {}: {stored} of {due} packs stored ({} ms)",
                remote.shown,
                started.elapsed().as_millis()
            );
        }
    }
}

/// The implementation and version of the Python the test command names (`cpython-311
/// 3.11.7`), empty when it names none or it does not answer: the shared cache's packs
/// hold it, so a CI matrix over Python versions shares nothing it should not.
pub(crate) fn python_identity(tests: &str) -> String {
    let Some(python) = current_dir()
        .ok()
        .and_then(|cwd| pyenv::test_interpreter(tests, &cwd))
    else {
        return String::new();
    };
    std::process::Command::new(&python)
        .args([
            "-c",
            "import sys; print(sys.implementation.cache_tag, sys.version.split()[0])",
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Each mutant's cache key under `fingerprint` (all `None` without one: no cache).
pub(crate) fn cache_keys(
    found: &Discovery,
    tests: &str,
    fingerprint: Option<TestFingerprint>,
) -> Vec<Option<CacheKey>> {
    found
        .mutants
        .iter()
        .map(|mutant| {
            let fingerprint = fingerprint?;
            let source = found.sources.get(&mutant.path).map_or("", String::as_str);
            Some(CacheKey::new(mutant, source, tests, fingerprint))
        })
        .collect()
}

/// The hash of every test file (by name, named by the test command `tests`, or marked by
/// the project's pytest settings) and test configuration file in the tested state, and of
/// the ignored files the sandboxes get from the checkout.
pub(crate) fn test_fingerprint(cx: super::Context<'_>) -> Result<TestFingerprint> {
    let super::Context {
        repo,
        options,
        state,
        tests,
        ..
    } = cx;
    let named = super::discovery::named_tests(repo, options, state, Some(tests));
    let mut files = Vec::new();
    for path in &state.files {
        if select::is_test_file(path)
            || select::is_test_config(path)
            || options.test_files.is_match(path)
            || named.contains(path)
        {
            let mut bytes = repo.read(state, path)?;
            if path == "pyproject.toml" || path.ends_with("/pyproject.toml") {
                bytes = settings::without_own_table(bytes);
            }
            files.push((path.as_str(), bytes));
        }
    }
    // What the build generated and the sandboxes get from the checkout (never mutated).
    for path in &state.generated {
        let bytes = std::fs::read(repo.workdir().join(path)).unwrap_or_default();
        files.push((path.as_str(), bytes));
    }
    Ok(TestFingerprint::of(files))
}
