//! `git chimp merge`: read the `report.json` of several runs (normally the n shards of one
//! sweep) back into mutants and results, check that they fit together, and hand back one
//! set of [`Findings`](super::Findings) parts, from which the merged report, patches and
//! other reports are written as a single run writes them.
//!
//! Checks: a file's source must be the same in every report (the runs tested the same
//! code); each mutant's id must match its location and replacement (the report was not
//! edited and the location maps back to the source); a mutant in two reports must have
//! the same outcome; shard reports must be exactly shares 1..n of one run, together
//! holding the run's mutant count.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exit_code::{ExitCode, fatal};
use crate::outcome::{MutantResult, Outcome, RanBy};
use crate::python::discover::DeadCode;
use crate::python::mutant::{Mutant, Scope};
use crate::python::operators::Operator;
use crate::report::Skipped;
use crate::report::json::{DEAD_CODE, DEAD_CODE_KIND};
use crate::report::mte::{MutantReport, Position, Report};
use crate::shard::Shard;
use crate::span::{LineCol, LineIndex, Span};
use anyhow::{Context, Result};

/// The merged contents of several reports.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    /// Source of every file with mutants.
    pub sources: BTreeMap<String, String>,
    /// Every mutant, by file and position.
    pub mutants: Vec<Mutant>,
    /// The outcome of every mutant that has one (not `Pending`).
    pub results: Vec<MutantResult>,
    /// The files the runs skipped, each once.
    pub skipped: Vec<Skipped>,
    /// The dead code the runs found, each block once.
    pub dead: Vec<DeadCode>,
}

/// Read and combine the reports at `paths`.
///
/// # Errors
/// A usage error naming the report that cannot be read, does not parse, or does not fit
/// with the others.
pub(crate) fn merge(paths: &[PathBuf]) -> Result<Merged> {
    let mut merged = Merged::default();
    let mut seen: BTreeMap<String, (Option<Outcome>, &Path)> = BTreeMap::new();
    let mut shards: Vec<ShardReport<'_>> = Vec::new();
    for path in paths {
        let bad = |why: String| fatal(ExitCode::Usage, format!("{}: {why}", path.display()));
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()))
            .map_err(|err| bad(format!("{err:#}")))?;
        let report: Report = serde_json::from_str(&text)
            .map_err(|err| bad(format!("not a git-chimp report.json: {err}")))?;
        if let Some(config) = &report.config
            && let Some(shard) = &config.shard
        {
            let shard: Shard = shard.parse().map_err(|err| bad(format!("shard {err}")))?;
            shards.push(ShardReport {
                shard,
                total: config.mutants_in_run,
                // Reports older than the split's name were split by position.
                split: Some(config.split.clone().unwrap_or_else(|| "position".into())),
                path,
            });
        }
        for skipped in report.config.iter().flat_map(|config| &config.skipped) {
            if !merged
                .skipped
                .iter()
                .any(|known| known.path == skipped.path)
            {
                merged.skipped.push(Skipped {
                    path: skipped.path.clone(),
                    reason: skipped.reason.clone(),
                    unparsable: skipped.unparsable,
                });
            }
        }
        for (file, report) in report.files {
            if let Some(known) = merged.sources.get(&file)
                && *known != report.source
            {
                return Err(bad(format!(
                    "{file} differs from the other reports' copy: the runs tested different code"
                )));
            }
            let lines = LineIndex::new(&report.source);
            for entry in &report.mutants {
                if entry.mutator_name == DEAD_CODE_KIND {
                    let block = read_dead(&file, &report.source, &lines, entry)
                        .map_err(|why| bad(format!("dead code {} in {file}: {why}", entry.id)))?;
                    if !merged.dead.contains(&block) {
                        merged.dead.push(block);
                    }
                    continue;
                }
                let (mutant, result) = read_mutant(&file, &report.source, &lines, entry)
                    .map_err(|why| bad(format!("mutant {} in {file}: {why}", entry.id)))?;
                let outcome = result.as_ref().map(|result| result.outcome);
                match seen.get(&entry.id).copied() {
                    None => {
                        seen.insert(entry.id.clone(), (outcome, path));
                        merged.mutants.push(mutant);
                        merged.results.extend(result);
                    }
                    Some((earlier, _)) if earlier == outcome || outcome.is_none() => {}
                    Some((None, _)) => {
                        seen.insert(entry.id.clone(), (outcome, path));
                        merged.results.extend(result);
                    }
                    Some((Some(earlier), other)) => {
                        return Err(bad(format!(
                            "mutant {} is {} here but {} in {}",
                            entry.id,
                            outcome.map_or("pending", Outcome::name),
                            earlier.name(),
                            other.display()
                        )));
                    }
                }
            }
            merged.sources.insert(file, report.source);
        }
    }
    check_shards(&shards, merged.mutants.len(), paths.len())?;
    merged.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    merged
        .mutants
        .sort_by(|a, b| (&a.path, a.span, &a.id).cmp(&(&b.path, b.span, &b.id)));
    Ok(merged)
}

/// The mutant an entry describes, and its result unless it is `Pending`.
/// A dead block of report.json, read back.
fn read_dead(
    path: &str,
    source: &str,
    lines: &LineIndex,
    entry: &MutantReport,
) -> Result<DeadCode, String> {
    let at = |position: &Position| LineCol {
        line: position.line,
        column: position.column,
    };
    let (start, end) = (at(&entry.location.start), at(&entry.location.end));
    let offset = |at: LineCol| {
        lines
            .offset(at, source)
            .ok_or_else(|| format!("no line {} column {}", at.line, at.column))
    };
    let span = Span::new(offset(start)?, offset(end)?);
    let why = entry
        .status_reason
        .as_deref()
        .and_then(|reason| reason.strip_prefix(DEAD_CODE))
        .ok_or("its reason does not say why it is dead")?;
    let block = DeadCode {
        path: path.to_owned(),
        span,
        start,
        end,
        why: why.to_owned(),
    };
    if block.id(source) != entry.id {
        return Err(format!(
            "its id does not match its code (expected {})",
            block.id(source)
        ));
    }
    Ok(block)
}

fn read_mutant(
    path: &str,
    source: &str,
    lines: &LineIndex,
    entry: &MutantReport,
) -> Result<(Mutant, Option<MutantResult>), String> {
    let operator: Operator = entry.mutator_name.parse()?;
    let at = |position: &Position| {
        let at = LineCol {
            line: position.line,
            column: position.column,
        };
        lines
            .offset(at, source)
            .map(|offset| (offset, at))
            .ok_or_else(|| format!("no line {} column {}", at.line, at.column))
    };
    let (start, start_at) = at(&entry.location.start)?;
    let (end, end_at) = at(&entry.location.end)?;
    if start > end {
        return Err("its location ends before it starts".into());
    }
    let span = Span::new(start, end);
    let id = Mutant::compute_id(path, span, operator, &entry.replacement);
    if id.0 != entry.id {
        return Err(format!(
            "its id does not match its location and replacement (expected {id})"
        ));
    }
    let mutant = Mutant {
        id,
        path: path.to_owned(),
        span,
        start: start_at,
        end: end_at,
        original: span.of(source).to_owned(),
        replacement: entry.replacement.clone(),
        operator,
        scope: Scope {
            qualname: String::new(),
            span,
            occurrence: 0,
        },
        block: span,
    };
    let outcome = match entry.status.as_str() {
        "Pending" if entry.status_reason.as_deref() != Some(crate::outcome::NOT_RUN_BUDGET) => {
            return Ok((mutant, None));
        }
        status => Outcome::from_schema(status, entry.status_reason.as_deref())
            .ok_or_else(|| format!("unknown status {status:?}"))?,
    };
    // A survivor's reason ends with its probe's finding (`MutantResult::status_reason`).
    let (detail, probe) = match entry.status_reason.as_deref() {
        Some(reason) if outcome == Outcome::Survived => crate::outcome::Probe::split(reason),
        reason => (reason.map(str::to_owned), None),
    };
    let result = MutantResult {
        detail,
        probe,
        // The worker names the tests it ran; a merged report keeps that they are known.
        ran_by: if entry.covered_by.is_some() {
            RanBy::Swapped
        } else {
            RanBy::Command
        },
        killed_by: entry
            .killed_by
            .as_ref()
            .and_then(|tests| tests.first().cloned()),
        covered_by: entry.covered_by.clone().unwrap_or_default(),
        ..MutantResult::new(
            &mutant,
            outcome,
            Duration::from_millis(entry.duration.unwrap_or(0)),
        )
    };
    Ok((mutant, Some(result)))
}

/// What a shard report says of its run.
struct ShardReport<'a> {
    shard: Shard,
    /// How many mutants the whole run has.
    total: Option<usize>,
    /// How the run was split (`position` or `cost:...`; none from older versions).
    split: Option<String>,
    path: &'a Path,
}

/// Shard reports must be shares 1..n of one split of one run, each once, holding the
/// run's mutants.
fn check_shards(shards: &[ShardReport<'_>], mutants: usize, reports: usize) -> Result<()> {
    let Some(ShardReport {
        shard: first,
        total,
        split,
        path: first_path,
    }) = shards.first()
    else {
        return Ok(());
    };
    let usage = |message: String| Err(fatal(ExitCode::Usage, message));
    if shards.len() != reports {
        return usage(format!(
            "{} is a shard report but {} of the {reports} reports are not: merge the shard \
             reports of one run",
            first_path.display(),
            reports - shards.len()
        ));
    }
    let mut holders: BTreeMap<usize, &Path> = BTreeMap::new();
    for ShardReport {
        shard,
        total: shard_total,
        split: shard_split,
        path,
    } in shards
    {
        if shard.count != first.count || shard_total != total {
            return usage(format!(
                "{} is shard {shard} of a run with {} mutants, but {} is shard {first} of one \
                 with {}: merge the shard reports of one run",
                path.display(),
                shard_total.unwrap_or(0),
                first_path.display(),
                total.unwrap_or(0)
            ));
        }
        if shard_split != split {
            let name = |split: &Option<String>| split.clone().unwrap_or_else(|| "?".into());
            return usage(format!(
                "{} is shard {shard} of a split by {}, but {} is shard {first} of a split by \
                 {}: the shards' caches held different mutant durations. Run every shard \
                 with the same cache (or --no-cache) and merge again",
                path.display(),
                name(shard_split),
                first_path.display(),
                name(split)
            ));
        }
        if let Some(other) = holders.insert(shard.index, path) {
            return usage(format!(
                "{} and {} are both shard {shard}",
                other.display(),
                path.display()
            ));
        }
    }
    let missing: Vec<String> = (1..=first.count)
        .filter(|index| !holders.contains_key(index))
        .map(|index| format!("{index}/{}", first.count))
        .collect();
    if !missing.is_empty() {
        return usage(format!(
            "missing shard report(s) {}: without them the merged report would not cover every \
             mutant",
            missing.join(", ")
        ));
    }
    if let Some(total) = total
        && *total != mutants
    {
        return usage(format!(
            "the shard reports hold {mutants} mutants but their run has {total}: were the \
             shards run with different options or on different commits?"
        ));
    }
    Ok(())
}
