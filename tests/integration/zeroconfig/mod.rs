//! Zero-config (#18): with no test command configured, git-chimp picks pytest or unittest
//! from what the project holds and the interpreters that can run it, and says so.
//! `git chimp init` and `config get` are [`init`]'s; what a project needs beyond its
//! commit (ignored generated files) and `git chimp doctor` are [`readiness`]'s.

use crate::sweep::{GAPS_CALC, GAPS_TESTS};
use crate::util::{TestRepo, pytest_python, run};

mod init;
mod readiness;

const PYTEST_TESTS: &str = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n";

/// `git chimp config`'s `tests` line, with `VIRTUAL_ENV` set to `venv` (or unset).
fn detected(repo: &TestRepo, venv: Option<&std::path::Path>) -> String {
    let mut command = repo.chimp_in("", &["config"]);
    command.env_remove("VIRTUAL_ENV");
    if let Some(venv) = venv {
        command.env("VIRTUAL_ENV", venv);
    }
    let shown = run(command);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    shown
        .stdout
        .lines()
        .find(|line| line.starts_with("tests "))
        .unwrap()
        .split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join(" ")
}

fn pytest_venv() -> std::path::PathBuf {
    pytest_python()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_pytest_project_gets_the_virtual_environments_pytest() {
    let venv = pytest_venv();
    let python = venv.join("bin/python");
    let cases = [
        (
            vec![
                ("calc.py", GAPS_CALC),
                (
                    "pyproject.toml",
                    "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
                ),
                ("check.py", PYTEST_TESTS),
            ],
            "[tool.pytest.ini_options] in pyproject.toml",
        ),
        (
            vec![("calc.py", GAPS_CALC), ("tests/test_calc.py", PYTEST_TESTS)],
            "test modules pytest collects (tests/test_calc.py, ...)",
        ),
        (
            vec![
                ("calc.py", GAPS_CALC),
                ("setup.cfg", "[tool:pytest]\ntestpaths = t\n"),
                ("t/check.py", PYTEST_TESTS),
            ],
            "a [tool:pytest] section in setup.cfg",
        ),
    ];
    for (files, why) in cases {
        let repo = TestRepo::new(&files);
        let line = detected(&repo, Some(&venv));
        assert_eq!(
            line,
            format!(
                "{} -m pytest -x -q (detected: {why}; the active virtual environment's python imports pytest)",
                python.display()
            )
        );
    }
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_bare_tests_layout_runs_with_no_arguments_and_says_what_it_runs() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("tests/test_calc.py", PYTEST_TESTS)]);
    let mut command = repo.chimp_in("", &["--no-cache"]);
    command.env("VIRTUAL_ENV", pytest_venv());
    let ran = run(command);
    assert_eq!(ran.code, 2, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(
        ran.stderr
            .matches("no test command configured; running `")
            .count(),
        1,
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("-m pytest -x -q` (test modules pytest collects"),
        "{}",
        ran.stderr
    );
    let statuses = repo.statuses();
    assert_eq!(
        statuses["calc.py:2:binary-operator:-"], "Killed",
        "{statuses:?}"
    );
    assert_eq!(
        statuses["calc.py:6:comparison:>"], "NoCoverage",
        "{statuses:?}"
    );
}

#[test]
fn unittest_only_projects_get_unittest_and_nothing_is_not_guessed() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    assert_eq!(
        detected(&repo, None),
        "python3 -m unittest -f (detected: unittest test modules, no sign of pytest)"
    );
    // One `tests.py` (as jsonpatch has): unittest's discovery finds it, pytest's patterns
    // do not, and the run goes through the unittest worker.
    let flat = TestRepo::new(&[("calc.py", GAPS_CALC), ("tests.py", GAPS_TESTS)]);
    assert_eq!(
        detected(&flat, None),
        "python3 -m unittest -f (detected: unittest tests in tests.py (unittest's discovery \
         finds test*.py), no sign of pytest)"
    );
    let ran = flat.chimp(&[]);
    assert_eq!(ran.code, 2, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(flat.statuses(), crate::sweep::expected_gaps());
    assert!(
        ran.stderr.contains("12 mutants ran in the unittest worker"),
        "{}",
        ran.stderr
    );
    let bare = TestRepo::new(&[("calc.py", GAPS_CALC)]);
    assert!(detected(&bare, None).starts_with("none: a run needs one (default)"));
    let run = bare.chimp(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("none detected"), "{}", run.stderr);
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn pytest_tests_without_an_interpreter_that_has_pytest_are_not_run_with_the_wrong_one() {
    // python3 here has no pytest (checked: else the case proves nothing); no venv active.
    let probe = std::process::Command::new("python3")
        .args(["-c", "import pytest"])
        .output()
        .unwrap();
    if probe.status.success() {
        eprintln!("python3 imports pytest on this machine: the case cannot be made");
        return;
    }
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("tests/test_calc.py", PYTEST_TESTS)]);
    assert!(detected(&repo, None).starts_with("none: a run needs one"));
    assert!(detected(&repo, Some(&pytest_venv())).contains("-m pytest -x -q"));
}

#[test]
fn files_the_test_command_names_are_never_mutated_unless_code_names_them() {
    let repo = TestRepo::new(&[
        ("calc.py", GAPS_CALC),
        ("test.py", PYTEST_TESTS),
        ("checks/more.py", PYTEST_TESTS),
        ("fabfile.py", "def deploy():\n    return 1\n"),
    ]);
    let list = |extra: &[&str]| {
        let args: Vec<&str> = [
            "--tests",
            "python3 -m pytest -q test.py --cov checks/ -k add",
            "list",
        ]
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect();
        let run = repo.chimp(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run
    };
    let run = list(&[]);
    assert!(!run.stdout.contains("test.py"), "{}", run.stdout);
    // A directory argument marks nothing by itself: it may be the code (`--cov pkg`).
    assert!(run.stdout.contains("checks/more.py"), "{}", run.stdout);
    assert!(!run.stdout.contains("fabfile.py"), "{}", run.stdout);
    assert!(run.stdout.contains("calc.py"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("excluded as tests or tooling: fabfile.py, test.py (name"),
        "{}",
        run.stderr
    );
    let run = repo.chimp(&[
        "list",
        "--tests",
        "python3 -m pytest -q test.py",
        "--code",
        "test.py",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("test.py:"), "{}", run.stdout);
}

#[test]
fn the_summary_lists_the_thirty_most_telling_survivors_and_all_with_all() {
    let code: String = (0..12)
        .map(|i| {
            format!("def f{i}(x):\n    if x > {i}:\n        return 'big'\n    return x + {i}\n\n\n")
        })
        .collect();
    let repo = TestRepo::new(&[("many.py", &code)]);
    // Each line with survivors is one finding: its most telling mutant, the others of
    // the line under it (`    + ...`).
    let survivors = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .skip_while(|line| *line != "survived:")
            .skip(1)
            .filter(|line| line.starts_with("  many.py:"))
            .map(str::to_owned)
            .collect()
    };
    let under = |stdout: &str| {
        stdout
            .lines()
            .filter(|line| line.starts_with("    + many.py:"))
            .count()
    };
    let run = repo.chimp(&["--tests", "true", "--no-canary", "--no-cache"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let total = repo.report_mutants().len();
    assert!(total > 40, "{total}");
    // 12 functions of 3 lines with survivors each.
    let places = 36;
    let shown = survivors(&run.stdout);
    assert_eq!(shown.len(), 30, "{}", run.stdout);
    let hidden = total - shown.len() - under(&run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "  ... and {} more lines ({hidden} mutants): pass --all",
            places - 30
        )),
        "{}",
        run.stdout
    );
    // The most telling first: statement deletion and return values before strings.
    assert!(
        shown[0].contains("  statement-delete  ") || shown[0].contains("  return-value  "),
        "{}",
        shown[0]
    );
    let string_at = shown.iter().position(|line| line.contains("  string  "));
    let return_at = shown
        .iter()
        .position(|line| line.contains("  return-value  "));
    assert!(
        string_at.is_none_or(|s| return_at.is_some_and(|r| r < s)),
        "{shown:?}"
    );
    let run = repo.chimp(&["--tests", "true", "--no-canary", "--all"]);
    assert_eq!(survivors(&run.stdout).len(), places, "{}", run.stdout);
    assert_eq!(places + under(&run.stdout), total, "{}", run.stdout);
    assert!(!run.stdout.contains("... and"), "{}", run.stdout);
}

#[test]
fn the_projects_pytest_settings_say_where_more_tests_are() {
    let repo = TestRepo::new(&[
        ("calc.py", GAPS_CALC),
        ("check_calc.py", PYTEST_TESTS),
        ("src/helpers.py", "def helper(x):\n    return x + 1\n"),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\npython_files = [\"check_*.py\"]\ntestpaths = [\"src\", \".\"]\n",
        ),
    ]);
    let run = repo.chimp(&["list", "--tests", "python3 -m pytest"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("calc.py:"), "{}", run.stdout);
    assert!(!run.stdout.contains("check_calc.py"), "{}", run.stdout);
    // testpaths alone marks nothing: pytest collects only python_files there.
    assert!(run.stdout.contains("src/helpers.py:"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("excluded as tests or tooling: check_calc.py (name"),
        "{}",
        run.stderr
    );
    let ini = TestRepo::new(&[
        ("calc.py", GAPS_CALC),
        ("check_calc.py", PYTEST_TESTS),
        (
            "tox.ini",
            "[tox]\nenvlist = py3\n\n[pytest]\npython_files =\n    check_*.py\n",
        ),
    ]);
    let run = ini.chimp(&["list", "--tests", "python3 -m pytest"]);
    assert!(!run.stdout.contains("check_calc.py"), "{}", run.stdout);
}

/// A `test.py` layout (#27): pytest's file patterns miss `test.py`, so the detected
/// command names it and the run tests the code; the command without it collects nothing,
/// which is said as such (exit 3, the command that works), never as failing tests.
#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_test_py_layout_gets_a_command_naming_it_and_collecting_nothing_says_so() {
    let repo = TestRepo::new(&[
        ("calc.py", GAPS_CALC),
        ("test.py", PYTEST_TESTS),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
        ),
    ]);
    let venv = pytest_venv();
    let python = venv.join("bin/python");
    assert_eq!(
        detected(&repo, Some(&venv)),
        format!(
            "{} -m pytest -x -q test.py (detected: [tool.pytest.ini_options] in pyproject.toml; \
             the active virtual environment's python imports pytest; pytest's file patterns \
             (test_*.py and *_test.py) miss test.py, so the command names it)",
            python.display()
        )
    );
    let mut command = repo.chimp_in("", &["--no-cache"]);
    command.env("VIRTUAL_ENV", &venv);
    let ran = run(command);
    assert_eq!(ran.code, 2, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr.contains("excluded as tests or tooling: test.py"),
        "{}",
        ran.stderr
    );
    let statuses = repo.statuses();
    assert_eq!(
        statuses["calc.py:2:binary-operator:-"], "Killed",
        "{statuses:?}"
    );
    assert!(
        !statuses.keys().any(|key| key.starts_with("test.py")),
        "{statuses:?}"
    );

    let bare = format!("{} -m pytest -x -q", python.display());
    let ran = repo.chimp(&["--no-cache", "--tests", &bare]);
    assert_eq!(ran.code, 3, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr.contains(&format!(
            "pytest ran no tests (exit status 5: it collected none, or -k/-m deselected them \
             all): it looks for files named test_*.py or *_test.py (pytest's defaults); its \
             patterns miss test.py: --tests \"{bare} test.py\""
        )),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("the tests fail"), "{}", ran.stderr);
    // The worker says the same, not that no line of the code ran.
    assert!(
        ran.stderr.contains(": no tests were collected"),
        "{}",
        ran.stderr
    );
}
