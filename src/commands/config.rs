//! `git chimp config`: the effective settings and where each came from.

use anyhow::Result;

use crate::detect;
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::Repo;
use crate::settings::{KEYS, Key, Layers, Origin, Settings};

use super::current_dir;

/// `git chimp config` with the command line's `settings`; with `get`, only that key's
/// value (for scripts): exit 0 when it has one (set, detected or a default value), 1
/// when it is unset.
pub(crate) fn show_config(
    settings: Settings,
    get: Option<&str>,
    from_env: &std::collections::BTreeSet<String>,
) -> Result<ExitCode> {
    let names = || {
        KEYS.iter()
            .filter(|key| key.listed())
            .map(|key| key.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let wanted = match get {
        Some(name) => Some(Key::named(name).filter(|key| key.listed()).ok_or_else(|| {
            fatal(
                ExitCode::Usage,
                format!("config --get {name}: not a setting (one of: {})", names()),
            )
        })?),
        None => None,
    };
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let layers = Layers::read(settings, &repo, &cwd)?;
    let merged = layers.merged();
    let options = layers.options(repo.workdir(), &cwd)?;
    match (&layers.file, wanted) {
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
    for key in KEYS.iter().filter(|key| key.listed()) {
        if wanted.is_some_and(|wanted| wanted != key) {
            continue;
        }
        let origin = match layers.origin(key) {
            Origin::CommandLine if key.env && from_env.contains(key.name) => {
                Origin::Environment(key)
            }
            origin => origin,
        };
        let value = key
            .shown(&merged)
            .map_or_else(|| (key.default)(&options), |value| value.replace(&root, ""));
        let detected = (key.name == "tests" && origin == Origin::Default)
            .then(|| detect::test_command(repo.workdir(), &files, &options.cwd_prefix))
            .flatten();
        let (value, origin) = match detected {
            Some(detected) => (detected.command, format!("detected: {}", detected.why)),
            None => (value, origin.to_string()),
        };
        if wanted.is_some() {
            if origin == "default" && value.starts_with("none") {
                return Ok(ExitCode::Usage);
            }
            println!("{value}");
            return Ok(ExitCode::Success);
        }
        println!("{:<11} {value:<32} ({origin})", key.name);
    }
    Ok(ExitCode::Success)
}
