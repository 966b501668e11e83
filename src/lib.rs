//! git-chimp: mutation testing for Python codebases, built into git.
//!
//! [`run`] sends each subcommand to its module under `commands/`; a run without one is
//! `commands::sweep`, the whole pipeline top to bottom: options, the repository's tested
//! state, mutant discovery, sandboxes, baseline, canary, the mutants, reports. The
//! README's "Layout" section maps each module.

mod accepted;
mod budget;
mod cache;
mod cli;
mod commands;
mod console;
mod detect;
mod docs;
mod execution;
mod exit_code;
mod git;
mod init;
mod interrupt;
mod outcome;
mod output;
mod plan;
pub mod python;
mod report;
mod settings;
mod shard;
pub mod span;

use anyhow::Result;

pub use crate::cli::Cli;
pub use crate::console::init as init_console;
pub use crate::execution::process::{adopt_orphans, kill_leftovers};
pub use crate::exit_code::{ExitCode, Fatal};

use crate::cli::{Command, HookCommand};

/// Run git-chimp with parsed arguments; the exit status says how it went.
///
/// # Errors
/// Fatal problems; a [`Fatal`] in the chain decides the exit status.
pub fn run(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Some(Command::Operators) => Ok(commands::docs::operators()),
        Some(Command::Arid) => Ok(commands::docs::arid()),
        Some(Command::Completions { shell }) => Ok(commands::docs::completions(*shell)),
        Some(Command::Man { out_dir, install }) => commands::docs::man(out_dir.clone(), *install),
        Some(Command::Clean) => commands::clean::clean(),
        Some(Command::Cache {
            action,
            cache_dir,
            cache_url,
        }) => commands::cache::manage_cache(
            action,
            settings::Settings {
                cache_dir: cache_dir.clone(),
                cache_url: cache_url.clone(),
                ..settings::Settings::default()
            },
        ),
        Some(Command::Hook(HookCommand::Install { force })) => commands::hook::install(*force),
        Some(Command::Hook(HookCommand::Uninstall)) => commands::hook::uninstall(),
        Some(Command::Init { hook }) => commands::hook::init(cli.run.tests.as_deref(), *hook),
        Some(Command::Accept(args)) => {
            commands::accept::accept(cli.settings(Some(&args.run)), &args.ids, &args.reason)
        }
        Some(Command::List(args)) => commands::list::list(cli.settings(Some(args))),
        Some(Command::Doctor(args)) => commands::doctor::doctor(cli.settings(Some(args))),
        Some(Command::Config(args)) => commands::config::show_config(
            cli.settings(Some(&args.run)),
            args.get.as_deref(),
            &cli.from_env,
        ),
        Some(Command::Merge(args)) => commands::merge::merge(args, cli.settings(None), cli.run.all),
        None if cli.run.list => commands::list::list(cli.settings(None)),
        None => commands::sweep::sweep(cli.settings(None), cli.run.all),
    }
}
