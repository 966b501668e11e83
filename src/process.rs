//! Running the test command: `sh -c <command>` in its own process group, output to a log
//! file, with a timeout. On timeout or Ctrl-C the whole group is killed; after a normal
//! exit the group is killed too, so no stray child of the tests outlives its run.
//!
//! A daemon a test starts in a session of its own (`setsid`) leaves that group. On Linux
//! git-chimp is the child subreaper of everything it starts ([`adopt_orphans`]): such a
//! process is re-parented to git-chimp, not to init, when its parent exits, and
//! [`kill_leftovers`] kills it (and whatever it started) when the run ends.

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
    cap_log(log);
    Ok(RunResult {
        exit,
        duration: start.elapsed(),
    })
}

/// The most a kept log holds: a longer one keeps its last this many bytes.
pub const LOG_CAP: u64 = 1 << 20;

/// Cap the log at `path` to its last [`LOG_CAP`] bytes (from the start of a line), with a
/// first line that says how much was dropped. A log that cannot be read is left alone.
pub fn cap_log(path: &Path) {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = File::open(path) else {
        return;
    };
    let Ok(len) = file.metadata().map(|meta| meta.len()) else {
        return;
    };
    if len <= LOG_CAP {
        return;
    }
    let mut tail = Vec::new();
    if file.seek(SeekFrom::Start(len - LOG_CAP)).is_err()
        || file.take(LOG_CAP).read_to_end(&mut tail).is_err()
    {
        return;
    }
    let from = tail.iter().position(|&b| b == b'\n').map_or(0, |at| at + 1);
    let dropped = len - (tail.len() - from) as u64;
    let mut capped = format!(
        "[git-chimp: the first {dropped} bytes of this {len}-byte log were dropped; the last \
         {} KiB are kept]\n",
        LOG_CAP / 1024
    )
    .into_bytes();
    capped.extend_from_slice(&tail[from..]);
    let _ = crate::output::write_atomic(path, &capped);
}

/// Make git-chimp the reaper of its orphaned descendants (Linux; elsewhere a no-op).
pub fn adopt_orphans() {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

/// Kill and reap every process still a child of git-chimp, and what they started: once the
/// run's own processes are finished, these are what the tests left behind (adopted by
/// [`adopt_orphans`]).
pub fn kill_leftovers() {
    // Killing one re-parents its own children to git-chimp: repeat until none is left.
    for _ in 0..100 {
        let children = children_of(std::process::id());
        if children.is_empty() {
            break;
        }
        for &pid in &children {
            let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
        }
        for &pid in &children {
            let _ = nix::sys::wait::waitpid(pid, None);
        }
    }
}

/// The processes whose parent is `parent` (from `/proc`; none where there is no `/proc`).
fn children_of(parent: u32) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let id: i32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 1..];
            let parent_of_id: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            (parent_of_id == parent).then(|| Pid::from_raw(id))
        })
        .collect()
}

/// The last `lines` lines of a log file, for error messages.
#[must_use]
pub fn log_tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read(log).map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let text = text.unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
