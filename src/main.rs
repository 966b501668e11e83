//! The `git-chimp` binary: parse arguments, run, print the error chain, exit.

use std::process::ExitCode;

use clap::CommandFactory;
use git_chimp::{Cli, Fatal};

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::parse_from_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(git_chimp::ExitCode::Usage.code())
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    git_chimp::init_console();
    git_chimp::adopt_orphans();
    let ran = git_chimp::run(&cli);
    // Whatever the tests left running (a daemon in a session of its own) goes now.
    git_chimp::kill_leftovers();
    match ran {
        Ok(code) => ExitCode::from(code.code()),
        Err(err) => {
            let code = err
                .downcast_ref::<Fatal>()
                .map_or(git_chimp::ExitCode::Internal, |f| f.code);
            eprintln!("git-chimp: {err:#}");
            ExitCode::from(code.code())
        }
    }
}
