//! `.chimp/` at the repository root: `.gitignore` (`*`, so git ignores it all),
//! `report.json`, `survived/<id>.patch`, `logs/`, `cache/`. This module owns those paths;
//! each run starts with an empty `logs/`, and ends with exactly one patch per survivor in
//! `survived/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The output directory of a run.
#[derive(Debug, Clone)]
pub struct OutputDir {
    root: PathBuf,
}

impl OutputDir {
    /// Create (or reset) `.chimp/` under `workdir`.
    ///
    /// # Errors
    /// When the directories cannot be created.
    pub fn create(workdir: &Path) -> Result<Self> {
        let root = workdir.join(".chimp");
        fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
        fs::write(root.join(".gitignore"), "*\n").context("writing .chimp/.gitignore")?;
        let out = Self { root };
        // `survived/` is brought up to date by the patch writer (which keeps unchanged
        // patches); `logs/` starts empty.
        let logs = out.logs_dir();
        if logs.exists() {
            fs::remove_dir_all(&logs).with_context(|| format!("clearing {}", logs.display()))?;
        }
        for dir in [out.survived_dir(), logs] {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(out)
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
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    // Created with mode 0666 less the umask, like any file the user's programs write (a
    // temporary file is otherwise private, 0600).
    let mut file = {
        use std::os::unix::fs::PermissionsExt;
        tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?
    };
    file.write_all(contents)?;
    file.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
