//! [`Repo`]: the user's git repository, read through git2 and never written. It finds
//! the repository from the current directory, resolves the state to test (HEAD plus the
//! working tree's changes) and lists the files in it. Owned types go out; git2 types stay
//! in this module and in `sandbox.rs`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{Repository, Status, StatusOptions};

use crate::exit_code::{ExitCode, fatal};

/// The user's repository.
pub struct Repo {
    git: Repository,
    workdir: PathBuf,
}

/// What a run tests: a commit plus the working tree's differences from it.
#[derive(Debug, Clone)]
pub struct TargetState {
    /// The commit the sandboxes check out (hex).
    pub commit: String,
    /// Every file present in the tested state: tracked and not deleted, or untracked and
    /// not ignored. Repository-relative, `/`-separated, sorted.
    pub files: Vec<String>,
    /// Files whose working-tree content differs from the commit (modified, added,
    /// untracked): copied into each sandbox over the commit.
    pub overlay: Vec<String>,
    /// Files of the commit that the working tree deleted.
    pub deleted: Vec<String>,
}

impl Repo {
    /// The repository holding `cwd`.
    ///
    /// # Errors
    /// A git error when `cwd` is not in a git repository with a working tree.
    pub fn discover(cwd: &Path) -> Result<Self> {
        let git = Repository::discover(cwd).map_err(|err| {
            fatal(
                ExitCode::Git,
                format!(
                    "not a git repository: {} (or any parent); run git-chimp inside a git \
                     checkout of your project ({})",
                    cwd.display(),
                    err.message()
                ),
            )
        })?;
        let workdir = git
            .workdir()
            .ok_or_else(|| {
                fatal(
                    ExitCode::Git,
                    "this is a bare repository: git-chimp needs a working tree",
                )
            })?
            .to_path_buf();
        Ok(Self { git, workdir })
    }

    /// The root of the working tree.
    #[must_use]
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The common git directory (`.git` of the main worktree), where sandboxes live.
    #[must_use]
    pub fn common_dir(&self) -> &Path {
        self.git.commondir()
    }

    /// The git2 repository, for `sandbox.rs`.
    pub(crate) fn git(&self) -> &Repository {
        &self.git
    }

    /// HEAD plus the working tree's changes.
    ///
    /// # Errors
    /// A git error when HEAD has no commit yet or the status cannot be read.
    pub fn working_state(&self) -> Result<TargetState> {
        let head = self
            .git
            .head()
            .and_then(|head| head.peel_to_commit())
            .map_err(|_| {
                fatal(
                    ExitCode::Git,
                    "HEAD has no commit yet: commit your project once, then run git-chimp",
                )
            })?;
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_unmodified(true)
            .include_ignored(false)
            .exclude_submodules(true);
        let statuses = self.git.statuses(Some(&mut options)).map_err(|err| {
            fatal(
                ExitCode::Git,
                format!("reading git status: {}", err.message()),
            )
        })?;
        let mut state = TargetState {
            commit: head.id().to_string(),
            files: Vec::new(),
            overlay: Vec::new(),
            deleted: Vec::new(),
        };
        for entry in statuses.iter() {
            let Some(path) = entry.path() else {
                continue;
            };
            let status = entry.status();
            let gone = status.contains(Status::WT_DELETED)
                || (status.contains(Status::INDEX_DELETED) && !status.contains(Status::WT_NEW));
            if gone {
                state.deleted.push(path.to_owned());
                continue;
            }
            if self.workdir.join(path).is_dir() {
                // A nested repository that is not a submodule: not ours to test.
                continue;
            }
            state.files.push(path.to_owned());
            if status != Status::CURRENT {
                state.overlay.push(path.to_owned());
            }
        }
        state.files.sort();
        state.overlay.sort();
        state.deleted.sort();
        Ok(state)
    }

    /// Whether a working-tree path is a symbolic link.
    #[must_use]
    pub fn is_symlink(&self, path: &str) -> bool {
        std::fs::symlink_metadata(self.workdir.join(path))
            .is_ok_and(|meta| meta.file_type().is_symlink())
    }

    /// Read a working-tree file.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        std::fs::read(self.workdir.join(path)).with_context(|| format!("reading {path}"))
    }
}
