//! A run's options from the settings' layers (command line, git config, file) and the
//! tested state they select (`Prepared`).

use anyhow::Result;

use crate::git::changed::ChangedLines;
use crate::git::generated;
use crate::git::repo::{Repo, TargetState};
use crate::settings::{Layers, Options, Settings};

use crate::commands::current_dir;

/// A run's repository, options, tested state and (with `--since`) the lines in scope.
pub(crate) struct Prepared {
    pub(crate) repo: Repo,
    pub(crate) options: Options,
    pub(crate) state: TargetState,
    pub(crate) changed: Option<ChangedLines>,
}

/// The options of a run with the command line's `settings`, and what it tests.
pub(crate) fn prepare(settings: Settings) -> Result<Prepared> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let options = Layers::read(settings, &repo, &cwd)?.options(repo.workdir(), &cwd)?;
    tracing::debug!("git-chimp {}; {options:?}", crate::cli::VERSION);
    let mut state = match &options.rev {
        Some(rev) => repo.commit_state(&repo.resolve_commit(rev, "--rev")?)?,
        None => repo.working_state()?,
    };
    state.generated = generated::ignored_files_needed(&repo, &state)
        .map_err(|err| crate::git::failed("listing the ignored files", err))?;
    if !state.generated.is_empty() {
        tracing::debug!(
            "ignored files copied into the sandboxes: {:?}",
            state.generated
        );
    }
    let changed = match &options.since {
        Some(spec) => {
            let since = repo.resolve_commit(spec, "--since")?;
            let base = repo.merge_base(&since, &state.commit, spec)?;
            let changed = ChangedLines::between(&repo, &base, &state)?;
            tracing::info!(
                "--since {spec}: base {} (merge base with {}{}); {} changed lines in {} files",
                &base[..12],
                &state.commit[..12],
                if state.with_working_tree {
                    " and the working tree"
                } else {
                    ""
                },
                changed.line_count(),
                changed.file_count()
            );
            Some(changed)
        }
        None => None,
    };
    Ok(Prepared {
        repo,
        options,
        state,
        changed,
    })
}
