//! The pytest workers' baselines: the traced run in one sandbox, the untraced one and
//! the run from scratch in another at the same time, and the records every worker
//! takes from them (README, "Baselines"). The rest of the set-up is `lab.rs`.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::execution::lab::{Lab, SharedRecords, Workers};
use crate::execution::line_map::{LineMap, Snapshot};
use crate::execution::process::{Exit, RunResult};
use crate::execution::worker::{Baseline, Failure, Worker};
use crate::exit_code::{ExitCode, fatal};
use crate::git::sandbox::Sandbox;

impl Lab<'_> {
    /// The warm worker's name in messages ("pytest worker", "unittest worker").
    pub(crate) fn worker_name(&self) -> &'static str {
        self.worker
            .map_or("pytest worker", |command| command.worker())
    }

    /// The warm workers' baselines. The first warm worker runs every test traced (which
    /// tests reach which lines); at the same time the second runs them untraced (each
    /// test's own time, for the mutants' timeouts) and then the whole test command from
    /// scratch, unmutated, in its fresh worker. The others run nothing: every warm worker
    /// then takes the first one's records and the second one's times. Returns the
    /// untraced time of the whole test command (what a run from scratch takes), or
    /// `None` when no warm worker can serve (the reason said), so the test command's own
    /// baseline and the canary decide.
    ///
    /// # Errors
    /// [`ExitCode::BaselineFailed`] or [`ExitCode::Interrupted`].
    pub(super) fn worker_baselines(
        &self,
        sandboxes: &[Sandbox],
        workers: &mut [Workers],
        limit: Duration,
    ) -> Result<Option<Duration>> {
        let warm: Vec<usize> = (0..workers.len())
            .filter(|&index| workers[index].warm.is_some())
            .collect();
        let Some(&tracing_one) = warm.first() else {
            return Ok(None);
        };
        let snapshot = self.map.as_ref().and_then(|_| {
            let traced = self.traced_files();
            let state = self.state;
            Snapshot::of(&sandboxes[0].root, &traced, &state.files, &state.generated)
                .map_err(|err| tracing::debug!("no line map: {err:#}"))
                .ok()
        });
        let timing_one = warm.get(1).copied();
        if let Some(plain) =
            self.reusing_baseline(workers, tracing_one, snapshot.as_ref(), limit)?
        {
            return Ok(Some(plain));
        }
        let log = self.out.logs_dir().join("baseline.log");
        let (traced, untraced, fresh) =
            run_baselines(workers, tracing_one, timing_one, &log, limit);
        let mut cannot = |index: usize, reason: &str| {
            workers[index].warm = None;
            tracing::info!(
                "the {} cannot run in sandbox {index}, so its mutants run the tests from \
                 scratch: {reason}",
                self.worker_name()
            );
        };
        let traced = match traced {
            Some(Ok(baseline)) => baseline,
            Some(Err(Failure::Interrupted)) => return Err(interrupted()),
            Some(Err(Failure::Gone(reason))) => {
                for &index in &warm {
                    cannot(index, &reason);
                }
                return Ok(None);
            }
            None => return Ok(None),
        };
        let durations = match untraced {
            Some(Ok(baseline)) => baseline.durations,
            Some(Err(Failure::Interrupted)) => return Err(interrupted()),
            Some(Err(Failure::Gone(reason))) => {
                if let Some(index) = timing_one {
                    cannot(index, &reason);
                }
                None
            }
            None => None,
        };
        tracing::info!(
            "{}: {} tests, traced baseline {:.1}s ({})",
            self.worker_name(),
            workers[tracing_one]
                .warm
                .as_ref()
                .map_or(0, |worker| worker.tests),
            traced.duration.as_secs_f64(),
            traced.tracer.as_deref().unwrap_or("traced")
        );
        let shared = SharedRecords {
            records: traced.records.unwrap_or_default(),
            durations: durations.or(traced.durations),
            inputs: traced.inputs,
        };
        install(workers, tracing_one, &shared)?;
        let plain = self.plain_baseline(sandboxes, workers, fresh, limit)?;
        tracing::info!(
            "baseline passed in {:.1}s untraced (the whole test command from scratch)",
            plain.as_secs_f64()
        );
        let fresh_passed = workers.iter().any(|workers| workers.fresh.is_some());
        let durations = shared.durations.as_ref();
        self.keep_map(snapshot, &shared.records, durations, plain, fresh_passed);
        let _ = self.records.set(shared);
        Ok(Some(plain))
    }

    /// With `--since` and an earlier run's line map that still fits (`line_map`): trace
    /// only the tests that reached what changed (and new ones) in the first warm worker,
    /// take the other tests' records and untraced times from the map, and return the
    /// whole command's time from the map. Those tests have not run on this code, so the
    /// run is partial: a detection that rests on one of them stands only once it passes
    /// unmutated (the worker's `unless_unmutated_fails` in `deciding.py`, and
    /// [`Lab::run_mutant`]'s callers for runs from scratch). `None` when there is no such
    /// map, or the traced run fails: then every test is traced, as without a map.
    ///
    /// # Errors
    /// [`ExitCode::Interrupted`].
    fn reusing_baseline(
        &self,
        workers: &mut [Workers],
        tracing_one: usize,
        snapshot: Option<&Snapshot>,
        limit: Duration,
    ) -> Result<Option<Duration>> {
        let (Some(slot), Some(snapshot)) = (self.map.as_ref(), snapshot) else {
            return Ok(None);
        };
        if !slot.incremental {
            return Ok(None);
        }
        let Some(map) = LineMap::load(&slot.path) else {
            tracing::info!("no line map of an earlier run: every test is traced");
            return Ok(None);
        };
        let reuse = match map.reuse(snapshot) {
            Ok(reuse) => reuse,
            Err(why) => {
                tracing::info!(
                    "the earlier run's line map does not fit ({why}): every test is traced"
                );
                return Ok(None);
            }
        };
        let Some(worker) = workers[tracing_one].warm.as_mut() else {
            return Ok(None);
        };
        let traced = match worker.baseline(true, limit, Some(&reuse.records)) {
            Ok(traced) => traced,
            Err(Failure::Interrupted) => return Err(interrupted()),
            Err(Failure::Gone(why)) => {
                tracing::info!(
                    "the baseline with the line map failed ({why}): every test is traced"
                );
                return Ok(None);
            }
        };
        let reused = reuse.records.as_array().map_or(0, Vec::len);
        tracing::info!(
            "{}: {} tests, {} traced ({} reached what changed since the last run's line map, \
             {} new), {:.1}s ({}); {reused} taken from the map, each checked unmutated when \
             it detects a mutant",
            self.worker_name(),
            worker.tests,
            traced.tests,
            reuse.retraced,
            traced.tests.saturating_sub(reuse.retraced),
            traced.duration.as_secs_f64(),
            traced.tracer.as_deref().unwrap_or("traced")
        );
        let shared = SharedRecords {
            records: traced.records.unwrap_or_default(),
            durations: with_earlier_times(
                traced.durations,
                &reuse.records,
                reuse.durations.as_ref(),
            ),
            inputs: traced.inputs,
        };
        install(workers, tracing_one, &shared)?;
        if !reuse.fresh_passed {
            for workers in workers.iter_mut() {
                workers.fresh = None;
            }
        }
        if reused > 0 {
            let _ = self.partial.on.set(limit);
        }
        let plain = Duration::from_secs_f64(reuse.plain_seconds);
        self.keep_map(
            Some(snapshot.clone()),
            &shared.records,
            shared.durations.as_ref(),
            plain,
            reuse.fresh_passed,
        );
        let _ = self.records.set(shared);
        Ok(Some(plain))
    }

    /// Store this run's line map for the next run (said in the debug log when it fails).
    fn keep_map(
        &self,
        snapshot: Option<Snapshot>,
        records: &serde_json::Value,
        durations: Option<&serde_json::Value>,
        plain: Duration,
        fresh_passed: bool,
    ) {
        let (Some(slot), Some(snapshot)) = (self.map.as_ref(), snapshot) else {
            return;
        };
        let map = LineMap::new(
            snapshot,
            records.clone(),
            durations.cloned(),
            plain.as_secs_f64(),
            fresh_passed,
        );
        if let Err(err) = map.store(&slot.path) {
            tracing::debug!("the line map was not kept: {err:#}");
        }
    }

    /// The untraced time of the whole test command: the `fresh` worker's run when it
    /// passed; else (or when that failed) the test command's own baseline, and then fresh
    /// runs use the test command.
    ///
    /// # Errors
    /// [`ExitCode::BaselineFailed`] or [`ExitCode::Interrupted`].
    fn plain_baseline(
        &self,
        sandboxes: &[Sandbox],
        workers: &mut [Workers],
        fresh: FreshRun,
        limit: Duration,
    ) -> Result<Duration> {
        // What runs from scratch must pass unmutated too: once through the fresh worker
        // (cheap), else, or if that fails, the test command itself.
        let log = self.out.logs_dir().join("baseline.log");
        Ok(match fresh {
            Some(Ok(RunResult {
                exit: Exit::Success,
                duration,
            })) => {
                let _ = std::fs::remove_file(&log);
                duration
            }
            Some(Err(Failure::Interrupted)) => return Err(interrupted()),
            fresh => {
                tracing::info!("baseline from scratch: {}", self.tests);
                self.restore_all(sandboxes, "the baseline")?;
                let plain = self.baseline(&sandboxes[0], Some(limit))?;
                if fresh.is_some() {
                    tracing::info!(
                        "pytest fails unmutated when forked from the fresh worker; \
                         fresh runs use the test command instead"
                    );
                    for workers in workers.iter_mut() {
                        workers.fresh = None;
                    }
                }
                plain
            }
        })
    }

    /// A restarted worker's records: what the baseline gave the others.
    pub(super) fn install_records(&self, worker: &mut Worker) -> Result<(), Failure> {
        match self.records.get() {
            Some(shared) => worker.install(
                Some(&shared.records),
                shared.durations.as_ref(),
                shared.inputs.as_ref(),
            ),
            None => Err(Failure::Gone("no baseline records to give it".into())),
        }
    }
}

/// What a warm worker's baseline gave, if it had one.
type BaselineRun = Option<Result<Baseline, Failure>>;

/// The from-scratch run's result, if a fresh worker made one.
type FreshRun = Option<Result<RunResult, Failure>>;

/// The traced baseline in the first of `workers` (by index), and at the same time the
/// untraced one and the run from scratch in the second (without a second, the run from
/// scratch follows in the first).
fn run_baselines(
    workers: &mut [Workers],
    tracing_one: usize,
    timing_one: Option<usize>,
    log: &Path,
    limit: Duration,
) -> (BaselineRun, BaselineRun, FreshRun) {
    let mut first = None;
    let mut second = None;
    for (index, workers) in workers.iter_mut().enumerate() {
        if index == tracing_one {
            first = Some(workers);
        } else if Some(index) == timing_one {
            second = Some(workers);
        }
    }
    let first = first.expect("the tracing worker is one of them");
    std::thread::scope(|scope| {
        let handle = second.map(|second| {
            scope.spawn(move || {
                let untraced = second
                    .warm
                    .as_mut()
                    .map(|worker| worker.baseline(false, limit, None));
                let fresh = second
                    .fresh
                    .as_mut()
                    .map(|fresh| fresh.fresh_run("", log, limit));
                (untraced, fresh)
            })
        });
        let traced = first
            .warm
            .as_mut()
            .map(|worker| worker.baseline(true, limit, None));
        let (untraced, fresh) = match handle {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|_| (Some(Err(Failure::Gone("its thread panicked".into()))), None)),
            None => (
                None,
                first
                    .fresh
                    .as_mut()
                    .map(|fresh| fresh.fresh_run("", log, limit)),
            ),
        };
        (traced, untraced, fresh)
    })
}

/// The tests' untraced times: `traced` (the traced run's, which stand in) with each
/// test of `reused` (the map's records) given its time in `earlier` (the map's).
fn with_earlier_times(
    traced: Option<serde_json::Value>,
    reused: &serde_json::Value,
    earlier: Option<&serde_json::Value>,
) -> Option<serde_json::Value> {
    fn id(entry: &serde_json::Value) -> Option<&str> {
        entry.get(0).and_then(serde_json::Value::as_str)
    }
    let (Some(mut durations), Some(earlier)) = (traced.clone(), earlier) else {
        return traced;
    };
    let reused: std::collections::BTreeSet<&str> = reused
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|record| record.get("id").and_then(serde_json::Value::as_str))
        .collect();
    let earlier: std::collections::BTreeMap<&str, &serde_json::Value> = earlier
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| id(entry).map(|id| (id, entry)))
        .filter(|(id, _)| reused.contains(id))
        .collect();
    for entry in durations.as_array_mut().into_iter().flatten() {
        if let Some(&kept) = id(entry).and_then(|id| earlier.get(id)) {
            *entry = kept.clone();
        }
    }
    Some(durations)
}

fn interrupted() -> anyhow::Error {
    fatal(ExitCode::Interrupted, "interrupted during the baseline run")
}

/// Give every warm worker the traced baseline's records and copied calls (the one at
/// `tracing_one` has them) and the tests' durations; a worker that cannot take them is
/// dropped (said).
///
/// # Errors
/// [`ExitCode::Interrupted`].
fn install(workers: &mut [Workers], tracing_one: usize, shared: &SharedRecords) -> Result<()> {
    for (index, workers) in workers.iter_mut().enumerate() {
        let Some(worker) = workers.warm.as_mut() else {
            continue;
        };
        let installed = if index == tracing_one {
            match &shared.durations {
                Some(durations) => worker.install(None, Some(durations), None),
                None => Ok(()),
            }
        } else {
            worker.install(
                Some(&shared.records),
                shared.durations.as_ref(),
                shared.inputs.as_ref(),
            )
        };
        match installed {
            Ok(()) => {}
            Err(Failure::Interrupted) => return Err(interrupted()),
            Err(Failure::Gone(reason)) => {
                workers.warm = None;
                tracing::info!(
                    "the warm worker cannot run in sandbox {index}, so its mutants run \
                     the tests from scratch: {reason}"
                );
            }
        }
    }
    Ok(())
}
