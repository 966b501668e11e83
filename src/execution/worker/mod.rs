//! The pytest worker (DESIGN.md, "The pytest worker"). For a pytest test command each
//! sandbox gets a long-lived Python process, the `git_chimp_worker` package (compiled
//! into this binary, written into the sandbox's scratch directory), that runs pytest
//! in-process: it collects the tests once, records in a baseline which tests reach which
//! lines, then forks a child per mutant that swaps the mutated code objects into the live
//! functions, or re-executes the mutated module for code that runs at import, and runs
//! the tests that can see the mutant. The package's docstrings describe it; the messages
//! are [`protocol`]'s.
//!
//! [`WorkerCommand::parse`] decides whether a test command can run this way. A mutant the
//! worker cannot handle comes back as [`Verdict::Fallback`] and runs the plain way.

mod command;
mod package;
mod protocol;

pub(crate) use command::{Framework, WorkerCommand};
pub(crate) use package::write_package;

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::json;

use protocol::{Event, Request};

use crate::execution::process::{Exit, POLL, ProcessGroup, RunResult, kill_group, log_tail};
use crate::interrupt::should_stop;
use crate::outcome::Probe;

/// The lines a change covers, first and last (1-based).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineRange {
    /// The first line.
    pub(crate) first: usize,
    /// The last line.
    pub(crate) last: usize,
}

/// How long a mutant's tests may take: `timeout` at most, and with a `rule` `[k, c]`,
/// k x their untraced time + c seconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeLimit {
    /// The most they may take.
    pub(crate) timeout: Duration,
    /// The per-test rule, when the baseline timed the tests.
    pub(crate) rule: Option<[f64; 2]>,
}

/// Extra time the worker gets beyond a mutant's timeout before it counts as hung.
const HANG_GRACE: Duration = Duration::from_secs(30);

/// What a worker process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Collects once, traces a baseline, forks per mutant to swap code and run the tests
    /// that reach it.
    Warm,
    /// Imports pytest only, forks per run to run pytest from the start: a fresh test run
    /// without the interpreter's start-up.
    Fresh,
}

/// What the worker says about one mutant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A test failed (`by`: the first failing test, when the process did not die).
    Killed {
        /// The failing test's id.
        by: Option<String>,
        /// The tests run.
        tests: Vec<String>,
        /// How the tests failed when no test's report says it (a signal, the import).
        reason: Option<String>,
        /// Whether the worker re-executed the mutated module to put the mutant in.
        reexecuted: bool,
    },
    /// Every test that reaches the mutant passed.
    Survived {
        /// The tests run.
        tests: Vec<String>,
        /// What the probe found: an input that tells the mutant apart, or why none.
        probe: Option<Probe>,
    },
    /// The tests ran past the timeout and were killed.
    Timeout {
        /// Whether the worker re-executed the mutated module to put the mutant in.
        reexecuted: bool,
        /// The time they were given, when the worker chose it from their own times.
        limit: Option<Duration>,
    },
    /// No test reaches the mutated lines.
    Uncovered,
    /// The mutant compiles to the original's code.
    Equivalent,
    /// The worker cannot give a trustworthy outcome; run the tests the plain way.
    Fallback {
        /// Why.
        reason: String,
        /// For a survivor the worker saw, what its probe found: kept when the fresh run
        /// confirms the survivor.
        probe: Option<Probe>,
    },
    /// The worker's own code failed on the mutant (why); its console holds the
    /// traceback. Run the tests the plain way.
    WorkerFailed(String),
    /// The tests that detected the mutant fail without it too: the code fails its tests
    /// unmutated (why), which only a run with an earlier run's line map finds this late.
    UnmutatedFails(String),
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The user pressed Ctrl-C; the worker was killed.
    Interrupted,
    /// The worker died or hung and was killed.
    Gone(String),
}

/// What a worker needs to start.
pub(crate) struct Start<'a> {
    /// The parsed test command.
    pub command: &'a WorkerCommand,
    /// The sandbox directory matching the user's current directory.
    pub dir: &'a Path,
    /// The sandbox's scratch directory.
    pub scratch: &'a Path,
    /// The environment of a test run (the sandbox's Python paths).
    pub env: &'a [(String, String)],
    /// Absolute paths of the files under mutation.
    pub files: Vec<String>,
    /// How long collecting and the traced baseline may take.
    pub timeout: Duration,
    /// Whether import-time mutants may be put in by re-executing their module (else
    /// they run from scratch).
    pub reexec: bool,
}

/// A running worker.
pub(crate) struct Worker {
    process: ProcessGroup,
    stdin: Option<ChildStdin>,
    events: Receiver<Event>,
    /// The process group of the test child running now, from the `forked` event.
    test_group: Option<i32>,
    /// Where the tests' output goes; emptied by the worker before each run.
    pub console: PathBuf,
    /// Where the worker's own errors go.
    stderr: PathBuf,
    /// How many tests were collected.
    pub tests: usize,
    /// How long the worker took to start (interpreter, pytest, collection).
    pub startup: Duration,
}

/// A warm worker's baseline run.
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    /// How many tests ran.
    pub tests: usize,
    /// How long it took.
    pub duration: Duration,
    /// A traced run's records (which tests reach which lines), for the other workers.
    pub records: Option<serde_json::Value>,
    /// Each test's `[id, seconds, fixture seconds]` in this run.
    pub durations: Option<serde_json::Value>,
    /// What traced a traced run.
    pub tracer: Option<String>,
    /// A traced run's copies of calls' arguments, for the survivors' probes.
    pub inputs: Option<serde_json::Value>,
}

impl Worker {
    /// Start a worker. [`Mode::Warm`]: let it collect the tests and run the traced
    /// baseline. [`Mode::Fresh`]: let it import pytest.
    ///
    /// # Errors
    /// Why the worker cannot be used, with the tail of its output.
    pub(crate) fn start(start: &Start<'_>, mode: Mode) -> Result<Self, Failure> {
        let gone = |reason: String| Failure::Gone(reason);
        let (program, options, path0) = start.command.program(start.dir).map_err(gone)?;
        let name = match mode {
            Mode::Warm => "warm",
            Mode::Fresh => "fresh",
        };
        let script = start.scratch.join(package::START_SCRIPT);
        let config = start.scratch.join(format!("{name}.json"));
        let console = start.scratch.join(format!("{name}-console.log"));
        let stderr = start.scratch.join(format!("{name}-stderr.log"));
        let config_text = json!({
            "mode": name,
            "framework": <&str>::from(start.command.framework),
            "args": start.command.args,
            "path0": path0,
            "files": start.files,
            "console": console,
            "result": start.scratch.join(format!("{name}-result.json")),
            "reexec": start.reexec,
        });
        let written = write_package(start.scratch)
            .and_then(|()| std::fs::write(&config, config_text.to_string()))
            .and_then(|()| File::create(&stderr));
        let stderr_file = written.map_err(|err| gone(format!("writing the worker: {err}")))?;
        let started = Instant::now();
        let mut process = ProcessGroup::spawn(
            Command::new(&program)
                .args(&options)
                .arg(&script)
                .arg(&config)
                .current_dir(start.dir)
                .envs(start.env.iter().map(|(k, v)| (k, v)))
                .envs(start.command.env.iter().map(|(k, v)| (k, v)))
                .env("CHIMP_MUTANT", "")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(stderr_file),
        )
        .map_err(|err| gone(format!("starting `{program}`: {err}")))?;
        let stdin = process.child.stdin.take();
        let stdout = process.child.stdout.take();
        let (sender, events) = mpsc::channel();
        if let Some(stdout) = stdout {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let event = Event::parse(&line).unwrap_or_else(|| Event::Failed {
                        reason: format!("the worker sent a message git-chimp cannot read: {line}"),
                    });
                    if sender.send(event).is_err() {
                        break;
                    }
                }
            });
        }
        let mut worker = Self {
            process,
            stdin,
            events,
            test_group: None,
            console,
            tests: 0,
            startup: Duration::ZERO,
            stderr,
        };
        match worker.next_event(Instant::now() + start.timeout)? {
            Event::Ready { tests } => worker.tests = tests,
            Event::Failed { reason } => return Err(worker.explain(reason)),
            other => return Err(worker.explain(format!("unexpected message {other:?}"))),
        }
        worker.startup = started.elapsed();
        tracing::debug!(
            "{name} worker ready in {:.1}s ({} tests) in {}",
            worker.startup.as_secs_f64(),
            worker.tests,
            start.dir.display()
        );
        Ok(worker)
    }

    /// Keep what the worker printed (the test child's output, with the worker's own
    /// traceback when it failed there, then the worker's errors) at `to`, capped like a
    /// mutant's log. `None` when nothing could be written.
    #[must_use]
    pub(crate) fn keep_output(&self, to: &Path) -> Option<PathBuf> {
        let mut text = Vec::new();
        for (title, path) in [("output", &self.console), ("errors", &self.stderr)] {
            let read = std::fs::read(path).unwrap_or_default();
            if !read.is_empty() {
                text.extend_from_slice(format!("--- the worker's {title} ---\n").as_bytes());
                text.extend_from_slice(&read);
                if !read.ends_with(b"\n") {
                    text.push(b'\n');
                }
            }
        }
        std::fs::write(to, text).ok()?;
        crate::execution::process::cap_log(to);
        Some(to.to_path_buf())
    }

    /// `reason` with the last lines of the worker's output.
    fn explain(&self, reason: String) -> Failure {
        let tail = [self.console.as_path(), self.stderr.as_path()]
            .iter()
            .map(|path| log_tail(path, 12))
            .filter(|tail| !tail.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if tail.is_empty() {
            Failure::Gone(reason)
        } else {
            Failure::Gone(format!("{reason}\n{tail}"))
        }
    }

    /// Warm mode: run every test once, `traced` or not, within `timeout`; with `reuse`
    /// (an earlier run's records of some tests), only the other tests, traced.
    ///
    /// # Errors
    /// When a test fails, the run fails, or the worker dies or hangs.
    pub(crate) fn baseline(
        &mut self,
        traced: bool,
        timeout: Duration,
        reuse: Option<&serde_json::Value>,
    ) -> Result<Baseline, Failure> {
        let request = Request::Baseline {
            timeout: timeout.as_secs_f64(),
            traced,
            reuse,
        };
        let what = if traced { "traced" } else { "untraced" };
        match self.request(&request, timeout + HANG_GRACE)? {
            Event::Baseline {
                tests,
                failed,
                seconds,
                records,
                durations,
                tracer,
                inputs,
            } => {
                if !failed.is_empty() {
                    let names: Vec<&str> = failed.iter().map(String::as_str).take(5).collect();
                    return Err(self.explain(format!(
                        "{} test(s) fail when run in the worker, e.g. {}",
                        failed.len(),
                        names.join(", ")
                    )));
                }
                Ok(Baseline {
                    tests,
                    duration: Duration::from_secs_f64(seconds),
                    records,
                    durations,
                    tracer,
                    inputs,
                })
            }
            Event::BaselineFailed { reason } => {
                Err(self.explain(format!("the {what} baseline failed: {reason}")))
            }
            other => Err(self.explain(format!("unexpected message {other:?}"))),
        }
    }

    /// Warm mode: take a traced baseline's `records` (`None`: keep the worker's own)
    /// and the tests' untraced `durations`.
    ///
    /// # Errors
    /// When the worker dies or does not answer.
    pub(crate) fn install(
        &mut self,
        records: Option<&serde_json::Value>,
        durations: Option<&serde_json::Value>,
        inputs: Option<&serde_json::Value>,
    ) -> Result<(), Failure> {
        let request = Request::Records {
            records,
            durations,
            inputs,
        };
        match self.request(&request, HANG_GRACE)? {
            Event::Recorded { unmatched, tests } => {
                if unmatched > 0 {
                    tracing::info!(
                        "{unmatched} of {tests} test(s) were collected here as other cases \
                         than in the baseline (parametrised over a set?): their whole test \
                         functions stand for them"
                    );
                }
                Ok(())
            }
            other => Err(self.explain(format!("unexpected message {other:?}"))),
        }
    }

    /// Ask about one mutant: `path` is the file's absolute path in the sandbox, `source`
    /// its mutated text, `lines` those of the change; its tests may take `limit`.
    ///
    /// # Errors
    /// When the worker was interrupted, died or hung (it is killed then).
    pub(crate) fn mutant(
        &mut self,
        id: &str,
        path: &Path,
        source: &str,
        lines: LineRange,
        limit: TimeLimit,
    ) -> Result<Verdict, Failure> {
        let TimeLimit { timeout, rule } = limit;
        let request = Request::Mutant {
            id,
            path,
            source,
            lines: [lines.first, lines.last],
            timeout: timeout.as_secs_f64(),
            rule,
        };
        // One request may run the module check, the tests, and the tests again in the
        // baseline's order or before calling it a survivor: each within `timeout`.
        Ok(verdict(self.request(&request, timeout * 4 + HANG_GRACE)?))
    }

    /// Run pytest from the start in a child of a [`Mode::Fresh`] worker, on the
    /// sandbox's files as they are, with its output in `log`.
    ///
    /// # Errors
    /// When the worker was interrupted, died or hung (it is killed then).
    pub(crate) fn fresh_run(
        &mut self,
        id: &str,
        log: &Path,
        timeout: Duration,
    ) -> Result<RunResult, Failure> {
        let request = Request::Run {
            id,
            log,
            timeout: timeout.as_secs_f64(),
        };
        let (exit, seconds) = match self.request(&request, timeout + HANG_GRACE)? {
            Event::Exited { code: 0, seconds } => (Exit::Success, seconds),
            Event::Exited { code, seconds } => (Exit::Failure(code), seconds),
            Event::Signalled { signal, seconds } => (Exit::Signalled(signal), seconds),
            Event::TimedOut { seconds } => (Exit::Timeout, seconds),
            other => return Err(Failure::Gone(format!("unexpected answer {other:?}"))),
        };
        Ok(RunResult {
            exit,
            duration: Duration::from_secs_f64(seconds),
        })
    }

    fn request(&mut self, request: &Request<'_>, wait: Duration) -> Result<Event, Failure> {
        let sent = self
            .stdin
            .as_mut()
            .map(|stdin| writeln!(stdin, "{}", request.line()).and_then(|()| stdin.flush()));
        if !matches!(sent, Some(Ok(()))) {
            self.kill();
            return Err(Failure::Gone("the worker stopped reading requests".into()));
        }
        self.next_event(Instant::now() + wait)
    }

    /// The next message other than `forked`, waiting until `deadline`.
    fn next_event(&mut self, deadline: Instant) -> Result<Event, Failure> {
        loop {
            match self.events.recv_timeout(POLL) {
                Ok(Event::Forked { pid }) => self.test_group = Some(pid),
                Ok(event) => {
                    self.test_group = None;
                    return Ok(event);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if should_stop() {
                        self.kill();
                        return Err(Failure::Interrupted);
                    }
                    if Instant::now() >= deadline {
                        self.kill();
                        return Err(Failure::Gone("the worker stopped answering".into()));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.kill();
                    let status = self
                        .process
                        .child
                        .wait()
                        .map_or_else(|err| err.to_string(), |status| status.to_string());
                    return Err(Failure::Gone(format!("the worker exited ({status})")));
                }
            }
        }
    }

    /// Kill the worker and the test child it runs, with everything in their groups.
    fn kill(&mut self) {
        self.stdin = None;
        if let Some(group) = self.test_group.take() {
            kill_group(group);
        }
        self.process.finish();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a worker's answer to a mutant says.
fn verdict(event: Event) -> Verdict {
    match event {
        Event::Killed {
            by,
            tests,
            reason,
            reexecuted,
        } => Verdict::Killed {
            by,
            tests,
            reason,
            reexecuted,
        },
        Event::Survived {
            tests,
            input,
            no_input,
        } => Verdict::Survived {
            tests,
            probe: input.map(Probe::Input).or(no_input.map(Probe::NoInput)),
        },
        Event::Timeout {
            reexecuted, limit, ..
        } => Verdict::Timeout {
            reexecuted,
            limit: limit.map(Duration::from_secs_f64),
        },
        Event::Uncovered => Verdict::Uncovered,
        Event::Equivalent => Verdict::Equivalent,
        Event::Fallback {
            reason,
            worker_log: true,
            ..
        } => Verdict::WorkerFailed(reason),
        Event::Fallback {
            reason,
            input,
            no_input,
            ..
        } => Verdict::Fallback {
            reason,
            probe: input.map(Probe::Input).or(no_input.map(Probe::NoInput)),
        },
        Event::UnmutatedFails { reason } => Verdict::UnmutatedFails(reason),
        other => Verdict::Fallback {
            reason: format!("unexpected answer {other:?}"),
            probe: None,
        },
    }
}

#[cfg(test)]
mod verdict_test {
    use super::*;

    /// A fallback for a survivor the fresh run is to confirm carries the probe's
    /// finding; a worker failure and any other fallback carry none.
    #[test]
    fn a_fallback_carries_the_probes_finding() {
        let fallback = |input: Option<&str>, no_input: Option<&str>, worker_log: bool| {
            verdict(Event::Fallback {
                reason: "why".into(),
                worker_log,
                input: input.map(str::to_owned),
                no_input: no_input.map(str::to_owned),
            })
        };
        assert!(matches!(
            fallback(Some("assert f(2) == 2"), None, false),
            Verdict::Fallback { probe: Some(Probe::Input(input)), .. } if input == "assert f(2) == 2"
        ));
        assert!(matches!(
            fallback(None, Some("none of 3 calls of f differs"), false),
            Verdict::Fallback {
                probe: Some(Probe::NoInput(_)),
                ..
            }
        ));
        assert!(matches!(
            fallback(None, None, false),
            Verdict::Fallback { probe: None, .. }
        ));
        assert!(matches!(
            fallback(None, None, true),
            Verdict::WorkerFailed(_)
        ));
    }
}
