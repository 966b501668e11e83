//! `git chimp list`: the mutants a run would test.

use anyhow::Result;

use crate::cli::RunArgs;
use crate::exit_code::ExitCode;
use crate::report;

use super::{
    discovery::discover_mutants,
    prepare::{Prepared, prepare},
    sweep::take_shard,
};

pub(crate) fn list(args: &RunArgs) -> Result<ExitCode> {
    let Prepared {
        repo,
        options,
        state,
        changed,
    } = prepare(args)?;
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
    Ok(ExitCode::Success)
}
