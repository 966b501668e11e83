//! Full sweeps on the `gaps` project: which mutants are killed and which survive, the
//! patches, the report, and that the user's checkout is untouched.

use std::collections::BTreeMap;

use crate::util::TestRepo;

pub const GAPS_CALC: &str = r#"def add(a, b):
    return a + b


def is_adult(age):
    return age >= 18


def describe(n):
    """Say which side of zero n is on."""
    if n < 0:
        return "negative"
    return "non-negative"
"#;

pub const GAPS_TESTS: &str = r#"import unittest

from calc import add, describe, is_adult


class CalcTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(2, 3), 5)

    def test_is_adult(self):
        self.assertTrue(is_adult(30))
        self.assertFalse(is_adult(5))

    def test_describe(self):
        self.assertEqual(describe(-1), "negative")
"#;

pub const UNITTEST: &str = "python3 -m unittest -q";

pub fn gaps() -> TestRepo {
    TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)])
}

/// The gaps project's outcomes in the unittest worker (`--runner auto`'s choice for its
/// `python3 -m unittest` command): no test reaches line 13, so its mutants are uncovered.
pub fn expected_gaps() -> BTreeMap<String, String> {
    let mut expected = expected_gaps_plain();
    for mutant in ["calc.py:13:return-value:None", "calc.py:13:string:\"\""] {
        expected.insert(mutant.to_owned(), "NoCoverage".to_owned());
    }
    expected
}

/// The gaps project's outcomes from the plain runner, which cannot tell uncovered code
/// from code its tests run: line 13's mutants survive.
pub fn expected_gaps_plain() -> BTreeMap<String, String> {
    [
        ("calc.py:2:return-value:None", "Killed"),
        ("calc.py:2:binary-operator:-", "Killed"),
        ("calc.py:6:return-value:None", "Killed"),
        ("calc.py:6:comparison:>", "Survived"),
        ("calc.py:6:number:19", "Survived"),
        ("calc.py:11:condition:not (n < 0)", "Killed"),
        ("calc.py:11:comparison:<=", "Survived"),
        ("calc.py:11:number:1", "Survived"),
        ("calc.py:12:return-value:None", "Killed"),
        ("calc.py:12:string:\"\"", "Killed"),
        ("calc.py:13:return-value:None", "Survived"),
        ("calc.py:13:string:\"\"", "Survived"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[test]
fn gaps_project_has_exactly_the_known_kills_and_survivors() {
    let repo = gaps();
    let before = repo.snapshot();
    let run = repo.chimp(&["--tests", UNITTEST, "-j", "2"]);
    assert_eq!(
        run.code, 2,
        "survivors exit 2\n{}\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(repo.statuses(), expected_gaps());
    assert!(
        run.stdout
            .contains("12 mutants: 6 killed, 0 timeout, 4 survived, 2 uncovered, 0 error"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("12 mutants ran in the unittest worker"),
        "zero-config chooses the unittest worker: {}",
        run.stderr
    );
    assert!(
        run.stdout.contains("mutation score: 50.0%"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("calc.py:6:16  comparison  >= -> >"),
        "{}",
        run.stdout
    );
    repo.assert_checkout_untouched(&before);
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".chimp/.gitignore")).unwrap(),
        "*\n"
    );
}

#[test]
fn every_survivor_patch_applies_to_the_tested_state_and_shows_the_mutation() {
    let repo = gaps();
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let patches: Vec<_> = std::fs::read_dir(repo.root.join(".chimp/survived"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(patches.len(), 6);
    let survivors: std::collections::BTreeSet<String> = repo
        .report_mutants()
        .iter()
        .filter(|(_, mutant)| mutant["status"] == "Survived")
        .map(|(_, mutant)| mutant["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(survivors.len(), 4);
    let mut texts = String::new();
    for patch in &patches {
        let text = std::fs::read_to_string(patch).unwrap();
        assert!(text.contains("--- a/calc.py\n+++ b/calc.py\n"), "{text}");
        repo.git(&["apply", "--check", patch.to_str().unwrap()]);
        texts.push_str(&text);
        // Each survivor keeps its test output; no test ran an uncovered one.
        let id = patch.file_stem().unwrap().to_str().unwrap();
        let survived = survivors.contains(id);
        assert_eq!(
            repo.root.join(format!(".chimp/logs/{id}.log")).is_file(),
            survived,
            "{text}"
        );
    }
    assert!(
        texts.contains("-    return age >= 18\n+    return age > 18\n"),
        "{texts}"
    );
}

#[test]
fn uncommitted_changes_are_what_gets_mutated_and_stay_untouched() {
    let repo = TestRepo::new(&[
        ("calc.py", GAPS_CALC),
        ("test_calc.py", GAPS_TESTS),
        ("old.py", "X = 1\n"),
    ]);
    // A modified tracked module, a new untracked one, a deleted one, a staged change.
    repo.write(
        "calc.py",
        &GAPS_CALC.replace("return age >= 18", "return age >= 21"),
    );
    repo.write("extra.py", "def double(x):\n    return x * 2\n");
    std::fs::remove_file(repo.root.join("old.py")).unwrap();
    repo.write("staged.py", "Y = True\n\n\ndef y():\n    return Y\n");
    repo.git(&["add", "staged.py"]);
    let before = repo.snapshot();
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let statuses = repo.statuses();
    assert_eq!(statuses["calc.py:6:number:22"], "Survived");
    assert!(!statuses.contains_key("calc.py:6:number:19"));
    assert_eq!(statuses["extra.py:2:binary-operator:/"], "NoCoverage");
    // No test imports it: the worker sees that (the plain runner would call it survived).
    assert_eq!(statuses["staged.py:1:boolean-constant:False"], "NoCoverage");
    assert!(!statuses.keys().any(|key| key.starts_with("old.py")));
    assert!(
        !repo
            .root
            .join(".git/chimp/sandboxes/chimp-0/old.py")
            .exists()
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn a_second_run_reuses_the_sandboxes_and_gives_the_same_outcomes() {
    let repo = gaps();
    let before = repo.snapshot();
    assert_eq!(repo.chimp(&["--tests", UNITTEST]).code, 2);
    let first = repo.statuses();
    let worktrees = repo.git(&["worktree", "list", "--porcelain"]);
    assert!(
        worktrees.contains("locked git-chimp sandbox"),
        "{worktrees}"
    );
    assert_eq!(repo.chimp(&["--tests", UNITTEST]).code, 2);
    assert_eq!(repo.statuses(), first);
    assert_eq!(repo.git(&["worktree", "list", "--porcelain"]), worktrees);
    repo.assert_checkout_untouched(&before);
    let clean = repo.chimp(&["clean"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
    assert!(!repo.root.join(".git/chimp/sandboxes").exists());
    repo.assert_checkout_untouched(&before);
}

#[test]
fn a_sandbox_broken_by_a_killed_run_is_repaired() {
    let repo = gaps();
    assert_eq!(repo.chimp(&["--tests", UNITTEST, "-j", "1"]).code, 2);
    // As if a run died mid-mutant and someone deleted files.
    std::fs::write(
        repo.root.join(".git/chimp/sandboxes/chimp-0/calc.py"),
        "garbage(\n",
    )
    .unwrap();
    std::fs::remove_dir_all(repo.root.join(".git/chimp/sandboxes/chimp-0/.git")).ok();
    std::fs::remove_file(repo.root.join(".git/chimp/sandboxes/chimp-0/.git")).ok();
    let before = repo.snapshot();
    let run = repo.chimp(&["--tests", UNITTEST, "-j", "1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(repo.statuses(), expected_gaps());
    repo.assert_checkout_untouched(&before);
}

#[test]
fn two_runs_at_once_take_turns_and_both_finish_correctly() {
    let repo = gaps();
    let before = repo.snapshot();
    let spawn = || {
        let mut command = repo.chimp_in("", &["--tests", UNITTEST]);
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command.spawn().unwrap()
    };
    let (first, second) = (spawn(), spawn());
    let (first, second) = (crate::util::finish(first), crate::util::finish(second));
    assert_eq!(
        (first.code, second.code),
        (2, 2),
        "{}\n{}",
        first.stderr,
        second.stderr
    );
    assert!(
        format!("{}{}", first.stderr, second.stderr).contains("waiting for another git-chimp run"),
        "{}\n{}",
        first.stderr,
        second.stderr
    );
    assert_eq!(first.stdout.lines().next(), second.stdout.lines().next());
    assert_eq!(repo.statuses(), expected_gaps());
    repo.assert_checkout_untouched(&before);
}

#[test]
fn fail_under_passes_a_run_whose_score_reaches_it() {
    let repo = gaps();
    // The gaps project scores exactly 50%.
    let run = repo.chimp(&["--tests", UNITTEST, "--fail-under", "50"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("mutation score 50.0% reaches --fail-under 50: passing"),
        "{}",
        run.stdout
    );
    // Survivors are still reported, with their patches.
    assert!(run.stdout.contains("survived:"), "{}", run.stdout);
    let run = repo.chimp(&["--tests", UNITTEST, "--fail-under", "50.5"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("below --fail-under 50.5"),
        "{}",
        run.stdout
    );
    repo.git(&["config", "chimp.fail-under", "40"]);
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let run = repo.chimp(&["--tests", UNITTEST, "--fail-under", "101"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--fail-under 101"), "{}", run.stderr);
}
