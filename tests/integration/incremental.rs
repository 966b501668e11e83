//! #26 item 7: a `--since` run after an earlier run traces only the tests that reached
//! what changed (the line map in the cache), with the outcomes of a fresh run of the
//! test command, mutant by mutant.

use std::collections::BTreeMap;

use crate::util::{TestRepo, mutant_key, pytest_python};

const CALC: &str = r#"CACHE = {}


def double(x):
    return x * 2


def lookup(x):
    if x not in CACHE:
        CACHE[x] = double(x)
    return CACHE[x]


def shout(text):
    return text.upper()


def greet(name):
    return "hello " + name
"#;

const TESTS: &str = r#"import calc


def test_a_fills_the_cache():
    calc.lookup(3)


def test_b_reads_the_cache():
    assert calc.CACHE[3] == 6


def test_greet():
    assert calc.greet("bo") == "hello bo"


def test_shout():
    assert calc.shout("!a") == "!A"
"#;

/// The second commit: only function bodies change. `double` is still right, and
/// `test_b_reads_the_cache`, which never runs a line of `calc.py`, is the only test that
/// sees it wrong; `greet` now calls `shout`, whose new last line only `test_greet`
/// reaches (it did not reach `shout` before).
fn changed(calc: &str) -> String {
    calc.replace("    return x * 2\n", "    return x + x\n")
        .replace(
            "    return text.upper()\n",
            "    if text.startswith(\"!\"):\n        return text.upper()\n    return text + \"\"\n",
        )
        .replace(
            "    return \"hello \" + name\n",
            "    return shout(\"hello \" + name)\n",
        )
}

fn tests_command() -> String {
    format!(
        "{} -m pytest -q -p no:cacheprovider",
        pytest_python().display()
    )
}

/// Mutant key -> (status, first killer) of the last report.
fn outcomes(repo: &TestRepo) -> BTreeMap<String, (String, String)> {
    repo.report_mutants()
        .iter()
        .map(|(path, mutant)| {
            let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
            (
                mutant_key(path, mutant),
                (text(&mutant["status"]), text(&mutant["killedBy"][0])),
            )
        })
        .collect()
}

/// A project swept once at its first commit (which keeps the line map), then changed by
/// `change` in a second commit.
fn swept_then_changed(change: impl Fn(&str) -> String) -> TestRepo {
    let repo = TestRepo::new(&[("calc.py", CALC), ("tests/test_calc.py", TESTS)]);
    let tests = tests_command();
    let first = repo.chimp(&["--tests", &tests, "-j", "1"]);
    assert!(
        first.stderr.contains("traced baseline"),
        "{}\n{}",
        first.stdout,
        first.stderr
    );
    repo.write("calc.py", &change(CALC));
    repo.commit("second");
    repo
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_since_run_traces_only_what_changed_and_agrees_with_fresh_runs() {
    let repo = swept_then_changed(changed);
    let tests = tests_command();
    let run = repo.chimp(&["--tests", &tests, "--since", "HEAD~1", "-j", "1"]);
    assert!([0, 2].contains(&run.code), "{}\n{}", run.stdout, run.stderr);
    // The three tests that reached a changed function are traced; the fourth, which
    // ran no line of calc.py, is the map's.
    assert!(
        run.stderr.contains(
            "pytest worker: 4 tests, 3 traced (3 reached what changed since the last run"
        ),
        "{}",
        run.stderr
    );
    let incremental = outcomes(&repo);
    let kill = |key: &str| {
        incremental
            .iter()
            .find(|(mutant, _)| mutant.contains(key))
            .unwrap_or_else(|| panic!("no mutant {key} in {incremental:?}"))
            .1
            .clone()
    };
    // Met only through the cache, by a test the map's records stand for.
    assert_eq!(
        kill("calc.py:5:binary-operator:-"),
        (
            "Killed".to_owned(),
            "tests/test_calc.py::test_b_reads_the_cache".to_owned()
        ),
        "{incremental:?}"
    );
    // On a line of `shout` that only `test_greet` reaches now.
    assert_eq!(
        kill("calc.py:17:string"),
        (
            "Killed".to_owned(),
            "tests/test_calc.py::test_greet".to_owned()
        ),
        "{incremental:?}"
    );
    // Fresh runs of the test command agree, mutant by mutant.
    let plain = repo.chimp(&[
        "--tests",
        &tests,
        "--since",
        "HEAD~1",
        "--runner",
        "command",
        "--no-cache",
        "-j",
        "1",
    ]);
    assert!([0, 2].contains(&plain.code), "{}", plain.stderr);
    let statuses = |outcomes: &BTreeMap<String, (String, String)>| -> BTreeMap<String, String> {
        outcomes
            .iter()
            .map(|(key, (status, _))| (key.clone(), status.clone()))
            .collect()
    };
    assert_eq!(statuses(&incremental), statuses(&outcomes(&repo)));
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_suite_that_fails_only_in_a_test_the_map_stands_for_is_a_failed_baseline() {
    // `double` is now wrong: `test_b_reads_the_cache` fails with the code unmutated, but
    // it runs no line of calc.py, so this run does not trace it again. A mutant of
    // `double` that `test_a` lets through meets it and fails it; before that counts as a
    // kill, the same tests run without the mutant, fail, and the run says the suite
    // fails, as a run without the map would.
    let repo =
        swept_then_changed(|calc| calc.replace("    return x * 2\n", "    return x * 2 + 1\n"));
    let tests = tests_command();
    let run = repo.chimp(&["--tests", &tests, "--since", "HEAD~1", "-j", "1"]);
    let said = format!("{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.code, 3, "{said}");
    assert!(
        run.stderr.contains("taken from the map")
            && run.stderr.contains(
                "the tests fail on the unmutated code: tests/test_calc.py::test_b_reads_the_cache \
                 fails without any mutant"
            ),
        "{said}"
    );
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_mutant_detected_from_scratch_counts_only_if_the_command_passes_unmutated() {
    // `build` runs at import only, so no test's record reaches it and every test is the
    // map's; with --no-reexec its mutants run the test command from scratch, which fails
    // (`test_table` sees the new table with or without a mutant). The command then runs
    // once unmutated, fails, and the run is a failed baseline, not kills.
    const TABLE: &str = "def build():\n    return {\"a\": 1}\n\n\nTABLE = build()\n";
    const TABLE_TESTS: &str =
        "import calc\n\n\ndef test_table():\n    assert calc.TABLE == {\"a\": 1}\n";
    let repo = TestRepo::new(&[("calc.py", TABLE), ("tests/test_calc.py", TABLE_TESTS)]);
    let tests = tests_command();
    let first = repo.chimp(&["--tests", &tests, "-j", "1", "--no-reexec"]);
    assert!([0, 2].contains(&first.code), "{}", first.stderr);
    repo.write("calc.py", &TABLE.replace("\"a\": 1", "\"a\": 2"));
    repo.commit("second");
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "--since",
        "HEAD~1",
        "-j",
        "1",
        "--no-reexec",
    ]);
    let said = format!("{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.code, 3, "{said}");
    assert!(
        run.stderr.contains("1 taken from the map")
            && run
                .stderr
                .contains("the tests fail on the unmutated code: the test command exits 1"),
        "{said}"
    );
}
