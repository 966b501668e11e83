//! `.chimp/` at the repository root: `.gitignore` (`*`, so git ignores it all),
//! `report.json`, `survived/<id>.patch`, `logs/`, `cache/`, `debug.log` (written by
//! [`crate::console`]). This module owns those paths;
//! each run starts with an empty `logs/`, and ends with exactly one patch per survivor in
//! `survived/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::exit_code::{ExitCode, fatal};

/// What git-chimp did with a path when it failed, in the words of the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Writing a file (a directory in its place is named as the cause).
    Write,
    /// Writing a new file into a directory.
    WriteInto,
    /// Creating a directory, for `purpose` if given (a file in its place is named as the
    /// cause).
    CreateDir {
        /// What the directory is for (`git-chimp's lock and sandboxes`).
        purpose: Option<&'static str>,
    },
    /// Anything else, in words (`removing the cache`).
    Other(&'static str),
}

impl From<&'static str> for Access {
    /// Anything else, in words.
    fn from(words: &'static str) -> Self {
        Access::Other(words)
    }
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Access::Write => f.write_str("writing"),
            Access::WriteInto => f.write_str("writing into"),
            Access::CreateDir { purpose: None } => f.write_str("creating the directory"),
            Access::CreateDir {
                purpose: Some(purpose),
            } => write!(f, "creating the directory ({purpose})"),
            Access::Other(words) => f.write_str(words),
        }
    }
}

/// [`ExitCode::Environment`]: `access` to `path` failed (a file where a directory
/// belongs, or no permission).
#[must_use]
pub(crate) fn cannot_write(
    path: &Path,
    access: impl Into<Access>,
    err: &std::io::Error,
) -> anyhow::Error {
    let access = access.into();
    let cause = match (fs::symlink_metadata(path), access) {
        (Ok(meta), Access::Write) if meta.is_dir() => " (it is a directory)",
        (Ok(meta), Access::CreateDir { .. }) if !meta.is_dir() => " (a file is in the way)",
        _ => "",
    };
    fatal(
        ExitCode::Environment,
        format!("{access} {}{cause}: {err}", path.display()),
    )
}

/// `fs::create_dir_all`, failing with [`ExitCode::Environment`].
fn create_dir(path: &Path) -> Result<()> {
    fs::create_dir_all(path)
        .map_err(|err| cannot_write(path, Access::CreateDir { purpose: None }, &err))
}

/// The output directory of a run.
#[derive(Debug, Clone)]
pub(crate) struct OutputDir {
    root: PathBuf,
}

/// `.chimp/` under the repository root `workdir`.
#[must_use]
pub(crate) fn chimp_dir(workdir: &Path) -> PathBuf {
    workdir.join(".chimp")
}

/// The outcome cache's default directory: `.chimp/cache/` under `workdir`.
#[must_use]
pub(crate) fn default_cache_dir(workdir: &Path) -> PathBuf {
    chimp_dir(workdir).join("cache")
}

impl OutputDir {
    /// Create (or reset) `.chimp/` under `workdir`.
    ///
    /// # Errors
    /// When the directories cannot be created.
    pub(crate) fn create(workdir: &Path) -> Result<Self> {
        let root = chimp_dir(workdir);
        create_dir(&root)?;
        let ignore = root.join(".gitignore");
        // Atomically: a run killed here must not leave an empty `.gitignore`, which would
        // make `.chimp/` part of the next run's working tree.
        write_atomic(&ignore, b"*\n")?;
        let out = Self { root };
        // `survived/` is brought up to date by the patch writer (which keeps unchanged
        // patches); `logs/` starts empty.
        let logs = out.logs_dir();
        if logs.is_dir() {
            fs::remove_dir_all(&logs).map_err(|err| cannot_write(&logs, "clearing", &err))?;
        }
        for dir in [out.survived_dir(), logs] {
            create_dir(&dir)?;
        }
        crate::console::log_to(&out.root);
        Ok(out)
    }

    /// Fail now, before any mutant runs, where a report of `names` (file names in
    /// `.chimp/`) could not be written at the end: a directory in its place, or a
    /// directory git-chimp may not write into.
    ///
    /// # Errors
    /// [`ExitCode::Environment`], naming the path.
    pub(crate) fn check_writable(&self, names: &[&str]) -> Result<()> {
        for name in names {
            let path = self.root.join(name);
            if path.is_dir() {
                return Err(fatal(
                    ExitCode::Environment,
                    format!(
                        "{} is a directory: git-chimp writes its report there (move it away)",
                        path.display()
                    ),
                ));
            }
        }
        for dir in [self.root.clone(), self.survived_dir(), self.logs_dir()] {
            tempfile::tempfile_in(&dir)
                .map_err(|err| cannot_write(&dir, Access::WriteInto, &err))?;
        }
        Ok(())
    }

    /// `.chimp/` itself.
    #[must_use]
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// `.chimp/survived/`: one patch per surviving mutant.
    #[must_use]
    pub(crate) fn survived_dir(&self) -> PathBuf {
        self.root.join("survived")
    }

    /// `.chimp/logs/`: the baseline's log and those of survivors and timeouts.
    #[must_use]
    pub(crate) fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// `.chimp/report.json`.
    #[must_use]
    pub(crate) fn report_path(&self) -> PathBuf {
        self.root.join("report.json")
    }
}

/// Write `contents` to `path` atomically: a temporary file in the same directory, renamed.
///
/// # Errors
/// When the file cannot be written.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    // Created with mode 0666 less the umask, like any file the user's programs write (a
    // temporary file is otherwise private, 0600).
    let mut file = {
        use std::os::unix::fs::PermissionsExt;
        tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(dir)
            .map_err(|err| cannot_write(dir, Access::WriteInto, &err))?
    };
    file.write_all(contents)
        .map_err(|err| cannot_write(path, Access::Write, &err))?;
    file.persist(path)
        .map_err(|err| cannot_write(path, Access::Write, &err.error))?;
    Ok(())
}
