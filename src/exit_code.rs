//! The process exit status: the one place its numbers are defined. `--help` and the
//! README document the same table.

/// Why git-chimp exits, and the number it exits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Every mutant was detected (or there were none).
    Success = 0,
    /// The command line or configuration is wrong.
    Usage = 1,
    /// Some mutants survived.
    Survivors = 2,
    /// The tests fail (or cannot run) on the unmutated code.
    BaselineFailed = 3,
    /// Not a git repository, an unborn HEAD, or another git error.
    Git = 4,
    /// The tests do not import the code in the sandbox (the canary check failed).
    CanaryFailed = 5,
    /// Some selected mutants were not tested: a sandbox the tests damaged could not be
    /// restored, a mutant's run ended in an error, or the budget was spent before any
    /// mutant was tested.
    Incomplete = 6,
    /// git-chimp cannot write where it must (`.chimp/`, a report, the cache, the
    /// repository's `.git/chimp/`): a file where a directory belongs, or the reverse, or no
    /// permission.
    Environment = 7,
    /// An internal error of git-chimp.
    Internal = 70,
    /// Interrupted by Ctrl-C (SIGINT) or SIGTERM; what was finished is reported.
    Interrupted = 130,
}

impl ExitCode {
    /// The number the process exits with.
    #[must_use]
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The exit status table, as `--help` shows it.
pub(crate) const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    no mutant survived or went uncovered (or the score reaches --fail-under)
  1    usage or configuration error
  2    some mutants survived or no test reaches them
  3    the tests fail on the unmutated code (or the test command cannot run)
  4    git error (not a git repository, no commit yet, ...)
  5    the tests do not import the code being mutated (canary check)
  6    some mutants were not tested (a sandbox could not be restored, errors, or a
       budget spent before any mutant was tested)
  7    git-chimp cannot write its output, cache or sandboxes (path and cause named)
  70   internal error
  130  interrupted (Ctrl-C); finished outcomes are still reported";

/// An error that decides the exit status; any other error exits with [`ExitCode::Internal`].
#[derive(Debug)]
pub struct Fatal {
    /// The exit status.
    pub code: ExitCode,
    /// What to tell the user.
    pub message: String,
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fatal {}

/// An error with exit status `code`.
pub(crate) fn fatal(code: ExitCode, message: impl Into<String>) -> anyhow::Error {
    Fatal {
        code,
        message: message.into(),
    }
    .into()
}
