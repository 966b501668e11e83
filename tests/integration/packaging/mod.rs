//! Packaging: the wheel maturin builds from `pyproject.toml` installs a working
//! `git-chimp` (and its man page) into a fresh virtual environment, with no Rust
//! involved after the build; the man page renders without warnings and is the one the
//! clap definition generates; the completion scripts are valid shell.
//! The man pages and completion scripts are checked in [`docs`].

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::sweep::{UNITTEST, expected_gaps, gaps};
use crate::util::{TestRepo, new_venv, run_python, shared_venv};

mod docs;

const MAN_DIR: &str = "packaging/git_chimp.data/data/share/man/man1";
const MAN_PAGE: &str = "packaging/git_chimp.data/data/share/man/man1/git-chimp.1";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn output(command: &mut Command) -> (bool, String, String) {
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn chimp_output(args: &[&str]) -> String {
    let (ok, stdout, stderr) = output(Command::new(env!("CARGO_BIN_EXE_git-chimp")).args(args));
    assert!(ok, "{stderr}");
    stdout
}

/// The cargo profile the packaging tests build the wheel with: `dev` unless
/// `CHIMP_WHEEL_PROFILE` names another (`release`, as users' installs do). `dev` reuses
/// the tests' own build, so only the crate is compiled again; a release build of every
/// dependency took 8 of the suite's minutes on a 2-core machine. The profile changes
/// optimisation only: what the wheel holds and installs is the same.
fn wheel_profile() -> String {
    std::env::var("CHIMP_WHEEL_PROFILE")
        .ok()
        .filter(|profile| !profile.is_empty())
        .unwrap_or_else(|| "dev".to_owned())
}

/// The wheel in `target/tmp/wheels`: its path. Built once per build of the tests'
/// `git-chimp` and profile (the key is that binary's size and modification time, and
/// [`wheel_profile`]), then reused by every packaging test and test process; see
/// [`crate::util::once_per_key`].
fn wheel() -> PathBuf {
    let binary = std::fs::metadata(env!("CARGO_BIN_EXE_git-chimp")).unwrap();
    let key = format!(
        "{} {:?} {}",
        binary.len(),
        binary.modified().unwrap(),
        wheel_profile()
    );
    let wheels = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wheels");
    crate::util::once_per_key(&wheels, &key, || build_wheel(&wheels));
    std::fs::read_dir(&wheels)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .expect("a wheel")
}

/// Remove from `command`'s environment what cargo and nextest set for this test process
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, the build script's `GIT_CHIMP_REVISION`, ...):
/// a build started with them differs from the tests' own build (ring's build script
/// watches `CARGO_MANIFEST_DIR`), so cargo would build ring and every crate above it
/// again. What a user set for cargo (`CARGO_HOME`, `CARGO_NET_OFFLINE`, ...) stays.
fn as_a_fresh_shell(command: &mut Command) -> &mut Command {
    const SET_FOR_TESTS: [&str; 8] = [
        "CARGO_MANIFEST_",
        "CARGO_PKG_",
        "CARGO_BIN_",
        "CARGO_CRATE_",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "NEXTEST",
    ];
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key == "CARGO"
            || key == "OUT_DIR"
            || key == "GIT_CHIMP_REVISION"
            || SET_FOR_TESTS.iter().any(|prefix| key.starts_with(prefix))
        {
            command.env_remove(key.as_ref());
        }
    }
    command
}

/// Make `command`'s cargo builds reuse the tests' own build (cargo's build directory is
/// `target/`) but put what they build in `target/tmp/<name>`: a build of git-chimp with
/// other flags (maturin strips it) or from another checkout then never replaces
/// `target/debug/git-chimp`, the binary the other tests are running.
fn into_own_target<'a>(command: &'a mut Command, name: &str) -> &'a mut Command {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    command
        .env("CARGO_BUILD_BUILD_DIR", tmp.parent().unwrap())
        .env("CARGO_TARGET_DIR", tmp.join(name))
}

/// Build the wheel into `wheels` with maturin from PyPI (in a venv of its own).
fn build_wheel(wheels: &Path) {
    let python = shared_venv("maturin-venv", &["maturin>=1.5,<2"]);
    let maturin = python.parent().unwrap().join("maturin");
    let tests_binary = || {
        let binary = std::fs::metadata(env!("CARGO_BIN_EXE_git-chimp")).unwrap();
        (binary.len(), binary.modified().unwrap())
    };
    let before = tests_binary();
    let mut command = Command::new(&maturin);
    as_a_fresh_shell(&mut command);
    let (ok, stdout, stderr) = output(
        into_own_target(&mut command, "wheel-target")
            .args(["build", "--locked", "--profile", &wheel_profile(), "--out"])
            .arg(wheels)
            .current_dir(manifest_dir()),
    );
    assert!(ok, "maturin build failed:\n{stdout}\n{stderr}");
    assert_eq!(
        before,
        tests_binary(),
        "building the wheel replaced the binary the tests run"
    );
}

#[test]
#[ignore = "needs the package registry (pip installs the wheel)"]
fn the_wheel_installs_git_chimp_and_its_man_page_into_a_fresh_venv() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = wheel();
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!(
            "git_chimp-{}-py3-none-",
            env!("CARGO_PKG_VERSION")
        )),
        "{name}"
    );
    let python = new_venv(&dir.path().join("user"));
    run_python(
        &python,
        &["-m", "pip", "install", "-q", wheel.to_str().unwrap()],
        dir.path(),
    );
    let bin = python.parent().unwrap().to_path_buf();
    let prefix = bin.parent().unwrap();
    assert!(bin.join("git-chimp").is_file());
    assert_eq!(
        std::fs::read_to_string(prefix.join("share/man/man1/git-chimp.1")).unwrap(),
        std::fs::read_to_string(manifest_dir().join(MAN_PAGE)).unwrap()
    );
    let metadata = python_metadata(&python);
    for expected in [
        "Name: git-chimp",
        &format!("Version: {}", env!("CARGO_PKG_VERSION")),
        "Summary: Mutation testing for Python codebases, built into git",
        "Requires-Python: >=3.9",
        "Classifier: Topic :: Software Development :: Testing",
        "Project-URL: Repository, https://github.com/git-chimp/git-chimp",
    ] {
        assert!(
            metadata.contains(expected),
            "{expected} not in:\n{metadata}"
        );
    }

    // A user's PATH: the venv and the system, nothing from the Rust build.
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let repo = gaps();
    let git = |args: &[&str]| {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(&repo.root)
            .env("PATH", &path)
            .env("HOME", repo.scratch())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("MANPATH");
        output(&mut command)
    };
    let (ok, version, stderr) = git(&["chimp", "--version"]);
    assert!(ok, "{stderr}");
    assert!(
        version.starts_with(&format!("git-chimp {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert_eq!(version, chimp_output(&["--version"]), "the same build");
    // Built from this checkout: the revision is its HEAD.
    let (ok, head, _) = output(
        Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(manifest_dir()),
    );
    if ok {
        assert_eq!(
            version,
            format!(
                "git-chimp {} ({})\n",
                env!("CARGO_PKG_VERSION"),
                head.trim()
            )
        );
    }
    let (ok, operators, stderr) = git(&["chimp", "operators"]);
    assert!(ok, "{stderr}");
    assert_eq!(operators.lines().count(), 16, "{operators}");
    assert!(operators.starts_with("statement-delete"), "{operators}");
    let (ok, stdout, stderr) = git(&["chimp", "--tests", UNITTEST]);
    assert!(!ok);
    assert!(
        stdout.contains("12 mutants: 6 killed, 0 timeout, 4 survived, 2 uncovered"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(repo.statuses(), expected_gaps());
    // `man` finds the page through PATH (<prefix>/bin -> <prefix>/share/man), which is
    // what `git chimp --help` (git runs `man git-chimp`) needs.
    let (ok, found, stderr) = output(
        Command::new("man")
            .args(["-w", "git-chimp"])
            .env("PATH", &path)
            .env_remove("MANPATH"),
    );
    assert!(ok, "man -w: {stderr}");
    assert_eq!(
        Path::new(found.trim()).canonicalize().unwrap(),
        prefix
            .join("share/man/man1/git-chimp.1")
            .canonicalize()
            .unwrap()
    );
    // And so `git chimp --help`, which git turns into `man git-chimp`, shows it.
    let mut help = Command::new("git");
    help.args(["chimp", "--help"])
        .current_dir(&repo.root)
        .env("PATH", &path)
        .env("HOME", repo.scratch())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .env_remove("MANPATH");
    let (ok, page, stderr) = output(&mut help);
    assert!(ok, "git chimp --help: {stderr}");
    assert!(page.contains("EXIT STATUS"), "{page}");
    assert!(page.contains("git-chimp-merge(1)"), "{page}");
    // `git chimp -h` reaches git-chimp itself: clap's short help. So does running the
    // binary with --help directly: clap's long help.
    let (ok, short, stderr) = git(&["chimp", "-h"]);
    assert!(ok, "{stderr}");
    assert!(
        short.contains("Usage: git chimp [OPTIONS] [COMMAND]"),
        "{short}"
    );
    assert!(!short.contains("EXIT STATUS"), "{short}");
    let (ok, long, stderr) = output(
        Command::new(bin.join("git-chimp"))
            .arg("--help")
            .current_dir(&repo.root),
    );
    assert!(ok, "{stderr}");
    assert!(
        long.contains("Usage: git chimp [OPTIONS] [COMMAND]"),
        "{long}"
    );
    assert!(long.contains("[tool.chimp]"), "{long}");
}

/// The pre-commit mirror (`packaging/pre-commit-mirror`) as a hook repository: real
/// `pre-commit` installs it with the wheel (no index, no Rust on PATH) and its hook
/// refuses a pushed range with a surviving mutant.
#[test]
#[ignore = "needs the package registry (pip installs the wheel)"]
fn the_pre_commit_mirror_installs_the_wheel_and_runs_the_hook() {
    let mirror_dir = manifest_dir().join("packaging/pre-commit-mirror");
    let mirror_pyproject = std::fs::read_to_string(mirror_dir.join("pyproject.toml")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        mirror_pyproject.contains(&format!("version = \"{version}\""))
            && mirror_pyproject.contains(&format!("\"git-chimp=={version}\"")),
        "packaging/pre-commit-mirror/pyproject.toml must name version {version}"
    );
    let dir = tempfile::tempdir().unwrap();
    // Everything pip may install, offline: the wheel and setuptools for the mirror.
    let wheels = dir.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    std::fs::copy(wheel(), wheels.join(wheel().file_name().unwrap())).unwrap();
    let tools = shared_venv("pre-commit-venv", &["pre-commit"]);
    run_python(
        &tools,
        &[
            "-m",
            "pip",
            "download",
            "-q",
            "-d",
            wheels.to_str().unwrap(),
            "setuptools>=61",
        ],
        dir.path(),
    );
    // Both hook files define the same hook.
    let (ok, same, stderr) = output(Command::new(&tools).arg("-c").arg(
        "import sys, yaml; a, b = (yaml.safe_load(open(p)) for p in sys.argv[1:]); print(a == b)",
    ).arg(mirror_dir.join(".pre-commit-hooks.yaml")).arg(manifest_dir().join(".pre-commit-hooks.yaml")));
    assert!(ok && same.trim() == "True", "{same}{stderr}");

    // The mirror, as its own tagged repository.
    let files: Vec<(&str, String)> = [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"]
        .into_iter()
        .map(|name| {
            (
                name,
                std::fs::read_to_string(mirror_dir.join(name)).unwrap(),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let mirror = TestRepo::new(&files);
    mirror.git(&["tag", &format!("v{version}")]);

    // A project that uses it; its second commit adds an untested function.
    let repo = gaps();
    repo.write(
        "pyproject.toml",
        &format!("[project]\nname = \"gaps\"\n\n[tool.chimp]\ntests = \"{UNITTEST}\"\n"),
    );
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: v{version}\n    hooks:\n      - id: git-chimp\n",
            mirror.root.display()
        ),
    );
    repo.commit("configure");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let calc = std::fs::read_to_string(repo.root.join("calc.py")).unwrap();
    repo.write(
        "calc.py",
        &format!("{calc}\n\ndef triple(x):\n    return x * 3\n"),
    );
    repo.commit("add triple");
    let bin = tools.parent().unwrap();
    let mut command = Command::new(bin.join("pre-commit"));
    command
        .args([
            "run",
            "git-chimp",
            "--hook-stage",
            "pre-push",
            "--from-ref",
            &base,
            "--to-ref",
            "HEAD",
        ])
        .current_dir(&repo.root)
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
        )
        .env("HOME", repo.scratch())
        .env("PRE_COMMIT_HOME", dir.path().join("pre-commit-home"))
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", &wheels)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("CHIMP_TESTS");
    let (ok, stdout, stderr) = output(&mut command);
    assert!(!ok, "the hook must fail on survivors:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("git-chimp (mutation testing of the pushed change)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("calc.py:17:14  binary-operator  * -> /"),
        "{stdout}\n{stderr}"
    );
    // Only the pushed change was mutated.
    let statuses = repo.statuses();
    assert!(
        statuses.keys().all(|key| key.starts_with("calc.py:17:")),
        "{statuses:?}"
    );
}

fn python_metadata(python: &Path) -> String {
    let (ok, stdout, stderr) = output(Command::new(python).args([
        "-c",
        "import importlib.metadata as m; print(m.metadata('git-chimp').as_string())",
    ]));
    assert!(ok, "{stderr}");
    stdout
}

/// The README's first lines, run as they are written (only the clone's URL points at this
/// checkout): a fresh clone, `pip install .` in a fresh virtual environment (maturin
/// builds the wheel from source), then `git chimp` in `examples/shop`, whose summary must
/// be the one the README shows.
#[test]
#[ignore = "needs the package registry (pip installs the wheel)"]
fn the_readme_install_and_first_run_lines_work_as_written() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let section = readme
        .split("## Install and run it on the bundled example\n")
        .nth(1)
        .unwrap();
    let blocks: Vec<Vec<&str>> = section
        .split("\n\n")
        .map(|block| block.trim_matches('\n'))
        .filter(|block| !block.is_empty() && block.lines().all(|line| line.starts_with("    ")))
        .map(|block| block.lines().map(|line| &line[4..]).collect())
        .collect();
    let install = &blocks[0];
    assert_eq!(
        install[0],
        "git clone https://github.com/git-chimp/git-chimp && cd git-chimp"
    );
    let summary = blocks
        .iter()
        .find(|block| block[0].contains(" mutants: "))
        .expect("the README shows a summary")[0];
    let dir = tempfile::tempdir().unwrap();
    let python = new_venv(&dir.path().join("venv"));
    let script = std::iter::once(format!(
        "git clone -q {} git-chimp && cd git-chimp",
        manifest_dir().display()
    ))
    .chain(install[1..].iter().map(|line| (*line).to_owned()))
    .collect::<Vec<_>>()
    .join("\n");
    let path = format!(
        "{}:{}",
        python.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut shell = Command::new("bash");
    as_a_fresh_shell(&mut shell);
    // The build is shared with the tests' own (see `wheel_profile`): only the crate
    // itself is built again for the clone.
    into_own_target(&mut shell, "clone-target")
        .args(["-e", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("VIRTUAL_ENV", python.parent().unwrap().parent().unwrap())
        .env("HOME", dir.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env(
            "MATURIN_PEP517_ARGS",
            format!("--profile {}", wheel_profile()),
        )
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("CHIMP_") || (key.starts_with("GIT_") && key != "GIT_CONFIG_NOSYSTEM") {
            shell.env_remove(key);
        }
    }
    let run = shell.output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(2),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains(summary), "{summary} not in:\n{stdout}");
    // The first run says how long it will take, and how to get less (#27 item 5).
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("estimate: about ") && stderr.contains("for all 60 mutants"),
        "{stderr}"
    );
    assert!(
        python.parent().unwrap().join("git-chimp").is_file(),
        "pip put git-chimp in the venv"
    );
}
