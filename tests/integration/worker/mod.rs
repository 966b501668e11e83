//! The warm pytest worker: it must give every mutant the outcome the plain runner gives
//! (survivors no test reaches become `NoCoverage`), fall back where swapping code cannot
//! be trusted, survive crashing and hanging tests, and leave nothing running.
//!
//! Here: the shared fixtures and the comparison with the plain runner ([`agree`]), and
//! the agreement on small projects. By theme: [`faults`] (crashing, hanging and
//! looping tests, the worker's own failures, Ctrl-C), [`reexecution`] (import-time
//! code), [`pythons`] (every supported Python, the package's own tests and type hints)
//! and [`unittest`] (the unittest worker).

mod collection;
mod faults;
mod pythons;
mod reexecution;
mod unittest;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{TestRepo, mutant_key, pytest_python};

const CALC: &str = r#"import functools


def traced(f):
    @functools.wraps(f)
    def wrapper(*args):
        return f(*args)
    return wrapper


def _squares(n):
    return {i: i * i for i in range(n)}


SQUARES = _squares(4)
LIMIT = 10


class Counter:
    step = 2

    def bump(self, x):
        return x + self.step


@traced
def add(a, b):
    return a + b


def twice(x):
    def once(y):
        return y * 2
    return once(once(x))


def clamp(x):
    if x > 1000:
        return 1000
    return x


_NAMES = {}


def names():
    if not _NAMES:
        _NAMES.update(one=1, two=2)
    return _NAMES


OPS = {"inc": lambda x: x + 1, "dbl": lambda x: x * 2}
"#;

const CALC_TESTS: &str = r#"import os

import calc


def test_add():
    assert calc.add(2, 3) == 5


def test_bump():
    assert calc.Counter().bump(1) == 3


def test_twice():
    assert calc.twice(1) == 4


def test_squares():
    assert calc.SQUARES[3] == 9


def test_limit():
    assert calc.LIMIT == 10


def test_clamp():
    assert calc.clamp(5) == 5


def test_names_one():
    assert calc.names()["one"] == 1


def test_names_two():
    # The first test filled the cache: in the baseline, only it ran names()'s body.
    assert calc.names()["two"] == 2


def test_ops():
    assert calc.OPS["inc"](3) == 4
    assert calc.OPS["dbl"](3) == 6


def test_late_greet():
    # late.py is imported here, not while the tests are collected.
    import late

    assert late.greet("bo") == "hi bo"


def test_late_read_by_runpy():
    import runpy

    here = os.path.dirname(os.path.abspath(__file__))
    space = runpy.run_path(os.path.join(here, "..", "late.py"))
    assert space["greet"]("") == "hi"


def test_zz_changes_global_state(tmp_path):
    # Leaves the module patched and files written: no other mutant may see it.
    assert calc.clamp(1) == 1
    calc.LIMIT = 0
    calc.add = lambda a, b: 0
    calc.Counter.step = 100
    (tmp_path / "state").write_text("dirty")
    with open("left-behind.txt", "a") as out:
        out.write("dirty\n")
    print("OUTPUT-OF-A-TEST")
"#;

/// A module nothing imports while the tests are collected: its mutants go into the
/// file while their tests run in the worker (runpy reads the file itself).
const LATE: &str = r#"GREETING = "hi"


def greet(name):
    if not name:
        return GREETING
    return GREETING + " " + name
"#;

fn worker_command() -> String {
    pytest_command_of(&pytest_python())
}

fn pytest_command_of(python: &std::path::Path) -> String {
    format!("{} -m pytest -q -p no:cacheprovider", python.display())
}

/// Mutant key -> (status, statusReason, killedBy) from the last report.
fn details(repo: &TestRepo) -> BTreeMap<String, (String, String, String)> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    repo.report_mutants()
        .iter()
        .map(|(path, mutant)| {
            let detail = (
                text(&mutant["status"]),
                text(&mutant["statusReason"]),
                text(&mutant["killedBy"][0]),
            );
            (mutant_key(path, mutant), detail)
        })
        .collect()
}

/// Mutant id (with its key, for messages) -> status: ids are unique where keys may repeat.
fn statuses_by_id(repo: &TestRepo) -> BTreeMap<String, String> {
    repo.report_mutants()
        .iter()
        .map(|(path, mutant)| {
            let id = format!(
                "{} ({})",
                mutant["id"].as_str().unwrap(),
                mutant_key(path, mutant)
            );
            (id, mutant["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// Run the plain runner and the worker on `repo` with `tests`; assert they agree on
/// every mutant except survivors the worker finds no test reaching. Returns the worker
/// run's details and stderr.
fn agree(
    repo: &TestRepo,
    tests: &str,
    extra: &[&str],
) -> (BTreeMap<String, (String, String, String)>, String) {
    agree_on_share(repo, tests, extra, Shares::ALL)
}

/// Which `--shard` share of the mutants each runner of [`agree_on_share`] tests (`None`:
/// all of them).
#[derive(Clone, Copy)]
struct Shares<'a> {
    plain: Option<&'a str>,
    worker: Option<&'a str>,
}

impl<'a> Shares<'a> {
    const ALL: Shares<'static> = Shares {
        plain: None,
        worker: None,
    };

    /// Both runners on `share`.
    fn both(share: &'a str) -> Self {
        Shares {
            plain: Some(share),
            worker: Some(share),
        }
    }
}

/// [`agree`] on `shares` of the mutants: each mutant the plain runner tests is compared
/// (the worker's share must hold the plain runner's).
fn agree_on_share(
    repo: &TestRepo,
    tests: &str,
    extra: &[&str],
    shares: Shares,
) -> (BTreeMap<String, (String, String, String)>, String) {
    let before = repo.snapshot();
    let mut args = vec!["--tests", tests, "--no-cache", "-j", "2", "--runner"];
    let plain_args: Vec<&str> = args
        .iter()
        .copied()
        .chain(["command"])
        .chain(extra.iter().copied())
        .chain(
            shares
                .plain
                .map(|share| ["--shard", share])
                .into_iter()
                .flatten(),
        )
        .collect();
    let plain = repo.chimp(&plain_args);
    assert!(
        plain.code == 0 || plain.code == 2,
        "{}\n{}",
        plain.stdout,
        plain.stderr
    );
    let plain_statuses = statuses_by_id(repo);
    args.push(if tests.contains("-m unittest") {
        "unittest"
    } else {
        "pytest"
    });
    args.extend(extra);
    if let Some(share) = shares.worker {
        args.extend(["--shard", share]);
    }
    let warm = repo.chimp(&args);
    let warm_details = details(repo);
    let warm_statuses = statuses_by_id(repo);
    if shares.plain == shares.worker {
        assert_eq!(plain_statuses.len(), warm_statuses.len());
    }
    if shares.plain.is_none() && shares.worker.is_none() {
        assert_eq!(warm.code, plain.code, "{}\n{}", warm.stdout, warm.stderr);
    } else {
        assert!(
            warm.code == 0 || warm.code == 2,
            "{}\n{}",
            warm.stdout,
            warm.stderr
        );
    }
    // Killed and Timeout are the same detection: the worker runs the test that fails
    // first (a nearby mutant's killer, the fastest), where the whole command in file
    // order may hang on an earlier test. Such differences are said, not failed.
    let detected = |status: &str| status == "Killed" || status == "Timeout";
    for (key, plain_status) in &plain_statuses {
        let warm_status = warm_statuses
            .get(key)
            .unwrap_or_else(|| panic!("{key}: not in the worker's run"));
        if warm_status != plain_status && detected(warm_status) && detected(plain_status) {
            eprintln!("{key}: plain {plain_status}, worker {warm_status} (both detections)");
            continue;
        }
        assert!(
            warm_status == plain_status
                || (plain_status == "Survived" && warm_status == "NoCoverage"),
            "{key}: plain {plain_status}, worker {warm_status}\n{}",
            warm.stderr
        );
    }
    assert!(
        warm.stderr.contains("ran in the pytest worker")
            || warm.stderr.contains("ran in the unittest worker"),
        "{}",
        warm.stderr
    );
    repo.assert_checkout_untouched(&before);
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
    (warm_details, warm.stderr)
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn worker_agrees_with_the_plain_runner_and_falls_back_where_it_must() {
    let repo = TestRepo::new(&[
        ("calc.py", CALC),
        ("late.py", LATE),
        ("tests/test_calc.py", CALC_TESTS),
    ]);
    let (found, stderr) = agree(&repo, &worker_command(), &[]);
    let warm = |key: &str, killer: &str| {
        let (status, reason, killed_by) = &found[key];
        assert_eq!(status, "Killed", "{key}: {:?}", found[key]);
        assert!(reason.is_empty(), "{key} must run in the worker: {reason}");
        assert_eq!(killed_by, &format!("tests/test_calc.py::{killer}"), "{key}");
    };
    // A decorated function, a method, a nested function: swapped in the worker.
    warm("calc.py:28:binary-operator:-", "test_add");
    warm("calc.py:23:binary-operator:-", "test_bump");
    warm("calc.py:33:binary-operator:/", "test_twice");
    // A module-level constant, a class attribute, a function that ran at import time to
    // build a table, a decorator's wrapper made at import: a swap would call them
    // survivors; the worker re-executes the module with the mutant in.
    warm("calc.py:16:number:11", "test_limit");
    warm("calc.py:20:number:3", "test_bump");
    // A mutant that makes the module raise while it is imported is killed: the tests
    // cannot even be collected.
    let raises = &found["calc.py:12:binary-operator:/"];
    assert_eq!(raises.0, "Killed");
    assert_eq!(
        raises.1,
        "with the mutant, importing calc.py raises ZeroDivisionError: division by zero"
    );
    warm("calc.py:7:return-value:None", "test_add");
    // Tests reach clamp's condition, but no test takes its branch.
    assert_eq!(found["calc.py:38:comparison:>="].0, "Survived");
    assert_eq!(found["calc.py:39:return-value:None"].0, "NoCoverage");
    // A cache one test fills and another reads: the second test must still see the mutant.
    assert_eq!(found["calc.py:48:number:3"].0, "Killed");
    // Two lambdas on one module-level line: each mutant swaps into the right one.
    warm("calc.py:52:binary-operator:-", "test_ops");
    warm("calc.py:52:binary-operator:/", "test_ops");
    // A module first imported by a test, module level included, in the worker.
    warm("late.py:7:binary-operator:-", "test_late_greet");
    // Both late tests run line 1; either may run first (the faster).
    let (status, reason, _) = &found["late.py:1:string:\"\""];
    assert!(
        status == "Killed" && reason.is_empty(),
        "{status}: {reason}"
    );
    for (key, (status, reason, _)) in &found {
        if key.starts_with("late.py") {
            assert!(
                !reason.starts_with("run from scratch"),
                "{key}: {status} {reason}"
            );
        }
    }
    assert!(stderr.contains("pytest worker: 12 tests"), "{stderr}");
    // Test output stays out of the terminal; survivors keep their log.
    assert!(!stderr.contains("OUTPUT-OF-A-TEST"), "{stderr}");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_bundled_example_gets_the_same_outcomes_from_the_worker() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop");
    let repo = TestRepo::from_dir(&example);
    // pytest runs the example's unittest tests; the plain runner's outcomes are the truth.
    let (found, _) = agree(&repo, &worker_command(), &["--code", "shop"]);
    // 64 before the arid-node rules took the two `raise ValueError("...")` messages'
    // string and call-argument mutants.
    assert_eq!(repo.report_mutants().len(), 60);
    // The probe of each swapped survivor (#29): the tests call bulk_discount(1), (50) and
    // (500); the boundary the mutant moves is next to the function's own 100.
    let boundary = found
        .iter()
        .find(|(key, _)| key.as_str() == "shop/pricing.py:20:comparison:>")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(boundary.1.0, "Survived", "{boundary:?}");
    assert_eq!(
        boundary.1.1,
        "differing input: from shop.pricing import bulk_discount\nassert bulk_discount(100) == 15",
        "{boundary:?}"
    );
    // Every survivor the worker swapped says what its probe found.
    for (key, (status, reason, _)) in &found {
        if status == "Survived" {
            assert!(
                reason.starts_with("differing input: ")
                    || reason.starts_with("no differing input found ("),
                "{key}: {reason}"
            );
        }
    }
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_src_layout_project_gets_the_same_outcomes_from_the_worker() {
    let repo = TestRepo::new(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=64\", \"wheel\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"geo\"\nversion = \"0.1\"\n\n[tool.setuptools.packages.find]\nwhere = [\"src\"]\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
        ),
        ("src/geo/__init__.py", "from geo.shapes import area\n"),
        (
            "src/geo/shapes.py",
            "UNIT = 1\n\n\ndef area(w, h):\n    return w * h * UNIT\n\n\ndef is_square(w, h):\n    return w == h\n\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n",
        ),
        (
            "tests/test_shapes.py",
            "from geo import area\nfrom geo.shapes import is_square, perimeter\n\n\ndef test_area():\n    assert area(3, 2) == 6\n\n\ndef test_square():\n    assert is_square(2, 2)\n",
        ),
        (".gitignore", "*.egg-info/\n"),
    ]);
    let python = repo.editable_venv(&["pytest"]);
    let pytest = python.parent().unwrap().join("pytest");
    let tests = format!("{} -q -p no:cacheprovider", pytest.display());
    let (found, _) = agree(&repo, &tests, &[]);
    // `from geo.shapes import is_square`: the copy the test imported sees the mutant.
    assert_eq!(found["src/geo/shapes.py:9:comparison:!="].0, "Killed");
    assert_eq!(found["src/geo/shapes.py:9:comparison:!="].1, "");
    assert_eq!(
        found["src/geo/shapes.py:13:binary-operator:-"].0,
        "NoCoverage"
    );
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_suite_the_worker_cannot_trace_runs_from_scratch_with_the_same_outcomes() {
    // A conftest that takes over tracing (as coverage tools do) makes the worker's line
    // data worthless: it must notice and step aside.
    let repo = TestRepo::new(&[
        ("calc.py", CALC),
        ("late.py", LATE),
        ("tests/test_calc.py", CALC_TESTS),
        ("tests/conftest.py", "import sys\n\nsys.settrace(None)\n"),
    ]);
    let tests = worker_command();
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "--no-cache",
        "-j",
        "1",
        "--operators",
        "binary-operator",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("pytest worker cannot run"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("0 mutants ran in the pytest worker"),
        "{}",
        run.stderr
    );
    assert!(
        details(&repo)
            .values()
            .all(|(status, _, _)| status == "Killed")
    );
}

#[test]
fn runner_pytest_refuses_a_command_it_cannot_run_in_the_worker() {
    let repo = TestRepo::new(&[("calc.py", CALC)]);
    let run = repo.chimp(&["--tests", "python3 -m unittest", "--runner", "pytest"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--runner pytest"), "{}", run.stderr);
    assert!(run.stderr.contains("--runner command"), "{}", run.stderr);
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn with_a_pytest_command_the_worker_is_the_baseline() {
    let repo = TestRepo::new(&[
        ("calc.py", CALC),
        ("late.py", LATE),
        ("tests/test_calc.py", CALC_TESTS),
    ]);
    let run = repo.chimp(&[
        "--tests",
        &worker_command(),
        "--no-cache",
        "--operators",
        "number",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("baseline in the pytest worker")
            && run
                .stderr
                .contains("pytest worker: 12 tests, traced baseline")
            && run
                .stderr
                .contains("s untraced (the whole test command from scratch)")
            && run
                .stderr
                .contains("timeout per mutant: 10 × its tests' untraced time + 1s"),
        "{}",
        run.stderr
    );
    // Neither the test command's own baseline nor the canary ran.
    assert!(
        !run.stderr.contains("git-chimp: baseline: "),
        "{}",
        run.stderr
    );
    assert!(!repo.root.join(".chimp/logs/baseline.log").exists());
}

/// How many mutants the run's summary says the worker put in by re-executing their
/// module ("N mutants ran in the pytest worker (M by re-executing their module)").
fn reexecuted_count(stderr: &str) -> usize {
    let (before, _) = stderr
        .split_once(" by re-executing their module")
        .unwrap_or_else(|| panic!("no worker summary in {stderr}"));
    before
        .rsplit('(')
        .next()
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no count before \"by re-executing\" in {stderr}"))
}

/// The import-time fixture's mutants in quarters: the default Python compares the
/// first (`import_time_code_gets_...`), and 3.9, 3.12 and 3.13 one each, so each mutant
/// is compared with a fresh run on one Python.
const IMPORT_TIME_SHARES: [&str; 4] = ["1/4", "2/4", "3/4", "4/4"];
