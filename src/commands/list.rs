//! `git chimp list`: the mutants a run would test.

use anyhow::Result;

use crate::exit_code::ExitCode;
use crate::report;
use crate::settings::Settings;

use super::sweep::{
    discovery::discover_mutants,
    prepare::{Prepared, prepare},
    take_shard,
};

/// `git chimp list` (and `--list`) with the command line's `settings`.
pub(crate) fn list(settings: Settings) -> Result<ExitCode> {
    let Prepared {
        repo,
        options,
        state,
        changed,
    } = prepare(settings)?;
    let mut found = discover_mutants(
        &repo,
        &options,
        &state,
        changed.as_ref(),
        options.tests.as_deref(),
    )?;
    take_shard(&options, &mut found);
    for mutant in &found.mutants {
        println!("{}", report::terminal::mutant_line(mutant));
    }
    eprintln!(
        "{} mutants in {} files",
        found.mutants.len(),
        found.sources.len()
    );
    eprint!("{}", report::terminal::dead_lines(&found.dead));
    eprint!("{}", report::terminal::skipped_lines(&found.skipped));
    Ok(ExitCode::Success)
}
