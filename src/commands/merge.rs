//! `git chimp merge`: shard reports combined into one.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::cli::MergeArgs;
use crate::exit_code::ExitCode;
use crate::git::repo::Repo;
use crate::output::OutputDir;
use crate::report::{self, ReportKind};
use crate::settings::{Layers, Settings, options};

use super::current_dir;
use super::finish::{ExitPolicy, RunEnd, finish};

/// `git chimp merge`: combine shard reports into one, as a single run reports. `outer`
/// holds the options given before the subcommand (`git chimp --report html merge ...`).
pub(crate) fn merge(args: &MergeArgs, outer: Settings, all: bool) -> Result<ExitCode> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let settings = Layers::read(outer, &repo, &cwd)?.merged();
    let fail_under = args.fail_under.or(settings.fail_under);
    options::check_fail_under(fail_under)?;
    let cache_dir = options::cache_dir(&settings, repo.workdir(), &cwd);
    let kinds = if args.report.is_empty() {
        settings.report.unwrap_or_default()
    } else {
        args.report.clone()
    };
    let merged = report::merge::merge(&args.reports)?;
    let out = OutputDir::create(repo.workdir())?;
    // Merged reports hold text, not the files' encodings: their patches are UTF-8.
    let encodings = BTreeMap::new();
    let findings = report::Findings {
        root: repo.workdir(),
        sources: &merged.sources,
        encodings: &encodings,
        mutants: &merged.mutants,
        results: &merged.results,
        shard: None,
        skipped: &merged.skipped,
        dead: &merged.dead,
    };
    tracing::info!(
        "merged {} reports: {} mutants in {} files",
        args.reports.len(),
        merged.mutants.len(),
        merged.sources.len()
    );
    // Every share's durations together: what the next sharded run balances by.
    if let Some(dir) = &cache_dir
        && let Err(err) = crate::cache::durations::Durations::record(dir, &merged.results)
    {
        tracing::debug!("the mutants' durations were not kept: {err:#}");
    }
    let pending = merged.mutants.len() - merged.results.len();
    let finished = finish(
        &out,
        &findings,
        &ReportKind::distinct(&kinds),
        RunEnd {
            interrupted: pending > 0,
            notes: &[],
        },
        ExitPolicy { fail_under, all },
    )?;
    if pending > 0 {
        println!("{pending} mutants were not run: their run was interrupted");
    }
    Ok(finished)
}
