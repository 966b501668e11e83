//! `git chimp clean`: remove the sandboxes.

use anyhow::Result;

use crate::exit_code::ExitCode;
use crate::git::repo::Repo;
use crate::git::sandbox;

use super::current_dir;

pub(crate) fn clean() -> Result<ExitCode> {
    let repo = Repo::discover(&current_dir()?)?;
    let _lock = sandbox::lock(&repo)?;
    let removed = sandbox::clean(&repo)?;
    println!("removed {removed} sandbox worktree(s)");
    Ok(ExitCode::Success)
}
