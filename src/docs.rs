//! Documentation generated from the clap definition: the man page (`git chimp man`,
//! shipped as `git-chimp.1` in the wheel) and shell completions (`git chimp
//! completions <shell>`).

use std::fmt::Write as _;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::python::arid::AridRule;
use crate::python::operators::Operator;

/// The command as the generated documents name it: `git-chimp`, the binary git runs. The
/// version is the package's alone, so the committed man page changes with releases, not
/// with every commit.
fn command() -> clap::Command {
    Cli::command()
        .bin_name("git-chimp")
        .version(env!("CARGO_PKG_VERSION"))
        .mut_subcommand("operators", |sub| {
            sub.after_long_help(ascii(&operators_text()))
        })
        .mut_subcommand("arid", |sub| sub.after_long_help(ascii(&arid_text())))
}

/// `text` with the arrows of the operators' docs spelt in ASCII, as groff reads a man
/// page without a preprocessor.
fn ascii(text: &str) -> String {
    text.replace('↔', "<->").replace('→', "->")
}

/// What `git chimp operators` prints, and its man page's catalogue: each operator's name
/// and the first paragraph of its doc.
#[must_use]
pub(crate) fn operators_text() -> String {
    let mut out = String::new();
    for &operator in Operator::ALL {
        let _ = writeln!(out, "{:<18} {}", operator.name(), operator.description());
    }
    out
}

/// What `git chimp arid` prints, and its man page's catalogue: each rule's name, whether
/// it is on by default, and its whole doc.
#[must_use]
pub(crate) fn arid_text() -> String {
    let mut out = String::new();
    for &rule in AridRule::ALL {
        let default = if rule.on_by_default() { "on" } else { "off" };
        let _ = writeln!(out, "{} (default: {default})", rule.name());
        for line in rule.doc().lines() {
            let _ = writeln!(out, "    {}", line.trim());
        }
        out.push('\n');
    }
    out
}

/// Where `man` looks for this binary's pages: `<prefix>/share/man/man1` for a binary in
/// `<prefix>/bin` (man-db searches `../share/man` of every directory on `PATH`).
///
/// # Errors
/// When the binary's own path is unknown or not in a `bin` directory.
pub(crate) fn install_dir() -> anyhow::Result<std::path::PathBuf> {
    let exe = std::env::current_exe()?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let bin = exe
        .parent()
        .filter(|dir| dir.file_name().is_some_and(|name| name == "bin"));
    let Some(prefix) = bin.and_then(std::path::Path::parent) else {
        return Err(crate::exit_code::fatal(
            crate::exit_code::ExitCode::Usage,
            format!(
                "{} is not in a `bin` directory, so there is no prefix to install the man pages \
                 under; use `git chimp man --out-dir <dir>` with a directory on your MANPATH",
                exe.display()
            ),
        ));
    };
    Ok(prefix.join("share").join("man").join("man1"))
}

/// The manual pages, as (file name, roff): `git-chimp.1`, then one per subcommand
/// (`git-chimp-list.1`, `git-chimp-cache-stats.1`, ...), which the main page's
/// SUBCOMMANDS section names.
///
/// # Errors
/// Never in practice (writing to memory).
pub(crate) fn man_pages() -> Result<Vec<(String, String)>> {
    let mut root = command().disable_help_subcommand(true);
    root.build();
    let mut pages = vec![(format!("{}.1", root.get_name()), main_page(&root)?)];
    let mut queue: Vec<clap::Command> = root.get_subcommands().cloned().collect();
    while let Some(sub) = queue.pop() {
        if sub.is_hide_set() {
            continue;
        }
        queue.extend(sub.get_subcommands().cloned());
        let man = clap_mangen::Man::new(sub);
        let mut page = Vec::new();
        man.render(&mut page)?;
        pages.push((man.get_filename(), String::from_utf8(page)?));
    }
    pages[1..].sort();
    Ok(pages)
}

/// `git-chimp.1`: clap's sections, then EXIT STATUS (in place of clap's untitled "extra"
/// section) and SEE ALSO.
fn main_page(root: &clap::Command) -> Result<String> {
    let man = clap_mangen::Man::new(root.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    let mut page = String::from_utf8(page)?;
    page.push_str(".SH \"EXIT STATUS\"\n");
    for line in crate::exit_code::EXIT_STATUS_HELP.lines().skip(1) {
        let (code, meaning) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
        let _ = write!(page, ".TP\n{code}\n{}\n", roff_text(meaning.trim()));
    }
    page.push_str(
        ".SH FILES\n.TP\n\\fIpyproject.toml\\fR ([tool.chimp]), \\fIchimp.toml\\fR\n\
         Project settings; \\fBgit chimp config\\fR shows the effective ones.\n\
         .TP\n\\fI.chimp/\\fR\nreport.json, survived/<id>.patch, logs/, cache/ and the \\fB\\-\\-report\\fR files.\n\
         .SH \"SEE ALSO\"\n\\fBgit\\fR(1), \\fBgit\\-worktree\\fR(1); the README and docs/ of git\\-chimp.\n",
    );
    let mut version = Vec::new();
    man.render_version_section(&mut version)?;
    page.push_str(&String::from_utf8(version)?);
    Ok(page)
}

/// Plain text for a roff line: backslashes and hyphens escaped, no leading control dot.
fn roff_text(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}

/// The completion script for `shell`. For bash it also defines `_git_chimp`, which
/// git's own bash completion calls for `git chimp <TAB>`.
#[must_use]
pub(crate) fn completions(shell: clap_complete::Shell) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command(), "git-chimp", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        script.push_str(GIT_BASH_BRIDGE);
    }
    script
}

/// git's bash completion completes `git chimp ...` with a function named `_git_chimp`:
/// hand it to the generated completion as if `git-chimp ...` had been typed.
const GIT_BASH_BRIDGE: &str = r#"
# `git chimp <TAB>`: git's completion calls _git_chimp; complete as `git-chimp ...`.
_git_chimp() {
    # git completes with `-o nospace` and adds spaces itself; these words need bash's.
    compopt +o nospace 2>/dev/null
    local i words=("git-chimp")
    for ((i = 2; i < ${#COMP_WORDS[@]}; i++)); do
        words+=("${COMP_WORDS[i]}")
    done
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$((COMP_CWORD - 1))
    _git__chimp git-chimp "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}
"#;
