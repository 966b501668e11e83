//! The mutant phase: the sandboxes' threads, each testing its mutants through one
//! `MutantRunner`: a `WorkerRunner` (the warm pytest worker, [`crate::execution::worker`])
//! when the sandbox has one, else a `PlainRunner` ([`Lab::run_mutant`], the test command
//! from scratch, which is also where the worker falls back to). A timeout is confirmed
//! by a second run alone, and a sandbox the tests damaged is restored after each run.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use anyhow::Result;

use crate::console::Progress;
use crate::execution::lab::{Lab, Workers};
use crate::execution::process::{Exit, RunResult, run_test_command};
use crate::execution::worker::{Failure, LineRange, Mode, TimeLimit, Verdict, Worker};
use crate::git::sandbox::Sandbox;
use crate::interrupt::should_stop;
use crate::outcome::{MutantResult, Outcome, RanBy};
use crate::python::encoding::encode;
use crate::python::mutant::Mutant;

/// How often a sandbox's pytest worker is restarted after dying before the sandbox runs
/// the test command from scratch for the rest of the run.
const WORKER_RESTARTS: usize = 2;

/// What a sandbox's thread reports to the main thread: a finished mutant, by index.
type Finished = (usize, Box<MutantResult>);

/// What the mutant phase produced.
pub(crate) struct LabOutcome {
    /// One result per finished mutant, with the mutant's index in the slice the lab was
    /// given, in that order.
    pub results: Vec<(usize, MutantResult)>,
    /// Whether the user interrupted the run.
    pub interrupted: bool,
}
impl Lab<'_> {
    /// Run every mutant over the sandboxes, one thread each, through the sandbox's pytest
    /// worker where `workers` has one.
    pub(crate) fn run_mutants(
        &self,
        sandboxes: &[Sandbox],
        workers: Vec<Workers>,
        mutants: &[&Mutant],
        timeout: Duration,
        progress: &mut Progress,
        on_result: &mut dyn FnMut(usize, &MutantResult),
    ) -> LabOutcome {
        let next = AtomicUsize::new(0);
        let broken = AtomicBool::new(false);
        // Every run holds it shared; a timeout's second run holds it alone.
        let alone = RwLock::new(());
        let (sender, receiver) = mpsc::channel::<Finished>();
        let mut indexed = Vec::with_capacity(mutants.len());
        std::thread::scope(|scope| {
            for (sandbox, workers) in sandboxes.iter().zip(workers) {
                let sender = sender.clone();
                let (next, broken, alone) = (&next, &broken, &alone);
                scope.spawn(move || {
                    let plain = PlainRunner {
                        lab: self,
                        sandbox,
                        fresh: workers.fresh,
                        timeout,
                    };
                    let mut runner: Box<dyn MutantRunner + '_> = match workers.warm {
                        Some(worker) => Box::new(WorkerRunner {
                            plain,
                            worker: Some(worker),
                            restarts: 0,
                        }),
                        None => Box::new(plain),
                    };
                    loop {
                        if should_stop()
                            || broken.load(Ordering::SeqCst)
                            || self.partial.fails.get().is_some()
                        {
                            break;
                        }
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        let Some(&mutant) = mutants.get(index) else {
                            break;
                        };
                        let ran = self.test_one(&mut *runner, sandbox, mutant, alone);
                        match ran {
                            Ok(Some(result)) => {
                                let _ = sender.send((index, Box::new(result)));
                            }
                            Ok(None) => break,
                            Err(err) => {
                                // The sandbox could not be restored: stop, never guess.
                                broken.store(true, Ordering::SeqCst);
                                let result = error_result(mutant, format!("{err:#}"));
                                let _ = sender.send((index, Box::new(result)));
                                break;
                            }
                        }
                    }
                });
            }
            drop(sender);
            for (index, result) in receiver {
                let result = *result;
                if result.outcome == Outcome::Error {
                    tracing::info!(
                        "error on mutant {}: {}",
                        result.mutant.id,
                        result.detail.as_deref().unwrap_or("")
                    );
                }
                progress.record(&result);
                on_result(index, &result);
                indexed.push((index, result));
            }
        });
        for sandbox in sandboxes {
            let _ = std::fs::remove_file(self.worker_log(sandbox));
        }
        indexed.sort_by_key(|(index, _)| *index);
        LabOutcome {
            results: indexed,
            interrupted: crate::interrupt::is_interrupted(),
        }
    }

    /// Test `mutant` through `runner`, then restore the sandbox if the tests damaged it. A
    /// timeout is believed only when the mutant passes its timeout a second time with no
    /// other run going on (`alone`): the other sandboxes' runs share the CPUs with it.
    fn test_one(
        &self,
        runner: &mut dyn MutantRunner,
        sandbox: &Sandbox,
        mutant: &Mutant,
        alone: &RwLock<()>,
    ) -> Result<Option<MutantResult>> {
        let mut run = |exclusive: bool| -> Result<Option<MutantResult>> {
            // The lock is held through the restore too: a sandbox synced again is work
            // that must not overlap a run that is meant to be alone.
            let (_alone, _shared) = if exclusive {
                (
                    Some(alone.write().unwrap_or_else(PoisonError::into_inner)),
                    None,
                )
            } else {
                (
                    None,
                    Some(alone.read().unwrap_or_else(PoisonError::into_inner)),
                )
            };
            let ran = runner.run(mutant);
            // The warm worker's children leave what they adopted from killed tests too.
            crate::execution::process::reap_adopted();
            let after = format!("the run of mutant {}", mutant.id);
            self.restore_if_damaged(sandbox, &after)?;
            ran
        };
        match run(false)? {
            Some(result) if result.outcome == Outcome::Timeout => {
                Ok(run(true)?.map(|mut again| {
                    if again.outcome == Outcome::Timeout {
                        let detail = again.detail.take().unwrap_or_default();
                        again.detail = Some(format!("{detail}, twice (the second time alone)"));
                    }
                    again
                }))
            }
            other => Ok(other),
        }
    }

    /// Where the warm worker's output is kept when it failed on `mutant`.
    fn failed_worker_log(&self, mutant: &Mutant) -> std::path::PathBuf {
        self.out
            .logs_dir()
            .join(format!("{}.worker.log", mutant.id))
    }

    /// Ask `worker` about `mutant`: `Ok(Err(_))` when it must run from scratch (with the
    /// reason).
    fn run_warm(
        &self,
        worker: &mut Worker,
        sandbox: &Sandbox,
        mutant: &Mutant,
        timeout: Duration,
    ) -> Result<Result<MutantResult, FromScratch>, Failure> {
        let Some(source) = self.sources.get(&mutant.path) else {
            return Ok(Err("source not loaded".to_owned().into()));
        };
        let started = std::time::Instant::now();
        let answer = worker.mutant(
            &mutant.id.0,
            &sandbox.root.join(&mutant.path),
            &mutant.mutated_text(source),
            LineRange {
                first: mutant.start.line,
                last: mutant.end.line,
            },
            TimeLimit {
                timeout,
                rule: self.worker_rule,
            },
        )?;
        let duration = started.elapsed();
        let mut how = None;
        let mut probe = None;
        let mut limit = timeout;
        let (outcome, killed_by, covered_by, reexecuted) = match answer {
            Verdict::WorkerFailed(reason) => {
                // Its traceback is in what the child printed.
                let kept = worker.keep_output(&self.failed_worker_log(mutant));
                return Ok(Err(match kept {
                    Some(path) => {
                        format!("{reason}; see {}", crate::execution::lab::shown_path(&path))
                    }
                    None => reason,
                }
                .into()));
            }
            Verdict::Fallback { reason, probe } => return Ok(Err(FromScratch { reason, probe })),
            Verdict::UnmutatedFails(why) => {
                if sandbox.damage().is_some() {
                    // The mutant's tests changed the sandbox's files: the check proves
                    // nothing, and a run from scratch (on a restored sandbox) decides.
                    return Ok(Err(format!(
                        "{why}, but the tests had changed the sandbox's files"
                    )
                    .into()));
                }
                // No outcome for this mutant: the run stops as a failed baseline.
                let _ = self.partial.fails.set(why);
                return Err(Failure::Interrupted);
            }
            Verdict::Killed {
                by,
                tests,
                reason,
                reexecuted,
            } => {
                how = reason;
                (Outcome::Killed, by, tests, reexecuted)
            }
            Verdict::Survived {
                tests,
                probe: found,
            } => {
                probe = found;
                (Outcome::Survived, None, tests, false)
            }
            Verdict::Timeout {
                reexecuted,
                limit: given,
            } => {
                limit = given.unwrap_or(timeout);
                (Outcome::Timeout, None, Vec::new(), reexecuted)
            }
            Verdict::Uncovered => (Outcome::Uncovered, None, Vec::new(), false),
            Verdict::Equivalent => {
                return Ok(Ok(MutantResult {
                    detail: Some(format!(
                        "compiles to the original's bytecode (checked in the {})",
                        self.worker_name()
                    )),
                    ran_by: RanBy::Compiler,
                    ..MutantResult::new(mutant, Outcome::Equivalent, duration)
                }));
            }
        };
        // The logs of survivors and timeouts are kept, as `logs/<id>.log` (best effort).
        if matches!(outcome, Outcome::Survived | Outcome::Timeout) {
            let kept = self.out.logs_dir().join(format!("{}.log", mutant.id));
            if std::fs::copy(&worker.console, &kept).is_ok() {
                crate::execution::process::cap_log(&kept);
            }
        }
        Ok(Ok(MutantResult {
            detail: match outcome {
                Outcome::Timeout => Some(format!("killed after {:.1}s", limit.as_secs_f64())),
                Outcome::Uncovered => Some("no test reaches the mutated lines".to_owned()),
                _ => how,
            },
            ran_by: if reexecuted {
                RanBy::Reexecuted
            } else {
                RanBy::Swapped
            },
            killed_by,
            covered_by,
            probe,
            ..MutantResult::new(mutant, outcome, duration)
        }))
    }

    /// Whether a detection from scratch may stand: outside a partial run (see
    /// [`Lab::partial`]) always; in one, once the whole test command passed unmutated in
    /// `sandbox` (run the first time only, the sandbox restored first, within the
    /// baseline's limit). When it fails, or the run was interrupted, the run stops
    /// (`partial.fails` says why).
    ///
    /// # Errors
    /// When the sandbox cannot be restored.
    fn command_passes_unmutated(&self, sandbox: &Sandbox) -> Result<bool> {
        let Some(&timeout) = self.partial.on.get() else {
            return Ok(true);
        };
        let mut passes = self
            .partial
            .command_passes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(passes) = *passes {
            return Ok(passes);
        }
        // The mutant's run may have changed the sandbox's files.
        self.restore_if_damaged(sandbox, "the mutant's run")?;
        tracing::info!(
            "a mutant run from scratch was detected: the test command runs once unmutated \
             first (some tests had not run on this code: the line map stood for them)"
        );
        let log = self.out.logs_dir().join("baseline.log");
        let run = self.run_unmutated(sandbox, &log, Some(timeout));
        let failure = match run.map(|run| run.exit) {
            Ok(Exit::Success) => {
                let _ = std::fs::remove_file(&log);
                *passes = Some(true);
                return Ok(true);
            }
            Ok(Exit::Interrupted) => return Ok(false),
            Ok(Exit::Failure(code)) => format!("the test command exits {code}"),
            Ok(Exit::Signalled(signal)) => format!("the test command is killed by signal {signal}"),
            Ok(Exit::Timeout) => {
                format!("the test command runs past {:.1}s", timeout.as_secs_f64())
            }
            Err(err) => format!("{err:#}"),
        };
        let _ = self.partial.fails.set(format!(
            "{failure} without any mutant (its output: {})",
            crate::execution::lab::shown_path(&log)
        ));
        *passes = Some(false);
        Ok(false)
    }

    /// Apply one mutant in `sandbox`, run the tests, restore the file. `None` when the run
    /// was interrupted (its outcome is unknown).
    ///
    /// # Errors
    /// When the sandbox's file cannot be written or restored.
    pub(crate) fn run_mutant(
        &self,
        sandbox: &Sandbox,
        mutant: &Mutant,
        timeout: Duration,
        fresh: &mut Option<Worker>,
    ) -> Result<Option<MutantResult>> {
        let Some(source) = self.sources.get(&mutant.path) else {
            return Ok(Some(error_result(mutant, "source not loaded".into())));
        };
        if !mutant.reparses(source) {
            return Ok(Some(error_result(
                mutant,
                "the mutated code does not parse (a git-chimp bug)".into(),
            )));
        }
        let encoding = self.encodings.get(&mutant.path).copied();
        sandbox.write(
            &mutant.path,
            &encode(&mutant.mutated_text(source), encoding),
        )?;
        let log = self.worker_log(sandbox);
        let forked = fresh
            .as_mut()
            .map(|worker| worker.fresh_run(&mutant.id.0, &log, timeout));
        let run = match forked {
            Some(Ok(run)) => Ok(run),
            Some(Err(Failure::Interrupted)) => Ok(RunResult {
                exit: Exit::Interrupted,
                duration: Duration::ZERO,
            }),
            gone_or_none => {
                if gone_or_none.is_some() {
                    *fresh = None;
                }
                run_test_command(
                    self.tests,
                    &sandbox.dir_for(&self.options.cwd_prefix),
                    &self.env(sandbox, Some(mutant)),
                    &log,
                    Some(timeout),
                )
            }
        };
        // When the tests removed the file or its directory, this fails and the caller
        // finds the sandbox damaged and syncs it again (the mutant's own outcome stands:
        // it is what its run gave).
        let _ = sandbox.write(&mutant.path, &encode(source, encoding));
        let run = match run {
            Ok(run) => run,
            Err(err) => return Ok(Some(error_result(mutant, format!("{err:#}")))),
        };
        let outcome = match run.exit {
            Exit::Interrupted => return Ok(None),
            Exit::Success => Outcome::Survived,
            Exit::Failure(_) | Exit::Signalled(_) => Outcome::Killed,
            Exit::Timeout => Outcome::Timeout,
        };
        // The logs of survivors and timeouts are kept, as `logs/<id>.log` (best effort).
        if matches!(outcome, Outcome::Survived | Outcome::Timeout) {
            crate::execution::process::cap_log(&log);
            let _ = std::fs::rename(&log, self.out.logs_dir().join(format!("{}.log", mutant.id)));
        }
        Ok(Some(MutantResult {
            detail: (outcome == Outcome::Timeout)
                .then(|| format!("killed after {:.1}s", timeout.as_secs_f64())),
            ..MutantResult::new(mutant, outcome, run.duration)
        }))
    }
}

/// How a sandbox's thread tests its mutants: the one seam between the main loop and
/// the ways a mutant can run ([`PlainRunner`], [`WorkerRunner`]).
trait MutantRunner {
    /// Test one mutant: `Ok(None)` when the run was interrupted (its outcome is unknown).
    ///
    /// # Errors
    /// When the sandbox cannot be written or restored: the run must stop.
    fn run(&mut self, mutant: &Mutant) -> Result<Option<MutantResult>>;
}

/// Writes the mutant into the sandbox and runs the tests from scratch: forked from the
/// sandbox's fresh pytest worker when it has one, else the test command itself.
struct PlainRunner<'a, 'lab> {
    lab: &'a Lab<'lab>,
    sandbox: &'a Sandbox,
    fresh: Option<Worker>,
    timeout: Duration,
}

impl MutantRunner for PlainRunner<'_, '_> {
    fn run(&mut self, mutant: &Mutant) -> Result<Option<MutantResult>> {
        // After the worker's run of the same mutant, the sandbox may need restoring.
        self.lab
            .restore_if_damaged(self.sandbox, "the worker's run")?;
        let result = self
            .lab
            .run_mutant(self.sandbox, mutant, self.timeout, &mut self.fresh)?;
        let detected = result
            .as_ref()
            .is_some_and(|result| matches!(result.outcome, Outcome::Killed | Outcome::Timeout));
        if detected && !self.lab.command_passes_unmutated(self.sandbox)? {
            return Ok(None);
        }
        Ok(result)
    }
}

impl PlainRunner<'_, '_> {
    /// [`MutantRunner::run`], with `detail` as the result's reason unless it has one.
    fn run_because(&mut self, mutant: &Mutant, detail: &str) -> Result<Option<MutantResult>> {
        tracing::debug!("mutant {}: {detail}", mutant.id);
        let result = self.run(mutant)?;
        Ok(result.map(|mut result| {
            result.detail.get_or_insert_with(|| detail.to_owned());
            result
        }))
    }
}

/// Why the worker could not answer for a mutant, which then runs from scratch; and, for a
/// survivor it saw, what its probe found.
struct FromScratch {
    reason: String,
    probe: Option<crate::outcome::Probe>,
}

impl From<String> for FromScratch {
    fn from(reason: String) -> Self {
        FromScratch {
            reason,
            probe: None,
        }
    }
}

/// Asks the sandbox's warm pytest worker, and runs from scratch (its `plain` runner)
/// what the worker cannot answer. A worker that dies is restarted (at most
/// [`WORKER_RESTARTS`] times), and its mutant run from scratch.
struct WorkerRunner<'a, 'lab> {
    plain: PlainRunner<'a, 'lab>,
    worker: Option<Worker>,
    restarts: usize,
}

impl MutantRunner for WorkerRunner<'_, '_> {
    fn run(&mut self, mutant: &Mutant) -> Result<Option<MutantResult>> {
        let PlainRunner {
            lab,
            sandbox,
            timeout,
            ..
        } = self.plain;
        let Some(worker) = self.worker.as_mut() else {
            return self.plain.run(mutant);
        };
        match lab.run_warm(worker, sandbox, mutant, timeout) {
            Ok(Ok(result)) => Ok(Some(result)),
            Ok(Err(FromScratch { reason, probe })) => {
                let mut result = self
                    .plain
                    .run_because(mutant, &format!("run from scratch: {reason}"));
                // A survivor the fresh run confirms keeps what the worker's probe found.
                if let Ok(Some(found)) = &mut result
                    && found.outcome == Outcome::Survived
                {
                    found.probe = probe;
                }
                result
            }
            Err(Failure::Interrupted) => Ok(None),
            Err(Failure::Gone(reason)) => {
                let kept = self
                    .worker
                    .take()
                    .and_then(|worker| worker.keep_output(&lab.failed_worker_log(mutant)));
                let restart = self.restarts < WORKER_RESTARTS;
                tracing::info!(
                    "the {} of sandbox {} died on mutant {} ({}); {}",
                    lab.worker_name(),
                    sandbox.index,
                    mutant.id,
                    reason.lines().next().unwrap_or_default(),
                    if restart {
                        "running that mutant from scratch and restarting the worker"
                    } else {
                        "running the rest of this sandbox's mutants from scratch"
                    }
                );
                let because = match kept {
                    Some(path) => format!(
                        "run from scratch: the worker died on it (its output: {})",
                        crate::execution::lab::shown_path(&path)
                    ),
                    None => "run from scratch: the worker died on it".to_owned(),
                };
                let result = self.plain.run_because(mutant, &because);
                if restart && !should_stop() {
                    self.restart();
                }
                result
            }
        }
    }
}

impl WorkerRunner<'_, '_> {
    fn restart(&mut self) {
        self.restarts += 1;
        let PlainRunner {
            lab,
            sandbox,
            timeout,
            ..
        } = self.plain;
        let Some(command) = lab.worker else { return };
        let started = lab
            .start_worker(command, sandbox, timeout * 4, Mode::Warm)
            .and_then(|mut worker| lab.install_records(&mut worker).map(|()| worker));
        match started {
            Ok(worker) => self.worker = Some(worker),
            Err(Failure::Gone(reason)) => {
                tracing::info!(
                    "the {} of sandbox {} did not restart: {reason}",
                    lab.worker_name(),
                    sandbox.index
                );
            }
            Err(Failure::Interrupted) => {}
        }
    }
}

fn error_result(mutant: &Mutant, detail: String) -> MutantResult {
    MutantResult {
        detail: Some(detail),
        ..MutantResult::new(mutant, Outcome::Error, Duration::ZERO)
    }
}
