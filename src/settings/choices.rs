//! The enums a setting chooses among: [`Runner`] (`--runner`) and [`Checker`]
//! (`--type-check`). They live with the settings, below `execution`, which acts on them.

use std::fmt;
use std::str::FromStr;

/// `--runner`: how mutants run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Runner {
    /// The warm worker when the test command is a plain pytest or `python -m unittest`
    /// command, else `command`.
    #[default]
    Auto,
    /// The warm pytest worker (falls back to `command` per mutant where it must).
    Pytest,
    /// The warm unittest worker, for a plain `python -m unittest ...` command (falls back
    /// to `command` per mutant where it must).
    Unittest,
    /// Run the test command from scratch for every mutant.
    Command,
}

/// `--type-check`'s checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Checker {
    /// `python -m mypy`, with the tests' interpreter.
    Mypy,
    /// `pyright` (the one beside the tests' interpreter, else on `PATH`).
    Pyright,
    /// `ty check` (the one beside the tests' interpreter, else on `PATH`).
    Ty,
    /// A command of the user's, run through `sh -c` with the files appended; it prints
    /// `path:line:...error...` lines and exits 0 or 1.
    Command(String),
}

impl FromStr for Checker {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "" => Err("expected mypy, pyright, ty or a command".into()),
            "mypy" => Ok(Checker::Mypy),
            "pyright" => Ok(Checker::Pyright),
            "ty" => Ok(Checker::Ty),
            command => Ok(Checker::Command(command.to_owned())),
        }
    }
}

impl fmt::Display for Checker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Checker::Mypy => f.write_str("mypy"),
            Checker::Pyright => f.write_str("pyright"),
            Checker::Ty => f.write_str("ty"),
            Checker::Command(command) => f.write_str(command),
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_checker_is_one_of_the_known_three_or_a_command() {
        assert_eq!("mypy".parse(), Ok(Checker::Mypy));
        assert_eq!(
            "my-checker --strict".parse(),
            Ok(Checker::Command("my-checker --strict".into()))
        );
        assert!("".parse::<Checker>().is_err());
    }
}
