//! The Python standard library of the machine's `python3`, as a corpus of real code for
//! the corpus test and the discovery benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The standard library's directory.
pub fn dir() -> PathBuf {
    dir_of(Path::new("python3"))
}

/// The standard library's directory of the interpreter `python`.
pub fn dir_of(python: &Path) -> PathBuf {
    let output = Command::new(python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .expect("running python3");
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// Every `.py` file under the standard library, sorted, `site-packages` left out.
#[allow(dead_code, reason = "each user of this module needs part of it")]
pub fn python_files() -> Vec<PathBuf> {
    python_files_in(&dir())
}

/// Every `.py` file under the standard library at `lib`, sorted, `site-packages` left
/// out.
pub fn python_files_in(lib: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(lib, &mut out);
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != "site-packages") {
                walk(&path, out);
            }
        } else if path.extension().is_some_and(|ext| ext == "py") {
            out.push(path);
        }
    }
}
