//! Tests collected in a different order or with other parameters in each process: the
//! other sandboxes' workers take the first worker's traced records by test id, so a
//! parametrisation over a set (its order follows the strings' hashes, randomised per
//! process unless `PYTHONHASHSEED` is fixed) must not send a mutant to a test that does
//! not reach it.

use crate::util::{TestRepo, pytest_python, run};

const DATES: &str = r#"from datetime import date


def parse(text):
    parts = text.split("-")
    if len(parts[0]) == 2:
        return date(int(parts[0]) * 100 + 1, 1, 1)
    year = int(parts[0])
    if len(parts) == 1:
        return date(year, 1, 1)
    month = int(parts[1])
    if len(parts) == 2:
        return date(year, month, 1)
    return date(year, month, int(parts[2]))
"#;

// As isodate's tests do: a set of cases. The frozensets and dates get index ids
// (`text0-expected0`), so which case an id names depends on the set's order.
const DATE_TESTS: &str = r#"from datetime import date

import pytest

from dates import parse

CASES = {
    ("19", date(1901, 1, 1)),
    ("20", date(2001, 1, 1)),
    ("1985", date(1985, 1, 1)),
    ("1985-04", date(1985, 4, 1)),
    ("1985-04-12", date(1985, 4, 12)),
    ("2001-12-31", date(2001, 12, 31)),
    ("1999-01", date(1999, 1, 1)),
    ("2024", date(2024, 1, 1)),
}


@pytest.mark.parametrize("text,expected", CASES)
def test_parse(text, expected):
    assert parse(text) == expected
"#;

/// Mutant id -> status of `repo`'s last report.
fn statuses(repo: &TestRepo) -> std::collections::BTreeMap<String, String> {
    repo.report_mutants()
        .iter()
        .map(|(_, mutant)| {
            let id = mutant["id"].as_str().unwrap().to_owned();
            (id, mutant["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn set_ordered_parametrisations_get_the_plain_runners_outcomes() {
    let repo = TestRepo::new(&[("dates.py", DATES), ("tests/test_dates.py", DATE_TESTS)]);
    let tests = format!(
        "{} -m pytest -q -p no:cacheprovider",
        pytest_python().display()
    );
    let args = ["--tests", &tests, "--no-cache", "-j", "2", "--runner"];
    let sweep = |runner: &str, seed: Option<&str>| {
        let mut command = repo.chimp_in("", &args);
        command.arg(runner);
        if let Some(seed) = seed {
            command.env("PYTHONHASHSEED", seed);
        }
        let run = run(command);
        assert!(
            run.code == 0 || run.code == 2,
            "{}\n{}",
            run.stdout,
            run.stderr
        );
        (statuses(&repo), run.stderr)
    };
    // Every mutant is killed by a fresh run of the tests: each branch has its own case,
    // and each case its own mutants (the plain runner said so, mutant by mutant, when
    // this test was written; the worker tests compare the two runners elsewhere).
    // git-chimp fixes the seed for every process it starts; and where the user asked
    // for random hashes, the workers must notice that their cases differ.
    for seed in [None, Some("random")] {
        let (warm, stderr) = sweep("pytest", seed);
        assert!(stderr.contains("ran in the pytest worker"), "{stderr}");
        assert!(warm.len() > 10, "{warm:?}");
        let survivors: Vec<_> = warm
            .iter()
            .filter(|(_, status)| *status != "Killed")
            .collect();
        assert!(
            survivors.is_empty(),
            "PYTHONHASHSEED {seed:?}: {survivors:?}\n{stderr}"
        );
        // With git-chimp's seed every worker collects the same cases; with random
        // hashes the second sandbox's worker must have seen that its cases differ.
        let noticed = stderr.contains("were collected here as other cases");
        assert_eq!(noticed, seed.is_some(), "PYTHONHASHSEED {seed:?}\n{stderr}");
    }
}
