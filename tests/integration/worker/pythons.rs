//! The worker on every supported Python: its agreement with the plain runner there,
//! the worker package's own tests, and its type hints under mypy for Python 3.9.

use super::{
    CALC, CALC_TESTS, IMPORT_TIME_SHARES, LATE, Shares, agree_on_share, pytest_command_of,
    reexecuted_count,
};
use crate::util::{PYTHON_VERSIONS, TestRepo, pyenv_python, pytest_python_of};

/// The worker package's own tests (`src/execution/worker/tests`) on Python `version`.
fn worker_package_tests_pass_on(version: &str) {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(pytest_python_of(version))
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "src/execution/worker/tests",
        ])
        .current_dir(manifest)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "Python {version}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

// One test per Python (of `PYTHON_VERSIONS`), so that they share the suite's threads.
#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_9() {
    worker_package_tests_pass_on("3.9");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_11() {
    worker_package_tests_pass_on("3.11");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_12() {
    worker_package_tests_pass_on("3.12");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_packages_own_tests_pass_on_python_3_13() {
    worker_package_tests_pass_on("3.13");
}

#[test]
fn the_worker_package_is_tested_on_every_python() {
    let source = include_str!("pythons.rs");
    for version in PYTHON_VERSIONS {
        let name = format!(
            "fn the_worker_packages_own_tests_pass_on_python_{}()",
            version.replace('.', "_")
        );
        assert!(source.contains(&name), "no `{name}` for Python {version}");
    }
}

/// The worker on Python `version` against the plain runner on the same Python, on
/// `import_time` (a share of [`IMPORT_TIME_SHARES`]) of the import-time fixture's mutants
/// and `calc` of CALC's. The plain runner (a fresh run per mutant) is most of these
/// tests' time: the three versions besides the default take a share each, so every
/// mutant is compared on one of them; CALC's are all compared on the default Python too
/// (`worker_agrees_...`).
fn agreement_on(version: &str, import_time: &str, calc: &str) {
    let tests = pytest_command_of(&pytest_python_of(version));
    let repo = TestRepo::from_fixture("importtime");
    let (found, stderr) = agree_on_share(
        &repo,
        &tests,
        &["--code", "tables"],
        Shares::both(import_time),
    );
    assert!(
        found
            .values()
            .any(|(status, reason, _)| status == "Killed" && reason.is_empty()),
        "{found:?}"
    );
    assert!(reexecuted_count(&stderr) > 0, "{stderr}");
    // The venv has coverage.py: before 3.12 its C tracer traces the tests.
    let tracer = if version == "3.9" {
        "coverage.py"
    } else {
        "sys.monitoring"
    };
    assert!(stderr.contains(&format!("s ({tracer})\n")), "{stderr}");
    // late.py meets the other Pythons in the worker package's own tests (test_warm.py).
    let repo = TestRepo::new(&[
        ("calc.py", CALC),
        ("late.py", LATE),
        ("tests/test_calc.py", CALC_TESTS),
    ]);
    agree_on_share(&repo, &tests, &["--exclude", "late.py"], Shares::both(calc));
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_agrees_with_the_plain_runner_on_python_3_9() {
    agreement_on("3.9", IMPORT_TIME_SHARES[1], "1/3");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_agrees_with_the_plain_runner_on_python_3_12() {
    agreement_on("3.12", IMPORT_TIME_SHARES[2], "2/3");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_worker_agrees_with_the_plain_runner_on_python_3_13() {
    agreement_on("3.13", IMPORT_TIME_SHARES[3], "3/3");
}

/// The worker package's type hints, checked by mypy as `src/execution/worker/mypy.ini`
/// says: for Python 3.9, the oldest the worker runs in. So mypy runs in Python 3.9,
/// where pip picks the newest mypy that still checks for 3.9 and the newest pytest that
/// still runs there (later ones are written in 3.10's syntax).
#[test]
#[ignore = "needs the package registry (mypy, pytest)"]
fn the_worker_package_type_checks_under_mypy() {
    let python = crate::util::shared_venv_of(
        &pyenv_python("3.9"),
        "worker-mypy-venv",
        &["mypy", "pytest"],
    );
    let worker = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/execution/worker");
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("worker-mypy-cache");
    let mut command = std::process::Command::new(&python);
    command
        .args([
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "git_chimp_worker",
        ])
        .arg("--cache-dir")
        .arg(&cache)
        .current_dir(&worker);
    let run = crate::util::run(command);
    assert_eq!(
        run.code, 0,
        "mypy found problems:\n{}\n{}",
        run.stdout, run.stderr
    );
}
