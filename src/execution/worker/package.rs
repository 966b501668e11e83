//! The worker's Python package and its start-up script, compiled into this binary and
//! written into a sandbox's scratch directory before the worker starts. A new file of
//! the package goes into [`SOURCES`]; a test checks that none is left out.

use std::path::Path;

/// The worker's Python package and its start-up script: (path in the scratch
/// directory, source).
const SOURCES: [(&str, &str); 25] = [
    (
        "chimp_worker_start.py",
        include_str!("chimp_worker_start.py"),
    ),
    (
        "git_chimp_worker/__init__.py",
        include_str!("git_chimp_worker/__init__.py"),
    ),
    (
        "git_chimp_worker/collect.py",
        include_str!("git_chimp_worker/collect.py"),
    ),
    (
        "git_chimp_worker/core.py",
        include_str!("git_chimp_worker/core.py"),
    ),
    (
        "git_chimp_worker/deciding.py",
        include_str!("git_chimp_worker/deciding.py"),
    ),
    (
        "git_chimp_worker/equivalent.py",
        include_str!("git_chimp_worker/equivalent.py"),
    ),
    (
        "git_chimp_worker/fork.py",
        include_str!("git_chimp_worker/fork.py"),
    ),
    (
        "git_chimp_worker/fresh.py",
        include_str!("git_chimp_worker/fresh.py"),
    ),
    (
        "git_chimp_worker/lazy.py",
        include_str!("git_chimp_worker/lazy.py"),
    ),
    (
        "git_chimp_worker/main.py",
        include_str!("git_chimp_worker/main.py"),
    ),
    (
        "git_chimp_worker/calls.py",
        include_str!("git_chimp_worker/calls.py"),
    ),
    (
        "git_chimp_worker/written.py",
        include_str!("git_chimp_worker/written.py"),
    ),
    (
        "git_chimp_worker/readers.py",
        include_str!("git_chimp_worker/readers.py"),
    ),
    (
        "git_chimp_worker/probe.py",
        include_str!("git_chimp_worker/probe.py"),
    ),
    (
        "git_chimp_worker/probing.py",
        include_str!("git_chimp_worker/probing.py"),
    ),
    (
        "git_chimp_worker/protocol.py",
        include_str!("git_chimp_worker/protocol.py"),
    ),
    (
        "git_chimp_worker/protocol.jsonl",
        include_str!("git_chimp_worker/protocol.jsonl"),
    ),
    (
        "git_chimp_worker/pytests.py",
        include_str!("git_chimp_worker/pytests.py"),
    ),
    (
        "git_chimp_worker/reexec.py",
        include_str!("git_chimp_worker/reexec.py"),
    ),
    (
        "git_chimp_worker/reexecuting.py",
        include_str!("git_chimp_worker/reexecuting.py"),
    ),
    (
        "git_chimp_worker/swap.py",
        include_str!("git_chimp_worker/swap.py"),
    ),
    (
        "git_chimp_worker/swapping.py",
        include_str!("git_chimp_worker/swapping.py"),
    ),
    (
        "git_chimp_worker/tracer.py",
        include_str!("git_chimp_worker/tracer.py"),
    ),
    (
        "git_chimp_worker/unittests.py",
        include_str!("git_chimp_worker/unittests.py"),
    ),
    (
        "git_chimp_worker/warm.py",
        include_str!("git_chimp_worker/warm.py"),
    ),
];

/// The start-up script, in the scratch directory: what the interpreter runs.
pub(super) const START_SCRIPT: &str = SOURCES[0].0;

/// Write the worker's package into `scratch`.
pub(crate) fn write_package(scratch: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(scratch.join("git_chimp_worker"))?;
    for (path, source) in SOURCES {
        std::fs::write(scratch.join(path), source)?;
    }
    Ok(())
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn every_file_of_the_worker_package_is_written_into_the_sandbox() {
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("src/execution/worker/git_chimp_worker");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "__pycache__")
            .map(|name| format!("git_chimp_worker/{name}"))
            .collect();
        on_disk.push("chimp_worker_start.py".to_owned());
        on_disk.sort();
        let mut written: Vec<String> = SOURCES.iter().map(|(path, _)| (*path).to_owned()).collect();
        written.sort();
        assert_eq!(written, on_disk);
    }
}
