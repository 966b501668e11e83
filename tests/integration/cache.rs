//! The outcome cache: counted test-command invocations prove what runs and what does not.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

// Every command here is a shell line that counts its runs: the plain runner runs it.
use crate::sweep::{GAPS_CALC, GAPS_TESTS, expected_gaps_plain as expected_gaps, gaps};
use crate::util::{TestRepo, finish};

/// A test command that logs `$CHIMP_MUTANT` (empty for the baseline and canary) per run.
fn counting(repo: &TestRepo) -> String {
    format!(
        "echo \"[$CHIMP_MUTANT]\" >> {}; python3 -m unittest -q",
        repo.scratch().join("runs.log").display()
    )
}

/// The `gaps` project after one full run with a [`counting`] test command (whose log is
/// then emptied): every outcome is in the cache.
fn warmed() -> (TestRepo, String) {
    let repo = gaps();
    let tests = counting(&repo);
    assert_eq!(repo.chimp(&["--tests", &tests]).code, 2);
    clear_runs(&repo);
    (repo, tests)
}

/// The runs logged so far: one entry per invocation, `""` for baseline/canary.
fn runs(repo: &TestRepo) -> Vec<String> {
    let text = std::fs::read_to_string(repo.scratch().join("runs.log")).unwrap_or_default();
    text.lines()
        .map(|line| line.trim_matches(['[', ']']).to_owned())
        .collect()
}

fn clear_runs(repo: &TestRepo) {
    let _ = std::fs::remove_file(repo.scratch().join("runs.log"));
}

/// Ids of the report's mutants whose start line is in `lines`.
fn ids_on_lines(repo: &TestRepo, lines: std::ops::RangeInclusive<u64>) -> BTreeSet<String> {
    repo.report()["files"]["calc.py"]["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| lines.contains(&m["location"]["start"]["line"].as_u64().unwrap()))
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_second_identical_run_invokes_nothing() {
    let repo = gaps();
    let tests = counting(&repo);
    let first = repo.chimp(&["--tests", &tests]);
    assert_eq!(first.code, 2, "{}", first.stderr);
    assert_eq!(runs(&repo).len(), 14, "baseline, canary and 12 mutants");
    assert!(
        first.stdout.contains("0 from cache, 12 run"),
        "{}",
        first.stdout
    );
    clear_runs(&repo);
    let before = repo.snapshot();
    let second = repo.chimp(&["--tests", &tests]);
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert_eq!(runs(&repo), Vec::<String>::new());
    assert!(
        second.stdout.contains("12 from cache, 0 run"),
        "{}",
        second.stdout
    );
    assert_eq!(repo.statuses(), expected_gaps());
    assert_eq!(
        std::fs::read_dir(repo.root.join(".chimp/survived"))
            .unwrap()
            .count(),
        6
    );
    assert!(
        !second.stderr.contains("baseline"),
        "no baseline: {}",
        second.stderr
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn editing_one_function_reruns_exactly_its_mutants() {
    let (repo, tests) = warmed();
    repo.write(
        "calc.py",
        &GAPS_CALC.replace("return \"non-negative\"", "return \"zero or more\""),
    );
    let run = repo.chimp(&["--tests", &tests]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let ran: BTreeSet<String> = runs(&repo)
        .into_iter()
        .filter(|id| !id.is_empty())
        .collect();
    assert_eq!(
        ran,
        ids_on_lines(&repo, 9..=13),
        "only describe's mutants ran"
    );
    assert_eq!(ran.len(), 7);
    assert!(run.stdout.contains("5 from cache, 7 run"), "{}", run.stdout);
}

#[test]
fn inserting_lines_at_the_top_reruns_nothing() {
    let (repo, tests) = warmed();
    repo.write(
        "calc.py",
        &format!("# Arithmetic helpers.\nimport os\n\n{GAPS_CALC}"),
    );
    let run = repo.chimp(&["--tests", &tests]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(runs(&repo), Vec::<String>::new());
    assert!(
        run.stdout.contains("12 from cache, 0 run"),
        "{}",
        run.stdout
    );
    assert_eq!(
        repo.statuses()["calc.py:9:comparison:>"],
        "Survived",
        "positions moved with the code"
    );
}

#[test]
fn editing_a_test_file_reruns_everything() {
    let (repo, tests) = warmed();
    repo.write(
        "test_calc.py",
        &format!("{GAPS_TESTS}\n# a comment is a change too\n"),
    );
    let run = repo.chimp(&["--tests", &tests]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(runs(&repo).len(), 14);
    assert!(
        run.stdout.contains("0 from cache, 12 run"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_damaged_entry_is_rerun_and_replaced() {
    let (repo, tests) = warmed();
    let cache = repo.root.join(".chimp/cache");
    let fan = std::fs::read_dir(&cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let entry = std::fs::read_dir(&fan)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(&entry).unwrap();
    std::fs::write(&entry, &bytes[..bytes.len() / 2]).unwrap();
    let stats = repo.chimp(&["cache", "stats"]);
    assert!(
        stats
            .stdout
            .contains("damaged (ignored, replaced when met): 1"),
        "{}",
        stats.stdout
    );
    let run = repo.chimp(&["--tests", &tests]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(runs(&repo).iter().filter(|id| !id.is_empty()).count(), 1);
    assert!(!repo.chimp(&["cache", "stats"]).stdout.contains("damaged"));
    assert_eq!(repo.statuses(), expected_gaps());
}

#[test]
fn no_cache_runs_everything_and_stores_nothing() {
    let repo = gaps();
    let tests = counting(&repo);
    assert_eq!(repo.chimp(&["--tests", &tests, "--no-cache"]).code, 2);
    assert_eq!(runs(&repo).len(), 14);
    assert!(!repo.root.join(".chimp/cache").exists());
}

#[test]
fn a_timeout_is_reused_only_under_the_timeout_that_produced_it() {
    const HANG: &str = "def count_down(n):\n    steps = 0\n    while n > 0:\n        n -= 1\n        steps += 1\n    return steps\n";
    const HANG_TESTS: &str = "import unittest\nfrom hang import count_down\n\n\nclass T(unittest.TestCase):\n    def test_it(self):\n        self.assertEqual(count_down(3), 3)\n";
    let repo = TestRepo::new(&[("hang.py", HANG), ("test_hang.py", HANG_TESTS)]);
    let tests = counting(&repo);
    let args = |timeout: &'static str| {
        vec![
            "--tests",
            tests.as_str(),
            "--operators",
            "augmented-assign",
            "--timeout",
            timeout,
        ]
    };
    assert_eq!(repo.chimp(&args("2")).code, 0);
    clear_runs(&repo);
    assert_eq!(repo.chimp(&args("2")).code, 0);
    assert_eq!(
        runs(&repo),
        Vec::<String>::new(),
        "same timeout: all cached"
    );
    let longer = repo.chimp(&args("3"));
    assert_eq!(longer.code, 0, "{}", longer.stderr);
    assert_eq!(
        runs(&repo).iter().filter(|id| !id.is_empty()).count(),
        4,
        "the two timeouts ran again, each twice (the second time alone)"
    );
    assert!(
        longer.stdout.contains("2 from cache, 2 run"),
        "{}",
        longer.stdout
    );
}

#[test]
fn ctrl_c_keeps_every_finished_outcome() {
    let repo = gaps();
    let slow = format!("sleep 0.3; {}", counting(&repo));
    let mut command = repo.chimp_in("", &["--tests", &slow, "-j", "1"]);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60)
        && runs(&repo).iter().filter(|id| !id.is_empty()).count() < 4
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    kill(
        Pid::from_raw(i32::try_from(child.id()).unwrap()),
        Signal::SIGINT,
    )
    .unwrap();
    let run = finish(child);
    assert_eq!(run.code, 130, "{}", run.stderr);
    let finished: usize = repo
        .statuses()
        .values()
        .filter(|status| *status != "Pending")
        .count();
    assert!((3..12).contains(&finished), "{finished}");
    let stats = repo.chimp(&["cache", "stats"]);
    let entries: usize = stats
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(entries, finished, "{}", stats.stdout);
    clear_runs(&repo);
    let rest = repo.chimp(&["--tests", &slow, "-j", "2"]);
    assert_eq!(rest.code, 2, "{}", rest.stderr);
    assert_eq!(
        runs(&repo).iter().filter(|id| !id.is_empty()).count(),
        12 - finished
    );
    assert_eq!(repo.statuses(), expected_gaps());
}

#[test]
fn cache_prune_and_clear_remove_entries() {
    let repo = gaps();
    assert_eq!(repo.chimp(&["--tests", crate::sweep::UNITTEST]).code, 2);
    let stats = repo.chimp(&["cache", "stats"]);
    assert!(stats.stdout.contains("12 entries"), "{}", stats.stdout);
    assert!(
        stats.stdout.contains("survived: 4") && stats.stdout.contains("uncovered: 2"),
        "{}",
        stats.stdout
    );
    let kept = repo.chimp(&["cache", "prune", "--older-than", "1d"]);
    assert!(kept.stdout.contains("removed 0 entries"), "{}", kept.stdout);
    let bad = repo.chimp(&["cache", "prune", "--older-than", "soon"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    let cleared = repo.chimp(&["cache", "clear"]);
    assert!(
        cleared.stdout.contains("removed 12 entries"),
        "{}",
        cleared.stdout
    );
    assert!(repo.chimp(&["cache", "stats"]).stdout.contains("0 entries"));
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn uncovered_outcomes_from_the_worker_are_cached_and_not_reused_without_it() {
    // `triple` has no test: the worker calls its mutants uncovered; a run without the
    // worker cannot say that, so it runs them (they survive) and reuses the rest.
    let calc = format!("{GAPS_CALC}\n\ndef triple(x):\n    return x * 3\n");
    let tests = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n";
    let repo = TestRepo::new(&[("calc.py", &calc), ("test_calc.py", tests)]);
    let pytest = format!(
        "{} -m pytest -q -p no:cacheprovider",
        crate::util::pytest_python().display()
    );
    let warm = repo.chimp(&["--tests", &pytest, "--runner", "pytest"]);
    assert_eq!(warm.code, 2, "{}\n{}", warm.stdout, warm.stderr);
    let uncovered: BTreeSet<String> = repo
        .statuses()
        .into_iter()
        .filter(|(_, status)| status == "NoCoverage")
        .map(|(key, _)| key)
        .collect();
    assert!(
        uncovered.contains("calc.py:17:binary-operator:/"),
        "{uncovered:?}"
    );
    let total = repo.statuses().len();
    // A second identical run with the worker starts nothing: uncovered is cached too.
    let second = repo.chimp(&["--tests", &pytest, "--runner", "pytest"]);
    assert_eq!(second.code, 2, "{}\n{}", second.stdout, second.stderr);
    assert!(
        second
            .stdout
            .contains(&format!("{total} from cache, 0 run")),
        "{}",
        second.stdout
    );
    assert!(!second.stderr.contains("baseline"), "{}", second.stderr);
    assert_eq!(repo.statuses(), {
        let mut expected = repo.statuses();
        for key in &uncovered {
            expected.insert(key.clone(), "NoCoverage".to_owned());
        }
        expected
    });
    let plain = repo.chimp(&["--tests", &pytest, "--runner", "command"]);
    assert_eq!(plain.code, 2, "{}\n{}", plain.stdout, plain.stderr);
    assert!(
        plain.stdout.contains(&format!(
            "{} from cache, {} run",
            total - uncovered.len(),
            uncovered.len()
        )),
        "{}",
        plain.stdout
    );
    let statuses = repo.statuses();
    for key in &uncovered {
        assert_eq!(statuses[key], "Survived", "{key}");
    }
    // And the worker reuses everything again.
    let again = repo.chimp(&["--tests", &pytest, "--runner", "pytest"]);
    assert!(
        again.stdout.contains(&format!("{total} from cache, 0 run")),
        "{}",
        again.stdout
    );
}

/// A test file known only because the test command names it (`checks.py`, no test name)
/// is part of the cache key: a test added to it re-runs the survivors it may kill.
#[test]
fn a_test_file_the_command_names_invalidates_the_cache_when_it_changes() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("checks.py", GAPS_TESTS)]);
    let tests = "python3 -m unittest -q checks.py";
    assert_eq!(repo.chimp(&["--tests", tests]).code, 2);
    assert_eq!(repo.statuses()["calc.py:6:comparison:>"], "Survived");
    let checks = std::fs::read_to_string(repo.root.join("checks.py")).unwrap();
    repo.write(
        "checks.py",
        &format!(
            "{checks}\n\nclass EdgeTest(unittest.TestCase):\n    def test_eighteen(self):\n        \
             from calc import is_adult\n        self.assertTrue(is_adult(18))\n"
        ),
    );
    let again = repo.chimp(&["--tests", tests]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert_eq!(repo.statuses()["calc.py:6:comparison:>"], "Killed");
}
