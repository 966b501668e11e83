//! The Python side of a run. Tests must import the sandbox's code, not the user's: an
//! editable install (`pip install -e .`) puts the checkout's directories on `sys.path`
//! (through a `.pth` file or setuptools' editable finder). [`PythonEnv::probe`] asks the
//! interpreters the test command may use where they import from, and every directory
//! inside the repository is mapped onto the sandbox through `PYTHONPATH`, which Python
//! searches first. Bytecode: `PYTHONDONTWRITEBYTECODE=1`, plus `Sandbox::write`'s
//! strictly increasing mtimes and the `__pycache__` purge at sync, so a stale `.pyc` can
//! never serve a mutant. The canary check in `lab.rs` proves the mapping works.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::settings::options::relative_to;

/// Lists `sys.path` and the directories of setuptools' editable finders, as JSON.
const PROBE: &str = r"
import json, os, sys
paths = [p for p in sys.path if p]
for name, module in list(sys.modules.items()):
    mapping = getattr(module, 'MAPPING', None)
    if name.startswith('__editable__') and isinstance(mapping, dict):
        paths += [os.path.dirname(str(p)) for p in mapping.values()]
print(json.dumps(paths))
";

/// Where the user's Python imports the project from, relative to the repository root.
#[derive(Debug, Clone, Default)]
pub(crate) struct PythonEnv {
    /// Repository-relative directories on the interpreters' import path (`""` = root).
    pub repo_paths: BTreeSet<String>,
}

impl PythonEnv {
    /// Ask the interpreters the test command may use (`python3`, `python`, and any its
    /// words name or imply through a `#!` line) for their import paths, from `cwd`.
    #[must_use]
    pub(crate) fn probe(tests: &str, cwd: &Path, workdir: &Path) -> Self {
        // Any word may name the interpreter: `cd x && .venv/bin/pytest`, `env A=1 python ..`.
        let mut interpreters: Vec<String> = tests
            .split(|c: char| c.is_whitespace() || "\"';&|()".contains(c))
            .filter(|word| !word.is_empty())
            .filter_map(|word| interpreter_of(word, cwd))
            .collect();
        interpreters.extend(["python3".to_owned(), "python".to_owned()]);
        let mut seen = BTreeSet::new();
        interpreters.retain(|interpreter| seen.insert(interpreter.clone()));
        let mut repo_paths = BTreeSet::new();
        for interpreter in &interpreters {
            let Ok(output) = Command::new(interpreter)
                .arg("-c")
                .arg(PROBE)
                .current_dir(cwd)
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
            else {
                continue;
            };
            let paths: Vec<String> = serde_json::from_slice(&output.stdout).unwrap_or_default();
            for path in paths {
                if let Some(relative) = relative_to(Path::new(&path), workdir)
                    && relative != ".git"
                    && !relative.starts_with(".git/")
                {
                    repo_paths.insert(relative);
                }
            }
        }
        Self { repo_paths }
    }

    /// Environment for a test run in the sandbox rooted at `sandbox_root`.
    #[must_use]
    pub(crate) fn env_for(&self, sandbox_root: &Path) -> Vec<(String, String)> {
        let mut entries: Vec<PathBuf> = self
            .repo_paths
            .iter()
            .map(|relative| {
                if relative.is_empty() {
                    sandbox_root.to_path_buf()
                } else {
                    sandbox_root.join(relative)
                }
            })
            .filter(|path| path.is_dir())
            .collect();
        if let Some(existing) = std::env::var_os("PYTHONPATH") {
            entries.extend(std::env::split_paths(&existing));
        }
        let mut env = vec![("PYTHONDONTWRITEBYTECODE".to_owned(), "1".to_owned())];
        // One hash seed for every process of the sweep, unless the user chose one: a
        // test parametrised over a set of strings gets its cases in hash order, and the
        // workers of the other sandboxes find the baseline's tests by id.
        if std::env::var_os("PYTHONHASHSEED").is_none() {
            env.push(("PYTHONHASHSEED".to_owned(), HASH_SEED.to_owned()));
        }
        if let Ok(joined) = std::env::join_paths(entries)
            && !joined.is_empty()
        {
            env.push((
                "PYTHONPATH".to_owned(),
                joined.to_string_lossy().into_owned(),
            ));
        }
        env
    }
}

/// The `PYTHONHASHSEED` of the processes git-chimp starts when the user set none.
const HASH_SEED: &str = "0";

/// The Python interpreter the test command runs: the first of its words that names one
/// or a script whose `#!` line does (`pytest` gives its virtual environment's Python).
#[must_use]
pub(crate) fn test_interpreter(tests: &str, cwd: &Path) -> Option<String> {
    shlex::split(tests)
        .unwrap_or_default()
        .iter()
        .find_map(|word| interpreter_of(word, cwd))
}

/// The Python interpreter behind a command's word: the word itself when it names
/// Python, or the `#!` line of the script it names.
fn interpreter_of(word: &str, cwd: &Path) -> Option<String> {
    let name = Path::new(word).file_name()?.to_string_lossy().into_owned();
    let resolved = resolve_program(word, cwd);
    if name.starts_with("python") {
        return Some(resolved.map_or_else(
            || word.to_owned(),
            |path| path.to_string_lossy().into_owned(),
        ));
    }
    shebang_interpreter(&resolved?)
}

/// Where the shell finds the program `word`: relative to `cwd` when it has a `/`, else
/// the first executable of that name on `PATH` (the `which` crate's search, as the shell
/// does it).
#[must_use]
pub(crate) fn resolve_program(word: &str, cwd: &Path) -> Option<PathBuf> {
    if word.contains('/') {
        return Some(cwd.join(word));
    }
    which::which_in(word, std::env::var_os("PATH"), cwd).ok()
}

/// The Python interpreter a script's `#!` line names (`#!/usr/bin/env python3` gives
/// `python3`), if it names one.
#[must_use]
pub(crate) fn shebang_interpreter(script: &Path) -> Option<String> {
    let script = std::fs::read(script).ok()?;
    let first_line = script.split(|byte| *byte == b'\n').next()?;
    let shebang = String::from_utf8_lossy(first_line.strip_prefix(b"#!")?).into_owned();
    let mut words = shebang.split_whitespace();
    let program = words.next()?;
    let interpreter = if program.ends_with("/env") {
        words.next()?
    } else {
        program
    };
    interpreter
        .contains("python")
        .then(|| interpreter.to_owned())
}
