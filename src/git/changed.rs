//! [`ChangedLines`]: the lines a change added or modified, per file, from a git2 diff of
//! the merge base against the tested state (working-tree changes included unless
//! `--rev`), with rename detection and no context lines. A renamed-but-unchanged file
//! adds no line; deleted lines have no place in the new file and add none either.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use git2::{Diff, DiffFindOptions, DiffOptions, Oid};

use crate::git::repo::{Repo, TargetState};
use crate::span::LineCol;

/// 1-based line numbers added or changed, per repository-relative path.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChangedLines {
    files: BTreeMap<String, BTreeSet<usize>>,
}

impl ChangedLines {
    /// The lines `state` adds or changes relative to the commit `base`.
    ///
    /// # Errors
    /// When the diff cannot be computed.
    pub(crate) fn between(repo: &Repo, base: &str, state: &TargetState) -> Result<Self> {
        Self::diff(repo, base, state).map_err(|err| {
            crate::git::failed(&format!("diffing the tested state against {base}"), err)
        })
    }

    fn diff(repo: &Repo, base: &str, state: &TargetState) -> Result<Self> {
        let git = repo.git();
        let base_tree = git.find_commit(Oid::from_str(base)?)?.tree()?;
        let mut options = DiffOptions::new();
        options.context_lines(0).ignore_submodules(true);
        let mut diff: Diff<'_> = if state.with_working_tree {
            options
                .include_untracked(true)
                .recurse_untracked_dirs(true)
                .show_untracked_content(true);
            git.diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut options))?
        } else {
            let tree = git.find_commit(Oid::from_str(&state.commit)?)?.tree()?;
            git.diff_tree_to_tree(Some(&base_tree), Some(&tree), Some(&mut options))?
        };
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(true);
        diff.find_similar(Some(&mut find))?;
        let mut files: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        diff.foreach(
            &mut |_, _| true,
            None,
            None,
            Some(&mut |delta, _hunk, line| {
                if line.origin() == '+'
                    && let (Some(path), Some(number)) = (delta.new_file().path(), line.new_lineno())
                {
                    let path = path.to_string_lossy().replace('\\', "/");
                    files.entry(path).or_default().insert(number as usize);
                }
                true
            }),
        )?;
        Ok(Self { files })
    }

    /// Whether `path` has any changed line.
    #[must_use]
    pub(crate) fn has_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Whether a span from `start` to `end` (exclusive) in `path` touches a changed line.
    #[must_use]
    pub(crate) fn touches(&self, path: &str, start: LineCol, end: LineCol) -> bool {
        let Some(lines) = self.files.get(path) else {
            return false;
        };
        // A span ending at column 1 ends on the line before.
        let last = if end.column == 1 && end.line > start.line {
            end.line - 1
        } else {
            end.line
        };
        lines.range(start.line..=last).next().is_some()
    }

    /// How many files have changed lines.
    #[must_use]
    pub(crate) fn file_count(&self) -> usize {
        self.files.len()
    }

    /// How many lines changed in all.
    #[must_use]
    pub(crate) fn line_count(&self) -> usize {
        self.files.values().map(BTreeSet::len).sum()
    }
}
