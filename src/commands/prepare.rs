//! A run's settings in their layers (command line, git config, file) and the tested
//! state they select (`Prepared`).

use anyhow::Result;

use crate::cli::{self, RunArgs};
use crate::config::{self, FileConfig, Origin};
use crate::exit_code::{self, ExitCode, fatal};
use crate::git::changed::ChangedLines;
use crate::git::repo::{Repo, TargetState};
use crate::options::Options;

use super::current_dir;

/// A run's repository, options, tested state and (with `--since`) the lines in scope.
pub(crate) struct Prepared {
    pub(crate) repo: Repo,
    pub(crate) options: Options,
    pub(crate) state: TargetState,
    pub(crate) changed: Option<ChangedLines>,
}

/// Defaults from git config (`chimp.tests`, `chimp.timeout`, ...), for options not given
/// on the command line or in the environment. Paths in config are relative to the
/// repository root.
pub(crate) fn config_args(repo: &Repo) -> Result<RunArgs> {
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
pub(crate) struct Layers {
    pub(crate) command_line: RunArgs,
    pub(crate) git: RunArgs,
    pub(crate) file: Option<FileConfig>,
}

impl Layers {
    pub(crate) fn read(args: &RunArgs, repo: &Repo, cwd: &std::path::Path) -> Result<Self> {
        Ok(Self {
            command_line: args.clone(),
            git: config_args(repo)?,
            file: config::load(cwd, repo.workdir())?,
        })
    }

    /// The effective arguments: each layer fills what the ones above left unset.
    /// Which layer sets `key` (a flag and its `CHIMP_*` variable are both the command
    /// line here).
    pub(crate) fn origin(&self, key: &str) -> Option<Origin> {
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
    pub(crate) fn options(
        &self,
        workdir: &std::path::Path,
        cwd: &std::path::Path,
    ) -> Result<Options> {
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

    pub(crate) fn merged(&self) -> RunArgs {
        let file = self.file.as_ref().map(|file| file.args.clone());
        self.command_line
            .clone()
            .or(self.git.clone())
            .or(file.unwrap_or_default())
    }
}

pub(crate) fn prepare(args: &RunArgs) -> Result<Prepared> {
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
