//! `.chimp/report.json` in the mutation-testing-elements schema, version 2 (the format
//! Stryker and others read): files with their source and mutants, each with its id,
//! operator, replacement, 1-based location, status and duration in milliseconds.
//! Mutants an interrupted run did not reach are `Pending`. A `--shard` run notes its
//! share and the whole run's mutant count under `config`, for `git chimp merge`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::mutant::Mutant;
use crate::outcome::MutantResult;
use crate::output::write_atomic;
use crate::python::span::LineCol;
use crate::report::Findings;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    schema_version: &'static str,
    thresholds: Thresholds,
    project_root: String,
    framework: Framework,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<RunConfig>,
    files: BTreeMap<&'a str, FileReport<'a>>,
}

/// git-chimp's own fields (the schema leaves `config` free-form).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunConfig {
    /// `K/N`.
    shard: String,
    /// How many mutants all the shards have together.
    mutants_in_run: usize,
}

#[derive(Serialize)]
struct Thresholds {
    high: u32,
    low: u32,
}

#[derive(Serialize)]
struct Framework {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct FileReport<'a> {
    language: &'static str,
    source: &'a str,
    mutants: Vec<MutantReport<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MutantReport<'a> {
    id: &'a str,
    mutator_name: &'static str,
    replacement: &'a str,
    description: String,
    location: Location,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    killed_by: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    covered_by: Option<&'a [String]>,
}

#[derive(Serialize)]
struct Location {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

impl From<LineCol> for Position {
    fn from(at: LineCol) -> Self {
        Self {
            line: at.line,
            column: at.column,
        }
    }
}

fn mutant_report<'a>(mutant: &'a Mutant, result: Option<&'a MutantResult>) -> MutantReport<'a> {
    MutantReport {
        id: &mutant.id.0,
        mutator_name: mutant.operator.name(),
        replacement: &mutant.replacement,
        description: mutant.describe(),
        location: Location {
            start: mutant.start.into(),
            end: mutant.end.into(),
        },
        status: result.map_or("Pending", |result| result.outcome.schema_status()),
        status_reason: result.and_then(|result| result.detail.as_deref()),
        duration: result
            .map(|result| u64::try_from(result.duration.as_millis()).unwrap_or(u64::MAX)),
        killed_by: result
            .and_then(|result| result.killed_by.as_deref())
            .map(|test| [test]),
        covered_by: result
            .filter(|result| result.ran_by.in_worker())
            .map(|result| result.covered_by.as_slice()),
    }
}

/// Write the report of `findings` to `path`.
///
/// # Errors
/// When the file cannot be written.
pub(crate) fn write_report(path: &Path, findings: &Findings<'_>) -> Result<()> {
    let mut files: BTreeMap<&str, FileReport<'_>> = BTreeMap::new();
    for (mutant, result) in findings.entries() {
        files
            .entry(&mutant.path)
            .or_insert_with(|| FileReport {
                language: "python",
                source: findings.source(&mutant.path),
                mutants: Vec::new(),
            })
            .mutants
            .push(mutant_report(mutant, result));
    }
    let report = Report {
        schema_version: "2",
        thresholds: Thresholds { high: 80, low: 60 },
        project_root: findings.root.display().to_string(),
        framework: Framework {
            name: "git-chimp",
            version: env!("CARGO_PKG_VERSION"),
        },
        config: findings.shard.map(|(shard, total)| RunConfig {
            shard: shard.to_string(),
            mutants_in_run: total,
        }),
        files,
    };
    let mut json = serde_json::to_vec_pretty(&report)?;
    json.push(b'\n');
    write_atomic(path, &json)
}
