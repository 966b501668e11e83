//! The pre-push hook, with real `git push` to a real bare repository on disk.

use crate::sweep::{GAPS_CALC, GAPS_TESTS, UNITTEST};
use crate::util::TestRepo;

const UNTESTED: &str = "\n\ndef triple(x):\n    return x * 3\n";
const KILLS_TRIPLE: &str = "\n\nclass TripleTest(unittest.TestCase):\n    def test_triple(self):\n        from calc import triple\n        self.assertEqual(triple(2), 6)\n";

/// A repository whose `main` is pushed to a bare `origin`, with the hook installed and a
/// test command configured. Its tests kill every mutant of `add` (the only function).
fn pushed() -> TestRepo {
    let calc = "def add(a, b):\n    return a + b\n";
    let tests = "import unittest\n\nfrom calc import add\n\n\nclass AddTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n";
    let repo = TestRepo::new(&[("calc.py", calc), ("test_calc.py", tests)]);
    let remote = repo.scratch().join("origin.git");
    let output = std::process::Command::new("git")
        .args(["init", "-q", "--bare", "-b", "main"])
        .arg(&remote)
        .output()
        .unwrap();
    assert!(output.status.success());
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    let install = repo.chimp(&["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    repo.git(&["config", "chimp.tests", UNITTEST]);
    repo
}

/// `git push origin main`, which the hook must refuse for survivors.
fn push_refused(repo: &TestRepo) -> crate::util::Run {
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    assert_ne!(push.code, 0, "{}", push.stderr);
    assert!(
        push.stderr.contains("push refused: some mutants survived"),
        "{}",
        push.stderr
    );
    push
}

fn remote_main(repo: &TestRepo) -> String {
    repo.git(&["ls-remote", "origin", "refs/heads/main"])
}

#[test]
fn push_is_refused_when_the_pushed_commit_adds_an_untested_function_and_accepted_once_tested() {
    let repo = pushed();
    let before = remote_main(&repo);
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &format!("{calc}{UNTESTED}"));
    repo.commit("add triple");
    let push = push_refused(&repo);
    assert!(
        push.stdout
            .contains("calc.py:6:14  binary-operator  * -> /")
            || push
                .stderr
                .contains("calc.py:6:14  binary-operator  * -> /"),
        "{}\n{}",
        push.stdout,
        push.stderr
    );
    assert!(push.stderr.contains("--no-verify"), "{}", push.stderr);
    // No setting names a budget: the hook's own, which its message names.
    assert!(
        push.stderr
            .contains("within 2m (the hook's budget; change it with git config chimp.budget"),
        "{}",
        push.stderr
    );
    assert_eq!(remote_main(&repo), before, "the remote did not move");
    // Only the new function was tested: add's mutants are not in scope.
    let statuses = repo.statuses();
    assert!(
        statuses.keys().all(|key| key.starts_with("calc.py:6:")),
        "{statuses:?}"
    );

    let tests = std::fs::read_to_string(repo.root.join("test_calc.py")).unwrap();
    repo.write("test_calc.py", &format!("{tests}{KILLS_TRIPLE}"));
    repo.commit("test triple");
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    assert_eq!(push.code, 0, "{}\n{}", push.stdout, push.stderr);
    assert_ne!(remote_main(&repo), before);
}

#[test]
fn a_survivor_found_within_the_budget_refuses_the_push_though_the_budget_ran_out() {
    let repo = pushed();
    // The tests behind a gate: the runs it lets through are fast, the next one waits until
    // the budget stops it.
    let gate = crate::util::RunGate::new(&repo);
    let tests = std::fs::read_to_string(repo.root.join("test_calc.py")).unwrap();
    repo.write("test_calc.py", &gate.guard(&tests));
    repo.commit("tests behind a gate");
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    assert_eq!(push.code, 0, "{}\n{}", push.stdout, push.stderr);
    // Four untested lines: more mutants than the gate lets run.
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    let untested = "\n\ndef fee(amount, rate):\n    base = amount * rate\n    if base > 100:\n        base = base - 5\n    return base + 1\n";
    repo.write("calc.py", &format!("{calc}{untested}"));
    repo.commit("add fee");
    gate.limit(4);
    // The gate counts test processes: the plain runner's, one per mutant.
    repo.git(&["config", "chimp.runner", "command"]);
    repo.git(&["config", "chimp.budget", "10s"]);
    // The run held at the gate waits for the budget, not for a mutant's timeout.
    repo.git(&["config", "chimp.timeout", "120"]);
    let push = push_refused(&repo);
    assert!(
        !push.stderr.contains("the hook's budget"),
        "chimp.budget is the budget: {}",
        push.stderr
    );
    let output = format!("{}{}", push.stdout, push.stderr);
    assert!(output.contains("budget 10s spent"), "{output}");
    let statuses = repo.statuses();
    let count = |status: &str| statuses.values().filter(|each| *each == status).count();
    assert!(count("Survived") >= 1, "{statuses:?}");
    assert!(count("Pending") >= 1, "{statuses:?}");
    assert!(
        gate.count() > 4,
        "the budget ran out while a run waited at the gate"
    );
}

/// A budget spent before any mutant was tested (#27 item 6): the hook lets the push
/// through with a message naming a budget that fits, and the next push says so at once
/// instead of spending its budget again.
#[test]
fn a_budget_spent_before_any_mutant_lets_the_push_through_and_the_next_push_says_so_at_once() {
    let repo = pushed();
    let gate = crate::util::RunGate::new(&repo);
    let tests = std::fs::read_to_string(repo.root.join("test_calc.py")).unwrap();
    repo.write("test_calc.py", &gate.guard(&tests));
    repo.commit("tests behind a gate");
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    assert_eq!(push.code, 0, "{}\n{}", push.stdout, push.stderr);
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &format!("{calc}{UNTESTED}"));
    repo.commit("add triple");
    // Every test process waits at the gate: the baseline never ends within the budget.
    gate.limit(0);
    repo.git(&["config", "chimp.budget", "3s"]);
    repo.git(&["config", "chimp.timeout", "120"]);
    let before = remote_main(&repo);
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    let output = format!("{}{}", push.stdout, push.stderr);
    assert_eq!(push.code, 0, "{output}");
    assert!(
        output.contains(
            "budget 3s spent before any mutant was tested: the baseline had not finished after"
        ),
        "{output}"
    );
    assert!(output.contains("A budget that fits: --budget "), "{output}");
    assert!(
        output.contains("the push goes through untested"),
        "{output}"
    );
    assert_ne!(remote_main(&repo), before, "the push went through");
    assert!(gate.count() >= 1, "the baseline reached the gate");

    // The next push: the last run's cost is known, so no test process starts.
    repo.write(
        "calc.py",
        &format!("{calc}{UNTESTED}\n\ndef four(x):\n    return x * 4\n"),
    );
    repo.commit("add four");
    gate.limit(0);
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    let output = format!("{}{}", push.stdout, push.stderr);
    assert_eq!(push.code, 0, "{output}");
    assert!(
        output.contains("the last run of this test command had not finished its baseline"),
        "{output}"
    );
    assert_eq!(gate.count(), 0, "no test process started: {output}");
}

#[test]
fn a_new_branch_without_upstream_is_tested_since_its_merge_base_with_the_default_branch() {
    let repo = pushed();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &format!("{calc}{UNTESTED}"));
    repo.commit("add triple");
    let main = repo.git(&["rev-parse", "--short", "main"]);
    let push = repo.git_with_chimp(&["push", "origin", "feature"], &[]);
    assert_ne!(push.code, 0, "{}", push.stderr);
    assert!(
        push.stderr.contains(&format!("since {}", main.trim())),
        "{}",
        push.stderr
    );
    assert!(
        repo.statuses()
            .keys()
            .all(|key| key.starts_with("calc.py:6:"))
    );
    assert_eq!(repo.git(&["ls-remote", "origin", "refs/heads/feature"]), "");
}

#[test]
fn no_verify_chimp_skip_and_deletions_pass() {
    let repo = pushed();
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &format!("{calc}{UNTESTED}"));
    repo.commit("add triple");
    let skip = repo.git_with_chimp(
        &["push", "origin", "HEAD:refs/heads/skipped"],
        &[("CHIMP_SKIP", "1")],
    );
    assert_eq!(skip.code, 0, "{}", skip.stderr);
    assert!(skip.stderr.contains("CHIMP_SKIP=1"), "{}", skip.stderr);
    let no_verify = repo.git_with_chimp(&["push", "--no-verify", "origin", "main"], &[]);
    assert_eq!(no_verify.code, 0, "{}", no_verify.stderr);
    let delete = repo.git_with_chimp(&["push", "origin", ":skipped"], &[]);
    assert_eq!(delete.code, 0, "{}", delete.stderr);
    assert_eq!(repo.git(&["ls-remote", "origin", "refs/heads/skipped"]), "");
}

#[test]
fn without_a_configured_test_command_the_hook_runs_the_detected_one() {
    let repo = pushed();
    repo.git(&["config", "--unset", "chimp.tests"]);
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &format!("{calc}{UNTESTED}"));
    repo.commit("add triple");
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    assert_eq!(push.code, 1, "{}", push.stderr);
    assert!(
        push.stderr
            .contains("no test command configured; running `python3 -m unittest -f`"),
        "{}",
        push.stderr
    );
    assert!(push.stderr.contains("push refused"), "{}", push.stderr);
}

#[test]
fn with_no_test_command_to_find_the_hook_says_how_to_set_one_and_lets_the_push_through() {
    let repo = pushed();
    repo.git(&["config", "--unset", "chimp.tests"]);
    repo.git(&["rm", "-q", "test_calc.py"]);
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &format!("{calc}{UNTESTED}"));
    repo.commit("add triple, drop the tests");
    let push = repo.git_with_chimp(&["push", "origin", "main"], &[]);
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert!(
        push.stderr.contains("git config chimp.tests"),
        "{}",
        push.stderr
    );
}

#[test]
fn the_hook_takes_its_test_command_from_pyproject_toml() {
    let repo = pushed();
    repo.git(&["config", "--unset", "chimp.tests"]);
    repo.write(
        "pyproject.toml",
        &format!("[project]\nname = \"calc\"\n\n[tool.chimp]\ntests = \"{UNITTEST}\"\n"),
    );
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write("calc.py", &format!("{calc}{UNTESTED}"));
    repo.commit("configure git-chimp in pyproject.toml; add triple");
    let before = remote_main(&repo);
    push_refused(&repo);
    assert_eq!(remote_main(&repo), before);
}

#[test]
fn hook_install_respects_hooks_path_and_never_clobbers_a_foreign_hook() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.write(".githooks/pre-push", "#!/bin/sh\necho mine\n");
    let refused = repo.chimp(&["hook", "install"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("not git-chimp's"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".githooks/pre-push")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    let uninstall = repo.chimp(&["hook", "uninstall"]);
    assert_eq!(uninstall.code, 1, "{}", uninstall.stderr);
    assert!(repo.root.join(".githooks/pre-push").exists());

    let forced = repo.chimp(&["hook", "install", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    let hook = std::fs::read_to_string(repo.root.join(".githooks/pre-push")).unwrap();
    assert!(hook.contains("# git-chimp pre-push hook"));
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".githooks/pre-push.before-git-chimp")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    assert!(!repo.root.join(".git/hooks/pre-push").exists());
    // Installing again updates our own hook without --force.
    assert_eq!(repo.chimp(&["hook", "install"]).code, 0);
    let removed = repo.chimp(&["hook", "uninstall"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(!repo.root.join(".githooks/pre-push").exists());
}

#[test]
fn a_hooks_directory_that_cannot_be_written_is_a_git_error_naming_it() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    // core.hooksPath names a file: no directory can be made there.
    repo.write("hooks-file", "not a directory\n");
    repo.git(&["config", "core.hooksPath", "hooks-file"]);
    let refused = repo.chimp(&["hook", "install"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("installing the pre-push hook in ")
            && refused.stderr.contains("hooks-file"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join("hooks-file")).unwrap(),
        "not a directory\n"
    );
}
