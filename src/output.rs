//! `.chimp/` at the repository root: `.gitignore` (`*`, so git ignores it all),
//! `report.json`, `survived/<id>.patch`, `logs/`, `cache/`, `debug.log` (written by
//! [`crate::console`]). This module owns those paths;
//! each run starts with an empty `logs/`, and ends with exactly one patch per survivor in
//! `survived/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::exit_code::{ExitCode, fatal};

/// [`ExitCode::Environment`]: `what` failed on `path` (a file where a directory belongs,
/// or no permission).
#[must_use]
pub(crate) fn cannot_write(path: &Path, what: &str, err: &std::io::Error) -> anyhow::Error {
    let kind = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() && what.starts_with("writing") => {
            " (it is a directory)".to_owned()
        }
        Ok(meta) if !meta.is_dir() && what.starts_with("creating the directory") => {
            " (a file is in the way)".to_owned()
        }
        _ => String::new(),
    };
    fatal(
        ExitCode::Environment,
        format!("{what} {}{kind}: {err}", path.display()),
    )
}

/// `fs::create_dir_all`, failing with [`ExitCode::Environment`].
fn create_dir(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|err| cannot_write(path, "creating the directory", &err))
}

/// The output directory of a run.
#[derive(Debug, Clone)]
pub struct OutputDir {
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
    pub fn create(workdir: &Path) -> Result<Self> {
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
    pub fn check_writable(&self, names: &[&str]) -> Result<()> {
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
            tempfile::tempfile_in(&dir).map_err(|err| cannot_write(&dir, "writing into", &err))?;
        }
        Ok(())
    }

    /// `.chimp/` itself.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `.chimp/survived/`: one patch per surviving mutant.
    #[must_use]
    pub fn survived_dir(&self) -> PathBuf {
        self.root.join("survived")
    }

    /// `.chimp/logs/`: the baseline's log and those of survivors and timeouts.
    #[must_use]
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// `.chimp/report.json`.
    #[must_use]
    pub fn report_path(&self) -> PathBuf {
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
            .map_err(|err| cannot_write(dir, "writing into", &err))?
    };
    file.write_all(contents)
        .map_err(|err| cannot_write(path, "writing", &err))?;
    file.persist(path)
        .map_err(|err| cannot_write(path, "writing", &err.error))?;
    Ok(())
}
