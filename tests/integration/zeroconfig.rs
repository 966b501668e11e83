//! Zero-config (#18): with no test command configured, git-chimp picks pytest or unittest
//! from what the project holds and the interpreters that can run it, and says so.

use crate::sweep::{GAPS_CALC, GAPS_TESTS};
use crate::util::{TestRepo, pytest_python, run};

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

/// A setuptools-scm style package: `_version.py` and a compiled catalogue are generated,
/// ignored by git, and needed at import.
const SCM_INIT: &str = "import os\n\nfrom ._version import version\n\n\
with open(os.path.join(os.path.dirname(__file__), 'locale', 'words.mo')) as catalogue:\n    \
WORDS = catalogue.read().split()\n";
const SCM_CORE: &str = "def double(x):\n    return x * 2\n";
const SCM_TESTS: &str = "import pkg\nfrom pkg.core import double\n\n\n\
def test_double():\n    assert double(3) == 6\n\n\n\
def test_version_and_words():\n    assert pkg.version == '1.2.3'\n    assert pkg.WORDS == ['hallo']\n";

#[test]
#[ignore = "needs the package registry (pytest)"]
fn ignored_generated_files_the_package_imports_are_copied_into_the_sandboxes() {
    let repo = TestRepo::new(&[
        (
            ".gitignore",
            "src/pkg/_version.py\n*.mo\n__pycache__/\nnotes.txt\n",
        ),
        ("src/pkg/__init__.py", SCM_INIT),
        ("src/pkg/core.py", SCM_CORE),
        ("src/pkg/locale/words.po", "msgid \"hallo\"\n"),
        ("tests/test_pkg.py", SCM_TESTS),
    ]);
    repo.write("src/pkg/_version.py", "version = '1.2.3'\n");
    repo.write("src/pkg/locale/words.mo", "hallo\n");
    repo.write("notes.txt", "not copied\n");
    let before = repo.snapshot();
    let tests = format!(
        "PYTHONPATH=src {} -m pytest -x -q -p no:cacheprovider",
        pytest_python().display()
    );
    let ran = repo.chimp(&["--tests", &tests]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr.contains(
            "copying 2 ignored files the tests may need into each sandbox (never mutated): \
             src/pkg/_version.py, src/pkg/locale/words.mo"
        ),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("pytest worker: 2 tests"),
        "{}",
        ran.stderr
    );
    let statuses = repo.statuses();
    assert_eq!(
        statuses["src/pkg/core.py:2:binary-operator:/"], "Killed",
        "{statuses:?}"
    );
    assert!(
        statuses
            .keys()
            .all(|key| !key.starts_with("src/pkg/_version.py")),
        "the generated file is never mutated: {statuses:?}"
    );
    repo.assert_checkout_untouched(&before);
    // Their content is part of the cache key, as the test files' is.
    repo.write("src/pkg/_version.py", "version = '1.2.3'  # regenerated\n");
    let again = repo.chimp(&["--tests", &tests]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("0 from cache"), "{}", again.stdout);
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

/// `git chimp doctor` (#27 item 9): what a run would do, and the fix for each problem, on
/// a project that is ready, one with no test command, one whose tests need a file the
/// tested commit lacks (they pass in the checkout), and one whose tests fail anywhere.
#[test]
fn doctor_says_what_a_run_would_do_and_the_fix_for_each_problem() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    let before = repo.snapshot();
    let ready = repo.chimp(&["doctor"]);
    assert_eq!(ready.code, 0, "{}\n{}", ready.stdout, ready.stderr);
    let lines: Vec<&str> = ready.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "tests      python3 -m unittest -f (detected: unittest test modules, no sign of pytest)"
    );
    assert!(lines[1].starts_with("mutants    "), "{}", ready.stdout);
    assert!(
        lines[2].starts_with(
            "runner     the unittest worker: tests loaded once, a forked child per mutant"
        ),
        "{}",
        ready.stdout
    );
    assert!(
        lines[3].starts_with("baseline   passed in a sandbox"),
        "{}",
        ready.stdout
    );
    assert!(
        lines[4].starts_with("ready      `git chimp` would test "),
        "{}",
        ready.stdout
    );
    // Nothing was mutated, and the checkout is as it was.
    assert!(!repo.root.join(".chimp/report.json").exists());
    repo.assert_checkout_untouched(&before);

    let bare = TestRepo::new(&[("calc.py", GAPS_CALC)]);
    let none = bare.chimp(&["doctor"]);
    assert_eq!(none.code, 1, "{}\n{}", none.stdout, none.stderr);
    assert!(
        none.stdout
            .contains("fix        git config chimp.tests \"python -m pytest -x -q\""),
        "{}",
        none.stdout
    );

    // The tests read a file that is in the checkout but not in the tested commit.
    let needs = TestRepo::new(&[
        ("calc.py", GAPS_CALC),
        (
            "test_calc.py",
            &format!(
                "import pathlib\n\nLIMIT = int(pathlib.Path('limit.txt').read_text())\n{GAPS_TESTS}"
            ),
        ),
    ]);
    needs.write("limit.txt", "3\n");
    let missing = needs.chimp(&["doctor", "--rev", "HEAD", "--tests", "python3 -m unittest"]);
    assert_eq!(missing.code, 3, "{}\n{}", missing.stdout, missing.stderr);
    assert!(
        missing
            .stdout
            .contains("problem    the tests fail on the unmutated code"),
        "{}",
        missing.stdout
    );
    assert!(
        missing
            .stdout
            .contains("checkout   the same command passes in your checkout"),
        "{}",
        missing.stdout
    );

    let broken = TestRepo::new(&[
        ("calc.py", GAPS_CALC),
        (
            "test_calc.py",
            &GAPS_TESTS.replace("add(2, 3), 5", "add(2, 3), 6"),
        ),
    ]);
    assert_ne!(
        GAPS_TESTS,
        GAPS_TESTS.replace("add(2, 3), 5", "add(2, 3), 6")
    );
    let fails = broken.chimp(&["doctor"]);
    assert_eq!(fails.code, 3, "{}\n{}", fails.stdout, fails.stderr);
    assert!(
        fails
            .stdout
            .contains("checkout   the command fails in your checkout too"),
        "{}",
        fails.stdout
    );
}
