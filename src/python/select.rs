//! Which Python files are tests or tooling rather than code to mutate, by their names
//! and directories alone.

/// Whether a repository-relative path is one git-chimp never mutates by default: a test
/// file (see [`is_test_file`]) or project tooling (`setup.py`, `noxfile.py`,
/// `fabfile.py`, a Sphinx `conf.py` under `doc/` or `docs/`).
#[must_use]
pub(crate) fn is_default_excluded(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let (name, dirs) = parts.split_last().unwrap_or((&"", &[]));
    is_test_file(path)
        || matches!(*name, "setup.py" | "noxfile.py" | "fabfile.py")
        || (*name == "conf.py"
            && dirs
                .last()
                .is_some_and(|dir| *dir == "docs" || *dir == "doc"))
}

/// Whether a repository-relative path is a test file: `test_*.py`, `*_test.py`,
/// `conftest.py`, `test.py` or `tests.py` (unittest's discovery finds them), or any `.py`
/// file under a `test/` or `tests/` directory.
#[must_use]
pub(crate) fn is_test_file(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let (name, dirs) = parts.split_last().unwrap_or((&"", &[]));
    dirs.iter().any(|dir| *dir == "tests" || *dir == "test")
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || matches!(*name, "conftest.py" | "test.py" | "tests.py")
}

/// Whether a file's name marks configuration that steers the tests.
#[must_use]
pub(crate) fn is_test_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "conftest.py" | "pytest.ini" | "pyproject.toml" | "setup.cfg" | "tox.ini"
    )
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_files_and_tooling_are_recognised_by_name_and_directory() {
        for path in [
            "tests/x.py",
            "a/test/b.py",
            "test_a.py",
            "pkg/a_test.py",
            "conftest.py",
            "tests.py",
            "pkg/test.py",
            "setup.py",
            "docs/conf.py",
        ] {
            assert!(is_default_excluded(path), "{path}");
        }
        for path in ["pkg/testing.py", "latest.py", "contest.py", "pkg/conf.py"] {
            assert!(!is_default_excluded(path), "{path}");
        }
    }
}
