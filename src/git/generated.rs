//! Ignored files the tests need: a sandbox is a git worktree, so it holds only what git
//! tracks, but a package's import may need what its build generated and git ignores (a
//! setuptools-scm `_version.py`, an extension module, a compiled `.mo` catalogue). By
//! rule, every ignored file inside a package of the tested state (a directory with a
//! tracked `__init__.py`, and everything below it), and every ignored module (`.py`,
//! `.so`, `.pyd`) beside tracked Python code, is copied from the checkout into each
//! sandbox, except bytecode, caches, virtual environments, build output and git-chimp's
//! own `.chimp/`. These files are never mutated; their content goes into the cache key
//! as the test files' does.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::fs;
use std::path::Path;

use git2::{Status, StatusOptions};

use super::repo::{Repo, TargetState};

/// Directories never copied, wherever they are: caches, environments, build output.
const SKIPPED_DIRS: &[&str] = &[
    "__pycache__",
    ".chimp",
    ".git",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".eggs",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
    "node_modules",
    "htmlcov",
    "build",
    "dist",
];

/// Extensions of Python modules, copied beside tracked code outside packages too.
const MODULES: &[&str] = &[".py", ".so", ".pyd"];

/// A file larger than this is not copied (and the debug log says so).
const LARGEST: u64 = 64 << 20;

/// Whether a directory named `name` is never looked into.
fn skipped_dir(name: &str) -> bool {
    SKIPPED_DIRS.contains(&name)
        || Path::new(name)
            .extension()
            .is_some_and(|ext| ext == "egg-info" || ext == "dist-info")
}

/// Whether a file named `name` is never copied: bytecode, editor and coverage leftovers.
fn skipped_file(name: &str) -> bool {
    [".pyc", ".pyo", ".swp", ".orig", ".rej", "~"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
        || name.starts_with(".coverage")
        || name == ".DS_Store"
}

/// Where the tested state holds Python code: package directories (with a tracked
/// `__init__.py`) and directories with any tracked `.py` file.
struct CodeDirs {
    packages: BTreeSet<String>,
    modules: BTreeSet<String>,
}

impl CodeDirs {
    fn of(state: &TargetState) -> Self {
        let mut dirs = Self {
            packages: BTreeSet::new(),
            modules: BTreeSet::new(),
        };
        for path in &state.files {
            let Some(name) = path.rsplit('/').next() else {
                continue;
            };
            if Path::new(name).extension().is_none_or(|ext| ext != "py") {
                continue;
            }
            let dir = parent(path);
            if name == "__init__.py" && !dir.is_empty() {
                dirs.packages.insert(dir.to_owned());
            }
            dirs.modules.insert(dir.to_owned());
        }
        dirs
    }

    /// Whether the ignored file `path` is one the tests may need.
    fn needs(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        let dirs: Vec<&str> = path.split('/').collect();
        if skipped_file(name) || dirs[..dirs.len() - 1].iter().any(|dir| skipped_dir(dir)) {
            return false;
        }
        let in_package = ancestors(path).any(|dir| self.packages.contains(dir));
        in_package
            || (self.modules.contains(parent(path))
                && MODULES.iter().any(|ext| name.ends_with(ext)))
    }
}

/// The directory part of `path` ("" at the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Every directory above `path`, nearest first (the root not included).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(parent(path)), |dir| Some(parent(dir)))
        .take_while(|dir| !dir.is_empty())
}

/// The ignored files of the user's checkout that each sandbox gets (repository-relative,
/// sorted). Reading the status is all it costs when nothing is ignored.
///
/// # Errors
/// When git's status cannot be read.
pub(crate) fn ignored_files_needed(
    repo: &Repo,
    state: &TargetState,
) -> anyhow::Result<Vec<String>> {
    let dirs = CodeDirs::of(state);
    if dirs.modules.is_empty() {
        return Ok(Vec::new());
    }
    let mut options = StatusOptions::new();
    options
        .include_ignored(true)
        .recurse_ignored_dirs(false)
        .include_untracked(false)
        .exclude_submodules(true);
    let statuses = repo.git().statuses(Some(&mut options))?;
    let mut found = Vec::new();
    for entry in statuses.iter() {
        let (Some(path), true) = (entry.path(), entry.status().contains(Status::IGNORED)) else {
            continue;
        };
        match path.strip_suffix('/') {
            // A wholly ignored directory: looked into only inside a package.
            Some(dir) => {
                let name = dir.rsplit('/').next().unwrap_or(dir);
                let in_package = dirs.packages.contains(dir)
                    || ancestors(dir).any(|d| dirs.packages.contains(d));
                if in_package && !skipped_dir(name) {
                    walk(repo.workdir(), dir, &mut found);
                }
            }
            None => found.push(path.to_owned()),
        }
    }
    let mut needed: Vec<String> = found
        .into_iter()
        .filter(|path| dirs.needs(path))
        .filter(|path| {
            let meta = fs::symlink_metadata(repo.workdir().join(path));
            let fits = meta
                .as_ref()
                .is_ok_and(|meta| meta.is_file() && meta.len() <= LARGEST);
            if !fits {
                tracing::debug!("ignored file not copied into the sandboxes: {path} (not a regular file of at most 64 MiB)");
            }
            fits
        })
        .collect();
    needed.sort();
    needed.dedup();
    Ok(needed)
}

/// Every file below the ignored directory `dir`, skipping the directories never copied.
fn walk(workdir: &Path, dir: &str, found: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(workdir.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{dir}/{name}");
        match entry.file_type() {
            Ok(kind)
                if kind.is_dir()
                    && !skipped_dir(&name)
                    && !entry.path().join("pyvenv.cfg").exists() =>
            {
                walk(workdir, &path, found);
            }
            Ok(kind) if kind.is_file() => found.push(path),
            _ => {}
        }
    }
}

/// One line naming what was copied: at most three paths, then how many more.
pub(crate) fn summary(paths: &[String]) -> String {
    let shown: Vec<&str> = paths.iter().take(3).map(String::as_str).collect();
    let more = paths.len().saturating_sub(shown.len());
    let mut line = format!(
        "copying {} ignored file{} the tests may need into each sandbox (never mutated): {}",
        paths.len(),
        if paths.len() == 1 { "" } else { "s" },
        shown.join(", ")
    );
    if more > 0 {
        let _ = write!(line, " and {more} more");
    }
    line
}

#[cfg(test)]
mod test {
    use super::*;

    fn dirs(files: &[&str]) -> CodeDirs {
        let state = TargetState {
            commit: String::new(),
            with_working_tree: true,
            symlinks: BTreeSet::new(),
            files: files.iter().map(|&f| f.to_owned()).collect(),
            overlay: Vec::new(),
            deleted: Vec::new(),
            generated: Vec::new(),
        };
        CodeDirs::of(&state)
    }

    #[test]
    fn files_inside_packages_and_modules_beside_code_are_needed() {
        let dirs = dirs(&[
            "src/pkg/__init__.py",
            "src/pkg/core.py",
            "src/pkg/locale/de/LC_MESSAGES/pkg.po",
            "tools/gen.py",
            "setup.py",
        ]);
        for needed in [
            "src/pkg/_version.py",
            "src/pkg/_speedups.cpython-311-x86_64-linux-gnu.so",
            "src/pkg/locale/de/LC_MESSAGES/pkg.mo",
            "src/pkg/data/table.json",
            "tools/_generated.py",
            "_version.py",
        ] {
            assert!(dirs.needs(needed), "{needed}");
        }
        for not_needed in [
            "src/pkg/__pycache__/core.cpython-311.pyc",
            "src/pkg/core.pyc",
            "src/pkg/.coverage",
            "src/pkg/build/lib/x.py",
            "src/pkg.egg-info/PKG-INFO",
            "tools/notes.txt",
            "notes.txt",
            ".venv/lib/python3.11/site.py",
            "docs/conf.py",
            ".chimp/report.json",
        ] {
            assert!(!dirs.needs(not_needed), "{not_needed}");
        }
    }
}
