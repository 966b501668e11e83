//! Sandboxes: linked git worktrees under `<git common dir>/chimp/sandboxes/chimp-<n>`, one
//! per job, registered as `chimp-<n>` (detached: no branch is ever created) and locked
//! with a reason. A sandbox is synced to the
//! tested state (the commit, then the working tree's changes copied over it) at the start
//! of every run, reused across runs, and repaired when a killed run left it broken. After
//! each test run, [`Sandbox::damage`] compares every file of the tested state with what
//! git-chimp left there (size and modification time): tests that delete or rewrite files
//! of their working directory have the sandbox synced again ([`Sandbox::resync`]) before
//! the next mutant, so no later outcome depends on them. Only this module writes into
//! sandboxes.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use git2::build::CheckoutBuilder;
use git2::{Oid, Repository, WorktreePruneOptions};

use crate::git::repo::{Repo, TargetState};
use crate::output::Access;

/// The reason recorded in each sandbox's worktree lock.
const LOCK_REASON: &str = "git-chimp sandbox (remove with `git chimp clean`)";

/// Prefix of the worktree names git-chimp registers.
const NAME_PREFIX: &str = "chimp-";

/// Prefix of the branch that existed while a sandbox was created, until git-chimp
/// added them with `git worktree add --detach`: a run killed in that moment left it
/// behind, and [`remove_stale`] deletes it.
const BRANCH_PREFIX: &str = "git-chimp-sandbox-";

/// One isolated checkout of the tested state.
#[derive(Debug)]
pub(crate) struct Sandbox {
    /// Which job owns it (0-based).
    pub index: usize,
    /// Its working tree root.
    pub root: PathBuf,
    /// Each file of the tested state as git-chimp last left it.
    stamps: Mutex<BTreeMap<String, Stamp>>,
    /// The working tree's changes as they were when the run started (what a resync
    /// copies, whatever the user has done to the checkout since).
    overlay: Arc<Overlay>,
    /// Set when a write git-chimp made failed: the sandbox must be synced again.
    dirty: AtomicBool,
}

/// The working tree's changed and untracked files of the tested state, and the ignored
/// files the tests may need (`generated.rs`): path, content and permissions, read once at
/// the start of a run.
type Overlay = BTreeMap<String, (Vec<u8>, fs::Permissions)>;

/// Read the overlay of `state` from the user's `workdir`.
fn read_overlay(workdir: &Path, state: &TargetState) -> Result<Overlay> {
    let read = |path: &String| -> Result<(String, (Vec<u8>, fs::Permissions))> {
        let full = workdir.join(path);
        let bytes = fs::read(&full).with_context(|| format!("reading {path}"))?;
        let permissions = fs::metadata(&full)
            .with_context(|| format!("reading {path}"))?
            .permissions();
        Ok((path.clone(), (bytes, permissions)))
    };
    let mut overlay = state
        .overlay
        .iter()
        .map(read)
        .collect::<Result<Overlay>>()?;
    // An ignored file that went away since the status was read is simply not copied.
    overlay.extend(state.generated.iter().filter_map(|path| read(path).ok()));
    Ok(overlay)
}

/// What [`Sandbox::damage`] compares: a file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let meta = fs::symlink_metadata(path).ok()?;
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// Every file of `state` in the sandbox at `root`, stamped as it is now.
fn stamps(root: &Path, state: &TargetState) -> BTreeMap<String, Stamp> {
    state
        .files
        .iter()
        .chain(&state.generated)
        .filter_map(|path| Some((path.clone(), Stamp::of(&root.join(path))?)))
        .collect()
}

fn sandboxes_dir(repo: &Repo) -> PathBuf {
    repo.common_dir().join("chimp").join("sandboxes")
}

/// Take the repository's git-chimp lock, waiting for another run to finish if needed (Ctrl-C
/// stops the wait). The lock is held until the returned file is dropped (or the process
/// dies), so a second run never touches the sandboxes or `.chimp/` of a first.
///
/// # Errors
/// When the lock file cannot be created.
pub(crate) fn lock(repo: &Repo) -> Result<File> {
    let dir = repo.common_dir().join("chimp");
    fs::create_dir_all(&dir).map_err(|err| {
        crate::output::cannot_write(
            &dir,
            Access::CreateDir {
                purpose: Some("git-chimp's lock and sandboxes"),
            },
            &err,
        )
    })?;
    let path = dir.join("lock");
    let file =
        File::create(&path).map_err(|err| crate::output::cannot_write(&path, "creating", &err))?;
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("locking {}", path.display()));
            }
        }
        if crate::interrupt::is_interrupted() {
            return Err(crate::exit_code::fatal(
                crate::exit_code::ExitCode::Interrupted,
                "interrupted while waiting for another git-chimp run",
            ));
        }
        if !told {
            tracing::info!("waiting for another git-chimp run in this repository to finish...");
            told = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `count` sandboxes holding `state`, created or repaired as needed.
///
/// # Errors
/// A git error (exit 4) saying which sandbox could not be created or synced, unless a
/// more precise status was given (a directory git-chimp cannot write).
pub(crate) fn prepare(repo: &Repo, state: &TargetState, count: usize) -> Result<Vec<Sandbox>> {
    make_all(repo, state, count).map_err(|err| super::failed("preparing the sandboxes", err))
}

fn make_all(repo: &Repo, state: &TargetState, count: usize) -> Result<Vec<Sandbox>> {
    let oid = Oid::from_str(&state.commit).context("parsing the target commit")?;
    remove_stale(repo)?;
    let overlay = Arc::new(read_overlay(repo.workdir(), state)?);
    (0..count)
        .map(|index| {
            let root =
                ensure(repo, index, oid).with_context(|| format!("preparing sandbox {index}"))?;
            sync(&overlay, &root, oid, state)
                .with_context(|| format!("syncing sandbox {index}"))?;
            let stamps = Mutex::new(stamps(&root, state));
            Ok(Sandbox {
                index,
                root,
                stamps,
                overlay: Arc::clone(&overlay),
                dirty: AtomicBool::new(false),
            })
        })
        .collect()
}

/// Make sure sandbox `index` is a valid registered worktree; return its root.
fn ensure(repo: &Repo, index: usize, oid: Oid) -> Result<PathBuf> {
    let git = repo.git();
    let name = format!("{NAME_PREFIX}{index}");
    // git names a worktree after its directory.
    let root = sandboxes_dir(repo).join(&name);
    if let Ok(worktree) = git.find_worktree(&name) {
        let healthy = worktree.validate().is_ok()
            && same_path(worktree.path(), &root)
            && Repository::open(&root).is_ok();
        if healthy {
            return Ok(root);
        }
        remove(&worktree);
    }
    if root.exists() {
        fs::remove_dir_all(&root).with_context(|| format!("removing stale {}", root.display()))?;
    }
    fs::create_dir_all(sandboxes_dir(repo))?;
    add_detached(repo, &root, oid)?;
    let worktree = git
        .find_worktree(&name)
        .with_context(|| format!("finding the new worktree {name}"))?;
    worktree.lock(Some(LOCK_REASON))?;
    Ok(root)
}

/// Register a worktree at `root` with a detached HEAD at `oid`, without a checkout (the
/// sync that follows checks it out). libgit2 adds a worktree only on a branch, which
/// would be in the user's ref namespace, however briefly: `git worktree add --detach`
/// never names one. Hooks are off (it runs none without a checkout, but a user's
/// `core.hooksPath` must not even be looked at), and git's own environment variables
/// (a hook that runs git-chimp has `GIT_DIR` set) are replaced by `--git-dir`.
fn add_detached(repo: &Repo, root: &Path, oid: Oid) -> Result<()> {
    let output = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(repo.common_dir())
        .args([
            "-c",
            "core.hooksPath=/dev/null",
            "worktree",
            "add",
            "--detach",
        ])
        .args(["--no-checkout", "--quiet"])
        .arg(root)
        .arg(oid.to_string())
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .env_remove("GIT_COMMON_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .context("starting `git worktree add` (is git on PATH?)")?;
    if !output.status.success() {
        anyhow::bail!(
            "`git worktree add --detach {}` failed: {}",
            root.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Remove what a git-chimp run killed while it created a sandbox left behind: its
/// temporary branch (and a lock file of that branch), and lock files in its sandboxes'
/// worktree registrations. The caller holds the repository's git-chimp lock, so no other
/// run is creating one now.
fn remove_stale(repo: &Repo) -> Result<()> {
    let git = repo.git();
    for branch in git.branches(Some(git2::BranchType::Local))? {
        let (mut branch, _) = branch?;
        if branch.name().ok().flatten().is_some_and(is_sandbox_branch) {
            // One still checked out in an old sandbox goes when that sandbox is repaired;
            // it must not stop the run (or `clean`) now.
            if let Err(err) = branch.delete() {
                tracing::warn!(
                    "could not delete a sandbox branch an older run left: {}",
                    err.message()
                );
            }
        }
    }
    // `prefix` empty: every lock file in `dir`; else lock files of sandbox branches.
    let remove_locks = |dir: &Path, prefix: &str| -> Result<()> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let ours = if prefix.is_empty() {
                name.ends_with(".lock")
            } else {
                name.strip_suffix(".lock").is_some_and(is_sandbox_branch)
            };
            if ours && entry.path().is_file() {
                let path = entry.path();
                fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
            }
        }
        Ok(())
    };
    remove_locks(&repo.common_dir().join("refs").join("heads"), BRANCH_PREFIX)?;
    if let Ok(entries) = fs::read_dir(repo.common_dir().join("worktrees")) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(NAME_PREFIX) {
                remove_locks(&entry.path(), "")?;
            }
        }
    }
    Ok(())
}

/// Whether `name` is such a branch: `git-chimp-sandbox-<index>-<pid>`.
fn is_sandbox_branch(name: &str) -> bool {
    name.strip_prefix(BRANCH_PREFIX)
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(index, pid)| {
            [index, pid]
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        })
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Unregister a worktree and delete its directory.
fn remove(worktree: &git2::Worktree) {
    let _ = worktree.unlock();
    let mut options = WorktreePruneOptions::new();
    options.valid(true).locked(true).working_tree(true);
    let _ = worktree.prune(Some(&mut options));
}

/// Reset a sandbox to the commit, then copy the working tree's changes (from `workdir`,
/// the user's) over it.
fn sync(overlay: &Overlay, root: &Path, oid: Oid, state: &TargetState) -> Result<()> {
    let sandbox = Repository::open(root)?;
    sandbox.set_head_detached(oid)?;
    let mut checkout = CheckoutBuilder::new();
    checkout.force().remove_untracked(true);
    sandbox.checkout_head(Some(&mut checkout))?;
    remove_bytecode(root)?;
    for (path, (bytes, permissions)) in overlay {
        let dest = root.join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        let _ = fs::remove_file(&dest);
        fs::write(&dest, bytes)
            .and_then(|()| fs::set_permissions(&dest, permissions.clone()))
            .with_context(|| format!("copying {path} into the sandbox"))?;
    }
    for path in &state.deleted {
        let dest = root.join(path);
        if dest.is_file() {
            fs::remove_file(&dest).with_context(|| format!("removing {path} in the sandbox"))?;
        }
    }
    Ok(())
}

/// Delete every `__pycache__` directory under `dir` (ignored files survive a checkout).
fn remove_bytecode(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() || entry.file_name() == ".git" {
            continue;
        }
        let path = entry.path();
        if entry.file_name() == "__pycache__" {
            fs::remove_dir_all(&path).with_context(|| format!("removing {}", path.display()))?;
        } else {
            remove_bytecode(&path)?;
        }
    }
    Ok(())
}

impl Sandbox {
    /// The first file of the tested state that is no longer as git-chimp left it (what
    /// happened to it), or None when the sandbox is intact.
    #[must_use]
    pub(crate) fn damage(&self) -> Option<String> {
        if self.dirty.load(Ordering::SeqCst) {
            return Some("a file git-chimp wrote could not be restored".to_owned());
        }
        let stamps = self
            .stamps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        stamps
            .iter()
            .find_map(|(path, stamp)| match Stamp::of(&self.root.join(path)) {
                None => Some(format!("{path} was deleted")),
                Some(now) if now != *stamp => Some(format!("{path} was changed")),
                Some(_) => None,
            })
    }

    /// Sync the sandbox to `state` again (after tests damaged it), with the working
    /// tree's changes as they were when the run started.
    ///
    /// # Errors
    /// When the checkout or a copy fails.
    pub(crate) fn resync(&self, state: &TargetState) -> Result<()> {
        let oid = Oid::from_str(&state.commit).context("parsing the target commit")?;
        sync(&self.overlay, &self.root, oid, state)
            .with_context(|| format!("restoring sandbox {}", self.index))?;
        self.dirty.store(false, Ordering::SeqCst);
        *self
            .stamps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = stamps(&self.root, state);
        Ok(())
    }

    /// A directory of this sandbox's own outside its working tree, for the pytest
    /// worker's files; removed with the sandboxes.
    ///
    /// # Errors
    /// When it cannot be created.
    pub(crate) fn scratch(&self) -> Result<PathBuf> {
        let dir = self.root.with_extension("scratch");
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir)
    }

    /// The sandbox directory matching the user's current directory.
    #[must_use]
    pub(crate) fn dir_for(&self, cwd_prefix: &str) -> PathBuf {
        if cwd_prefix.is_empty() {
            self.root.clone()
        } else {
            self.root.join(cwd_prefix)
        }
    }

    /// Write `contents` to the sandbox's `path` and give it a modification time later, by
    /// at least a second, than any it had: Python's bytecode cache trusts a `.pyc` whose
    /// recorded mtime (whole seconds) and size match, so no two versions of a file may
    /// share an mtime.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub(crate) fn write(&self, path: &str, contents: &[u8]) -> Result<()> {
        let written = self.write_stamped(path, contents);
        if written.is_err() {
            self.dirty.store(true, Ordering::SeqCst);
        }
        written
    }

    fn write_stamped(&self, path: &str, contents: &[u8]) -> Result<()> {
        let full = self.root.join(path);
        if fs::symlink_metadata(&full).is_ok_and(|meta| meta.file_type().is_symlink()) {
            anyhow::bail!(
                "refusing to write through the symbolic link {}",
                full.display()
            );
        }
        let previous = fs::metadata(&full).and_then(|meta| meta.modified()).ok();
        fs::write(&full, contents).with_context(|| format!("writing {}", full.display()))?;
        let now = SystemTime::now();
        let mtime = previous
            .map(|previous| previous + Duration::from_secs(1))
            .filter(|later| *later > now)
            .unwrap_or(now);
        File::options()
            .write(true)
            .open(&full)
            .and_then(|file| file.set_modified(mtime))
            .with_context(|| format!("setting the mtime of {}", full.display()))?;
        let mut stamps = self
            .stamps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (Some(stamp), Some(now)) = (stamps.get_mut(path), Stamp::of(&full)) {
            *stamp = now;
        }
        Ok(())
    }
}

/// Remove every git-chimp sandbox and its worktree registration; returns how many
/// registrations were removed.
///
/// # Errors
/// A git error (exit 4) when the worktree list cannot be read or the sandbox directory
/// cannot be removed.
pub(crate) fn clean(repo: &Repo) -> Result<usize> {
    remove_all(repo).map_err(|err| super::failed("removing the sandboxes", err))
}

fn remove_all(repo: &Repo) -> Result<usize> {
    remove_stale(repo)?;
    let git = repo.git();
    let mut removed = 0;
    for name in git.worktrees()?.iter().flatten() {
        if !name.starts_with(NAME_PREFIX) {
            continue;
        }
        if let Ok(worktree) = git.find_worktree(name) {
            remove(&worktree);
            removed += 1;
        }
    }
    let dir = sandboxes_dir(repo);
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(removed)
}

#[cfg(test)]
mod test {
    use super::is_sandbox_branch;

    #[test]
    fn only_branches_named_as_git_chimp_named_them_are_its_own() {
        assert!(is_sandbox_branch("git-chimp-sandbox-0-4242"));
        assert!(is_sandbox_branch("git-chimp-sandbox-12-1"));
        assert!(!is_sandbox_branch("git-chimp-sandbox-notes"));
        assert!(!is_sandbox_branch("git-chimp-sandbox-0-"));
        assert!(!is_sandbox_branch("git-chimp-sandbox-0-12-x"));
        assert!(!is_sandbox_branch("main"));
    }
}
