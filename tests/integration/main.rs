//! Integration tests: real temporary git repositories holding small Python projects,
//! the real `git-chimp` binary, the machine's real `python3`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
#![allow(
    unreachable_pub,
    clippy::pedantic,
    reason = "test helpers are shared by `pub` across modules; tests read best plainly"
)]

mod util;

mod action;
mod budget;
mod cache;
mod cli;
mod config;
mod dead_code;
mod faults;
mod hook;
mod incremental;
mod packaging;
mod parsing;
mod reliability;
mod reports;
mod runner;
mod shared_cache;
mod signal;
mod since;
mod sweep;
mod type_check;
mod worker;
mod zeroconfig;
