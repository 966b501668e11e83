//! Ctrl-C and SIGTERM: a flag set by the signal handler and polled by every loop that
//! waits (the workers, the test process wait). Test processes run in their own process
//! groups, so the terminal's SIGINT reaches only git-chimp, which then kills them.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

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
