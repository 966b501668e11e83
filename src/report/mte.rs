//! The mutation-testing-elements report (schema version 2), the one model of
//! `.chimp/report.json`: [`json`](super::json) writes it and [`merge`](super::merge)
//! reads it back. Fields the schema requires but `merge` does not need (thresholds, the
//! framework, the project root, descriptions) default when read, so a report trimmed by
//! hand, or written by another version, still merges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole report.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Report {
    #[serde(default)]
    pub(crate) schema_version: String,
    #[serde(default)]
    pub(crate) thresholds: Thresholds,
    #[serde(default)]
    pub(crate) project_root: String,
    #[serde(default)]
    pub(crate) framework: Framework,
    /// git-chimp's own fields (the schema leaves `config` free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) config: Option<RunConfig>,
    /// Each file with mutants, by repository-relative path.
    pub(crate) files: BTreeMap<String, FileReport>,
}

/// git-chimp's run facts, under the schema's free-form `config`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunConfig {
    /// `K/N` of a `--shard` run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) shard: Option<String>,
    /// How many mutants all the shards have together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mutants_in_run: Option<usize>,
    /// How the shards were split: `position`, or `cost:` and a hash of the shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) split: Option<String>,
    /// The selected files that were not mutated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) skipped: Vec<SkippedFile>,
}

/// A selected file that was not mutated, and why.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SkippedFile {
    pub(crate) path: String,
    pub(crate) reason: String,
    /// Whether Python would reject it too (it does not parse or decode).
    #[serde(default)]
    pub(crate) unparsable: bool,
}

/// The score bands a viewer colours by.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Thresholds {
    pub(crate) high: u32,
    pub(crate) low: u32,
}

/// The tool that wrote the report.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Framework {
    pub(crate) name: String,
    pub(crate) version: String,
}

/// One file: its source and mutants.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FileReport {
    #[serde(default)]
    pub(crate) language: String,
    pub(crate) source: String,
    pub(crate) mutants: Vec<MutantReport>,
}

/// One mutant and its outcome.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MutantReport {
    pub(crate) id: String,
    pub(crate) mutator_name: String,
    pub(crate) replacement: String,
    #[serde(default)]
    pub(crate) description: String,
    pub(crate) location: Location,
    /// `Killed`, `Survived`, ..., or `Pending` for one a run did not reach.
    pub(crate) status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status_reason: Option<String>,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) killed_by: Option<Vec<String>>,
    /// The tests that reach the mutant, when the worker ran it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) covered_by: Option<Vec<String>>,
}

/// Where a mutant is: 1-based lines and columns.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Location {
    pub(crate) start: Position,
    pub(crate) end: Position,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}
