//! When to stop: Ctrl-C and SIGTERM (a flag set by the signal handler), and the end of a
//! run's time budget (`--budget`, a deadline). Every loop that waits (the workers, the
//! test process wait, the mutant loop) polls [`should_stop`]. Test processes run in
//! their own process groups, so the terminal's SIGINT reaches only git-chimp, which then
//! kills them.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

static DEADLINE: OnceLock<Instant> = OnceLock::new();

/// Install the handler for SIGINT, SIGTERM and SIGHUP. Safe to call more than once.
pub(crate) fn install() {
    // A second install fails with MultipleHandlers; the first one is still in place.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// Whether the user asked git-chimp to stop.
#[must_use]
pub(crate) fn is_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Stop the run's work at `deadline` (the end of its time budget). Set once per process;
/// a later call is ignored.
pub(crate) fn set_deadline(deadline: Instant) {
    let _ = DEADLINE.set(deadline);
}

/// Whether the run's time budget is spent.
#[must_use]
pub(crate) fn budget_spent() -> bool {
    DEADLINE
        .get()
        .is_some_and(|deadline| Instant::now() >= *deadline)
}

/// Whether work in progress must stop: the user interrupted, or the budget is spent.
#[must_use]
pub(crate) fn should_stop() -> bool {
    is_interrupted() || budget_spent()
}
