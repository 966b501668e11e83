//! Settings from a project file: `chimp.toml`, or the `[tool.chimp]` table of
//! `pyproject.toml`. Every run option that makes sense to keep has a key named like its
//! flag (`tests`, `jobs`, `fail-under`, ...). The file is looked for in the current
//! directory and its parents up to the repository root; in each directory `chimp.toml`
//! comes before `pyproject.toml`, and a `pyproject.toml` without `[tool.chimp]` is passed
//! over. Paths and globs in the file are relative to the file's directory.
//!
//! Precedence, highest first: the command line (and `CHIMP_*` variables), `git config
//! chimp.*` (personal, per clone), the file (the team's, committed), the defaults.
//! [`Origin`] records which of them gave each setting, for `git chimp config`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::cli::{ReportKind, RunArgs, Runner};
use crate::exit_code::{ExitCode, fatal};

/// The keys a configuration file may hold, in the order `git chimp config` prints them.
pub(crate) const KEYS: [&str; 16] = [
    "tests",
    "code",
    "exclude",
    "test-files",
    "operators",
    "since",
    "jobs",
    "timeout",
    "baseline-timeout",
    "runner",
    "cache-dir",
    "no-cache",
    "no-canary",
    "no-reexec",
    "fail-under",
    "report",
];

/// Keys that exist on the command line only: they describe one invocation, not a project.
const COMMAND_LINE_ONLY: [(&str, &str); 3] = [
    ("shard", "--shard picks one CI job's share"),
    ("rev", "--rev names the commit of one run"),
    ("list", "--list is `git chimp list`"),
];

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line flag.
    CommandLine,
    /// The `CHIMP_*` environment variable of this key.
    Environment(&'static str),
    /// `git config chimp.<key>`, for this key.
    GitConfig(&'static str),
    /// A configuration file, at this 1-based line.
    File(PathBuf, usize),
    /// Nothing set it.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::CommandLine => f.write_str("command line"),
            Origin::Environment(key) => write!(
                f,
                "environment: CHIMP_{}",
                key.to_uppercase().replace('-', "_")
            ),
            Origin::GitConfig(key) => write!(f, "git config chimp.{key}"),
            Origin::File(path, line) => write!(f, "{}:{line}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A configuration file's settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileConfig {
    /// The file, as shown to the user (relative to the repository root).
    pub shown: PathBuf,
    /// Its settings, with paths made absolute.
    pub args: RunArgs,
    /// The line of each key it sets.
    pub lines: BTreeMap<&'static str, usize>,
}

/// Find and read the configuration file for a run from `cwd` in the repository at
/// `workdir`; `None` when there is none.
///
/// # Errors
/// A usage error for a file that is not valid TOML, an unknown key (with the closest known
/// one) or a value of the wrong type, naming the file and line.
pub(crate) fn load(cwd: &Path, workdir: &Path) -> Result<Option<FileConfig>> {
    let root = workdir.canonicalize().unwrap_or_else(|_| workdir.into());
    let mut dir = cwd.canonicalize().unwrap_or_else(|_| cwd.into());
    loop {
        for (name, table) in [("chimp.toml", None), ("pyproject.toml", Some("chimp"))] {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let shown = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            if let Some(config) = parse(&text, table, &shown, &dir)? {
                if table.is_none()
                    && std::fs::read_to_string(dir.join("pyproject.toml"))
                        .is_ok_and(|text| text.contains("tool.chimp"))
                {
                    eprintln!(
                        "git-chimp: note: {} is used; the [tool.chimp] table of the \
                         pyproject.toml beside it is not",
                        shown.display()
                    );
                }
                return Ok(Some(config));
            }
        }
        if dir == root || !dir.pop() || !dir.starts_with(&root) {
            return Ok(None);
        }
    }
}

/// Parse a file's text: the whole file (`chimp.toml`) or its `[tool.<table>]`
/// (`pyproject.toml`, `None` when that table is absent). Relative paths are joined to
/// `base`.
fn parse(text: &str, table: Option<&str>, shown: &Path, base: &Path) -> Result<Option<FileConfig>> {
    let document = DeTable::parse(text).map_err(|err| {
        fatal(
            ExitCode::Usage,
            format!("{}: not valid TOML: {err}", shown.display()),
        )
    })?;
    let (section, entries) = match table {
        None => (String::new(), document.get_ref()),
        Some(name) => {
            let tool = document.get_ref().get("tool").map(Spanned::get_ref);
            let Some(DeValue::Table(tool)) = tool else {
                return Ok(None);
            };
            match tool.get(name).map(Spanned::get_ref) {
                Some(DeValue::Table(entries)) => (format!("[tool.{name}] "), entries),
                Some(_) => {
                    return Err(fatal(
                        ExitCode::Usage,
                        format!("{}: tool.{name} must be a table", shown.display()),
                    ));
                }
                None => return Ok(None),
            }
        }
    };
    let mut config = FileConfig {
        shown: shown.to_path_buf(),
        ..FileConfig::default()
    };
    // In file order, so the first bad line is the one reported.
    let mut entries: Vec<_> = entries.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    for (key, value) in entries {
        let line = line_of(text, key.span().start);
        let at = format!("{}:{line}", shown.display());
        let name = key.get_ref().as_ref();
        if let Some((_, why)) = COMMAND_LINE_ONLY.iter().find(|(only, _)| *only == name) {
            return Err(fatal(
                ExitCode::Usage,
                format!("{at}: {section}{name}: not a file setting; {why}"),
            ));
        }
        if table.is_none() && name == "tool" {
            return Err(fatal(
                ExitCode::Usage,
                format!(
                    "{at}: {} holds the settings at its top level (`tests = ...`), \
                     without a [tool.chimp] header",
                    shown.display()
                ),
            ));
        }
        let Some(known) = KEYS.iter().copied().find(|known| *known == name) else {
            return Err(fatal(ExitCode::Usage, unknown_key(&at, &section, name)));
        };
        set(&mut config.args, known, value.get_ref(), base).map_err(|expected| {
            fatal(
                ExitCode::Usage,
                format!(
                    "{at}: {section}{name} = {}: expected {expected}",
                    text[value.span()].trim()
                ),
            )
        })?;
        config.lines.insert(known, line);
    }
    Ok(Some(config))
}

/// A `pyproject.toml` as the cache's test fingerprint sees it: without `[tool.chimp]`,
/// so changing git-chimp's own settings (reports, jobs, `fail-under`) does not re-run
/// every mutant. The settings that do change outcomes reach the cache key by other roads
/// (the test command, `test-files`). A file without the table, or that does not parse,
/// is kept byte for byte.
#[must_use]
pub(crate) fn without_own_table(bytes: Vec<u8>) -> Vec<u8> {
    let Some(mut document) = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return bytes;
    };
    let removed = document
        .get_mut("tool")
        .and_then(toml::Value::as_table_mut)
        .and_then(|tool| tool.remove("chimp"));
    match removed.and_then(|_| toml::to_string(&document).ok()) {
        Some(text) => text.into_bytes(),
        None => bytes,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn unknown_key(at: &str, section: &str, name: &str) -> String {
    let closest = KEYS
        .iter()
        .map(|known| (strsim::damerau_levenshtein(name, known), *known))
        .min()
        .filter(|(distance, known)| *distance <= 2.max(known.len() / 3));
    let hint = match closest {
        Some((_, known)) => format!("; did you mean `{known}`?"),
        None => format!("; the keys are {}", KEYS.join(", ")),
    };
    let within = section.trim_end();
    let within = if within.is_empty() {
        String::new()
    } else {
        format!(" in {within}")
    };
    format!("{at}: unknown key `{name}`{within}{hint}")
}

/// Store one value in `args`; `Err` says what type was expected.
fn set(args: &mut RunArgs, key: &str, value: &DeValue<'_>, base: &Path) -> Result<(), String> {
    let path = |text: &str| base.join(text);
    let glob = |text: &str| {
        if text.starts_with('/') {
            text.to_owned()
        } else {
            base.join(text).to_string_lossy().into_owned()
        }
    };
    match key {
        "tests" => args.tests = Some(string(value)?),
        "since" => args.since = Some(string(value)?),
        "cache-dir" => args.cache_dir = Some(path(&string(value)?)),
        "code" => {
            args.code = strings(value)?.iter().map(|text| path(text)).collect();
            if let Some(missing) = args.code.iter().find(|path| !path.exists()) {
                return Err(format!(
                    "paths that exist (relative to this file); {} does not",
                    missing.display()
                ));
            }
        }
        "exclude" | "test-files" => {
            let globs: Vec<String> = strings(value)?.iter().map(|text| glob(text)).collect();
            for pattern in &globs {
                globset::Glob::new(pattern).map_err(|err| format!("globs: {err}"))?;
            }
            if key == "exclude" {
                args.exclude = globs;
            } else {
                args.test_files = globs;
            }
        }
        "operators" => {
            args.operators = strings(value)?
                .iter()
                .flat_map(|names| names.split(','))
                .map(|name| name.trim().to_owned())
                .collect();
            if let Some(unknown) = args
                .operators
                .iter()
                .find(|name| name.parse::<crate::python::operators::Operator>().is_err())
            {
                return Err(format!(
                    "operator names (`git chimp operators` lists them); `{unknown}` is not one"
                ));
            }
        }
        "jobs" => args.jobs = Some(positive_integer(value)?),
        "timeout" | "baseline-timeout" => {
            let seconds =
                Some(number(value)?).filter(|seconds| seconds.is_finite() && *seconds > 0.0);
            let seconds = Some(seconds.ok_or("a positive number of seconds")?);
            if key == "timeout" {
                args.timeout = seconds;
            } else {
                args.baseline_timeout = seconds;
            }
        }
        "fail-under" => {
            let score = Some(number(value)?).filter(|score| (0.0..=100.0).contains(score));
            args.fail_under = Some(score.ok_or("a percentage from 0 to 100")?);
        }
        "no-cache" => args.no_cache = boolean(value)?,
        "no-canary" => args.no_canary = boolean(value)?,
        "no-reexec" => args.no_reexec = boolean(value)?,
        "runner" => {
            let text = string(value)?;
            args.runner = Some(
                <Runner as clap::ValueEnum>::from_str(&text, true)
                    .map_err(|_| "one of \"auto\", \"pytest\", \"command\"".to_owned())?,
            );
        }
        "report" => {
            args.report = strings(value)?
                .iter()
                .map(|text| <ReportKind as clap::ValueEnum>::from_str(text.trim(), true))
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    "report kinds from \"html\", \"sarif\", \"junit\", \"github\"".to_owned()
                })?;
        }
        _ => unreachable!("every key in KEYS is handled: {key}"),
    }
    Ok(())
}

fn string(value: &DeValue<'_>) -> Result<String, String> {
    match value {
        DeValue::String(text) => Ok(text.to_string()),
        _ => Err("a string".into()),
    }
}

/// A string or an array of strings.
fn strings(value: &DeValue<'_>) -> Result<Vec<String>, String> {
    let expected = || "a string or an array of strings".to_owned();
    match value {
        DeValue::String(text) => Ok(vec![text.to_string()]),
        DeValue::Array(items) => items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(text) => Ok(text.to_string()),
                _ => Err(expected()),
            })
            .collect(),
        _ => Err(expected()),
    }
}

fn number(value: &DeValue<'_>) -> Result<f64, String> {
    let parsed = match value {
        DeValue::Integer(int) if int.radix() == 10 => int.as_str().replace('_', "").parse().ok(),
        DeValue::Float(float) => float.as_str().replace('_', "").parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| "a number".to_owned())
}

fn positive_integer(value: &DeValue<'_>) -> Result<usize, String> {
    match value {
        DeValue::Integer(int) => usize::from_str_radix(&int.as_str().replace('_', ""), int.radix())
            .ok()
            .filter(|jobs| *jobs > 0),
        _ => None,
    }
    .ok_or_else(|| "a positive integer".to_owned())
}

fn boolean(value: &DeValue<'_>) -> Result<bool, String> {
    match value {
        DeValue::Boolean(flag) => Ok(*flag),
        _ => Err("true or false".into()),
    }
}

/// The value of `key` in `args` as `git chimp config` shows it; `None` when unset.
#[must_use]
pub(crate) fn shown_value(args: &RunArgs, key: &str) -> Option<String> {
    let list = |items: &[String]| (!items.is_empty()).then(|| items.join(" "));
    let paths = |items: &[PathBuf]| {
        (!items.is_empty()).then(|| {
            items
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    match key {
        "tests" => args.tests.clone(),
        "code" => paths(&args.code),
        "exclude" => list(&args.exclude),
        "test-files" => list(&args.test_files),
        "operators" => list(&args.operators),
        "since" => args.since.clone(),
        "jobs" => args.jobs.map(|jobs| jobs.to_string()),
        "timeout" => args.timeout.map(|seconds| format!("{seconds}")),
        "baseline-timeout" => args.baseline_timeout.map(|seconds| format!("{seconds}")),
        "runner" => args
            .runner
            .map(|runner| format!("{runner:?}").to_lowercase()),
        "cache-dir" => args.cache_dir.as_ref().map(|dir| dir.display().to_string()),
        "no-cache" => args.no_cache.then(|| "true".to_owned()),
        "no-canary" => args.no_canary.then(|| "true".to_owned()),
        "no-reexec" => args.no_reexec.then(|| "true".to_owned()),
        "fail-under" => args.fail_under.map(|score| format!("{score}")),
        "report" => (!args.report.is_empty()).then(|| {
            args.report
                .iter()
                .map(|kind| kind.name())
                .collect::<Vec<_>>()
                .join(",")
        }),
        "shard" => args.shard.map(|shard| shard.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod test {
    use super::*;

    /// A project directory with a `src/` (kept for the test process).
    fn base() -> &'static Path {
        static BASE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        BASE.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap().keep();
            std::fs::create_dir(dir.join("src")).unwrap();
            dir
        })
    }

    fn parse_pyproject(text: &str) -> Result<Option<FileConfig>> {
        parse(text, Some("chimp"), Path::new("pyproject.toml"), base())
    }

    #[test]
    fn keys_take_strings_lists_numbers_and_booleans() {
        let config = parse_pyproject(
            "[project]\nname = \"x\"\n\n[tool.chimp]\ntests = \"pytest -q\"\ncode = \"src\"\n\
             exclude = [\"src/gen/*\"]\njobs = 3\ntimeout = 2.5\nfail-under = 80\nno-cache = true\n\
             operators = \"comparison,boolean-operator\"\nreport = [\"html\", \"sarif\"]\n",
        )
        .unwrap()
        .unwrap();
        let args = &config.args;
        assert_eq!(args.tests.as_deref(), Some("pytest -q"));
        assert_eq!(args.code, vec![base().join("src")]);
        assert_eq!(
            args.exclude,
            vec![base().join("src/gen/*").to_string_lossy().into_owned()]
        );
        assert_eq!(args.jobs, Some(3));
        assert_eq!(args.timeout, Some(2.5));
        assert_eq!(args.fail_under, Some(80.0));
        assert!(args.no_cache);
        assert_eq!(args.operators, vec!["comparison", "boolean-operator"]);
        assert_eq!(args.report, vec![ReportKind::Html, ReportKind::Sarif]);
        assert_eq!(config.lines["tests"], 5);
        assert_eq!(config.lines["report"], 13);
    }

    #[test]
    fn the_fingerprint_of_a_pyproject_ignores_only_its_chimp_table() {
        let strip = |text: &str| without_own_table(text.as_bytes().to_vec());
        let base = "[project]\nname = \"x\"\n\n[tool.pytest.ini_options]\naddopts = \"-q\"\n";
        let with = |settings: &str| strip(&format!("{base}\n[tool.chimp]\n{settings}\n"));
        assert_eq!(with("jobs = 2"), with("jobs = 4\nreport = [\"html\"]"));
        assert_ne!(
            with("jobs = 2"),
            strip(&format!(
                "{}\n[tool.chimp]\njobs = 2\n",
                base.replace("-q", "-x")
            ))
        );
        assert_eq!(strip(base), base.as_bytes());
        assert_eq!(strip("not [ toml"), b"not [ toml");
    }

    #[test]
    fn a_pyproject_without_the_table_is_not_a_configuration() {
        assert!(
            parse_pyproject("[project]\nname = \"x\"\n")
                .unwrap()
                .is_none()
        );
        assert!(
            parse_pyproject("[tool.ruff]\nline-length = 99\n")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn errors_name_the_file_line_key_and_closest_key() {
        let message = |text: &str| format!("{:#}", parse_pyproject(text).unwrap_err());
        assert_eq!(
            message("[tool.chimp]\ntests = \"pytest\"\n\ntest = \"x\"\n"),
            "pyproject.toml:4: unknown key `test` in [tool.chimp]; did you mean `tests`?"
        );
        assert_eq!(
            message("[tool.chimp]\njobs = \"two\"\n"),
            "pyproject.toml:2: [tool.chimp] jobs = \"two\": expected a positive integer"
        );
        assert!(message("[tool.chimp]\nfail_under = 3\n").ends_with("did you mean `fail-under`?"));
        assert!(message("[tool.chimp]\nxyzzy = 3\n").contains("the keys are tests, code,"));
        assert!(message("[tool.chimp]\nshard = \"1/2\"\n").contains("not a file setting"));
        assert!(message("[tool.chimp\n").starts_with("pyproject.toml: not valid TOML"));
        let in_chimp_toml = parse(
            "[tool.chimp]\ntests = \"x\"\n",
            None,
            Path::new("chimp.toml"),
            base(),
        )
        .unwrap_err();
        assert!(format!("{in_chimp_toml}").contains("without a [tool.chimp] header"));
        assert!(
            message("[tool.chimp]\noperators = [\"comparision\"]\n")
                .contains("`comparision` is not one"),
        );
        assert!(message("[tool.chimp]\ntimeout = inf\n").contains("positive number"));
        assert!(message("[tool.chimp]\nexclude = \"a[\"\n").contains("expected globs"));
        assert!(
            message("[tool.chimp]\ncode = \"no/such/dir\"\n").contains("/no/such/dir does not")
        );
    }
}
