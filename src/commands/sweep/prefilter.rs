//! Mutants settled before any test runs: those that compile to the original's bytecode
//! (equivalent) and those the type checker rejects (`--type-check`).

use std::time::Duration;

use anyhow::Result;

use crate::cache::Cache;
use crate::execution::type_check;
use crate::execution::{equivalence, pyenv};
use crate::exit_code::{ExitCode, fatal};
use crate::git::sandbox;
use crate::interrupt;
use crate::outcome::{MutantResult, Outcome, RanBy};
use crate::plan::{EntryId, Plan};
use crate::python::mutant::Mutant;

use super::Context;
use crate::commands::current_dir;

/// Settle the plan's misses that compile to the original's code as equivalent (cached
/// like outcomes), with the interpreter the test command names; returns how many. A
/// check that cannot be made is one warning, and every mutant is run.
pub(crate) fn find_equivalent(
    plan: &mut Plan,
    cx: Context<'_>,
    cache: Option<&Cache>,
) -> Result<usize> {
    let (found, tests, options) = (cx.found, cx.tests, cx.options);
    let misses = plan.misses();
    if misses.is_empty() {
        return Ok(0);
    }
    let Some(python) = pyenv::test_interpreter(tests, &current_dir()?) else {
        tracing::debug!("no equivalent-mutant check: the test command names no Python interpreter");
        return Ok(0);
    };
    let started = std::time::Instant::now();
    let mutants: Vec<&Mutant> = misses.iter().map(|(_, entry)| &entry.mutant).collect();
    let equivalent =
        match equivalence::equivalent_mutants(&python, &found.sources, &mutants, options.jobs) {
            Ok(equivalent) => equivalent,
            Err(why) => {
                if interrupt::is_interrupted() {
                    return Err(fatal(
                        ExitCode::Interrupted,
                        "interrupted before any mutant ran",
                    ));
                }
                tracing::warn!(
                    "equivalent mutants are not looked for this run: `{python}` could not \
                     compile them ({why})"
                );
                return Ok(0);
            }
        };
    let found_in = started.elapsed().as_millis();
    if equivalent.is_empty() {
        tracing::debug!("no equivalent mutants under `{python}` ({found_in} ms)");
    } else {
        tracing::info!(
            "{} equivalent mutants (the same bytecode under `{python}`), found in {found_in} ms",
            equivalent.len()
        );
    }
    let results: Vec<(EntryId, MutantResult)> = equivalent
        .iter()
        .map(|&position| {
            let (id, entry) = misses[position];
            if let (Some(cache), Some(key)) = (cache, entry.key.as_ref())
                && let Err(err) =
                    cache.put(key, Outcome::Equivalent, Duration::ZERO, Duration::ZERO)
            {
                tracing::debug!("equivalent mutant not cached: {err:#}");
            }
            let result = MutantResult {
                detail: Some(format!(
                    "compiles to the original's bytecode under {python}"
                )),
                ran_by: RanBy::Compiler,
                ..MutantResult::new(&entry.mutant, Outcome::Equivalent, Duration::ZERO)
            };
            (id, result)
        })
        .collect();
    let count = results.len();
    plan.record(results);
    Ok(count)
}

/// With `--type-check`, settle the plan's misses the checker rejects as type errors
/// (not cached: the key leaves the checker out); returns how many. The checker runs in
/// sandbox 0, before any test.
pub(crate) fn find_type_errors(plan: &mut Plan, cx: Context<'_>) -> Result<usize> {
    let Context {
        repo,
        options,
        state,
        found,
        tests,
        ..
    } = cx;
    let Some(checker) = &options.type_check else {
        return Ok(0);
    };
    let misses = plan.misses();
    if misses.is_empty() {
        return Ok(0);
    }
    let started = std::time::Instant::now();
    let python =
        pyenv::test_interpreter(tests, &current_dir()?).unwrap_or_else(|| "python3".into());
    let sandboxes = sandbox::prepare(repo, state, 1)?;
    let sandbox = &sandboxes[0];
    // A file in another encoding than UTF-8 is left to the tests: its copy would be
    // written in UTF-8 under the original's coding line.
    let (ids, mutants): (Vec<EntryId>, Vec<&Mutant>) = misses
        .iter()
        .map(|(id, entry)| (*id, &entry.mutant))
        .filter(|(_, mutant)| !found.encodings.contains_key(&mutant.path))
        .unzip();
    let rejected = type_check::rejected(
        checker,
        &python,
        &sandbox.root,
        &sandbox.dir_for(&options.cwd_prefix),
        &found.sources,
        &mutants,
    )?;
    tracing::info!(
        "--type-check {checker}: {} of {} mutants rejected, in {} ms",
        rejected.len(),
        mutants.len(),
        started.elapsed().as_millis()
    );
    let results: Vec<(EntryId, MutantResult)> = rejected
        .into_iter()
        .map(|(checked, error)| {
            let result = MutantResult {
                detail: Some(format!("{checker}: {error}")),
                ran_by: RanBy::TypeChecker,
                ..MutantResult::new(mutants[checked], Outcome::TypeError, Duration::ZERO)
            };
            (ids[checked], result)
        })
        .collect();
    let count = results.len();
    plan.record(results);
    Ok(count)
}
