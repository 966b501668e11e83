//! The test command when none is configured: `<python> -m pytest -x -q` in a project that
//! uses pytest, with an interpreter that can import it (the active virtual environment's,
//! then `python3`); `<python> -m unittest -f` in a project whose tests are all unittest's
//! (`test_*.py`, or a `tests.py` or `test.py` unittest discovers);
//! else none, and a run asks for one.
//!
//! The project's pytest settings and tox commands are read in [`config`]; what to say
//! when the command collects no tests is [`no_tests`].

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod config;
mod no_tests;

pub(crate) use config::PytestPaths;
use config::tox_runs_pytest;
pub(crate) use no_tests::nothing_collected;

/// A test command git-chimp chose, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Detected {
    /// The command.
    pub command: String,
    /// Why, for the user: what in the project says so.
    pub why: String,
}

/// What in the project says it uses pytest, if anything.
fn pytest_sign(workdir: &Path, files: &[String]) -> Option<String> {
    let read = |name: &str| std::fs::read_to_string(workdir.join(name)).unwrap_or_default();
    let pyproject = read("pyproject.toml");
    if pyproject.contains("[tool.pytest.ini_options]") {
        return Some("[tool.pytest.ini_options] in pyproject.toml".to_owned());
    }
    if pyproject.lines().any(|line| line.trim() == "[tool.pytest]") {
        return Some("[tool.pytest] in pyproject.toml".to_owned());
    }
    if files.iter().any(|file| file == "pytest.ini") {
        return Some("pytest.ini".to_owned());
    }
    if read("tox.ini")
        .lines()
        .any(|line| line.trim() == "[pytest]")
    {
        return Some("a [pytest] section in tox.ini".to_owned());
    }
    if read("setup.cfg")
        .lines()
        .any(|line| line.trim() == "[tool:pytest]")
    {
        return Some("a [tool:pytest] section in setup.cfg".to_owned());
    }
    if files.iter().any(|file| {
        Path::new(file)
            .file_name()
            .is_some_and(|name| name == "conftest.py")
    }) {
        return Some("conftest.py".to_owned());
    }
    if tox_runs_pytest(&read("tox.ini")) {
        return Some("tox.ini's commands run pytest".to_owned());
    }
    if let Some(first) = missed_test_modules(workdir, files).first()
        && std::fs::read_to_string(workdir.join(first))
            .is_ok_and(|text| text.contains("import pytest") || text.contains("from pytest"))
    {
        return Some(format!("{first} imports pytest"));
    }
    let modules = test_modules(files);
    if let Some(first) = modules.first() {
        let uses_pytest = modules.iter().any(|module| {
            let text = std::fs::read_to_string(workdir.join(module)).unwrap_or_default();
            text.contains("import pytest") || text.contains("from pytest")
        });
        let all_unittest = modules.iter().all(|module| {
            std::fs::read_to_string(workdir.join(module))
                .is_ok_and(|text| text.contains("unittest"))
        });
        if uses_pytest || !all_unittest {
            return Some(format!("test modules pytest collects ({first}, ...)"));
        }
    }
    None
}

/// Test modules that pytest's default file patterns (`test_*.py`, `*_test.py`) miss:
/// `test.py`, `tests.py` and `*_tests.py` that define a test function or class.
fn missed_test_modules<'a>(workdir: &Path, files: &'a [String]) -> Vec<&'a str> {
    files
        .iter()
        .filter(|file| {
            let name = file.rsplit('/').next().unwrap_or(file);
            (name == "test.py" || name == "tests.py" || name.ends_with("_tests.py"))
                && !skipped_by_pytest(file)
                && std::fs::read_to_string(workdir.join(file.as_str())).is_ok_and(|text| {
                    text.lines().any(|line| {
                        line.starts_with("def test")
                            || line.starts_with("async def test")
                            || line.starts_with("class Test")
                            || (line.starts_with("class ") && line.contains("TestCase"))
                    })
                })
        })
        .map(String::as_str)
        .collect()
}

/// Whether pytest's default `norecursedirs` keeps it out of the directory holding `path`.
fn skipped_by_pytest(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts.iter().any(|part| {
        part.starts_with('.')
            || Path::new(part).extension().is_some_and(|ext| ext == "egg")
            || matches!(
                *part,
                "build" | "dist" | "node_modules" | "venv" | "CVS" | "_darcs" | "{arch}"
            )
    })
}

/// `file` (repository-relative) as a path from the directory `cwd_prefix` (the
/// repository-relative current directory, `""` at the root), where the test command
/// runs; None outside it.
fn under_cwd<'a>(file: &'a str, cwd_prefix: &str) -> Option<&'a str> {
    let prefix = cwd_prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return Some(file);
    }
    file.strip_prefix(prefix)?.strip_prefix('/')
}

/// The pytest command for a project, given `base` (`<python> -m pytest -x -q`): when
/// the project's own settings or pytest's defaults collect none of its files but test
/// modules pytest's patterns miss exist (`test.py`, ...), the command names those under
/// the current directory `cwd_prefix` (where it runs), as paths from there. With why,
/// when it does.
fn pytest_with_missed_modules(
    base: String,
    workdir: &Path,
    files: &[String],
    cwd_prefix: &str,
) -> (String, Option<String>) {
    let paths = PytestPaths::read(workdir);
    if files
        .iter()
        .any(|file| !skipped_by_pytest(file) && paths.collects(file))
    {
        return (base, None);
    }
    let missed: Vec<&str> = missed_test_modules(workdir, files)
        .into_iter()
        .filter_map(|file| under_cwd(file, cwd_prefix))
        .collect();
    if missed.is_empty() {
        return (base, None);
    }
    let quoted: Vec<String> = missed
        .iter()
        .map(|file| shlex::try_quote(file).map_or((*file).to_owned(), std::borrow::Cow::into_owned))
        .collect();
    let patterns = if paths.python_files.is_empty() {
        "test_*.py and *_test.py".to_owned()
    } else {
        paths.python_files.join(" and ")
    };
    let why = format!(
        "pytest's file patterns ({patterns}) miss {}, so the command names {}",
        missed.join(", "),
        if missed.len() == 1 { "it" } else { "them" }
    );
    (format!("{base} {}", quoted.join(" ")), Some(why))
}

/// The files pytest collects by default: `test_*.py` and `*_test.py`.
fn test_modules(files: &[String]) -> Vec<&str> {
    let defaults = PytestPaths::default();
    files
        .iter()
        .filter(|file| defaults.collects(file))
        .map(String::as_str)
        .collect()
}

/// The interpreters to try, in order: the active virtual environment's, then `python3`.
fn interpreters() -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        let python = PathBuf::from(venv).join("bin").join("python");
        if python.is_file() {
            let shown = python.display().to_string();
            // Quoted for the shell the command runs in (a path with a space).
            let quoted =
                shlex::try_quote(&shown).map_or(shown.clone(), std::borrow::Cow::into_owned);
            out.push((quoted, "the active virtual environment's python".to_owned()));
        }
    }
    out.push(("python3".to_owned(), "python3".to_owned()));
    out
}

fn can_import(python: &str, module: &str, dir: &Path) -> bool {
    let program = shlex::split(python)
        .and_then(|words| words.into_iter().next())
        .unwrap_or_else(|| python.to_owned());
    Command::new(program)
        .args(["-c", &format!("import {module}")])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The test command for the project at `workdir` whose files are `files`
/// (repository-relative), when none is configured, to run from `cwd_prefix` (the
/// repository-relative current directory).
#[must_use]
pub(crate) fn test_command(workdir: &Path, files: &[String], cwd_prefix: &str) -> Option<Detected> {
    if let Some(sign) = pytest_sign(workdir, files) {
        let (python, which) = interpreters()
            .into_iter()
            .find(|(python, _)| can_import(python, "pytest", workdir))?;
        let (command, named) = pytest_with_missed_modules(
            format!("{python} -m pytest -x -q"),
            workdir,
            files,
            cwd_prefix,
        );
        let mut why = format!("{sign}; {which} imports pytest");
        if let Some(named) = named {
            why = format!("{why}; {named}");
        }
        return Some(Detected { command, why });
    }
    // `-f`: stop at the first failure, as pytest's `-x` (a mutant the first failing test
    // detects does not run the rest of the suite).
    let unittest = |why: String| {
        let (python, _) = interpreters().into_iter().next()?;
        Some(Detected {
            command: format!("{python} -m unittest -f"),
            why,
        })
    };
    if !test_modules(files).is_empty() {
        return unittest("unittest test modules, no sign of pytest".to_owned());
    }
    // `tests.py` or `test.py`: unittest's discovery finds them (`test*.py`), pytest's
    // default patterns do not.
    if let Some(module) = missed_test_modules(workdir, files)
        .into_iter()
        .find(|module| {
            module
                .rsplit('/')
                .next()
                .unwrap_or(module)
                .starts_with("test")
                && std::fs::read_to_string(workdir.join(module))
                    .is_ok_and(|text| text.contains("unittest"))
        })
    {
        return unittest(format!(
            "unittest tests in {module} (unittest's discovery finds test*.py), no sign of \
             pytest"
        ));
    }
    None
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_modules_pytest_misses_are_named_only_when_it_collects_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        };
        write("test.py", "def test_a():\n    pass\n");
        write(
            "app/tests.py",
            "import unittest\n\nclass A(unittest.TestCase):\n    pass\n",
        );
        write("helpers_tests.py", "X = 1\n");
        write("build/test.py", "def test_b():\n    pass\n");
        let files: Vec<String> = [
            "test.py",
            "app/tests.py",
            "helpers_tests.py",
            "build/test.py",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            missed_test_modules(dir.path(), &files),
            ["test.py", "app/tests.py"]
        );
        let with_missed = |files: &[String], cwd_prefix: &str| {
            pytest_with_missed_modules(
                "python -m pytest -x -q".to_owned(),
                dir.path(),
                files,
                cwd_prefix,
            )
        };
        let (command, why) = with_missed(&files, "");
        assert_eq!(command, "python -m pytest -x -q test.py app/tests.py");
        assert!(why.unwrap().contains("miss test.py, app/tests.py"));
        // Run from app/ (as the current directory is), the command names what is there,
        // from there.
        let (command, _) = with_missed(&files, "app");
        assert_eq!(command, "python -m pytest -x -q tests.py");
        // A module pytest collects: the command stays as it is.
        write("tests/test_c.py", "def test_c():\n    pass\n");
        let mut more = files.clone();
        more.push("tests/test_c.py".to_owned());
        let (command, why) = with_missed(&more, "");
        assert_eq!((command.as_str(), why), ("python -m pytest -x -q", None));
    }
}
