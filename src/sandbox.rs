//! Sandboxes: linked git worktrees under `<git common dir>/chimp/sandboxes/<n>`, one per
//! worker, registered as `chimp-<n>` and locked with a reason. A sandbox is synced to the
//! tested state (the commit, then the working tree's changes copied over it) at the start
//! of every run, reused across runs, and repaired when a killed run left it broken. Only
//! this module writes into sandboxes.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use git2::build::CheckoutBuilder;
use git2::{Oid, Repository, WorktreeAddOptions, WorktreePruneOptions};

use crate::repo::{Repo, TargetState};

/// The reason recorded in each sandbox's worktree lock.
const LOCK_REASON: &str = "git-chimp sandbox (remove with `git chimp clean`)";

/// Prefix of the worktree names git-chimp registers.
const NAME_PREFIX: &str = "chimp-";

/// One isolated checkout of the tested state.
#[derive(Debug)]
pub struct Sandbox {
    /// Which worker owns it (0-based).
    pub index: usize,
    /// Its working tree root.
    pub root: PathBuf,
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
pub fn lock(repo: &Repo) -> Result<File> {
    let dir = repo.common_dir().join("chimp");
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("lock");
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
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
            eprintln!(
                "git-chimp: waiting for another git-chimp run in this repository to finish..."
            );
            told = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `count` sandboxes holding `state`, created or repaired as needed.
///
/// # Errors
/// When a worktree cannot be created or synced.
pub fn prepare(repo: &Repo, state: &TargetState, count: usize) -> Result<Vec<Sandbox>> {
    let oid = Oid::from_str(&state.commit).context("parsing the target commit")?;
    (0..count)
        .map(|index| {
            let root =
                ensure(repo, index, oid).with_context(|| format!("preparing sandbox {index}"))?;
            sync(repo, &root, oid, state).with_context(|| format!("syncing sandbox {index}"))?;
            Ok(Sandbox { index, root })
        })
        .collect()
}

/// Make sure sandbox `index` is a valid registered worktree; return its root.
fn ensure(repo: &Repo, index: usize, oid: Oid) -> Result<PathBuf> {
    let git = repo.git();
    let name = format!("{NAME_PREFIX}{index}");
    let root = sandboxes_dir(repo).join(index.to_string());
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
    // libgit2 can only add a worktree on a branch. A branch of our own exists for the
    // moment of creation; the sandbox is then detached and the branch deleted, so the
    // user's refs are as they were.
    let commit = git.find_commit(oid)?;
    let branch_name = format!("git-chimp-sandbox-{index}-{}", std::process::id());
    let mut branch = git.branch(&branch_name, &commit, true)?;
    let added = (|| -> Result<()> {
        let mut options = WorktreeAddOptions::new();
        options.reference(Some(branch.get()));
        let worktree = git.worktree(&name, &root, Some(&options))?;
        worktree.lock(Some(LOCK_REASON))?;
        Repository::open(&root)?.set_head_detached(oid)?;
        Ok(())
    })();
    let deleted = branch.delete();
    added?;
    deleted.context("deleting the temporary sandbox branch")?;
    Ok(root)
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

/// Reset a sandbox to the commit, then copy the working tree's changes over it.
fn sync(repo: &Repo, root: &Path, oid: Oid, state: &TargetState) -> Result<()> {
    let sandbox = Repository::open(root)?;
    sandbox.set_head_detached(oid)?;
    let mut checkout = CheckoutBuilder::new();
    checkout.force().remove_untracked(true);
    sandbox.checkout_head(Some(&mut checkout))?;
    remove_bytecode(root)?;
    for path in &state.overlay {
        let dest = root.join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        let _ = fs::remove_file(&dest);
        fs::copy(repo.workdir().join(path), &dest)
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
    /// A directory of this sandbox's own outside its working tree, for the pytest
    /// worker's files; removed with the sandboxes.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn scratch(&self) -> Result<PathBuf> {
        let dir = self.root.with_extension("scratch");
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir)
    }

    /// The sandbox directory matching the user's current directory.
    #[must_use]
    pub fn dir_for(&self, cwd_prefix: &str) -> PathBuf {
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
    pub fn write(&self, path: &str, contents: &[u8]) -> Result<()> {
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
            .with_context(|| format!("setting the mtime of {}", full.display()))
    }
}

/// Remove every git-chimp sandbox and its worktree registration; returns how many
/// registrations were removed.
///
/// # Errors
/// When the worktree list cannot be read or the sandbox directory cannot be removed.
pub fn clean(repo: &Repo) -> Result<usize> {
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
