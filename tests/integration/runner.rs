//! The runner: timeouts, failing baselines, missing commands, stale bytecode, editable
//! installs, the canary, and Ctrl-C.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::sweep::{UNITTEST, gaps};
use crate::util::{TestRepo, finish, run};

const HANG: &str = "def count_down(n):\n    steps = 0\n    while n > 0:\n        n -= 1\n        steps += 1\n    return steps\n";
const HANG_TESTS: &str = "import unittest\nfrom hang import count_down\n\n\nclass T(unittest.TestCase):\n    def test_it(self):\n        self.assertEqual(count_down(3), 3)\n";

#[test]
fn a_mutant_that_loops_forever_is_a_timeout_and_leaves_no_process() {
    let repo = TestRepo::new(&[("hang.py", HANG), ("test_hang.py", HANG_TESTS)]);
    let before = repo.snapshot();
    let run = repo.chimp(&[
        "--tests",
        UNITTEST,
        "--operators",
        "augmented-assign",
        "--timeout",
        "3",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let statuses = repo.statuses();
    assert_eq!(statuses["hang.py:4:augmented-assign:+="], "Timeout");
    assert_eq!(statuses["hang.py:4:augmented-assign:="], "Timeout");
    assert_eq!(statuses["hang.py:5:augmented-assign:-="], "Killed");
    assert!(run.stdout.contains("2 killed, 2 timeout"), "{}", run.stdout);
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
    repo.assert_checkout_untouched(&before);
    // Each timeout keeps its output (a baseline.log only when the baseline ran from
    // scratch).
    let ids: BTreeSet<String> = repo
        .report_mutants()
        .iter()
        .filter(|(_, mutant)| mutant["status"] == "Timeout")
        .map(|(_, mutant)| format!("{}.log", mutant["id"].as_str().unwrap()))
        .collect();
    let logs: BTreeSet<String> = std::fs::read_dir(repo.root.join(".chimp/logs"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "baseline.log")
        .collect();
    assert_eq!(logs, ids, "two timeout logs");
}

#[test]
fn failing_baseline_stops_with_the_output_tail_and_exit_3() {
    let repo = gaps();
    repo.write("test_calc.py", "import unittest\n\nclass T(unittest.TestCase):\n    def test_no(self):\n        self.assertEqual(1, 2, 'BASELINE-BROKEN')\n");
    repo.commit("break tests");
    let before = repo.snapshot();
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("the tests fail on the unmutated code"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("BASELINE-BROKEN"), "{}", run.stderr);
    assert!(run.stderr.contains("baseline.log"), "{}", run.stderr);
    repo.assert_checkout_untouched(&before);
}

#[test]
fn a_test_command_that_does_not_exist_is_reported_as_such() {
    let repo = gaps();
    let run = repo.chimp(&["--tests", "no-such-test-runner --fast"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the test command was not found: `no-such-test-runner --fast`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_hanging_baseline_stops_at_the_timeout() {
    let repo = gaps();
    let run = repo.chimp(&["--tests", "sleep 30", "--timeout", "1"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("did not finish within --timeout"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
}

#[test]
fn each_test_run_sees_its_mutant_id() {
    let repo = gaps();
    let ids_file = repo.scratch().join("ids.txt");
    let tests = format!(
        "echo \"[$CHIMP_MUTANT]\" >> {}; python3 -m unittest -q",
        ids_file.display()
    );
    let run = repo.chimp(&["--tests", &tests, "--operators", "number", "-j", "1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let ids = std::fs::read_to_string(&ids_file).unwrap_or_default();
    let report = repo.report();
    for mutant in report["files"]["calc.py"]["mutants"].as_array().unwrap() {
        let id = mutant["id"].as_str().unwrap();
        assert!(ids.contains(&format!("[{id}]")), "{id} not in {ids}");
    }
}

#[test]
fn same_size_mutants_are_never_served_stale_bytecode() {
    // `add` is tested, `sub` is not: `a - b` in add is killed, `a + b` in sub survives.
    // Both mutants have the size of the original; bytecode writing is switched back on,
    // and the runs follow each other within the same second.
    let repo = TestRepo::new(&[
        (
            "ops.py",
            "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
        ),
        (
            "test_ops.py",
            "import unittest\nfrom ops import add\n\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n",
        ),
    ]);
    let run = repo.chimp(&[
        "--tests",
        "env -u PYTHONDONTWRITEBYTECODE python3 -m unittest -q",
        "--operators",
        "binary-operator",
        "-j",
        "1",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let statuses = repo.statuses();
    assert_eq!(statuses["ops.py:2:binary-operator:-"], "Killed");
    assert_eq!(statuses["ops.py:6:binary-operator:+"], "Survived");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn tests_that_do_not_import_the_code_fail_the_canary_check() {
    let pytest = format!(
        "{} -m pytest -q -p no:cacheprovider",
        crate::util::pytest_python().display()
    );
    let unittest_test =
        "import unittest\n\n\nclass T(unittest.TestCase):\n    def test_ok(self):\n        pass\n";
    // With pytest the worker's tracer sees no line of the sandbox's files run, so it
    // cannot stand in for the canary: the test command's baseline and the canary run.
    for (tests, test_file, worker_says) in [
        (UNITTEST, unittest_test, None),
        (
            pytest.as_str(),
            "def test_ok():\n    pass\n",
            Some("no line of the files under mutation ran"),
        ),
    ] {
        let repo = TestRepo::new(&[
            ("calc.py", "def f():\n    return 1\n"),
            ("test_nothing.py", test_file),
        ]);
        let run = repo.chimp(&["--tests", tests]);
        assert_eq!(run.code, 5, "{tests}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("do not import the code git-chimp mutates"),
            "{}",
            run.stderr
        );
        if let Some(message) = worker_says {
            assert!(run.stderr.contains(message), "{}", run.stderr);
        }
    }
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn src_layout_editable_install_in_a_venv_gives_kills_not_false_survivors() {
    let repo = TestRepo::new(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=64\", \"wheel\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"mypkg\"\nversion = \"0.1\"\n\n[tool.setuptools.packages.find]\nwhere = [\"src\"]\n",
        ),
        ("src/mypkg/__init__.py", ""),
        ("src/mypkg/core.py", "def triple(x):\n    return x * 3\n"),
        (
            "tests/test_core.py",
            "import unittest\nfrom mypkg.core import triple\n\n\nclass T(unittest.TestCase):\n    def test_triple(self):\n        self.assertEqual(triple(2), 6)\n",
        ),
        (".gitignore", "*.egg-info/\n"),
    ]);
    let python = repo.editable_venv(&[]);
    // The venv imports mypkg from the user's checkout...
    let origin = std::process::Command::new(&python)
        .args(["-c", "import mypkg.core; print(mypkg.core.__file__)"])
        .current_dir(repo.scratch())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&origin.stdout).contains("project/src/mypkg/core.py"));
    let before = repo.snapshot();
    // ... yet every mutant must be tested against the sandbox's copy.
    let tests = format!("{} -m unittest discover -s tests -q", python.display());
    let run = repo.chimp(&["--tests", &tests]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let statuses = repo.statuses();
    assert_eq!(statuses["src/mypkg/core.py:2:binary-operator:/"], "Killed");
    assert_eq!(statuses["src/mypkg/core.py:2:number:4"], "Killed");
    assert_eq!(statuses["src/mypkg/core.py:2:return-value:None"], "Killed");
    repo.assert_checkout_untouched(&before);
}

#[test]
fn sigint_in_the_middle_leaves_no_process_no_change_and_no_worktree() {
    let mut files = vec![(
        "test_slow.py".to_owned(),
        "import time\nimport unittest\nimport slow\n\n\nclass T(unittest.TestCase):\n    def test_it(self):\n        time.sleep(0.4)\n        self.assertEqual(slow.value(), 3)\n".to_owned(),
    )];
    files.push((
        "slow.py".to_owned(),
        format!(
            "def value():\n    return 3\n\n{}NAMES = [{}]\n",
            (0..40).map(|i| format!("N{i} = {i}\n")).collect::<String>(),
            (0..40).map(|i| format!("N{i}, ")).collect::<String>()
        ),
    ));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let repo = TestRepo::new(&borrowed);
    repo.write(
        "slow.py",
        &format!("{}\nEXTRA = 1\nNAMES.append(EXTRA)\n", files[1].1),
    );
    let before = repo.snapshot();
    let mut command = repo.chimp_in("", &["--tests", UNITTEST, "-j", "2"]);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().unwrap();
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    // Wait until mutants are running in the sandboxes, then press Ctrl-C.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
        if repo.root.join(".chimp/logs/.worker-1.log").exists()
            && start.elapsed() > Duration::from_secs(4)
        {
            break;
        }
    }
    kill(pid, Signal::SIGINT).unwrap();
    let run = finish(child);
    assert_eq!(run.code, 130, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("interrupted:"), "{}", run.stdout);
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
    repo.assert_checkout_untouched(&before);
    assert_eq!(
        repo.git(&["worktree", "list"]).lines().count(),
        1,
        "{}",
        repo.git(&["worktree", "list"])
    );
    repo.git(&["worktree", "prune"]);
    assert!(
        !repo.root.join(".git/worktrees").exists()
            || std::fs::read_dir(repo.root.join(".git/worktrees"))
                .unwrap()
                .count()
                == 0
    );
    // What finished is reported; the rest is pending.
    let report = repo.report();
    let statuses: Vec<&str> = report["files"]["slow.py"]["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.iter().any(|s| *s == "Killed" || *s == "Survived"),
        "{statuses:?}"
    );
    assert!(statuses.contains(&"Pending"), "{statuses:?}");
    let _ = run;
}

#[test]
fn a_run_from_a_subdirectory_runs_the_tests_in_the_matching_sandbox_directory() {
    let repo = TestRepo::new(&[
        ("pkg/calc.py", crate::sweep::GAPS_CALC),
        ("pkg/test_calc.py", crate::sweep::GAPS_TESTS),
    ]);
    let run = run(repo.chimp_in("pkg", &["--tests", UNITTEST, "--operators", "comparison"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let statuses = repo.statuses();
    assert_eq!(statuses["pkg/calc.py:6:comparison:>"], "Survived");
    assert!(repo.root.join(".chimp/report.json").is_file());
}

#[test]
fn a_run_killed_outright_is_recovered_by_the_next_run() {
    let repo = gaps();
    let before = repo.snapshot();
    let mut command = repo.chimp_in(
        "",
        &["--tests", "sleep 0.3; python3 -m unittest -q", "-j", "2"],
    );
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
        if repo.root.join(".chimp/logs/.worker-0.log").exists()
            && start.elapsed() > Duration::from_secs(2)
        {
            break;
        }
    }
    // SIGKILL: no handler runs, a mutant is left in a sandbox.
    child.kill().unwrap();
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let run = repo.chimp(&["--tests", UNITTEST, "-j", "2"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.statuses(), crate::sweep::expected_gaps());
    repo.assert_checkout_untouched(&before);
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn pytest_script_from_a_venv_with_an_editable_src_layout_gives_exact_outcomes() {
    // The test command is the venv's `pytest` script: the interpreter that imports the
    // user's checkout is only known from its `#!` line.
    let repo = TestRepo::new(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=64\", \"wheel\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"geo\"\nversion = \"0.1\"\n\n[tool.setuptools.packages.find]\nwhere = [\"src\"]\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
        ),
        ("src/geo/__init__.py", ""),
        (
            "src/geo/shapes.py",
            "def area(w, h):\n    return w * h\n\n\ndef is_square(w, h):\n    return w == h\n",
        ),
        (
            "tests/conftest.py",
            "import pytest\n\n\n@pytest.fixture\ndef side():\n    return 3\n",
        ),
        (
            "tests/test_shapes.py",
            "from geo.shapes import area, is_square\n\n\ndef test_area(side):\n    assert area(side, 2) == 6\n\n\ndef test_square():\n    assert is_square(2, 2)\n",
        ),
        (".gitignore", "*.egg-info/\n"),
    ]);
    let python = repo.editable_venv(&["pytest"]);
    let venv = python.parent().unwrap().parent().unwrap().to_path_buf();
    let before = repo.snapshot();
    let tests = format!(
        "{} -x -q -p no:cacheprovider",
        venv.join("bin/pytest").display()
    );
    let run = repo.chimp(&["--tests", &tests]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let statuses = repo.statuses();
    assert_eq!(statuses["src/geo/shapes.py:2:binary-operator:/"], "Killed");
    assert_eq!(statuses["src/geo/shapes.py:2:return-value:None"], "Killed");
    assert_eq!(statuses["src/geo/shapes.py:6:comparison:!="], "Killed");
    assert_eq!(statuses["src/geo/shapes.py:6:return-value:None"], "Killed");
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert!(!statuses.keys().any(|key| key.contains("conftest")));
    repo.assert_checkout_untouched(&before);
}
