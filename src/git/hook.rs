//! `git chimp hook install|uninstall`: the pre-push hook (`hooks/pre-push`, built into the
//! binary) in the hooks directory git actually uses (`core.hooksPath`, else the common git
//! dir's `hooks/`). A hook is git-chimp's when it carries [`MARKER`]; another hook is
//! only replaced with `--force`, and then kept beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::Repo;

/// The hook script.
pub(crate) const HOOK: &str = include_str!("../../hooks/pre-push");

/// The time budget the hook gives a push when no setting names one (`chimp.budget`,
/// `budget` in the file, `CHIMP_BUDGET`): the hook script's `default_budget`.
pub(crate) const HOOK_BUDGET: &str = "2m";

/// The line that marks a pre-push hook as git-chimp's.
pub(crate) const MARKER: &str = "# git-chimp pre-push hook";

/// Where a replaced hook is kept.
const BACKUP: &str = "pre-push.before-git-chimp";

fn is_ours(text: &str) -> bool {
    text.lines().take(3).any(|line| line.trim() == MARKER)
}

/// Install the hook; return its path.
///
/// # Errors
/// A usage error when another pre-push hook exists and `force` is not set; a git error
/// (exit 4) naming the hooks directory when it cannot be written.
pub(crate) fn install(repo: &Repo, force: bool) -> Result<PathBuf> {
    let dir = repo.hooks_dir();
    write_hook(&dir, force).map_err(|err| {
        super::failed(
            &format!("installing the pre-push hook in {}", dir.display()),
            err,
        )
    })
}

fn write_hook(dir: &Path, force: bool) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("pre-push");
    if let Ok(existing) = std::fs::read(&path)
        && !is_ours(&String::from_utf8_lossy(&existing))
    {
        if !force {
            return Err(fatal(
                ExitCode::Usage,
                format!(
                    "{} already exists and is not git-chimp's; keep it, or pass --force to \
                     replace it (it will be kept as {BACKUP})",
                    path.display()
                ),
            ));
        }
        std::fs::write(dir.join(BACKUP), &existing).context("keeping the old pre-push hook")?;
    }
    std::fs::write(&path, HOOK).with_context(|| format!("writing {}", path.display()))?;
    let mut permissions = std::fs::metadata(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions)
        .with_context(|| format!("making {} executable", path.display()))?;
    Ok(path)
}

/// Remove the hook if it is git-chimp's; return its path if it was removed.
///
/// # Errors
/// A git error (exit 4) when the hook cannot be removed.
pub(crate) fn uninstall(repo: &Repo) -> Result<Option<PathBuf>> {
    let path = repo.hooks_dir().join("pre-push");
    match std::fs::read(&path) {
        Ok(existing) if is_ours(&String::from_utf8_lossy(&existing)) => {
            std::fs::remove_file(&path).map_err(|err| {
                super::failed(
                    &format!("removing the pre-push hook {}", path.display()),
                    err.into(),
                )
            })?;
            Ok(Some(path))
        }
        Ok(_) => Err(fatal(
            ExitCode::Usage,
            format!("{} is not git-chimp's hook; left as it is", path.display()),
        )),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_hook_script_gives_the_budget_the_settings_name_as_its_default() {
        assert!(
            HOOK.contains(&format!("\ndefault_budget={HOOK_BUDGET}\n")),
            "hooks/pre-push must set default_budget={HOOK_BUDGET}"
        );
    }
}
