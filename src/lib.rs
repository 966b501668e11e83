//! git-chimp: mutation testing for Python codebases, built into git.
//!
//! [`run`] is the whole pipeline, top to bottom: options, the repository's tested state,
//! mutant discovery, sandboxes, baseline, canary, the mutants, reports. DESIGN.md maps
//! each module.

pub mod cli;
pub mod console;
pub mod discover;
pub mod exit_code;
pub mod interrupt;
pub mod lab;
pub mod mutant;
pub mod operators;
pub mod options;
pub mod outcome;
pub mod output;
pub mod parse;
pub mod process;
pub mod pyenv;
pub mod repo;
pub mod report;
pub mod sandbox;
pub mod span;
pub mod timeouts;

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, RunArgs};
use crate::console::Progress;
use crate::exit_code::{ExitCode, fatal};
use crate::lab::Lab;
use crate::mutant::Mutant;
use crate::operators::Operator;
use crate::options::{Options, is_default_excluded};
use crate::outcome::Outcome;
use crate::output::OutputDir;
use crate::repo::{Repo, TargetState};

/// Run git-chimp with parsed arguments; the exit status says how it went.
///
/// # Errors
/// Fatal problems; an [`exit_code::Fatal`] in the chain decides the exit status.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Operators) => {
            for operator in Operator::ALL {
                println!("{:<18} {}", operator.name(), operator.description());
            }
            Ok(ExitCode::Success)
        }
        Some(Command::Clean) => clean(),
        Some(Command::List(args)) => list(&args.or(cli.run)),
        None if cli.run.list => list(&cli.run),
        None => sweep(&cli.run),
    }
}

fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().context("reading the current directory")
}

fn clean() -> Result<ExitCode> {
    let repo = Repo::discover(&current_dir()?)?;
    let _lock = sandbox::lock(&repo)?;
    let removed = sandbox::clean(&repo)?;
    println!("removed {removed} sandbox worktree(s)");
    Ok(ExitCode::Success)
}

/// The files and mutants of a run.
struct Discovery {
    /// Original text of each file that has mutants.
    sources: BTreeMap<String, String>,
    /// Every mutant, sorted by file and position.
    mutants: Vec<Mutant>,
    /// Python files that were skipped, with the reason.
    skipped: Vec<(String, String)>,
}

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "Python imports modules from lowercase `.py` files only"
)]
fn discover_mutants(repo: &Repo, options: &Options, state: &TargetState) -> Result<Discovery> {
    let mut found = Discovery {
        sources: BTreeMap::new(),
        mutants: Vec::new(),
        skipped: Vec::new(),
    };
    for path in &state.files {
        if !path.ends_with(".py")
            || !options.in_code(path)
            || options.is_excluded(path)
            || is_default_excluded(path)
            || path
                .split('/')
                .any(|part| part == "site-packages" || part == ".chimp")
        {
            continue;
        }
        if repo.is_symlink(path) {
            // Writing a mutant through a link could reach outside the sandbox.
            found.skipped.push((
                path.clone(),
                "a symbolic link (its target is mutated where it lives, if selected)".into(),
            ));
            continue;
        }
        let bytes = repo.read(path)?;
        let Ok(text) = String::from_utf8(bytes) else {
            found.skipped.push((path.clone(), "not UTF-8".into()));
            continue;
        };
        match discover::mutate_source(path, &text, &options.operators) {
            Ok(mutants) if mutants.is_empty() => {}
            Ok(mutants) => {
                found.mutants.extend(mutants);
                found.sources.insert(path.clone(), text);
            }
            Err(skip) => found
                .skipped
                .push((path.clone(), format!("does not parse ({skip})"))),
        }
    }
    for (path, reason) in &found.skipped {
        eprintln!("git-chimp: skipping {path}: {reason}");
    }
    Ok(found)
}

fn prepare(args: &RunArgs) -> Result<(Repo, Options, TargetState)> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let options = Options::new(args, repo.workdir(), &cwd)?;
    let state = repo.working_state()?;
    Ok((repo, options, state))
}

fn list(args: &RunArgs) -> Result<ExitCode> {
    let (repo, options, state) = prepare(args)?;
    let found = discover_mutants(&repo, &options, &state)?;
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

fn sweep(args: &RunArgs) -> Result<ExitCode> {
    interrupt::install();
    let (repo, options, state) = prepare(args)?;
    let Some(tests) = options.tests.clone() else {
        return Err(fatal(
            ExitCode::Usage,
            "no test command: pass --tests \"<command>\" (e.g. --tests \"python -m pytest -x -q\"), \
             or use `git chimp list` to only list mutants",
        ));
    };
    let _lock = sandbox::lock(&repo)?;
    let out = OutputDir::create(repo.workdir())?;
    let found = discover_mutants(&repo, &options, &state)?;
    let total = found.mutants.len();
    eprintln!(
        "git-chimp: {total} mutants in {} files",
        found.sources.len()
    );
    if total == 0 {
        report::json::write_report(&out.report_path(), repo.workdir(), &[], &[], &found.sources)?;
        println!("no mutants to test");
        return Ok(ExitCode::Success);
    }
    let sandboxes = sandbox::prepare(&repo, &state, options.jobs.min(total))?;
    let cwd = current_dir()?;
    let python = pyenv::PythonEnv::probe(&tests, &cwd, repo.workdir());
    let lab = Lab {
        tests: &tests,
        cwd_prefix: &options.cwd_prefix,
        sources: &found.sources,
        out: &out,
        python: &python,
    };
    let setup = (|| -> Result<std::time::Duration> {
        eprintln!("git-chimp: baseline: {tests}");
        let baseline = lab.baseline(&sandboxes[0], options.timeout)?;
        let timeout = timeouts::mutant_timeout(options.timeout, baseline);
        eprintln!(
            "git-chimp: baseline passed in {:.1}s; timeout per mutant {:.1}s",
            baseline.as_secs_f64(),
            timeout.as_secs_f64()
        );
        if options.canary {
            lab.canary(&sandboxes[0], timeout)?;
        }
        Ok(timeout)
    })();
    let timeout = match setup {
        Ok(timeout) => timeout,
        Err(err) => {
            if interrupt::is_interrupted() {
                sandbox::clean(&repo)?;
                return Err(fatal(
                    ExitCode::Interrupted,
                    "interrupted before any mutant ran",
                ));
            }
            return Err(err);
        }
    };
    let mut progress = Progress::new(total);
    let outcome = lab.run_mutants(&sandboxes, &found.mutants, timeout, &mut progress);
    progress.finish();
    report::json::write_report(
        &out.report_path(),
        repo.workdir(),
        &found.mutants,
        &outcome.results,
        &found.sources,
    )?;
    report::patch::write_patches(&out, &outcome.results, &found.sources)?;
    print!(
        "{}",
        report::terminal::summary(&outcome.results, total, outcome.interrupted)
    );
    let survived = outcome
        .results
        .iter()
        .any(|result| result.outcome == Outcome::Survived);
    if survived {
        println!("patches: {}", out.survived_dir().display());
    }
    println!("report: {}", out.report_path().display());
    if outcome.interrupted {
        // Leave nothing registered behind: an interrupted run removes its sandboxes.
        sandbox::clean(&repo)?;
        return Ok(ExitCode::Interrupted);
    }
    Ok(if survived {
        ExitCode::Survivors
    } else {
        ExitCode::Success
    })
}
