//! Every file CPython accepts must parse, and every mutant git-chimp makes must still be
//! valid Python. This checks both over large real corpora: the standard libraries of
//! every CPython 3.9 and later that pyenv has (3.9 to 3.13 on the CI machines), plus the
//! machine's `python3`.
//!
//! - Each interpreter says which of its own `Lib/` files it accepts (`ast.parse`); git-chimp
//!   must parse all of those. The files it rejects (deliberately broken test data, Python
//!   2 examples) are left out, and listed in the failure message if git-chimp parses
//!   fewer.
//! - Mutants are re-parsed (their enclosing definition, by ruff's parser), and every 97th
//!   mutant of a file (at most four of a large file's, spread over it) as a whole mutated
//!   file by the matching CPython too. Which files'
//!   mutants:
//!   - the oldest and the newest CPython: every 8th file;
//!   - the ones in between: a seeded sample of one in 16 of the files whose text neither
//!     the oldest nor the newest library has (`CHIMP_CORPUS_SEED`, printed on failure).
//!     Syntax new in a version can only be in such files (identical text gives the same
//!     mutants, sampled at the ends), and a version-specific parse of any file is caught
//!     by the first check, which still covers every file. About 50 files and 55,000
//!     mutants a version (30 s each, against 80 s for one of the ends);
//!   - with `CHIMP_CORPUS_FULL=1`: every file of every CPython.
//!
//! One test per CPython, so the test runner spreads them over the cores.

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
use std::sync::OnceLock;
use std::time::{Duration, Instant};

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
/// stderr). Parsed as UTF-8 bytes, as a file is read: a leading byte-order mark is then
/// the encoding's signature, not a character.
const REJECTED: &str = "import ast, json, sys, warnings\nwarnings.simplefilter('ignore')\nbad = 0\nfor line in sys.stdin:\n    try:\n        ast.parse(json.loads(line).encode())\n    except SyntaxError as e:\n        bad += 1\n        print(e, file=sys.stderr)\nprint(bad)";

/// Which files' mutants are re-parsed.
enum Sample {
    /// Every file.
    Full,
    /// Every `n`th file of the sorted list.
    EveryNth(usize),
    /// Files whose text is not in `known` and whose path, hashed with `seed`, falls in
    /// one of `one_in`.
    NewTextAndSeeded {
        known: &'static BTreeSet<u64>,
        seed: u64,
        one_in: u64,
    },
}

impl Sample {
    /// Fewer re-parsed mutants than this means the corpus is not what it should be.
    fn least_mutants(&self) -> usize {
        match self {
            Sample::Full | Sample::EveryNth(_) => 50_000,
            Sample::NewTextAndSeeded { .. } => 5_000,
        }
    }

    fn takes(&self, index: usize, relative: &str, text: &str) -> bool {
        match self {
            Sample::Full => true,
            Sample::EveryNth(n) => index.is_multiple_of(*n),
            Sample::NewTextAndSeeded {
                known,
                seed,
                one_in,
            } => {
                !known.contains(&fnv1a(0, text.as_bytes()))
                    && fnv1a(*seed, relative.as_bytes()).is_multiple_of(*one_in)
            }
        }
    }
}

/// FNV-1a over `bytes`, started from `seed`: stable across Rust releases, unlike std's
/// hasher.
fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325 ^ seed;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// What one library's check found: files that parse, mutants re-parsed, files sampled.
struct Checked {
    timings: String,
    files: usize,
    mutants: usize,
    sampled: usize,
}

fn check_one_library(python_bin: &Path, sample: &Sample) -> Checked {
    let started = Instant::now();
    let lib = stdlib::dir_of(python_bin);
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
    let operators: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    let mut cpython_sample = Vec::new();
    let mut checked = 0usize;
    let mut sampled_files = 0usize;
    let mut per_operator: BTreeSet<Operator> = BTreeSet::new();
    let mut reparsing = Duration::ZERO;
    let accepting = started.elapsed();
    for (index, path) in files.iter().enumerate() {
        let shown = path.display().to_string();
        if !accepted.contains(&shown) {
            continue;
        }
        let Ok((text, _)) = decode(std::fs::read(path).unwrap()) else {
            skipped.push(format!("{shown}: not decodable"));
            continue;
        };
        let relative = path.strip_prefix(&lib).unwrap().to_string_lossy();
        let sampled = sample.takes(index, &relative, &text);
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
        sampled_files += 1;
        let reparse_started = Instant::now();
        // CPython parses the whole mutated file: a large file's every 97th mutant made
        // two thirds of the check's time (65 of 98 s for 3.13) for little more cover.
        let stride = mutants.len().div_ceil(4).max(97);
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
            if number % stride == 0 {
                cpython_sample.push(serde_json::to_string(&mutant.mutated_text(&text)).unwrap());
            }
        }
        reparsing += reparse_started.elapsed();
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
    let least = sample.least_mutants();
    assert!(
        checked > least,
        "{name}: only {checked} mutants (at least {least})"
    );
    let cpython_started = Instant::now();
    let rejected = python(python_bin, REJECTED, &cpython_sample);
    assert_eq!(
        rejected.trim(),
        "0",
        "{name}: CPython rejects some of {} sampled mutants",
        cpython_sample.len()
    );
    let timings = format!(
        "{:.1}s: CPython's own check {:.1}s, ruff parse and mutants {:.1}s, re-parse {:.1}s, \
         CPython's re-parse {:.1}s",
        started.elapsed().as_secs_f64(),
        accepting.as_secs_f64(),
        (cpython_started - started - accepting - reparsing).as_secs_f64(),
        reparsing.as_secs_f64(),
        cpython_started.elapsed().as_secs_f64()
    );
    Checked {
        timings,
        files: accepted.len(),
        mutants: checked,
        sampled: sampled_files,
    }
}

fn full() -> bool {
    std::env::var_os("CHIMP_CORPUS_FULL").is_some()
}

/// The CPythons to check: pyenv's, else the machine's `python3` alone.
fn pythons() -> &'static [PathBuf] {
    static PYTHONS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    PYTHONS.get_or_init(|| {
        let found = interpreters();
        if found.is_empty() {
            vec![PathBuf::from("python3")]
        } else {
            found
        }
    })
}

fn check(python_bin: &Path, sample: &Sample) {
    let checked = check_one_library(python_bin, sample);
    eprintln!(
        "{}: {} files parse; {} mutants of {} files re-parse; {}",
        python_bin.display(),
        checked.files,
        checked.mutants,
        checked.sampled,
        checked.timings
    );
}

#[test]
#[ignore = "the standard-library corpus, a minute or two: .ci/run runs it"]
fn every_file_of_the_oldest_cpython_parses_and_every_8th_files_mutants_reparse() {
    let sample = if full() {
        Sample::Full
    } else {
        Sample::EveryNth(8)
    };
    check(&pythons()[0], &sample);
}

#[test]
#[ignore = "the standard-library corpus, a minute or two: .ci/run runs it"]
fn every_file_of_the_newest_cpython_parses_and_every_8th_files_mutants_reparse() {
    let pythons = pythons();
    if pythons.len() < 2 {
        eprintln!("one CPython only: the oldest test checked it");
        return;
    }
    let sample = if full() {
        Sample::Full
    } else {
        Sample::EveryNth(8)
    };
    check(&pythons[pythons.len() - 1], &sample);
}

/// The texts (hashed) of every file in the oldest and the newest CPython's library.
fn texts_of_the_oldest_and_newest() -> &'static BTreeSet<u64> {
    static TEXTS: OnceLock<BTreeSet<u64>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let pythons = pythons();
        [&pythons[0], &pythons[pythons.len() - 1]]
            .into_iter()
            .flat_map(|python_bin| stdlib::python_files_in(&stdlib::dir_of(python_bin)))
            .filter_map(|path| std::fs::read(path).ok())
            .filter_map(|bytes| decode(bytes).ok())
            .map(|(text, _)| fnv1a(0, text.as_bytes()))
            .collect()
    })
}

#[test]
#[ignore = "the standard-library corpus, a minute or two: .ci/run runs it"]
fn every_file_of_the_cpythons_in_between_parses_and_a_sample_of_new_files_mutants_reparse() {
    let pythons = pythons();
    if pythons.len() < 3 {
        eprintln!("no CPython between the oldest and the newest");
        return;
    }
    let seed = std::env::var("CHIMP_CORPUS_SEED").map_or(2026, |seed| {
        seed.parse()
            .expect("CHIMP_CORPUS_SEED is a non-negative integer")
    });
    eprintln!("CHIMP_CORPUS_SEED={seed}");
    let sample = if full() {
        Sample::Full
    } else {
        Sample::NewTextAndSeeded {
            known: texts_of_the_oldest_and_newest(),
            seed,
            one_in: 16,
        }
    };
    for python_bin in &pythons[1..pythons.len() - 1] {
        check(python_bin, &sample);
    }
}
