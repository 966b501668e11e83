//! One module per subcommand. A run ([`sweep`]) is made of steps that other commands
//! share: `sweep::prepare` (settings and the tested state), `sweep::discovery` (files and
//! mutants), `sweep::caches` (the outcome caches and their keys), `sweep::prefilter`
//! (equivalent mutants and type errors, before any test runs), and [`finish`] (reports
//! and the exit status, shared with [`merge`]).

use anyhow::{Context, Result};

pub(crate) mod accept;
pub(crate) mod cache;
pub(crate) mod clean;
pub(crate) mod config;
pub(crate) mod docs;
pub(crate) mod doctor;
pub(crate) mod finish;
pub(crate) mod hook;
pub(crate) mod list;
pub(crate) mod merge;
pub(crate) mod sweep;

pub(crate) fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().context("reading the current directory")
}
