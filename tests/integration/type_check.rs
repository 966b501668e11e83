//! `--type-check`: mutants mypy or ty (from the package registry) reject are type errors,
//! detected without a test run; the rest run as without it; a missing checker is an
//! error before anything runs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::util::TestRepo;

const TYPED: &str = "def total(prices: list[int], tax: int) -> int:
    subtotal = sum(prices)
    if subtotal > 100:
        subtotal = subtotal - 10
    return subtotal * tax


def label(count: int) -> str:
    if count == 1:
        return \"one item\"
    return str(count) + \" items\"
";

const TESTS: &str = "import unittest

from calc import label, total


class CalcTest(unittest.TestCase):
    def test_total(self):
        self.assertEqual(total([50, 60], 2), 200)

    def test_label(self):
        self.assertEqual(label(1), \"one item\")
";

/// The mutants both checkers reject, as `line operator replacement`.
const REJECTED: [&str; 7] = [
    "2 call-argument None",
    "2 statement-delete pass",
    "5 binary-operator /",
    "5 return-value None",
    "10 return-value None",
    "11 binary-operator -",
    "11 return-value None",
];

fn checkers_python() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(|| crate::util::shared_venv("typecheck-venv", &["mypy", "ty"]))
        .clone()
}

/// `line operator replacement` -> (status, reason) of every mutant in the report.
fn outcomes(repo: &TestRepo) -> BTreeMap<String, (String, String)> {
    repo.report_mutants()
        .into_iter()
        .map(|(_, mutant)| {
            (
                format!(
                    "{} {} {}",
                    mutant["location"]["start"]["line"],
                    mutant["mutatorName"].as_str().unwrap(),
                    mutant["replacement"].as_str().unwrap()
                ),
                (
                    mutant["status"].as_str().unwrap().to_owned(),
                    mutant["statusReason"].as_str().unwrap_or("").to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs the package registry (mypy, ty)"]
fn mypy_and_ty_reject_the_mutants_that_are_type_errors_and_the_rest_run_as_without() {
    let python = checkers_python();
    let tests = format!("{} -m unittest -q", python.display());
    let repo = TestRepo::new(&[("calc.py", TYPED), ("test_calc.py", TESTS)]);
    let before = repo.snapshot();
    let plain = repo.chimp(&["--tests", &tests, "--no-cache"]);
    assert_eq!(plain.code, 2, "{}", plain.stderr);
    let truth = outcomes(&repo);
    assert_eq!(truth.len(), 19, "{truth:#?}");
    for checker in ["mypy", "ty"] {
        let run = repo.chimp(&["--tests", &tests, "--type-check", checker]);
        assert_eq!(run.code, 2, "{checker}: {}", run.stderr);
        let checked = outcomes(&repo);
        let rejected: Vec<&str> = checked
            .iter()
            .filter(|(_, (status, _))| status == "CompileError")
            .map(|(key, _)| key.as_str())
            .collect();
        let mut expected = REJECTED.to_vec();
        expected.sort_unstable();
        assert_eq!(rejected, expected, "{checker}");
        for key in &rejected {
            let reason = &checked[*key].1;
            assert!(
                reason.starts_with(&format!("{checker}: error")),
                "{checker} {key}: {reason}"
            );
        }
        // Every other mutant has the outcome its tests give.
        for (key, (status, _)) in &checked {
            if !REJECTED.contains(&key.as_str()) {
                assert_eq!(status, &truth[key].0, "{checker} {key}");
            }
        }
        assert!(run.stdout.contains("7 type-error"), "{}", run.stdout);
        assert!(
            run.stdout.contains("7 rejected by the type checker"),
            "{}",
            run.stdout
        );
        assert!(
            run.stderr
                .contains(&format!("--type-check {checker}: 7 of ")),
            "{}",
            run.stderr
        );
    }
    // Type errors count as detected: 8 killed + 7 of 19.
    let run = repo.chimp(&["--tests", &tests, "--type-check", "ty"]);
    assert!(
        run.stdout.contains("mutation score: 78.9%"),
        "{}",
        run.stdout
    );
    repo.assert_checkout_untouched(&before);
    // No copy is left in the sandboxes.
    let sandboxes = repo.root.join(".git/chimp");
    let left = std::process::Command::new("find")
        .arg(&sandboxes)
        .args(["-name", "_chimp_*"])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&left.stdout)
    );
}

#[test]
fn a_checker_that_is_missing_or_not_checking_is_an_error_before_anything_runs() {
    let repo = TestRepo::new(&[("calc.py", TYPED), ("test_calc.py", TESTS)]);
    for (checker, expected) in [
        ("ty-that-does-not-exist", "not found"),
        (
            "true",
            "did not report the type error in a file made to have one",
        ),
        ("exit 3 #", "failed"),
    ] {
        let run = repo.chimp(&["--tests", "python3 -m unittest -q", "--type-check", checker]);
        assert_eq!(run.code, 1, "{checker}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{checker}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was run"),
            "{checker}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("baseline"),
            "{checker}: {}",
            run.stderr
        );
    }
}
