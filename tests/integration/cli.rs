//! The command line: listing, operators, usage and repository errors.

use crate::sweep::{UNITTEST, gaps};
use crate::util::{TestRepo, run};

#[test]
fn list_prints_mutants_in_order_without_running_anything() {
    let repo = gaps();
    let before = repo.snapshot();
    let list = repo.chimp(&["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 12, "{}", list.stdout);
    assert!(
        lines[0].starts_with("calc.py:2:12  return-value  a + b -> None  ["),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("calc.py:2:14  binary-operator  + -> -  ["),
        "{}",
        lines[1]
    );
    // The docstring is never mutated; the test file is never mutated.
    assert!(!list.stdout.contains("Say which side"));
    assert!(!list.stdout.contains("test_calc.py"));
    assert!(!repo.root.join(".chimp/report.json").exists());
    assert_eq!(repo.chimp(&["--list"]).stdout, list.stdout);
    repo.assert_checkout_untouched(&before);
}

#[test]
fn chaos_chimp_command_line_works_as_written() {
    let repo = TestRepo::new(&[
        ("validator/core.py", "def ok(x):\n    return x > 0\n"),
        ("chaos/chaos.py", "print(1 + 1)\n"),
        ("tests/helpers.py", "Y = 2\n"),
        ("docs/conf.py", "Z = 3\n"),
    ]);
    let list = repo.chimp(&[
        "list",
        "--code",
        ".",
        "--exclude",
        "./chaos/*",
        "./tests/*",
        "docs/*",
        "--timeout",
        "60",
    ]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stdout.contains("validator/core.py:2"),
        "{}",
        list.stdout
    );
    assert!(!list.stdout.contains("chaos/"), "{}", list.stdout);
    assert!(!list.stdout.contains("docs/"), "{}", list.stdout);
    let from_sub = run(repo.chimp_in("validator", &["list", "--code", "."]));
    assert_eq!(from_sub.stdout, list.stdout);
}

#[test]
fn operators_lists_every_operator_with_a_description() {
    let repo = gaps();
    let run = repo.chimp(&["operators"]);
    assert_eq!(run.code, 0);
    for name in [
        "statement-delete",
        "return-value",
        "binary-operator",
        "augmented-assign",
        "comparison",
        "boolean-operator",
        "unary-operator",
        "condition",
        "number",
        "boolean-constant",
        "string",
        "loop-control",
        "zero-iteration",
        "exception-handler",
        "decorator",
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|line| line.starts_with(name) && line.len() > name.len() + 5),
            "{name}"
        );
    }
}

/// `git chimp arid` prints each rule's name, whether it is on by default, and its doc:
/// what `--arid`/`--no-arid` and `[tool.chimp]`'s `arid` switch.
#[test]
fn arid_lists_every_rule_with_its_default_and_what_it_leaves_alone() {
    let repo = gaps();
    let run = repo.chimp(&["arid"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let headers: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| !line.starts_with(' ') && !line.is_empty())
        .collect();
    assert_eq!(
        headers,
        [
            "deprecation-arguments (default: on)",
            "help-text (default: on)",
            "exception-message (default: on)",
            "typing-arguments (default: on)",
            "repr (default: on)",
            "logging (default: on)",
            "main-block (default: on)",
            "no-cover (default: off)",
            "namespace-del (default: on)",
            "doc-assignments (default: on)",
            "argparse-str-type (default: on)",
            "local-del (default: on)",
            "dead-code (default: on)",
            "version-check (default: on)",
            "import-fallback (default: on)",
        ]
    );
    assert!(
        run.stdout
            .contains("    The body of a `__repr__` method: text for debugging."),
        "{}",
        run.stdout
    );
}

#[test]
fn operators_option_selects_and_rejects_unknown_names() {
    let repo = gaps();
    let list = repo.chimp(&["list", "--operators", "comparison,number"]);
    assert_eq!(list.stdout.lines().count(), 4, "{}", list.stdout);
    let bad = repo.chimp(&["list", "--operators", "comparsion"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("unknown operator `comparsion`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn outside_a_git_repository_is_a_git_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_git-chimp"));
    command
        .args(["--tests", "true"])
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap());
    let run = run(command);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn running_without_a_test_command_is_a_usage_error() {
    // No tests at all: nothing to detect.
    let repo = TestRepo::new(&[("calc.py", crate::sweep::GAPS_CALC)]);
    let run = repo.chimp(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no test command"), "{}", run.stderr);
    let bad = repo.chimp(&["--tests", UNITTEST, "--timeout", "-3"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
}

#[test]
fn a_file_that_does_not_parse_is_skipped_by_name_and_the_run_goes_on() {
    let repo = gaps();
    repo.write("broken.py", "def f(:\n    pass\n");
    repo.commit("broken");
    let list = repo.chimp(&["list"]);
    assert_eq!(list.code, 0);
    assert!(
        list.stderr
            .contains("skipping broken.py: does not parse (line 1"),
        "{}",
        list.stderr
    );
    assert_eq!(list.stdout.lines().count(), 12);
    let run = repo.chimp(&["--tests", UNITTEST, "--operators", "comparison"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("skipping broken.py"), "{}", run.stderr);
}

#[test]
fn pragma_no_mutate_lines_are_skipped() {
    let repo = TestRepo::new(&[("m.py", "A = 1  # pragma: no mutate\nB = 2\nprint(A, B)\n")]);
    let list = repo.chimp(&["list"]);
    assert!(!list.stdout.contains("m.py:1:"), "{}", list.stdout);
    assert!(list.stdout.contains("m.py:2:"), "{}", list.stdout);
}

#[test]
fn symbolic_links_are_never_mutated_through() {
    let repo = TestRepo::new(&[("real.py", "A = 1\n")]);
    std::os::unix::fs::symlink("real.py", repo.root.join("link.py")).unwrap();
    repo.commit("link");
    let list = repo.chimp(&["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.contains("real.py:1:"), "{}", list.stdout);
    assert!(!list.stdout.contains("link.py"), "{}", list.stdout);
    assert!(
        list.stderr.contains("skipping link.py: a symbolic link"),
        "{}",
        list.stderr
    );
}

#[test]
fn a_code_path_that_does_not_exist_is_a_usage_error() {
    let repo = gaps();
    let run = repo.chimp(&["list", "--code", "srcc"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--code srcc: no such file or directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn chimp_log_shows_diagnostics_and_every_run_keeps_a_debug_log() {
    let repo = crate::sweep::gaps();
    let quiet = repo.chimp(&["--tests", crate::sweep::UNITTEST]);
    assert_eq!(quiet.code, 2, "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("DEBUG"), "{}", quiet.stderr);
    let log = std::fs::read_to_string(repo.root.join(".chimp/debug.log")).unwrap();
    // The status lines and the per-mutant diagnostics, from before `.chimp/` existed too.
    assert!(log.contains("mutants in 1 files"), "{log}");
    assert!(
        log.contains("DEBUG") && log.contains(": survived in "),
        "{log}"
    );
    assert!(log.contains("git-chimp 0."), "{log}");

    let mut command = repo.chimp_in("", &["--tests", crate::sweep::UNITTEST, "--no-cache"]);
    command.env("CHIMP_LOG", "debug");
    let verbose = crate::util::run(command);
    assert_eq!(verbose.code, 2, "{}", verbose.stderr);
    assert!(
        verbose.stderr.contains("git-chimp: DEBUG: mutant "),
        "{}",
        verbose.stderr
    );
    assert_eq!(repo.statuses(), crate::sweep::expected_gaps());

    let mut command = repo.chimp_in("", &["list"]);
    command.env("CHIMP_LOG", "no such=level=x");
    // A stray variable must not stop a command (or a push): a warning, then the default.
    let bad = crate::util::run(command);
    assert_eq!(bad.code, 0, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("git-chimp: warning: CHIMP_LOG=no such=level=x: not a log filter"),
        "{}",
        bad.stderr
    );
}
