//! The worker under faults: tests that crash, exit, hang or leave processes running,
//! a test that breaks the worker's own code, Ctrl-C, and infinite loops that must time
//! out after their own tests' time.

use super::{details, worker_command};
use crate::util::TestRepo;

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
    let tests = worker_command();
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
    let run = repo.chimp(&["--tests", &worker_command(), "--no-cache", "-j", "1"]);
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
    let run = repo.chimp(&["--tests", &worker_command(), "--no-cache", "-j", "1"]);
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
    let pytest = worker_command();
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
        &worker_command(),
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
