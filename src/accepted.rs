//! Accepted survivors: `.chimp-accepted.toml` at the repository root, a file the team
//! reviews and commits. `git chimp accept <id> --reason "..."` adds an entry; a run
//! shows a survivor that matches one as `accepted`, with the reason, and counts it
//! neither against the exit status nor in the score.
//!
//! An entry is keyed like the outcome cache, without the tests: SHA-256 over the file's
//! path, the text of the mutant's enclosing definition, the operator, the offsets within
//! that definition and the replacement ([`Mutant::hash_in_scope`]). So it holds while the
//! code around the mutant is unchanged, wherever the definition moves; once that code
//! changes, the entry is stale and every run in that file says so.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::exit_code::{ExitCode, fatal};
use crate::outcome::{ACCEPTED, MutantResult, Outcome};
use crate::python::mutant::Mutant;

/// The file's name, at the repository root.
pub(crate) const FILE: &str = ".chimp-accepted.toml";

/// Bumped whenever the key changes meaning.
const KEY_VERSION: &[u8] = b"git-chimp accepted 1";

/// What starts a new file.
const HEADER: &str = "\
# Surviving mutants this team accepted, each with its reason; review it like code.
# `git chimp accept <id> --reason \"...\"` adds an entry. An entry holds while the
# definition (function, class or statement) around its mutant is unchanged; once that
# code changes, runs report it as stale: delete it, or accept the new survivor.
";

/// The file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    accepted: Vec<Acceptance>,
}

/// One accepted survivor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Acceptance {
    /// [`key`] of the mutant.
    pub(crate) key: String,
    /// The file it is in (repository-relative).
    pub(crate) path: String,
    /// Its line when it was accepted, for the reader.
    pub(crate) line: usize,
    /// What it changed, for the reader: `operator: before -> after`.
    pub(crate) change: String,
    /// Why the team accepts it.
    pub(crate) reason: String,
}

/// The accepted survivors of a repository, by key.
#[derive(Debug, Default)]
pub(crate) struct Accepted {
    entries: BTreeMap<String, Acceptance>,
}

/// The key of `mutant` (of a file whose text is `source`): 64 hex digits.
#[must_use]
pub(crate) fn key(mutant: &Mutant, source: &str) -> String {
    let mut hasher = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(KEY_VERSION);
    mutant.hash_in_scope(source, &mut part);
    hex::encode(hasher.finalize())
}

/// Where the file is in the repository rooted at `root`.
#[must_use]
pub(crate) fn path_in(root: &Path) -> PathBuf {
    root.join(FILE)
}

impl Accepted {
    /// The entries of `root`'s file; none when there is no file.
    ///
    /// # Errors
    /// A usage error (exit 1) naming the file and line when it cannot be read or is not
    /// a valid file.
    pub(crate) fn load(root: &Path) -> Result<Self> {
        let path = path_in(root);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(err) => {
                return Err(fatal(ExitCode::Usage, format!("cannot read {FILE}: {err}")));
            }
        };
        let file: File = toml::from_str(&text).map_err(|err| {
            let at = err
                .span()
                .map(|span| {
                    let line = text[..span.start].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            fatal(
                ExitCode::Usage,
                format!("{FILE}{at}: {}", err.message().trim_end()),
            )
        })?;
        Ok(Self {
            entries: file
                .accepted
                .into_iter()
                .map(|entry| (entry.key.clone(), entry))
                .collect(),
        })
    }

    /// Whether the file has no entries.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for `key`, if any.
    #[must_use]
    pub(crate) fn get(&self, key: &str) -> Option<&Acceptance> {
        self.entries.get(key)
    }

    /// Mark the survivors of `results` that have an entry as accepted, with its reason.
    /// `sources` holds each file's text. Returns the entries that matched a mutant the
    /// tests now detect (no longer needed).
    pub(crate) fn apply(
        &self,
        results: &mut [MutantResult],
        sources: &BTreeMap<String, String>,
    ) -> Vec<&Acceptance> {
        let mut detected = Vec::new();
        if self.is_empty() {
            return detected;
        }
        for result in results.iter_mut() {
            let source = sources.get(&result.mutant.path).map_or("", String::as_str);
            let Some(entry) = self.entries.get(&key(&result.mutant, source)) else {
                continue;
            };
            if result.outcome.undetected() {
                result.outcome = Outcome::Accepted;
                result.detail = Some(format!("{ACCEPTED}{}", entry.reason));
            } else if matches!(result.outcome, Outcome::Killed | Outcome::Timeout) {
                detected.push(entry);
            }
        }
        detected
    }

    /// The entries of files in the run (`files`: each one's every mutant, whether the run
    /// tests it or not) that match none of them: their code changed, or their mutant is
    /// no longer made. Entries of files the run has nothing of are not judged, unless the
    /// file is gone from the tested state (`exists` says).
    #[must_use]
    pub(crate) fn stale<'a>(
        &'a self,
        files: &BTreeMap<&str, BTreeSet<String>>,
        exists: impl Fn(&str) -> bool,
    ) -> Vec<&'a Acceptance> {
        self.entries
            .values()
            .filter(|entry| match files.get(entry.path.as_str()) {
                Some(keys) => !keys.contains(&entry.key),
                None => !exists(&entry.path),
            })
            .collect()
    }
}

/// The text of a new entry for `mutant`, accepted for `reason`.
#[must_use]
pub(crate) fn entry_text(mutant: &Mutant, source: &str, reason: &str) -> String {
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let mut out = String::from("\n[[accepted]]\n");
    let _ = writeln!(out, "key = {}", quoted(&key(mutant, source)));
    let _ = writeln!(out, "path = {}", quoted(&mutant.path));
    let _ = writeln!(out, "line = {}", mutant.start.line);
    let _ = writeln!(
        out,
        "change = {}",
        quoted(&format!("{}: {}", mutant.operator, mutant.describe()))
    );
    let _ = writeln!(out, "reason = {}", quoted(reason));
    out
}

/// Append `entries` (from [`entry_text`]) to `root`'s file, creating it with its header.
///
/// # Errors
/// When the file cannot be written.
pub(crate) fn append(root: &Path, entries: &str) -> Result<()> {
    let path = path_in(root);
    let mut text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => HEADER.to_owned(),
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(entries);
    crate::output::write_atomic(&path, text.as_bytes())
}
