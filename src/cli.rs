//! The command line (clap derive). Each argument's doc comment is its `--help` text. The
//! Chaos Chimp flags `--code`, `--tests`, `--exclude` and `--timeout` keep their meaning.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::{ArgMatches, Args, Parser, Subcommand};

use crate::budget::Budget;
use crate::exit_code::EXIT_STATUS_HELP;
use crate::python::arid::AridRule;
use crate::python::operators::Operator;
use crate::report::ReportKind;
use crate::settings::{Runner, Settings};
use crate::shard::Shard;

/// `--version`: the package version and the git revision it was built from.
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("GIT_CHIMP_REVISION"),
    ")"
);

/// Mutation testing for Python codebases, built into git.
///
/// git-chimp breaks your Python code one small change at a time inside isolated git
/// worktrees, runs your tests against each change and reports every change the tests did
/// not notice, with a patch for each (in .chimp/survived/).
///
/// Each option may also come from a `CHIMP_*` variable, from `git config chimp.<key>` or
/// from `[tool.chimp]` in pyproject.toml (or chimp.toml), in that order of precedence;
/// `git chimp config` shows the settings in effect and where each came from.
#[derive(Debug, Parser)]
#[command(name = "git-chimp", bin_name = "git chimp", version = VERSION, after_help = EXIT_STATUS_HELP)]
pub struct Cli {
    /// What to do; without a subcommand, run the mutants.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of a run.
    #[command(flatten)]
    pub run: RunArgs,

    /// The run options (by key, such as `fail-under`) that came from `CHIMP_*` variables
    /// rather than flags; filled in by [`Cli::parse_from_matches`].
    #[arg(skip)]
    pub from_env: BTreeSet<String>,

    /// The keys a subcommand's `CHIMP_*` variable gave that a flag before the subcommand
    /// overrides.
    #[arg(skip)]
    hidden: BTreeSet<String>,
}

impl Cli {
    /// The parsed command line, noting which options came from the environment.
    ///
    /// # Errors
    /// clap's error for arguments that do not parse.
    pub fn parse_from_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        use clap::FromArgMatches;
        use clap::parser::ValueSource;
        let mut cli = Self::from_arg_matches(matches)?;
        // Keys set by a flag and by a variable, per level (before / after the subcommand).
        let sources = |matches: &ArgMatches| {
            let (mut flags, mut env) = (BTreeSet::new(), BTreeSet::new());
            for id in matches.ids() {
                let key = id.as_str().replace('_', "-");
                match matches.value_source(id.as_str()) {
                    Some(ValueSource::CommandLine) => flags.insert(key),
                    Some(ValueSource::EnvVariable) => env.insert(key),
                    _ => false,
                };
            }
            (flags, env)
        };
        let (top_flags, top_env) = sources(matches);
        let (sub_flags, sub_env) = matches
            .subcommand()
            .map(|(_, sub)| sources(sub))
            .unwrap_or_default();
        // Both levels read the same variables, and the subcommand's values win when the
        // levels are combined: drop those that would hide a flag given before it.
        cli.hidden = sub_env.intersection(&top_flags).cloned().collect();
        if let Some(Command::Merge(args)) = &mut cli.command
            && cli.hidden.contains("fail-under")
        {
            args.fail_under = None;
        }
        cli.from_env = top_env
            .union(&sub_env)
            .filter(|key| !top_flags.contains(*key) && !sub_flags.contains(*key))
            .cloned()
            .collect();
        Ok(cli)
    }
}

impl Cli {
    /// The command line's settings for a run: a subcommand's own (`sub`) over those given
    /// before it (`git chimp --code src list`).
    pub(crate) fn settings(&self, sub: Option<&RunArgs>) -> Settings {
        let top = Settings::from(&self.run);
        let Some(sub) = sub else {
            return top;
        };
        let mut sub = Settings::from(sub);
        for key in &self.hidden {
            sub.clear(key);
        }
        sub.or(top)
    }
}

impl From<&RunArgs> for Settings {
    /// The command line's settings (flags and `CHIMP_*` variables). Every field is named,
    /// so a new setting without its flag does not compile.
    fn from(args: &RunArgs) -> Settings {
        fn list<T: Clone>(items: &[T]) -> Option<Vec<T>> {
            (!items.is_empty()).then(|| items.to_vec())
        }
        Settings {
            tests: args.tests.clone(),
            code: list(&args.code),
            exclude: list(&args.exclude),
            test_files: list(&args.test_files),
            operators: list(&args.operators),
            arid: list(&args.arid),
            no_arid: list(&args.no_arid),
            since: args.since.clone(),
            jobs: args.jobs,
            timeout: args.timeout,
            baseline_timeout: args.baseline_timeout,
            budget: if args.no_budget {
                Some(Budget::Unlimited)
            } else {
                args.budget
            },
            type_check: args.type_check.clone(),
            runner: args.runner,
            cache_dir: args.cache_dir.clone(),
            cache_url: args.cache_url.clone(),
            no_cache: args.no_cache.then_some(true),
            no_canary: args.no_canary.then_some(true),
            no_reexec: args.no_reexec.then_some(true),
            strict_parse: args.strict_parse.then_some(true),
            fail_under: args.fail_under,
            report: list(&args.report),
            shard: args.shard,
            rev: args.rev.clone(),
        }
    }
}

/// A name on the command line, without the blanks around it (`--operators "a, b"`).
fn trimmed<T: std::str::FromStr>(text: &str) -> Result<T, T::Err> {
    text.trim().parse()
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the mutants that a run would test, without running anything.
    List(RunArgs),
    /// Say what a run would do on this project and why, with the fix for each problem
    /// found: the test command (configured or detected), the mutants, the baseline and
    /// the canary in a sandbox, the warm worker's start; when the tests fail in the
    /// sandbox, once more in the checkout. Exits as that run would before its mutants.
    Doctor(RunArgs),
    /// Accept surviving mutants, each once, with the reason: written to
    /// `.chimp-accepted.toml` (commit it). Runs then show them as accepted, leave them
    /// out of the exit status and the score, and report an entry as stale once the code
    /// around its mutant changes.
    Accept(AcceptArgs),
    /// List the mutation operators with a one-line description each.
    Operators,
    /// List the arid-node rules (where no mutants are made, `--arid`/`--no-arid`), each
    /// with whether it is on by default and what it leaves alone.
    Arid,
    /// Print the effective settings of a run and where each came from (flag, `CHIMP_*`
    /// variable, git config, chimp.toml or pyproject.toml, default).
    Config(ConfigArgs),
    /// Print a shell completion script: `git chimp completions bash > ...` (see the
    /// README for where each shell looks).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) that `git chimp --help` and `git help chimp` show, or
    /// write it and one page per subcommand into a directory.
    Man {
        /// Write `git-chimp.1` and the subcommands' pages here instead (for example
        /// `~/.local/share/man/man1`).
        #[arg(long, value_name = "DIR", conflicts_with = "install")]
        out_dir: Option<PathBuf>,
        /// Write them where `man` finds them for this binary: `<prefix>/share/man/man1`
        /// beside `<prefix>/bin/git-chimp` (after `cargo install`, `~/.cargo/share/man`),
        /// so `git chimp --help` shows them.
        #[arg(long)]
        install: bool,
    },
    /// Combine the report.json files of `--shard` runs (or any runs of the same mutants)
    /// into one report with the totals, patches and reports of a single run.
    Merge(MergeArgs),
    /// Remove git-chimp's sandboxes and their worktree registrations.
    Clean,
    /// Write a `[tool.chimp]` section into `pyproject.toml` (created if needed; the rest
    /// of the file is kept as it is) with the detected test command and code paths, and
    /// print it.
    Init {
        /// Also install the pre-push hook (`git chimp hook install`).
        #[arg(long)]
        hook: bool,
    },
    /// Install or remove the pre-push hook that runs git-chimp on what is pushed.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Inspect or trim the outcome cache.
    Cache {
        /// What to do.
        #[command(subcommand)]
        action: CacheCommand,
        /// The cache directory [default: .chimp/cache at the repository root].
        #[arg(long, value_name = "DIR", env = "CHIMP_CACHE_DIR", global = true)]
        cache_dir: Option<PathBuf>,
        /// The shared cache (`stats` counts its objects too) [default: the `cache-url`
        /// setting].
        #[arg(long, value_name = "URL", env = "CHIMP_CACHE_URL", global = true)]
        cache_url: Option<String>,
    },
}

/// `git chimp config [--get KEY]`.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Print only this setting's effective value, for scripts (the pre-push hook): exit
    /// status 0 when it has one (set, detected or a default), 1 when it is unset.
    #[arg(long, value_name = "KEY")]
    pub get: Option<String>,
    /// The settings of the run to show.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `git chimp accept <id>... --reason "..."`.
#[derive(Debug, Clone, Args)]
pub struct AcceptArgs {
    /// The mutants' ids (12 hex digits, or a unique start of at least 6), as the run's
    /// summary, report.json and `git chimp list` show them.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Why the survivors are acceptable, for whoever reads the file.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The settings that select the code (the same as a run's).
    #[command(flatten)]
    pub run: RunArgs,
}

/// `git chimp merge ...`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The reports to combine (each shard's `.chimp/report.json`).
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,

    /// Also write these reports under .chimp/ (see `git chimp --help`).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
    pub report: Vec<ReportKind>,

    /// Exit 0 when the merged mutation score reaches this percentage, even with survivors.
    #[arg(long, value_name = "SCORE", env = "CHIMP_FAIL_UNDER")]
    pub fail_under: Option<f64>,
}

/// `git chimp cache ...`.
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Count the entries per outcome, their size and age.
    Stats,
    /// Remove every entry.
    Clear,
    /// Remove entries recorded longer ago than a duration (and damaged ones).
    Prune {
        /// Age such as 30d, 12h, 90m, 2w.
        #[arg(long, value_name = "DURATION")]
        older_than: String,
    },
}

/// `git chimp hook ...`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the pre-push hook into the hooks directory git uses (`core.hooksPath` or
    /// `.git/hooks`).
    Install {
        /// Replace a different existing pre-push hook (it is kept as
        /// `pre-push.before-git-chimp`).
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-push hook, if it is git-chimp's.
    Uninstall,
}

/// Options of a run (and of `list`).
#[derive(Debug, Clone, Default, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is one documented command-line switch"
)]
pub struct RunArgs {
    /// Paths to mutate (files or directories, relative to the current directory)
    /// [default: the current directory].
    #[arg(long, num_args = 1.., value_name = "PATH", help_heading = "Selection")]
    pub code: Vec<PathBuf>,

    /// Globs of files not to mutate, relative to the current directory (`./tests/*`,
    /// `docs/*`); `*` also matches `/`. Test files are never mutated.
    #[arg(long, num_args = 1.., value_name = "GLOB", help_heading = "Selection")]
    pub exclude: Vec<String>,

    /// More files whose content steers the tests (globs, relative to the current
    /// directory); with the default test files and configuration they make up the
    /// cache's test fingerprint.
    #[arg(long, num_args = 1.., value_name = "GLOB", help_heading = "Selection")]
    pub test_files: Vec<String>,

    /// Only apply these operators (comma-separated names; see `git chimp operators`).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAMES",
        value_parser = trimmed::<Operator>,
        help_heading = "Selection"
    )]
    pub operators: Vec<Operator>,

    /// Only these arid-node rules (comma-separated; see `git chimp arid`): no mutants where
    /// they say a change is noise [default: all of them].
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULES",
        value_parser = trimmed::<AridRule>,
        help_heading = "Selection"
    )]
    pub arid: Vec<AridRule>,

    /// All arid-node rules but these (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULES",
        value_parser = trimmed::<AridRule>,
        help_heading = "Selection"
    )]
    pub no_arid: Vec<AridRule>,

    /// Print the mutants without running anything (same as `git chimp list`).
    #[arg(long, help_heading = "Selection")]
    pub list: bool,

    /// Run only share K of N of the mutants (each CI job of an N-job matrix takes one K;
    /// together they test every mutant once); combine the reports with `git chimp merge`.
    #[arg(long, value_name = "K/N", help_heading = "Selection")]
    pub shard: Option<Shard>,

    /// Test this commit exactly (any revision git accepts), without the working tree;
    /// your checkout is not involved.
    #[arg(long, value_name = "COMMIT", help_heading = "Selection")]
    pub rev: Option<String>,

    /// Only mutate lines added or changed since the merge base of this revision and the
    /// tested state (working-tree changes included unless --rev).
    #[arg(
        long,
        value_name = "REF",
        env = "CHIMP_SINCE",
        help_heading = "Selection"
    )]
    pub since: Option<String>,

    /// Number of parallel jobs, each with its own sandbox [default: number of CPUs].
    #[arg(
        short,
        long,
        value_name = "N",
        env = "CHIMP_JOBS",
        help_heading = "Running"
    )]
    pub jobs: Option<usize>,

    /// Where outcomes are cached [default: .chimp/cache at the repository root].
    #[arg(
        long,
        value_name = "DIR",
        env = "CHIMP_CACHE_DIR",
        help_heading = "Running"
    )]
    pub cache_dir: Option<PathBuf>,

    /// A shared second level of the outcome cache, in an object store:
    /// `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix`,
    /// `https://host/path` (`WebDAV` GET and PUT) or `file:///path`, with the usual
    /// credentials from the environment (`AWS_*`, `GOOGLE_*`, `AZURE_*`). Local misses are looked up there; new outcomes are uploaded at
    /// the end. A problem with it is one warning, never a failed run.
    #[arg(
        long,
        value_name = "URL",
        env = "CHIMP_CACHE_URL",
        help_heading = "Running"
    )]
    pub cache_url: Option<String>,

    /// Neither read nor write the outcome cache (local or shared).
    #[arg(long, help_heading = "Running")]
    pub no_cache: bool,

    /// Skip the check that the tests import the code being mutated (for test commands
    /// that do not run Python, such as benchmarks with `--tests true`).
    #[arg(long, help_heading = "Running")]
    pub no_canary: bool,

    /// Run every mutant of code that runs while the modules are imported (module level,
    /// class bodies, defaults, decorators, helpers that fill tables) from scratch,
    /// instead of re-executing its module inside the warm worker.
    #[arg(long, env = "CHIMP_NO_REEXEC", help_heading = "Running")]
    pub no_reexec: bool,

    /// Stop with status 1, before running anything, when a selected Python file does
    /// not parse (or cannot be decoded) instead of skipping it with a warning.
    #[arg(long, env = "CHIMP_STRICT_PARSE", help_heading = "Selection")]
    pub strict_parse: bool,

    /// The test command, run through `sh -c` in the sandbox directory that matches the
    /// current directory; it must exit 0 when the tests pass.
    #[arg(
        long,
        value_name = "COMMAND",
        env = "CHIMP_TESTS",
        help_heading = "Running"
    )]
    pub tests: Option<String>,

    /// Seconds a test run may take before it is killed and the mutant counted as a
    /// timeout [default: 3 x baseline + 5 s].
    #[arg(
        long,
        value_name = "SECONDS",
        env = "CHIMP_TIMEOUT",
        help_heading = "Running"
    )]
    pub timeout: Option<f64>,

    /// Seconds the baseline (the tests on the unmutated code, or the pytest worker's
    /// collection and traced run) may take before git-chimp stops with status 3, when
    /// `--timeout` is not given [default: 600].
    #[arg(
        long,
        value_name = "SECONDS",
        env = "CHIMP_BASELINE_TIMEOUT",
        help_heading = "Running"
    )]
    pub baseline_timeout: Option<f64>,

    /// Stop after this long (`90s`, `2m`, `1m30s`, or seconds), counted from the start:
    /// tests still running are stopped and the mutants left are `not-run`. The most
    /// telling mutant of each line runs first, cached outcomes are free; survivors found
    /// still fail the run, mutants not run do not. `none` for no budget [default: none;
    /// the pre-push hook's is 2m].
    #[arg(
        long,
        value_name = "DURATION",
        env = "CHIMP_BUDGET",
        help_heading = "Running"
    )]
    pub budget: Option<Budget>,

    /// No time budget, whatever `--budget`, `CHIMP_BUDGET`, a configuration or the
    /// pre-push hook says.
    #[arg(long, help_heading = "Running")]
    pub no_budget: bool,

    /// Before the tests, type-check every mutant with this checker (`mypy`, `pyright`,
    /// `ty`, or a command that takes files and prints `path:line: error ...` lines):
    /// a mutant it rejects is `type-error` (detected, `CompileError` in report.json) and
    /// its tests do not run. One checker run covers hundreds of mutants.
    #[arg(
        long,
        value_name = "CHECKER",
        env = "CHIMP_TYPE_CHECK",
        help_heading = "Running"
    )]
    pub type_check: Option<String>,

    /// How mutants run: `pytest` (or `unittest`) keeps a warm process per sandbox that
    /// loads the tests once, forks for each mutant and runs only the tests that reach it;
    /// `command` runs the test command from scratch for each mutant; `auto` uses `pytest`
    /// when the test command is a plain `pytest ...` or `python -m pytest ...`, `unittest`
    /// when it is a plain `python -m unittest ...` [default: auto].
    #[arg(
        long,
        value_enum,
        value_name = "RUNNER",
        env = "CHIMP_RUNNER",
        help_heading = "Running"
    )]
    pub runner: Option<Runner>,

    /// Exit 0 when the mutation score reaches this percentage, even with survivors;
    /// below it, survivors exit 2 as usual.
    #[arg(
        long,
        value_name = "SCORE",
        env = "CHIMP_FAIL_UNDER",
        help_heading = "Reports"
    )]
    pub fail_under: Option<f64>,

    /// Also write these reports under .chimp/ (comma-separated or repeated): `html`
    /// (report.html), `sarif` (report.sarif), `junit` (junit.xml), `github` (annotations
    /// and a step summary, when `GITHUB_ACTIONS=true`), `markdown` (report.md, the same
    /// summary). report.json is always written.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "KIND",
        help_heading = "Reports"
    )]
    pub report: Vec<ReportKind>,

    /// List every survivor in the terminal summary, not only the 30 most telling.
    #[arg(long, help_heading = "Reports")]
    pub all: bool,
}
