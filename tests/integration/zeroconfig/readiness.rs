//! Whether a project runs as it is in the sandboxes: ignored generated files its
//! package imports are copied in, and `git chimp doctor` says what a run would do and
//! how to fix what would stop it.

use crate::sweep::{GAPS_CALC, GAPS_TESTS};
use crate::util::{TestRepo, pytest_python};

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
