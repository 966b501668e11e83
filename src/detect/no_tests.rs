//! What to tell the user when the test command collects no tests (exit status 5), and
//! the command that would.

use std::path::Path;

use super::{PytestPaths, missed_test_modules, under_cwd};

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
