//! What the shared cache holds: packs of local entries, so that a run asks for a few
//! objects, not one per mutant. Each mutant belongs to two packs:
//!
//! - its file's (`<prefix>/files/..`): keyed by the path, the whole file's text, the
//!   test command, the tests' Python (implementation and version, as bytecode and
//!   behaviour differ between them) and the [`TestFingerprint`]; a tree the team already swept is found
//!   in one request per file;
//! - its definition's (`<prefix>/scopes/..`): keyed by the path, the qualified name,
//!   occurrence and text of the enclosing definition, the test command and the
//!   fingerprint; after an edit, the file's pack is new but every unchanged definition's
//!   is still found.
//!
//! A run asks for the file packs of its local misses, then the definition packs of what
//! is still missing, each batch at once; the packs are kept in the local cache
//! (`shared/`), and a local copy that holds every wanted entry needs no request. A pack is `CHPK`, a count, then each entry's
//! bytes after their length: the local cache's entries, each with its own key and
//! checksum, so a damaged pack or entry is a miss and nothing else. At the end, every pack
//! that was missing, lacked one of the run's mutants or holds an outcome the run produced
//! is written again with every outcome the local cache has for its mutants: packs are
//! named by what they cover, not by their bytes, and any writer's pack is true.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::remote::Remote;
use super::{Cache, CacheKey, FORMAT_VERSION, StoredOutcome, TestFingerprint};
use crate::python::mutant::Mutant;

/// Marks an object as a pack.
const PACK_MAGIC: [u8; 4] = *b"CHPK";

/// The local cache's directory of pack copies, laid out as the shared cache names them
/// (`files/..` and `scopes/..`).
const SHARED_DIR: &str = "shared";

/// The kind of a file's pack: the first part of its name, and a part of its hash.
const FILES: &str = "files";

/// The kind of a definition's pack: the first part of its name, and a part of its hash.
const SCOPES: &str = "scopes";

/// The two packs of each mutant of a run, by its position.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    /// Each mutant's (file pack, definition pack) object names.
    names: Vec<(String, String)>,
}

impl Groups {
    /// The packs of `mutants` (of files whose text `sources` gives) under `tests`,
    /// `fingerprint` and `python` (the tests' interpreter and version: machines share
    /// packs only with the same one).
    #[must_use]
    pub(crate) fn of(
        mutants: &[Mutant],
        sources: &BTreeMap<String, String>,
        tests: &str,
        python: &str,
        fingerprint: TestFingerprint,
    ) -> Groups {
        let mut file_names: BTreeMap<&str, String> = BTreeMap::new();
        let names = mutants
            .iter()
            .map(|mutant| {
                let source = sources.get(&mutant.path).map_or("", String::as_str);
                let file = file_names
                    .entry(mutant.path.as_str())
                    .or_insert_with(|| {
                        name(FILES, |part| {
                            part(mutant.path.as_bytes());
                            part(source.as_bytes());
                            part(tests.as_bytes());
                            part(python.as_bytes());
                            part(&fingerprint.0);
                        })
                    })
                    .clone();
                let scope = name(SCOPES, |mut part| {
                    mutant.hash_scope(source, &mut part);
                    part(tests.as_bytes());
                    part(python.as_bytes());
                    part(&fingerprint.0);
                });
                (file, scope)
            })
            .collect();
        Groups { names }
    }
}

/// `<kind>/<2 hex digits>/<62 hex digits>` of the hash of `parts`.
fn name(kind: &str, parts: impl FnOnce(&mut dyn FnMut(&[u8]))) -> String {
    let mut hasher = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(&FORMAT_VERSION.to_le_bytes());
    part(kind.as_bytes());
    parts(&mut part);
    let hex = hex::encode(hasher.finalize());
    format!("{kind}/{}/{}", &hex[..2], &hex[2..])
}

/// What a look-up found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// The entries for the run's misses, by key (kept in the local cache too).
    pub(crate) entries: BTreeMap<CacheKey, StoredOutcome>,
    /// Packs, or entries in them, that did not decode.
    pub(crate) damaged: usize,
    /// How many objects were asked for.
    pub(crate) asked: usize,
    /// The packs to write at the end: missing, or lacking one of the run's mutants.
    pub(crate) stale: BTreeSet<String>,
    /// The bytes of the entries found, by key (for the packs written at the end).
    pub(crate) bytes: BTreeMap<CacheKey, Vec<u8>>,
}

/// Look up `misses` (positions, with their keys): their file packs, then the definition
/// packs of those still missing. A pack's local copy (under the local cache's `shared/`)
/// that holds every wanted entry needs no request; the others are fetched from `remote`
/// at once, and kept locally. Without `remote` (no `--cache-url` this run), the local
/// copies alone.
pub(crate) fn look_up(
    remote: Option<&Remote>,
    cache: &Cache,
    groups: &Groups,
    misses: &[(usize, &CacheKey)],
) -> Found {
    let mut found = Found::default();
    let mut left: Vec<(usize, &CacheKey)> = misses.to_vec();
    for level in [0, 1] {
        if left.is_empty() {
            break;
        }
        let pick = |position: usize| {
            let (file, scope) = &groups.names[position];
            if level == 0 { file } else { scope }
        };
        let mut needed: BTreeMap<&String, Vec<&CacheKey>> = BTreeMap::new();
        for (position, key) in &left {
            needed.entry(pick(*position)).or_default().push(key);
        }
        let mut held: BTreeMap<&String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        let mut copies = BTreeMap::new();
        let mut ask = Vec::new();
        for (pack_name, keys) in &needed {
            let copy = read_copy(cache, pack_name);
            match copy {
                Some(entries) if keys.iter().all(|key| entries.contains_key(&key.0)) => {
                    held.insert(pack_name, entries);
                }
                _ => {
                    ask.push(*pack_name);
                    copies.insert(*pack_name, copy);
                }
            }
        }
        if remote.is_some() {
            found.asked += ask.len();
        }
        let started = std::time::Instant::now();
        let fetched = match remote {
            Some(remote) => remote.fetch(&ask),
            None => vec![None; ask.len()],
        };
        tracing::debug!(
            "shared cache: {} {} packs from the local copies, {} fetched in {} ms",
            held.len(),
            if level == 0 { "file" } else { "definition" },
            ask.len(),
            started.elapsed().as_millis()
        );
        for (pack_name, bytes) in ask.into_iter().zip(fetched) {
            let unpacked = bytes.as_deref().map(unpack);
            if let (Some(bytes), Some(Some(_))) = (&bytes, &unpacked) {
                write_copy(cache, pack_name, bytes);
            } else {
                found.damaged += usize::from(matches!(unpacked, Some(None)));
                found.stale.insert(pack_name.clone());
            }
            let copy = copies.remove(pack_name).flatten();
            if let Some(entries) = unpacked.flatten().or(copy) {
                held.insert(pack_name, entries);
            }
        }
        left.retain(|(position, key)| {
            let pack_name = pick(*position);
            let Some(bytes) = held.get(pack_name).and_then(|entries| entries.get(&key.0)) else {
                found.stale.insert(pack_name.clone());
                return true;
            };
            if let Some(entry) = Cache::check(key, bytes) {
                found.entries.insert((*key).clone(), entry);
                found.bytes.insert((*key).clone(), bytes.clone());
                false
            } else {
                found.damaged += 1;
                found.stale.insert(pack_name.clone());
                true
            }
        });
    }
    found
}

/// Where the local copy of the pack `pack_name` is.
fn copy_path(cache: &Cache, pack_name: &str) -> std::path::PathBuf {
    cache.dir().join(SHARED_DIR).join(pack_name)
}

/// The entries of the pack's local copy, if there is an intact one.
fn read_copy(cache: &Cache, pack_name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
    unpack(&std::fs::read(copy_path(cache, pack_name)).ok()?)
}

/// Keep `bytes` as the pack's local copy; one that cannot be written is left out (the
/// shared cache still has it).
fn write_copy(cache: &Cache, pack_name: &str, bytes: &[u8]) {
    let path = copy_path(cache, pack_name);
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .map_err(anyhow::Error::from)
        .and_then(|()| crate::output::write_atomic(&path, bytes));
    if let Err(err) = written {
        tracing::debug!("a pack of the shared cache is not kept locally: {err:#}");
    }
}

/// Whether the local cache holds copies of shared-cache packs.
#[must_use]
pub(crate) fn has_copies(cache: &Cache) -> bool {
    cache.dir().join(SHARED_DIR).is_dir()
}

/// The files of the local copies of packs: every `<kind>/<fan>/<name>` under
/// [`SHARED_DIR`].
fn copy_files(cache: &Cache) -> impl Iterator<Item = std::fs::DirEntry> {
    let shared = cache.dir().join(SHARED_DIR);
    [FILES, SCOPES]
        .into_iter()
        .filter_map(move |kind| std::fs::read_dir(shared.join(kind)).ok())
        .flat_map(|fans| {
            fans.flatten()
                .filter_map(|fan| std::fs::read_dir(fan.path()).ok())
                .flatten()
                .flatten()
        })
}

/// Remove the local copies of packs written more than `age` ago; returns how many.
pub(crate) fn prune_copies(cache: &Cache, age: std::time::Duration) -> usize {
    let Some(cutoff) = std::time::SystemTime::now().checked_sub(age) else {
        return 0;
    };
    copy_files(cache)
        .filter(|file| {
            let old = file
                .metadata()
                .and_then(|meta| meta.modified())
                .is_ok_and(|modified| modified < cutoff);
            old && std::fs::remove_file(file.path()).is_ok()
        })
        .count()
}

/// How many packs' local copies the local cache holds, and their bytes.
#[must_use]
pub(crate) fn copies(cache: &Cache) -> (usize, u64) {
    copy_files(cache).fold((0, 0), |(count, bytes), file| {
        (
            count + 1,
            bytes + file.metadata().map_or(0, |meta| meta.len()),
        )
    })
}

/// Write the packs of `found`'s stale ones and those of the mutants at `produced`
/// positions, each with every entry known for its mutants (`keys`, by position): found
/// in the shared cache, or held by the local `cache`. Their local copies are replaced
/// too. Returns how many packs were written and how many were due.
pub(crate) fn upload(
    remote: &Remote,
    cache: &Cache,
    groups: &Groups,
    keys: &[Option<&CacheKey>],
    found: &Found,
    produced: &[usize],
) -> (usize, usize) {
    let stale = &found.stale;
    let mut due: BTreeSet<&String> = stale.iter().collect();
    for &position in produced {
        let (file, scope) = &groups.names[position];
        due.insert(file);
        due.insert(scope);
    }
    let mut members: BTreeMap<&String, Vec<&CacheKey>> = BTreeMap::new();
    for (position, key) in keys.iter().enumerate() {
        let Some(key) = key else { continue };
        let (file, scope) = &groups.names[position];
        for pack_name in [file, scope] {
            if due.contains(pack_name) {
                members.entry(pack_name).or_default().push(key);
            }
        }
    }
    let packs: Vec<(String, Vec<u8>)> = members
        .into_iter()
        .filter_map(|(pack_name, keys)| {
            let entries: Vec<Vec<u8>> = keys
                .iter()
                .filter_map(|key| {
                    cache
                        .get_bytes(key)
                        .or_else(|| found.bytes.get(*key).cloned())
                })
                .collect();
            (!entries.is_empty()).then(|| (pack_name.clone(), pack(&entries)))
        })
        .collect();
    for (pack_name, bytes) in &packs {
        write_copy(cache, pack_name, bytes);
    }
    let count = packs.len();
    (remote.upload(packs), count)
}

/// A pack of `entries`.
fn pack(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = PACK_MAGIC.to_vec();
    bytes.extend_from_slice(
        &u32::try_from(entries.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    for entry in entries {
        bytes.extend_from_slice(&u32::try_from(entry.len()).unwrap_or(u32::MAX).to_le_bytes());
        bytes.extend_from_slice(entry);
    }
    bytes
}

/// The entries of a pack by the key each holds; `None` when `bytes` are not a pack.
fn unpack(bytes: &[u8]) -> Option<BTreeMap<String, Vec<u8>>> {
    let rest = bytes.strip_prefix(&PACK_MAGIC)?;
    let (count, mut rest) = rest.split_first_chunk::<4>()?;
    let mut entries = BTreeMap::new();
    for _ in 0..u32::from_le_bytes(*count) {
        let (len, after) = rest.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        let (entry, after) = after.split_at_checked(len)?;
        // An entry that does not decode is kept under no key: a miss.
        if let Some(decoded) = super::decode(entry) {
            entries.insert(decoded.key.clone(), entry.to_vec());
        }
        rest = after;
    }
    rest.is_empty().then_some(entries)
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::outcome::Outcome;
    use std::time::Duration;

    #[test]
    fn a_pack_round_trips_and_a_damaged_one_is_no_pack() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let keys = [CacheKey("ab".repeat(32)), CacheKey("cd".repeat(32))];
        for key in &keys {
            cache
                .put(key, Outcome::Killed, Duration::ZERO, Duration::ZERO)
                .unwrap();
        }
        let entries: Vec<Vec<u8>> = keys
            .iter()
            .map(|key| cache.get_bytes(key).unwrap())
            .collect();
        let packed = pack(&entries);
        let unpacked = unpack(&packed).unwrap();
        assert_eq!(unpacked.len(), 2);
        assert_eq!(unpacked[&keys[0].0], entries[0]);
        assert!(unpack(&packed[..packed.len() - 1]).is_none(), "truncated");
        assert!(unpack(b"CHPK").is_none());
        assert!(unpack(b"garbage").is_none());
        let mut flipped = packed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            unpack(&flipped).unwrap().len(),
            1,
            "a damaged entry is left out"
        );
    }
}
