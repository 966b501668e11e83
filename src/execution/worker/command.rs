//! Which test commands the warm worker (its pytest or unittest front end) can run
//! in-process, and how to start its interpreter for one.

use std::path::{Path, PathBuf};

use crate::execution::pyenv::{resolve_program, shebang_interpreter};

/// A test command the worker can run in-process: `[NAME=value ...] pytest ARGS`,
/// `[NAME=value ...] python[3] [OPTIONS] -m pytest ARGS` or the same with `-m unittest`,
/// without other shell syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkerCommand {
    /// Leading `NAME=value` assignments.
    pub env: Vec<(String, String)>,
    /// How the command starts: the pytest script or the interpreter running `-m pytest`.
    pub launcher: Launcher,
    /// pytest's (or unittest's) arguments.
    pub args: Vec<String>,
    /// Which runner the command runs.
    pub framework: Framework,
}

/// The test runner of a [`WorkerCommand`]: the worker's front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Framework {
    /// pytest: the worker is a pytest plugin.
    Pytest,
    /// `python -m unittest`: the worker loads the suite as unittest does.
    Unittest,
}

/// The first word of a [`WorkerCommand`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Launcher {
    /// `pytest ...`: the script, whose `#!` line names the interpreter and whose
    /// directory is `sys.path[0]`.
    Script(String),
    /// `python -m pytest ...`: the interpreter and its options; the current directory is
    /// `sys.path[0]`.
    Module {
        /// The interpreter word as written.
        interpreter: String,
        /// Its options before `-m`.
        options: Vec<String>,
    },
}

impl WorkerCommand {
    /// The command's parts, or `None` when it is not a plain pytest command.
    #[must_use]
    pub(crate) fn parse(tests: &str) -> Option<Self> {
        const OPERATORS: [&str; 5] = ["&&", "||", ";", "|", "&"];
        if tests.contains('`') || tests.contains("$(") {
            return None;
        }
        let words = shlex::split(tests)?;
        let shell_syntax = |word: &String| {
            OPERATORS.contains(&word.as_str())
                || word.ends_with(';')
                || word
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .starts_with(['<', '>'])
        };
        if words.iter().any(shell_syntax) {
            return None;
        }
        let mut rest = words.as_slice();
        if rest.first().is_some_and(|word| word == "env") {
            rest = &rest[1..];
        }
        let mut env = Vec::new();
        while let Some((first, tail)) = rest.split_first() {
            match first.split_once('=') {
                Some((name, value)) if is_variable_name(name) => {
                    env.push((name.to_owned(), value.to_owned()));
                    rest = tail;
                }
                _ => break,
            }
        }
        let (program, tail) = rest.split_first()?;
        let name = Path::new(program).file_name()?.to_str()?;
        if name == "pytest" || name == "py.test" {
            return Some(Self {
                env,
                launcher: Launcher::Script(program.clone()),
                args: tail.to_vec(),
                framework: Framework::Pytest,
            });
        }
        if !name.starts_with("python") {
            return None;
        }
        let mut options = Vec::new();
        let mut words = tail.iter();
        while let Some(word) = words.next() {
            if word == "-m" {
                let framework = match words.next()?.as_str() {
                    "pytest" | "py.test" => Framework::Pytest,
                    "unittest" => Framework::Unittest,
                    _ => return None,
                };
                return Some(Self {
                    env,
                    launcher: Launcher::Module {
                        interpreter: program.clone(),
                        options,
                    },
                    args: words.cloned().collect(),
                    framework,
                });
            }
            if !word.starts_with('-') || word == "-" || word == "-c" {
                return None;
            }
            options.push(word.clone());
            if word == "-W" || word == "-X" {
                options.push(words.next()?.clone());
            }
        }
        None
    }

    /// The worker's name in messages: "pytest worker" or "unittest worker".
    #[must_use]
    pub(crate) fn worker(&self) -> &'static str {
        match self.framework {
            Framework::Pytest => "pytest worker",
            Framework::Unittest => "unittest worker",
        }
    }

    /// The program, its arguments before the worker script, and `sys.path[0]`, for a
    /// worker running in `dir`.
    pub(super) fn program(&self, dir: &Path) -> Result<(String, Vec<String>, PathBuf), String> {
        match &self.launcher {
            Launcher::Script(script) => {
                let path = resolve_program(script, dir)
                    .ok_or_else(|| format!("`{script}` was not found"))?;
                let interpreter = shebang_interpreter(&path)
                    .ok_or_else(|| format!("{} has no `#!` line naming Python", path.display()))?;
                let interpreter = if interpreter.contains('/') {
                    interpreter
                } else {
                    resolve_program(&interpreter, dir)
                        .map_or(interpreter, |path| path.to_string_lossy().into_owned())
                };
                let path0 = path.parent().unwrap_or(dir).to_path_buf();
                Ok((interpreter, Vec::new(), path0))
            }
            Launcher::Module {
                interpreter,
                options,
            } => {
                let program = if interpreter.contains('/') {
                    dir.join(interpreter).to_string_lossy().into_owned()
                } else {
                    interpreter.clone()
                };
                Ok((program, options.clone(), dir.to_path_buf()))
            }
        }
    }
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod test {
    use super::*;

    fn module(interpreter: &str, options: &[&str], args: &[&str]) -> WorkerCommand {
        WorkerCommand {
            env: Vec::new(),
            launcher: Launcher::Module {
                interpreter: interpreter.to_owned(),
                options: options.iter().map(|&word| word.to_owned()).collect(),
            },
            args: args.iter().map(|&word| word.to_owned()).collect(),
            framework: Framework::Pytest,
        }
    }

    #[test]
    fn reads_unittest_commands() {
        let command = WorkerCommand::parse("python3 -m unittest discover -s tests -f").unwrap();
        assert_eq!(command.framework, Framework::Unittest);
        assert_eq!(command.args, ["discover", "-s", "tests", "-f"]);
        assert_eq!(
            WorkerCommand::parse("python -m unittest")
                .unwrap()
                .framework,
            Framework::Unittest
        );
        assert_eq!(WorkerCommand::parse("python -m unittest; echo"), None);
    }

    #[test]
    fn reads_pytest_commands() {
        assert_eq!(
            WorkerCommand::parse("python -m pytest -x -q"),
            Some(module("python", &[], &["-x", "-q"]))
        );
        assert_eq!(
            WorkerCommand::parse(".venv/bin/python3 -X dev -W error -m pytest 'tests/a b.py'"),
            Some(module(
                ".venv/bin/python3",
                &["-X", "dev", "-W", "error"],
                &["tests/a b.py"]
            ))
        );
        let script = WorkerCommand::parse("env A=1 B= pytest -k 'x and not y'").unwrap();
        assert_eq!(script.launcher, Launcher::Script("pytest".into()));
        assert_eq!(
            script.env,
            [("A".into(), "1".into()), ("B".into(), String::new())]
        );
        assert_eq!(script.args, ["-k", "x and not y"]);
    }

    #[test]
    fn refuses_anything_else() {
        for command in [
            "python -m nose",
            "python run_tests.py",
            "python -c 'import pytest'",
            "cd src && pytest",
            "pytest; echo done",
            "pytest > out.txt",
            "pytest 2>/dev/null",
            "pytest | tee log",
            "pytest $(cat args)",
            "tox -e py311",
            "make test",
            "",
        ] {
            assert_eq!(WorkerCommand::parse(command), None, "{command}");
        }
    }
}
