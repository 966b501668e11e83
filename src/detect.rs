//! The test command when none is configured: `<python> -m pytest -x -q` in a project that
//! uses pytest, with an interpreter that can import it (the active virtual environment's,
//! then `python3`); `<python> -m unittest` in a project whose tests are all unittest's;
//! else none, and a run asks for one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
    if read("pyproject.toml").contains("[tool.pytest.ini_options]") {
        return Some("[tool.pytest.ini_options] in pyproject.toml".to_owned());
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

/// The files pytest collects by default: `test_*.py` and `*_test.py`.
fn test_modules(files: &[String]) -> Vec<&str> {
    files
        .iter()
        .filter(|file| {
            let name = Path::new(file.as_str())
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            Path::new(name).extension().is_some_and(|ext| ext == "py")
                && (name.starts_with("test_") || name.ends_with("_test.py"))
        })
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
/// (repository-relative), when none is configured.
#[must_use]
pub(crate) fn test_command(workdir: &Path, files: &[String]) -> Option<Detected> {
    if let Some(sign) = pytest_sign(workdir, files) {
        let (python, which) = interpreters()
            .into_iter()
            .find(|(python, _)| can_import(python, "pytest", workdir))?;
        return Some(Detected {
            command: format!("{python} -m pytest -x -q"),
            why: format!("{sign}; {which} imports pytest"),
        });
    }
    if !test_modules(files).is_empty() {
        let (python, _) = interpreters().into_iter().next()?;
        return Some(Detected {
            command: format!("{python} -m unittest"),
            why: "unittest test modules, no sign of pytest".to_owned(),
        });
    }
    None
}

/// The project's own pytest settings for which files are its tests: the `python_files`
/// patterns (matched against file names; pytest collects only those, whatever
/// `testpaths` says, so `testpaths` alone marks nothing: it may well be `src`), from
/// `[tool.pytest.ini_options]` in `pyproject.toml`, `pytest.ini`, `[pytest]` in
/// `tox.ini` or `[tool:pytest]` in `setup.cfg` (the first that has a section, as pytest
/// picks it).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PytestPaths {
    /// `python_files`, e.g. `check_*.py`.
    pub python_files: Vec<String>,
    /// `testpaths`, repository-relative (read, not used to exclude).
    pub testpaths: Vec<String>,
}

impl PytestPaths {
    /// Read them from the configuration files at the root `workdir`.
    #[must_use]
    pub(crate) fn read(workdir: &Path) -> Self {
        let read = |name: &str| std::fs::read_to_string(workdir.join(name)).ok();
        if let Some(text) = read("pytest.ini")
            && let Some(found) = ini_section(&text, "pytest")
        {
            return found;
        }
        if let Some(text) = read("pyproject.toml")
            && let Ok(table) = text.parse::<toml::Table>()
            && let Some(options) = table
                .get("tool")
                .and_then(|tool| tool.get("pytest"))
                .and_then(|pytest| pytest.get("ini_options"))
        {
            let words = |key: &str| -> Vec<String> {
                match options.get(key) {
                    // pytest splits "args" options as a shell does.
                    Some(toml::Value::String(text)) => shlex::split(text).unwrap_or_default(),
                    Some(toml::Value::Array(items)) => items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                }
            };
            return Self {
                python_files: words("python_files"),
                testpaths: words("testpaths"),
            };
        }
        for (name, section) in [("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")] {
            if let Some(text) = read(name)
                && let Some(found) = ini_section(&text, section)
            {
                return found;
            }
        }
        Self::default()
    }

    /// Whether the repository-relative `path` is one of the tests these settings name.
    #[must_use]
    pub(crate) fn holds(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        // A pattern that takes every module (`*.py`) says nothing about which are tests.
        self.python_files
            .iter()
            .filter(|pattern| !matches!(pattern.as_str(), "*" | "*.py" | "**" | "**/*.py"))
            .any(|pattern| {
                globset::Glob::new(pattern).is_ok_and(|glob| glob.compile_matcher().is_match(name))
            })
    }
}

/// `python_files` and `testpaths` of the INI `section` of `text`, when it has one (values
/// may continue on indented lines).
fn ini_section(text: &str, section: &str) -> Option<PytestPaths> {
    let mut inside = false;
    let mut found = false;
    let mut current: Option<&'static str> = None;
    let mut paths = PytestPaths::default();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = trimmed == format!("[{section}]");
            found |= inside;
            current = None;
            continue;
        }
        if !inside || trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let continued = line.starts_with([' ', '\t']);
        let value = if continued {
            trimmed
        } else {
            let Some((key, value)) = trimmed.split_once(['=', ':']) else {
                current = None;
                continue;
            };
            current = match key.trim() {
                "python_files" => Some("python_files"),
                "testpaths" => Some("testpaths"),
                _ => None,
            };
            value
        };
        let words = shlex::split(value).unwrap_or_default();
        match current {
            Some("python_files") => paths.python_files.extend(words),
            Some("testpaths") => paths.testpaths.extend(words),
            _ => {}
        }
    }
    found.then_some(paths)
}
