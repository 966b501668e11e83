//! [`Options`]: the run's settings, merged and validated once, then read-only. Paths and
//! globs given relative to the current directory become repository-relative here, so
//! nothing later needs to know where the user stood.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{Checker, Key, Runner, Settings};
use crate::exit_code::{ExitCode, fatal};
use crate::python::arid::AridRule;
use crate::python::operators::Operator;
use crate::python::select::is_default_excluded;
use crate::report::ReportKind;
use crate::shard::Shard;

/// A value of a setting that [`Options::new`] rejects: the setting, the value as the
/// message shows it, and what is wrong with it. Shown as the command line names it
/// (`--timeout -3: must be ...`); [`super::Layers::options`] names the file or git
/// config instead when one of them set it.
#[derive(Debug)]
pub(crate) struct BadOption {
    /// The setting.
    pub(crate) key: &'static Key,
    /// The value, as written (none where the message does not show it).
    value: Option<String>,
    /// What is wrong with it.
    problem: String,
}

impl BadOption {
    /// The value `value` of the setting named `key` (a name of the table) is bad.
    fn new(key: &str, value: Option<String>, problem: impl Into<String>) -> Self {
        Self {
            key: Key::named(key).expect("Options::new names only keys of the table"),
            value,
            problem: problem.into(),
        }
    }

    /// The key, the value and the problem, without the `--` of a flag:
    /// `timeout -3: must be a positive number of seconds`.
    pub(crate) fn unflagged(&self) -> String {
        match &self.value {
            Some(value) => format!("{} {value}: {}", self.key.name, self.problem),
            None => format!("{}: {}", self.key.name, self.problem),
        }
    }
}

impl fmt::Display for BadOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--{}", self.unflagged())
    }
}

impl std::error::Error for BadOption {}

/// A positive number of seconds for the setting `key`.
fn seconds(value: Option<f64>, key: &str) -> Result<Option<Duration>, BadOption> {
    match value {
        None => Ok(None),
        Some(seconds) if seconds.is_finite() && seconds > 0.0 => {
            Ok(Some(Duration::from_secs_f64(seconds)))
        }
        Some(seconds) => Err(BadOption::new(
            key,
            Some(seconds.to_string()),
            "must be a positive number of seconds",
        )),
    }
}

/// How long the baseline may take when neither `--timeout` nor `--baseline-timeout` says.
pub(crate) const DEFAULT_BASELINE_TIMEOUT: Duration = Duration::from_mins(10);

/// At most this many jobs per CPU: beyond it, test runs only compete for the CPUs.
pub(crate) const MAX_JOBS_PER_CPU: usize = 4;

/// The CPUs this process may use (1 when unknown).
#[must_use]
pub(crate) fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The operators `chosen` (all of them for none).
fn operators(chosen: Option<&[Operator]>) -> BTreeSet<Operator> {
    match chosen {
        None | Some([]) => Operator::ALL.iter().copied().collect(),
        Some(chosen) => chosen.iter().copied().collect(),
    }
}

/// The local cache's directory the settings name (`None` with `no-cache`).
#[must_use]
pub(crate) fn cache_dir(args: &Settings, workdir: &Path, cwd: &Path) -> Option<PathBuf> {
    caches(args, workdir, cwd).0
}

/// The local cache's directory and the shared cache's URL the settings name; neither
/// with `no-cache`.
fn caches(
    args: &Settings,
    workdir: &Path,
    cwd: &Path,
) -> (Option<PathBuf>, Option<crate::cache::remote::CacheUrl>) {
    if args.no_cache == Some(true) {
        return (None, None);
    }
    let dir = match &args.cache_dir {
        Some(dir) => cwd.join(dir),
        None => crate::output::default_cache_dir(workdir),
    };
    let url = args
        .cache_url
        .clone()
        .filter(|url| !url.trim().is_empty())
        .map(crate::cache::remote::CacheUrl::new);
    (Some(dir), url)
}

/// Settings of one run.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Repository-relative paths to mutate (`""` is the whole repository).
    pub code: Vec<String>,
    /// Files never to mutate, matched against repository-relative paths and their parents.
    pub exclude: GlobSet,
    /// Operators to apply.
    pub operators: BTreeSet<Operator>,
    /// The arid-node rules in effect.
    pub arid: BTreeSet<AridRule>,
    /// The test command, if one was given.
    pub tests: Option<String>,
    /// Per-mutant timeout given by the user.
    pub timeout: Option<Duration>,
    /// How long the baseline may take without `timeout` (`--baseline-timeout`).
    pub baseline_timeout: Duration,
    /// The type checker that rejects mutants before the tests (`--type-check`).
    pub type_check: Option<Checker>,
    /// How long the run may take (`--budget`), if it is limited.
    pub budget: Option<Duration>,
    /// Parallel jobs, each with its own sandbox.
    pub jobs: usize,
    /// Whether to run the canary check.
    pub canary: bool,
    /// Whether the pytest worker may re-execute a module to test an import-time mutant.
    pub reexec: bool,
    /// Whether a file that does not parse stops the run (`--strict-parse`).
    pub strict_parse: bool,
    /// The current directory, relative to the repository root (`""` at the root).
    pub cwd_prefix: String,
    /// `--rev`: the commit to test instead of HEAD plus the working tree.
    pub rev: Option<String>,
    /// `--since`: only lines changed since the merge base with this revision.
    pub since: Option<String>,
    /// Extra test files for the cache's fingerprint (`--test-files`).
    pub test_files: GlobSet,
    /// The outcome cache's directory, or `None` with `--no-cache`.
    pub cache_dir: Option<PathBuf>,
    /// The shared cache's store (`--cache-url`), or `None` (also with `--no-cache`).
    pub cache_url: Option<crate::cache::remote::CacheUrl>,
    /// How mutants run (`--runner`).
    pub runner: Runner,
    /// The score (percent) at which survivors no longer fail the run (`--fail-under`).
    pub fail_under: Option<f64>,
    /// Reports to write besides report.json (`--report`), each once.
    pub reports: Vec<ReportKind>,
    /// The share of the mutants to run (`--shard`).
    pub shard: Option<Shard>,
}

impl Options {
    /// Validate `args` for a repository whose root is `workdir`, run from `cwd`.
    ///
    /// # Errors
    /// The first bad value.
    pub(crate) fn new(args: &Settings, workdir: &Path, cwd: &Path) -> Result<Self, BadOption> {
        let cwd_prefix = relative_to(cwd, workdir).unwrap_or_default();
        let code = match args.code.as_deref() {
            None | Some([]) => vec![cwd_prefix.clone()],
            Some(code) => code
                .iter()
                .map(|path| {
                    repo_path(&cwd_prefix, &path.to_string_lossy(), workdir).ok_or_else(|| {
                        BadOption::new(
                            "code",
                            Some(path.display().to_string()),
                            "not inside the repository",
                        )
                    })
                })
                .collect::<Result<Vec<String>, BadOption>>()?,
        };
        if let Some(missing) = code
            .iter()
            .find(|path| !workdir.join(path.as_str()).exists())
        {
            return Err(BadOption::new(
                "code",
                Some(missing.clone()),
                "no such file or directory in the repository",
            ));
        }
        let exclude = globs(
            args.exclude.as_deref().unwrap_or_default(),
            "exclude",
            &cwd_prefix,
            workdir,
        )?;
        let test_files = globs(
            args.test_files.as_deref().unwrap_or_default(),
            "test-files",
            &cwd_prefix,
            workdir,
        )?;
        let (cache_dir, cache_url) = caches(args, workdir, cwd);
        let operators = operators(args.operators.as_deref());
        let arid = AridRule::selected(
            args.arid.as_deref().unwrap_or_default(),
            args.no_arid.as_deref().unwrap_or_default(),
        );
        let timeout = seconds(args.timeout, "timeout")?;
        let baseline_timeout =
            seconds(args.baseline_timeout, "baseline-timeout")?.unwrap_or(DEFAULT_BASELINE_TIMEOUT);
        fail_under(args.fail_under)?;
        let cpus = cpu_count();
        let jobs = match args.jobs {
            Some(0) => {
                return Err(BadOption::new(
                    "jobs",
                    Some("0".into()),
                    "must be at least 1",
                ));
            }
            Some(jobs) if jobs > MAX_JOBS_PER_CPU * cpus => {
                tracing::info!(
                    "--jobs {jobs} is far above the {cpus} CPUs; using {} (more \
                     test runs at once would only compete for them)",
                    MAX_JOBS_PER_CPU * cpus
                );
                MAX_JOBS_PER_CPU * cpus
            }
            Some(jobs) => jobs,
            None => cpus,
        };
        let tests = args.tests.clone().filter(|tests| !tests.trim().is_empty());
        Ok(Self {
            code,
            exclude,
            operators,
            arid,
            tests,
            timeout,
            baseline_timeout,
            budget: args.budget.and_then(crate::budget::Budget::limit),
            type_check: args
                .type_check
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|err: String| BadOption::new("type-check", None, err))?,
            jobs,
            canary: args.no_canary != Some(true),
            reexec: args.no_reexec != Some(true),
            strict_parse: args.strict_parse == Some(true),
            cwd_prefix,
            rev: args.rev.clone(),
            since: args.since.clone(),
            test_files,
            cache_url,
            cache_dir,
            runner: args.runner.unwrap_or_default(),
            fail_under: args.fail_under,
            reports: ReportKind::distinct(args.report.as_deref().unwrap_or_default()),
            shard: args.shard,
        })
    }

    /// Whether the Python file `path` (repository-relative), selected and not excluded,
    /// is left alone as a test or tooling: [`is_default_excluded`], or under a path the
    /// test command names (`named`, from [`Options::named_by_tests`]); unless `--code`
    /// names the file itself.
    #[must_use]
    pub(crate) fn excluded_as_test(&self, path: &str, named: &[String]) -> bool {
        Path::new(path).extension().is_some_and(|ext| ext == "py")
            && self.in_code(path)
            && !self.is_excluded(path)
            && !self.code.iter().any(|root| root == path)
            && (is_default_excluded(path) || named.iter().any(|named| path == named))
    }

    /// The Python files the test command names among its arguments
    /// (`pytest test.py`, `tests/test_x.py::test_y` as `tests/test_x.py`): its tests,
    /// never mutated by default. Directories are not taken: an argument may name the code
    /// itself (`--doctest-modules src`, `--cov mypkg`, a Django app label), and pytest
    /// collects only test modules from a directory, which the default patterns cover.
    /// `files` are the tested state's.
    #[must_use]
    pub(crate) fn named_by_tests(
        &self,
        tests: &str,
        files: &[String],
        workdir: &Path,
    ) -> Vec<String> {
        let words = shlex::split(tests).unwrap_or_default();
        let mut named: Vec<String> = words
            .iter()
            .filter(|word| !word.starts_with('-') && !word.contains('='))
            .map(|word| word.split("::").next().unwrap_or(word))
            .filter_map(|word| repo_path(&self.cwd_prefix, word, workdir))
            .filter(|path| {
                Path::new(path).extension().is_some_and(|ext| ext == "py")
                    && files.iter().any(|file| file == path)
            })
            .collect();
        named.sort();
        named.dedup();
        named
    }

    /// Whether the repository-relative `path` is selected by `--code`.
    #[must_use]
    pub(crate) fn in_code(&self, path: &str) -> bool {
        self.code.iter().any(|root| is_under(path, root))
    }

    /// Whether `path` or one of its parent directories matches `--exclude`.
    #[must_use]
    pub(crate) fn is_excluded(&self, path: &str) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let mut prefix = path;
        loop {
            if self.exclude.is_match(prefix) {
                return true;
            }
            match prefix.rfind('/') {
                Some(slash) => prefix = &prefix[..slash],
                None => return false,
            }
        }
    }
}

/// Check a `--fail-under` value: a percentage.
///
/// # Errors
/// A usage error outside 0-100.
pub(crate) fn check_fail_under(score: Option<f64>) -> Result<()> {
    fail_under(score).map_err(|bad| fatal(ExitCode::Usage, bad.to_string()))
}

/// A `fail-under` value outside 0-100 is bad.
fn fail_under(score: Option<f64>) -> Result<(), BadOption> {
    match score {
        Some(score) if !(0.0..=100.0).contains(&score) => Err(BadOption::new(
            "fail-under",
            Some(score.to_string()),
            "must be a percentage from 0 to 100",
        )),
        _ => Ok(()),
    }
}

/// The globs of the setting `key`, written relative to the current directory, matched
/// against repository-relative paths.
fn globs(
    patterns: &[String],
    key: &str,
    cwd_prefix: &str,
    workdir: &Path,
) -> Result<GlobSet, BadOption> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let bad = |problem: String| BadOption::new(key, Some(pattern.clone()), problem);
        let relative = repo_path(cwd_prefix, pattern, workdir)
            .ok_or_else(|| bad("not inside the repository".into()))?;
        let glob = Glob::new(&relative).map_err(|err| bad(format!("not a valid glob: {err}")))?;
        set.add(glob);
    }
    set.build()
        .map_err(|err| BadOption::new(key, None, err.to_string()))
}

fn is_under(path: &str, root: &str) -> bool {
    root.is_empty()
        || path == root
        || (path.starts_with(root) && path.as_bytes().get(root.len()) == Some(&b'/'))
}

/// `path` relative to `root`, with `/` separators, if it lies inside it.
pub(crate) fn relative_to(path: &Path, root: &Path) -> Option<String> {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rest = path.strip_prefix(&root).ok()?;
    Some(
        rest.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// A path or glob as the user wrote it (relative to the current directory, perhaps with
/// `./` or `..`, or absolute), made relative to the repository root.
fn repo_path(cwd_prefix: &str, written: &str, workdir: &Path) -> Option<String> {
    let written_path = Path::new(written);
    let joined: PathBuf = if written_path.is_absolute() {
        let root = workdir
            .canonicalize()
            .unwrap_or_else(|_| workdir.to_path_buf());
        written_path
            .strip_prefix(&root)
            .or_else(|_| written_path.strip_prefix(workdir))
            .ok()?
            .to_path_buf()
    } else {
        Path::new(cwd_prefix).join(written_path)
    };
    let mut parts: Vec<String> = Vec::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod test {
    use super::*;

    fn options(code: &[&str], exclude: &[&str], cwd_prefix: &str) -> Options {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().join(cwd_prefix);
        std::fs::create_dir_all(&cwd).unwrap();
        for path in code {
            std::fs::create_dir_all(cwd.join(path)).unwrap();
        }
        let args = Settings {
            code: Some(code.iter().map(PathBuf::from).collect()),
            exclude: Some(exclude.iter().map(|s| (*s).to_owned()).collect()),
            ..Settings::default()
        };
        Options::new(&args, dir.path(), &cwd).unwrap()
    }

    #[test]
    fn chaos_chimp_excludes_with_dot_slash_match_whole_subtrees() {
        let opts = options(&["."], &["./chaos/*", "./tests/*"], "");
        assert!(opts.is_excluded("chaos/chaos.py"));
        assert!(opts.is_excluded("tests/deep/x.py"));
        assert!(!opts.is_excluded("validator/main.py"));
    }

    #[test]
    fn globs_and_code_paths_are_relative_to_the_current_directory() {
        let opts = options(&["src", "../lib"], &["docs/*", "gen"], "sub");
        assert_eq!(opts.code, vec!["sub/src".to_owned(), "lib".to_owned()]);
        assert!(opts.in_code("sub/src/a.py"));
        assert!(!opts.in_code("sub/srcx/a.py"));
        assert!(opts.is_excluded("sub/docs/conf.py"));
        assert!(opts.is_excluded("sub/gen/x.py"));
        assert!(!opts.is_excluded("docs/conf.py"));
    }

    #[test]
    fn each_bad_value_names_its_key_as_a_flag_and_unflagged() {
        let dir = tempfile::tempdir().unwrap();
        let bad = |settings: Settings| Options::new(&settings, dir.path(), dir.path()).unwrap_err();
        let cases = [
            (
                bad(Settings {
                    code: Some(vec!["/elsewhere".into()]),
                    ..Settings::default()
                }),
                "--code /elsewhere: not inside the repository",
            ),
            (
                bad(Settings {
                    code: Some(vec!["missing".into()]),
                    ..Settings::default()
                }),
                "--code missing: no such file or directory in the repository",
            ),
            (
                bad(Settings {
                    test_files: Some(vec!["a[".into()]),
                    ..Settings::default()
                }),
                "--test-files a[: not a valid glob: ",
            ),
            (
                bad(Settings {
                    baseline_timeout: Some(-3.0),
                    ..Settings::default()
                }),
                "--baseline-timeout -3: must be a positive number of seconds",
            ),
            (
                bad(Settings {
                    fail_under: Some(101.0),
                    ..Settings::default()
                }),
                "--fail-under 101: must be a percentage from 0 to 100",
            ),
            (
                bad(Settings {
                    jobs: Some(0),
                    ..Settings::default()
                }),
                "--jobs 0: must be at least 1",
            ),
            (
                bad(Settings {
                    type_check: Some(" ".into()),
                    ..Settings::default()
                }),
                "--type-check: expected mypy, pyright, ty or a command",
            ),
        ];
        for (bad, shown) in cases {
            assert!(bad.to_string().starts_with(shown), "{bad}");
            assert_eq!(bad.to_string(), format!("--{}", bad.unflagged()));
            assert!(bad.unflagged().starts_with(bad.key.name), "{bad}");
        }
    }
}
