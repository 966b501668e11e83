//! `git chimp doctor`: what a run would do on this project and why, with the fix for each
//! problem it finds, before any mutant runs. It takes a run's own steps (the test
//! command, the mutants, a sandbox, the baseline, the canary, the pytest worker's start)
//! and stops where a run would start its mutants; when the tests fail in the sandbox, it
//! runs them once in the checkout too, to tell a broken suite from files the sandbox
//! lacks.

use anyhow::Result;

use super::sweep::discovery::discover_mutants;
use super::sweep::prepare::{Prepared, prepare};
use super::sweep::{Context, Crew, in_lab, worker_command};
use crate::execution::process::{Exit, run_test_command};
use crate::exit_code::{ExitCode, Fatal};
use crate::output::OutputDir;
use crate::settings::Settings;
use crate::{detect, git::sandbox, interrupt};

/// One line of the diagnosis: a name and what was found.
fn say(name: &str, text: &str) {
    println!("{name:<10} {text}");
}

/// Diagnose a run with the command line's `settings`: 0 when a run would start its
/// mutants, else the exit status that run would end with (1 with no test command).
pub(crate) fn doctor(settings: Settings) -> Result<ExitCode> {
    interrupt::install();
    let Prepared {
        repo,
        options,
        state,
        changed,
    } = prepare(settings)?;
    let Some(tests) = test_command(&repo, &options, &state) else {
        return Ok(ExitCode::Usage);
    };
    let _lock = sandbox::lock(&repo)?;
    let out = OutputDir::create(repo.workdir())?;
    let found = discover_mutants(&repo, &options, &state, changed.as_ref(), Some(&tests))?;
    say(
        "mutants",
        &format!("{} in {} files", found.mutants.len(), found.sources.len()),
    );
    if found.mutants.is_empty() {
        say(
            "fix",
            "nothing to mutate: name the code with --code (or code = [...] under [tool.chimp])",
        );
        return Ok(ExitCode::Success);
    }
    let worker = worker_command(options.runner, &tests)?;
    say(
        "runner",
        &worker.as_ref().map_or(
            "the test command from scratch for every mutant (a warm worker runs `pytest \
             ...`, `python -m pytest ...` and `python -m unittest ...` commands)"
                .to_owned(),
            |command| {
                format!(
                    "the {}: tests loaded once, a forked child per mutant",
                    command.worker()
                )
            },
        ),
    );
    let started = std::time::Instant::now();
    let cx = Context {
        repo: &repo,
        options: &options,
        state: &state,
        found: &found,
        tests: &tests,
        out: &out,
    };
    let crew = Crew {
        jobs: 1,
        cache: None,
        worker: worker.as_ref(),
    };
    // Only whether a warm worker started matters here, not the workers themselves.
    let set_up = in_lab(cx, crew, |lab, sandboxes| {
        let (timeout, workers) = lab.set_up(sandboxes)?;
        Ok((
            timeout,
            workers.iter().any(|workers| workers.warm.is_some()),
        ))
    });
    match set_up {
        Ok((timeout, warm)) => {
            say(
                "baseline",
                &format!(
                    "passed in a sandbox; with the canary{} {:.1}s (timeout per mutant {:.1}s \
                     from scratch)",
                    if warm {
                        " and the worker's start,"
                    } else {
                        ","
                    },
                    started.elapsed().as_secs_f64(),
                    timeout.as_secs_f64()
                ),
            );
            if worker.is_some() && !warm {
                say(
                    "worker",
                    "cannot run (the reason is above): every mutant would run from scratch",
                );
            }
            say(
                "ready",
                &format!("`git chimp` would test {} mutants now", found.mutants.len()),
            );
            Ok(ExitCode::Success)
        }
        Err(err) => {
            let Some(fatal) = err.downcast_ref::<Fatal>() else {
                return Err(err);
            };
            say("problem", &fatal.message);
            if fatal.code == ExitCode::BaselineFailed {
                in_the_checkout(&repo, &options, &tests, &out)?;
            }
            Ok(fatal.code)
        }
    }
}

/// The test command a run would use, said with where it comes from; `None` (with the
/// fix) when there is none.
fn test_command(
    repo: &crate::git::repo::Repo,
    options: &crate::settings::Options,
    state: &crate::git::repo::TargetState,
) -> Option<String> {
    if let Some(tests) = options.tests.clone() {
        say("tests", &format!("{tests} (configured)"));
        return Some(tests);
    }
    if let Some(found) = detect::test_command(repo.workdir(), &state.files, &options.cwd_prefix) {
        say(
            "tests",
            &format!("{} (detected: {})", found.command, found.why),
        );
        return Some(found.command);
    }
    say(
        "tests",
        "none configured and none detected (no pytest configuration or test modules with \
         an interpreter that imports pytest, no unittest tests)",
    );
    say(
        "fix",
        "git config chimp.tests \"python -m pytest -x -q\" (or tests = \"...\" under \
         [tool.chimp] in pyproject.toml, for the whole team; `git chimp init` writes it)",
    );
    None
}

/// The tests failed in the sandbox: run them once in the checkout, and say what the
/// difference means.
fn in_the_checkout(
    repo: &crate::git::repo::Repo,
    options: &crate::settings::Options,
    tests: &str,
    out: &OutputDir,
) -> Result<()> {
    let log = out.logs_dir().join("doctor-checkout.log");
    let dir = repo.workdir().join(&options.cwd_prefix);
    // No bytecode files left in the checkout by this run.
    let env = [("PYTHONDONTWRITEBYTECODE".to_owned(), "1".to_owned())];
    let run = run_test_command(tests, &dir, &env, &log, Some(options.baseline_timeout))?;
    if run.exit == Exit::Success {
        say(
            "checkout",
            &format!(
                "the same command passes in your checkout: the tests need something a \
                 sandbox (a clean git worktree of the tested state) lacks: files git does \
                 not track (generated at install time, such as a setuptools-scm \
                 `_version.py` or compiled extensions and catalogues), or with --rev, files \
                 of your working tree that the commit lacks. git-chimp copies ignored files \
                 under the code's paths into its sandboxes: build or install them in the \
                 checkout first (pip install -e .), or commit what the tests need. The \
                 checkout's output: {}",
                crate::execution::lab::shown_path(&log)
            ),
        );
    } else {
        say(
            "checkout",
            &format!(
                "the command fails in your checkout too: fix the tests or the command first \
                 (its output: {})",
                crate::execution::lab::shown_path(&log)
            ),
        );
    }
    Ok(())
}
