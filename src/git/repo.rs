//! [`Repo`]: the user's git repository, read through git2 and never written. It finds
//! the repository from the current directory, resolves the state to test (HEAD plus the
//! working tree's changes) and lists the files in it. Owned types go out; git2 types stay
//! in this module and in `sandbox.rs`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{ObjectType, Oid, Repository, Status, StatusOptions, TreeWalkMode, TreeWalkResult};

use crate::exit_code::{ExitCode, fatal};

/// The user's repository.
pub(crate) struct Repo {
    git: Repository,
    workdir: PathBuf,
}

/// What a run tests: a commit plus, by default, the working tree's differences from it;
/// with `--rev`, the commit alone.
#[derive(Debug, Clone)]
pub(crate) struct TargetState {
    /// The commit the sandboxes check out (hex).
    pub commit: String,
    /// Whether the working tree is part of the state (false with `--rev`).
    pub with_working_tree: bool,
    /// Files that are symbolic links (never mutated: a write would go through them).
    pub symlinks: BTreeSet<String>,
    /// Every file present in the tested state: tracked and not deleted, or untracked and
    /// not ignored. Repository-relative, `/`-separated, sorted.
    pub files: Vec<String>,
    /// Files whose working-tree content differs from the commit (modified, added,
    /// untracked): copied into each sandbox over the commit.
    pub overlay: Vec<String>,
    /// Files of the commit that the working tree deleted.
    pub deleted: Vec<String>,
    /// Ignored files of the checkout the tests may need, copied into each sandbox
    /// (`generated.rs`): never mutated.
    pub generated: Vec<String>,
}

impl Repo {
    /// The repository holding `cwd`.
    ///
    /// # Errors
    /// A git error when `cwd` is not in a git repository with a working tree.
    pub(crate) fn discover(cwd: &Path) -> Result<Self> {
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
    pub(crate) fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The common git directory (`.git` of the main worktree), where sandboxes live.
    #[must_use]
    pub(crate) fn common_dir(&self) -> &Path {
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
    pub(crate) fn working_state(&self) -> Result<TargetState> {
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
            with_working_tree: true,
            symlinks: BTreeSet::new(),
            files: Vec::new(),
            overlay: Vec::new(),
            deleted: Vec::new(),
            generated: Vec::new(),
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
            // git-chimp's own output is never part of what is tested, even when its
            // `.gitignore` is missing (a run killed while writing it).
            if status.contains(Status::WT_NEW) && path.starts_with(".chimp/") {
                continue;
            }
            if self.workdir.join(path).is_dir() {
                // A nested repository that is not a submodule: not ours to test.
                continue;
            }
            if std::fs::symlink_metadata(self.workdir.join(path))
                .is_ok_and(|meta| meta.file_type().is_symlink())
            {
                state.symlinks.insert(path.to_owned());
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

    /// The commit a revision names (`HEAD~1`, `origin/main`, a sha, a tag...).
    ///
    /// # Errors
    /// A git error naming the revision when it does not exist or is not a commit.
    pub(crate) fn resolve_commit(&self, spec: &str, option: &str) -> Result<String> {
        let object = self.git.revparse_single(spec).map_err(|_| {
            fatal(
                ExitCode::Git,
                format!(
                    "{option} {spec}: unknown revision; check the name, or run `git fetch` if it \
                     is a remote branch"
                ),
            )
        })?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| fatal(ExitCode::Git, format!("{option} {spec}: not a commit")))?;
        Ok(commit.id().to_string())
    }

    /// The merge base of two commits.
    ///
    /// # Errors
    /// A git error when they share no history.
    pub(crate) fn merge_base(&self, one: &str, two: &str, spec: &str) -> Result<String> {
        let (one, two) = (Oid::from_str(one)?, Oid::from_str(two)?);
        let base = self.git.merge_base(one, two).map_err(|_| {
            fatal(
                ExitCode::Git,
                format!("--since {spec}: no common history with the tested commit (no merge base)"),
            )
        })?;
        Ok(base.to_string())
    }

    /// A commit exactly, without the working tree (`--rev`).
    ///
    /// # Errors
    /// When its tree cannot be read.
    pub(crate) fn commit_state(&self, commit: &str) -> Result<TargetState> {
        self.commit_files(commit)
            .map_err(|err| super::failed(&format!("reading the files of commit {commit}"), err))
    }

    fn commit_files(&self, commit: &str) -> Result<TargetState> {
        let tree = self.git.find_commit(Oid::from_str(commit)?)?.tree()?;
        let mut state = TargetState {
            commit: commit.to_owned(),
            with_working_tree: false,
            symlinks: BTreeSet::new(),
            files: Vec::new(),
            overlay: Vec::new(),
            deleted: Vec::new(),
            generated: Vec::new(),
        };
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                if entry.filemode() == 0o120_000 {
                    state.symlinks.insert(path.clone());
                }
                state.files.push(path);
            }
            TreeWalkResult::Ok
        })?;
        state.files.sort();
        Ok(state)
    }

    /// A file's content in the tested state.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub(crate) fn read(&self, state: &TargetState, path: &str) -> Result<Vec<u8>> {
        if state.with_working_tree {
            return std::fs::read(self.workdir.join(path))
                .with_context(|| format!("reading {path}"));
        }
        let blob = || -> Result<Vec<u8>> {
            let commit = self.git.find_commit(Oid::from_str(&state.commit)?)?;
            let entry = commit.tree()?.get_path(Path::new(path))?;
            let blob = entry.to_object(&self.git)?.peel_to_blob()?;
            Ok(blob.content().to_vec())
        };
        blob().map_err(|err| {
            super::failed(&format!("reading {path} at commit {}", &state.commit), err)
        })
    }

    /// The hooks directory git uses: `core.hooksPath` (relative to the working tree root
    /// when relative), else `hooks/` in the common git dir.
    #[must_use]
    pub(crate) fn hooks_dir(&self) -> PathBuf {
        let configured = self
            .git
            .config()
            .ok()
            .and_then(|config| config.get_path("core.hooksPath").ok());
        match configured {
            Some(path) if path.is_absolute() => path,
            Some(path) => self.workdir.join(path),
            None => self.common_dir().join("hooks"),
        }
    }

    /// A `chimp.<key>` value from git config (repository, global or system), if set.
    #[must_use]
    pub(crate) fn config(&self, key: &str) -> Option<String> {
        let config = self.git.config().ok()?;
        config
            .get_string(&format!("chimp.{key}"))
            .ok()
            .filter(|value| !value.trim().is_empty())
    }

    /// A boolean `chimp.<key>` as git reads it (`[chimp] key` alone is true); `Err` with
    /// the written value when git cannot read it as a boolean.
    pub(crate) fn config_bool(&self, key: &str) -> Result<Option<bool>, String> {
        let Ok(config) = self.git.config() else {
            return Ok(None);
        };
        let name = format!("chimp.{key}");
        match config.get_bool(&name) {
            Ok(value) => Ok(Some(value)),
            Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(_) => Err(config.get_string(&name).unwrap_or_default()),
        }
    }
}
