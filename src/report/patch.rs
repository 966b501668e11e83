//! `.chimp/survived/<id>.patch`: a unified diff per surviving mutant, with `a/` and `b/`
//! paths relative to the repository root, which `git apply` accepts on the tested state.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::outcome::{MutantResult, Outcome};
use crate::output::OutputDir;

/// Write one patch per survivor; return their paths.
///
/// # Errors
/// When a patch cannot be written.
pub fn write_patches(
    out: &OutputDir,
    results: &[MutantResult],
    sources: &BTreeMap<String, String>,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for result in results
        .iter()
        .filter(|result| result.outcome == Outcome::Survived)
    {
        let mutant = &result.mutant;
        let Some(source) = sources.get(&mutant.path) else {
            continue;
        };
        let path = out.survived_dir().join(format!("{}.patch", mutant.id));
        std::fs::write(&path, mutant.diff(source))
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
