//! Snapshot tests (`insta`) that pin which mutants discovery makes: for each operator's
//! fixture under `tests/fixtures/operators/`, every mutant (all operators apply) with its
//! id and its patch; and the `git chimp list` lines of a few modules of the 3.11
//! standard library. A change to the walk or the parser shows up as a snapshot diff to
//! explain; the ids in them are the cache's keys, so an unchanged mutant must keep its.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::mutate_source;
use crate::python::operators::Operator;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/operators")
        .join(format!("{name}.py"))
}

/// Each mutant of `source`: its list line, then its patch.
fn mutants_with_patches(path: &str, source: &str) -> String {
    let all: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let mut out = String::new();
    for mutant in mutate_source(path, source, &all).unwrap() {
        let _ = writeln!(out, "{}", crate::report::terminal::mutant_line(&mutant));
        let diff = mutant.diff(source);
        let hunk = diff.lines().skip_while(|line| !line.starts_with("@@"));
        for line in hunk {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

#[test]
fn every_operator_fixture() {
    let mut names = Vec::new();
    for &operator in Operator::ALL {
        let path = fixture(operator.name());
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let listed = mutants_with_patches(&format!("{}.py", operator.name()), &source);
        assert!(
            listed.contains(&format!("  {}  ", operator.name())),
            "{} has no {} mutant:\n{listed}",
            path.display(),
            operator.name()
        );
        insta::with_settings!({prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("operator_{}", operator.name()), listed);
        });
        names.push(format!("{}.py", operator.name()));
    }
    // No fixture is left without its operator.
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture("x").parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    names.sort();
    assert_eq!(on_disk, names);
}

/// The `Lib/` of the 3.11 interpreter under pyenv (as on the CI machines).
fn stdlib_311() -> PathBuf {
    let root = std::env::var_os("PYENV_ROOT")
        .map_or_else(|| Path::new(env!("HOME")).join(".pyenv"), PathBuf::from);
    let versions = std::fs::read_dir(root.join("versions")).expect("pyenv's versions");
    let mut found: Vec<PathBuf> = versions
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("3.11."))
        })
        .collect();
    found.sort();
    found
        .pop()
        .expect("CPython 3.11 under pyenv")
        .join("lib/python3.11")
}

#[test]
fn list_of_stdlib_modules() {
    let lib = stdlib_311();
    let all: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let mut out = String::new();
    for name in [
        "colorsys.py",
        "bisect.py",
        "textwrap.py",
        "fnmatch.py",
        "shlex.py",
    ] {
        let source = std::fs::read_to_string(lib.join(name)).unwrap();
        for mutant in mutate_source(name, &source, &all).unwrap() {
            let _ = writeln!(out, "{}", crate::report::terminal::mutant_line(&mutant));
        }
    }
    insta::with_settings!({prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("list_stdlib_311", out);
    });
}

/// The cache keys of the fixtures' mutants (with a fixed test fingerprint): the cache
/// stays warm across a change of the walk or the parser only while these stay. They were
/// the same under rustpython-parser and ruff's parser (checked for these and the five
/// stdlib modules above, 1,972 mutants, when the parser changed).
#[test]
fn cache_keys_of_the_fixtures() {
    let all: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let fingerprint = crate::cache::TestFingerprint::of([("tests/test_x.py", b"x".to_vec())]);
    let mut out = String::new();
    for &operator in Operator::ALL {
        let name = format!("{}.py", operator.name());
        let source = std::fs::read_to_string(fixture(operator.name())).unwrap();
        for mutant in mutate_source(&name, &source, &all).unwrap() {
            let key = crate::cache::CacheKey::new(&mutant, &source, "pytest", fingerprint);
            let _ = writeln!(out, "{name} {} {}", mutant.id, key.as_str());
        }
    }
    insta::with_settings!({prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("cache_keys", out);
    });
}
