//! A run: discovery, the cache, the sandboxes and the lab, then the reports. Its steps
//! are the submodules, in order: [`mod@prepare`] (options and the tested state),
//! [`discovery`] (files and mutants), [`caches`] (the local and shared outcome caches),
//! [`prefilter`] (mutants settled before any test runs), `lab` (the misses tested in the
//! sandboxes); `list`, `doctor` and `accept` use some of them too. The last step, `commands::finish`, is shared with `merge`.

use std::fmt::Write;

use anyhow::Result;

use crate::accepted::Accepted;
use crate::budget::SetUpCost;
use crate::cache::durations::Durations;
use crate::execution::worker::{Framework, WorkerCommand};
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::{Repo, TargetState};
use crate::git::sandbox;
use crate::outcome::{MutantResult, RanBy};
use crate::output::OutputDir;
use crate::report::ShardInfo;
use crate::settings::Runner;
use crate::settings::{Options, Settings};
use crate::{detect, interrupt, report, shard};

use super::accept::apply_accepted;
use super::finish::{ExitPolicy, RunEnd, finish};

pub(crate) mod caches;
pub(crate) mod discovery;
mod lab;
pub(crate) mod prefilter;
pub(crate) mod prepare;

use caches::Caches;
use discovery::{Discovery, discover_mutants};
use prepare::{Prepared, prepare};

pub(crate) use lab::{Context, Crew, in_lab};
use lab::{Run, Testing, test_misses};

/// A run with the command line's `settings`; `all` lists every survivor.
pub(crate) fn sweep(settings: Settings, all: bool) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    interrupt::install();
    let Prepared {
        repo,
        options,
        state,
        changed,
    } = prepare(settings)?;
    let tests = test_command(&repo, &options, &state)?;
    let cost_key = SetUpCost::key(&tests, options.since.is_some());
    let known_cost = start_the_clock(options.budget, &repo, &cost_key, started);
    let _lock = sandbox::lock(&repo)?;
    let out = OutputDir::create(repo.workdir())?;
    out.check_writable(&report::file_names(&options.reports))?;
    // Read first: a broken file is an error before anything runs.
    let accepted = Accepted::load(repo.workdir())?;
    let mut found = discover_mutants(&repo, &options, &state, changed.as_ref(), Some(&tests))?;
    let shard = take_shard(&options, &mut found);
    let total = found.mutants.len();
    tracing::info!("{total} mutants in {} files", found.sources.len());
    let findings = |results| report::Findings {
        root: repo.workdir(),
        sources: &found.sources,
        encodings: &found.encodings,
        mutants: &found.mutants,
        results,
        shard: shard.as_ref(),
        skipped: &found.skipped,
        dead: &found.dead,
    };
    if total == 0 {
        report::write_all(&out, &findings(&[]), &options.reports)?;
        println!("no mutants to test");
        print!("{}", report::terminal::dead_lines(&found.dead));
        print!("{}", report::terminal::skipped_lines(&found.skipped));
        return Ok(ExitCode::Success);
    }
    // Only the pytest worker tells `uncovered` from `survived`: without it, such a
    // cached outcome is run again rather than shown as something the run cannot produce.
    let worker = worker_command(options.runner, &tests)?;
    let mut caches = Caches::open(&options)?;
    let cx = Context {
        repo: &repo,
        options: &options,
        state: &state,
        found: &found,
        tests: &tests,
        out: &out,
    };
    let mut plan = caches.plan(cx, worker.is_some())?;
    let cache = caches.local.clone();
    let run = Run {
        cache: cache.as_ref(),
        worker: worker.as_ref(),
        started,
        cost_key: &cost_key,
    };
    let testing = test_misses(&mut plan, cx, &run)?;
    caches.upload(&plan);
    let from_cache = plan.from_cache;
    let mut results = plan.into_results();
    record_durations(&options, &results);
    let accepted = apply_accepted(&accepted, &mut results, &found, &state);
    let notes = summary_notes(
        &options,
        &results,
        cache.is_some().then_some(from_cache),
        testing.not_run,
    );
    let exit = finish(
        &out,
        &findings(&results),
        &options.reports,
        RunEnd {
            interrupted: testing.interrupted,
            notes: &notes,
        },
        ExitPolicy::of(&options, all),
    )?;
    print!("{accepted}");
    if let Some(code) = nothing_tested(options.budget, &testing, exit, known_cost) {
        return Ok(code);
    }
    if testing.interrupted {
        // Leave nothing registered behind: an interrupted run removes its sandboxes.
        sandbox::clean(&repo)?;
    }
    Ok(exit)
}

/// Keep the durations of `results` in the cache, for `--shard` to balance by. Only a run
/// of every mutant records them: the shares of a sharded run must come out the same in
/// every shard.
fn record_durations(options: &Options, results: &[MutantResult]) {
    if options.shard.is_none()
        && let Some(dir) = &options.cache_dir
        && let Err(err) = Durations::record(dir, results)
    {
        tracing::debug!("the mutants' durations were not kept: {err:#}");
    }
}

/// Start the run's `budget` at `started`; when the last run of this `key` (remembered in
/// `repo`) was stopped by a budget no shorter before its first mutant, the budget is spent at once
/// and that cost returned: the run does not spend it again.
fn start_the_clock(
    budget: Option<std::time::Duration>,
    repo: &Repo,
    key: &str,
    started: std::time::Instant,
) -> Option<SetUpCost> {
    let budget = budget?;
    let known = SetUpCost::load(repo, key).filter(|cost| cost.seconds >= budget.as_secs_f64());
    // A budget past the clock's end is no budget.
    if let Some(deadline) = started.checked_add(budget) {
        interrupt::set_deadline(if known.is_some() { started } else { deadline });
    }
    known
}

/// A budget spent before any mutant was tested is no pass: with mutants not run, none
/// tested and the run not interrupted (`testing`), say how long the set-up took (the
/// `known` cost of the last run, which stopped this one at once, else this run's) and a
/// budget that fits. Incomplete (6) where the run would pass (`exit`; survivors the
/// cache gave still fail it), but the pre-push hook's push goes through: a budget too
/// short for the project is a configuration problem, not the pushed code's. `None` in
/// any other case.
fn nothing_tested(
    budget: Option<std::time::Duration>,
    testing: &Testing,
    exit: ExitCode,
    known: Option<SetUpCost>,
) -> Option<ExitCode> {
    let budget =
        budget.filter(|_| testing.not_run > 0 && testing.tested == 0 && !testing.interrupted)?;
    let said = match (known, testing.cost) {
        (Some(cost), _) => cost.nothing_tested(budget, true),
        (None, Some(cost)) => cost.nothing_tested(budget, false),
        (None, None) => format!(
            "budget {} spent before any mutant was tested: nothing was tested, so this is no \
             pass",
            crate::budget::Budget::Limit(budget)
        ),
    };
    println!("{said}");
    if exit != ExitCode::Success {
        return None;
    }
    if std::env::var_os("CHIMP_PRE_PUSH").is_some() {
        println!("git-chimp: the push goes through untested (see above)");
        return Some(ExitCode::Success);
    }
    Some(ExitCode::Incomplete)
}

/// The lines after the summary: where the outcomes came from (`from_cache`: how many
/// the cache gave, with a cache), and what the budget left out (`not_run`).
fn summary_notes(
    options: &Options,
    results: &[MutantResult],
    from_cache: Option<usize>,
    not_run: usize,
) -> Vec<String> {
    let by = |how: RanBy| results.iter().filter(|result| result.ran_by == how).count();
    let (compiled, checked) = (by(RanBy::Compiler), by(RanBy::TypeChecker));
    let mut notes = Vec::new();
    if let Some(from_cache) = from_cache {
        let run = results.len() - from_cache - compiled - checked - not_run;
        let mut parts = vec![format!("{from_cache} from cache")];
        if compiled > 0 {
            parts.push(format!("{compiled} equivalent by compiling"));
        }
        if checked > 0 {
            parts.push(format!("{checked} rejected by the type checker"));
        }
        parts.push(format!("{run} run"));
        notes.push(parts.join(", "));
    }
    if not_run > 0 {
        notes.push(budget_note(options, not_run, results.len()));
    }
    notes
}

/// What the summary says when the budget left `not_run` of `total` mutants out: how
/// many, and the command that runs them all.
fn budget_note(options: &Options, not_run: usize, total: usize) -> String {
    let budget = options
        .budget
        .map(|budget| crate::budget::Budget::Limit(budget).to_string())
        .unwrap_or_default();
    let mut command = "git chimp".to_owned();
    for (flag, value) in [("--rev", &options.rev), ("--since", &options.since)] {
        if let Some(value) = value {
            let _ = write!(
                command,
                " {flag} {}",
                shlex::try_quote(value).unwrap_or_default()
            );
        }
    }
    format!(
        "budget {budget} spent: {not_run} of {total} mutants not run (each line's most telling \
         mutant went first; the cache keeps what ran). Run them all: {command} --no-budget"
    )
}

/// The configured test command, or the detected one (said in one line).
fn test_command(repo: &Repo, options: &Options, state: &TargetState) -> Result<String> {
    let detected = || {
        let detected = detect::test_command(repo.workdir(), &state.files, &options.cwd_prefix)?;
        tracing::info!(
            "no test command configured; running `{}` ({})",
            detected.command,
            detected.why
        );
        Some(detected.command)
    };
    let Some(tests) = options.tests.clone().or_else(detected) else {
        return Err(fatal(
            ExitCode::Usage,
            "no test command, and none detected (no pytest configuration or test modules \
             with an interpreter that imports pytest, no unittest tests): pass --tests \"<command>\" (e.g. --tests \"python -m pytest -x -q\"), \
             put `tests = \"<command>\"` under [tool.chimp] in pyproject.toml, or set it with \
             `git config chimp.tests \"<command>\"`; `git chimp list` only lists mutants",
        ));
    };
    Ok(tests)
}

/// With `--shard`, keep only the shard's mutants (balanced by the durations the cache
/// knows, [`shard::Split::by_cost`]); return the shard's place in the whole run.
pub(crate) fn take_shard(options: &Options, found: &mut Discovery) -> Option<ShardInfo> {
    let shard = options.shard?;
    let total = found.mutants.len();
    let durations = options
        .cache_dir
        .as_deref()
        .map(Durations::load)
        .unwrap_or_default();
    let costs: Vec<Option<u64>> = found
        .mutants
        .iter()
        .map(|mutant| durations.get(&mutant.id.0))
        .collect();
    let split = shard::Split::by_cost(&costs, shard.count);
    found.mutants = std::mem::take(&mut found.mutants)
        .into_iter()
        .enumerate()
        .filter_map(|(position, mutant)| split.holds(shard, position).then_some(mutant))
        .collect();
    let paths: std::collections::BTreeSet<&str> =
        found.mutants.iter().map(|m| m.path.as_str()).collect();
    found
        .sources
        .retain(|path, _| paths.contains(path.as_str()));
    let known = costs.iter().flatten().count();
    let how = if known == 0 {
        "every mutant in turn".to_owned()
    } else {
        format!("balanced by the durations the cache knows of {known} of them")
    };
    tracing::info!(
        "--shard {shard}: {} of {total} mutants ({how})",
        found.mutants.len()
    );
    Some(ShardInfo {
        shard,
        mutants_in_run: total,
        split: split.name,
    })
}

/// The test command as the worker runs it, when mutants should run in the warm worker.
///
/// # Errors
/// A usage error for `--runner pytest` with a command the worker cannot run.
pub(crate) fn worker_command(runner: Runner, tests: &str) -> Result<Option<WorkerCommand>> {
    let parsed = WorkerCommand::parse(tests);
    let of = |framework: Framework| {
        parsed
            .clone()
            .filter(|command| command.framework == framework)
    };
    match runner {
        Runner::Command => Ok(None),
        Runner::Auto => Ok(parsed),
        Runner::Pytest => of(Framework::Pytest).map(Some).ok_or_else(|| {
            fatal(
                ExitCode::Usage,
                format!(
                    "--runner pytest: cannot run `{tests}` in the pytest worker; it runs \
                     `worker ARGS` or `python -m worker ARGS` (optionally after NAME=value \
                     assignments) without other shell syntax. Use --runner command for \
                     anything else (or --runner unittest for `python -m unittest ARGS`)"
                ),
            )
        }),
        Runner::Unittest => of(Framework::Unittest).map(Some).ok_or_else(|| {
            fatal(
                ExitCode::Usage,
                format!(
                    "--runner unittest: cannot run `{tests}` in the unittest worker; it runs \
                     `python -m unittest ARGS` (optionally after NAME=value assignments) \
                     without other shell syntax. Use --runner command for anything else"
                ),
            )
        }),
    }
}
