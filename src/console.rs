//! Progress while mutants run, on stderr: done/total, killed and survived so far, elapsed
//! time and ETA. A bar when stderr is a terminal; otherwise a line every 10%.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::outcome::{MutantResult, Outcome};

/// Progress of a run.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    killed: usize,
    survived: usize,
    timeout: usize,
    start: Instant,
    next_report: usize,
}

impl Progress {
    /// Progress over `total` mutants.
    #[must_use]
    pub fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template(
                "{pos}/{len} mutants [{wide_bar}] {msg}  {elapsed} elapsed, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            total,
            done: 0,
            killed: 0,
            survived: 0,
            timeout: 0,
            start: Instant::now(),
            next_report: total.div_ceil(10).max(1),
        }
    }

    /// Count one finished mutant.
    pub fn record(&mut self, result: &MutantResult) {
        self.done += 1;
        match result.outcome {
            Outcome::Killed => self.killed += 1,
            Outcome::Survived => self.survived += 1,
            Outcome::Timeout => self.timeout += 1,
            Outcome::Uncovered | Outcome::Error => {}
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

    /// Print a message without breaking the bar.
    pub fn message(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
