//! `.chimp/survived/<id>.patch`: a unified diff per surviving mutant, with `a/` and `b/`
//! paths relative to the repository root, which `git apply` accepts on the tested state.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::outcome::MutantResult;
use crate::output::OutputDir;
use crate::python::encoding::{SourceEncoding, encode};

/// Write one patch per survivor and remove patches of mutants that no longer survive;
/// return the survivors' patch paths. A patch whose file already holds the same diff
/// (a survivor from the cache) is left alone.
///
/// # Errors
/// When a patch cannot be written.
pub(crate) fn write_patches(
    out: &OutputDir,
    results: &[MutantResult],
    sources: &BTreeMap<String, String>,
    encodings: &BTreeMap<String, SourceEncoding>,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for result in results.iter().filter(|result| result.outcome.undetected()) {
        let mutant = &result.mutant;
        let Some(source) = sources.get(&mutant.path) else {
            continue;
        };
        let path = out.survived_dir().join(format!("{}.patch", mutant.id));
        // In the file's own encoding, so that it applies to the file's bytes.
        let diff = mutant.diff(source);
        let diff = encode(&diff, encodings.get(&mutant.path).copied());
        if std::fs::read(&path).ok().as_deref() != Some(diff.as_ref()) {
            std::fs::write(&path, diff).with_context(|| format!("writing {}", path.display()))?;
        }
        written.push(path);
    }
    let keep: BTreeSet<&PathBuf> = written.iter().collect();
    for entry in std::fs::read_dir(out.survived_dir())?.flatten() {
        if !keep.contains(&entry.path()) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(written)
}
