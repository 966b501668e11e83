//! Every mutant git-chimp makes must still be valid Python. This checks that over a large
//! real corpus: the Python standard library of the machine's `python3`. Each mutant is
//! re-parsed (its enclosing definition, by rustpython-parser), and a sample is checked by
//! CPython's own parser too.
//!
//! By default every 8th file is covered (a few hundred files, tens of thousands of
//! mutants); `CHIMP_CORPUS_FULL=1` covers every file.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
#![allow(
    unreachable_pub,
    clippy::pedantic,
    reason = "test helpers are shared by `pub` across modules; tests read best plainly"
)]

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use git_chimp::python::discover::mutate_source;
use git_chimp::python::operators::Operator;

#[path = "support/stdlib.rs"]
mod stdlib;

#[test]
#[ignore = "the standard-library corpus, about a minute: .ci/run runs it"]
fn every_mutant_of_the_standard_library_reparses() {
    let files = stdlib::python_files();
    assert!(files.len() > 1000, "found only {} files", files.len());
    let step = if std::env::var_os("CHIMP_CORPUS_FULL").is_some() {
        1
    } else {
        8
    };
    let operators: BTreeSet<Operator> = Operator::ALL.into_iter().collect();
    let mut checked = 0usize;
    let mut per_operator: BTreeSet<Operator> = BTreeSet::new();
    let mut failures = Vec::new();
    let mut cpython_sample = Vec::new();
    for path in files.iter().step_by(step) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(mutants) = mutate_source(&path.to_string_lossy(), &text, &operators) else {
            continue;
        };
        for (index, mutant) in mutants.iter().enumerate() {
            checked += 1;
            per_operator.insert(mutant.operator);
            if !mutant.reparses(&text) {
                failures.push(format!(
                    "{}:{}:{} {} {:?} -> {:?}",
                    path.display(),
                    mutant.start.line,
                    mutant.start.column,
                    mutant.operator,
                    mutant.original,
                    mutant.replacement
                ));
            }
            if index % 97 == 0 {
                cpython_sample.push(mutant.mutated_text(&text));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} mutants do not parse:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    assert_eq!(
        per_operator.len(),
        Operator::ALL.len(),
        "every operator is exercised: {per_operator:?}"
    );
    assert!(checked > 50_000, "only {checked} mutants");

    // CPython's parser agrees on a sample of whole mutated files.
    let mut child = Command::new("python3")
        .args(["-c", "import ast, json, sys\nbad = 0\nfor line in sys.stdin:\n    src = json.loads(line)\n    try:\n        ast.parse(src)\n    except SyntaxError as e:\n        bad += 1\n        print(e, file=sys.stderr)\nprint(bad)"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for text in &cpython_sample {
            writeln!(stdin, "{}", serde_json::to_string(text).unwrap()).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "0",
        "CPython rejects some of {} sampled mutants",
        cpython_sample.len()
    );
}
