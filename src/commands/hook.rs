//! `git chimp hook install|uninstall` and `git chimp init`.

use anyhow::Result;

use super::current_dir;
use crate::exit_code::ExitCode;
use crate::git::hook;
use crate::git::repo::Repo;
use crate::{init, settings};

/// `git chimp hook install`.
pub(crate) fn install(force: bool) -> Result<ExitCode> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let path = hook::install(&repo, force)?;
    println!("installed the git-chimp pre-push hook: {}", path.display());
    // A configuration that does not read is not "unset": the run will say what is wrong.
    let configured = settings::Layers::read(settings::Settings::default(), &repo, &cwd)
        .map_or(true, |layers| layers.merged().tests.is_some());
    if !configured {
        println!(
            "set the test command it runs with: git config chimp.tests \"python -m pytest -x -q\" \
             (or tests = \"...\" under [tool.chimp] in pyproject.toml)"
        );
    }
    Ok(ExitCode::Success)
}

/// `git chimp hook uninstall`.
pub(crate) fn uninstall() -> Result<ExitCode> {
    let repo = Repo::discover(&current_dir()?)?;
    match hook::uninstall(&repo)? {
        Some(path) => println!("removed the git-chimp pre-push hook: {}", path.display()),
        None => println!("no git-chimp pre-push hook is installed"),
    }
    Ok(ExitCode::Success)
}

/// `git chimp init [--hook]`, with the test command `tests` if one was given.
pub(crate) fn init(tests: Option<&str>, with_hook: bool) -> Result<ExitCode> {
    let repo = Repo::discover(&current_dir()?)?;
    let state = repo.working_state()?;
    let section = init::section(repo.workdir(), &state.files, tests);
    let path = init::write(repo.workdir(), &section)?;
    println!("wrote to {}:\n\n{section}", path.display());
    if with_hook {
        let path = hook::install(&repo, false)?;
        println!("installed the git-chimp pre-push hook: {}", path.display());
    }
    Ok(ExitCode::Success)
}
