//! One module per subcommand, and the steps they share: [`prepare`] (settings and the
//! tested state), [`discovery`] (files and mutants), [`finish`] (reports and the exit
//! status).

use anyhow::{Context, Result};

pub(crate) mod accept;
pub(crate) mod cache;
pub(crate) mod caches;
pub(crate) mod clean;
pub(crate) mod config;
pub(crate) mod discovery;
pub(crate) mod docs;
pub(crate) mod doctor;
pub(crate) mod finish;
pub(crate) mod hook;
pub(crate) mod list;
pub(crate) mod merge;
pub(crate) mod prefilter;
pub(crate) mod prepare;
pub(crate) mod sweep;

pub(crate) fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().context("reading the current directory")
}
