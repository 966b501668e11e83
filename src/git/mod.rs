//! The git side, and the only user of git2: the user's repository and the tested state
//! (`repo`), the lines changed since a commit (`changed`), the sandboxes (`sandbox`) and
//! the pre-push hook (`hook`).

pub(crate) mod changed;
pub(crate) mod hook;
pub(crate) mod repo;
pub(crate) mod sandbox;
