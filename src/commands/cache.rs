//! `git chimp cache stats|clear|prune`.

use anyhow::Result;

use crate::cache;
use crate::cache::Cache;
use crate::cache::remote::{OpenError, Remote};
use crate::cli::CacheCommand;
use crate::exit_code::{ExitCode, fatal};
use crate::git::repo::Repo;
use crate::settings::{Layers, Settings};

use super::current_dir;

/// `git chimp cache ...` with the command line's `given` settings (`--cache-dir`,
/// `--cache-url`) over the configured ones.
pub(crate) fn manage_cache(action: &CacheCommand, given: Settings) -> Result<ExitCode> {
    let cwd = current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let options = Layers::read(given, &repo, &cwd)?.options(repo.workdir(), &cwd)?;
    let cache = Cache::new(
        options
            .cache_dir
            .clone()
            .unwrap_or_else(|| crate::output::default_cache_dir(repo.workdir())),
    );
    match action {
        CacheCommand::Stats => {
            let stats = cache.stats();
            let entries: usize = stats.by_outcome.values().sum();
            println!("cache: {}", cache.dir().display());
            println!("{entries} entries, {} KiB", stats.bytes.div_ceil(1024));
            for (outcome, count) in &stats.by_outcome {
                println!("  {outcome}: {count}");
            }
            if stats.damaged > 0 {
                println!("  damaged (ignored, replaced when met): {}", stats.damaged);
            }
            if let Some((oldest, newest)) = stats.range {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                println!(
                    "oldest {} ago, newest {} ago",
                    age(now.saturating_sub(oldest)),
                    age(now.saturating_sub(newest))
                );
            }
            let (packs, bytes) = crate::cache::shared::copies(&cache);
            if packs > 0 {
                println!(
                    "  local copies of shared-cache packs: {packs} ({} KiB)",
                    bytes.div_ceil(1024)
                );
            }
            if let Some(url) = &options.cache_url {
                let remote = match Remote::open(url) {
                    Ok(remote) => remote,
                    Err(OpenError::Usage(err)) => return Err(fatal(ExitCode::Usage, err)),
                    Err(OpenError::Store(err)) => {
                        println!("{err}");
                        return Ok(ExitCode::Success);
                    }
                };
                match remote.stats() {
                    Ok(stats) => println!(
                        "shared cache: {}\n{} packs (a file's or a definition's outcomes), {} KiB",
                        remote.shown,
                        stats.objects,
                        stats.bytes.div_ceil(1024)
                    ),
                    Err(err) => println!("shared cache: {}\nnot readable: {err}", remote.shown),
                }
            }
        }
        CacheCommand::Clear => println!("removed {} entries", cache.clear()?),
        CacheCommand::Prune { older_than } => {
            let age = cache::parse_duration(older_than)
                .map_err(|err| fatal(ExitCode::Usage, format!("--older-than {err}")))?;
            let removed = cache.prune(age)?;
            let copies = crate::cache::shared::prune_copies(&cache, age);
            println!("removed {removed} entries");
            if copies > 0 {
                println!("removed {copies} local copies of shared-cache packs");
            }
        }
    }
    Ok(ExitCode::Success)
}

pub(crate) fn age(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds}s"),
        120..7200 => format!("{}m", seconds / 60),
        7200..172_800 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}
