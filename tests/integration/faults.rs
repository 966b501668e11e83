//! Fault injection (#13): git-chimp killed with SIGKILL at seeded random points of a run,
//! with the plain runner and with the pytest worker, the first 50 ms included. After each
//! kill: the checkout, index, refs, stash and worktree list are as they were, no process
//! is left in a sandbox, and the next run gives the reference outcomes (its cache holds
//! whatever the killed run stored).

use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::sweep::{GAPS_CALC, GAPS_TESTS, UNITTEST};
use crate::util::{TestRepo, pytest_python};

/// A small deterministic generator (xorshift64*): the same points every run unless
/// `CHIMP_FAULT_SEED` says otherwise (the seed is printed for a failing run).
struct Points(u64);

impl Points {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % below.max(1)
    }
}

fn seed() -> u64 {
    std::env::var("CHIMP_FAULT_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(0x00c4_1a05)
}

/// Wait (up to 10 s) until no process has its directory in one of `repo`'s sandboxes: a
/// test run of the killed git-chimp finishes on its own, a pytest worker exits when its
/// requests end.
fn no_process_left(repo: &TestRepo, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = repo.processes_in_sandboxes();
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: processes left: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kill a run of `args` at `points` (ms after its start), checking after each.
fn kill_at(repo: &TestRepo, args: &[&str], points: &[u64], what: &str) {
    let reference = {
        let run = repo.chimp(&[args, &["--no-cache"]].concat());
        assert_eq!(run.code, 2, "{what}: {}\n{}", run.stdout, run.stderr);
        repo.statuses()
    };
    let before = repo.snapshot();
    let worktrees = repo.git(&["worktree", "list", "--porcelain"]);
    for &at in points {
        let context = format!("{what}, killed {at} ms after the start (seed {})", seed());
        let mut child = repo.chimp_in("", args).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(at));
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        let _ = child.wait();
        repo.assert_checkout_untouched(&before);
        assert_eq!(
            repo.git(&["worktree", "list", "--porcelain"]),
            worktrees,
            "{context}: the worktree list changed"
        );
        no_process_left(repo, &context);
        let run = repo.chimp(args);
        assert_eq!(run.code, 2, "{context}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(repo.statuses(), reference, "{context}");
        repo.assert_checkout_untouched(&before);
    }
}

/// Points: `early` of them in the first 50 ms, `late` over the run's first `span` ms.
fn points(generator: &mut Points, early: usize, late: usize, span: u64) -> Vec<u64> {
    let mut out: Vec<u64> = (0..early).map(|_| 2 + generator.next(48)).collect();
    out.extend((0..late).map(|_| 50 + generator.next(span)));
    out
}

#[test]
fn kills_at_random_points_of_a_plain_run_change_nothing_and_lose_nothing() {
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    let mut generator = Points(seed());
    let points = points(&mut generator, 5, 7, 1500);
    kill_at(
        &repo,
        &["--tests", UNITTEST, "-j", "2"],
        &points,
        "plain runner",
    );
}

#[test]
#[ignore = "needs the package registry (pytest)"]
fn kills_at_random_points_of_a_worker_run_change_nothing_and_lose_nothing() {
    // pytest runs the unittest-style tests too.
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    let command = format!(
        "{} -m pytest -q -p no:cacheprovider",
        pytest_python().display()
    );
    let mut generator = Points(seed().wrapping_add(1));
    let points = points(&mut generator, 5, 7, 2500);
    kill_at(
        &repo,
        &["--tests", &command, "-j", "2"],
        &points,
        "pytest worker",
    );
}

#[test]
fn kills_while_the_first_sandboxes_are_created_never_leave_a_ref() {
    let mut generator = Points(seed().wrapping_add(2));
    for _ in 0..8 {
        let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
        let refs = repo.git(&["for-each-ref"]);
        let at = 2 + generator.next(38);
        let mut child = repo
            .chimp_in("", &["--tests", UNITTEST, "-j", "2"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(at));
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        let _ = child.wait();
        assert_eq!(
            repo.git(&["for-each-ref"]),
            refs,
            "killed at {at} ms: a ref was left"
        );
        no_process_left(&repo, &format!("killed at {at} ms"));
        // The next run repairs whatever the killed one left half made.
        let run = repo.chimp(&["--tests", UNITTEST, "-j", "2"]);
        assert_eq!(
            run.code, 2,
            "killed at {at} ms: {}\n{}",
            run.stdout, run.stderr
        );
        assert_eq!(repo.git(&["for-each-ref"]), refs, "killed at {at} ms");
    }
}

#[test]
fn a_chimp_directory_that_lost_its_gitignore_is_never_part_of_the_tested_state() {
    // What a run killed while writing `.chimp/.gitignore` leaves: the output without it.
    let repo = TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)]);
    let first = repo.chimp(&["--tests", UNITTEST, "-j", "2"]);
    assert_eq!(first.code, 2, "{}", first.stderr);
    let reference = repo.statuses();
    std::fs::write(repo.root.join(".chimp/.gitignore"), "").unwrap();
    std::fs::write(repo.root.join(".chimp/logs/stale.log"), "left over\n").unwrap();
    let run = repo.chimp(&["--tests", UNITTEST, "-j", "2", "--no-cache"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(repo.statuses(), reference);
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".chimp/.gitignore")).unwrap(),
        "*\n"
    );
}
