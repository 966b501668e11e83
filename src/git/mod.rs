//! The git side, and the only user of git2: the user's repository and the tested state
//! (`repo`), the lines changed since a commit (`changed`), the sandboxes (`sandbox`) and
//! the pre-push hook (`hook`).

use crate::exit_code::{ExitCode, Fatal, fatal};

/// A failed git operation as the documented git exit status ([`ExitCode::Git`]), saying
/// what it was doing (an error that already has a status keeps it).
pub(crate) fn failed(what: &str, err: anyhow::Error) -> anyhow::Error {
    if err.downcast_ref::<Fatal>().is_some() {
        return err;
    }
    fatal(ExitCode::Git, format!("{what}: {err:#}"))
}

pub(crate) mod changed;
pub(crate) mod generated;
pub(crate) mod hook;
pub(crate) mod repo;
pub(crate) mod sandbox;
