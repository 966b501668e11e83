//! Everything before the mutants: the baseline, the canary, the sandboxes' pytest
//! workers, and restoring a sandbox the tests damaged. The workers' baselines are
//! `baselines.rs`; the mutant phase is `runner.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::execution::process::{Exit, log_tail, run_test_command};
use crate::execution::timeouts;
use crate::execution::worker::{Failure, Mode, Start, Worker, WorkerCommand};
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::TargetState;
use crate::git::sandbox::Sandbox;
use crate::interrupt::should_stop;
use crate::output::OutputDir;
use crate::python::encoding::SourceEncoding;
use crate::python::mutant::Mutant;
use crate::settings::Options;

/// A worker that started, or why not.
type WorkerStart = Result<Worker, Failure>;

/// A sandbox's pytest workers: the warm one for mutants it can swap in, the fresh one
/// for test runs from the start.
#[derive(Default)]
pub(crate) struct Workers {
    /// Swaps code per mutant and runs the tests that reach it.
    pub warm: Option<Worker>,
    /// Runs pytest from the start per mutant, without the interpreter's start-up.
    pub fresh: Option<Worker>,
}

/// Everything a worker needs to run a mutant.
pub(crate) struct Lab<'a> {
    /// The test command.
    pub tests: &'a str,
    /// The run's options: its timeouts, the canary, the current directory relative to
    /// the repository root (`cwd_prefix`), re-execution.
    pub options: &'a Options,
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
    /// The test command as the worker runs it, when mutants run in the warm worker.
    pub worker: Option<&'a WorkerCommand>,
    /// Every file git-chimp may mutate in this run (the canary breaks them; the worker
    /// traces them).
    pub candidates: &'a [String],
    /// The tested state the sandboxes hold.
    pub state: &'a TargetState,
    /// Whether the user was told that the tests damage their sandbox.
    pub damage_told: AtomicBool,
    /// The traced baseline's records and the tests' untraced times, for a worker that
    /// restarts.
    pub records: std::sync::OnceLock<SharedRecords>,
    /// The pytest worker's timeout rule (`timeouts::worker_rule`).
    pub worker_rule: Option<[f64; 2]>,
    /// Where the traced baseline's line map is kept (`None` without a cache).
    pub map: Option<crate::execution::line_map::MapSlot>,
    /// Whether the baseline took some tests from an earlier run's line map, and what
    /// the checks that makes necessary found.
    pub partial: Partial,
}

/// A run whose baseline took some tests' records from an earlier run's line map: those
/// tests have not run on this code, so a detection that rests on one of them stands
/// only once it passes unmutated.
#[derive(Default)]
pub(crate) struct Partial {
    /// Set when the run is partial: how long the whole test command may take
    /// unmutated (the baseline's limit).
    pub on: std::sync::OnceLock<Duration>,
    /// Whether the whole test command passed unmutated from scratch (run once, the
    /// first time a mutant run from scratch is detected).
    pub command_passes: std::sync::Mutex<Option<bool>>,
    /// Why the code fails its tests unmutated, when a check found it: the run stops and
    /// ends as a failed baseline.
    pub fails: std::sync::OnceLock<String>,
}

impl Partial {
    /// The failed baseline a check found, if one did.
    ///
    /// # Errors
    /// [`ExitCode::BaselineFailed`] when the code fails its tests unmutated.
    pub(crate) fn failure(&self) -> Result<()> {
        match self.fails.get() {
            None => Ok(()),
            Some(why) => Err(fatal(
                ExitCode::BaselineFailed,
                format!(
                    "the tests fail on the unmutated code: {why}. This run took the tests \
                     that did not reach what changed from an earlier run's line map, so it \
                     saw this only when one of them detected a mutant; the outcomes found \
                     before are kept in the cache. Fix the tests or the --tests command \
                     first."
                ),
            )),
        }
    }
}

/// What every warm worker takes from the baselines: the traced run's records (which
/// tests reach which lines) and each test's untraced time.
pub(crate) struct SharedRecords {
    /// The traced baseline's records.
    pub records: serde_json::Value,
    /// `[test id, seconds, fixture seconds]` of each test.
    pub durations: Option<serde_json::Value>,
    /// The traced baseline's copies of calls' arguments, for the survivors' probes.
    pub inputs: Option<serde_json::Value>,
}

/// How many test runs share how many CPUs.
fn load(sandboxes: &[Sandbox]) -> timeouts::Parallelism {
    timeouts::Parallelism::of(sandboxes.len())
}

impl Lab<'_> {
    pub(super) fn env(&self, sandbox: &Sandbox, mutant: Option<&Mutant>) -> Vec<(String, String)> {
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
    pub(crate) fn set_up(&self, sandboxes: &[Sandbox]) -> Result<(Duration, Vec<Workers>)> {
        let (given, baseline_limit) = (self.options.timeout, self.options.baseline_timeout);
        let mut workers: Vec<Workers> = sandboxes.iter().map(|_| Workers::default()).collect();
        if let Some(command) = self.worker {
            tracing::info!("baseline in the {}: {}", command.worker(), self.tests);
            // A given timeout is for a mutant's tests: collecting them and the baselines
            // get four of it.
            let limit = given.map_or(baseline_limit, |given| given * 4);
            workers = self.start_workers(sandboxes, limit);
            if let Some(plain) = self.worker_baselines(sandboxes, &mut workers, limit)? {
                let timeout = timeouts::mutant_timeout(given, plain, load(sandboxes));
                if given.is_some() {
                    tracing::info!("timeout per mutant {:.1}s", timeout.as_secs_f64());
                } else {
                    tracing::info!(
                        "timeout per mutant: {:.0} × its tests' untraced time + {:.0}s in the \
                         {}, {:.1}s from scratch",
                        timeouts::PER_TEST_MULTIPLIER,
                        timeouts::PER_TEST_GRACE.as_secs_f64(),
                        command.worker(),
                        timeout.as_secs_f64()
                    );
                }
                self.restore_all(sandboxes, "the baseline")?;
                return Ok((timeout, workers));
            }
        }
        if should_stop() {
            return Err(fatal(ExitCode::Interrupted, "interrupted"));
        }
        tracing::info!("baseline: {}", self.tests);
        let baseline = self.baseline(&sandboxes[0], Some(given.unwrap_or(baseline_limit)))?;
        self.restore_all(sandboxes, "the baseline")?;
        let timeout = timeouts::mutant_timeout(given, baseline, load(sandboxes));
        tracing::info!(
            "baseline passed in {:.1}s; timeout per mutant {:.1}s",
            baseline.as_secs_f64(),
            timeout.as_secs_f64()
        );
        if self.options.canary {
            self.canary(&sandboxes[0], self.candidates, timeout)?;
            self.restore_all(&sandboxes[..1], "the canary run")?;
        }
        if should_stop() {
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
    pub(super) fn restore_if_damaged(&self, sandbox: &Sandbox, after: &str) -> Result<()> {
        let Some(damage) = sandbox.damage() else {
            return Ok(());
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
        if !self.damage_told.swap(true, Ordering::SeqCst) {
            tracing::info!(
                "the tests delete or change files in their working directory ({damage} after \
                 {after}); git-chimp restores the sandbox after every such run"
            );
        }
        tracing::debug!("sandbox {} restored: {damage} after {after}", sandbox.index);
        Ok(())
    }

    /// [`Lab::restore_if_damaged`] for every sandbox.
    pub(super) fn restore_all(&self, sandboxes: &[Sandbox], after: &str) -> Result<()> {
        for sandbox in sandboxes {
            self.restore_if_damaged(sandbox, after)?;
        }
        Ok(())
    }

    /// The test command in `sandbox` as its files are (no mutant named), output in `log`.
    ///
    /// # Errors
    /// When it cannot start.
    pub(super) fn run_unmutated(
        &self,
        sandbox: &Sandbox,
        log: &Path,
        timeout: Option<Duration>,
    ) -> Result<crate::execution::process::RunResult> {
        run_test_command(
            self.tests,
            &sandbox.dir_for(&self.options.cwd_prefix),
            &self.env(sandbox, None),
            log,
            timeout,
        )
    }

    /// Run the tests on the unmutated code; return their duration.
    ///
    /// # Errors
    /// [`ExitCode::BaselineFailed`] when they fail, time out or cannot run.
    pub(crate) fn baseline(
        &self,
        sandbox: &Sandbox,
        timeout: Option<Duration>,
    ) -> Result<Duration> {
        let log = self.out.logs_dir().join("baseline.log");
        let run = self.run_unmutated(sandbox, &log, timeout)?;
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
            Exit::Failure(5)
                if let Some(said) = crate::detect::nothing_collected(
                    self.tests,
                    &sandbox.dir_for(""),
                    &self.state.files,
                    &self.options.cwd_prefix,
                ) =>
            {
                said
            }
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
    pub(crate) fn canary(
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
        let run = self.run_unmutated(sandbox, &log, Some(timeout));
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
    pub(super) fn worker_log(&self, sandbox: &Sandbox) -> PathBuf {
        self.out
            .logs_dir()
            .join(format!(".worker-{}.log", sandbox.index))
    }

    /// Start the pytest workers of every sandbox (in parallel), where they can run, with
    /// the reason printed where they cannot.
    #[must_use]
    pub(crate) fn start_workers(&self, sandboxes: &[Sandbox], timeout: Duration) -> Vec<Workers> {
        let Some(command) = self.worker else {
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
                Ok(worker) => Some(worker),
                Err(Failure::Interrupted) => None,
                Err(Failure::Gone(reason)) => {
                    tracing::info!(
                        "the {} cannot run in sandbox {}, so its mutants run the tests \
                         from scratch: {reason}",
                        command.worker(),
                        sandbox.index
                    );
                    None
                }
            };
            let fresh = match fresh {
                Ok(worker) => Some(worker),
                Err(Failure::Interrupted) => None,
                Err(Failure::Gone(reason)) => {
                    tracing::info!(
                        "sandbox {} starts every fresh test run with the test \
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

    /// The files the pytest worker traces, in its numbering: every candidate and every
    /// file with mutants, sorted.
    pub(super) fn traced_files(&self) -> Vec<&String> {
        self.candidates
            .iter()
            .chain(self.sources.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    pub(super) fn start_worker(
        &self,
        command: &WorkerCommand,
        sandbox: &Sandbox,
        timeout: Duration,
        mode: Mode,
    ) -> WorkerStart {
        let scratch = sandbox
            .scratch()
            .map_err(|err| Failure::Gone(format!("{err:#}")))?;
        let start = Start {
            command,
            dir: &sandbox.dir_for(&self.options.cwd_prefix),
            scratch: &scratch,
            env: &self.python_envs[sandbox.index],
            files: self
                .traced_files()
                .into_iter()
                .map(|path| sandbox.root.join(path).to_string_lossy().into_owned())
                .collect(),
            timeout,
            reexec: self.options.reexec,
        };
        Worker::start(&start, mode)
    }
}

/// `path` relative to the current directory when it lies below it, for messages.
pub(crate) fn shown_path(path: &Path) -> String {
    let shown: PathBuf = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    shown.display().to_string()
}
