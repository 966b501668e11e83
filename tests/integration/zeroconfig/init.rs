//! `git chimp init`, which appends a `[tool.chimp]` section (or creates
//! `pyproject.toml`) and can install the hook, and `git chimp config get`, which prints
//! one value for scripts.

use super::{PYTEST_TESTS, pytest_venv};
use crate::sweep::{GAPS_CALC, GAPS_TESTS};
use crate::util::{TestRepo, run};

const PYPROJECT: &str = "# The project's own comment.\n[project]\nname = \"calc\"  # trailing comment\nversion = \"1.0\"\n\n[tool.black]\nline-length = 99\n";

#[test]
fn init_appends_a_chimp_section_keeping_the_file_byte_for_byte_and_never_twice() {
    let repo = TestRepo::new(&[
        ("calc/__init__.py", GAPS_CALC),
        ("test_calc.py", GAPS_TESTS),
        ("setup.py", "from setuptools import setup\nsetup()\n"),
        ("pyproject.toml", PYPROJECT),
    ]);
    let mut command = repo.chimp_in("", &["init"]);
    command.env_remove("VIRTUAL_ENV");
    let run = run(command);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.root.join("pyproject.toml")).unwrap();
    assert!(text.starts_with(PYPROJECT), "{text}");
    let added = &text[PYPROJECT.len()..];
    assert_eq!(
        added,
        "\n[tool.chimp]\ntests = \"python3 -m unittest -f\"\ncode = [\"calc\"]\n\
         # exclude = [\"src/pkg/generated/*\"]  # tests, conftest.py, setup.py are never mutated\n"
    );
    assert!(
        run.stdout.contains("tests = \"python3 -m unittest -f\""),
        "{}",
        run.stdout
    );
    // The section works: a run with no arguments uses it.
    let config = repo.chimp(&["config"]);
    assert!(
        config.stdout.contains("(pyproject.toml:10)"),
        "{}",
        config.stdout
    );
    // Twice: refused, the file unchanged.
    let again = repo.chimp(&["init"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again.stderr.contains("already has a [tool.chimp] section"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join("pyproject.toml")).unwrap(),
        text
    );
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn init_creates_pyproject_in_a_src_layout_and_installs_the_hook() {
    let repo = TestRepo::new(&[
        ("src/calc/__init__.py", GAPS_CALC),
        ("tests/test_calc.py", PYTEST_TESTS),
    ]);
    let mut command = repo.chimp_in("", &["init", "--hook"]);
    command.env("VIRTUAL_ENV", pytest_venv());
    let run = run(command);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.root.join("pyproject.toml")).unwrap();
    assert!(text.starts_with("[tool.chimp]\ntests = \""), "{text}");
    assert!(
        text.contains(" -m pytest -x -q\"\ncode = [\"src\"]\n"),
        "{text}"
    );
    assert!(
        run.stdout.contains("installed the git-chimp pre-push hook"),
        "{}",
        run.stdout
    );
    assert!(repo.root.join(".git/hooks/pre-push").is_file());
}

#[test]
fn config_get_prints_one_value_for_scripts_with_an_exit_status() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC)]);
    let get = |key: &str| repo.chimp(&["config", "--get", key]);
    let unset = get("tests");
    assert_eq!(
        (unset.code, unset.stdout.as_str()),
        (1, ""),
        "{}",
        unset.stderr
    );
    repo.git(&["config", "chimp.tests", "python3 -m unittest -q"]);
    let tests = get("tests");
    assert_eq!(
        (tests.code, tests.stdout.as_str()),
        (0, "python3 -m unittest -q\n")
    );
    repo.git(&["config", "chimp.jobs", "3"]);
    assert_eq!(get("jobs").stdout, "3\n");
    let unknown = get("nope");
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("config --get nope: not a setting"),
        "{}",
        unknown.stderr
    );
    // A detected command is a value too.
    let detected = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    let run = detected.chimp(&["config", "--get", "tests"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "python3 -m unittest -f\n")
    );
}
