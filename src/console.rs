//! The console: every status and warning line goes through `tracing` and this one layer,
//! which writes `git-chimp: <message>` to stderr (through the progress bar when one is
//! drawn, so lines never break it). `CHIMP_LOG` (`debug`, `git_chimp=trace`, ... in
//! `tracing-subscriber`'s filter syntax) shows more than the default `info`. Every run
//! that has a `.chimp/` also keeps `.chimp/debug.log`: the same events and the debug ones,
//! with times, rewritten each run, for a bug report (beside `logs/`, which holds only the
//! test runs' logs).
//!
//! [`Progress`]: done/total, killed and survived so far, elapsed time and ETA. A bar when
//! stderr is a terminal; otherwise a line every 10%.

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};

/// What the terminal shows without `CHIMP_LOG`: git-chimp's status lines, others' warnings.
const DEFAULT_FILTER: &str = "warn,git_chimp=info";
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

use crate::outcome::{MutantResult, Outcome};

/// The progress bar being drawn, if any: status lines are printed above it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// The run's debug log: held in memory until its `.chimp/` is known, then a file.
static DEBUG_LOG: Mutex<Sink> = Mutex::new(Sink::Held(Vec::new()));

/// Where debug log lines go.
enum Sink {
    /// Lines written before [`log_to`] (at most [`HELD`] bytes of them).
    Held(Vec<u8>),
    /// The log file.
    File(File),
}

/// The most the debug log holds in memory before it has a file.
const HELD: usize = 1 << 20;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Install the console (and the debug log's layer) as the process's subscriber. A
/// `CHIMP_LOG` that is not a valid filter is a warning (a stray variable must not stop a
/// push), and the default applies.
pub fn init() {
    let mut bad = None;
    let filter = match std::env::var("CHIMP_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::builder()
            .with_default_directive(LevelFilter::INFO.into())
            .parse(&spec)
            .unwrap_or_else(|err| {
                bad = Some(format!(
                    "CHIMP_LOG={spec}: not a log filter ({err}); using info"
                ));
                EnvFilter::new(DEFAULT_FILTER)
            }),
        // Other crates' info and debug lines stay out: an HTTP client's may name a
        // URL with its credentials.
        _ => EnvFilter::new(DEFAULT_FILTER),
    };
    let debug_log = fmt::layer()
        .with_ansi(false)
        .with_target(false)
        .with_writer(|| DebugLog)
        .with_filter(EnvFilter::new("warn,git_chimp=debug"));
    // A second init (tests, a library user) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(Console.with_filter(filter))
        .with(debug_log)
        .try_init();
    if let Some(bad) = bad {
        tracing::warn!("{bad}");
    }
}

/// Keep the debug log of this run in `dir` (`.chimp/`), replacing the last one,
/// starting with what was logged so far. A log that cannot be written is left out.
pub(crate) fn log_to(dir: &Path) {
    let mut sink = lock(&DEBUG_LOG);
    let held = match &mut *sink {
        Sink::Held(held) => std::mem::take(held),
        Sink::File(_) => Vec::new(),
    };
    let file = File::create(dir.join("debug.log"))
        .and_then(|mut file| file.write_all(&held).map(|()| file));
    *sink = match file {
        Ok(file) => Sink::File(file),
        Err(_) => Sink::Held(Vec::new()),
    };
}

/// The writer of the debug log: nothing until [`log_to`].
struct DebugLog;

impl Write for DebugLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut *lock(&DEBUG_LOG) {
            Sink::File(file) => file.write(bytes),
            Sink::Held(held) => {
                if held.len() + bytes.len() <= HELD {
                    held.extend_from_slice(bytes);
                }
                Ok(bytes.len())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut *lock(&DEBUG_LOG) {
            Sink::File(file) => file.flush(),
            Sink::Held(_) => Ok(()),
        }
    }
}

/// The stderr layer: `git-chimp: <message>`, `git-chimp: warning: <message>`.
struct Console;

impl<S: Subscriber> Layer<S> for Console {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let level = *event.metadata().level();
        let line = match level {
            Level::ERROR => format!("git-chimp: error: {}", message.0),
            Level::WARN => format!("git-chimp: warning: {}", message.0),
            Level::INFO => format!("git-chimp: {}", message.0),
            _ => format!("git-chimp: {level}: {}", message.0),
        };
        match lock(&BAR).as_ref() {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

/// An event's message and fields, as `message key=value ...`.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

/// Progress of a run.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    killed: usize,
    survived: usize,
    timeout: usize,
    start: Instant,
    next_report: usize,
    /// Whether the estimate of the whole run was said ([`estimate`]).
    estimated: bool,
}

/// Runs with fewer mutants get no estimate: they are done before one would help.
const ESTIMATE_FROM: usize = 20;

/// The line that says how long a run of `total` mutants will take, at the pace of the
/// first `done` (`elapsed` since the first started), with how to get less; `None` until
/// enough have finished: a fiftieth of them (at least 10), or 30 s of them.
#[must_use]
fn estimate(total: usize, done: usize, elapsed: std::time::Duration) -> Option<String> {
    let enough = done >= (total / 50).max(10) || elapsed.as_secs() >= 30;
    if total < ESTIMATE_FROM || done == 0 || done >= total || !enough {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "mutant counts are small")]
    let whole = elapsed.as_secs_f64() / done as f64 * total as f64;
    let whole = std::time::Duration::try_from_secs_f64(whole.round().max(1.0)).unwrap_or_default();
    Some(format!(
        "estimate: about {} for all {total} mutants, at the pace of the first {done}. For less: \
         --since origin/main (only the lines a branch changed), --budget 10m (the most \
         telling mutants first; the cache keeps what ran), --shard 1/4 (one share per CI job)",
        humantime::format_duration(whole)
    ))
}

impl Progress {
    /// Progress over `total` mutants.
    #[must_use]
    pub(crate) fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template(
                "{pos}/{len} mutants [{wide_bar}] {msg}  {elapsed} elapsed, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        lock(&BAR).clone_from(&bar);
        Self {
            bar,
            total,
            done: 0,
            killed: 0,
            survived: 0,
            timeout: 0,
            start: Instant::now(),
            next_report: total.div_ceil(10).max(1),
            estimated: false,
        }
    }

    /// Count one finished mutant.
    pub(crate) fn record(&mut self, result: &MutantResult) {
        self.done += 1;
        match result.outcome {
            Outcome::Killed | Outcome::TypeError => self.killed += 1,
            Outcome::Survived => self.survived += 1,
            Outcome::Timeout => self.timeout += 1,
            Outcome::Uncovered
            | Outcome::Equivalent
            | Outcome::Accepted
            | Outcome::Error
            | Outcome::NotRun => {}
        }
        tracing::debug!(
            "mutant {} {}: {} in {} ms",
            result.mutant.id,
            result.mutant.describe(),
            result.outcome.name(),
            result.duration.as_millis()
        );
        if !self.estimated
            && let Some(line) = estimate(self.total, self.done, self.start.elapsed())
        {
            self.estimated = true;
            tracing::info!("{line}");
        }
        let counts = format!(
            "killed {} survived {} timeout {}",
            self.killed, self.survived, self.timeout
        );
        if let Some(bar) = &self.bar {
            bar.set_message(counts);
            bar.inc(1);
        } else if self.done >= self.next_report || self.done == self.total {
            self.next_report = self.done + self.total.div_ceil(10).max(1);
            let elapsed = self.start.elapsed().as_secs_f64();
            #[expect(clippy::cast_precision_loss, reason = "mutant counts are small")]
            let eta = elapsed / self.done as f64 * (self.total - self.done) as f64;
            eprintln!(
                "{}/{} mutants, {counts}, {elapsed:.1}s elapsed, ETA {eta:.0}s",
                self.done, self.total
            );
        }
    }

    /// Remove the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        *lock(&BAR) = None;
    }
}

#[cfg(test)]
mod test {
    use std::time::Duration;

    use super::estimate;

    #[test]
    fn the_estimate_comes_once_enough_mutants_finished_and_says_how_to_get_less() {
        // Too few finished, too small a run, or nothing left: no estimate.
        assert_eq!(estimate(1000, 9, Duration::from_secs(5)), None);
        assert_eq!(estimate(19, 10, Duration::from_secs(5)), None);
        assert_eq!(estimate(20, 20, Duration::from_secs(5)), None);
        // A fiftieth of them (at least ten), or 30 s.
        let line = estimate(1000, 20, Duration::from_secs(10)).unwrap();
        assert!(
            line.starts_with(
                "estimate: about 8m 20s for all 1000 mutants, at the pace of the first 20."
            ),
            "{line}"
        );
        for hint in ["--since origin/main", "--budget 10m", "--shard 1/4"] {
            assert!(line.contains(hint), "{line}");
        }
        assert!(estimate(10_000, 3, Duration::from_secs(30)).is_some());
        assert_eq!(estimate(10_000, 100, Duration::from_secs(29)), None);
    }
}
