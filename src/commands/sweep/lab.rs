//! A run's misses tested: what can be settled before the tests first (equivalent
//! mutants, type errors), then the sandboxes and the lab for the rest, each outcome
//! cached as it finishes. The [`Context`] every step of a run reads lives here, and the
//! lab's set-up is shared with `git chimp doctor` ([`in_lab`]).

use anyhow::Result;

use crate::budget::SetUpCost;
use crate::cache::Cache;
use crate::console::Progress;
use crate::execution::lab::Lab;
use crate::execution::line_map::{self, MapSlot};
use crate::execution::pyenv;
use crate::execution::worker::WorkerCommand;
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::{Repo, TargetState};
use crate::git::sandbox;
use crate::interrupt;
use crate::outcome::{MutantResult, NOT_RUN_BUDGET, Outcome, RanBy};
use crate::output::OutputDir;
use crate::plan::{self, Plan};
use crate::python::mutant::Mutant;
use crate::settings::Options;

use super::super::current_dir;

use super::caches;
use super::discovery::Discovery;
use super::prefilter::{find_equivalent, find_type_errors};

/// How many of `results` the pytest worker gave, and how.
pub(crate) fn worker_summary(results: &[(usize, MutantResult)], worker: &str) -> String {
    let warm = results
        .iter()
        .filter(|(_, result)| result.ran_by.in_worker())
        .count();
    let reexecuted = results
        .iter()
        .filter(|(_, result)| result.ran_by == RanBy::Reexecuted)
        .count();
    format!(
        "{warm} mutants ran in the {worker} ({reexecuted} by re-executing their module), \
         {} from scratch",
        results.len() - warm
    )
}

/// Whether `err` says a test run was stopped (by Ctrl-C or the budget), not that it
/// failed.
fn stopped(err: &anyhow::Error) -> bool {
    err.downcast_ref::<crate::exit_code::Fatal>()
        .is_some_and(|fatal| fatal.code == ExitCode::Interrupted)
}

/// What testing a plan's misses came to.
#[derive(Default)]
pub(super) struct Testing {
    /// How many mutants got an outcome by running.
    pub(super) tested: usize,
    /// Whether Ctrl-C stopped the run.
    pub(super) interrupted: bool,
    /// How many mutants the spent budget left out.
    pub(super) not_run: usize,
    /// The set-up's cost this run measured, when it got that far.
    pub(super) cost: Option<SetUpCost>,
}

/// Settle the plan's misses: what can be settled before the tests, then the rest in the
/// lab, then (with a spent budget) the rest as not run.
pub(super) fn test_misses(plan: &mut Plan, cx: Context<'_>, run: &Run<'_>) -> Result<Testing> {
    let misses = settle_before_tests(plan, cx, run.worker.is_some(), run.cache)?;
    let mut testing = Testing::default();
    if misses > 0 && !interrupt::budget_spent() {
        let ran = run_misses(cx, &plan.misses(), run)?;
        testing.tested = ran.tested();
        testing.cost = Some(ran.cost);
        testing.interrupted = ran.interrupted;
        plan.record(ran.results);
    }
    if !testing.interrupted && interrupt::budget_spent() {
        testing.not_run = plan.settle_rest(Outcome::NotRun, NOT_RUN_BUDGET);
    }
    Ok(testing)
}

/// Settle what can be settled before any test runs (equivalent mutants, with the plain
/// runner; type errors, with `--type-check`); returns how many misses are left.
fn settle_before_tests(
    plan: &mut Plan,
    cx: Context<'_>,
    worker: bool,
    cache: Option<&Cache>,
) -> Result<usize> {
    let misses = cx.found.mutants.len() - plan.from_cache;
    // The pytest worker compiles each mutant as it comes and answers `equivalent` itself:
    // only the plain runner needs the check up front.
    let misses = if worker {
        misses
    } else {
        misses - find_equivalent(plan, cx, cache)?
    };
    Ok(misses - find_type_errors(plan, cx)?)
}

/// What the steps of a run after discovery read: the repository and its tested state,
/// the run's options, what discovery found, the test command and `.chimp/`.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) repo: &'a Repo,
    pub(crate) options: &'a Options,
    pub(crate) state: &'a TargetState,
    pub(crate) found: &'a Discovery,
    /// The test command.
    pub(crate) tests: &'a str,
    pub(crate) out: &'a OutputDir,
}

/// How a lab is manned: how many sandboxes, the cache its line map is kept beside, and
/// the worker's command when the mutants run in the warm worker.
#[derive(Clone, Copy)]
pub(crate) struct Crew<'a> {
    pub(crate) jobs: usize,
    pub(crate) cache: Option<&'a Cache>,
    pub(crate) worker: Option<&'a WorkerCommand>,
}

/// How a run tests the mutants the cache did not answer.
pub(crate) struct Run<'a> {
    /// Where outcomes are stored as they finish.
    pub(crate) cache: Option<&'a Cache>,
    /// The test command as the worker runs it, when the mutants run in the warm worker.
    pub(crate) worker: Option<&'a WorkerCommand>,
    /// When the run started: what its set-up costs counts from ([`SetUpCost`]).
    pub(crate) started: std::time::Instant,
    /// What that cost is remembered under ([`SetUpCost::key`]).
    pub(crate) cost_key: &'a str,
}

/// What [`run_misses`] did.
pub(crate) struct Ran {
    /// Each result that came back, for the plan entry it is.
    pub(crate) results: Vec<(plan::EntryId, MutantResult)>,
    /// Whether the run was interrupted.
    pub(crate) interrupted: bool,
    /// How long the sandboxes, baseline and canary took (remembered for the next run),
    /// or how long they had run when the budget ended.
    pub(crate) cost: SetUpCost,
}

impl Ran {
    /// How many mutants got an outcome by running.
    fn tested(&self) -> usize {
        self.results
            .iter()
            .filter(|(_, result)| result.outcome != Outcome::NotRun)
            .count()
    }
}

/// The sandboxes (`jobs` of them) and the lab a run tests its mutants in, given to
/// `work`: what a run and `git chimp doctor` share.
pub(crate) fn in_lab<T>(
    cx: Context<'_>,
    crew: Crew<'_>,
    work: impl FnOnce(&Lab<'_>, &[sandbox::Sandbox]) -> Result<T>,
) -> Result<T> {
    let Context {
        repo,
        options,
        state,
        found,
        tests,
        out,
    } = cx;
    let Crew {
        jobs,
        cache,
        worker,
    } = crew;
    if !state.generated.is_empty() {
        tracing::info!("{}", crate::git::generated::summary(&state.generated));
    }
    let sandboxes = sandbox::prepare(repo, state, jobs)?;
    let cwd = current_dir()?;
    let python = pyenv::PythonEnv::probe(tests, &cwd, repo.workdir());
    let python_envs: Vec<_> = sandboxes
        .iter()
        .map(|sandbox| python.env_for(&sandbox.root))
        .collect();
    let lab = Lab {
        tests,
        options,
        sources: &found.sources,
        encodings: &found.encodings,
        out,
        python_envs: &python_envs,
        worker,
        candidates: &found.candidates,
        state,
        damage_told: std::sync::atomic::AtomicBool::new(false),
        records: std::sync::OnceLock::new(),
        partial: crate::execution::lab::Partial::default(),
        worker_rule: crate::execution::timeouts::worker_rule(
            options.timeout,
            crate::execution::timeouts::Parallelism::of(sandboxes.len()),
        ),
        map: worker.and(cache).map(|cache| MapSlot {
            path: line_map::map_path(
                cache.dir(),
                tests,
                &options.cwd_prefix,
                &caches::python_identity(tests),
            ),
            incremental: options.since.is_some(),
        }),
    };
    work(&lab, &sandboxes)
}

/// Prepare sandboxes, run the baseline and canary, run the missed mutants and store each
/// outcome as it finishes.
pub(crate) fn run_misses(
    cx: Context<'_>,
    misses: &[(plan::EntryId, &plan::PlannedMutant)],
    run: &Run<'_>,
) -> Result<Ran> {
    let crew = Crew {
        jobs: cx.options.jobs.min(misses.len()),
        cache: run.cache,
        worker: run.worker,
    };
    in_lab(cx, crew, |lab, sandboxes| {
        run_in(lab, sandboxes, cx.repo, misses, run)
    })
}

/// Run the baseline and canary in `lab`, then `mutants`.
fn run_in(
    lab: &Lab<'_>,
    sandboxes: &[sandbox::Sandbox],
    repo: &Repo,
    misses: &[(plan::EntryId, &plan::PlannedMutant)],
    run: &Run<'_>,
) -> Result<Ran> {
    let mutants: Vec<&Mutant> = misses.iter().map(|(_, entry)| &entry.mutant).collect();
    let worker = run.worker;
    let setup = lab.set_up(sandboxes);
    let (timeout, workers) = match setup {
        Ok(setup) => setup,
        Err(err) => {
            if interrupt::is_interrupted() {
                sandbox::clean(repo)?;
                return Err(fatal(
                    ExitCode::Interrupted,
                    "interrupted before any mutant ran",
                ));
            }
            if interrupt::budget_spent() && stopped(&err) {
                tracing::info!("the budget was spent before the baseline finished");
                return Ok(Ran {
                    results: Vec::new(),
                    interrupted: false,
                    cost: SetUpCost::measured(repo, run.cost_key, run.started, false),
                });
            }
            return Err(err);
        }
    };
    let cost = SetUpCost::measured(repo, run.cost_key, run.started, true);
    let mut cache_failed = false;
    let mut store = |position: usize, result: &MutantResult| {
        if let (Some(cache), Some(key)) = (run.cache, misses[position].1.key.as_ref())
            && let Err(err) = cache.put(key, result.outcome, result.duration, timeout)
            && !std::mem::replace(&mut cache_failed, true)
        {
            tracing::warn!("outcomes are not cached this run: {err:#} (said once)");
        }
    };
    let mut progress = Progress::new(mutants.len());
    let outcome = lab.run_mutants(
        sandboxes,
        workers,
        &mutants,
        timeout,
        &mut progress,
        &mut store,
    );
    progress.finish();
    lab.partial.failure()?;
    if let Some(command) = worker {
        tracing::info!("{}", worker_summary(&outcome.results, command.worker()));
    }
    let results = outcome.results.into_iter();
    Ok(Ran {
        results: results
            .map(|(position, result)| (misses[position].0, result))
            .collect(),
        interrupted: outcome.interrupted,
        cost,
    })
}
