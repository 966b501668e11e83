//! Reliability (#13): tests that damage their sandbox, and runs that did not test every
//! mutant they selected.

use crate::sweep::{GAPS_CALC, GAPS_TESTS, UNITTEST, expected_gaps, expected_gaps_plain};
use crate::util::TestRepo;

/// The `gaps` project with its code in a package directory, so `rm -rf *` in the
/// sandbox removes the directory the mutated file lives in.
fn gaps_package() -> TestRepo {
    TestRepo::new(&[
        ("calc/__init__.py", GAPS_CALC),
        ("test_calc.py", GAPS_TESTS),
    ])
}

/// `expected_gaps_plain` with the file in the package: these tests' commands are shell
/// lines, which only the plain runner runs.
fn expected_package_gaps() -> std::collections::BTreeMap<String, String> {
    expected_gaps_plain()
        .into_iter()
        .map(|(key, status)| (key.replacen("calc.py", "calc/__init__.py", 1), status))
        .collect()
}

#[test]
fn tests_that_delete_their_sandbox_under_a_mutant_get_it_restored_and_true_outcomes() {
    let repo = gaps_package();
    let before = repo.snapshot();
    let tests = format!(r#"{UNITTEST}; r=$?; [ -n "$CHIMP_MUTANT" ] && rm -rf *; exit $r"#);
    let run = repo.chimp(&["--tests", &tests, "-j", "1", "--no-cache"]);
    // Survivors, not a pass: every mutant was tested, after each run in a restored sandbox.
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.statuses(), expected_package_gaps(), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the tests delete or change files in their working directory"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("delete or change files").count(),
        1,
        "{}",
        run.stderr
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn tests_that_always_delete_their_sandbox_still_get_true_outcomes() {
    let repo = gaps_package();
    let before = repo.snapshot();
    let tests = format!("{UNITTEST}; r=$?; rm -rf *; exit $r");
    let run = repo.chimp(&["--tests", &tests, "-j", "2", "--no-cache"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.statuses(), expected_package_gaps(), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("calc/__init__.py was deleted after the baseline"),
        "{}",
        run.stderr
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn a_sandbox_that_cannot_be_restored_ends_the_run_incomplete_with_status_6() {
    let repo = gaps_package();
    // Under a mutant, the tests also remove the sandbox's link to its repository: it
    // cannot be synced again, and the mutants it did not test must not pass.
    let tests = format!(r#"{UNITTEST}; r=$?; [ -n "$CHIMP_MUTANT" ] && rm -rf * .git; exit $r"#);
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "-j",
        "1",
        "--no-cache",
        "--fail-under",
        "0",
    ]);
    assert_eq!(run.code, 6, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("mutants were not tested"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("the run is incomplete"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("could not be restored"),
        "{}",
        run.stderr
    );
}

const DAEMON_TESTS: &str = r#"import subprocess
import sys
import unittest

from calc import add

DAEMON = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"


class CalcTest(unittest.TestCase):
    def test_add(self):
        # A daemon in a session of its own that ignores SIGTERM, left running.
        subprocess.Popen([sys.executable, "-c", DAEMON, "chimp-test-daemon-MARK"], start_new_session=True)
        self.assertEqual(add(2, 3), 5)
"#;

#[test]
fn a_daemon_a_test_starts_in_its_own_session_does_not_outlive_the_run() {
    // A marker of this run's own: daemons of another run (of older code) are not ours.
    let mark = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let marker = format!("chimp-test-daemon-{mark}");
    let repo = TestRepo::new(&[
        ("calc.py", "def add(a, b):\n    return a + b\n"),
        ("test_calc.py", &DAEMON_TESTS.replace("MARK", &mark)),
    ]);
    let run = repo.chimp(&["--tests", UNITTEST, "--no-cache", "-j", "2"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
    let daemons: Vec<_> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|entry| {
            std::fs::read(entry.path().join("cmdline"))
                .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(&marker))
        })
        .filter(|entry| {
            // Not a zombie of some other test's run still being reaped.
            std::fs::read_to_string(entry.path().join("stat"))
                .is_ok_and(|stat| !stat.contains(") Z "))
        })
        .collect();
    assert!(daemons.is_empty(), "{} daemons left", daemons.len());
}

#[test]
fn every_survivor_patch_applies_whatever_the_line_endings_and_the_path() {
    let lone_cr = "def f(a, b):\r    return a + b\r\r\rLIMIT = 10\r";
    let files = [
        ("cr.py", lone_cr),
        ("crlf.py", "def f(a, b):\r\n    return a + b\r\n"),
        ("no_newline.py", "def f(a, b):\n    return a - b"),
        ("with space.py", "def f(a):\n    return a * 2\n"),
        ("tab\there.py", "def f(a):\n    return a + 1\n"),
        ("new\nline.py", "def f(a):\n    return a + 1\n"),
        ("quote\"back\\slash.py", "def f(a):\n    return a + 1\n"),
        ("caf\u{e9}/m\u{f6}d.py", "def f(a):\n    return a + 1\n"),
    ];
    let repo = TestRepo::new(&files);
    let run = repo.chimp(&["--tests", "true", "--no-canary", "--no-cache", "-j", "2"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let patches: Vec<_> = std::fs::read_dir(repo.root.join(".chimp/survived"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    let mutated: std::collections::BTreeSet<String> = repo
        .report_mutants()
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert_eq!(
        mutated.len(),
        files.len(),
        "every file has mutants: {mutated:?}"
    );
    assert!(patches.len() >= files.len(), "{}", patches.len());
    for patch in &patches {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(&repo.root)
            .args(["apply", "--check"])
            .arg(patch)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}\n{}",
            patch.display(),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(patch).unwrap()
        );
    }
}

#[test]
fn a_file_where_chimp_needs_its_output_directory_is_status_7_with_the_path() {
    let repo = crate::sweep::gaps();
    std::fs::write(repo.root.join(".chimp"), "mine\n").unwrap();
    let before = repo.snapshot();
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 7, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(".chimp (a file is in the way)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".chimp")).unwrap(),
        "mine\n"
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn a_directory_where_a_report_goes_is_found_before_any_mutant_runs() {
    let repo = crate::sweep::gaps();
    std::fs::create_dir_all(repo.root.join(".chimp/report.html")).unwrap();
    let run = repo.chimp(&["--tests", UNITTEST, "--report", "html"]);
    assert_eq!(run.code, 7, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("report.html is a directory"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("baseline"),
        "nothing ran: {}",
        run.stderr
    );
}

#[test]
fn a_repository_where_chimp_cannot_keep_its_sandboxes_is_status_7() {
    let repo = crate::sweep::gaps();
    std::fs::write(repo.root.join(".git/chimp"), "").unwrap();
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 7, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(".git/chimp"), "{}", run.stderr);
}

#[test]
fn an_unwritable_cache_warns_once_and_the_run_goes_on() {
    let repo = crate::sweep::gaps();
    let blocked = repo.root.join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let run = repo.chimp(&["--tests", UNITTEST, "--cache-dir", "blocked/cache"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.statuses(), expected_gaps());
    assert_eq!(
        run.stderr
            .matches("outcomes are not cached this run")
            .count(),
        1,
        "{}",
        run.stderr
    );
    let clear = repo.chimp(&["cache", "clear", "--cache-dir", "blocked"]);
    assert_eq!(clear.code, 7, "{}\n{}", clear.stdout, clear.stderr);
    assert!(clear.stderr.contains("blocked"), "{}", clear.stderr);
}

#[test]
fn a_source_file_with_a_nul_byte_is_skipped_as_python_would_reject_it() {
    let repo = TestRepo::new(&[
        ("nul.py", "x = 1\n# a comment \0 with a NUL\ny = 2\n"),
        ("calc.py", "def f(a):\n    return a + 1\n"),
    ]);
    let run = repo.chimp(&["list"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("skipping nul.py: a NUL byte on line 2, which Python rejects"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("nul.py"), "{}", run.stdout);
    assert!(run.stdout.contains("calc.py"), "{}", run.stdout);
}

#[test]
fn a_log_of_a_test_that_prints_megabytes_keeps_its_tail_only() {
    let repo = TestRepo::new(&[("calc.py", "def f(a):\n    return a + 1\n")]);
    let tests =
        r#"python3 -c 'import sys; [print("line", n) for n in range(400000)]; print("THE-END")'"#;
    let run = repo.chimp(&["--tests", tests, "--no-canary", "--no-cache", "-j", "1"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let logs: Vec<_> = std::fs::read_dir(repo.root.join(".chimp/logs"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
        .collect();
    assert!(logs.len() >= 2, "{logs:?}");
    for log in logs {
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(
            text.len() <= (1 << 20) + 200,
            "{}: {} bytes",
            log.display(),
            text.len()
        );
        assert!(
            text.starts_with("[git-chimp: the first "),
            "{}",
            log.display()
        );
        assert!(text.ends_with("THE-END\n"), "{}", log.display());
    }
}

#[test]
fn git_config_values_are_validated_as_file_values_are_and_errors_name_their_layer() {
    let repo = crate::sweep::gaps();
    for bad in ["2.5", "1e3", "-3", "0"] {
        repo.git(&["config", "chimp.jobs", bad]);
        let run = repo.chimp(&["list"]);
        assert_eq!(run.code, 1, "{bad}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "git config chimp.jobs = \"{bad}\": expected a positive integer"
            )),
            "{bad}: {}",
            run.stderr
        );
    }
    repo.git(&["config", "--unset", "chimp.jobs"]);
    repo.write("pyproject.toml", "[tool.chimp]\ncode = \"../..\"\n");
    let run = repo.chimp(&["list"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("pyproject.toml:2: code "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("not inside the repository"),
        "{}",
        run.stderr
    );
    repo.git(&["config", "chimp.timeout", "-1"]);
    repo.write("pyproject.toml", "[tool.chimp]\n");
    let run = repo.chimp(&["list"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("git config chimp.timeout: timeout -1"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_hanging_baseline_without_timeout_stops_at_the_baseline_timeout() {
    let repo = crate::sweep::gaps();
    repo.git(&["config", "chimp.baseline-timeout", "1.5"]);
    let started = std::time::Instant::now();
    let run = repo.chimp(&["--tests", "sleep 60"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(run.stderr.contains("--baseline-timeout"), "{}", run.stderr);
    assert_eq!(repo.processes_in_sandboxes(), Vec::<String>::new());
}

#[test]
fn a_latin1_source_with_a_coding_declaration_is_mutated_and_its_patches_are_latin1() {
    let repo = TestRepo::new(&[(
        "test_greet.py",
        "import unittest\n\nfrom greet import greet, shout\n\n\nclass T(unittest.TestCase):\n    def test_greet(self):\n        self.assertIsInstance(greet(), str)\n\n    def test_shout(self):\n        self.assertEqual(shout('a'), 'A!')\n",
    )]);
    let latin1: &[u8] = b"# -*- coding: latin-1 -*-\ndef greet():\n    return 'caf\xe9'\n\n\ndef shout(word):\n    return word.upper() + '!'\n";
    std::fs::write(repo.root.join("greet.py"), latin1).unwrap();
    repo.commit("latin-1 module");
    let before = repo.snapshot();
    let run = repo.chimp(&["--tests", UNITTEST, "--no-cache"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("skipping greet.py"), "{}", run.stderr);
    let statuses = repo.statuses();
    assert_eq!(
        statuses["greet.py:7:return-value:None"], "Killed",
        "{statuses:?}"
    );
    assert_eq!(statuses["greet.py:3:string:''"], "Survived", "{statuses:?}");
    let mut applied = 0;
    for entry in std::fs::read_dir(repo.root.join(".chimp/survived"))
        .unwrap()
        .flatten()
    {
        let patch = std::fs::read(entry.path()).unwrap();
        if String::from_utf8_lossy(&patch).contains("greet.py") {
            let has = |bytes: &[u8]| patch.windows(bytes.len()).any(|window| window == bytes);
            if has(b"+    return ''") {
                assert!(
                    has(b"caf\xe9") && !has("caf\u{e9}".as_bytes()),
                    "a latin-1 patch"
                );
            }
            let output = std::process::Command::new("git")
                .arg("-C")
                .arg(&repo.root)
                .args(["apply", "--check"])
                .arg(entry.path())
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            applied += 1;
        }
    }
    assert!(applied > 0);
    repo.assert_checkout_untouched(&before);
}

#[test]
fn far_more_jobs_than_cpus_are_capped_and_timeouts_under_load_are_confirmed_alone() {
    let repo = crate::sweep::gaps();
    // A test run that is slow (past the timeout) whenever another test run is going on
    // at the same time, and fast alone: as a CPU-bound suite is under heavy load.
    let busy = repo.scratch().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    let load = repo.scratch().join("load.py");
    std::fs::write(
        &load,
        "import os, sys, time\n\
         d = sys.argv[1]\n\
         open(os.path.join(d, str(os.getpid())), 'w').close()\n\
         time.sleep(0.3)\n\
         def alive(pid):\n    try:\n        return open('/proc/%s/stat' % pid).read().rsplit(')', 1)[1].split()[0] != 'Z'\n    except OSError:\n        return False\n\
         busy = any(alive(pid) for pid in os.listdir(d) if pid != str(os.getpid()))\n\
         try:\n    time.sleep(4 if busy else 0)\n\
         finally:\n    os.unlink(os.path.join(d, str(os.getpid())))\n",
    )
    .unwrap();
    let tests = format!(
        "python3 {} {} && {UNITTEST}",
        load.display(),
        busy.display()
    );
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "--timeout",
        "2",
        "-j",
        "1000",
        "--no-cache",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("--jobs 1000 is far above the"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.statuses(), expected_gaps_plain(), "{}", run.stderr);
}

#[test]
fn a_damaged_cache_entry_is_a_miss_counted_by_stats_and_replaced() {
    let repo = crate::sweep::gaps();
    assert_eq!(repo.chimp(&["--tests", UNITTEST]).code, 2);
    let mut entries = Vec::new();
    // Entries fan out by two hex digits (`durations.json` and `maps/` are not).
    for fan in std::fs::read_dir(repo.root.join(".chimp/cache"))
        .unwrap()
        .flatten()
        .filter(|fan| fan.path().is_dir() && fan.file_name().len() == 2)
    {
        entries.extend(
            std::fs::read_dir(fan.path())
                .unwrap()
                .flatten()
                .map(|e| e.path()),
        );
    }
    assert_eq!(entries.len(), expected_gaps().len());
    // One flipped bit in one entry, another entry copied over a third's file.
    let mut bytes = std::fs::read(&entries[0]).unwrap();
    bytes[8] ^= 0x10;
    std::fs::write(&entries[0], bytes).unwrap();
    std::fs::copy(&entries[1], &entries[2]).unwrap();
    let stats = repo.chimp(&["cache", "stats"]);
    assert!(
        stats
            .stdout
            .contains("damaged (ignored, replaced when met): 2"),
        "{}",
        stats.stdout
    );
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.statuses(), expected_gaps());
    assert!(
        run.stdout
            .contains(&format!("{} from cache, 2 run", expected_gaps().len() - 2)),
        "{}",
        run.stdout
    );
    let stats = repo.chimp(&["cache", "stats"]);
    assert!(!stats.stdout.contains("damaged"), "{}", stats.stdout);
}

#[test]
fn what_a_killed_older_run_left_is_removed_by_the_next_run() {
    let repo = crate::sweep::gaps();
    assert_eq!(repo.chimp(&["--tests", UNITTEST]).code, 2);
    let refs = repo.git(&["for-each-ref"]);
    // An older version's temporary branch, its lock, and a registration's lock file.
    repo.git(&["branch", "git-chimp-sandbox-0-4242"]);
    repo.git(&["branch", "git-chimp-sandbox-notes"]);
    std::fs::write(
        repo.root
            .join(".git/refs/heads/git-chimp-sandbox-1-77.lock"),
        "",
    )
    .unwrap();
    std::fs::write(repo.root.join(".git/worktrees/chimp-0/HEAD.lock"), "").unwrap();
    // A run that uses its sandboxes (a run served wholly from the cache makes none).
    let run = repo.chimp(&["--tests", UNITTEST, "--no-cache"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.statuses(), expected_gaps());
    let now = repo.git(&["for-each-ref"]);
    assert!(!now.contains("git-chimp-sandbox-0-4242"), "{now}");
    assert!(
        now.contains("git-chimp-sandbox-notes"),
        "a user's branch stays: {now}"
    );
    assert!(
        !repo
            .root
            .join(".git/refs/heads/git-chimp-sandbox-1-77.lock")
            .exists()
    );
    assert!(!repo.root.join(".git/worktrees/chimp-0/HEAD.lock").exists());
    repo.git(&["branch", "-D", "git-chimp-sandbox-notes"]);
    assert_eq!(repo.git(&["for-each-ref"]), refs);
}

#[test]
fn a_patch_counts_lines_as_git_does_in_a_file_that_mixes_line_endings() {
    let mixed: String = (0..8).map(|n| format!("x{n} = {n}\n")).collect::<String>()
        + "y = 1\rdef f(a):\n    return a + 1\n";
    let repo = TestRepo::new(&[("mixed.py", &mixed)]);
    let run = repo.chimp(&[
        "--tests",
        "true",
        "--no-canary",
        "--no-cache",
        "--operators",
        "binary-operator",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let patches: Vec<String> = std::fs::read_dir(repo.root.join(".chimp/survived"))
        .unwrap()
        .flatten()
        .map(|entry| std::fs::read_to_string(entry.path()).unwrap())
        .collect();
    let patch = patches
        .iter()
        .find(|patch| patch.contains("+    return a - 1\n"))
        .expect("the - patch");
    // git's line 10 (the lone \r does not end a line), three lines of context before it.
    assert!(patch.contains("@@ -7,4 +7,4 @@\n"), "{patch}");
}

#[test]
fn a_git_object_that_cannot_be_read_is_a_git_error_naming_the_path_not_an_internal_one() {
    let repo = crate::sweep::gaps();
    let blob = repo.git(&["rev-parse", "HEAD:calc.py"]);
    let blob = blob.trim();
    std::fs::remove_file(
        repo.root
            .join(format!(".git/objects/{}/{}", &blob[..2], &blob[2..])),
    )
    .unwrap();
    let run = repo.chimp(&["list", "--rev", "HEAD"]);
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("reading calc.py at commit "),
        "{}",
        run.stderr
    );
}
