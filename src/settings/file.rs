//! Settings from a project file: `chimp.toml`, or the `[tool.chimp]` table of
//! `pyproject.toml`, read with serde into the table's `FileTable` (unknown keys refused,
//! each value with its place for `file:line` errors and `git chimp config`). The file is
//! looked for in the current directory and its parents up to the repository root; in each
//! directory `chimp.toml` comes before `pyproject.toml`, and a `pyproject.toml` without
//! `[tool.chimp]` is passed over. Paths and globs in the file are relative to the file's
//! directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use super::{FileTable, KEYS, Key, Settings};
use crate::exit_code::{ExitCode, fatal};

/// Flags that are no setting at all, and why, for a file that names them.
const NOT_SETTINGS: [(&str, &str); 2] = [
    ("list", "--list is `git chimp list`"),
    ("all", "--all changes what one summary lists"),
];

/// A configuration file's settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileConfig {
    /// The file, as shown to the user (relative to the repository root).
    pub(crate) shown: PathBuf,
    /// Its settings, with paths made absolute.
    pub(crate) settings: Settings,
    /// The line of each key it sets.
    pub(crate) lines: BTreeMap<&'static str, usize>,
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
        for (name, in_pyproject) in [("chimp.toml", false), ("pyproject.toml", true)] {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let shown = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            if let Some(config) = parse(&text, in_pyproject, &shown, &dir)? {
                if !in_pyproject
                    && std::fs::read_to_string(dir.join("pyproject.toml"))
                        .is_ok_and(|text| text.contains("tool.chimp"))
                {
                    tracing::info!(
                        "note: {} is used; the [tool.chimp] table of the \
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

/// `pyproject.toml` as far as git-chimp reads it.
#[derive(Deserialize)]
struct Pyproject {
    #[serde(default)]
    tool: Tool,
}

#[derive(Deserialize, Default)]
struct Tool {
    chimp: Option<FileTable>,
}

/// `chimp.toml`: the table at the top level.
#[derive(Deserialize)]
#[serde(transparent)]
struct ChimpToml {
    table: FileTable,
}

/// Parse a file's text: the whole file (`chimp.toml`) or its `[tool.chimp]`
/// (`pyproject.toml`, `None` when that table is absent). Relative paths are joined to
/// `base`.
fn parse(text: &str, in_pyproject: bool, shown: &Path, base: &Path) -> Result<Option<FileConfig>> {
    let section = if in_pyproject { "[tool.chimp] " } else { "" };
    // A pyproject.toml whose `tool` is not a table has no settings of ours; one whose
    // `tool.chimp` is not a table is a mistake.
    if in_pyproject && let Ok(document) = text.parse::<toml::Table>() {
        match document
            .get("tool")
            .map(|tool| (tool.as_table(), tool.get("chimp")))
        {
            None | Some((None, _) | (_, None)) => return Ok(None),
            Some((_, Some(chimp))) if !chimp.is_table() => {
                return Err(fatal(
                    ExitCode::Usage,
                    format!("{}: tool.chimp must be a table", shown.display()),
                ));
            }
            Some(_) => {}
        }
    }
    let table = if in_pyproject {
        toml::from_str::<Pyproject>(text).map(|file| file.tool.chimp)
    } else {
        toml::from_str::<ChimpToml>(text).map(|file| Some(file.table))
    };
    let table = table.map_err(|err| fatal(ExitCode::Usage, explain(&err, text, section, shown)))?;
    let Some(table) = table else {
        return Ok(None);
    };
    let (settings, places) = table.into_settings();
    let mut config = FileConfig {
        shown: shown.to_path_buf(),
        settings: settings.relative_to(base),
        lines: BTreeMap::new(),
    };
    for (name, offset) in places {
        let line = line_of(text, offset);
        let at = format!("{}:{line}", shown.display());
        if let Some(why) = Key::named(name).and_then(Key::command_line_only) {
            return Err(fatal(
                ExitCode::Usage,
                format!("{at}: {section}{name}: not a file setting; {why}"),
            ));
        }
        if name == "code"
            && let Some(missing) = config
                .settings
                .code
                .iter()
                .flatten()
                .find(|path| !path.exists())
        {
            return Err(fatal(
                ExitCode::Usage,
                format!(
                    "{at}: {section}{name} = {}: expected paths that exist (relative to this \
                     file); {} does not",
                    value_text(text, offset),
                    missing.display()
                ),
            ));
        }
        config.lines.insert(name, line);
    }
    Ok(Some(config))
}

/// A serde error as a `file:line` message: a value of the wrong kind (what was expected),
/// an unknown key (the closest known one), a key that is not a file setting, bad TOML.
fn explain(err: &toml::de::Error, text: &str, section: &str, shown: &Path) -> String {
    let message = err.message();
    let Some(span) = err.span() else {
        return format!("{}: not valid TOML: {message}", shown.display());
    };
    let at = format!("{}:{}", shown.display(), line_of(text, span.start));
    if let Some(name) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        if let Some((_, why)) = NOT_SETTINGS.iter().find(|(flag, _)| *flag == name) {
            return format!("{at}: {section}{name}: not a file setting; {why}");
        }
        if section.is_empty() && name == "tool" {
            return format!(
                "{at}: {} holds the settings at its top level (`tests = ...`), without a \
                 [tool.chimp] header",
                shown.display()
            );
        }
        return unknown_key(&at, section, name);
    }
    match key_before(text, span.start) {
        Some(name) if let Some(why) = Key::named(name).and_then(Key::command_line_only) => {
            format!("{at}: {section}{name}: not a file setting; {why}")
        }
        Some(name) if KEYS.iter().any(|key| key.name == name) => format!(
            "{at}: {section}{name} = {}: expected {message}",
            text.get(span).unwrap_or_default().trim()
        ),
        _ if message.starts_with("invalid type") => format!("{at}: {message}"),
        _ => format!("{}: not valid TOML: {err}", shown.display()),
    }
}

/// The key whose value starts at `offset`: the text between the line's start (or an
/// inline table's `{` or `,`) and the `=` before it.
fn key_before(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let line = &before[before.rfind('\n').map_or(0, |newline| newline + 1)..];
    let key = line.trim_end().strip_suffix('=')?;
    let key = key.rsplit(['{', ',']).next()?.trim();
    Some(key.rsplit('.').next()?.trim_matches(['"', '\'']))
}

/// The value written at `offset`, up to the end of its line.
fn value_text(text: &str, offset: usize) -> &str {
    let rest = text.get(offset..).unwrap_or_default();
    rest.lines().next().unwrap_or_default().trim()
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
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

fn unknown_key(at: &str, section: &str, name: &str) -> String {
    let names = || {
        KEYS.iter()
            .filter(|key| key.command_line_only().is_none())
            .map(|key| key.name)
    };
    let closest = names()
        .map(|known| (strsim::damerau_levenshtein(name, known), known))
        .min()
        .filter(|(distance, known)| *distance <= 2.max(known.len() / 3));
    let hint = match closest {
        Some((_, known)) => format!("; did you mean `{known}`?"),
        None => format!("; the keys are {}", names().collect::<Vec<_>>().join(", ")),
    };
    let within = section.trim_end();
    let within = if within.is_empty() {
        String::new()
    } else {
        format!(" in {within}")
    };
    format!("{at}: unknown key `{name}`{within}{hint}")
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::python::operators::Operator;
    use crate::report::ReportKind;

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
        parse(text, true, Path::new("pyproject.toml"), base())
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
        let settings = &config.settings;
        assert_eq!(settings.tests.as_deref(), Some("pytest -q"));
        assert_eq!(settings.code, Some(vec![base().join("src")]));
        assert_eq!(
            settings.exclude,
            Some(vec![
                base().join("src/gen/*").to_string_lossy().into_owned()
            ])
        );
        assert_eq!(settings.jobs, Some(3));
        assert_eq!(settings.timeout, Some(2.5));
        assert_eq!(settings.fail_under, Some(80.0));
        assert_eq!(settings.no_cache, Some(true));
        assert_eq!(
            settings.operators,
            Some(vec![Operator::Comparison, Operator::BooleanOperator])
        );
        assert_eq!(
            settings.report,
            Some(vec![ReportKind::Html, ReportKind::Sarif])
        );
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
        assert!(message("[tool.chimp]\nlist = true\n").contains("not a file setting"));
        assert!(message("[tool.chimp\n").starts_with("pyproject.toml: not valid TOML"));
        let in_chimp_toml = parse(
            "[tool.chimp]\ntests = \"x\"\n",
            false,
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
        assert_eq!(
            message("[tool.chimp]\ntests = \"x\"\nreport = [\n  \"html\",\n  3,\n]\n"),
            "pyproject.toml:3: [tool.chimp] report = [\n  \"html\",\n  3,\n]: expected a string or an \
             array of strings"
        );
        // Command-line keys are refused before their value is looked at.
        assert!(
            message("[tool.chimp]\nshard = 2\n").contains("shard: not a file setting; --shard")
        );
        assert!(message("[tool.chimp]\nrev = 3\n").contains("rev: not a file setting; --rev"));
        assert_eq!(
            message("[tool.chimp]\njobs = \"x\" # two\n"),
            "pyproject.toml:2: [tool.chimp] jobs = \"x\": expected a positive integer"
        );
        assert_eq!(
            message("[tool]\nchimp = 3\n"),
            "pyproject.toml: tool.chimp must be a table"
        );
        assert!(parse_pyproject("tool = 3\n").unwrap().is_none());
    }
}
