//! `git chimp init`: a `[tool.chimp]` section for the project, appended to
//! `pyproject.toml` at the repository root (created when there is none). Everything
//! already in the file stays byte for byte; a file that already has the section is left
//! alone with an error, so running it twice never makes a second one.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use crate::detect;
use crate::exit_code::{ExitCode, fatal};
use crate::python::select::is_default_excluded;

/// The section for a project whose tested files are `files` (repository-relative) and
/// whose test command is `tests` (detected when `None`).
#[must_use]
pub(crate) fn section(workdir: &Path, files: &[String], tests: Option<&str>) -> String {
    let detected = detect::test_command(workdir, files, "");
    let tests = tests
        .map(str::to_owned)
        .or_else(|| detected.map(|detected| detected.command));
    let mut out = String::from("[tool.chimp]\n");
    match tests {
        Some(tests) => {
            let _ = writeln!(out, "tests = {}", quoted(&tests));
        }
        None => {
            out.push_str("# tests = \"python -m pytest -x -q\"  # no test command was detected\n");
        }
    }
    let code = code_paths(files);
    if !code.is_empty() {
        let list: Vec<String> = code.iter().map(|path| quoted(path)).collect();
        let _ = writeln!(out, "code = [{}]", list.join(", "));
    }
    out.push_str(
        "# exclude = [\"src/pkg/generated/*\"]  # tests, conftest.py, setup.py are never mutated\n",
    );
    out
}

/// Where the project's code is: `src` in a src layout, else the top-level packages and
/// modules that are not tests or tooling.
fn code_paths(files: &[String]) -> Vec<String> {
    let python = |file: &&String| {
        Path::new(file.as_str())
            .extension()
            .is_some_and(|ext| ext == "py")
            && !is_default_excluded(file)
    };
    if files
        .iter()
        .filter(python)
        .any(|file| file.starts_with("src/"))
    {
        return vec!["src".to_owned()];
    }
    let mut roots: Vec<String> = files
        .iter()
        .filter(python)
        .filter_map(|file| match file.split_once('/') {
            Some((top, _)) if files.contains(&format!("{top}/__init__.py")) => Some(top.to_owned()),
            Some(_) => None,
            None => Some(file.clone()),
        })
        .filter(|root| !root.starts_with('.') && root != "examples" && root != "docs")
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

/// `text` as a TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Append `section` to `workdir/pyproject.toml`; return the file's path.
///
/// # Errors
/// A usage error when the file already has a `[tool.chimp]` table or is not UTF-8;
/// [`ExitCode::Environment`] when it cannot be written.
pub(crate) fn write(workdir: &Path, section: &str) -> Result<std::path::PathBuf> {
    let path = workdir.join("pyproject.toml");
    let existing = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| fatal(ExitCode::Usage, format!("{} is not UTF-8", path.display())))?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(crate::output::cannot_write(&path, "reading", &err)),
    };
    if existing
        .parse::<toml::Table>()
        .ok()
        .and_then(|table| table.get("tool")?.as_table()?.get("chimp").cloned())
        .is_some()
        || existing.lines().any(|line| line.trim() == "[tool.chimp]")
    {
        return Err(fatal(
            ExitCode::Usage,
            format!(
                "{} already has a [tool.chimp] section: edit it (`git chimp config` shows \
                 what it sets)",
                path.display()
            ),
        ));
    }
    let mut text = existing;
    if !text.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(section);
    crate::output::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}
