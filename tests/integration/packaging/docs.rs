//! The generated documentation: the committed man pages are the clap definition's and
//! render without warnings, `git chimp man --install` makes `git chimp --help` work after
//! a `cargo install`, and the completion scripts are valid shell.

use std::path::Path;
use std::process::Command;

use super::{MAN_DIR, MAN_PAGE, chimp_output, manifest_dir, output};
use crate::sweep::gaps;

#[test]
#[ignore = "needs man and groff"]
fn the_committed_man_pages_are_generated_from_the_cli_and_render_without_warnings() {
    let fresh = tempfile::tempdir().unwrap();
    chimp_output(&["man", "--out-dir", fresh.path().to_str().unwrap()]);
    let read_dir = |dir: &Path| -> Vec<(String, String)> {
        let mut pages: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                (
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&path).unwrap(),
                )
            })
            .collect();
        pages.sort();
        pages
    };
    let generated = read_dir(fresh.path());
    assert!(
        generated == read_dir(&manifest_dir().join(MAN_DIR)),
        "{MAN_DIR} is stale; regenerate it with: cargo run -q -- man --out-dir {MAN_DIR}"
    );
    assert_eq!(generated.len(), 19, "the main page and one per subcommand");
    let main = chimp_output(&["man"]);
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "\"EXIT STATUS\"",
        "VERSION",
    ] {
        assert!(main.contains(&format!(".SH {section}")), "{section}");
    }
    for (name, _) in &generated {
        let path = manifest_dir().join(MAN_DIR).join(name);
        // groff with every warning enabled, output discarded: each page must be clean.
        let (ok, _, stderr) = output(
            Command::new("groff")
                .args(["-man", "-ww", "-z", "-Tutf8"])
                .arg(&path),
        );
        assert!(
            ok && stderr.is_empty(),
            "groff warnings in {name}:\n{stderr}"
        );
    }
    let (ok, text, stderr) = output(
        Command::new("man")
            .args(["-l", "--warnings"])
            .arg(manifest_dir().join(MAN_PAGE))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100"),
    );
    assert!(ok && stderr.is_empty(), "man -l: {stderr}");
    assert!(text.contains("--fail-under"), "{text}");
    assert!(text.contains("EXIT STATUS"), "{text}");
    assert!(text.contains("git-chimp-merge(1)"), "{text}");
}

#[test]
#[ignore = "needs zsh and fish"]
fn completion_scripts_are_valid_shell() {
    for (shell, checker) in [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish")] {
        let script = chimp_output(&["completions", shell]);
        assert!(script.contains("fail-under"), "{shell}");
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &script).unwrap();
        let (ok, _, stderr) = output(Command::new(checker).arg("-n").arg(file.path()));
        assert!(
            ok && stderr.is_empty(),
            "{shell} -n rejects the script (is {checker} installed? .ci/run installs it): {stderr}"
        );
    }
    // bash: `git-chimp <TAB>` and `git chimp <TAB>` (through git's completion) both
    // offer the subcommands.
    let script = chimp_output(&["completions", "bash"]);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &script).unwrap();
    // git's own bash completion (Debian's git package ships it) calls _git_chimp.
    let git_completion = "/usr/share/bash-completion/completions/git";
    assert!(
        Path::new(git_completion).exists(),
        "{git_completion} missing"
    );
    let probe = format!(
        r#"source {git_completion}
source {script}
COMP_WORDS=(git-chimp me); COMP_CWORD=1; COMP_LINE="git-chimp me"; COMP_POINT=12
_git__chimp git-chimp me git-chimp; echo "direct: ${{COMPREPLY[*]}}"
COMPREPLY=()
COMP_WORDS=(git chimp me); COMP_CWORD=2; COMP_LINE="git chimp me"; COMP_POINT=12
__git_wrap__git_main; echo "through git: ${{COMPREPLY[*]}}"
"#,
        script = file.path().display()
    );
    let (ok, stdout, stderr) = output(Command::new("bash").arg("-c").arg(&probe));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("direct: merge"), "{stdout}");
    assert!(stdout.contains("through git: merge"), "{stdout}");
}

/// After a `cargo install` (a binary in `<prefix>/bin`, no man page), `git chimp man
/// --install` puts the pages where `man` finds them for that binary, so `git chimp
/// --help` (which git turns into `man git-chimp`) works.
#[test]
#[ignore = "needs man"]
fn man_install_makes_git_chimp_help_work_after_a_cargo_install() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("prefix/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_git-chimp"), bin.join("git-chimp")).unwrap();
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
            .env("MANPAGER", "cat")
            .env_remove("MANPATH");
        output(&mut command)
    };
    let (ok, _, stderr) = git(&["chimp", "--help"]);
    assert!(!ok, "no page yet: {stderr}");
    let (ok, said, stderr) = git(&["chimp", "man", "--install"]);
    assert!(ok, "{stderr}");
    let man1 = dir.path().join("prefix/share/man/man1");
    assert!(said.contains(&man1.display().to_string()), "{said}");
    assert_eq!(
        std::fs::read_to_string(man1.join("git-chimp.1")).unwrap(),
        std::fs::read_to_string(manifest_dir().join(MAN_PAGE)).unwrap()
    );
    let (ok, page, stderr) = git(&["chimp", "--help"]);
    assert!(ok, "git chimp --help: {stderr}");
    assert!(page.contains("EXIT STATUS"), "{page}");
}
