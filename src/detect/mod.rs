//! The test command when none is configured: `<python> -m pytest -x -q` in a project that
//! uses pytest, with an interpreter that can import it (the active virtual environment's,
//! then `python3`); `<python> -m unittest -f` in a project whose tests are all unittest's
//! (`test_*.py`, or a `tests.py` or `test.py` unittest discovers);
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

/// Whether the `commands` of a `tox.ini` (`text`) run pytest (a command whose program is
/// `pytest` or `py.test`, or that runs `-m pytest`, in any of its environments; not one
/// that only names it, as `pip install pytest` does).
fn tox_runs_pytest(text: &str) -> bool {
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

/// What to tell the user when the test command `tests`, run from `cwd_prefix` of a tree
/// at `root` holding `files`, exits with status 5: pytest's "no tests collected" (and
/// unittest's "NO TESTS RAN" since Python 3.12), never a failure. `None` for a command
/// that is neither.
#[must_use]
pub(crate) fn nothing_collected(
    tests: &str,
    root: &Path,
    files: &[String],
    cwd_prefix: &str,
) -> Option<String> {
    let words = shlex::split(tests).unwrap_or_default();
    let runs = |names: &[&str]| {
        words
            .iter()
            .any(|word| names.contains(&word.rsplit('/').next().unwrap_or(word)))
    };
    let here: Vec<String> = files
        .iter()
        .filter_map(|file| under_cwd(file, cwd_prefix))
        .map(str::to_owned)
        .collect();
    if runs(&["pytest", "py.test"]) {
        let paths = PytestPaths::read(root);
        let patterns = if paths.python_files.is_empty() {
            "test_*.py or *_test.py (pytest's defaults)".to_owned()
        } else {
            format!("{} (python_files)", paths.python_files.join(" or "))
        };
        let within = if paths.testpaths.is_empty() {
            String::new()
        } else {
            format!(" under {} (testpaths)", paths.testpaths.join(", "))
        };
        let missed = missed_test_modules(&root.join(cwd_prefix), &here);
        let fix = if missed.is_empty() {
            format!(
                "name the test files or directories in the command (--tests \"{tests} \
                 path/to/tests\"), or set python_files in the project's pytest settings"
            )
        } else {
            format!(
                "its patterns miss {}: --tests \"{tests} {}\"",
                missed.join(", "),
                missed.join(" ")
            )
        };
        return Some(format!(
            "pytest ran no tests (exit status 5: it collected none, or -k/-m deselected them \
             all): it looks for files named {patterns}{within}; {fix}"
        ));
    }
    if runs(&["unittest"]) {
        return Some(format!(
            "unittest ran no tests (\"NO TESTS RAN\", exit status 5): it found none, or a \
             failing or skipping setUpModule or setUpClass kept every test from running \
             (see the log below). `python -m unittest` discovers test*.py modules in \
             packages (directories with an __init__.py) under the current directory; to \
             name where the tests are: --tests \"python -m unittest discover -s tests -f\" \
             (or the modules: --tests \"python -m unittest -f tests.test_x\"), as fits \
             `{tests}`"
        ));
    }
    None
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

    #[test]
    fn no_tests_collected_names_what_pytest_looked_for_and_the_command_that_works() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/test.py"), "def test_a():\n    pass\n").unwrap();
        let files = vec!["sub/test.py".to_owned(), "sub/calc.py".to_owned()];
        // The current directory as options hold it ("sub") or with its slash.
        let said = nothing_collected("python -m pytest -x -q", dir.path(), &files, "sub").unwrap();
        assert_eq!(
            Some(said.clone()),
            nothing_collected("python -m pytest -x -q", dir.path(), &files, "sub/")
        );
        assert!(
            said.starts_with("pytest ran no tests (exit status 5"),
            "{said}"
        );
        assert!(said.contains("test_*.py or *_test.py"), "{said}");
        assert!(
            said.ends_with("--tests \"python -m pytest -x -q test.py\""),
            "{said}"
        );
        let said = nothing_collected("python3 -m unittest -f", dir.path(), &files, "").unwrap();
        assert!(said.contains("NO TESTS RAN"), "{said}");
        assert_eq!(nothing_collected("make test", dir.path(), &files, ""), None);
    }
}
