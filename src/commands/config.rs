//! `git chimp config`: the effective settings and where each came from.

use anyhow::Result;

use crate::cli::RunArgs;
use crate::config::{self, Origin};
use crate::detect;
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::Repo;
use crate::options::Options;
use crate::python::operators::Operator;

use super::{current_dir, prepare::Layers};

/// `git chimp config`; with `get`, only that key's value (for scripts): exit 0 when it
/// has one (set, detected or a default value), 1 when it is unset.
pub(crate) fn show_config(
    args: &RunArgs,
    get: Option<&str>,
    from_env: &std::collections::BTreeSet<String>,
) -> Result<ExitCode> {
    if let Some(key) = get
        && !config::KEYS
            .iter()
            .chain(&["shard"])
            .any(|known| *known == key)
    {
        return Err(fatal(
            ExitCode::Usage,
            format!(
                "config --get {key}: not a setting (one of: {})",
                config::KEYS.join(", ")
            ),
        ));
    }
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let layers = Layers::read(args, &repo, &cwd)?;
    let merged = layers.merged();
    let options = layers.options(repo.workdir(), &cwd)?;
    match (&layers.file, get) {
        (_, Some(_)) => {}
        (Some(file), None) => println!("configuration file: {}", file.shown.display()),
        (None, None) => println!(
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
        if get.is_some_and(|wanted| wanted != key) {
            continue;
        }
        let origin = match layers.origin(key).unwrap_or(Origin::Default) {
            Origin::CommandLine if from_env.contains(key) => Origin::Environment(key),
            origin => origin,
        };
        let value = config::shown_value(&merged, key).map_or_else(
            || default_shown(key, &options),
            |value| value.replace(&root, ""),
        );
        let detected = (key == "tests" && origin == Origin::Default)
            .then(|| detect::test_command(repo.workdir(), &files))
            .flatten();
        let (value, origin) = match detected {
            Some(detected) => (detected.command, format!("detected: {}", detected.why)),
            None => (value, origin.to_string()),
        };
        if get.is_some() {
            if origin == "default" && value.starts_with("none") {
                return Ok(ExitCode::Usage);
            }
            println!("{value}");
            return Ok(ExitCode::Success);
        }
        println!("{key:<11} {value:<32} ({origin})");
    }
    Ok(ExitCode::Success)
}

/// What a setting is when nothing sets it, as `git chimp config` shows it.
pub(crate) fn default_shown(key: &str, options: &Options) -> String {
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
