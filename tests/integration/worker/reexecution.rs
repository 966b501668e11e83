//! Mutants of code that runs at import: the worker re-executes their module, and must
//! give the outcomes fresh runs give; with `--no-reexec` they run from scratch.

use std::collections::BTreeMap;

use super::{
    IMPORT_TIME_SHARES, Shares, agree_on_share, details, reexecuted_count, worker_command,
};
use crate::util::{TestRepo, pytest_python};

/// Mutant key -> status reason, for the mutants of `path` whose reason contains `text`.
fn reasons_containing<'a>(
    found: &'a BTreeMap<String, (String, String, String)>,
    path: &str,
    text: &str,
) -> Vec<(&'a str, &'a str)> {
    found
        .iter()
        .filter(|(key, (_, reason, _))| key.starts_with(path) && reason.contains(text))
        .map(|(key, (_, reason, _))| (key.as_str(), reason.as_str()))
        .collect()
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn import_time_code_gets_the_outcomes_of_fresh_runs_from_module_reexecution() {
    let repo = TestRepo::from_fixture("importtime");
    // The worker on every mutant; the plain runner (a fresh run per mutant, most of the
    // time) on a quarter, compared there: the other quarters are compared on the other
    // Pythons (`agreement_on`).
    let shares = Shares {
        plain: Some(IMPORT_TIME_SHARES[0]),
        worker: None,
    };
    let (found, stderr) = agree_on_share(&repo, &worker_command(), &["--code", "tables"], shares);
    // The machine's python3 (3.11 here), without coverage.py: sys.settrace before 3.12.
    let monitoring = std::process::Command::new(pytest_python())
        .args(["-c", "import sys; print(hasattr(sys, 'monitoring'))"])
        .output()
        .unwrap();
    let tracer = if String::from_utf8_lossy(&monitoring.stdout).trim() == "True" {
        "sys.monitoring"
    } else {
        "settrace"
    };
    assert!(stderr.contains(&format!("s ({tracer})\n")), "{stderr}");
    let in_worker = |key: &str| {
        let (status, reason, killed_by) = found
            .get(key)
            .unwrap_or_else(|| panic!("no mutant {key}: {:?}", found.keys()));
        assert_eq!(status, "Killed", "{key}: {:?}", found[key]);
        assert!(reason.is_empty(), "{key} must run in the worker: {reason}");
        assert!(!killed_by.is_empty(), "{key}");
    };
    // A rule table filled by a helper at import.
    in_worker("tables/rules.py:10:string:\"\"");
    // A constant re-exported by `from .core import *` and imported from the package.
    in_worker("tables/core.py:3:number:11");
    // A module-level lru_cache function that ran at import, a dataclass default, an
    // enum value, a decorator factory's wrapper, a partial table.
    in_worker("tables/cached.py:11:number:11");
    in_worker("tables/models.py:7:number:1");
    in_worker("tables/models.py:16:number:2");
    in_worker("tables/wrapped.py:11:statement-delete:pass");
    in_worker("tables/wrapped.py:30:number:3");
    // The package's own __init__.
    in_worker("tables/__init__.py:5:string:\"\"");
    // Re-executing plugins.py registers its classes twice and raises; re-executing
    // plain.py makes a new Plain that the tests' instance is not one of: both modules
    // keep fresh runs, and say why.
    let plugins = reasons_containing(&found, "tables/plugins.py:", "re-executing");
    assert!(!plugins.is_empty(), "{found:?}");
    for (key, reason) in &plugins {
        assert!(
            reason.contains("run from scratch")
                && reason.contains(
                    "tables/plugins.py unmutated, importing tables/plugins.py raises ValueError"
                ),
            "{key}: {reason}"
        );
    }
    let plain = &found["tables/plain.py:2:string:\"\""];
    assert_eq!(plain.0, "Killed", "{plain:?}");
    assert!(
        plain
            .1
            .contains("tables/plain.py unmutated changes the tests' outcome")
            && plain.1.contains("test_plain fails"),
        "{plain:?}"
    );
    // A constant of a module whose class another module instantiates at import
    // (defaults.py, re-executed after it).
    in_worker("tables/shapes.py:1:number:5");
    // A helper another module under mutation calls at import (derived.py, re-executed
    // after core.py), and a method of a class the tests instantiate while they are
    // collected.
    in_worker("tables/core.py:7:binary-operator:/");
    in_worker("tables/shapes.py:9:binary-operator:/");
    // Without `self.side = side` the test module's own import fails: a fresh run cannot
    // collect the tests.
    let side = &found["tables/shapes.py:6:statement-delete:pass"];
    assert_eq!(
        (side.0.as_str(), side.1.as_str()),
        (
            "Killed",
            "with the mutant, importing tests/test_tables.py raises AttributeError: \
             'Square' object has no attribute 'side'"
        )
    );
    // A function conftest.py calls at import: conftest is not re-executed, so a fresh
    // run decides.
    let conftest = &found["tables/helpers.py:2:return-value:None"];
    assert!(
        conftest.1.contains("run from scratch") && conftest.1.contains("tests/conftest.py"),
        "{conftest:?}"
    );
    // Survivors of a re-executed module are confirmed by a fresh run.
    let label = &found["tables/models.py:9:string:\"\""];
    assert_eq!(label.0, "Survived", "{label:?}");
    assert!(label.1.contains("confirmed by a fresh run"), "{label:?}");
    // ... and keep what the worker's probe found (#29).
    assert!(
        label.1.contains("; differing input: ") || label.1.contains("; no differing input found ("),
        "{label:?}"
    );
    assert!(reexecuted_count(&stderr) > 0, "{stderr}");
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn no_reexec_runs_import_time_mutants_from_scratch() {
    let repo = TestRepo::from_fixture("importtime");
    let tests = worker_command();
    let run = repo.chimp(&[
        "--tests",
        &tests,
        "--no-cache",
        "--no-reexec",
        "--code",
        "tables/core.py",
        "--code",
        "tables/rules.py",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let found = details(&repo);
    for key in [
        "tables/rules.py:10:string:\"\"",
        "tables/core.py:3:number:11",
    ] {
        let (status, reason, _) = &found[key];
        assert_eq!(status, "Killed", "{key}");
        assert!(reason.contains("--no-reexec"), "{key}: {reason}");
    }
    assert!(run.stderr.contains("(0 by re-executing"), "{}", run.stderr);
}

/// A survivor of re-executing its module (a changed default is evaluated when the module
/// runs) gets a concrete input from the worker's probe (#29): the tests always pass
/// `height`; the recorded call with it left out tells the mutant apart. The fresh run
/// confirms the survivor, and the report keeps both.
#[test]
#[ignore = "needs the package registry (pytest)"]
fn a_survivor_of_a_changed_default_gets_an_input_from_the_probe() {
    let repo = TestRepo::new(&[
        (
            "calc.py",
            "def area(width, height=1):\n    return width * height\n",
        ),
        (
            "tests/test_calc.py",
            "from calc import area\n\n\ndef test_area():\n    assert area(2, 3) == 6\n",
        ),
    ]);
    let run = repo.chimp(&[
        "--tests",
        &worker_command(),
        "--no-cache",
        "--runner",
        "pytest",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let found = details(&repo);
    let (status, reason, _) = &found["calc.py:1:number:2"];
    assert_eq!(status, "Survived", "{found:?}");
    assert_eq!(
        reason,
        "run from scratch: a survivor of re-executing calc.py, confirmed by a fresh run; \
         differing input: from calc import area\nassert area(2) == 2"
    );
    assert!(
        run.stdout.contains("assert area(2) == 2") || run.stderr.contains("assert area(2) == 2"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}
