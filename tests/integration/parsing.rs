//! Modern Python (3.12-3.14 syntax) is mutated, not skipped; a file that really does not
//! parse is skipped visibly (counted in the summary, listed in report.json), and
//! `--strict-parse` (or `strict-parse = true`) makes it an error.

use crate::util::{TestRepo, pyenv_python};

/// PEP 701: quotes reused inside replacement fields (Python 3.12+).
const PEP701: &str = "def both(d):\n    return f\"{d[\"a\"]} and {\", \".join(d[\"b\"])}\"\n\n\ndef bigger(x, y):\n    return f\"{x if x > 1 else y}\"\n";

const TESTS: &str = "import unittest\n\nimport pep701\n\n\nclass T(unittest.TestCase):\n    def test_both(self):\n        self.assertEqual(pep701.both({\"a\": \"x\", \"b\": [\"y\", \"z\"]}), \"x and y, z\")\n\n    def test_bigger(self):\n        self.assertEqual(pep701.bigger(2, 0), \"2\")\n        self.assertEqual(pep701.bigger(1, 0), \"0\")\n";

#[test]
fn pep_701_code_is_mutated_inside_its_fields_and_a_broken_file_is_counted() {
    let repo = TestRepo::new(&[
        ("pep701.py", PEP701),
        ("broken.py", "def f(:\n    pass\n"),
        ("test_pep701.py", TESTS),
    ]);
    let python = pyenv_python("3.13");
    let tests = format!("{} -m unittest -q", python.display());
    let run = repo.chimp(&["--tests", &tests]);
    assert!(
        run.code == 0 || run.code == 2,
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout
            .contains("1 file skipped: does not parse (broken.py; the reasons are in report.json)"),
        "{}",
        run.stdout
    );
    let report = repo.report();
    let skipped = &report["config"]["skipped"];
    assert_eq!(skipped[0]["path"], "broken.py", "{report}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("does not parse (line 1, column 7"),
        "{report}"
    );
    let statuses = repo.statuses();
    // Inside the replacement fields: the comparison and the number of `x > 1`, the
    // condition of the conditional expression, the strings of the subscripts.
    for key in [
        "pep701.py:6:comparison:>=",
        "pep701.py:6:number:2",
        "pep701.py:2:string:\"\"",
    ] {
        assert!(statuses.contains_key(key), "{key} not in {statuses:#?}");
    }
    assert_eq!(
        statuses["pep701.py:6:comparison:>="], "Killed",
        "{statuses:#?}"
    );
    assert!(!statuses.keys().any(|key| key.starts_with("broken.py")));

    // --strict-parse, and its file key, stop before anything runs.
    let strict = repo.chimp(&["list", "--strict-parse"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict
            .stderr
            .contains("broken.py: does not parse (line 1, column 7")
            && strict.stderr.contains("--strict-parse"),
        "{}",
        strict.stderr
    );
    repo.write("pyproject.toml", "[tool.chimp]\nstrict-parse = true\n");
    let strict = repo.chimp(&["--tests", &tests]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict.stderr.contains("broken.py") && !strict.stderr.contains("baseline"),
        "{}",
        strict.stderr
    );
}
