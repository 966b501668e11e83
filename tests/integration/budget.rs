//! `--budget`: a run that would take longer stops in time, in an order that buys the
//! most (one mutant per line first, the most telling operator first), the same order
//! every time; the cache makes the next run cover more; the pre-push hook's default.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::sweep::UNITTEST;
use crate::util::{RunGate, TestRepo};

/// Two functions with 19 mutants over 8 lines, and tests that kill every one of them
/// but take about half a second per run (`setUp` sleeps).
const CALC: &str = "def total(prices, tax):
    subtotal = sum(prices)
    if subtotal > 100:
        subtotal = subtotal - 10
    return subtotal * tax


def label(count):
    if count == 1:
        return \"one item\"
    return str(count) + \" items\"
";

const SLOW_TESTS: &str = "import time
import unittest

from calc import label, total


class CalcTest(unittest.TestCase):
    def setUp(self):
        time.sleep(0.4)

    def test_total(self):
        self.assertEqual(total([50, 60], 2), 200)
        self.assertEqual(total([100], 2), 200)
        self.assertEqual(total([10], 3), 30)
        self.assertEqual(total([101], 1), 91)

    def test_label(self):
        self.assertEqual(label(1), \"one item\")
        self.assertEqual(label(3), \"3 items\")
        self.assertEqual(label(0), \"0 items\")
";

/// The operators from the most telling to the least: the documented budget order
/// (`Operator::signal_rank`), pinned here as users read it.
const BY_SIGNAL: [&str; 16] = [
    "statement-delete",
    "return-value",
    "condition",
    "comparison",
    "boolean-operator",
    "binary-operator",
    "augmented-assign",
    "unary-operator",
    "loop-control",
    "zero-iteration",
    "exception-handler",
    "boolean-constant",
    "number",
    "decorator",
    "call-argument",
    "string",
];

fn slow_repo() -> TestRepo {
    TestRepo::new(&[("calc.py", CALC), ("test_calc.py", SLOW_TESTS)])
}

/// The tests of [`SLOW_TESTS`] without their sleep, behind a [`RunGate`]: a budgeted run
/// gets through the runs the gate lets pass, then waits at the gate until the budget
/// stops it, however loaded the machine is.
fn gated_repo() -> (TestRepo, RunGate) {
    let repo = TestRepo::new(&[("calc.py", CALC)]);
    let gate = RunGate::new(&repo);
    let fast = SLOW_TESTS.replace("    def setUp(self):\n        time.sleep(0.4)\n\n", "");
    assert_ne!(fast, SLOW_TESTS);
    repo.write("test_calc.py", &gate.guard(&fast));
    repo.commit("tests behind a gate");
    (repo, gate)
}

/// The test processes a gated run lets through before it holds one: the baseline, the
/// canary (a run with a known-bad change) and two mutants.
const GATE_LIMIT: usize = 4;

/// The budget of gated runs: room for the runs the gate lets through on a loaded
/// machine; the run ends when it is spent, whatever it is.
const GATED_BUDGET: &str = "10s";

/// `(line, column, end line, end column)` of a report mutant.
fn place(mutant: &Value) -> (u64, u64, u64, u64) {
    let at = |end: &str, field: &str| mutant["location"][end][field].as_u64().unwrap();
    (
        at("start", "line"),
        at("start", "column"),
        at("end", "line"),
        at("end", "column"),
    )
}

fn rank(mutant: &Value) -> usize {
    let name = mutant["mutatorName"].as_str().unwrap();
    BY_SIGNAL
        .iter()
        .position(|each| *each == name)
        .unwrap_or_else(|| panic!("unknown operator {name}"))
}

/// The report's mutants of `calc.py` in the order a budget runs them: round by round
/// one mutant of each line, each line's most telling first; within a round by operator,
/// then place.
fn budget_order(mutants: &[Value]) -> Vec<Value> {
    let mut by_line: BTreeMap<u64, Vec<&Value>> = BTreeMap::new();
    for mutant in mutants {
        by_line.entry(place(mutant).0).or_default().push(mutant);
    }
    let mut keyed = Vec::new();
    for line in by_line.values_mut() {
        line.sort_by_key(|mutant| (rank(mutant), place(mutant)));
        for (round, mutant) in line.iter().enumerate() {
            keyed.push(((round, rank(mutant), place(mutant)), (*mutant).clone()));
        }
    }
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, mutant)| mutant).collect()
}

/// The statuses of `calc.py`'s mutants in budget order, and their ids.
fn ordered_statuses(repo: &TestRepo) -> Vec<(String, String)> {
    let mutants: Vec<Value> = repo.report()["files"]["calc.py"]["mutants"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(mutants.len(), 19, "{mutants:#?}");
    budget_order(&mutants)
        .iter()
        .map(|mutant| {
            (
                mutant["id"].as_str().unwrap().to_owned(),
                mutant["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// How many of `statuses` ran, asserting they are a prefix of the order: every mutant
/// after the first one not run was not run either, with the budget's reason.
fn ran_prefix(repo: &TestRepo, statuses: &[(String, String)]) -> usize {
    let ran = statuses
        .iter()
        .take_while(|(_, status)| status != "Pending")
        .count();
    for (id, status) in &statuses[ran..] {
        assert_eq!(
            status, "Pending",
            "mutant {id} ran after one that did not: {statuses:?}"
        );
    }
    let reasons: Vec<String> = repo.report()["files"]["calc.py"]["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|mutant| mutant["status"] == "Pending")
        .map(|mutant| mutant["statusReason"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        reasons.iter().all(|reason| reason == "not run: budget"),
        "{reasons:?}"
    );
    ran
}

#[test]
fn a_run_over_its_budget_stops_with_the_rest_not_run_in_budget_order_the_same_each_time() {
    let (repo, gate) = gated_repo();
    let before = repo.snapshot();
    let budgeted = [
        "--tests",
        UNITTEST,
        // The gate counts test processes: the plain runner's, one per mutant.
        "--runner",
        "command",
        "-j",
        "1",
        "--no-cache",
        "--timeout",
        "120",
        "--budget",
        GATED_BUDGET,
    ];
    gate.limit(GATE_LIMIT);
    let run = repo.chimp(&budgeted);
    // Nothing that ran survived, so what the budget left out does not fail the run.
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        gate.count() > GATE_LIMIT,
        "the budget ran out while a run waited at the gate"
    );
    let first = ordered_statuses(&repo);
    let ran = ran_prefix(&repo, &first);
    assert!(ran >= 1, "the budget leaves room for a mutant: {first:?}");
    assert_eq!(
        ran,
        GATE_LIMIT - 2,
        "only the gate's runs finish: {first:?}"
    );
    for (id, status) in &first[..ran] {
        assert_eq!(status, "Killed", "{id}");
    }
    let not_run = 19 - ran;
    assert!(
        run.stdout.contains(&format!("{not_run} not-run")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "budget {GATED_BUDGET} spent: {not_run} of 19 mutants not run"
        )) && run.stdout.contains("Run them all: git chimp --no-budget"),
        "{}",
        run.stdout
    );
    // Line by line: the first mutants to run are statement deletions of different lines.
    let mutants = repo.report()["files"]["calc.py"]["mutants"].clone();
    let head = mutants
        .as_array()
        .unwrap()
        .iter()
        .find(|mutant| mutant["id"] == first[0].0.as_str())
        .unwrap()
        .clone();
    assert_eq!(head["mutatorName"], "statement-delete", "{head:#}");
    assert_eq!(place(&head).0, 2, "{head:#}");

    // The same commit and the same gate: the same order, as far.
    gate.limit(GATE_LIMIT);
    let again = repo.chimp(&budgeted);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(
        gate.count() > GATE_LIMIT,
        "the budget ran out while a run waited at the gate"
    );
    let second = ordered_statuses(&repo);
    assert_eq!(first, second);
    ran_prefix(&repo, &second);

    // --no-budget wins over --budget and CHIMP_BUDGET: every mutant runs.
    gate.open();
    let mut command = repo.chimp_in(
        "",
        &[
            "--tests",
            UNITTEST,
            "--no-cache",
            "--budget",
            "5s",
            "--no-budget",
        ],
    );
    command.env("CHIMP_BUDGET", "5s");
    let all = crate::util::run(command);
    assert_eq!(all.code, 0, "{}\n{}", all.stdout, all.stderr);
    let statuses = ordered_statuses(&repo);
    assert!(
        statuses.iter().all(|(_, status)| status == "Killed"),
        "{statuses:?}"
    );
    repo.assert_checkout_untouched(&before);
    assert!(repo.processes_in_sandboxes().is_empty());
}

#[test]
fn with_the_cache_each_budgeted_run_covers_more_and_reuses_what_ran() {
    let (repo, gate) = gated_repo();
    let budgeted = [
        "--tests",
        UNITTEST,
        // The gate counts test processes: the plain runner's, one per mutant.
        "--runner",
        "command",
        "-j",
        "1",
        "--timeout",
        "120",
        "--budget",
        GATED_BUDGET,
    ];
    gate.limit(GATE_LIMIT);
    let first = repo.chimp(&budgeted);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let ran_first = ran_prefix(&repo, &ordered_statuses(&repo));
    gate.limit(GATE_LIMIT);
    let second = repo.chimp(&budgeted);
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    let statuses = ordered_statuses(&repo);
    let ran_second = ran_prefix(&repo, &statuses);
    assert!(
        ran_second > ran_first,
        "the cached outcomes are free, so the second run gets further: {ran_first} then \
         {ran_second}\n{}",
        second.stdout
    );
    assert!(
        second.stdout.contains(&format!("{ran_first} from cache")),
        "{}",
        second.stdout
    );
    assert!(repo.processes_in_sandboxes().is_empty());
}

#[test]
fn a_budget_spent_before_the_baseline_finishes_leaves_every_mutant_not_run() {
    let slow_baseline = SLOW_TESTS.replace("time.sleep(0.4)", "time.sleep(3)");
    let repo = TestRepo::new(&[("calc.py", CALC), ("test_calc.py", &slow_baseline)]);
    let budgeted = ["--tests", UNITTEST, "--no-cache", "--budget", "1s"];
    let run = repo.chimp(&budgeted);
    // Nothing was tested: no pass (#27 item 6).
    assert_eq!(run.code, 6, "{}\n{}", run.stdout, run.stderr);
    let statuses = ordered_statuses(&repo);
    assert!(
        statuses.iter().all(|(_, status)| status == "Pending"),
        "{statuses:?}"
    );
    assert!(
        run.stdout.contains("19 of 19 mutants not run"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "budget 1s spent before any mutant was tested: the baseline had not finished after"
        ) && run.stdout.contains("A budget that fits: --budget "),
        "{}",
        run.stdout
    );
    assert!(repo.processes_in_sandboxes().is_empty());
    // Again: the last run's cost says at once that the budget cannot reach a mutant.
    let again = repo.chimp(&budgeted);
    assert_eq!(again.code, 6, "{}\n{}", again.stdout, again.stderr);
    assert!(
        again
            .stdout
            .contains("the last run of this test command had not finished its baseline"),
        "{}",
        again.stdout
    );
    assert!(!again.stderr.contains("baseline"), "{}", again.stderr);
    // A run that gets past the baseline (with the tests made fast) remembers what it
    // needed instead.
    repo.write(
        "test_calc.py",
        &SLOW_TESTS.replace("time.sleep(0.4)", "pass"),
    );
    repo.commit("fast tests");
    let whole = repo.chimp(&["--tests", UNITTEST, "--no-cache", "--budget", "5m"]);
    assert_eq!(whole.code, 0, "{}\n{}", whole.stdout, whole.stderr);
    // It needed less than a budget of 30s (on any machine): such a run starts its
    // baseline again.
    let again = repo.chimp(&["--tests", UNITTEST, "--no-cache", "--budget", "30s"]);
    assert!(
        !again.stdout.contains("the last run of this test command"),
        "{}",
        again.stdout
    );
    assert!(again.stderr.contains("baseline"), "{}", again.stderr);
}

#[test]
fn a_bad_budget_is_a_usage_error_naming_the_form() {
    let repo = slow_repo();
    let run = repo.chimp(&["--tests", UNITTEST, "--budget", "soon"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("expected a duration such as 90s"),
        "{}",
        run.stderr
    );
    repo.write("pyproject.toml", "[tool.chimp]\nbudget = \"later\"\n");
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("pyproject.toml:2") && run.stderr.contains("a duration"),
        "{}",
        run.stderr
    );
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn in_the_pytest_worker_the_budget_stops_the_worker_and_keeps_the_order() {
    // A second a test: the worker runs only the tests that reach a mutant, so each
    // mutant still takes at least a second, and 19 of them more than the budget.
    let slower = SLOW_TESTS.replace("time.sleep(0.4)", "time.sleep(1)");
    let repo = TestRepo::new(&[("calc.py", CALC), ("test_calc.py", &slower)]);
    let python = crate::util::pytest_python();
    let tests = format!("{} -m pytest -q -x", python.display());
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "-j",
        "1",
        "--no-cache",
        "--budget",
        "10s",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let statuses = ordered_statuses(&repo);
    let ran = ran_prefix(&repo, &statuses);
    assert!(ran < 19, "{statuses:?}");
    assert!(repo.processes_in_sandboxes().is_empty());
}

#[test]
fn a_budgeted_report_merges_with_its_mutants_not_run_not_as_an_interrupted_run() {
    let repo = slow_repo();
    let run = repo.chimp(&[
        "--tests",
        UNITTEST,
        // The gate counts test processes: the plain runner's, one per mutant.
        "--runner",
        "command",
        "-j",
        "1",
        "--no-cache",
        "--budget",
        "3s",
    ]);
    // 6 when a loaded machine spent the budget before the first mutant: every mutant is
    // not run then, which the merge must say just the same.
    assert!(
        run.code == 0 || run.code == 6,
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let report = repo.scratch().join("budgeted.json");
    std::fs::copy(repo.root.join(".chimp/report.json"), &report).unwrap();
    let merged = repo.chimp(&["merge", report.to_str().unwrap()]);
    assert_eq!(merged.code, 0, "{}\n{}", merged.stdout, merged.stderr);
    assert!(!merged.stdout.contains("interrupted"), "{}", merged.stdout);
    assert!(merged.stdout.contains(" not-run"), "{}", merged.stdout);
}
