//! The warm pytest worker: it must give every mutant the outcome the plain runner gives
//! (survivors no test reaches become `NoCoverage`), fall back where swapping code cannot
//! be trusted, survive crashing and hanging tests, and leave nothing running.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{
    PYTHON_VERSIONS, TestRepo, mutant_key, pyenv_python, pytest_python, pytest_python_of,
};

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

fn pytest_command() -> String {
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
    let (found, stderr) = agree(&repo, &pytest_command(), &[]);
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

const BRITTLE: &str = r#"import os
import signal


def crash_on_wrong(value, expected):
    if value != expected:
        os.kill(os.getpid(), signal.SIGSEGV)


def exit_on_wrong(value, expected):
    if value != expected:
        os._exit(0)


def kill_worker_on_wrong(value, expected):
    if value != expected:
        parent = os.getppid()
        with open("/proc/%d/cmdline" % parent, "rb") as cmdline:
            if b"chimp_worker_start" in cmdline.read():
                os.kill(parent, signal.SIGKILL)
        assert False


def spin(n):
    while n > 0:
        n -= 1
    return n


def half(x):
    return x // 2


def double(x):
    return x * 2


def triple(x):
    return x * 3

"#;

const BRITTLE_TESTS: &str = r#"import brittle


def test_half_crashes_the_process():
    brittle.crash_on_wrong(brittle.half(8), 4)


def test_double_exits_early():
    brittle.exit_on_wrong(brittle.double(4), 8)


def test_triple_kills_the_worker():
    brittle.kill_worker_on_wrong(brittle.triple(2), 6)


def test_spin():
    assert brittle.spin(3) == 0

"#;

#[test]
#[ignore = "needs the package registry (pytest)"]
fn worker_survives_crashing_exiting_and_hanging_tests_and_its_own_death() {
    let repo = TestRepo::new(&[("brittle.py", BRITTLE), ("test_brittle.py", BRITTLE_TESTS)]);
    let tests = pytest_command();
    let before = repo.snapshot();
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "--no-cache",
        "-j",
        "1",
        "--runner",
        "pytest",
        "--timeout",
        "4",
        "--code",
        "brittle.py",
    ]);
    assert!(
        run.code == 0 || run.code == 2,
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let found = details(&repo);
    // A segfault in the child is a kill, reported by the worker itself.
    assert_eq!(found["brittle.py:31:number:3"].0, "Killed");
    assert_eq!(
        found["brittle.py:31:number:3"].1,
        "the test process was killed by signal 11"
    );
    // A test that ends the process with status 0 leaves no result: a fresh run decides
    // (the plain runner sees pytest exit 0, so the mutant survives there too).
    let exited = &found["brittle.py:35:binary-operator:/"];
    assert!(exited.1.contains("run from scratch"), "{exited:?}");
    // The worker dies under a mutant: that mutant is retried from scratch, and the
    // restarted worker carries on with the next ones.
    let died = &found["brittle.py:16:comparison:=="];
    assert_eq!(died.0, "Killed");
    assert!(died.1.contains("the worker died"), "{died:?}");
    // Its output is kept, and the reason says where.
    let log = died
        .1
        .split_once("(its output: ")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{died:?}"));
    let kept = std::fs::read_to_string(repo.root.join(log)).unwrap();
    assert!(kept.contains("test_triple_kills_the_worker"), "{kept}");
    assert!(run.stderr.contains("died on mutant"), "{}", run.stderr);
    assert_eq!(
        found["brittle.py:25:comparison:>="].2,
        "test_brittle.py::test_spin"
    );
    assert_eq!(found["brittle.py:39:binary-operator:/"].0, "Killed");
    // An endless loop is a timeout, and nothing is left running.
    assert_eq!(found["brittle.py:26:augmented-assign:+="].0, "Timeout");
    assert!(found["brittle.py:27:return-value:None"].1.is_empty());
    let warm: Vec<_> = found
        .values()
        .filter(|(_, reason, _)| !reason.contains("run from scratch"))
        .collect();
    assert!(
        warm.len() > found.len() / 2,
        "most mutants stay in the worker: {found:?}"
    );
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
    repo.assert_checkout_untouched(&before);
}

/// A test that breaks the worker's own code in the child (#27 item 7): the mutant runs
/// from scratch, and its reason names a log that holds the worker's traceback.
#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_worker_failure_keeps_the_log_its_reason_names() {
    let code = "def break_the_worker_on_wrong(value, expected):\n    if value != expected:\n        \
                # The worker's child writes its result with json.dump: it fails there.\n        \
                import json\n\n        json.dump = None\n\n\ndef quarter(x):\n    return x // 4\n";
    let tests = "import quarter\n\n\ndef test_quarter():\n    \
                 quarter.break_the_worker_on_wrong(quarter.quarter(8), 2)\n";
    let repo = TestRepo::new(&[("quarter.py", code), ("test_quarter.py", tests)]);
    let run = repo.chimp(&["--tests", &pytest_command(), "--no-cache", "-j", "1"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let found = details(&repo);
    let broke = &found["quarter.py:10:number:5"];
    // From scratch, the test passes: json.dump is only the worker's.
    assert_eq!(broke.0, "Survived", "{broke:?}");
    let log = broke
        .1
        .strip_prefix("run from scratch: the worker failed; see ")
        .unwrap_or_else(|| panic!("{broke:?}"));
    let kept = std::fs::read_to_string(repo.root.join(log)).unwrap();
    assert!(
        kept.contains("git-chimp worker: error in the child"),
        "{kept}"
    );
    assert!(kept.contains("TypeError"), "{kept}");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_process_a_test_leaves_running_goes_with_the_mutants_child() {
    let code = "def quadruple(x):\n    return x * 4\n";
    let tests = "import subprocess\n\nimport quad\n\n\ndef test_quadruple():\n    \
                 if quad.quadruple(2) != 8:\n        subprocess.Popen([\"sleep\", \"300\"])\n        \
                 assert False\n";
    let repo = TestRepo::new(&[("quad.py", code), ("test_quad.py", tests)]);
    let before = repo.snapshot();
    let run = repo.chimp(&["--tests", &pytest_command(), "--no-cache", "-j", "1"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for (key, (status, reason, killed_by)) in details(&repo) {
        assert_eq!(status, "Killed", "{key}");
        assert_eq!(reason, "", "{key} runs in the worker");
        assert_eq!(killed_by, "test_quad.py::test_quadruple", "{key}");
    }
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
    repo.assert_checkout_untouched(&before);
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_bundled_example_gets_the_same_outcomes_from_the_worker() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop");
    let repo = TestRepo::from_dir(&example);
    // pytest runs the example's unittest tests; the plain runner's outcomes are the truth.
    agree(&repo, &pytest_command(), &["--code", "shop"]);
    // 64 before the arid-node rules took the two `raise ValueError("...")` messages'
    // string and call-argument mutants.
    assert_eq!(repo.report_mutants().len(), 60);
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
    let tests = pytest_command();
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
fn ctrl_c_stops_the_workers_and_their_tests() {
    let functions: String = (0..30)
        .map(|i| format!("def f{i}(x):\n    return x + {i}\n\n\n"))
        .collect();
    let tests: String = (0..30)
        .map(|i| {
            format!(
                "def test_f{i}():\n    time.sleep(0.3)\n    assert slow.f{i}(1) == {}\n\n\n",
                i + 1
            )
        })
        .collect();
    let repo = TestRepo::new(&[
        ("slow.py", &functions),
        (
            "test_slow.py",
            &format!("import time\n\nimport slow\n\n\n{tests}"),
        ),
    ]);
    let before = repo.snapshot();
    let pytest = pytest_command();
    let mut command = repo.chimp_in("", &["--tests", &pytest, "--no-cache", "-j", "2"]);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().unwrap();
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    // Wait until both sandboxes' workers are running mutants, then press Ctrl-C.
    let console = repo
        .root
        .join(".git/chimp/sandboxes/chimp-1.scratch/warm-console.log");
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let text = std::fs::read_to_string(&console).unwrap_or_default();
        if text.contains("git-chimp: mutant") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let run = crate::util::finish(child);
    assert_eq!(run.code, 130, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("interrupted:"), "{}", run.stdout);
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
    repo.assert_checkout_untouched(&before);
    let statuses = repo.statuses();
    assert!(statuses.values().any(|s| s == "Killed"), "{statuses:?}");
    assert!(statuses.values().any(|s| s == "Pending"), "{statuses:?}");
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

/// Mutant key -> status reason, for the mutants of `path` whose reason contains `text`.
fn reasons_containing<'a>(
    found: &'a BTreeMap<String, (String, String, String)>,
    path: &str,
    text: &str,
) -> Vec<(&'a str, &'a str)> {
    found
        .iter()
        .filter(|(key, (_, reason, _))| key.starts_with(path) && reason.contains(text))
        .map(|(key, (_, reason, _))| (key.as_str(), reason.as_str()))
        .collect()
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn import_time_code_gets_the_outcomes_of_fresh_runs_from_module_reexecution() {
    let repo = TestRepo::from_fixture("importtime");
    // The worker on every mutant; the plain runner (a fresh run per mutant, most of the
    // time) on a quarter, compared there: the other quarters are compared on the other
    // Pythons (`agreement_on`).
    let shares = Shares {
        plain: Some(IMPORT_TIME_SHARES[0]),
        worker: None,
    };
    let (found, stderr) = agree_on_share(&repo, &pytest_command(), &["--code", "tables"], shares);
    // The machine's python3 (3.11 here), without coverage.py: sys.settrace before 3.12.
    let monitoring = std::process::Command::new(pytest_python())
        .args(["-c", "import sys; print(hasattr(sys, 'monitoring'))"])
        .output()
        .unwrap();
    let tracer = if String::from_utf8_lossy(&monitoring.stdout).trim() == "True" {
        "sys.monitoring"
    } else {
        "settrace"
    };
    assert!(stderr.contains(&format!("s ({tracer})\n")), "{stderr}");
    let in_worker = |key: &str| {
        let (status, reason, killed_by) = found
            .get(key)
            .unwrap_or_else(|| panic!("no mutant {key}: {:?}", found.keys()));
        assert_eq!(status, "Killed", "{key}: {:?}", found[key]);
        assert!(reason.is_empty(), "{key} must run in the worker: {reason}");
        assert!(!killed_by.is_empty(), "{key}");
    };
    // A rule table filled by a helper at import.
    in_worker("tables/rules.py:10:string:\"\"");
    // A constant re-exported by `from .core import *` and imported from the package.
    in_worker("tables/core.py:3:number:11");
    // A module-level lru_cache function that ran at import, a dataclass default, an
    // enum value, a decorator factory's wrapper, a partial table.
    in_worker("tables/cached.py:11:number:11");
    in_worker("tables/models.py:7:number:1");
    in_worker("tables/models.py:16:number:2");
    in_worker("tables/wrapped.py:11:statement-delete:pass");
    in_worker("tables/wrapped.py:30:number:3");
    // The package's own __init__.
    in_worker("tables/__init__.py:5:string:\"\"");
    // Re-executing plugins.py registers its classes twice and raises; re-executing
    // plain.py makes a new Plain that the tests' instance is not one of: both modules
    // keep fresh runs, and say why.
    let plugins = reasons_containing(&found, "tables/plugins.py:", "re-executing");
    assert!(!plugins.is_empty(), "{found:?}");
    for (key, reason) in &plugins {
        assert!(
            reason.contains("run from scratch")
                && reason.contains(
                    "tables/plugins.py unmutated, importing tables/plugins.py raises ValueError"
                ),
            "{key}: {reason}"
        );
    }
    let plain = &found["tables/plain.py:2:string:\"\""];
    assert_eq!(plain.0, "Killed", "{plain:?}");
    assert!(
        plain
            .1
            .contains("tables/plain.py unmutated changes the tests' outcome")
            && plain.1.contains("test_plain fails"),
        "{plain:?}"
    );
    // A constant of a module whose class another module instantiates at import
    // (defaults.py, re-executed after it).
    in_worker("tables/shapes.py:1:number:5");
    // A helper another module under mutation calls at import (derived.py, re-executed
    // after core.py), and a method of a class the tests instantiate while they are
    // collected.
    in_worker("tables/core.py:7:binary-operator:/");
    in_worker("tables/shapes.py:9:binary-operator:/");
    // Without `self.side = side` the test module's own import fails: a fresh run cannot
    // collect the tests.
    let side = &found["tables/shapes.py:6:statement-delete:pass"];
    assert_eq!(
        (side.0.as_str(), side.1.as_str()),
        (
            "Killed",
            "with the mutant, importing tests/test_tables.py raises AttributeError: \
             'Square' object has no attribute 'side'"
        )
    );
    // A function conftest.py calls at import: conftest is not re-executed, so a fresh
    // run decides.
    let conftest = &found["tables/helpers.py:2:return-value:None"];
    assert!(
        conftest.1.contains("run from scratch") && conftest.1.contains("tests/conftest.py"),
        "{conftest:?}"
    );
    // Survivors of a re-executed module are confirmed by a fresh run.
    let label = &found["tables/models.py:9:string:\"\""];
    assert_eq!(label.0, "Survived", "{label:?}");
    assert!(label.1.contains("confirmed by a fresh run"), "{label:?}");
    assert!(reexecuted_count(&stderr) > 0, "{stderr}");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn no_reexec_runs_import_time_mutants_from_scratch() {
    let repo = TestRepo::from_fixture("importtime");
    let tests = pytest_command();
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "--no-cache",
        "--no-reexec",
        "--code",
        "tables/core.py",
        "--code",
        "tables/rules.py",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let found = details(&repo);
    for key in [
        "tables/rules.py:10:string:\"\"",
        "tables/core.py:3:number:11",
    ] {
        let (status, reason, _) = &found[key];
        assert_eq!(status, "Killed", "{key}");
        assert!(reason.contains("--no-reexec"), "{key}: {reason}");
    }
    assert!(run.stderr.contains("(0 by re-executing"), "{}", run.stderr);
}

/// The worker package's own tests (`src/execution/worker/tests`) on Python `version`.
fn worker_package_tests_pass_on(version: &str) {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(pytest_python_of(version))
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "src/execution/worker/tests",
        ])
        .current_dir(manifest)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "Python {version}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

// One test per Python (of `PYTHON_VERSIONS`), so that they share the suite's threads.
#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_9() {
    worker_package_tests_pass_on("3.9");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_11() {
    worker_package_tests_pass_on("3.11");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_12() {
    worker_package_tests_pass_on("3.12");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_13() {
    worker_package_tests_pass_on("3.13");
}

#[test]
fn the_worker_package_is_tested_on_every_python() {
    let source = include_str!("mod.rs");
    for version in PYTHON_VERSIONS {
        let name = format!(
            "fn the_worker_packages_own_tests_pass_on_python_{}()",
            version.replace('.', "_")
        );
        assert!(source.contains(&name), "no `{name}` for Python {version}");
    }
}

/// The import-time fixture's mutants in quarters: the default Python compares the
/// first (`import_time_code_gets_...`), and 3.9, 3.12 and 3.13 one each, so each mutant
/// is compared with a fresh run on one Python.
const IMPORT_TIME_SHARES: [&str; 4] = ["1/4", "2/4", "3/4", "4/4"];

/// The worker on Python `version` against the plain runner on the same Python, on
/// `import_time` (a share of [`IMPORT_TIME_SHARES`]) of the import-time fixture's mutants
/// and `calc` of CALC's. The plain runner (a fresh run per mutant) is most of these
/// tests' time: the three versions besides the default take a share each, so every
/// mutant is compared on one of them; CALC's are all compared on the default Python too
/// (`worker_agrees_...`).
fn agreement_on(version: &str, import_time: &str, calc: &str) {
    let tests = pytest_command_of(&pytest_python_of(version));
    let repo = TestRepo::from_fixture("importtime");
    let (found, stderr) = agree_on_share(
        &repo,
        &tests,
        &["--code", "tables"],
        Shares::both(import_time),
    );
    assert!(
        found
            .values()
            .any(|(status, reason, _)| status == "Killed" && reason.is_empty()),
        "{found:?}"
    );
    assert!(reexecuted_count(&stderr) > 0, "{stderr}");
    // The venv has coverage.py: before 3.12 its C tracer traces the tests.
    let tracer = if version == "3.9" {
        "coverage.py"
    } else {
        "sys.monitoring"
    };
    assert!(stderr.contains(&format!("s ({tracer})\n")), "{stderr}");
    // late.py meets the other Pythons in the worker package's own tests (test_warm.py).
    let repo = TestRepo::new(&[
        ("calc.py", CALC),
        ("late.py", LATE),
        ("tests/test_calc.py", CALC_TESTS),
    ]);
    agree_on_share(&repo, &tests, &["--exclude", "late.py"], Shares::both(calc));
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_agrees_with_the_plain_runner_on_python_3_9() {
    agreement_on("3.9", IMPORT_TIME_SHARES[1], "1/3");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_agrees_with_the_plain_runner_on_python_3_12() {
    agreement_on("3.12", IMPORT_TIME_SHARES[2], "2/3");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_agrees_with_the_plain_runner_on_python_3_13() {
    agreement_on("3.13", IMPORT_TIME_SHARES[3], "3/3");
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
        &pytest_command(),
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

const LOOPS: &str = r#"def countdown(n):
    while n > 0:
        n -= 1
    return n


def total(n):
    result = 0
    i = 0
    while i < n:
        result += i
        i += 1
    return result


TOTAL = total(4)


def double(x):
    return x * 2
"#;

const LOOPS_TESTS: &str = r#"import time

import loops


def test_countdown():
    assert loops.countdown(3) == 0


def test_total():
    assert loops.TOTAL == 6


def test_slow_double():
    time.sleep(0.5)
    assert loops.double(2) == 4
"#;

/// #26: an infinite loop in a function and one at import cost about ten times the tests
/// (or the import) that meet them plus a second, not the suite's timeout; a slow test
/// keeps its own, longer allowance.
#[test]
#[ignore = "needs the package registry (pytest)"]
fn an_infinite_loop_times_out_after_its_own_tests_time_and_a_slow_test_is_not_cut_short() {
    let repo = TestRepo::new(&[("loops.py", LOOPS), ("tests/test_loops.py", LOOPS_TESTS)]);
    let run = repo.chimp(&[
        "--tests",
        &pytest_command(),
        "--no-cache",
        "-j",
        "2",
        "--operators",
        "augmented-assign,binary-operator",
    ]);
    assert!(
        run.code == 2 || run.code == 0,
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let found = details(&repo);
    let from_scratch: f64 = run
        .stderr
        .split("in the pytest worker, ")
        .nth(1)
        .and_then(|rest| rest.split('s').next())
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or_else(|| panic!("no from-scratch timeout in {}", run.stderr));
    for key in [
        // In a function: swapped, test_countdown loops.
        "loops.py:3:augmented-assign:+=",
        // At import: the module is re-executed and its import loops.
        "loops.py:12:augmented-assign:-=",
    ] {
        let (status, reason, _) = &found[key];
        assert_eq!(status, "Timeout", "{key}: {found:?}");
        let seconds: f64 = reason
            .strip_prefix("killed after ")
            .and_then(|rest| rest.split('s').next())
            .and_then(|seconds| seconds.parse().ok())
            .unwrap_or_else(|| panic!("{key}: {reason}"));
        // Ten times a test of a few milliseconds plus a second: far below the
        // from-scratch timeout (three times the whole suite plus 5 s).
        assert!(
            (1.0..3.0).contains(&seconds) && seconds < from_scratch / 2.0,
            "{key}: {reason} (from scratch {from_scratch}s)"
        );
    }
    // Only the slow test reaches double: it is killed there, not cut short.
    assert_eq!(
        found["loops.py:20:binary-operator:/"].0, "Killed",
        "{found:?}"
    );
    assert_eq!(
        found["loops.py:20:binary-operator:/"].2,
        "tests/test_loops.py::test_slow_double"
    );
}

/// A unittest project in a `discover` layout, with what unittest does that pytest does
/// not (#27 item 3): module and class fixtures, `load_tests` leaving a failing class
/// out, sub-tests, skips and expected failures.
const GEOMETRY: &str = r#"SIDES = {"triangle": 3, "square": 4}


def sides(name):
    return SIDES[name]


def area(width, height):
    if width < 0 or height < 0:
        raise ValueError("negative")
    return width * height


def describe(width, height):
    kind = "square" if width == height else "rectangle"
    return "%s of %d" % (kind, area(width, height))


def ratio(width, height):
    return width / height


def perimeter(width, height):
    total = 0
    for side in (width, height, width, height):
        total += side
    return total
"#;

const GEOMETRY_TESTS: &str = r#"import unittest

from geometry import shapes

CALLS = []


def setUpModule():
    CALLS.append(shapes.sides("square"))


class AreaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.unit = shapes.area(1, 1)

    def test_unit(self):
        self.assertEqual(self.unit, 1)

    def test_areas(self):
        for width, height, expected in [(2, 3, 6), (0, 5, 0)]:
            with self.subTest(width=width, height=height):
                self.assertEqual(shapes.area(width, height), expected)

    def test_negative(self):
        with self.assertRaises(ValueError):
            shapes.area(-1, 2)

    def test_module_fixture(self):
        self.assertEqual(CALLS, [4])


class DescribeTest(unittest.TestCase):
    def test_square(self):
        self.assertTrue(shapes.describe(2, 2).startswith("square"))

    @unittest.skip("ratios are not specified yet")
    def test_ratio(self):
        self.assertEqual(shapes.ratio(1, 2), 0.5)

    @unittest.expectedFailure
    def test_perimeter_is_not_an_area(self):
        self.assertEqual(shapes.perimeter(1, 2), shapes.area(1, 2))
"#;

const GEOMETRY_MORE: &str = r#"import unittest

from geometry import shapes


class SidesTest(unittest.TestCase):
    def test_triangle(self):
        self.assertEqual(shapes.sides("triangle"), 3)


class LeftOutTest(unittest.TestCase):
    def test_left_out(self):
        self.fail("load_tests leaves this class out")


def load_tests(loader, tests, pattern):
    return loader.loadTestsFromTestCase(SidesTest)
"#;

/// The unittest worker against the plain runner, mutant by mutant, on every Python.
#[test]
fn the_unittest_worker_agrees_with_the_plain_runner_on_every_python() {
    let repo = TestRepo::new(&[
        ("geometry/__init__.py", ""),
        ("geometry/shapes.py", GEOMETRY),
        ("tests/__init__.py", ""),
        ("tests/test_shapes.py", GEOMETRY_TESTS),
        ("tests/test_more.py", GEOMETRY_MORE),
    ]);
    for version in PYTHON_VERSIONS {
        let python = pyenv_python(version);
        let tests = format!("{} -m unittest discover -s tests -f", python.display());
        let (found, stderr) = agree(&repo, &tests, &["--code", "geometry"]);
        assert!(
            stderr.contains("ran in the unittest worker"),
            "Python {version}: {stderr}"
        );
        // Function bodies are swapped in the worker, killed by the test that fails.
        let killed_in_worker = found
            .values()
            .filter(|(status, reason, by)| {
                status == "Killed" && reason.is_empty() && !by.is_empty()
            })
            .count();
        assert!(killed_in_worker >= 10, "Python {version}: {found:?}");
        // An expected failure that passes under the mutant kills, as in a fresh run.
        let unexpected = &found["geometry/shapes.py:26:augmented-assign:="];
        assert_eq!(
            unexpected,
            &(
                "Killed".to_owned(),
                String::new(),
                "test_shapes.DescribeTest.test_perimeter_is_not_an_area".to_owned()
            ),
            "Python {version}"
        );
        // Module-level code is re-executed in the worker: SIDES is read by a test and by
        // setUpModule.
        assert_eq!(
            found["geometry/shapes.py:1:number:4"].0, "Killed",
            "Python {version}: {found:?}"
        );
        assert_eq!(
            found["geometry/shapes.py:1:number:5"].0, "Killed",
            "Python {version}: {found:?}"
        );
        assert!(
            stderr.contains(" by re-executing their module)")
                && !stderr.contains("(0 by re-executing their module)"),
            "Python {version}: {stderr}"
        );
    }
}

/// The worker package's type hints, checked by mypy as `src/execution/worker/mypy.ini`
/// says: for Python 3.9, the oldest the worker runs in. So mypy runs in Python 3.9,
/// where pip picks the newest mypy that still checks for 3.9 and the newest pytest that
/// still runs there (later ones are written in 3.10's syntax).
#[test]
#[ignore = "needs the package registry (mypy, pytest)"]
fn the_worker_package_type_checks_under_mypy() {
    let python = crate::util::shared_venv_of(
        &pyenv_python("3.9"),
        "worker-mypy-venv",
        &["mypy", "pytest"],
    );
    let worker = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/execution/worker");
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("worker-mypy-cache");
    let mut command = std::process::Command::new(&python);
    command
        .args([
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "git_chimp_worker",
        ])
        .arg("--cache-dir")
        .arg(&cache)
        .current_dir(&worker);
    let run = crate::util::run(command);
    assert_eq!(
        run.code, 0,
        "mypy found problems:\n{}\n{}",
        run.stdout, run.stderr
    );
}
