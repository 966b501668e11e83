//! The main loop of a run: baseline, canary, then the mutants spread over one thread per
//! sandbox. Each thread tests its mutants through one `MutantRunner`: a
//! `WorkerRunner` (the warm pytest worker, [`crate::execution::worker`]) when the sandbox has one,
//! else a `PlainRunner` ([`Lab::run_mutant`], the test command from scratch, which is
//! also where the worker falls back to).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::console::Progress;
use crate::execution::process::{Exit, RunResult, log_tail, run_test_command};
use crate::execution::timeouts;
use crate::execution::worker::{Answer, Failure, Mode, PytestCommand, Start, Worker};
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::TargetState;
use crate::git::sandbox::Sandbox;
use crate::interrupt::is_interrupted;
use crate::mutant::Mutant;
use crate::outcome::{MutantResult, Outcome, RanBy};
use crate::output::OutputDir;
use crate::python::encoding::{SourceEncoding, encode};

/// A worker that started, or why not.
type WorkerStart = Result<Worker, Failure>;

/// A sandbox's pytest workers: the warm one for mutants it can swap in, the fresh one
/// for test runs from the start.
#[derive(Default)]
pub struct Workers {
    /// Swaps code per mutant and runs the tests that reach it.
    pub warm: Option<Worker>,
    /// Runs pytest from the start per mutant, without the interpreter's start-up.
    pub fresh: Option<Worker>,
}

/// How often a sandbox's pytest worker is restarted after dying before the sandbox runs
/// the test command from scratch for the rest of the run.
const WORKER_RESTARTS: usize = 2;

/// Everything a worker needs to run a mutant.
pub struct Lab<'a> {
    /// The test command.
    pub tests: &'a str,
    /// The current directory relative to the repository root.
    pub cwd_prefix: &'a str,
    /// Original text of every file with mutants.
    pub sources: &'a BTreeMap<String, String>,
    /// The encoding of each of those files that is not UTF-8: what is written into the
    /// sandbox is encoded back.
    pub encodings: &'a BTreeMap<String, SourceEncoding>,
    /// Where logs go.
    pub out: &'a OutputDir,
    /// Each sandbox's Python environment (`PythonEnv::env_for`), by sandbox index:
    /// computed once, not per mutant.
    pub python_envs: &'a [Vec<(String, String)>],
    /// The test command as pytest arguments, when mutants run in the warm worker.
    pub pytest: Option<&'a PytestCommand>,
    /// Whether the worker may re-execute a module to test an import-time mutant.
    pub reexec: bool,
    /// Every file git-chimp may mutate in this run (the canary breaks them; the worker
    /// traces them).
    pub candidates: &'a [String],
    /// The tested state the sandboxes hold.
    pub state: &'a TargetState,
    /// Whether the user was told that the tests damage their sandbox.
    pub damage_told: AtomicBool,
}

/// How many test runs share how many CPUs: (sandboxes, CPUs).
fn load(sandboxes: &[Sandbox]) -> (usize, usize) {
    (sandboxes.len(), crate::options::cpu_count())
}

/// What a sandbox's thread reports to the main thread.
enum Event {
    /// A finished mutant, by index.
    Result(usize, Box<MutantResult>),
    /// A line for the user.
    Message(String),
}

/// What the mutant phase produced.
pub struct LabOutcome {
    /// One result per finished mutant, with the mutant's index in the slice the lab was
    /// given, in that order.
    pub results: Vec<(usize, MutantResult)>,
    /// Whether the user interrupted the run.
    pub interrupted: bool,
}

impl Lab<'_> {
    fn env(&self, sandbox: &Sandbox, mutant: Option<&Mutant>) -> Vec<(String, String)> {
        let mut env = self.python_envs[sandbox.index].clone();
        env.push((
            "CHIMP_MUTANT".to_owned(),
            mutant.map_or_else(String::new, |m| m.id.0.clone()),
        ));
        env
    }

    /// Everything before the mutants: the baseline (which sets the timeout per mutant),
    /// the canary and the pytest workers. With a pytest command, the warm worker of the
    /// first sandbox is the baseline: it collects the tests and runs every one of them
    /// in a traced child, and its tracer sees the sandbox's files run (what the canary
    /// proves). Only when it cannot start do the test command's baseline and the canary
    /// run, to say why in the user's own terms. Returns the timeout and each sandbox's
    /// workers.
    ///
    /// # Errors
    /// [`ExitCode::BaselineFailed`], [`ExitCode::CanaryFailed`] or
    /// [`ExitCode::Interrupted`].
    pub fn set_up(
        &self,
        sandboxes: &[Sandbox],
        (given, baseline_limit): (Option<Duration>, Duration),
        canary: bool,
    ) -> Result<(Duration, Vec<Workers>)> {
        let mut workers: Vec<Workers> = sandboxes.iter().map(|_| Workers::default()).collect();
        if self.pytest.is_some() {
            eprintln!("git-chimp: baseline in the pytest worker: {}", self.tests);
            // A worker gets four of these to collect the tests and run the traced baseline.
            workers = self.start_workers(sandboxes, given.unwrap_or(baseline_limit / 4));
            if let Some(worker) = workers.first().and_then(|workers| workers.warm.as_ref()) {
                let timeout = timeouts::mutant_timeout(given, worker.startup, load(sandboxes));
                eprintln!(
                    "git-chimp: baseline passed in {:.1}s (collection and a traced run); \
                     timeout per mutant {:.1}s",
                    worker.startup.as_secs_f64(),
                    timeout.as_secs_f64()
                );
                // What runs from scratch must pass unmutated too: once through the fresh
                // worker (cheap), else, or if that fails, the test command itself.
                let log = self.out.logs_dir().join("baseline.log");
                let fresh = workers[0]
                    .fresh
                    .as_mut()
                    .map(|fresh| fresh.fresh_run("", &log, timeout));
                if matches!(
                    fresh,
                    Some(Ok(RunResult {
                        exit: Exit::Success,
                        ..
                    }))
                ) {
                    let _ = std::fs::remove_file(&log);
                    self.restore_all(sandboxes, "the baseline")?;
                    return Ok((timeout, workers));
                }
                eprintln!("git-chimp: baseline from scratch: {}", self.tests);
                self.restore_all(sandboxes, "the baseline")?;
                self.baseline(&sandboxes[0], Some(timeout))?;
                self.restore_all(sandboxes, "the baseline")?;
                if fresh.is_some() {
                    eprintln!(
                        "git-chimp: pytest fails unmutated when forked from the fresh worker; \
                         fresh runs use the test command instead"
                    );
                    for workers in &mut workers {
                        workers.fresh = None;
                    }
                }
                return Ok((timeout, workers));
            }
        }
        if is_interrupted() {
            return Err(fatal(ExitCode::Interrupted, "interrupted"));
        }
        eprintln!("git-chimp: baseline: {}", self.tests);
        let baseline = self.baseline(&sandboxes[0], Some(given.unwrap_or(baseline_limit)))?;
        self.restore_all(sandboxes, "the baseline")?;
        let timeout = timeouts::mutant_timeout(given, baseline, load(sandboxes));
        eprintln!(
            "git-chimp: baseline passed in {:.1}s; timeout per mutant {:.1}s",
            baseline.as_secs_f64(),
            timeout.as_secs_f64()
        );
        if canary {
            self.canary(&sandboxes[0], self.candidates, timeout)?;
            self.restore_all(&sandboxes[..1], "the canary run")?;
        }
        if is_interrupted() {
            return Err(fatal(ExitCode::Interrupted, "interrupted"));
        }
        Ok((timeout, workers))
    }

    /// After a test run in `sandbox` (`after` names it): when the tests deleted or changed
    /// files of the tested state, sync the sandbox again, so no later run depends on what
    /// they did. Returns the line to tell the user, the first time only.
    ///
    /// # Errors
    /// [`ExitCode::Incomplete`] when the sandbox cannot be restored.
    fn restore_if_damaged(&self, sandbox: &Sandbox, after: &str) -> Result<Option<String>> {
        let Some(damage) = sandbox.damage() else {
            return Ok(None);
        };
        sandbox.resync(self.state).map_err(|err| {
            fatal(
                ExitCode::Incomplete,
                format!(
                    "the tests delete or change files in their working directory ({damage} \
                     after {after}), and sandbox {} could not be restored: {err:#}",
                    sandbox.index
                ),
            )
        })?;
        Ok((!self.damage_told.swap(true, Ordering::SeqCst)).then(|| {
            format!(
                "git-chimp: the tests delete or change files in their working directory \
                 ({damage} after {after}); git-chimp restores the sandbox after every such run"
            )
        }))
    }

    /// [`Lab::restore_if_damaged`] for every sandbox, telling the user on stderr.
    fn restore_all(&self, sandboxes: &[Sandbox], after: &str) -> Result<()> {
        for sandbox in sandboxes {
            if let Some(line) = self.restore_if_damaged(sandbox, after)? {
                eprintln!("{line}");
            }
        }
        Ok(())
    }

    /// Run the tests on the unmutated code; return their duration.
    ///
    /// # Errors
    /// [`ExitCode::BaselineFailed`] when they fail, time out or cannot run.
    pub fn baseline(&self, sandbox: &Sandbox, timeout: Option<Duration>) -> Result<Duration> {
        let log = self.out.logs_dir().join("baseline.log");
        let run = run_test_command(
            self.tests,
            &sandbox.dir_for(self.cwd_prefix),
            &self.env(sandbox, None),
            &log,
            timeout,
        )?;
        let shown = shown_path(&log);
        let tail = log_tail(&log, 20);
        let problem = match run.exit {
            Exit::Success => return Ok(run.duration),
            Exit::Interrupted => {
                return Err(fatal(
                    ExitCode::Interrupted,
                    "interrupted during the baseline run",
                ));
            }
            Exit::Failure(127) => format!(
                "the test command was not found: `{}` (the shell exited 127)",
                self.tests
            ),
            Exit::Failure(code) => {
                format!("the tests fail on the unmutated code (exit status {code})")
            }
            Exit::Signalled(signal) => {
                format!("the tests were killed by signal {signal} on the unmutated code")
            }
            Exit::Timeout => format!(
                "the tests did not finish within --timeout on the unmutated code ({:.1}s; \
                 without --timeout the limit is --baseline-timeout, 600 s by default)",
                run.duration.as_secs_f64()
            ),
        };
        Err(fatal(
            ExitCode::BaselineFailed,
            format!(
                "{problem}; nothing was mutated. Fix the tests or the --tests command first.\n\
                 --- last lines of {shown} ---\n{tail}"
            ),
        ))
    }

    /// Prove the tests import the sandbox's code: with every module git-chimp may mutate
    /// (`candidates`: all selected files, not only those with mutants in scope, so a
    /// `--since` change in a module no test imports does not trip it) broken on purpose,
    /// the tests must fail.
    ///
    /// # Errors
    /// [`ExitCode::CanaryFailed`] when they pass anyway.
    pub fn canary(
        &self,
        sandbox: &Sandbox,
        candidates: &[String],
        timeout: Duration,
    ) -> Result<()> {
        const CANARY: &[u8] =
            b"raise RuntimeError('git-chimp canary: this module is broken on purpose')\n";
        let mut originals = Vec::with_capacity(candidates.len());
        for path in candidates {
            let original = std::fs::read(sandbox.root.join(path))
                .with_context(|| format!("reading {path} in the sandbox"))?;
            sandbox.write(path, &[CANARY, &original].concat())?;
            originals.push((path, original));
        }
        let log = self.out.logs_dir().join("canary.log");
        let run = run_test_command(
            self.tests,
            &sandbox.dir_for(self.cwd_prefix),
            &self.env(sandbox, None),
            &log,
            Some(timeout),
        );
        let restored: Result<()> = originals
            .iter()
            .try_for_each(|(path, original)| sandbox.write(path, original));
        if restored.is_err() {
            // The tests deleted what the canary broke: sync the whole sandbox again.
            self.restore_if_damaged(sandbox, "the canary run")?;
        }
        match run?.exit {
            Exit::Success => Err(fatal(
                ExitCode::CanaryFailed,
                format!(
                    "the tests pass even with every module under mutation broken, so they do not \
                     import the code git-chimp mutates. Check that the test command imports \
                     your package from the current checkout (an installed, non-editable copy \
                     or a path outside the repository would be used instead), or narrow \
                     --code to code the tests use. Log: {}",
                    shown_path(&log)
                ),
            )),
            Exit::Interrupted => Err(fatal(
                ExitCode::Interrupted,
                "interrupted during the canary run",
            )),
            _ => {
                let _ = std::fs::remove_file(&log);
                Ok(())
            }
        }
    }

    /// The log a worker's current test run writes; kept (renamed) for survivors and
    /// timeouts only.
    fn worker_log(&self, sandbox: &Sandbox) -> PathBuf {
        self.out
            .logs_dir()
            .join(format!(".worker-{}.log", sandbox.index))
    }

    /// Start the pytest workers of every sandbox (in parallel), where they can run, with
    /// the reason printed where they cannot.
    #[must_use]
    pub fn start_workers(&self, sandboxes: &[Sandbox], timeout: Duration) -> Vec<Workers> {
        let Some(command) = self.pytest else {
            return sandboxes.iter().map(|_| Workers::default()).collect();
        };
        let started: Vec<(WorkerStart, WorkerStart)> = std::thread::scope(|scope| {
            let handles: Vec<_> = sandboxes
                .iter()
                .map(|sandbox| {
                    scope.spawn(move || {
                        (
                            self.start_worker(command, sandbox, timeout, Mode::Warm),
                            self.start_worker(command, sandbox, timeout, Mode::Fresh),
                        )
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle.join().unwrap_or_else(|_| {
                        let panicked = || Err(Failure::Gone("the worker thread panicked".into()));
                        (panicked(), panicked())
                    })
                })
                .collect()
        });
        let mut workers = Vec::with_capacity(started.len());
        for (sandbox, (warm, fresh)) in sandboxes.iter().zip(started) {
            let warm = match warm {
                Ok(worker) => {
                    if sandbox.index == 0 {
                        eprintln!(
                            "git-chimp: pytest worker: {} tests, traced baseline {:.1}s",
                            worker.tests,
                            worker.baseline.as_secs_f64()
                        );
                    }
                    Some(worker)
                }
                Err(Failure::Interrupted) => None,
                Err(Failure::Gone(reason)) => {
                    eprintln!(
                        "git-chimp: the pytest worker cannot run in sandbox {}, so its mutants \
                         run the tests from scratch: {reason}",
                        sandbox.index
                    );
                    None
                }
            };
            let fresh = match fresh {
                Ok(worker) => Some(worker),
                Err(Failure::Interrupted) => None,
                Err(Failure::Gone(reason)) => {
                    eprintln!(
                        "git-chimp: sandbox {} starts every fresh test run with the test \
                         command: {reason}",
                        sandbox.index
                    );
                    None
                }
            };
            workers.push(Workers { warm, fresh });
        }
        workers
    }

    fn start_worker(
        &self,
        command: &PytestCommand,
        sandbox: &Sandbox,
        timeout: Duration,
        mode: Mode,
    ) -> WorkerStart {
        let scratch = sandbox
            .scratch()
            .map_err(|err| Failure::Gone(format!("{err:#}")))?;
        let start = Start {
            command,
            dir: &sandbox.dir_for(self.cwd_prefix),
            scratch: &scratch,
            env: &self.python_envs[sandbox.index],
            files: self
                .candidates
                .iter()
                .chain(self.sources.keys())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|path| sandbox.root.join(path).to_string_lossy().into_owned())
                .collect(),
            // Collecting plus a traced run of every test.
            timeout: timeout * 4,
            reexec: self.reexec,
        };
        Worker::start(&start, mode)
    }

    /// Run every mutant over the sandboxes, one thread each, through the sandbox's pytest
    /// worker where `workers` has one.
    pub fn run_mutants(
        &self,
        sandboxes: &[Sandbox],
        workers: Vec<Workers>,
        mutants: &[Mutant],
        timeout: Duration,
        progress: &mut Progress,
        on_result: &mut dyn FnMut(usize, &MutantResult),
    ) -> LabOutcome {
        let next = AtomicUsize::new(0);
        let broken = AtomicBool::new(false);
        // Every run holds it shared; a timeout's second run holds it alone.
        let alone = RwLock::new(());
        let (sender, receiver) = mpsc::channel::<Event>();
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
                            sender: &sender,
                        }),
                        None => Box::new(plain),
                    };
                    loop {
                        if is_interrupted() || broken.load(Ordering::SeqCst) {
                            break;
                        }
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        let Some(mutant) = mutants.get(index) else {
                            break;
                        };
                        let ran = self.test_one(&mut *runner, sandbox, mutant, alone, &sender);
                        match ran {
                            Ok(Some(result)) => {
                                let _ = sender.send(Event::Result(index, Box::new(result)));
                            }
                            Ok(None) => break,
                            Err(err) => {
                                // The sandbox could not be restored: stop, never guess.
                                broken.store(true, Ordering::SeqCst);
                                let result = error_result(mutant, format!("{err:#}"));
                                let _ = sender.send(Event::Result(index, Box::new(result)));
                                break;
                            }
                        }
                    }
                });
            }
            drop(sender);
            for event in receiver {
                let (index, result) = match event {
                    Event::Result(index, result) => (index, *result),
                    Event::Message(message) => {
                        progress.message(&message);
                        continue;
                    }
                };
                if result.outcome == Outcome::Error {
                    progress.message(&format!(
                        "git-chimp: error on mutant {}: {}",
                        result.mutant.id,
                        result.detail.as_deref().unwrap_or("")
                    ));
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
            interrupted: is_interrupted(),
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
        sender: &mpsc::Sender<Event>,
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
            if let Some(line) = self.restore_if_damaged(sandbox, &after)? {
                let _ = sender.send(Event::Message(line));
            }
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

    /// Ask `worker` about `mutant`: `Ok(None)` when it must run from scratch (with the
    /// reason).
    fn run_warm(
        &self,
        worker: &mut Worker,
        sandbox: &Sandbox,
        mutant: &Mutant,
        timeout: Duration,
    ) -> Result<Result<MutantResult, String>, Failure> {
        let Some(source) = self.sources.get(&mutant.path) else {
            return Ok(Err("source not loaded".into()));
        };
        let started = std::time::Instant::now();
        let answer = worker.mutant(
            &mutant.id.0,
            &sandbox.root.join(&mutant.path),
            &mutant.mutated_text(source),
            (mutant.start.line, mutant.end.line),
            timeout,
        )?;
        let duration = started.elapsed();
        let mut how = None;
        let (outcome, killed_by, covered_by, reexecuted) = match answer {
            Answer::Fallback(reason) => return Ok(Err(reason)),
            Answer::Killed {
                by,
                tests,
                reason,
                reexecuted,
            } => {
                how = reason;
                (Outcome::Killed, by, tests, reexecuted)
            }
            Answer::Survived { tests } => (Outcome::Survived, None, tests, false),
            Answer::Timeout { reexecuted } => (Outcome::Timeout, None, Vec::new(), reexecuted),
            Answer::Uncovered => (Outcome::Uncovered, None, Vec::new(), false),
        };
        let log = matches!(outcome, Outcome::Survived | Outcome::Timeout)
            .then(|| {
                let kept = self.out.logs_dir().join(format!("{}.log", mutant.id));
                std::fs::copy(&worker.console, &kept).ok().map(|_| {
                    crate::execution::process::cap_log(&kept);
                    kept
                })
            })
            .flatten();
        Ok(Ok(MutantResult {
            log,
            detail: match outcome {
                Outcome::Timeout => Some(format!("killed after {:.1}s", timeout.as_secs_f64())),
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
            ..MutantResult::new(mutant, outcome, duration)
        }))
    }

    /// Apply one mutant in `sandbox`, run the tests, restore the file. `None` when the run
    /// was interrupted (its outcome is unknown).
    ///
    /// # Errors
    /// When the sandbox's file cannot be written or restored.
    pub fn run_mutant(
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
                    &sandbox.dir_for(self.cwd_prefix),
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
        let kept = if matches!(outcome, Outcome::Survived | Outcome::Timeout) {
            let kept = self.out.logs_dir().join(format!("{}.log", mutant.id));
            crate::execution::process::cap_log(&log);
            std::fs::rename(&log, &kept).ok().map(|()| kept)
        } else {
            None
        };
        Ok(Some(MutantResult {
            log: kept,
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
        self.lab
            .run_mutant(self.sandbox, mutant, self.timeout, &mut self.fresh)
    }
}

impl PlainRunner<'_, '_> {
    /// [`MutantRunner::run`], with `detail` as the result's reason unless it has one.
    fn run_because(&mut self, mutant: &Mutant, detail: &str) -> Result<Option<MutantResult>> {
        let result = self.run(mutant)?;
        Ok(result.map(|mut result| {
            result.detail.get_or_insert_with(|| detail.to_owned());
            result
        }))
    }
}

/// Asks the sandbox's warm pytest worker, and runs from scratch (its `plain` runner)
/// what the worker cannot answer. A worker that dies is restarted (at most
/// [`WORKER_RESTARTS`] times), and its mutant run from scratch.
struct WorkerRunner<'a, 'lab> {
    plain: PlainRunner<'a, 'lab>,
    worker: Option<Worker>,
    restarts: usize,
    sender: &'a mpsc::Sender<Event>,
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
            Ok(Err(reason)) => self
                .plain
                .run_because(mutant, &format!("run from scratch: {reason}")),
            Err(Failure::Interrupted) => Ok(None),
            Err(Failure::Gone(reason)) => {
                self.worker = None;
                let restart = self.restarts < WORKER_RESTARTS;
                let _ = self.sender.send(Event::Message(format!(
                    "git-chimp: the pytest worker of sandbox {} died on mutant {} ({}); {}",
                    sandbox.index,
                    mutant.id,
                    reason.lines().next().unwrap_or_default(),
                    if restart {
                        "running that mutant from scratch and restarting the worker"
                    } else {
                        "running the rest of this sandbox's mutants from scratch"
                    }
                )));
                let result = self
                    .plain
                    .run_because(mutant, "run from scratch: the worker died on it");
                if restart && !is_interrupted() {
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
        let Some(command) = lab.pytest else { return };
        match lab.start_worker(command, sandbox, timeout, Mode::Warm) {
            Ok(worker) => self.worker = Some(worker),
            Err(Failure::Gone(reason)) => {
                let _ = self.sender.send(Event::Message(format!(
                    "git-chimp: the pytest worker of sandbox {} did not restart: {reason}",
                    sandbox.index
                )));
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

/// `path` relative to the current directory when it lies below it, for messages.
fn shown_path(path: &Path) -> String {
    let shown: PathBuf = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    shown.display().to_string()
}
