//! The line map: which tests reached which lines in the last traced baseline, kept in
//! the cache so that a `--since` run traces only what its change can have moved
//! (README, "Incremental runs").
//!
//! A map is stored per test command, current directory and Python (one file under the
//! cache's `maps/`), with the text of every file the worker traced and a hash of every
//! other Python file, test configuration file and generated file. A later run reuses it
//! when every difference lies inside function bodies (not a signature, decorator,
//! default or docstring, which run or show at import) or in test modules: the tests that
//! reached a changed function, and those of a changed test module, are traced again, in
//! the collection's order; the other tests' records move with the lines around the
//! change. Anything else (a module-level line, a `conftest.py`, a configuration file, a
//! file added or removed) traces every test, as without a map. The worker checks each
//! survivor against every test (`warm.py`), so a test whose path a change moved without
//! reaching the changed code is still met. How the lines of a changed file moved, and
//! whether its changes stay inside function bodies, is [`moves`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

mod moves;

use moves::{Moves, move_record};

/// Bumped whenever the stored layout or the records' meaning changes.
const MAP_FORMAT: u32 = 1;

/// A traced baseline, as the next run may reuse it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LineMap {
    format: u32,
    /// The state's files when it was traced.
    pub(crate) snapshot: Snapshot,
    /// The worker's records (`warm.py`), lines numbered as `snapshot.traced` is.
    pub(crate) records: Value,
    /// Each test's `[id, seconds, fixture seconds]`, untraced.
    pub(crate) durations: Option<Value>,
    /// Seconds the whole test command took from scratch.
    pub(crate) plain_seconds: f64,
    /// Whether that run went through the fresh worker (else the test command).
    pub(crate) fresh_passed: bool,
}

/// What a map depends on in the tested state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// The files the worker traces, in its numbering, with their text.
    pub(crate) traced: Vec<(String, String)>,
    /// SHA-256 (hex) of every other Python file, test configuration and generated file.
    pub(crate) others: BTreeMap<String, String>,
}

/// Where a run keeps its map, and whether it may use the one there.
#[derive(Debug, Clone)]
pub(crate) struct MapSlot {
    /// The map's file ([`map_path`]).
    pub path: PathBuf,
    /// Whether this run traces only what changed since the map (`--since`).
    pub incremental: bool,
}

/// What a run takes from an earlier run's map.
#[derive(Debug)]
pub(crate) struct Reuse {
    /// The records of the tests that need no new trace, moved to the current lines.
    pub(crate) records: Value,
    /// Seconds the whole test command took from scratch then.
    pub(crate) plain_seconds: f64,
    /// Whether the fresh worker passed then.
    pub(crate) fresh_passed: bool,
    /// How many of the earlier run's tests are traced again.
    pub(crate) retraced: usize,
    /// The earlier run's untraced `[id, seconds, fixture seconds]` of each test.
    pub(crate) durations: Option<Value>,
}

/// Where the map of `tests` run from `cwd_prefix` with `python` lives under `cache_dir`.
#[must_use]
pub(crate) fn map_path(cache_dir: &Path, tests: &str, cwd_prefix: &str, python: &str) -> PathBuf {
    let mut hasher = Sha256::new();
    for part in [tests, cwd_prefix, python] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.update(MAP_FORMAT.to_le_bytes());
    cache_dir
        .join("maps")
        .join(format!("{}.json", hex::encode(hasher.finalize())))
}

impl Snapshot {
    /// The snapshot of a sandbox at `root`: `traced` (the worker's files, in its order)
    /// read, and every other Python file, test configuration and `generated` file of
    /// `files` hashed.
    ///
    /// # Errors
    /// When a traced file cannot be read.
    #[expect(
        clippy::case_sensitive_file_extension_comparisons,
        reason = "Python imports modules from lowercase `.py` files only"
    )]
    pub(crate) fn of(
        root: &Path,
        traced: &[&String],
        files: &[String],
        generated: &[String],
    ) -> Result<Self> {
        let traced_set: BTreeSet<&str> = traced.iter().map(|path| path.as_str()).collect();
        let traced = traced
            .iter()
            .map(|path| {
                let text = std::fs::read(root.join(path))
                    .with_context(|| format!("reading {path} in the sandbox"))?;
                Ok(((*path).clone(), String::from_utf8_lossy(&text).into_owned()))
            })
            .collect::<Result<_>>()?;
        let mut others = BTreeMap::new();
        let wanted = files
            .iter()
            .filter(|path| {
                !traced_set.contains(path.as_str())
                    && (path.ends_with(".py")
                        || crate::python::select::is_test_config(path)
                        || path.ends_with(".pth"))
            })
            .chain(generated);
        for path in wanted {
            let bytes = std::fs::read(root.join(path)).unwrap_or_default();
            others.insert(path.clone(), hex::encode(Sha256::digest(&bytes)));
        }
        Ok(Self { traced, others })
    }
}

impl LineMap {
    /// A map of this run's traced baseline.
    #[must_use]
    pub(crate) fn new(
        snapshot: Snapshot,
        records: Value,
        durations: Option<Value>,
        plain_seconds: f64,
        fresh_passed: bool,
    ) -> Self {
        Self {
            format: MAP_FORMAT,
            snapshot,
            records,
            durations,
            plain_seconds,
            fresh_passed,
        }
    }

    /// The map stored at `path`; `None` when there is none or it is unreadable.
    #[must_use]
    pub(crate) fn load(path: &Path) -> Option<Self> {
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice::<Self>(&bytes)
            .ok()
            .filter(|map| map.format == MAP_FORMAT)
    }

    /// Store the map at `path` (atomically).
    ///
    /// # Errors
    /// When it cannot be written.
    pub(crate) fn store(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let bytes = serde_json::to_vec(self).context("encoding the line map")?;
        crate::output::write_atomic(path, &bytes)
    }

    /// What a run on `now` can take from this map, or why it must trace every test.
    ///
    /// # Errors
    /// Why not, in a phrase.
    pub(crate) fn reuse(&self, now: &Snapshot) -> Result<Reuse, String> {
        let paths = |snapshot: &Snapshot| -> Vec<String> {
            snapshot
                .traced
                .iter()
                .map(|(path, _)| path.clone())
                .collect()
        };
        if paths(&self.snapshot) != paths(now) {
            return Err("the files under mutation are not the same".into());
        }
        let records = self.records.as_array().ok_or("the map has no records")?;
        let holds_tests = |path: &str| {
            records
                .iter()
                .any(|record| test_file_of(record["id"].as_str().unwrap_or_default(), path))
        };
        let mut changed_modules = Vec::new();
        for path in self.snapshot.others.keys().chain(now.others.keys()) {
            if self.snapshot.others.get(path) == now.others.get(path) {
                continue;
            }
            // A test module holds tests (a helper others import, however named, does
            // not); a new one holds only new tests.
            let new = !self.snapshot.others.contains_key(path);
            if !is_test_module(path) || !(new || holds_tests(path)) {
                return Err(format!("{path} changed"));
            }
            // Its tests (a new module's are new to the map too) are traced again.
            changed_modules.push(path.as_str());
        }
        let mut files = Vec::new();
        for ((path, old), (_, new)) in self.snapshot.traced.iter().zip(&now.traced) {
            files.push(if old == new {
                Moves::default()
            } else {
                Moves::between(old, new).map_err(|why| format!("{path}: {why}"))?
            });
        }
        let mut kept = Vec::new();
        let mut retraced = 0;
        for record in records {
            let id = record["id"].as_str().unwrap_or_default();
            let moved = if changed_modules.iter().any(|path| test_file_of(id, path)) {
                None
            } else {
                move_record(record, &files)
            };
            match moved {
                Some(record) => kept.push(record),
                None => retraced += 1,
            }
        }
        Ok(Reuse {
            records: Value::Array(kept),
            plain_seconds: self.plain_seconds,
            fresh_passed: self.fresh_passed,
            retraced,
            durations: self.durations.clone(),
        })
    }
}

/// Whether `path` is a test module by pytest's default names (`test_*.py`, `*_test.py`).
#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "pytest's default patterns are case-sensitive"
)]
fn is_test_module(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name.starts_with("test_") && name.ends_with(".py")) || name.ends_with("_test.py")
}

/// Whether the test `id` (`tests/test_a.py::test_b`, relative to pytest's root) is in
/// the repository's file `path`.
fn test_file_of(id: &str, path: &str) -> bool {
    let file = id.split("::").next().unwrap_or_default();
    !file.is_empty() && (path == file || path.ends_with(&format!("/{file}")))
}

#[cfg(test)]
mod test {
    use super::*;

    const OLD: &str = "\
import os


def first(x):
    \"\"\"Doc.\"\"\"
    y = x + 1
    return y


class Box:
    size = 3

    def grow(self, by=1):
        self.size += by
        return self.size


def last():
    return os.sep
";

    fn snapshot(text: &str) -> Snapshot {
        Snapshot {
            traced: vec![("pkg/mod.py".into(), text.into())],
            others: BTreeMap::from([("tests/test_mod.py".into(), "aa".into())]),
        }
    }

    fn map() -> LineMap {
        let records = serde_json::json!([
            {"id": "tests/test_mod.py::test_first", "lines": {"0": [6, 7]},
             "calls": [[0, 4, "first"]]},
            {"id": "tests/test_mod.py::test_grow", "lines": {"0": [14, 15]},
             "calls": [[0, 13, "grow"]]},
            {"id": "tests/test_mod.py::test_last", "lines": {"0": [19]},
             "calls": [[0, 18, "last"]], "untraced": [[0, 18, "last"]]},
        ]);
        LineMap::new(snapshot(OLD), records, None, 1.0, true)
    }

    fn ids(reuse: &Reuse) -> Vec<&str> {
        reuse
            .records
            .as_array()
            .unwrap()
            .iter()
            .map(|record| record["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_body_change_retraces_the_tests_that_reached_it_and_moves_the_others() {
        let new = OLD.replace("    y = x + 1\n", "    y = x + 1\n    y *= 2\n    y -= 1\n");
        let reuse = map().reuse(&snapshot(&new)).unwrap();
        assert_eq!(reuse.retraced, 1);
        assert_eq!(
            ids(&reuse),
            [
                "tests/test_mod.py::test_grow",
                "tests/test_mod.py::test_last"
            ]
        );
        let records = reuse.records.as_array().unwrap();
        assert_eq!(records[0]["lines"]["0"], serde_json::json!([16, 17]));
        assert_eq!(records[0]["calls"], serde_json::json!([[0, 15, "grow"]]));
        assert_eq!(records[1]["untraced"], serde_json::json!([[0, 20, "last"]]));
        // A method's body.
        let new = OLD.replace(
            "        return self.size\n",
            "        return self.size + 0\n",
        );
        let reuse = map().reuse(&snapshot(&new)).unwrap();
        assert_eq!(
            ids(&reuse),
            [
                "tests/test_mod.py::test_first",
                "tests/test_mod.py::test_last"
            ]
        );
        // Nothing changed: every record stays.
        assert_eq!(map().reuse(&snapshot(OLD)).unwrap().retraced, 0);
    }

    #[test]
    fn changes_that_run_at_import_trace_every_test() {
        for (from, to) in [
            ("def grow(self, by=1):", "def grow(self, by=2):"),
            ("    size = 3\n", "    size = 4\n"),
            ("\"\"\"Doc.\"\"\"", "\"\"\"Docs.\"\"\""),
            ("import os\n", "import os\nimport sys\n"),
            ("def last():\n", "@staticmethod\ndef last():\n"),
        ] {
            let new = OLD.replace(from, to);
            assert_ne!(new, OLD);
            let why = map().reuse(&snapshot(&new)).unwrap_err();
            assert!(why.contains("outside a function body"), "{from}: {why}");
        }
    }

    #[test]
    fn a_changed_test_module_retraces_its_tests_and_any_other_file_every_test() {
        let mut now = snapshot(OLD);
        now.others.insert("tests/test_mod.py".into(), "bb".into());
        assert_eq!(map().reuse(&now).unwrap().retraced, 3);
        // A new test module: its tests are new, nothing else changes.
        let mut now = snapshot(OLD);
        now.others.insert("tests/test_new.py".into(), "dd".into());
        assert_eq!(map().reuse(&now).unwrap().retraced, 0);
        // A test-named module without tests of its own is a helper: every test.
        let mut helper = map();
        helper
            .snapshot
            .others
            .insert("tests/test_helpers.py".into(), "ee".into());
        let mut now = snapshot(OLD);
        now.others
            .insert("tests/test_helpers.py".into(), "ff".into());
        assert_eq!(
            helper.reuse(&now).unwrap_err(),
            "tests/test_helpers.py changed"
        );
        let mut now = snapshot(OLD);
        now.others.insert("tests/conftest.py".into(), "cc".into());
        assert_eq!(map().reuse(&now).unwrap_err(), "tests/conftest.py changed");
        let mut now = snapshot(OLD);
        now.traced.push(("pkg/new.py".into(), String::new()));
        assert!(map().reuse(&now).is_err());
    }
}
