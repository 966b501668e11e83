//! The outcome cache: never run the same mutant against the same code and tests twice.
//!
//! One bincode file per key under the cache directory (`.chimp/cache/` or `--cache-dir`),
//! fanned out by the key's first two hex digits, written atomically (a temporary file in
//! the same directory, then a rename), so concurrent runs and crashes never leave a torn
//! entry. Each entry holds its own key and ends with a SHA-256 checksum of the rest: an
//! entry that is truncated, corrupt (one flipped bit), copied over another key's file or
//! from another format is a miss, and the next outcome for its key replaces it; `git chimp
//! cache stats` counts such entries as damaged.
//!
//! A shared second level in an object store ([`remote`], `--cache-url`) holds the same
//! bytes under the same names.
//!
//! The key is SHA-256 over, in order: the cache format version; the file's path; the
//! qualified name, the occurrence among identical twins and the source text of the
//! mutant's enclosing definition (function, method or class; the statement for
//! module-level code), not its line number; the mutation (operator, byte
//! offset within that definition, replacement); the test command; and the
//! [`TestFingerprint`]. So editing one function re-runs only its mutants, inserting lines
//! above code re-runs nothing, and editing any test file re-runs everything.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use bincode::{Decode, Encode};
use sha2::{Digest, Sha256};

pub(crate) mod durations;
pub(crate) mod remote;
pub(crate) mod shared;

use crate::outcome::Outcome;
use crate::output::{cannot_write, write_atomic};
use crate::python::mutant::Mutant;

/// Bumped whenever the key changes meaning (every key changes with it). 2: the scope's
/// qualified name and occurrence (twin definitions had one key), and equivalent mutants
/// (outcomes cached before the check existed are not reused).
pub(crate) const FORMAT_VERSION: u32 = 2;

/// Bumped whenever the entry's layout changes (keys stay valid: older entries are misses
/// and are replaced). 2: the key and a checksum in each entry.
const ENTRY_FORMAT: u32 = 2;

/// Bytes of the checksum that ends every entry.
const CHECKSUM_LEN: usize = 32;

/// Marks a file as a git-chimp cache entry.
const MAGIC: [u8; 4] = *b"CHMP";

/// A hash of everything that steers the tests: every test file and every test
/// configuration file of the tested state, by path and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TestFingerprint(pub [u8; 32]);

impl TestFingerprint {
    /// The fingerprint of `files` (path and content each), in the order given (sorted by
    /// the caller).
    #[must_use]
    pub(crate) fn of<'a>(files: impl IntoIterator<Item = (&'a str, Vec<u8>)>) -> Self {
        let mut hasher = Sha256::new();
        for (path, content) in files {
            hasher.update(path.as_bytes());
            hasher.update([0]);
            hasher.update((content.len() as u64).to_le_bytes());
            hasher.update(&content);
        }
        Self(hasher.finalize().into())
    }
}

/// The cache key of one mutant: 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CacheKey(String);

impl CacheKey {
    /// The 64 hex digits.
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The key of `mutant` of a file whose text is `source`.
    #[must_use]
    pub(crate) fn new(
        mutant: &Mutant,
        source: &str,
        tests: &str,
        fingerprint: TestFingerprint,
    ) -> Self {
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        part(&FORMAT_VERSION.to_le_bytes());
        mutant.hash_in_scope(source, &mut part);
        part(tests.as_bytes());
        part(&fingerprint.0);
        Self(hex::encode(hasher.finalize()))
    }
}

/// One stored outcome: what a cache file holds (its bytes end with a checksum of this).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub(crate) struct StoredOutcome {
    magic: [u8; 4],
    format: u32,
    /// The key it was stored under (hex).
    key: String,
    /// The outcome, as [`outcome_code`] encodes it.
    outcome: u8,
    /// How long the test run took, in milliseconds.
    pub duration_ms: u64,
    /// The timeout the run had, in milliseconds (a timeout is only reused under the same
    /// or a shorter limit).
    pub timeout_ms: u64,
    /// The git-chimp version that recorded it.
    pub version: String,
    /// When it was recorded, in seconds since the Unix epoch.
    pub recorded: u64,
}

/// The code of `outcome` in an entry: the one table of the codes (read back by
/// [`StoredOutcome::outcome`]); `None` for an outcome that is not cached.
fn outcome_code(outcome: Outcome) -> Option<u8> {
    match outcome {
        Outcome::Killed => Some(1),
        Outcome::Timeout => Some(2),
        Outcome::Survived => Some(3),
        Outcome::Uncovered => Some(4),
        Outcome::Equivalent => Some(5),
        // Acceptance is the team's file's to say, on every run; a mutant the budget left
        // out has no outcome; a type error is the checker's, which the key leaves out
        // (a run without --type-check must run that mutant's tests).
        Outcome::Accepted | Outcome::Error | Outcome::NotRun | Outcome::TypeError => None,
    }
}

impl StoredOutcome {
    /// The stored outcome.
    #[must_use]
    pub(crate) fn outcome(&self) -> Option<Outcome> {
        Outcome::ALL
            .iter()
            .copied()
            .find(|&outcome| outcome_code(outcome) == Some(self.outcome))
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The store.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: PathBuf,
}

/// Totals of the store, for `git chimp cache stats`.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Readable entries per outcome name.
    pub by_outcome: BTreeMap<&'static str, usize>,
    /// Files that are not readable entries.
    pub damaged: usize,
    /// Bytes on disk.
    pub bytes: u64,
    /// Oldest and newest recording times (Unix seconds).
    pub range: Option<(u64, u64)>,
}

impl Cache {
    /// The store in `dir` (created when something is written).
    #[must_use]
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Its directory.
    #[must_use]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(&key.0[..2]).join(&key.0[2..])
    }

    /// The stored entry for `key`, if there is an intact one stored for this key.
    #[must_use]
    pub(crate) fn get(&self, key: &CacheKey) -> Option<StoredOutcome> {
        Self::check(key, &fs::read(self.path(key)).ok()?)
    }

    /// The stored bytes for `key`, when they are an intact entry of this key (what the
    /// shared cache is given).
    #[must_use]
    pub(crate) fn get_bytes(&self, key: &CacheKey) -> Option<Vec<u8>> {
        let bytes = fs::read(self.path(key)).ok()?;
        Self::check(key, &bytes).map(|_| bytes)
    }

    /// The entry `bytes` (a file of this cache, or from the shared cache) hold for `key`;
    /// `None` when they are not an intact entry of this key.
    #[must_use]
    pub(crate) fn check(key: &CacheKey, bytes: &[u8]) -> Option<StoredOutcome> {
        decode(bytes).filter(|entry| entry.key == key.0)
    }

    /// Store an outcome: killed, timeout, survived, uncovered or equivalent (those
    /// [`outcome_code`] has a code for); others are not cached.
    ///
    /// # Errors
    /// When the entry cannot be written.
    pub(crate) fn put(
        &self,
        key: &CacheKey,
        outcome: Outcome,
        duration: Duration,
        timeout: Duration,
    ) -> Result<()> {
        let Some(code) = outcome_code(outcome) else {
            return Ok(());
        };
        let entry = StoredOutcome {
            magic: MAGIC,
            format: ENTRY_FORMAT,
            key: key.0.clone(),
            outcome: code,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            recorded: now_secs(),
        };
        let mut bytes = bincode::encode_to_vec(&entry, bincode::config::standard())
            .context("encoding a cache entry")?;
        let checksum: [u8; CHECKSUM_LEN] = Sha256::digest(&bytes).into();
        bytes.extend_from_slice(&checksum);
        let path = self.path(key);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        write_atomic(&path, &bytes)
    }

    fn entries(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let Ok(fans) = fs::read_dir(&self.dir) else {
            return out;
        };
        // Entries fan out by two hex digits; `shared/` and `maps/` hold other things.
        let is_fan = |name: &str| name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit());
        for fan in fans.flatten() {
            if !fan.file_name().to_str().is_some_and(is_fan) {
                continue;
            }
            if let Ok(files) = fs::read_dir(fan.path()) {
                out.extend(
                    files
                        .flatten()
                        .map(|file| file.path())
                        .filter(|path| path.is_file()),
                );
            }
        }
        out
    }

    /// Count the store's entries.
    #[must_use]
    pub(crate) fn stats(&self) -> Stats {
        let mut stats = Stats::default();
        for path in self.entries() {
            stats.bytes += fs::metadata(&path).map_or(0, |meta| meta.len());
            match fs::read(&path)
                .ok()
                .and_then(|bytes| decode_at(&path, &bytes))
            {
                Some(entry) => {
                    let name = entry.outcome().map_or("?", Outcome::name);
                    *stats.by_outcome.entry(name).or_insert(0) += 1;
                    let (low, high) = stats.range.unwrap_or((entry.recorded, entry.recorded));
                    stats.range = Some((low.min(entry.recorded), high.max(entry.recorded)));
                }
                None => stats.damaged += 1,
            }
        }
        stats
    }

    /// Remove every entry; return how many files were removed.
    ///
    /// # Errors
    /// When the directory cannot be removed.
    pub(crate) fn clear(&self) -> Result<usize> {
        let count = self.entries().len();
        if self.dir.exists() {
            fs::remove_dir_all(&self.dir)
                .map_err(|err| cannot_write(&self.dir, "removing the cache", &err))?;
        }
        Ok(count)
    }

    /// Remove entries recorded more than `age` ago, and damaged ones; return how many.
    ///
    /// # Errors
    /// When an entry cannot be removed.
    pub(crate) fn prune(&self, age: Duration) -> Result<usize> {
        let cutoff = now_secs().saturating_sub(age.as_secs());
        let mut removed = 0;
        for path in self.entries() {
            let keep = fs::read(&path)
                .ok()
                .and_then(|bytes| decode_at(&path, &bytes))
                .is_some_and(|entry| entry.recorded >= cutoff);
            if !keep {
                fs::remove_file(&path)
                    .map_err(|err| cannot_write(&path, "removing the cache entry", &err))?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The entry `bytes` hold when they are intact: the checksum matches, and the magic,
/// format and outcome are known.
fn decode(bytes: &[u8]) -> Option<StoredOutcome> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(CHECKSUM_LEN)?)?;
    if Sha256::digest(body).as_slice() != checksum {
        return None;
    }
    let (entry, used): (StoredOutcome, usize) =
        bincode::decode_from_slice(body, bincode::config::standard()).ok()?;
    (used == body.len()
        && entry.magic == MAGIC
        && entry.format == ENTRY_FORMAT
        && entry.outcome().is_some())
    .then_some(entry)
}

/// [`decode`] for the file at `path`, which must be where its key puts it.
fn decode_at(path: &Path, bytes: &[u8]) -> Option<StoredOutcome> {
    let name = path.file_name()?.to_str()?;
    let fan = path.parent()?.file_name()?.to_str()?;
    decode(bytes).filter(|entry| entry.key.len() == 64 && entry.key == format!("{fan}{name}"))
}

/// Parse a duration such as `30d`, `12h`, `90m`, `45s`, `2w` or `1h 30m` (humantime's
/// syntax); a bare number is days.
///
/// # Errors
/// A message naming the value when it is not one.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let days;
    let spelled = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        days = format!("{text}d");
        &days
    } else {
        text
    };
    humantime::parse_duration(spelled)
        .map_err(|err| format!("`{text}`: {err} (a duration such as 30d, 12h, 90m or 2w)"))
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn entries_round_trip_and_damage_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("cache"));
        let key = CacheKey("ab".repeat(32));
        assert!(cache.get(&key).is_none());
        cache
            .put(
                &key,
                Outcome::Survived,
                Duration::from_millis(1500),
                Duration::from_secs(9),
            )
            .unwrap();
        let entry = cache.get(&key).unwrap();
        assert_eq!(entry.outcome(), Some(Outcome::Survived));
        assert_eq!((entry.duration_ms, entry.timeout_ms), (1500, 9000));
        let path = cache.path(&key);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(cache.get(&key).is_none(), "truncated");
        fs::write(&path, b"not an entry at all").unwrap();
        assert!(cache.get(&key).is_none(), "foreign");
        assert_eq!(cache.stats().damaged, 1);
        // Every single flipped bit is a miss, never another outcome.
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            fs::write(&path, &flipped).unwrap();
            assert!(cache.get(&key).is_none(), "bit {bit} flipped");
        }
        // Another key's entry copied over this key's file is a miss too.
        let other = CacheKey("cd".repeat(32));
        cache
            .put(
                &other,
                Outcome::Killed,
                Duration::ZERO,
                Duration::from_secs(9),
            )
            .unwrap();
        fs::copy(cache.path(&other), &path).unwrap();
        assert!(cache.get(&key).is_none(), "copied from another key");
        assert_eq!(cache.get(&other).unwrap().outcome(), Some(Outcome::Killed));
        assert_eq!(cache.stats().damaged, 1);
        cache
            .put(&key, Outcome::Error, Duration::ZERO, Duration::ZERO)
            .unwrap();
        assert!(cache.get(&key).is_none(), "errors are not cached");
    }

    #[test]
    fn each_cached_outcome_has_its_own_code_and_reads_back() {
        let mut codes = std::collections::BTreeSet::new();
        for &outcome in Outcome::ALL {
            let Some(code) = outcome_code(outcome) else {
                continue;
            };
            assert!(codes.insert(code), "{outcome:?} shares code {code}");
            let entry = StoredOutcome {
                magic: MAGIC,
                format: ENTRY_FORMAT,
                key: String::new(),
                outcome: code,
                duration_ms: 0,
                timeout_ms: 0,
                version: String::new(),
                recorded: 0,
            };
            assert_eq!(entry.outcome(), Some(outcome));
        }
        assert_eq!(codes.len(), 5);
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("30d"), Ok(Duration::from_hours(30 * 24)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_mins(90)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_mins(90)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_hours(14 * 24)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_hours(30 * 24)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("3 fortnights").is_err());
    }
}
