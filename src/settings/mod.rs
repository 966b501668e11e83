//! Every run option, defined once. The table in [`settings!`] below gives each key its
//! field, its [`Kind`](value::Kind) of value and where it may come from; from it come
//! [`Settings`] (one layer's values, all optional), the file layer's serde table, the git
//! config reader, the merge of layers and what `git chimp config` shows. Adding an option
//! is one line here plus its flag in `cli.rs`; the compiler checks the rest (and a unit
//! test checks that the flag and its `CHIMP_*` variable match the table).
//!
//! Precedence, highest first: the command line (and `CHIMP_*` variables), `git config
//! chimp.*` (personal, per clone), the file (the team's, committed), the defaults.
//! [`Origin`] records which of them gave each setting, for `git chimp config`.

mod choices;
mod file;
mod git_config;
pub(crate) mod options;
mod value;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::Repo;
use crate::python::arid::AridRule;
use crate::python::operators::Operator;
use crate::report::ReportKind;

pub(crate) use choices::{Checker, Runner};
pub(crate) use file::{FileConfig, without_own_table};
pub(crate) use options::Options;

/// Where a key may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every layer: the command line, git config and the file.
    Everywhere,
    /// The command line only: it describes one invocation, not a project (the text says
    /// why, in the error for a file that sets it).
    CommandLine(&'static str),
    /// The command line only, and not a setting `git chimp config` shows (`--rev`).
    OneRun(&'static str),
}

/// One setting's entry in the table.
pub(crate) struct Key {
    /// Its name: the long flag, the file key and the git config key (`chimp.<name>`).
    pub(crate) name: &'static str,
    /// Where it may be set.
    pub(crate) scope: Scope,
    /// Whether the `CHIMP_<NAME>` variable sets it too.
    pub(crate) env: bool,
    /// What it is when nothing sets it, as `git chimp config` shows it.
    pub(crate) default: fn(&Options) -> String,
    shown: fn(&Settings) -> Option<String>,
    git_bool: bool,
    clear: fn(&mut Settings),
    from_git: fn(&mut Settings, &str) -> Result<(), String>,
}

impl Key {
    /// The key named `name`.
    pub(crate) fn named(name: &str) -> Option<&'static Key> {
        KEYS.iter().find(|key| key.name == name)
    }

    /// Its value in `settings`, as `git chimp config` shows it; `None` when unset.
    pub(crate) fn shown(&self, settings: &Settings) -> Option<String> {
        (self.shown)(settings)
    }

    /// Whether `git chimp config` shows it.
    pub(crate) fn listed(&self) -> bool {
        !matches!(self.scope, Scope::OneRun(_))
    }

    /// Why a file or git config may not set it, if it may not.
    pub(crate) fn command_line_only(&self) -> Option<&'static str> {
        match self.scope {
            Scope::Everywhere => None,
            Scope::CommandLine(why) | Scope::OneRun(why) => Some(why),
        }
    }

    /// Whether git config gives it as a boolean (`git config --bool`).
    pub(crate) fn is_switch(&self) -> bool {
        self.git_bool
    }

    /// Its `CHIMP_*` variable's name.
    pub(crate) fn variable(&self) -> String {
        format!("CHIMP_{}", self.name.to_uppercase().replace('-', "_"))
    }
}

/// The table: `field: Kind as Type = "name", scope, CHIMP_* variable or not, default;`.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident: $kind:ty as $type:ty = $name:literal, $scope:expr, env: $env:literal,
            default: $default:expr;
    )*) => {
        /// One layer's settings (or the merge of all); `None` where it sets nothing.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub(crate) struct Settings {
            $( $(#[doc = $doc])* pub(crate) $field: Option<$type>, )*
        }

        /// A configuration file's table, as serde reads it: each value with its place.
        #[derive(serde::Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        struct FileTable {
            $( #[serde(rename = $name, default)]
               $field: Option<toml::Spanned<value::Wire<$kind>>>, )*
        }

        impl FileTable {
            /// The settings, and each set key with the byte offset of its value.
            fn into_settings(self) -> (Settings, Vec<(&'static str, usize)>) {
                let mut places = Vec::new();
                let settings = Settings {
                    $( $field: self.$field.map(|spanned| {
                        places.push(($name, spanned.span().start));
                        spanned.into_inner().0
                    }), )*
                };
                (settings, places)
            }
        }

        impl Settings {
            /// These settings, with every unset one taken from `lower` (the next layer
            /// down, or the options given before a subcommand).
            #[must_use]
            pub(crate) fn or(self, lower: Settings) -> Settings {
                Settings { $( $field: self.$field.or(lower.$field), )* }
            }
        }

        /// Every key, in the order `git chimp config` prints them.
        pub(crate) const KEYS: &[Key] = &[$(
            Key {
                name: $name,
                scope: $scope,
                env: $env,
                default: $default,
                // An empty list is no setting.
                shown: |settings| {
                    settings
                        .$field
                        .as_ref()
                        .map(<$kind as value::Kind>::shown)
                        .filter(|shown| !shown.is_empty())
                },
                git_bool: <$kind as value::Kind>::GIT_BOOL,
                clear: |settings| settings.$field = None,
                from_git: |settings, text| {
                    settings.$field = Some(<$kind as value::Kind>::from_git(text)?);
                    Ok(())
                },
            },
        )*];
    };
}

settings! {
    /// The test command.
    tests: value::Text as String = "tests", Scope::Everywhere, env: true,
        default: |_| "none: a run needs one".into();
    /// Paths to mutate, relative to the current directory on the command line and to
    /// the layer's directory elsewhere.
    code: value::Paths as Vec<PathBuf> = "code", Scope::Everywhere, env: false,
        default: |_| "the current directory".into();
    /// Globs of files not to mutate.
    exclude: value::Globs as Vec<String> = "exclude", Scope::Everywhere, env: false,
        default: |_| "none".into();
    /// Globs of more files in the cache's test fingerprint.
    test_files: value::Globs as Vec<String> = "test-files", Scope::Everywhere, env: false,
        default: |_| "none".into();
    /// Operator names.
    operators: value::Names<Operator> as Vec<Operator> = "operators", Scope::Everywhere, env: false,
        default: |_| format!("all {}", Operator::ALL.len());
    /// Only these arid-node rules.
    arid: value::Names<AridRule> as Vec<AridRule> = "arid", Scope::Everywhere, env: false,
        default: |_| format!(
            "{} of {} (all but no-cover)",
            AridRule::defaults().len(),
            AridRule::ALL.len()
        );
    /// All arid-node rules but these.
    no_arid: value::Names<AridRule> as Vec<AridRule> = "no-arid", Scope::Everywhere, env: false,
        default: |_| "none".into();
    /// Only lines changed since the merge base with this revision.
    since: value::Text as String = "since", Scope::Everywhere, env: true,
        default: |_| "none".into();
    /// Parallel jobs.
    jobs: value::Count as usize = "jobs", Scope::Everywhere, env: true,
        default: |options| format!("{} (the number of CPUs)", options.jobs);
    /// Per-mutant timeout, in seconds.
    timeout: value::Seconds as f64 = "timeout", Scope::Everywhere, env: true,
        default: |_| "3 x baseline + 5 s".into();
    /// The baseline's timeout without `timeout`, in seconds.
    baseline_timeout: value::Seconds as f64 = "baseline-timeout", Scope::Everywhere, env: true,
        default: |_| "600 s".into();
    /// How long a run may take.
    budget: value::TimeBudget as crate::budget::Budget = "budget", Scope::Everywhere,
        env: true, default: |_| format!(
            "none (the pre-push hook's: {})",
            crate::git::hook::HOOK_BUDGET
        );
    /// The type checker that rejects mutants before the tests run.
    type_check: value::Text as String = "type-check", Scope::Everywhere, env: true,
        default: |_| "none".into();
    /// How mutants run.
    runner: value::RunnerName as Runner = "runner", Scope::Everywhere, env: true,
        default: |_| "auto".into();
    /// The outcome cache's directory.
    cache_dir: value::Dir as PathBuf = "cache-dir", Scope::Everywhere, env: true,
        default: |_| ".chimp/cache".into();
    /// The shared cache's object store.
    cache_url: value::StoreUrl as String = "cache-url", Scope::Everywhere, env: true,
        default: |_| "none (the local cache only)".into();
    /// Neither read nor write the cache.
    no_cache: value::Switch as bool = "no-cache", Scope::Everywhere, env: false,
        default: |_| "false".into();
    /// Skip the canary check.
    no_canary: value::Switch as bool = "no-canary", Scope::Everywhere, env: false,
        default: |_| "false".into();
    /// Never re-execute a module in the pytest worker.
    no_reexec: value::Switch as bool = "no-reexec", Scope::Everywhere, env: true,
        default: |_| "false".into();
    /// A file that does not parse is an error, not a skip.
    strict_parse: value::Switch as bool = "strict-parse", Scope::Everywhere, env: true,
        default: |_| "false".into();
    /// The score at which survivors no longer fail the run.
    fail_under: value::Percent as f64 = "fail-under", Scope::Everywhere, env: true,
        default: |_| "none".into();
    /// Reports besides report.json.
    report: value::Names<ReportKind> as Vec<ReportKind> = "report", Scope::Everywhere,
        env: false, default: |_| "report.json only".into();
    /// One CI job's share of the mutants.
    shard: value::ShardSpec as crate::shard::Shard = "shard",
        Scope::CommandLine("--shard picks one CI job's share"), env: false,
        default: |_| "none".into();
    /// The commit to test instead of the working tree.
    rev: value::Text as String = "rev",
        Scope::OneRun("--rev names the commit of one run"), env: false,
        default: |_| "HEAD and the working tree".into();
}

impl Settings {
    /// Unset `key` (its name, such as `fail-under`).
    pub(crate) fn clear(&mut self, key: &str) {
        if let Some(key) = Key::named(key) {
            (key.clear)(self);
        }
    }

    /// These settings with their relative paths and globs joined to `base` (the
    /// directory of the layer that wrote them).
    #[must_use]
    pub(crate) fn relative_to(mut self, base: &Path) -> Settings {
        let glob = |text: &String| {
            if text.starts_with('/') {
                text.clone()
            } else {
                base.join(text).to_string_lossy().into_owned()
            }
        };
        if let Some(code) = &mut self.code {
            *code = code.iter().map(|path| base.join(path)).collect();
        }
        for globs in [&mut self.exclude, &mut self.test_files]
            .into_iter()
            .flatten()
        {
            *globs = globs.iter().map(glob).collect();
        }
        if let Some(dir) = &mut self.cache_dir {
            *dir = base.join(&*dir);
        }
        self
    }
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line flag.
    CommandLine,
    /// The `CHIMP_*` environment variable of this key.
    Environment(&'static Key),
    /// `git config chimp.<key>`, for this key.
    GitConfig(&'static str),
    /// A configuration file, at this 1-based line.
    File(PathBuf, usize),
    /// Nothing set it.
    Default,
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.name == other.name
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::CommandLine => f.write_str("command line"),
            Origin::Environment(key) => write!(f, "environment: {}", key.variable()),
            Origin::GitConfig(key) => write!(f, "git config chimp.{key}"),
            Origin::File(path, line) => write!(f, "{}:{line}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A run's settings in their layers: command line (with `CHIMP_*`), git config, file.
pub(crate) struct Layers {
    pub(crate) command_line: Settings,
    pub(crate) git: Settings,
    pub(crate) file: Option<FileConfig>,
}

impl Layers {
    /// Read the git config and file layers for a run from `cwd` in `repo`, under the
    /// command line's `command_line`.
    pub(crate) fn read(command_line: Settings, repo: &Repo, cwd: &Path) -> Result<Self> {
        Ok(Self {
            command_line,
            git: git_config::read(repo)?,
            file: file::load(cwd, repo.workdir())?,
        })
    }

    /// Which layer sets `key` (a flag and its `CHIMP_*` variable are both the command
    /// line here).
    pub(crate) fn origin(&self, key: &Key) -> Origin {
        if key.shown(&self.command_line).is_some() {
            Origin::CommandLine
        } else if key.shown(&self.git).is_some() {
            Origin::GitConfig(key.name)
        } else if let Some((file, line)) = self
            .file
            .as_ref()
            .and_then(|file| Some((file, *file.lines.get(key.name)?)))
        {
            Origin::File(file.shown.clone(), line)
        } else {
            Origin::Default
        }
    }

    /// The effective settings: each layer fills what the ones above left unset.
    pub(crate) fn merged(&self) -> Settings {
        let file = self.file.as_ref().map(|file| file.settings.clone());
        self.command_line
            .clone()
            .or(self.git.clone())
            .or(file.unwrap_or_default())
    }

    /// The validated options, a bad value's error naming the layer that set it (the
    /// file and line, or `git config chimp.<key>`), as the command line names its flag.
    pub(crate) fn options(&self, workdir: &Path, cwd: &Path) -> Result<Options> {
        Options::new(&self.merged(), workdir, cwd).map_err(|bad| {
            let shown = match self.origin(bad.key) {
                origin @ (Origin::GitConfig(_) | Origin::File(..)) => {
                    format!("{origin}: {}", bad.unflagged())
                }
                Origin::CommandLine | Origin::Environment(_) | Origin::Default => bad.to_string(),
            };
            fatal(ExitCode::Usage, shown)
        })
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_key_has_its_flag_and_only_the_variables_the_table_names() {
        let command = crate::cli::Cli::command();
        for key in KEYS {
            let arg = command
                .get_arguments()
                .find(|arg| arg.get_long() == Some(key.name))
                .unwrap_or_else(|| panic!("no --{} flag", key.name));
            let env = arg.get_env().map(|env| env.to_string_lossy().into_owned());
            assert_eq!(env, key.env.then(|| key.variable()), "--{}", key.name);
        }
    }

    #[test]
    fn layers_merge_from_the_top_and_clear_by_name() {
        let top = Settings {
            jobs: Some(2),
            no_cache: Some(false),
            ..Settings::default()
        };
        let lower = Settings {
            jobs: Some(5),
            timeout: Some(3.0),
            no_cache: Some(true),
            ..Settings::default()
        };
        let mut merged = top.or(lower);
        assert_eq!(
            (merged.jobs, merged.timeout, merged.no_cache),
            (Some(2), Some(3.0), Some(false))
        );
        merged.clear("timeout");
        merged.clear("no-such-key");
        assert_eq!(merged.timeout, None);
        assert_eq!(merged.jobs, Some(2));
    }

    #[test]
    fn each_setting_comes_from_the_highest_layer_that_sets_it() {
        let layer = |jobs: Option<usize>, timeout: Option<f64>, tests: Option<&str>| Settings {
            jobs,
            timeout,
            tests: tests.map(str::to_owned),
            ..Settings::default()
        };
        let layers = Layers {
            command_line: layer(Some(1), None, None),
            git: layer(Some(2), Some(5.0), None),
            file: Some(FileConfig {
                shown: "pyproject.toml".into(),
                settings: layer(Some(3), Some(6.0), Some("pytest")),
                lines: [("jobs", 4), ("timeout", 5), ("tests", 6)]
                    .into_iter()
                    .collect(),
            }),
        };
        let merged = layers.merged();
        assert_eq!(
            (merged.jobs, merged.timeout, merged.tests.as_deref()),
            (Some(1), Some(5.0), Some("pytest"))
        );
        let origin = |name: &str| layers.origin(Key::named(name).unwrap()).to_string();
        assert_eq!(origin("jobs"), "command line");
        assert_eq!(origin("timeout"), "git config chimp.timeout");
        assert_eq!(origin("tests"), "pyproject.toml:6");
        assert_eq!(origin("runner"), "default");
    }

    #[test]
    fn paths_of_a_layer_are_joined_to_its_directory() {
        let settings = Settings {
            code: Some(vec!["src".into()]),
            exclude: Some(vec!["gen/*".into(), "/abs/*".into()]),
            cache_dir: Some("cache".into()),
            ..Settings::default()
        }
        .relative_to(Path::new("/repo/sub"));
        assert_eq!(settings.code, Some(vec![PathBuf::from("/repo/sub/src")]));
        assert_eq!(
            settings.exclude,
            Some(vec!["/repo/sub/gen/*".to_owned(), "/abs/*".to_owned()])
        );
        assert_eq!(settings.cache_dir, Some(PathBuf::from("/repo/sub/cache")));
    }
}
