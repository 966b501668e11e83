//! The main loop of a run: baseline, canary, then the mutants spread over one worker per
//! sandbox. Every test run goes through [`run_mutant`], the one seam a second runner (the
//! warm pytest worker planned in DESIGN.md) will implement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::console::Progress;
use crate::exit_code::{ExitCode, fatal};
use crate::interrupt::is_interrupted;
use crate::mutant::Mutant;
use crate::outcome::{MutantResult, Outcome};
use crate::output::OutputDir;
use crate::process::{Exit, log_tail, run_test_command};
use crate::sandbox::Sandbox;

/// Everything a worker needs to run a mutant.
pub struct Lab<'a> {
    /// The test command.
    pub tests: &'a str,
    /// The current directory relative to the repository root.
    pub cwd_prefix: &'a str,
    /// Original text of every file with mutants.
    pub sources: &'a BTreeMap<String, String>,
    /// Where logs go.
    pub out: &'a OutputDir,
    /// Each sandbox's Python environment (`PythonEnv::env_for`), by sandbox index:
    /// computed once, not per mutant.
    pub python_envs: &'a [Vec<(String, String)>],
}

/// What the mutant phase produced.
pub struct LabOutcome {
    /// One result per finished mutant, in mutant order.
    pub results: Vec<MutantResult>,
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
                "the tests did not finish within --timeout on the unmutated code ({:.1}s)",
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
        for (path, original) in &originals {
            sandbox.write(path, original)?;
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

    /// Run every mutant over the sandboxes, one worker each.
    pub fn run_mutants(
        &self,
        sandboxes: &[Sandbox],
        mutants: &[Mutant],
        timeout: Duration,
        progress: &mut Progress,
        on_result: &mut dyn FnMut(&MutantResult),
    ) -> LabOutcome {
        let next = AtomicUsize::new(0);
        let broken = AtomicBool::new(false);
        let (sender, receiver) = mpsc::channel::<(usize, MutantResult)>();
        let mut indexed = Vec::with_capacity(mutants.len());
        std::thread::scope(|scope| {
            for sandbox in sandboxes {
                let sender = sender.clone();
                let (next, broken) = (&next, &broken);
                scope.spawn(move || {
                    loop {
                        if is_interrupted() || broken.load(Ordering::SeqCst) {
                            break;
                        }
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        let Some(mutant) = mutants.get(index) else {
                            break;
                        };
                        match self.run_mutant(sandbox, mutant, timeout) {
                            Ok(Some(result)) => {
                                let _ = sender.send((index, result));
                            }
                            Ok(None) => break,
                            Err(err) => {
                                // The sandbox could not be restored: stop, never guess.
                                broken.store(true, Ordering::SeqCst);
                                let _ =
                                    sender.send((index, error_result(mutant, format!("{err:#}"))));
                                break;
                            }
                        }
                    }
                });
            }
            drop(sender);
            for (index, result) in receiver {
                if result.outcome == Outcome::Error {
                    progress.message(&format!(
                        "git-chimp: error on mutant {}: {}",
                        result.mutant.id,
                        result.detail.as_deref().unwrap_or("")
                    ));
                }
                progress.record(&result);
                on_result(&result);
                indexed.push((index, result));
            }
        });
        for sandbox in sandboxes {
            let _ = std::fs::remove_file(self.worker_log(sandbox));
        }
        indexed.sort_by_key(|(index, _)| *index);
        LabOutcome {
            results: indexed.into_iter().map(|(_, result)| result).collect(),
            interrupted: is_interrupted(),
        }
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
        sandbox.write(&mutant.path, mutant.mutated_text(source).as_bytes())?;
        let log = self.worker_log(sandbox);
        let run = run_test_command(
            self.tests,
            &sandbox.dir_for(self.cwd_prefix),
            &self.env(sandbox, Some(mutant)),
            &log,
            Some(timeout),
        );
        sandbox.write(&mutant.path, source.as_bytes())?;
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
            std::fs::rename(&log, &kept).ok().map(|()| kept)
        } else {
            None
        };
        Ok(Some(MutantResult {
            mutant: mutant.clone(),
            outcome,
            duration: run.duration,
            log: kept,
            detail: (outcome == Outcome::Timeout)
                .then(|| format!("killed after {:.1}s", timeout.as_secs_f64())),
            cached: false,
        }))
    }
}

fn error_result(mutant: &Mutant, detail: String) -> MutantResult {
    MutantResult {
        mutant: mutant.clone(),
        outcome: Outcome::Error,
        duration: Duration::ZERO,
        log: None,
        detail: Some(detail),
        cached: false,
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
