//! Temporary git repositories holding small Python projects, the built `git-chimp`
//! binary run on them, and the snapshot that proves a run left the checkout untouched.
//! The Python environments the tests need (pytest, pyenv's interpreters, shared and
//! private virtual environments) are [`python`]'s, re-exported here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;
use wait_timeout::ChildExt;

mod python;

pub use python::{
    PYTHON_VERSIONS, checker_python, copy_venv, new_venv, once_per_key, pyenv_python,
    pytest_python, pytest_python_of, python_script, run_python, shared_venv, shared_venv_of,
};

/// No subprocess of a test may take longer than this.
pub const OUTER_TIMEOUT: Duration = Duration::from_secs(240);

/// A git repository in a temporary directory.
pub struct TestRepo {
    _dir: TempDir,
    /// The working tree root.
    pub root: PathBuf,
    home: PathBuf,
}

impl TestRepo {
    /// A repository with `files` committed on `main`.
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("project");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let repo = Self {
            _dir: dir,
            root,
            home,
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Chimp Test"]);
        repo.git(&["config", "user.email", "chimp@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        for (path, text) in files {
            repo.write(path, text);
        }
        repo.commit("initial");
        repo
    }

    /// A repository holding a copy of the directory `dir` (its `__pycache__`
    /// directories left out), committed on `main`.
    pub fn from_dir(dir: &Path) -> Self {
        let mut files = Vec::new();
        read_tree(dir, dir, &mut files);
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        Self::new(&borrowed)
    }

    /// A repository holding a copy of the project `tests/fixtures/projects/<name>`.
    pub fn from_fixture(name: &str) -> Self {
        Self::from_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/projects")
                .join(name),
        )
    }

    /// The temporary directory that holds the repository (and room for a venv).
    pub fn scratch(&self) -> &Path {
        self.root.parent().unwrap()
    }

    /// A virtual environment beside the repository with `extra` packages from PyPI and
    /// the project installed editable (`pip install -e .`); returns its `python`. It is a
    /// copy of a shared environment holding `wheel` and `extra` (see [`shared_venv`]).
    pub fn editable_venv(&self, extra: &[&str]) -> PathBuf {
        // The venv's bundled setuptools builds editable wheels once `wheel` is there.
        let mut packages = vec!["wheel"];
        packages.extend(extra);
        let name = format!("editable-venv-{}", packages.join("-"));
        let python = copy_venv(&shared_venv(&name, &packages), self.scratch());
        let editable = [
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--no-build-isolation",
            "-e",
            ".",
        ];
        run_python(&python, &editable, &self.root);
        python
    }

    /// Write a file in the working tree.
    pub fn write(&self, path: &str, text: &str) {
        let full = self.root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    /// Commit everything.
    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn env(&self, command: &mut Command) {
        for (key, _) in std::env::vars() {
            if key.starts_with("CHIMP_") || key.starts_with("PYTHON") || key.starts_with("GIT_") {
                command.env_remove(key);
            }
        }
        command
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .env("TZ", "UTC")
            .env("LC_ALL", "C");
    }

    /// Run git in the repository with `git-chimp` on PATH (for hooks); any outcome.
    pub fn git_with_chimp(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        self.run_with_chimp("git", args, extra_env)
    }

    /// Run `program` in the repository with `git-chimp` on PATH; any outcome.
    pub fn run_with_chimp(&self, program: &str, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(program);
        self.env(&mut command);
        let bin = Path::new(env!("CARGO_BIN_EXE_git-chimp"))
            .parent()
            .unwrap()
            .to_path_buf();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin];
        dirs.extend(std::env::split_paths(&path));
        command.env("PATH", std::env::join_paths(dirs).unwrap());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        command
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null());
        run(command)
    }

    /// Run git in the repository; panic when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let mut command = Command::new("git");
        self.env(&mut command);
        let output = command
            .args(args)
            .current_dir(&self.root)
            .output()
            .expect("running git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// A `git-chimp` command with a clean environment, run from `dir` (relative to root).
    pub fn chimp_in(&self, dir: &str, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_git-chimp"));
        self.env(&mut command);
        command
            .args(args)
            .current_dir(self.root.join(dir))
            .stdin(Stdio::null());
        command
    }

    /// Run `git-chimp args` at the root and wait for it.
    pub fn chimp(&self, args: &[&str]) -> Run {
        run(self.chimp_in("", args))
    }

    /// The parsed `.chimp/report.json`.
    pub fn report(&self) -> Value {
        let text =
            std::fs::read_to_string(self.root.join(".chimp/report.json")).expect("report.json");
        serde_json::from_str(&text).unwrap()
    }

    /// Every mutant of the report with its file's path, in report order.
    pub fn report_mutants(&self) -> Vec<(String, Value)> {
        let report = self.report();
        let mut out = Vec::new();
        for (path, file) in report["files"].as_object().unwrap() {
            for mutant in file["mutants"].as_array().unwrap() {
                out.push((path.clone(), mutant.clone()));
            }
        }
        out
    }

    /// `path:line:operator:replacement` -> status, for every mutant in the report.
    pub fn statuses(&self) -> BTreeMap<String, String> {
        self.report_mutants()
            .iter()
            .map(|(path, mutant)| {
                let status = mutant["status"].as_str().unwrap().to_owned();
                (mutant_key(path, mutant), status)
            })
            .collect()
    }

    /// Everything a run must not change: HEAD, refs, index, stash, status, file contents.
    pub fn snapshot(&self) -> Snapshot {
        let mut files = BTreeMap::new();
        collect_files(&self.root, &self.root, &mut files);
        Snapshot {
            head: self.git(&["rev-parse", "HEAD"]),
            symbolic_head: std::fs::read_to_string(self.root.join(".git/HEAD")).unwrap(),
            refs: self.git(&["for-each-ref"]),
            index: std::fs::read(self.root.join(".git/index")).unwrap_or_default(),
            stash: self.git(&["stash", "list"]),
            status: self
                .git(&[
                    "--no-optional-locks",
                    "status",
                    "--porcelain=v2",
                    "--untracked-files=all",
                    "--ignored",
                ])
                .lines()
                .filter(|line| !line.contains(" .chimp/"))
                .map(|line| format!("{line}\n"))
                .collect(),
            files,
        }
    }

    /// Assert nothing a run must not change has changed since `before`.
    pub fn assert_checkout_untouched(&self, before: &Snapshot) {
        let after = self.snapshot();
        assert_eq!(before.head, after.head, "HEAD moved");
        assert_eq!(before.symbolic_head, after.symbolic_head, "HEAD changed");
        assert_eq!(before.refs, after.refs, "refs changed");
        assert!(before.index == after.index, "the index changed");
        assert_eq!(before.stash, after.stash, "the stash changed");
        assert_eq!(before.status, after.status, "git status changed");
        assert_eq!(before.files, after.files, "working tree files changed");
    }

    /// Processes whose current directory is inside this repository's `.git` (sandboxes).
    pub fn processes_in_sandboxes(&self) -> Vec<String> {
        let git_dir = self.root.join(".git").canonicalize().unwrap();
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) else {
                continue;
            };
            if cwd.starts_with(&git_dir) {
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                found.push(format!(
                    "{:?} {}",
                    entry.file_name(),
                    String::from_utf8_lossy(&cmdline)
                ));
            }
        }
        found
    }
}

/// What a run must leave as it was.
#[derive(Debug)]
pub struct Snapshot {
    head: String,
    symbolic_head: String,
    refs: String,
    index: Vec<u8>,
    stash: String,
    status: String,
    files: BTreeMap<PathBuf, Vec<u8>>,
}

fn collect_files(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path == root.join(".git") || path == root.join(".chimp") {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            collect_files(root, &path, files);
        } else {
            let _ = name;
            files.insert(
                path.strip_prefix(root).unwrap().to_path_buf(),
                std::fs::read(&path).unwrap(),
            );
        }
    }
}

/// A finished `git-chimp` run.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Run a command to completion, killing it after [`OUTER_TIMEOUT`].
pub fn run(mut command: Command) -> Run {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    finish(child)
}

/// Wait for a spawned child, killing it after [`OUTER_TIMEOUT`].
pub fn finish(mut child: Child) -> Run {
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || read_all(stdout));
    let err_reader = std::thread::spawn(move || read_all(stderr));
    let status = match child.wait_timeout(OUTER_TIMEOUT).unwrap() {
        Some(status) => status,
        None => {
            child.kill().unwrap();
            panic!("git-chimp did not finish within {OUTER_TIMEOUT:?}");
        }
    };
    let output = Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn read_all(pipe: Option<impl std::io::Read>) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(mut pipe) = pipe {
        let _ = pipe.read_to_end(&mut buf);
    }
    buf
}

/// `path:line:operator:replacement`: how tests name a mutant of the report.
pub fn mutant_key(path: &str, mutant: &Value) -> String {
    format!(
        "{path}:{}:{}:{}",
        mutant["location"]["start"]["line"],
        mutant["mutatorName"].as_str().unwrap(),
        mutant["replacement"].as_str().unwrap()
    )
}

/// Every file below `dir` as (path relative to `root`, text), `__pycache__` left out.
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "__pycache__" {
                read_tree(root, &path, out);
            }
        } else {
            let relative = path.strip_prefix(root).unwrap();
            out.push((
                relative.to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

/// A gate in a project's test module, for tests of time budgets: the module's first
/// `limit` imports (one per test process) go on at once, and every later one waits until
/// its process is stopped. A budget then runs out at an event, the first test run past
/// the limit, not in a race between sleeping tests and a clock that a loaded machine
/// moves.
pub struct RunGate {
    dir: PathBuf,
}

impl RunGate {
    /// A gate in `repo`'s scratch directory, open (no limit).
    pub fn new(repo: &TestRepo) -> Self {
        let dir = repo.scratch().join("gate");
        std::fs::create_dir_all(&dir).unwrap();
        RunGate { dir }
    }

    /// `module` with the gate at its top.
    pub fn guard(&self, module: &str) -> String {
        format!(
            "import os as _os, time as _time\n\n\ndef _gate(directory):\n    \
             with open(_os.path.join(directory, \"count\"), \"a\") as count:\n        \
             count.write(\"run\\n\")\n    \
             try:\n        with open(_os.path.join(directory, \"limit\")) as limit:\n            \
             limit = int(limit.read())\n    except FileNotFoundError:\n        return\n    \
             with open(_os.path.join(directory, \"count\")) as count:\n        \
             if sum(1 for _ in count) > limit:\n            _time.sleep(600)\n\n\n\
             _gate({:?})\n{module}",
            self.dir.display().to_string()
        )
    }

    /// Let the next `runs` test processes through, and hold every later one.
    pub fn limit(&self, runs: usize) {
        let _ = std::fs::remove_file(self.dir.join("count"));
        std::fs::write(self.dir.join("limit"), runs.to_string()).unwrap();
    }

    /// Let every test process through.
    pub fn open(&self) {
        let _ = std::fs::remove_file(self.dir.join("limit"));
    }

    /// How many test processes have passed or reached the gate since the last limit.
    pub fn count(&self) -> usize {
        std::fs::read_to_string(self.dir.join("count"))
            .map(|text| text.lines().count())
            .unwrap_or(0)
    }
}
