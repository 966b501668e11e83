//! Every file CPython accepts must parse, and every mutant git-chimp makes must still be
//! valid Python. This checks both over large real corpora: the standard libraries of
//! every CPython 3.9 and later that pyenv has (3.9 to 3.13 on the CI machines), plus the
//! machine's `python3`.
//!
//! - Each interpreter says which of its own `Lib/` files it accepts (`ast.parse`); git-chimp
//!   must parse all of those. The files it rejects (deliberately broken test data, Python
//!   2 examples) are left out, and listed in the failure message if git-chimp parses
//!   fewer.
//! - Every mutant of every 8th file (every file with `CHIMP_CORPUS_FULL=1`) is re-parsed
//!   (its enclosing definition, by ruff's parser), and a sample of whole mutated files by
//!   the matching CPython too.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
#![allow(
    unreachable_pub,
    clippy::pedantic,
    reason = "test helpers are shared by `pub` across modules; tests read best plainly"
)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git_chimp::python::discover::mutate_source;
use git_chimp::python::encoding::decode;
use git_chimp::python::operators::Operator;

#[path = "support/stdlib.rs"]
mod stdlib;

/// Each CPython 3.9+ under pyenv, by its `python` binary, newest last.
fn interpreters() -> Vec<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT").map_or_else(
        || Path::new(&std::env::var("HOME").unwrap()).join(".pyenv"),
        PathBuf::from,
    );
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(root.join("versions"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let minor: u32 = name.strip_prefix("3.")?.split('.').next()?.parse().ok()?;
                    let python = entry.path().join("bin/python3");
                    (minor >= 9 && python.exists()).then_some((minor, python))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.into_iter().map(|(_, python)| python).collect()
}

/// Run `script` with `python`, feeding `lines` on stdin; its stdout.
fn python(python: &Path, script: &str, lines: &[String]) -> String {
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for line in lines {
            writeln!(stdin, "{line}").unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{} failed", python.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The files of `python`'s standard library that it accepts itself.
const ACCEPTED: &str = "import ast, sys, warnings\nwarnings.simplefilter('ignore')\nfor line in sys.stdin:\n    path = line.rstrip('\\n')\n    try:\n        ast.parse(open(path, 'rb').read())\n    except (SyntaxError, ValueError):\n        continue\n    print(path)";

/// How many of the JSON-encoded sources on stdin `python` rejects (each one's error on
/// stderr).
const REJECTED: &str = "import ast, json, sys, warnings\nwarnings.simplefilter('ignore')\nbad = 0\nfor line in sys.stdin:\n    try:\n        ast.parse(json.loads(line))\n    except SyntaxError as e:\n        bad += 1\n        print(e, file=sys.stderr)\nprint(bad)";

fn check_one_library(python_bin: &Path, full: bool) -> (usize, usize) {
    let lib = PathBuf::from(
        python(
            python_bin,
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
            &[],
        )
        .trim(),
    );
    let files = stdlib::python_files_in(&lib);
    assert!(
        files.len() > 1000,
        "{}: only {} files",
        lib.display(),
        files.len()
    );
    let listed: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let accepted: BTreeSet<String> = python(python_bin, ACCEPTED, &listed)
        .lines()
        .map(str::to_owned)
        .collect();
    let operators: BTreeSet<Operator> = Operator::ALL.into_iter().collect();
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    let mut cpython_sample = Vec::new();
    let mut checked = 0usize;
    let mut per_operator: BTreeSet<Operator> = BTreeSet::new();
    for (index, path) in files.iter().enumerate() {
        let shown = path.display().to_string();
        if !accepted.contains(&shown) {
            continue;
        }
        let Ok((text, _)) = decode(std::fs::read(path).unwrap()) else {
            skipped.push(format!("{shown}: not decodable"));
            continue;
        };
        let sampled = full || index % 8 == 0;
        let mutants = match mutate_source(&shown, &text, &operators) {
            Ok(mutants) => mutants,
            Err(skip) => {
                skipped.push(format!("{shown}: {skip}"));
                continue;
            }
        };
        if !sampled {
            continue;
        }
        for (number, mutant) in mutants.iter().enumerate() {
            checked += 1;
            per_operator.insert(mutant.operator);
            if !mutant.reparses(&text) {
                failures.push(format!(
                    "{shown}:{}:{} {} {:?} -> {:?}",
                    mutant.start.line,
                    mutant.start.column,
                    mutant.operator,
                    mutant.original,
                    mutant.replacement
                ));
            }
            if number % 97 == 0 {
                cpython_sample.push(serde_json::to_string(&mutant.mutated_text(&text)).unwrap());
            }
        }
    }
    let name = python_bin.display();
    assert!(
        skipped.is_empty(),
        "{name}: {} files CPython accepts do not parse:\n{}",
        skipped.len(),
        skipped.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{name}: {} of {checked} mutants do not parse:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    assert_eq!(
        per_operator.len(),
        Operator::ALL.len(),
        "{name}: every operator is exercised: {per_operator:?}"
    );
    assert!(checked > 50_000, "{name}: only {checked} mutants");
    let rejected = python(python_bin, REJECTED, &cpython_sample);
    assert_eq!(
        rejected.trim(),
        "0",
        "{name}: CPython rejects some of {} sampled mutants",
        cpython_sample.len()
    );
    (accepted.len(), checked)
}

#[test]
#[ignore = "the standard-library corpora of every CPython, a few minutes: .ci/run runs it"]
fn every_file_cpython_accepts_parses_and_every_mutant_reparses() {
    let full = std::env::var_os("CHIMP_CORPUS_FULL").is_some();
    let mut pythons = interpreters();
    if pythons.is_empty() {
        // Without pyenv: the machine's python3 alone.
        pythons.push(PathBuf::from("python3"));
    }
    for python_bin in &pythons {
        let (files, mutants) = check_one_library(python_bin, full);
        eprintln!(
            "{}: {files} files parse, {mutants} mutants re-parse",
            python_bin.display()
        );
    }
}
