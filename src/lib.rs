//! git-chimp: mutation testing for Python codebases, built into git.
//!
//! [`run`] is the whole pipeline, top to bottom: options, the repository's tested state,
//! mutant discovery, sandboxes, baseline, canary, the mutants, reports. DESIGN.md maps
//! each module.

pub mod changed;
pub mod cli;
pub mod console;
pub mod discover;
pub mod exit_code;
pub mod hook;
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

use crate::changed::ChangedLines;
use crate::cli::{Cli, Command, HookCommand, RunArgs};
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
        Some(Command::Hook(HookCommand::Install { force })) => {
            let repo = Repo::discover(&current_dir()?)?;
            let path = hook::install(&repo, force)?;
            println!("installed the git-chimp pre-push hook: {}", path.display());
            if repo.config("tests").is_none() {
                println!(
                    "set the test command it runs with: git config chimp.tests \"python -m pytest -x -q\""
                );
            }
            Ok(ExitCode::Success)
        }
        Some(Command::Hook(HookCommand::Uninstall)) => {
            let repo = Repo::discover(&current_dir()?)?;
            match hook::uninstall(&repo)? {
                Some(path) => println!("removed the git-chimp pre-push hook: {}", path.display()),
                None => println!("no git-chimp pre-push hook is installed"),
            }
            Ok(ExitCode::Success)
        }
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
    /// Every selected Python file that parses, in scope of `--since` or not: what the
    /// canary breaks.
    candidates: Vec<String>,
}

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "Python imports modules from lowercase `.py` files only"
)]
fn discover_mutants(
    repo: &Repo,
    options: &Options,
    state: &TargetState,
    changed: Option<&ChangedLines>,
) -> Result<Discovery> {
    let mut found = Discovery {
        candidates: Vec::new(),
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
        if state.symlinks.contains(path) {
            // Writing a mutant through a link could reach outside the sandbox.
            found.skipped.push((
                path.clone(),
                "a symbolic link (its target is mutated where it lives, if selected)".into(),
            ));
            continue;
        }
        if changed.is_some_and(|changed| !changed.has_file(path)) {
            found.candidates.push(path.clone());
            continue;
        }
        let bytes = repo.read(state, path)?;
        let Ok(text) = String::from_utf8(bytes) else {
            found.skipped.push((path.clone(), "not UTF-8".into()));
            continue;
        };
        match discover::mutate_source(path, &text, &options.operators) {
            Ok(mut mutants) => {
                found.candidates.push(path.clone());
                if let Some(changed) = changed {
                    mutants.retain(|m| changed.touches(path, m.start, m.end));
                }
                if !mutants.is_empty() {
                    found.mutants.extend(mutants);
                    found.sources.insert(path.clone(), text);
                }
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

/// A run's repository, options, tested state and (with `--since`) the lines in scope.
struct Prepared {
    repo: Repo,
    options: Options,
    state: TargetState,
    changed: Option<ChangedLines>,
}

/// Defaults from git config (`chimp.tests`, `chimp.timeout`, ...), for options not given
/// on the command line or in the environment. Paths in config are relative to the
/// repository root.
fn config_args(repo: &Repo) -> Result<RunArgs> {
    let words = |key: &str| -> Vec<String> {
        repo.config(key)
            .map(|value| value.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let number = |key: &str| -> Result<Option<f64>> {
        repo.config(key)
            .map(|value| {
                value.trim().parse::<f64>().map_err(|_| {
                    fatal(
                        ExitCode::Usage,
                        format!("git config chimp.{key} = {value:?}: not a number"),
                    )
                })
            })
            .transpose()
    };
    let root = repo.workdir();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "validated below"
    )]
    let jobs = number("jobs")?.map(|jobs| jobs.max(0.0) as usize);
    Ok(RunArgs {
        code: words("code").iter().map(|path| root.join(path)).collect(),
        exclude: words("exclude")
            .iter()
            .map(|glob| root.join(glob).to_string_lossy().into_owned())
            .collect(),
        operators: repo
            .config("operators")
            .map(|ops| ops.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        jobs,
        tests: repo.config("tests"),
        timeout: number("timeout")?,
        ..RunArgs::default()
    })
}

fn prepare(args: &RunArgs) -> Result<Prepared> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let args = args.clone().or(config_args(&repo)?);
    let options = Options::new(&args, repo.workdir(), &cwd)?;
    let state = match &options.rev {
        Some(rev) => repo.commit_state(&repo.resolve_commit(rev, "--rev")?)?,
        None => repo.working_state()?,
    };
    let changed = match &options.since {
        Some(spec) => {
            let since = repo.resolve_commit(spec, "--since")?;
            let base = repo.merge_base(&since, &state.commit, spec)?;
            let changed = ChangedLines::between(&repo, &base, &state)?;
            eprintln!(
                "git-chimp: --since {spec}: base {} (merge base with {}{}); {} changed lines in {} files",
                &base[..12],
                &state.commit[..12],
                if state.with_working_tree {
                    " and the working tree"
                } else {
                    ""
                },
                changed.line_count(),
                changed.file_count()
            );
            Some(changed)
        }
        None => None,
    };
    Ok(Prepared {
        repo,
        options,
        state,
        changed,
    })
}

fn list(args: &RunArgs) -> Result<ExitCode> {
    let Prepared {
        repo,
        options,
        state,
        changed,
    } = prepare(args)?;
    let found = discover_mutants(&repo, &options, &state, changed.as_ref())?;
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
    let Prepared {
        repo,
        options,
        state,
        changed,
    } = prepare(args)?;
    let Some(tests) = options.tests.clone() else {
        return Err(fatal(
            ExitCode::Usage,
            "no test command: pass --tests \"<command>\" (e.g. --tests \"python -m pytest -x -q\") \
             or set one with `git config chimp.tests \"<command>\"`; `git chimp list` only lists \
             mutants",
        ));
    };
    let _lock = sandbox::lock(&repo)?;
    let out = OutputDir::create(repo.workdir())?;
    let found = discover_mutants(&repo, &options, &state, changed.as_ref())?;
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
            lab.canary(&sandboxes[0], &found.candidates, timeout)?;
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
