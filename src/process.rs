//! Running the test command: `sh -c <command>` in its own process group, output to a log
//! file, with a timeout. On timeout or Ctrl-C the whole group is killed; after a normal
//! exit the group is killed too, so no stray child of the tests outlives its run.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use wait_timeout::ChildExt;

use crate::interrupt::is_interrupted;

/// How a test run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit status 0.
    Success,
    /// A non-zero exit status.
    Failure(i32),
    /// Killed by a signal it did not get from us.
    Signalled(i32),
    /// It ran past the timeout and was killed.
    Timeout,
    /// The user interrupted git-chimp, which killed it.
    Interrupted,
}

/// A finished test run.
#[derive(Debug, Clone, Copy)]
pub struct RunResult {
    /// How it ended.
    pub exit: Exit,
    /// Wall time from start to end.
    pub duration: Duration,
}

/// How often a running test is checked for Ctrl-C.
const POLL: Duration = Duration::from_millis(25);

/// Run `command` through `sh -c` in `dir` with extra `env`, writing its output to `log`.
///
/// # Errors
/// When the log cannot be created or the shell cannot be started.
pub fn run_test_command(
    command: &str,
    dir: &Path,
    env: &[(String, String)],
    log: &Path,
    timeout: Option<Duration>,
) -> Result<RunResult> {
    let stdout = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let stderr = stdout.try_clone()?;
    let start = Instant::now();
    let mut child = {
        use std::os::unix::process::CommandExt;
        Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting `sh -c {command}` in {}", dir.display()))?
    };
    let pgid = Pid::from_raw(i32::try_from(child.id()).context("process id out of range")?);
    let exit = loop {
        if let Some(status) = child.wait_timeout(POLL)? {
            use std::os::unix::process::ExitStatusExt;
            break match (status.code(), status.signal()) {
                (Some(0), _) => Exit::Success,
                (Some(code), _) => Exit::Failure(code),
                (None, Some(signal)) => Exit::Signalled(signal),
                (None, None) => Exit::Failure(-1),
            };
        }
        let stop = if is_interrupted() {
            Some(Exit::Interrupted)
        } else if timeout.is_some_and(|timeout| start.elapsed() >= timeout) {
            Some(Exit::Timeout)
        } else {
            None
        };
        if let Some(exit) = stop {
            let _ = killpg(pgid, Signal::SIGKILL);
            let _ = child.wait();
            break exit;
        }
    };
    // Whatever the tests left running in their group goes too.
    let _ = killpg(pgid, Signal::SIGKILL);
    Ok(RunResult {
        exit,
        duration: start.elapsed(),
    })
}

/// The last `lines` lines of a log file, for error messages.
#[must_use]
pub fn log_tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read(log).map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let text = text.unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
