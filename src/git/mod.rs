//! The git side, and the only user of git2: the user's repository and the tested state
//! (`repo`), the lines changed since a commit (`changed`), the sandboxes (`sandbox`) and
//! the pre-push hook (`hook`).

pub mod changed;
pub mod hook;
pub mod repo;
pub mod sandbox;
