//! `git chimp accept <id>... --reason "..."`, and applying `.chimp-accepted.toml` to a
//! run's results.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::Result;

use crate::accepted::{self, Accepted};
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::TargetState;
use crate::outcome::MutantResult;
use crate::python::discover;
use crate::python::operators::Operator;
use crate::report::mte;
use crate::settings::Settings;

use super::sweep::{
    discovery::{Discovery, discover_mutants},
    prepare::{Prepared, prepare},
};

/// Accept the mutants `ids` (ids or unique prefixes of at least 6 digits, as the
/// reports show them) for `reason`, with the run settings `settings`.
pub(crate) fn accept(settings: Settings, ids: &[String], reason: &str) -> Result<ExitCode> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(fatal(
            ExitCode::Usage,
            "--reason must say why the survivor is acceptable: the file is read by your team",
        ));
    }
    let Prepared {
        repo,
        options,
        state,
        ..
    } = prepare(settings)?;
    // Every mutant of the selected code, whatever `--since` says.
    let found = discover_mutants(&repo, &options, &state, None, options.tests.as_deref())?;
    let known = Accepted::load(repo.workdir())?;
    let last_statuses = last_statuses(repo.workdir());
    let mut text = String::new();
    let mut said = Vec::new();
    let mut added = BTreeSet::new();
    for id in ids {
        let id = id.trim().to_ascii_lowercase();
        let matching: Vec<_> = found
            .mutants
            .iter()
            .filter(|mutant| id.len() >= 6 && mutant.id.0.starts_with(&id))
            .collect();
        let mutant = match matching.as_slice() {
            [mutant] => *mutant,
            [] => {
                return Err(fatal(
                    ExitCode::Usage,
                    format!(
                        "no mutant {id} in the selected code as it is now (ids are in the run's \
                         summary, .chimp/report.json and `git chimp list`; an id needs at least \
                         6 of its 12 digits)"
                    ),
                ));
            }
            _ => {
                return Err(fatal(
                    ExitCode::Usage,
                    format!(
                        "{id} is the start of {} mutants' ids: give more digits",
                        matching.len()
                    ),
                ));
            }
        };
        let source = found.sources.get(&mutant.path).map_or("", String::as_str);
        let line = format!(
            "{}:{}  {}  {}  [{}]",
            mutant.path,
            mutant.start.line,
            mutant.operator,
            mutant.describe(),
            mutant.id
        );
        let key = accepted::key(mutant, source);
        if known.get(&key).is_some() || !added.insert(key) {
            said.push(format!("already accepted: {line}"));
            continue;
        }
        if let Some(status) = last_statuses.get(mutant.id.0.as_str())
            && matches!(status.as_str(), "Killed" | "Timeout")
        {
            tracing::warn!(
                "{} was detected ({}) in the last run; accepted anyway, and runs will list \
                 the entry as no longer needed while the tests detect it",
                mutant.id,
                status.to_lowercase()
            );
        }
        text.push_str(&accepted::entry_text(mutant, source, reason));
        said.push(format!("accepted: {line}"));
    }
    if !text.is_empty() {
        accepted::append(repo.workdir(), &text)?;
    }
    for line in said {
        println!("{line}");
    }
    if !text.is_empty() {
        println!(
            "written to {}: commit it, so the whole team and CI accept them too",
            accepted::FILE
        );
    }
    Ok(ExitCode::Success)
}

/// Each mutant's status in the last run's `.chimp/report.json`, by id (none when there
/// is no readable report).
fn last_statuses(root: &std::path::Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(root.join(".chimp/report.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<mte::Report>(&text).ok())
        .map(|report| {
            report
                .files
                .into_values()
                .flat_map(|file| file.mutants)
                .map(|mutant| (mutant.id, mutant.status))
                .collect()
        })
        .unwrap_or_default()
}

/// Mark the accepted survivors of a run's `results`, and say which entries are stale
/// (their code changed, or their file is gone) or no longer needed (the tests now detect
/// the mutant). Returns the lines for the summary.
pub(crate) fn apply_accepted(
    known: &Accepted,
    results: &mut [MutantResult],
    found: &Discovery,
    state: &TargetState,
) -> String {
    if known.is_empty() {
        return String::new();
    }
    let detected = known.apply(results, &found.sources);
    // Every mutant that can be made in each file the run mutated, in scope of `--since`
    // or not, with every operator and no arid rule: an entry is stale only when its code
    // changed, not when this run leaves its operator out.
    let every_operator: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let mut keys: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (path, source) in &found.sources {
        let mutants = discover::mutate_source_with(path, source, &every_operator, &BTreeSet::new())
            .unwrap_or_default();
        keys.insert(
            path,
            mutants
                .iter()
                .map(|mutant| accepted::key(mutant, source))
                .collect(),
        );
    }
    let gone = known.stale(&keys, |path| state.files.iter().any(|file| file == path));
    let mut out = String::new();
    let mut list = |mut entries: Vec<&accepted::Acceptance>, one: &str, many: &str| {
        if entries.is_empty() {
            return;
        }
        entries.sort_by_key(|entry| (&entry.path, entry.line, &entry.change));
        let what = if entries.len() == 1 {
            format!("1 entry in {} is {one}", accepted::FILE)
        } else {
            format!("{} entries in {} are {many}", entries.len(), accepted::FILE)
        };
        let _ = writeln!(out, "{what}:");
        for entry in entries {
            let _ = writeln!(out, "  {}:{}  {}", entry.path, entry.line, entry.change);
        }
    };
    list(
        gone,
        "stale (the code around its mutant changed, or the mutant is no longer made): \
         delete it, or accept the new survivor",
        "stale (the code around their mutants changed, or the mutants are no longer \
         made): delete them, or accept the new survivors",
    );
    list(
        detected,
        "no longer needed (the tests now detect its mutant): delete it",
        "no longer needed (the tests now detect their mutants): delete them",
    );
    out
}
