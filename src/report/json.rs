//! `.chimp/report.json` in the mutation-testing-elements schema, version 2 (the format
//! Stryker and others read): files with their source and mutants, each with its id,
//! operator, replacement, 1-based location, status and duration in milliseconds.
//! Mutants an interrupted run did not reach are `Pending`. A `--shard` run notes its
//! share and the whole run's mutant count under `config`, for `git chimp merge`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::outcome::MutantResult;
use crate::output::write_atomic;
use crate::python::discover::DeadCode;
use crate::python::mutant::Mutant;
use crate::report::Findings;
use crate::report::mte::{
    FileReport, Framework, Location, MutantReport, Position, Report, RunConfig, SkippedFile,
    Thresholds,
};
use crate::span::LineCol;
use anyhow::Result;

impl From<LineCol> for Position {
    fn from(at: LineCol) -> Self {
        Self {
            line: at.line,
            column: at.column,
        }
    }
}

fn mutant_report(mutant: &Mutant, result: Option<&MutantResult>) -> MutantReport {
    MutantReport {
        id: mutant.id.0.clone(),
        mutator_name: mutant.operator.name().to_owned(),
        replacement: mutant.replacement.clone(),
        description: mutant.describe(),
        location: Location {
            start: mutant.start.into(),
            end: mutant.end.into(),
        },
        status: result
            .map_or("Pending", |result| result.outcome.schema_status())
            .to_owned(),
        status_reason: result.and_then(MutantResult::status_reason),
        duration: result
            .map(|result| u64::try_from(result.duration.as_millis()).unwrap_or(u64::MAX)),
        killed_by: result
            .and_then(|result| result.killed_by.clone())
            .map(|test| vec![test]),
        covered_by: result
            .filter(|result| result.ran_by.in_worker())
            .map(|result| result.covered_by.clone()),
    }
}

/// Write the report of `findings` to `path`.
///
/// # Errors
/// When the file cannot be written.
pub(crate) fn write_report(path: &Path, findings: &Findings<'_>) -> Result<()> {
    write_atomic(path, &render(findings)?)
}

/// A dead block as report.json lists it: an `Ignored` entry of the `dead-code` kind,
/// its reason `dead code: ...`.
fn dead_report(block: &DeadCode, source: &str) -> MutantReport {
    let reason = format!("{DEAD_CODE}{}", block.why);
    MutantReport {
        id: block.id(source),
        mutator_name: DEAD_CODE_KIND.to_owned(),
        replacement: String::new(),
        description: reason.clone(),
        location: Location {
            start: block.start.into(),
            end: block.end.into(),
        },
        status: "Ignored".to_owned(),
        status_reason: Some(reason),
        duration: None,
        killed_by: None,
        covered_by: None,
    }
}

/// The `mutatorName` of a dead block in report.json.
pub(crate) const DEAD_CODE_KIND: &str = "dead-code";

/// How a dead block's reason starts in report.json.
pub(crate) const DEAD_CODE: &str = "dead code: ";

/// The report of `findings`, as JSON text.
///
/// # Errors
/// Never in practice (serde cannot fail on these types).
pub(crate) fn render(findings: &Findings<'_>) -> Result<Vec<u8>> {
    let mut files: BTreeMap<String, FileReport> = BTreeMap::new();
    for (mutant, result) in findings.entries() {
        files
            .entry(mutant.path.clone())
            .or_insert_with(|| FileReport {
                language: "python".to_owned(),
                source: findings.source(&mutant.path).to_owned(),
                mutants: Vec::new(),
            })
            .mutants
            .push(mutant_report(mutant, result));
    }
    for block in findings.dead {
        let source = findings.source(&block.path);
        files
            .entry(block.path.clone())
            .or_insert_with(|| FileReport {
                language: "python".to_owned(),
                source: source.to_owned(),
                mutants: Vec::new(),
            })
            .mutants
            .push(dead_report(block, source));
    }
    let report = Report {
        schema_version: "2".to_owned(),
        thresholds: Thresholds { high: 80, low: 60 },
        project_root: findings.root.display().to_string(),
        framework: Framework {
            name: "git-chimp".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        config: (findings.shard.is_some() || !findings.skipped.is_empty()).then(|| RunConfig {
            shard: findings.shard.map(|info| info.shard.to_string()),
            mutants_in_run: findings.shard.map(|info| info.mutants_in_run),
            split: findings.shard.map(|info| info.split.clone()),
            skipped: findings
                .skipped
                .iter()
                .map(|skipped| SkippedFile {
                    path: skipped.path.clone(),
                    reason: skipped.reason.clone(),
                    unparsable: skipped.unparsable,
                })
                .collect(),
        }),
        files,
    };
    let mut json = serde_json::to_vec_pretty(&report)?;
    json.push(b'\n');
    Ok(json)
}
