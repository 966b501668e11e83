//! Settings from `git config chimp.<key>` (personal, per clone; any scope git reads:
//! the repository's, the user's, the system's). Every key a file may hold, read with the
//! same [`Kind`](super::value::Kind) checks; lists are words split as a shell splits them,
//! and paths are relative to the repository root.

use anyhow::Result;

use super::{KEYS, Settings};
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::Repo;

/// The git config layer of `repo`.
///
/// # Errors
/// A usage error naming `git config chimp.<key>`, its value and what was expected.
pub(crate) fn read(repo: &Repo) -> Result<Settings> {
    let mut settings = Settings::default();
    for key in KEYS.iter().filter(|key| key.command_line_only().is_none()) {
        let value = if key.is_switch() {
            repo.config_bool(key.name)
                .map(|value| value.map(|value| value.to_string()))
                .map_err(|value| {
                    fatal(
                        ExitCode::Usage,
                        format!(
                            "git config chimp.{} = {value:?}: expected true or false",
                            key.name
                        ),
                    )
                })?
        } else {
            repo.config(key.name)
        };
        let Some(value) = value else {
            continue;
        };
        (key.from_git)(&mut settings, &value).map_err(|expected| {
            fatal(
                ExitCode::Usage,
                format!(
                    "git config chimp.{} = {value:?}: expected {expected}",
                    key.name
                ),
            )
        })?;
    }
    Ok(settings.relative_to(repo.workdir()))
}
