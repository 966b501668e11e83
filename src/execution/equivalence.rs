//! Equivalent mutants, found without a test run: a mutant whose module compiles to the
//! same code as the original's (the worker's `swap.differences`, positions aside) cannot
//! behave differently, so no test can kill it. The check runs the worker package's
//! `equivalent` module with the interpreter the test command uses, since bytecode is
//! version-specific; one process per job, each over whole files.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use crate::execution::process::{POLL, ProcessGroup};
use crate::execution::worker::write_package;
use crate::interrupt::is_interrupted;
use crate::python::mutant::Mutant;

/// Starts the check from the package written into the directory given as `argv[1]`.
const START: &str = "import sys; sys.path.insert(0, sys.argv[1]); \
                     from git_chimp_worker import equivalent; equivalent.main()";

/// One answer line: the positions, among the file's mutants as sent, of the equivalent
/// ones.
#[derive(Deserialize)]
struct FileReply {
    path: String,
    equivalent: Vec<usize>,
}

/// Which of `mutants` compile to the original's code under `python`, as a set of
/// positions in `mutants`; `sources` holds each file's text. The files are split over
/// `jobs` processes. An error says why the check could not be made (then no mutant is
/// taken as equivalent).
///
/// # Errors
/// When the interpreter cannot be started, or dies, or answers out of turn.
pub(crate) fn equivalent_mutants(
    python: &str,
    sources: &BTreeMap<String, String>,
    mutants: &[&Mutant],
    jobs: usize,
) -> Result<Vec<usize>, String> {
    let mut by_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (position, mutant) in mutants.iter().enumerate() {
        by_file.entry(&mutant.path).or_default().push(position);
    }
    // Whole files to each job, the largest first onto the least loaded.
    let mut files: Vec<(&str, Vec<usize>)> = by_file.into_iter().collect();
    files.sort_by_key(|(_, positions)| std::cmp::Reverse(positions.len()));
    let mut chunks: Vec<Vec<(&str, Vec<usize>)>> = vec![Vec::new(); jobs.max(1)];
    for file in files {
        if let Some(lightest) = chunks
            .iter_mut()
            .min_by_key(|chunk| chunk.iter().map(|(_, p)| p.len()).sum::<usize>())
        {
            lightest.push(file);
        }
    }
    chunks.retain(|chunk| !chunk.is_empty());
    let scratch = tempfile::tempdir().map_err(|err| format!("no scratch directory: {err}"))?;
    write_package(scratch.path()).map_err(|err| format!("cannot write its script: {err}"))?;
    let answers: Vec<Result<Vec<usize>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| scope.spawn(|| check(python, scratch.path(), sources, mutants, chunk)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("its thread panicked".to_owned()))
            })
            .collect()
    });
    let mut equivalent = Vec::new();
    for answer in answers {
        equivalent.extend(answer?);
    }
    equivalent.sort_unstable();
    Ok(equivalent)
}

/// How long the answer for one file may take: a fixed allowance (for starting Python, on
/// the first), and a share per mutant far above what compiling one takes (about 2 ms for a 1,000-line module).
fn deadline(mutants: usize) -> Duration {
    Duration::from_secs(10) + Duration::from_millis(20) * u32::try_from(mutants).unwrap_or(u32::MAX)
}

/// One process over `files` (each a path and its mutants' positions in `mutants`).
fn check(
    python: &str,
    scratch: &Path,
    sources: &BTreeMap<String, String>,
    mutants: &[&Mutant],
    files: &[(&str, Vec<usize>)],
) -> Result<Vec<usize>, String> {
    let mut group = ProcessGroup::spawn(
        Command::new(python)
            .args(["-I", "-c", START])
            .arg(scratch)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
    .map_err(|err| format!("cannot start `{python}`: {err}"))?;
    // Drained from a thread of its own, so that a chatty interpreter cannot block.
    let stderr = group.child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        })
    });
    let result = talk(&mut group, sources, mutants, files);
    // Kills the group: also the one that hangs, or outlived an interrupt.
    group.finish();
    let said = stderr
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    result.map_err(|err| match said.trim().lines().last() {
        Some(last) => format!("{err}: {last}"),
        None => err,
    })
}

fn talk(
    group: &mut ProcessGroup,
    sources: &BTreeMap<String, String>,
    mutants: &[&Mutant],
    files: &[(&str, Vec<usize>)],
) -> Result<Vec<usize>, String> {
    let mut stdin = group.child.stdin.take().ok_or("no input pipe")?;
    let stdout = group.child.stdout.take().ok_or("no output pipe")?;
    let requests: Vec<String> = files
        .iter()
        .map(|(path, positions)| {
            let edits: Vec<_> = positions
                .iter()
                .map(|&position| {
                    let mutant = mutants[position];
                    json!([mutant.span.start, mutant.span.end, mutant.replacement])
                })
                .collect();
            let source = sources.get(*path).map_or("", String::as_str);
            json!({"path": path, "source": source, "mutants": edits}).to_string()
        })
        .collect();
    // Written and read from threads of their own, so that neither side waits on a full
    // pipe and a wait for an answer can give up.
    std::thread::spawn(move || {
        for request in requests {
            if writeln!(stdin, "{request}").is_err() {
                break;
            }
        }
    });
    let (lines, answers) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut equivalent = Vec::new();
    for (path, positions) in files {
        // Each file has its own allowance: a large project is never given up on, only
        // a file the interpreter does not answer for.
        let give_up = Instant::now() + deadline(positions.len());
        let line = loop {
            if is_interrupted() {
                return Err("interrupted".to_owned());
            }
            if Instant::now() >= give_up {
                return Err(format!(
                    "no answer within {} s for {path}",
                    deadline(positions.len()).as_secs()
                ));
            }
            match answers.recv_timeout(POLL) {
                Ok(Ok(line)) => break line,
                Ok(Err(err)) => return Err(format!("unreadable answer: {err}")),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err("it exited before answering".to_owned());
                }
            }
        };
        let answer: FileReply =
            serde_json::from_str(&line).map_err(|err| format!("bad answer {line:?}: {err}"))?;
        if answer.path != *path {
            return Err(format!("answered for {} instead of {path}", answer.path));
        }
        for index in answer.equivalent {
            let position = positions
                .get(index)
                .ok_or_else(|| format!("no mutant {index} in {path}"))?;
            equivalent.push(*position);
        }
    }
    Ok(equivalent)
}
