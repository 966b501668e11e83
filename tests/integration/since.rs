//! Diff-scoped runs: `--since` mutates exactly the lines a change touched; `--rev` tests a
//! commit without the working tree.

use std::collections::BTreeSet;

use crate::sweep::{GAPS_CALC, GAPS_TESTS, UNITTEST};
use crate::util::TestRepo;

const NEW_FUNCTION: &str = "\n\ndef halve(x):\n    return x / 2\n";

/// `calc.py` committed, then a second commit changing line 6 and adding `halve` (lines
/// 14-17: two blank lines, the `def`, the `return`).
fn two_commits() -> TestRepo {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    let changed = GAPS_CALC.replace("return age >= 18", "return age >= 21") + NEW_FUNCTION;
    repo.write("calc.py", &changed);
    repo.commit("second");
    repo
}

/// The `path:line:col operator` of each listed mutant.
fn listed(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let run = repo.chimp(args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .map(|line| line.split("  [").next().unwrap().to_owned())
        .collect()
}

fn line_of(entry: &str) -> usize {
    entry.split(':').nth(1).unwrap().parse().unwrap()
}

#[test]
fn since_mutates_exactly_the_lines_the_second_commit_changed() {
    let repo = two_commits();
    let all = listed(&repo, &["list"]);
    let scoped = listed(&repo, &["list", "--since", "HEAD~1"]);
    let changed_lines: BTreeSet<usize> = [6, 14, 15, 16, 17].into();
    let expected: Vec<String> = all
        .iter()
        .filter(|m| changed_lines.contains(&line_of(m)))
        .cloned()
        .collect();
    assert_eq!(scoped, expected);
    assert!(
        scoped
            .iter()
            .any(|m| m.starts_with("calc.py:6:19  number  21 -> 22")),
        "{scoped:?}"
    );
    assert!(
        scoped
            .iter()
            .any(|m| m.starts_with("calc.py:17:14  binary-operator  / -> *")),
        "{scoped:?}"
    );
    let run = repo.chimp(&["list", "--since", "HEAD~1"]);
    assert!(
        run.stderr.contains("5 changed lines in 1 files"),
        "{}",
        run.stderr
    );
}

#[test]
fn since_includes_working_tree_changes() {
    let repo = two_commits();
    let text = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &text.replace("return a + b", "return b + a"));
    repo.write("extra.py", "X = 1\n\n\ndef x():\n    return X\n");
    let before = repo.snapshot();
    let scoped = listed(&repo, &["list", "--since", "HEAD"]);
    let lines: BTreeSet<(String, usize)> = scoped
        .iter()
        .map(|m| (m.split(':').next().unwrap().to_owned(), line_of(m)))
        .collect();
    assert_eq!(
        lines,
        [
            ("calc.py".to_owned(), 2),
            ("extra.py".to_owned(), 1),
            ("extra.py".to_owned(), 5)
        ]
        .into()
    );
    let wider = listed(&repo, &["list", "--since", "HEAD~1"]);
    assert!(wider.iter().any(|m| line_of(m) == 6) && wider.iter().any(|m| line_of(m) == 2));
    // And a run with --since tests the working tree's content.
    let run = repo.chimp(&[
        "--since",
        "HEAD",
        "--tests",
        UNITTEST,
        "--operators",
        "number",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        repo.statuses().keys().cloned().collect::<Vec<_>>(),
        vec!["extra.py:1:number:2".to_owned()]
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn a_pure_rename_yields_no_mutants() {
    let repo = two_commits();
    repo.git(&["mv", "calc.py", "arith.py"]);
    repo.write(
        "test_calc.py",
        &GAPS_TESTS.replace("from calc", "from arith"),
    );
    repo.commit("rename");
    let run = repo.chimp(&["list", "--since", "HEAD~1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("0 mutants in 0 files"),
        "{}",
        run.stderr
    );
}

#[test]
fn deleted_lines_yield_nothing() {
    let repo = two_commits();
    let text = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &text.replace(NEW_FUNCTION, "\n"));
    repo.commit("drop halve");
    assert_eq!(
        listed(&repo, &["list", "--since", "HEAD~1"]),
        Vec::<String>::new()
    );
}

#[test]
fn an_unknown_ref_is_a_clear_git_error() {
    let repo = two_commits();
    let run = repo.chimp(&["list", "--since", "origin/mian"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("--since origin/mian: unknown revision"),
        "{}",
        run.stderr
    );
    let run = repo.chimp(&["list", "--rev", "nope"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("--rev nope: unknown revision"),
        "{}",
        run.stderr
    );
}

#[test]
fn unrelated_history_has_no_merge_base() {
    let repo = two_commits();
    repo.git(&["checkout", "-q", "--orphan", "other"]);
    repo.write("o.py", "A = 1\n");
    repo.commit("unrelated");
    let run = repo.chimp(&["list", "--since", "main"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("no merge base"), "{}", run.stderr);
}

#[test]
fn rev_tests_the_commit_not_the_dirty_working_tree_and_leaves_it_untouched() {
    let repo = two_commits();
    // The working tree disagrees with every commit.
    repo.write("calc.py", "def add(a, b):\n    return 0\n");
    repo.write("scratch.py", "Y = 5\n");
    repo.git(&["add", "scratch.py"]);
    let before = repo.snapshot();
    let run = repo.chimp(&["--rev", "HEAD~1", "--tests", UNITTEST]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let statuses = repo.statuses();
    assert_eq!(statuses["calc.py:6:number:19"], "Survived");
    assert!(!statuses.keys().any(|key| key.starts_with("scratch.py")));
    assert_eq!(
        repo.report()["files"]["calc.py"]["source"]
            .as_str()
            .unwrap(),
        GAPS_CALC
    );
    // --rev with --since: only the commit's own change.
    let run = repo.chimp(&[
        "--rev",
        "HEAD",
        "--since",
        "HEAD~1",
        "--tests",
        UNITTEST,
        "--operators",
        "number",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let keys: Vec<String> = repo.statuses().keys().cloned().collect();
    assert_eq!(
        keys,
        vec![
            "calc.py:17:number:3".to_owned(),
            "calc.py:6:number:22".to_owned()
        ]
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn git_config_supplies_the_test_command_and_options() {
    let repo = two_commits();
    repo.git(&["config", "chimp.tests", UNITTEST]);
    repo.git(&["config", "chimp.operators", "number"]);
    let run = repo.chimp(&["--since", "HEAD~1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(repo.statuses().len(), 2);
    repo.git(&["config", "chimp.timeout", "soon"]);
    let bad = repo.chimp(&["list"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("chimp.timeout"), "{}", bad.stderr);
}
