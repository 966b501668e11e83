//! Running the test command: `sh -c <command>` in its own process group, output to a log
//! file, with a timeout. On timeout or Ctrl-C the whole group is killed; after a normal
//! exit the group is killed too, so no stray child of the tests outlives its run.
//!
//! A daemon a test starts in a session of its own (`setsid`) leaves that group. On Linux
//! git-chimp is the child subreaper of everything it starts ([`adopt_orphans`]): such a
//! process is re-parented to git-chimp, not to init, when its parent exits, and
//! [`kill_leftovers`] kills it (and whatever it started) when the run ends. What it
//! adopts and is killed during the run (a test process of a timed-out group that had a
//! child of its own) is reaped by [`reap_adopted`], at most once a second, so no zombie
//! piles up; children git-chimp spawned itself ([`ProcessGroup::spawn`]) are left to
//! their `wait`.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use wait_timeout::ChildExt;

use crate::interrupt::should_stop;

/// How a test run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Exit status 0.
    Success,
    /// A non-zero exit status.
    Failure(i32),
    /// Killed by a signal it did not get from us.
    Signalled(i32),
    /// It ran past the timeout and was killed.
    Timeout,
    /// The user interrupted git-chimp, or the run's time budget ran out: it was killed.
    Interrupted,
}

/// A finished test run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunResult {
    /// How it ended.
    pub exit: Exit,
    /// Wall time from start to end.
    pub duration: Duration,
}

/// The processes git-chimp spawned and has not waited for yet: [`reap_adopted`] leaves
/// them to their own `wait`.
static SPAWNED: std::sync::Mutex<std::collections::BTreeSet<u32>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// When [`reap_adopted`] last looked, in milliseconds since the Unix epoch.
static REAPED_AT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn spawned() -> std::sync::MutexGuard<'static, std::collections::BTreeSet<u32>> {
    SPAWNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A process git-chimp started as the leader of a process group of its own (a test
/// command's shell, a pytest worker), so that it and everything it starts can be killed
/// at once. The one way git-chimp starts such processes: the test commands and the
/// worker share it.
#[derive(Debug)]
pub(crate) struct ProcessGroup {
    /// The leader.
    pub child: Child,
}

impl ProcessGroup {
    /// Spawn `command` leading a new process group, recorded as git-chimp's own (so
    /// [`reap_adopted`] leaves it to [`ProcessGroup::finish`]).
    ///
    /// # Errors
    /// When it cannot be started.
    pub(crate) fn spawn(command: &mut Command) -> std::io::Result<ProcessGroup> {
        use std::os::unix::process::CommandExt;
        let mut ours = spawned();
        let child = command.process_group(0).spawn()?;
        ours.insert(child.id());
        Ok(ProcessGroup { child })
    }

    /// Kill everything in the group (the leader may have exited already).
    pub(crate) fn kill(&self) {
        if let Ok(id) = i32::try_from(self.child.id()) {
            kill_group(id);
        }
    }

    /// Kill the group, wait for the leader and forget it.
    pub(crate) fn finish(&mut self) {
        self.kill();
        let _ = self.child.wait();
        spawned().remove(&self.child.id());
    }
}

/// Kill the process group `id` (one a worker's forked test child leads).
pub(crate) fn kill_group(id: i32) {
    let _ = killpg(Pid::from_raw(id), Signal::SIGKILL);
}

/// Reap the exited processes git-chimp adopted as subreaper (not those it spawned), at
/// most once a second.
pub(crate) fn reap_adopted() {
    use std::sync::atomic::Ordering;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    let last = REAPED_AT.load(Ordering::Relaxed);
    if now.saturating_sub(last) < 1000
        || REAPED_AT
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return;
    }
    let ours = spawned();
    for (pid, state) in children_of(std::process::id()) {
        let own = u32::try_from(pid.as_raw()).is_ok_and(|id| ours.contains(&id));
        if state == 'Z' && !own {
            let _ = nix::sys::wait::waitpid(pid, Some(nix::sys::wait::WaitPidFlag::WNOHANG));
        }
    }
}

/// How often a wait checks for Ctrl-C (and its deadline, the budget, an answer): a
/// running test here, the worker's answers, the type checker, the equivalence check.
pub(crate) const POLL: Duration = Duration::from_millis(25);

/// Run `command` through `sh -c` in `dir` with extra `env`, writing its output to `log`.
///
/// # Errors
/// When the log cannot be created or the shell cannot be started.
pub(crate) fn run_test_command(
    command: &str,
    dir: &Path,
    env: &[(String, String)],
    log: &Path,
    timeout: Option<Duration>,
) -> Result<RunResult> {
    let stdout = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let stderr = stdout.try_clone()?;
    let start = Instant::now();
    let mut group = ProcessGroup::spawn(
        Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr),
    )
    .with_context(|| format!("starting `sh -c {command}` in {}", dir.display()))?;
    let exit = loop {
        if let Some(status) = group.child.wait_timeout(POLL)? {
            use std::os::unix::process::ExitStatusExt;
            break match (status.code(), status.signal()) {
                (Some(0), _) => Exit::Success,
                (Some(code), _) => Exit::Failure(code),
                (None, Some(signal)) => Exit::Signalled(signal),
                (None, None) => Exit::Failure(-1),
            };
        }
        let stop = if should_stop() {
            Some(Exit::Interrupted)
        } else if timeout.is_some_and(|timeout| start.elapsed() >= timeout) {
            Some(Exit::Timeout)
        } else {
            None
        };
        if let Some(exit) = stop {
            break exit;
        }
    };
    // The group goes, with whatever the tests left running in it.
    group.finish();
    reap_adopted();
    cap_log(log);
    Ok(RunResult {
        exit,
        duration: start.elapsed(),
    })
}

/// The most a kept log holds: a longer one keeps its last this many bytes.
pub(crate) const LOG_CAP: u64 = 1 << 20;

/// Cap the log at `path` to its last [`LOG_CAP`] bytes (from the start of a line), with a
/// first line that says how much was dropped. A log that cannot be read is left alone.
pub(crate) fn cap_log(path: &Path) {
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
        let children: Vec<Pid> = children_of(std::process::id())
            .into_iter()
            .map(|(pid, _)| pid)
            .collect();
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

/// The processes whose parent is `parent`, with their state (`Z` for a zombie), from
/// `/proc` (none where there is no `/proc`).
fn children_of(parent: u32) -> Vec<(Pid, char)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let id: i32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
            let mut after = stat[stat.rfind(')')? + 1..].split_whitespace();
            let state = after.next()?.chars().next()?;
            let parent_of_id: u32 = after.next()?.parse().ok()?;
            (parent_of_id == parent).then(|| (Pid::from_raw(id), state))
        })
        .collect()
}

/// The last `lines` lines of a log file, for error messages.
#[must_use]
pub(crate) fn log_tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read(log).map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let text = text.unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
