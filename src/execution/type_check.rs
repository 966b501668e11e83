//! `--type-check`: mutants a type checker rejects are detected without running a test
//! ([`Outcome::TypeError`](crate::outcome::Outcome::TypeError), `CompileError` in
//! report.json), as a compiler rejects them in a typed language.
//!
//! Batched: each mutant is written as a copy of its module beside the original in a
//! sandbox (`_chimp_<id>.py`, so relative and absolute imports resolve as the
//! original's do), and one checker run covers up to [`BATCH`] copies and every original.
//! Errors are mapped back by file. A mutant is rejected when its copy has an error the
//! original does not have (compared by message, so errors the module already had, or
//! that a shorter mutant only moves, do not count). The copies are removed afterwards.
//!
//! A checker that cannot start, that fails as a program (exit status 2 or more, or a
//! signal), or that does not report the error of a probe file every run includes (a
//! missing module exits 1 too), is an error before any test runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use anyhow::Result;

use crate::execution::process::{POLL, ProcessGroup};
use crate::exit_code::{ExitCode, fatal};
use crate::python::mutant::Mutant;
use crate::settings::Checker;

/// How many mutant copies one checker run covers.
const BATCH: usize = 400;

/// A file every checker must reject: each run checks it too, and a run that does not
/// report its error is not checking (not installed, wrong interpreter, a command that
/// prints nothing git-chimp reads).
const PROBE: (&str, &str) = (
    "_chimp_type_probe.py",
    "probe: int = \"git-chimp checks that the type checker rejects this\"\n",
);

/// The command with which `checker` checks `files` (relative to the directory it runs
/// in), with the tests' interpreter `python`.
fn command(checker: &Checker, python: &str, files: &[String]) -> Command {
    let beside = |program: &str| {
        let path = Path::new(python).with_file_name(program);
        if path.is_file() {
            path.to_string_lossy().into_owned()
        } else {
            program.to_owned()
        }
    };
    let mut command = match checker {
        Checker::Mypy => {
            let mut command = Command::new(python);
            command.args([
                "-m",
                "mypy",
                "--show-column-numbers",
                "--no-error-summary",
                "--hide-error-context",
                "--no-pretty",
                "--no-color-output",
                "--follow-imports=silent",
                "--cache-dir=/dev/null",
            ]);
            command
        }
        Checker::Pyright => {
            let mut command = Command::new(beside("pyright"));
            command.args(["--pythonpath", python]);
            command
        }
        Checker::Ty => {
            let mut command = Command::new(beside("ty"));
            command.args([
                "check",
                "--output-format",
                "concise",
                "--no-progress",
                "--python",
                python,
            ]);
            command
        }
        Checker::Command(text) => {
            let mut command = Command::new("sh");
            command.args(["-c", &format!("{text} \"$@\""), "sh"]);
            command
        }
    };
    command.args(files);
    command
}

/// The mutants of `mutants` that `checker` rejects, by position, with the first new
/// error. `root` is a sandbox holding the tested state, `cwd` the directory the checker
/// runs in (the sandbox's counterpart of the current one), `sources` the original text
/// of each file.
///
/// # Errors
/// A usage error when the checker cannot start or fails as a program.
pub(crate) fn rejected(
    checker: &Checker,
    python: &str,
    root: &Path,
    cwd: &Path,
    sources: &BTreeMap<String, String>,
    mutants: &[&Mutant],
) -> Result<Vec<(usize, String)>> {
    let mut rejected = Vec::new();
    let relative = |path: &Path| pathdiff(path, cwd);
    for (batch_index, batch) in mutants.chunks(BATCH).enumerate() {
        let mut copies: BTreeMap<String, usize> = BTreeMap::new();
        let mut originals: BTreeMap<String, &str> = BTreeMap::new();
        let mut written = Vec::new();
        for (offset, mutant) in batch.iter().enumerate() {
            let Some(source) = sources.get(&mutant.path) else {
                continue;
            };
            let original = root.join(&mutant.path);
            let copy = original.with_file_name(format!("_chimp_{}.py", mutant.id));
            if std::fs::write(&copy, mutant.mutated_text(source)).is_err() {
                continue;
            }
            written.push(copy.clone());
            copies.insert(relative(&copy), batch_index * BATCH + offset);
            originals.insert(relative(&original), mutant.path.as_str());
        }
        let probe = cwd.join(PROBE.0);
        let _ = std::fs::write(&probe, PROBE.1);
        written.push(probe);
        let mut files: Vec<String> = originals.keys().chain(copies.keys()).cloned().collect();
        files.push(PROBE.0.to_owned());
        let errors = check(checker, python, cwd, &files);
        for copy in &written {
            let _ = std::fs::remove_file(copy);
        }
        let Some(errors) = errors? else {
            tracing::info!("the budget was spent during the type check");
            break;
        };
        let of = |file: &str| errors.get(file);
        for (copy, position) in &copies {
            let mutant = mutants[*position];
            let original = originals
                .iter()
                .find(|(_, path)| **path == mutant.path)
                .map(|(file, _)| file.as_str())
                .unwrap_or_default();
            // The copy's messages as the original's would read: its module name for the
            // copy's (numbers, lines a shorter mutant moved, are masked by first_new).
            let stem = Path::new(&mutant.path)
                .file_stem()
                .map_or_else(String::new, |stem| stem.to_string_lossy().into_owned());
            let copy_name = format!("_chimp_{}", mutant.id);
            let as_original: Option<Vec<String>> = of(copy).map(|messages| {
                messages
                    .iter()
                    .map(|message| message.replace(&copy_name, &stem))
                    .collect()
            });
            if let Some(new) = first_new(as_original.as_ref(), of(original)) {
                rejected.push((*position, new));
            }
        }
    }
    rejected.sort_unstable();
    Ok(rejected)
}

/// Run `checker` on `files` in `cwd` (with the tests' interpreter `python`); its error
/// messages by file as given (relative to `cwd`). `None` when the budget stopped it.
///
/// # Errors
/// A usage error when it cannot start, fails as a program or misses the probe's error;
/// [`ExitCode::Interrupted`] on Ctrl-C.
fn check(
    checker: &Checker,
    python: &str,
    cwd: &Path,
    files: &[String],
) -> Result<Option<BTreeMap<String, Vec<String>>>> {
    let run = run_checker(command(checker, python, files).current_dir(cwd)).map_err(|err| {
        fatal(
            ExitCode::Usage,
            format!(
                "--type-check {checker}: cannot start it ({err}); install it into the \
                 tests' environment (pip install {checker}) or name another checker"
            ),
        )
    })?;
    let Some((status, text)) = run else {
        if crate::interrupt::is_interrupted() {
            return Err(fatal(
                ExitCode::Interrupted,
                "interrupted during the type check",
            ));
        }
        return Ok(None);
    };
    let tail = || {
        let tail: Vec<&str> = text.lines().rev().take(10).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    };
    if !matches!(status.code(), Some(0 | 1)) {
        return Err(fatal(
            ExitCode::Usage,
            format!(
                "--type-check {checker} failed ({status}); nothing was run. Its last lines:\n{}",
                tail()
            ),
        ));
    }
    // A checker may print paths as given, or absolute (pyright): as given, exactly.
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (printed, messages) in errors_by_file(&text) {
        let printed = Path::new(printed);
        let given = if printed.is_absolute() {
            pathdiff(printed, cwd)
        } else {
            printed
                .strip_prefix("./")
                .unwrap_or(printed)
                .to_string_lossy()
                .into_owned()
        };
        errors
            .entry(given)
            .or_default()
            .extend(messages.into_iter().map(str::to_owned));
    }
    if !errors.contains_key(PROBE.0) {
        return Err(fatal(
            ExitCode::Usage,
            format!(
                "--type-check {checker}: it did not report the type error in a file made \
                 to have one, so it is not checking (is it installed for `{python}`? pip \
                 install {checker}); nothing was run. Its last lines:\n{}",
                tail()
            ),
        ));
    }
    Ok(Some(errors))
}

/// Run the checker in a process group of its own, its output (both streams) in one
/// text; `None` when Ctrl-C or the budget stopped it (it is killed, with what it
/// started).
fn run_checker(command: &mut Command) -> std::io::Result<Option<(ExitStatus, String)>> {
    use std::io::{Read, Seek};
    use wait_timeout::ChildExt;
    let mut log = tempfile::tempfile()?;
    command
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log.try_clone()?);
    let mut group = ProcessGroup::spawn(command)?;
    let status = loop {
        if let Some(status) = group.child.wait_timeout(POLL)? {
            break Some(status);
        }
        if crate::interrupt::should_stop() {
            break None;
        }
    };
    group.finish();
    let Some(status) = status else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    log.rewind()?;
    log.read_to_end(&mut bytes)?;
    Ok(Some((status, String::from_utf8_lossy(&bytes).into_owned())))
}

/// `path` relative to `base` when it is under it, else as it is.
fn pathdiff(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// The error messages of a checker's output, by file: lines `path:line[:col]...` that
/// say `error`, each message without its place.
fn errors_by_file(text: &str) -> BTreeMap<&str, Vec<&str>> {
    let mut errors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        let Some(at) = line.find(".py:") else {
            continue;
        };
        let (file, rest) = line.split_at(at + 3);
        let rest = &rest[1..];
        // The place: line, then perhaps a column, each followed by ':' (or ' - ').
        let message = rest
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == ':')
            .trim_start_matches(" - ")
            .trim();
        if !message.starts_with("error") {
            continue;
        }
        errors.entry(file).or_default().push(message);
    }
    errors
}

/// The first error of `copy` beyond what `original` has (each message counted, its
/// numbers masked: an error the original has on line 40 is the same on line 38).
fn first_new(copy: Option<&Vec<String>>, original: Option<&Vec<String>>) -> Option<String> {
    let masked = |message: &str| -> String {
        let mut out = String::with_capacity(message.len());
        let mut digits = false;
        for c in message.chars() {
            if c.is_ascii_digit() {
                if !digits {
                    out.push('#');
                }
                digits = true;
            } else {
                out.push(c);
                digits = false;
            }
        }
        out
    };
    let mut known: BTreeMap<String, usize> = BTreeMap::new();
    for message in original.into_iter().flatten() {
        *known.entry(masked(message)).or_default() += 1;
    }
    for message in copy.into_iter().flatten() {
        match known.get_mut(&masked(message)) {
            Some(count) if *count > 0 => *count -= 1,
            _ => return Some(message.clone()),
        }
    }
    None
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn errors_are_read_by_file_from_mypy_ty_and_pyright_lines() {
        let text = "pkg/_chimp_ab.py:5:19: error: Unsupported operand types for - (\"int\" and \"None\")  [operator]\n\
                    pkg/_chimp_cd.py:5:12: error[unsupported-operator] Operator `-` is not supported\n\
                    pkg/mod.py:3: note: see here\n\
                    \x20 /abs/pkg/_chimp_ef.py:7:3 - error: Cannot access attribute\n\
                    Found 1 diagnostic\n";
        let errors = errors_by_file(text);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors["pkg/_chimp_ab.py"][0].starts_with("error: Unsupported operand"));
        assert!(errors["pkg/_chimp_cd.py"][0].starts_with("error[unsupported-operator]"));
        assert!(errors["/abs/pkg/_chimp_ef.py"][0].starts_with("error: Cannot access"));
        assert!(!errors.contains_key("pkg/mod.py"), "notes are not errors");
    }

    #[test]
    fn only_errors_the_original_does_not_have_reject_a_mutant() {
        let list = |messages: &[&str]| -> Vec<String> {
            messages.iter().map(|m| (*m).to_owned()).collect()
        };
        let original = list(&["error: a", "error: b", "error: defined on line 40"]);
        let same = list(&["error: b", "error: a", "error: defined on line 38"]);
        let more = list(&["error: a", "error: b", "error: a"]);
        assert_eq!(first_new(Some(&same), Some(&original)), None);
        assert_eq!(
            first_new(Some(&more), Some(&original)).as_deref(),
            Some("error: a")
        );
        assert_eq!(first_new(None, Some(&original)), None);
        assert_eq!(
            first_new(Some(&list(&["error: c"])), None).as_deref(),
            Some("error: c")
        );
    }
}
