//! Which files of the tested state are mutated, and their mutants (`Discovery`).

use std::collections::BTreeMap;

use anyhow::Result;

use crate::detect;
use crate::exit_code::{ExitCode, fatal};
use crate::git::changed::ChangedLines;
use crate::git::repo::{Repo, TargetState};
use crate::python::arid::AridRule;
use crate::python::discover::{self, DeadCode};
use crate::python::encoding;
use crate::python::mutant::Mutant;
use crate::python::unread::Words;
use crate::report::Skipped;
use crate::settings::Options;

/// The files and mutants of a run.
pub(crate) struct Discovery {
    /// Original text of each file that has mutants.
    pub(crate) sources: BTreeMap<String, String>,
    /// The encoding of each of those files that is not UTF-8 (PEP 263).
    pub(crate) encodings: BTreeMap<String, encoding::SourceEncoding>,
    /// Every mutant, sorted by file and position.
    pub(crate) mutants: Vec<Mutant>,
    /// Python files that were skipped, with the reason.
    pub(crate) skipped: Vec<Skipped>,
    /// Dead code in the files, reported once each (no mutants are made in it).
    pub(crate) dead: Vec<DeadCode>,
    /// Every selected Python file that parses, in scope of `--since` or not: what the
    /// canary breaks.
    pub(crate) candidates: Vec<String>,
}

/// The tested state's test files beyond those known by name
/// ([`crate::python::select::is_test_file`]):
/// the Python files the test command `tests` names, and those the project's own pytest
/// settings (`python_files`) mark.
pub(crate) fn named_tests(
    repo: &Repo,
    options: &Options,
    state: &TargetState,
    tests: Option<&str>,
) -> Vec<String> {
    let mut named = tests.map_or_else(Vec::new, |tests| {
        options.named_by_tests(tests, &state.files, repo.workdir())
    });
    let pytest_paths = detect::PytestPaths::read(repo.workdir());
    named.extend(
        state
            .files
            .iter()
            .filter(|path| pytest_paths.holds(path))
            .cloned(),
    );
    named
}

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "Python imports modules from lowercase `.py` files only"
)]
pub(crate) fn discover_mutants(
    repo: &Repo,
    options: &Options,
    state: &TargetState,
    changed: Option<&ChangedLines>,
    tests: Option<&str>,
) -> Result<Discovery> {
    let named = named_tests(repo, options, state, tests);
    let mut as_tests: Vec<&str> = Vec::new();
    let mut found = Discovery {
        candidates: Vec::new(),
        sources: BTreeMap::new(),
        encodings: BTreeMap::new(),
        mutants: Vec::new(),
        skipped: Vec::new(),
        dead: Vec::new(),
    };
    let words = options
        .arid
        .contains(&AridRule::DeadCode)
        .then(|| repository_words(repo, state));
    for path in &state.files {
        if path
            .split('/')
            .any(|part| part == "site-packages" || part == ".chimp")
        {
            continue;
        }
        if options.excluded_as_test(path, &named) {
            as_tests.push(path);
            continue;
        }
        if !path.ends_with(".py") || !options.in_code(path) || options.is_excluded(path) {
            continue;
        }
        if state.symlinks.contains(path) {
            // Writing a mutant through a link could reach outside the sandbox.
            found.skipped.push(Skipped {
                path: path.clone(),
                reason: "a symbolic link (its target is mutated where it lives, if selected)"
                    .into(),
                unparsable: false,
            });
            continue;
        }
        if changed.is_some_and(|changed| !changed.has_file(path)) {
            found.candidates.push(path.clone());
            continue;
        }
        let bytes = repo.read(state, path)?;
        let (text, source_encoding) = match encoding::decode(bytes) {
            Ok(decoded) => decoded,
            // An encoding git-chimp cannot read may still be one Python reads.
            Err(why) => {
                found.skipped.push(Skipped {
                    path: path.clone(),
                    reason: why,
                    unparsable: false,
                });
                continue;
            }
        };
        if let Some(at) = text.find('\0') {
            let line = text[..at].matches('\n').count() + 1;
            found.skipped.push(Skipped {
                path: path.clone(),
                reason: format!("a NUL byte on line {line}, which Python rejects in source code"),
                unparsable: true,
            });
            continue;
        }
        match discover::discover_in(
            path,
            &text,
            &options.operators,
            &options.arid,
            words.as_ref(),
        ) {
            Ok(discover::Discovered {
                mut mutants,
                mut dead,
            }) => {
                found.candidates.push(path.clone());
                if let Some(changed) = changed {
                    mutants.retain(|m| changed.touches(path, m.start, m.end));
                    dead.retain(|block| changed.touches(path, block.start, block.end));
                }
                if !mutants.is_empty() || !dead.is_empty() {
                    found.mutants.extend(mutants);
                    found.dead.extend(dead);
                    found.sources.insert(path.clone(), text);
                    if let Some(source_encoding) = source_encoding {
                        found.encodings.insert(path.clone(), source_encoding);
                    }
                }
            }
            Err(skip) => found.skipped.push(Skipped {
                path: path.clone(),
                reason: format!("does not parse ({skip})"),
                unparsable: true,
            }),
        }
    }
    for skipped in &found.skipped {
        tracing::info!("skipping {}: {}", skipped.path, skipped.reason);
    }
    strict_parse(options, &found.skipped)?;
    say_excluded_as_tests(&as_tests);
    Ok(found)
}

/// The words of every text file of the tested state (a module constant no other file
/// names is dead code): files of a virtual environment, over a megabyte, or holding a
/// NUL byte (binary) are left out, and so is one that cannot be read.
fn repository_words(repo: &Repo, state: &TargetState) -> Words {
    const LARGEST: usize = 1 << 20;
    let mut words = Words::default();
    for path in &state.files {
        if path.split('/').any(|part| part == "site-packages") {
            continue;
        }
        let Ok(bytes) = repo.read(state, path) else {
            continue;
        };
        if bytes.len() > LARGEST || bytes.contains(&0) {
            continue;
        }
        words.add(&String::from_utf8_lossy(&bytes));
    }
    words
}

/// With `--strict-parse`, a selected file that Python would reject is an error.
fn strict_parse(options: &Options, skipped: &[Skipped]) -> Result<()> {
    if options.strict_parse
        && let Some(bad) = skipped.iter().find(|skipped| skipped.unparsable)
    {
        let count = skipped.iter().filter(|s| s.unparsable).count();
        return Err(fatal(
            ExitCode::Usage,
            format!(
                "{}: {}{}; --strict-parse (strict-parse = true) makes that an error",
                bad.path,
                bad.reason,
                match count {
                    1 => String::new(),
                    2 => " (and 1 more file)".to_owned(),
                    _ => format!(" (and {} more files)", count - 1),
                }
            ),
        ));
    }
    Ok(())
}

/// One line naming the files excluded as tests or tooling (the first five), if any.
pub(crate) fn say_excluded_as_tests(paths: &[&str]) {
    const SHOWN: usize = 5;
    if paths.is_empty() {
        return;
    }
    let more = paths.len().saturating_sub(SHOWN);
    tracing::info!(
        "excluded as tests or tooling: {}{} (name a file with --code to mutate it)",
        paths[..paths.len().min(SHOWN)].join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
}
