//! `git chimp operators`, `arid`, `completions` and `man`.

use std::path::PathBuf;

use anyhow::Result;

use crate::exit_code::ExitCode;
use crate::{docs, output};

/// `git chimp operators`.
pub(crate) fn operators() -> ExitCode {
    print!("{}", docs::operators_text());
    ExitCode::Success
}

/// `git chimp arid`.
pub(crate) fn arid() -> ExitCode {
    print!("{}", docs::arid_text());
    ExitCode::Success
}

/// `git chimp completions <shell>`.
pub(crate) fn completions(shell: clap_complete::Shell) -> ExitCode {
    print!("{}", docs::completions(shell));
    ExitCode::Success
}

/// `git chimp man [--out-dir DIR | --install]`.
pub(crate) fn man(out_dir: Option<PathBuf>, install: bool) -> Result<ExitCode> {
    let pages = docs::man_pages()?;
    let out_dir = if install {
        Some(docs::install_dir()?)
    } else {
        out_dir
    };
    match out_dir {
        None => print!("{}", pages[0].1),
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|err| {
                output::cannot_write(&dir, output::Access::CreateDir { purpose: None }, &err)
            })?;
            for (name, page) in &pages {
                output::write_atomic(&dir.join(name), page.as_bytes())?;
            }
            println!("wrote {} man pages to {}", pages.len(), dir.display());
        }
    }
    Ok(ExitCode::Success)
}
