//! The project's own test settings, as the detection reads them: which files pytest
//! collects ([`PytestPaths`], from `pytest.ini`, `pyproject.toml`, `tox.ini` or
//! `setup.cfg`), and whether `tox.ini`'s commands run pytest.

use std::path::Path;

/// Whether the `commands` of a `tox.ini` (`text`) run pytest (a command whose program is
/// `pytest` or `py.test`, or that runs `-m pytest`, in any of its environments; not one
/// that only names it, as `pip install pytest` does).
pub(super) fn tox_runs_pytest(text: &str) -> bool {
    let mut in_commands = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_commands = false;
            continue;
        }
        let value = if line.starts_with([' ', '\t']) && in_commands {
            trimmed
        } else if let Some((key, value)) = trimmed.split_once('=') {
            in_commands = key.trim() == "commands";
            value
        } else {
            in_commands = false;
            continue;
        };
        if in_commands && runs_pytest(&shlex::split(value).unwrap_or_default()) {
            return true;
        }
    }
    false
}

/// Whether a command's `words` run pytest: its program is `pytest` or `py.test`, or it
/// runs the module (`python -m pytest`, `coverage run -m pytest`).
fn runs_pytest(words: &[String]) -> bool {
    let program = words
        .first()
        .map(|word| word.rsplit('/').next().unwrap_or(word));
    matches!(program, Some("pytest" | "py.test"))
        || words
            .windows(2)
            .any(|pair| pair[0] == "-m" && pair[1] == "pytest")
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
            && let Some(pytest) = table.get("tool").and_then(|tool| tool.get("pytest"))
        {
            // pytest 9 reads its options from `[tool.pytest]` itself; earlier ones (and
            // 9, when it has one) from `[tool.pytest.ini_options]`.
            let options = pytest.get("ini_options").unwrap_or(pytest);
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

    /// Whether pytest collects the repository-relative `path` when it looks at it: its
    /// name matches `python_files`, or pytest's defaults (`test_*.py`, `*_test.py`)
    /// without it.
    #[must_use]
    pub(crate) fn collects(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        if Path::new(name).extension().is_none_or(|ext| ext != "py") {
            return false;
        }
        if self.python_files.is_empty() {
            return name.starts_with("test_") || name.ends_with("_test.py");
        }
        self.python_files
            .iter()
            .any(|pattern| name_matches(pattern, name))
    }

    /// Whether the repository-relative `path` is one of the tests these settings name.
    #[must_use]
    pub(crate) fn holds(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        // A pattern that takes every module (`*.py`) says nothing about which are tests.
        self.python_files
            .iter()
            .filter(|pattern| !matches!(pattern.as_str(), "*" | "*.py" | "**" | "**/*.py"))
            .any(|pattern| name_matches(pattern, name))
    }
}

/// Whether the file name `name` matches the `python_files` glob `pattern`.
fn name_matches(pattern: &str, name: &str) -> bool {
    globset::Glob::new(pattern).is_ok_and(|glob| glob.compile_matcher().is_match(name))
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

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn tox_commands_that_run_pytest_are_a_sign_of_it() {
        let tox = "[tox]\nenvlist = py3\n\n[testenv]\ndeps = pytest\ncommands =\n    \
                   {envpython} -m pip list\n    py.test {posargs}\n";
        assert!(tox_runs_pytest(tox));
        assert!(tox_runs_pytest(
            "[testenv]\ncommands = python -m pytest -x\n"
        ));
        assert!(tox_runs_pytest(
            "[testenv]\ncommands = {envbindir}/pytest\n"
        ));
        // Named elsewhere than in `commands`, or another runner: no sign.
        assert!(!tox_runs_pytest(
            "[testenv]\ndeps = pytest\ncommands = python -m unittest\n"
        ));
        assert!(!tox_runs_pytest(
            "[testenv]\ncommands = nosetests\n[pytest]\n"
        ));
        // Installed or listed, not run.
        assert!(!tox_runs_pytest(
            "[testenv]\ncommands =\n    pip install pytest\n    python -m pip show pytest\n    \
             python -m unittest\n"
        ));
        assert!(tox_runs_pytest(
            "[testenv]\ncommands = coverage run -m pytest tests\n"
        ));
    }

    #[test]
    fn pytest_collects_by_its_patterns_or_the_projects() {
        let defaults = PytestPaths::default();
        assert!(defaults.collects("tests/test_a.py"));
        assert!(defaults.collects("a_test.py"));
        assert!(!defaults.collects("test.py"));
        assert!(!defaults.collects("tests.py"));
        assert!(!defaults.collects("tests/test_a.txt"));
        let own = PytestPaths {
            python_files: vec!["check_*.py".to_owned(), "test.py".to_owned()],
            testpaths: Vec::new(),
        };
        assert!(own.collects("t/check_a.py"));
        assert!(own.collects("test.py"));
        assert!(!own.collects("tests/test_a.py"));
    }
}
