//! git-chimp: mutation testing for Python codebases, built into git.
//!
//! [`run`] is the whole pipeline, top to bottom: options, the repository's tested state,
//! mutant discovery, sandboxes, baseline, canary, the mutants, reports. DESIGN.md maps
//! each module.

pub mod cache;
pub mod changed;
pub mod cli;
pub mod config;
pub mod console;
pub mod detect;
pub mod discover;
pub mod docs;
pub mod encoding;
pub mod exit_code;
pub mod hook;
pub mod init;
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
pub mod shard;
pub mod span;
pub mod timeouts;
pub mod worker;

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use crate::cache::{Cache, CacheKey, TestFingerprint};
use crate::changed::ChangedLines;
use crate::cli::{CacheCommand, Cli, Command, HookCommand, MergeArgs, RunArgs, Runner};
use crate::config::{FileConfig, Origin};
use crate::console::Progress;
use crate::exit_code::{ExitCode, fatal};
use crate::lab::Lab;
use crate::mutant::Mutant;
use crate::operators::Operator;
use crate::options::Options;
use crate::outcome::{MutantResult, Outcome};
use crate::output::OutputDir;
use crate::repo::{Repo, TargetState};
use crate::worker::PytestCommand;

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
        Some(Command::Cache { action, cache_dir }) => manage_cache(&action, cache_dir.as_deref()),
        Some(Command::Hook(HookCommand::Install { force })) => {
            let cwd = current_dir()?;
            let repo = Repo::discover(&cwd)?;
            let path = hook::install(&repo, force)?;
            println!("installed the git-chimp pre-push hook: {}", path.display());
            let in_file = config::load(&cwd, repo.workdir())
                .ok()
                .flatten()
                .is_some_and(|file| file.args.tests.is_some());
            if repo.config("tests").is_none() && !in_file {
                println!(
                    "set the test command it runs with: git config chimp.tests \"python -m pytest -x -q\" \
                     (or tests = \"...\" under [tool.chimp] in pyproject.toml)"
                );
            }
            Ok(ExitCode::Success)
        }
        Some(Command::Init { hook }) => {
            let repo = Repo::discover(&current_dir()?)?;
            let state = repo.working_state()?;
            let section = init::section(repo.workdir(), &state.files, cli.run.tests.as_deref());
            let path = init::write(repo.workdir(), &section)?;
            println!("wrote to {}:\n\n{section}", path.display());
            if hook {
                let path = hook::install(&repo, false)?;
                println!("installed the git-chimp pre-push hook: {}", path.display());
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
        Some(Command::Config(args)) => show_config(&args.or(cli.run), &cli.from_env),
        Some(Command::Merge(args)) => merge(&args, &cli.run),
        Some(Command::Completions { shell }) => {
            print!("{}", docs::completions(shell));
            Ok(ExitCode::Success)
        }
        Some(Command::Man { out_dir, install }) => {
            let pages = docs::man_pages()?;
            let out_dir = if install {
                Some(docs::install_dir()?)
            } else {
                out_dir
            };
            match out_dir {
                None => print!("{}", pages[0].1),
                Some(dir) => {
                    std::fs::create_dir_all(&dir).map_err(|err| {
                        output::cannot_write(&dir, "creating the directory", &err)
                    })?;
                    for (name, page) in &pages {
                        output::write_atomic(&dir.join(name), page.as_bytes())?;
                    }
                    println!("wrote {} man pages to {}", pages.len(), dir.display());
                }
            }
            Ok(ExitCode::Success)
        }
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

fn manage_cache(action: &CacheCommand, dir: Option<&std::path::Path>) -> Result<ExitCode> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let cache = Cache::new(dir.map_or_else(
        || repo.workdir().join(".chimp").join("cache"),
        |dir| cwd.join(dir),
    ));
    match action {
        CacheCommand::Stats => {
            let stats = cache.stats();
            let entries: usize = stats.by_outcome.values().sum();
            println!("cache: {}", cache.dir().display());
            println!("{entries} entries, {} KiB", stats.bytes.div_ceil(1024));
            for (outcome, count) in &stats.by_outcome {
                println!("  {outcome}: {count}");
            }
            if stats.damaged > 0 {
                println!("  damaged (ignored, replaced when met): {}", stats.damaged);
            }
            if let Some((oldest, newest)) = stats.range {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                println!(
                    "oldest {} ago, newest {} ago",
                    age(now.saturating_sub(oldest)),
                    age(now.saturating_sub(newest))
                );
            }
        }
        CacheCommand::Clear => println!("removed {} entries", cache.clear()?),
        CacheCommand::Prune { older_than } => {
            let age = cache::parse_duration(older_than)
                .map_err(|err| fatal(ExitCode::Usage, format!("--older-than {err}")))?;
            println!("removed {} entries", cache.prune(age)?);
        }
    }
    Ok(ExitCode::Success)
}

fn age(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds}s"),
        120..7200 => format!("{}m", seconds / 60),
        7200..172_800 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}

/// The files and mutants of a run.
struct Discovery {
    /// Original text of each file that has mutants.
    sources: BTreeMap<String, String>,
    /// The encoding of each of those files that is not UTF-8 (PEP 263).
    encodings: BTreeMap<String, encoding::SourceEncoding>,
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
    tests: Option<&str>,
) -> Result<Discovery> {
    let mut named = tests.map_or_else(Vec::new, |tests| {
        options.named_by_tests(tests, &state.files, repo.workdir())
    });
    // The project's own pytest settings say where its tests are too.
    let pytest_paths = detect::PytestPaths::read(repo.workdir());
    named.extend(
        state
            .files
            .iter()
            .filter(|path| pytest_paths.holds(path))
            .cloned(),
    );
    let mut as_tests: Vec<&str> = Vec::new();
    let mut found = Discovery {
        candidates: Vec::new(),
        sources: BTreeMap::new(),
        encodings: BTreeMap::new(),
        mutants: Vec::new(),
        skipped: Vec::new(),
    };
    for path in &state.files {
        if path
            .split('/')
            .any(|part| part == "site-packages" || part == ".chimp")
        {
            continue;
        }
        if options.excluded_as_test(path, &named) {
            as_tests.push(path);
            continue;
        }
        if !path.ends_with(".py")
            || !options.in_code(path)
            || options.is_excluded(path)
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
        let (text, source_encoding) = match encoding::decode(bytes) {
            Ok(decoded) => decoded,
            Err(why) => {
                found.skipped.push((path.clone(), why));
                continue;
            }
        };
        if let Some(at) = text.find('\0') {
            let line = text[..at].matches('\n').count() + 1;
            found.skipped.push((
                path.clone(),
                format!("a NUL byte on line {line}, which Python rejects in source code"),
            ));
            continue;
        }
        match discover::mutate_source(path, &text, &options.operators) {
            Ok(mut mutants) => {
                found.candidates.push(path.clone());
                if let Some(changed) = changed {
                    mutants.retain(|m| changed.touches(path, m.start, m.end));
                }
                if !mutants.is_empty() {
                    found.mutants.extend(mutants);
                    found.sources.insert(path.clone(), text);
                    if let Some(source_encoding) = source_encoding {
                        found.encodings.insert(path.clone(), source_encoding);
                    }
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
    say_excluded_as_tests(&as_tests);
    Ok(found)
}

/// One line naming the files excluded as tests or tooling (the first five), if any.
fn say_excluded_as_tests(paths: &[&str]) {
    const SHOWN: usize = 5;
    if paths.is_empty() {
        return;
    }
    let more = paths.len().saturating_sub(SHOWN);
    eprintln!(
        "git-chimp: excluded as tests: {}{} (name a file with --code to mutate it)",
        paths[..paths.len().min(SHOWN)].join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
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
    // Validated as the file's `jobs` is: a positive integer, not a number rounded down.
    let jobs = repo
        .config("jobs")
        .map(|value| {
            value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|jobs| *jobs > 0)
                .ok_or_else(|| {
                    fatal(
                        ExitCode::Usage,
                        format!("git config chimp.jobs = {value:?}: expected a positive integer"),
                    )
                })
        })
        .transpose()?;
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
        baseline_timeout: number("baseline-timeout")?,
        fail_under: number("fail-under")?,
        runner: repo
            .config("runner")
            .map(|value| {
                <cli::Runner as clap::ValueEnum>::from_str(value.trim(), true).map_err(|_| {
                    fatal(
                        ExitCode::Usage,
                        format!(
                            "git config chimp.runner = {value:?}: expected auto, pytest or command"
                        ),
                    )
                })
            })
            .transpose()?,
        ..RunArgs::default()
    })
}

/// A run's arguments in their layers: command line (with `CHIMP_*`), git config, file.
struct Layers {
    command_line: RunArgs,
    git: RunArgs,
    file: Option<FileConfig>,
}

impl Layers {
    fn read(args: &RunArgs, repo: &Repo, cwd: &std::path::Path) -> Result<Self> {
        Ok(Self {
            command_line: args.clone(),
            git: config_args(repo)?,
            file: config::load(cwd, repo.workdir())?,
        })
    }

    /// The effective arguments: each layer fills what the ones above left unset.
    /// Which layer sets `key` (a flag and its `CHIMP_*` variable are both the command
    /// line here).
    fn origin(&self, key: &str) -> Option<Origin> {
        let key = config::KEYS
            .iter()
            .chain(&["shard"])
            .find(|known| **known == key)?;
        Some(if config::shown_value(&self.command_line, key).is_some() {
            Origin::CommandLine
        } else if config::shown_value(&self.git, key).is_some() {
            Origin::GitConfig(key)
        } else if let Some((file, line)) = self
            .file
            .as_ref()
            .and_then(|file| Some((file, *file.lines.get(key)?)))
        {
            Origin::File(file.shown.clone(), line)
        } else {
            Origin::Default
        })
    }

    /// The validated options, a bad value's error naming the layer that set it (the
    /// file and line, or `git config chimp.<key>`), as the command line names its flag.
    fn options(&self, workdir: &std::path::Path, cwd: &std::path::Path) -> Result<Options> {
        Options::new(&self.merged(), workdir, cwd).map_err(|err| {
            let Some(bad) = err.downcast_ref::<exit_code::Fatal>() else {
                return err;
            };
            let Some((key, rest)) = bad
                .message
                .strip_prefix("--")
                .and_then(|message| message.split_once([' ', ':']))
            else {
                return err;
            };
            match self.origin(key) {
                Some(origin @ (Origin::GitConfig(_) | Origin::File(..))) => {
                    let rest = rest.trim_start_matches(' ');
                    fatal(bad.code, format!("{origin}: {key} {rest}"))
                }
                _ => err,
            }
        })
    }

    fn merged(&self) -> RunArgs {
        let file = self.file.as_ref().map(|file| file.args.clone());
        self.command_line
            .clone()
            .or(self.git.clone())
            .or(file.unwrap_or_default())
    }
}

fn prepare(args: &RunArgs) -> Result<Prepared> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let options = Layers::read(args, &repo, &cwd)?.options(repo.workdir(), &cwd)?;
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

fn show_config(args: &RunArgs, from_env: &std::collections::BTreeSet<String>) -> Result<ExitCode> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let layers = Layers::read(args, &repo, &cwd)?;
    let merged = layers.merged();
    let options = layers.options(repo.workdir(), &cwd)?;
    match &layers.file {
        Some(file) => println!("configuration file: {}", file.shown.display()),
        None => println!(
            "configuration file: none (chimp.toml, or [tool.chimp] in pyproject.toml, in this \
             directory or a parent up to the repository root)"
        ),
    }
    let root = format!(
        "{}/",
        repo.workdir().display().to_string().trim_end_matches('/')
    );
    let files = repo
        .working_state()
        .map(|state| state.files)
        .unwrap_or_default();
    for key in config::KEYS.iter().copied().chain(["shard"]) {
        let origin = match layers.origin(key).unwrap_or(Origin::Default) {
            Origin::CommandLine if from_env.contains(key) => Origin::Environment(key),
            origin => origin,
        };
        let value = config::shown_value(&merged, key).map_or_else(
            || default_shown(key, &options),
            |value| value.replace(&root, ""),
        );
        if key == "tests"
            && origin == Origin::Default
            && let Some(detected) = detect::test_command(repo.workdir(), &files)
        {
            let detected_origin = format!("detected: {}", detected.why);
            println!("{key:<11} {:<32} ({detected_origin})", detected.command);
            continue;
        }
        println!("{key:<11} {value:<32} ({origin})");
    }
    Ok(ExitCode::Success)
}

/// What a setting is when nothing sets it, as `git chimp config` shows it.
fn default_shown(key: &str, options: &Options) -> String {
    match key {
        "tests" => "none: a run needs one".to_owned(),
        "code" => "the current directory".to_owned(),
        "operators" => format!("all {}", Operator::ALL.len()),
        "jobs" => format!("{} (the number of CPUs)", options.jobs),
        "timeout" => "3 x baseline + 5 s".to_owned(),
        "baseline-timeout" => "600 s".to_owned(),
        "runner" => "auto".to_owned(),
        "cache-dir" => ".chimp/cache".to_owned(),
        "no-cache" | "no-canary" | "no-reexec" => "false".to_owned(),
        "report" => "report.json only".to_owned(),
        _ => "none".to_owned(),
    }
}

/// `git chimp merge`: combine shard reports into one, as a single run reports. `outer`
/// holds the options given before the subcommand (`git chimp --report html merge ...`).
fn merge(args: &MergeArgs, outer: &RunArgs) -> Result<ExitCode> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let settings = Layers::read(outer, &repo, &cwd)?.merged();
    let fail_under = args.fail_under.or(settings.fail_under);
    options::check_fail_under(fail_under)?;
    let kinds = if args.report.is_empty() {
        settings.report
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
    };
    eprintln!(
        "git-chimp: merged {} reports: {} mutants in {} files",
        args.reports.len(),
        merged.mutants.len(),
        merged.sources.len()
    );
    let pending = merged.mutants.len() - merged.results.len();
    let finished = finish(
        &out,
        &findings,
        &cli::ReportKind::distinct(&kinds),
        (pending > 0, None),
        (fail_under, outer.all),
    )?;
    if pending > 0 {
        println!("{pending} mutants were not run: their run was interrupted");
    }
    Ok(finished)
}

/// Write every report of a finished run (or merge), print the summary and decide the exit
/// status: survivors fail unless the score reaches `fail_under`. `run` says whether the
/// run was interrupted and how many outcomes came from the cache; `all` lists every
/// survivor.
fn finish(
    out: &OutputDir,
    findings: &report::Findings<'_>,
    kinds: &[cli::ReportKind],
    run: (bool, Option<String>),
    (fail_under, all): (Option<f64>, bool),
) -> Result<ExitCode> {
    let (interrupted, from_cache) = run;
    let more = if kinds.contains(&cli::ReportKind::Html) {
        "every one is in .chimp/report.html (or pass --all)".to_owned()
    } else {
        "pass --all, or see .chimp/report.json (--report html for a page)".to_owned()
    };
    // The summary is printed even when a report cannot be written: the outcomes are
    // never lost.
    let written = report::write_all(out, findings, kinds);
    print!(
        "{}",
        report::terminal::summary(
            findings.results,
            findings.mutants.len(),
            interrupted,
            (all, &more)
        )
    );
    if let Some(line) = from_cache {
        println!("{line}");
    }
    let survived = findings
        .results
        .iter()
        .any(|result| result.outcome.undetected());
    if survived {
        println!("patches: {}", out.survived_dir().display());
    }
    let notes = written.map_err(|err| {
        fatal(
            ExitCode::Environment,
            format!("writing the reports: {err:#} (the outcomes are in the summary above)"),
        )
    })?;
    println!("report: {}", out.report_path().display());
    for note in notes {
        println!("{note}");
    }
    if interrupted {
        return Ok(ExitCode::Interrupted);
    }
    let untested = findings.mutants.len() - findings.results.len()
        + findings
            .results
            .iter()
            .filter(|result| result.outcome == Outcome::Error)
            .count();
    if untested > 0 {
        println!(
            "{untested} of {} mutants were not tested (errors, named above and in the report): \
             the run is incomplete",
            findings.mutants.len()
        );
        return Ok(ExitCode::Incomplete);
    }
    let score = outcome::Summary::of(findings.results).score();
    Ok(match (survived, fail_under, score) {
        (false, _, _) => ExitCode::Success,
        (true, Some(limit), Some(score)) if score >= limit => {
            println!("mutation score {score:.1}% reaches --fail-under {limit}: passing");
            ExitCode::Success
        }
        (true, Some(limit), _) => {
            println!("mutation score below --fail-under {limit}: failing");
            ExitCode::Survivors
        }
        (true, None, _) => ExitCode::Survivors,
    })
}

fn list(args: &RunArgs) -> Result<ExitCode> {
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

fn sweep(args: &RunArgs) -> Result<ExitCode> {
    interrupt::install();
    let Prepared {
        repo,
        options,
        state,
        changed,
    } = prepare(args)?;
    let detected = || {
        let detected = detect::test_command(repo.workdir(), &state.files)?;
        eprintln!(
            "git-chimp: no test command configured; running `{}` ({})",
            detected.command, detected.why
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
    let _lock = sandbox::lock(&repo)?;
    let out = OutputDir::create(repo.workdir())?;
    out.check_writable(&report::file_names(&options.reports))?;
    let mut found = discover_mutants(&repo, &options, &state, changed.as_ref(), Some(&tests))?;
    let shard = take_shard(&options, &mut found);
    let total = found.mutants.len();
    eprintln!(
        "git-chimp: {total} mutants in {} files",
        found.sources.len()
    );
    let findings = |results| report::Findings {
        root: repo.workdir(),
        sources: &found.sources,
        encodings: &found.encodings,
        mutants: &found.mutants,
        results,
        shard,
    };
    if total == 0 {
        report::write_all(&out, &findings(&[]), &options.reports)?;
        println!("no mutants to test");
        return Ok(ExitCode::Success);
    }
    let cache = options.cache_dir.clone().map(Cache::new);
    let hashing = std::time::Instant::now();
    let keys = cache_keys(&repo, &state, &options, &found, &tests, cache.is_some())?;
    let hashed = hashing.elapsed();
    // Only the pytest worker tells `uncovered` from `survived`: without it, such a
    // cached outcome is run again rather than shown as something the run cannot produce.
    let pytest = pytest_command(options.runner, &tests)?;
    let (mut results, todo) = lookup(
        &found.mutants,
        cache.as_ref(),
        &keys,
        (options.timeout, pytest.is_some()),
    );
    if cache.is_some() {
        eprintln!(
            "git-chimp: cache: {} hits, {} misses (hashing {} ms, lookup {} ms)",
            results.len(),
            todo.len(),
            hashed.as_millis(),
            hashing.elapsed().saturating_sub(hashed).as_millis()
        );
    }
    let from_cache = results.len();
    let mut interrupted = false;
    if !todo.is_empty() {
        let misses = Misses {
            todo: &todo,
            keys: &keys,
            cache: cache.as_ref(),
            pytest: pytest.as_ref(),
        };
        let (ran, was_interrupted) =
            run_misses(&repo, &options, &state, &found, &tests, &out, &misses)?;
        results.extend(ran);
        interrupted = was_interrupted;
    }
    results.sort_by_key(|(index, _)| *index);
    let results: Vec<MutantResult> = results.into_iter().map(|(_, result)| result).collect();
    let from_cache = cache.is_some().then(|| {
        format!(
            "{from_cache} from cache, {} run",
            results.len() - from_cache
        )
    });
    let exit = finish(
        &out,
        &findings(&results),
        &options.reports,
        (interrupted, from_cache),
        (options.fail_under, args.all),
    )?;
    if interrupted {
        // Leave nothing registered behind: an interrupted run removes its sandboxes.
        sandbox::clean(&repo)?;
    }
    Ok(exit)
}

/// With `--shard`, keep only the shard's mutants; return the shard and the whole run's
/// mutant count.
fn take_shard(options: &Options, found: &mut Discovery) -> Option<(shard::Shard, usize)> {
    let shard = options.shard?;
    let total = found.mutants.len();
    found.mutants = std::mem::take(&mut found.mutants)
        .into_iter()
        .enumerate()
        .filter_map(|(position, mutant)| shard.holds(position).then_some(mutant))
        .collect();
    let paths: std::collections::BTreeSet<&str> =
        found.mutants.iter().map(|m| m.path.as_str()).collect();
    found
        .sources
        .retain(|path, _| paths.contains(path.as_str()));
    eprintln!(
        "git-chimp: --shard {shard}: {} of {total} mutants",
        found.mutants.len()
    );
    Some((shard, total))
}

/// Each mutant's cache key (all `None` without a cache).
fn cache_keys(
    repo: &Repo,
    state: &TargetState,
    options: &Options,
    found: &Discovery,
    tests: &str,
    enabled: bool,
) -> Result<Vec<Option<CacheKey>>> {
    if !enabled {
        return Ok(vec![None; found.mutants.len()]);
    }
    let fingerprint = test_fingerprint(repo, state, options)?;
    Ok(found
        .mutants
        .iter()
        .map(|mutant| {
            let source = found.sources.get(&mutant.path).map_or("", String::as_str);
            Some(CacheKey::new(mutant, source, tests, fingerprint))
        })
        .collect())
}

/// Split the mutants into cached results (with their index) and the indexes to run.
fn lookup(
    mutants: &[Mutant],
    cache: Option<&Cache>,
    keys: &[Option<CacheKey>],
    run: (Option<std::time::Duration>, bool),
) -> (Vec<(usize, MutantResult)>, Vec<usize>) {
    let mut results: Vec<(usize, MutantResult)> = Vec::new();
    let mut todo: Vec<usize> = Vec::new();
    for (index, mutant) in mutants.iter().enumerate() {
        let entry = cache
            .zip(keys[index].as_ref())
            .and_then(|(cache, key)| cache.get(key))
            .filter(|entry| reusable(entry, run));
        match entry.and_then(|entry| Some((entry.outcome()?, entry))) {
            Some((outcome, entry)) => results.push((
                index,
                MutantResult {
                    detail: Some("from cache".to_owned()),
                    cached: true,
                    ..MutantResult::new(
                        mutant,
                        outcome,
                        std::time::Duration::from_millis(entry.duration_ms),
                    )
                },
            )),
            None => todo.push(index),
        }
    }
    (results, todo)
}

/// Whether a cached entry may stand for a run now (`run` = its `--timeout`, and whether it
/// uses the pytest worker): a timeout only under the same or a shorter `--timeout` than
/// the one that produced it; `uncovered` only for a run with the worker.
fn reusable(entry: &cache::Entry, run: (Option<std::time::Duration>, bool)) -> bool {
    let (timeout, worker) = run;
    match entry.outcome() {
        Some(Outcome::Timeout) => {
            timeout.is_none_or(|timeout| timeout.as_millis() <= u128::from(entry.timeout_ms))
        }
        Some(Outcome::Uncovered) => worker,
        _ => true,
    }
}

/// The hash of every test file and test configuration file in the tested state.
fn test_fingerprint(
    repo: &Repo,
    state: &TargetState,
    options: &Options,
) -> Result<TestFingerprint> {
    let mut files = Vec::new();
    for path in &state.files {
        if options::is_test_file(path)
            || options::is_test_config(path)
            || options.test_files.is_match(path)
        {
            let mut bytes = repo.read(state, path)?;
            if path == "pyproject.toml" || path.ends_with("/pyproject.toml") {
                bytes = config::without_own_table(bytes);
            }
            files.push((path.as_str(), bytes));
        }
    }
    Ok(TestFingerprint::of(files))
}

/// The test command as pytest arguments when mutants should run in the warm worker.
///
/// # Errors
/// A usage error for `--runner pytest` with a command the worker cannot run.
fn pytest_command(runner: Runner, tests: &str) -> Result<Option<PytestCommand>> {
    match runner {
        Runner::Command => Ok(None),
        Runner::Auto => Ok(PytestCommand::parse(tests)),
        Runner::Pytest => PytestCommand::parse(tests).map(Some).ok_or_else(|| {
            fatal(
                ExitCode::Usage,
                format!(
                    "--runner pytest: cannot run `{tests}` in the pytest worker; it runs \
                     `pytest ARGS` or `python -m pytest ARGS` (optionally after NAME=value \
                     assignments) without other shell syntax. Use --runner command for \
                     anything else"
                ),
            )
        }),
    }
}

/// How many of `results` the pytest worker gave, and how.
fn worker_summary(results: &[MutantResult]) -> String {
    let warm = results.iter().filter(|result| result.warm).count();
    let reexecuted = results.iter().filter(|result| result.reexecuted).count();
    format!(
        "{warm} mutants ran in the pytest worker ({reexecuted} by re-executing their module), \
         {} from scratch",
        results.len() - warm
    )
}

/// The mutants a run must test: those the cache did not answer.
struct Misses<'a> {
    /// Indexes into the run's mutants.
    todo: &'a [usize],
    /// Cache keys by mutant index.
    keys: &'a [Option<CacheKey>],
    /// Where outcomes are stored as they finish.
    cache: Option<&'a Cache>,
    /// The test command as pytest arguments, when the mutants run in the warm worker.
    pytest: Option<&'a PytestCommand>,
}

/// Prepare sandboxes, run the baseline and canary, run the missed mutants and store each
/// outcome as it finishes. Returns (mutant index, result) pairs and whether the run was
/// interrupted.
fn run_misses(
    repo: &Repo,
    options: &Options,
    state: &TargetState,
    found: &Discovery,
    tests: &str,
    out: &OutputDir,
    misses: &Misses<'_>,
) -> Result<(Vec<(usize, MutantResult)>, bool)> {
    let mutants: Vec<Mutant> = misses
        .todo
        .iter()
        .map(|&index| found.mutants[index].clone())
        .collect();
    let pytest = misses.pytest;
    let sandboxes = sandbox::prepare(repo, state, options.jobs.min(mutants.len()))?;
    let cwd = current_dir()?;
    let python = pyenv::PythonEnv::probe(tests, &cwd, repo.workdir());
    let python_envs: Vec<_> = sandboxes
        .iter()
        .map(|sandbox| python.env_for(&sandbox.root))
        .collect();
    let lab = Lab {
        tests,
        cwd_prefix: &options.cwd_prefix,
        sources: &found.sources,
        encodings: &found.encodings,
        out,
        python_envs: &python_envs,
        pytest,
        reexec: options.reexec,
        candidates: &found.candidates,
        state,
        damage_told: std::sync::atomic::AtomicBool::new(false),
    };
    let setup = lab.set_up(
        &sandboxes,
        (options.timeout, options.baseline_timeout),
        options.canary,
    );
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
            return Err(err);
        }
    };
    let key_of: BTreeMap<&str, &CacheKey> = misses
        .todo
        .iter()
        .filter_map(|&index| {
            Some((
                found.mutants[index].id.0.as_str(),
                misses.keys[index].as_ref()?,
            ))
        })
        .collect();
    let mut cache_failed = false;
    let mut store = |result: &MutantResult| {
        if let (Some(cache), Some(key)) = (misses.cache, key_of.get(result.mutant.id.0.as_str()))
            && let Err(err) = cache.put(key, result.outcome, result.duration, timeout)
            && !std::mem::replace(&mut cache_failed, true)
        {
            eprintln!("git-chimp: warning: outcomes are not cached this run: {err:#} (said once)");
        }
    };
    let mut progress = Progress::new(mutants.len());
    let outcome = lab.run_mutants(
        &sandboxes,
        workers,
        &mutants,
        timeout,
        &mut progress,
        &mut store,
    );
    progress.finish();
    if pytest.is_some() {
        eprintln!("git-chimp: {}", worker_summary(&outcome.results));
    }
    let position: BTreeMap<&str, usize> = misses
        .todo
        .iter()
        .map(|&index| (found.mutants[index].id.0.as_str(), index))
        .collect();
    let ran = outcome
        .results
        .into_iter()
        .map(|result| (position[result.mutant.id.0.as_str()], result))
        .collect();
    Ok((ran, outcome.interrupted))
}
