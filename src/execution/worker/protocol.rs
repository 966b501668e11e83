//! The messages between git-chimp and its pytest worker: JSON lines, one object each.
//! Requests carry an `op` tag and go to the worker's standard input; events carry an
//! `event` tag and come back on its standard output. The Python side
//! (`git_chimp_worker/protocol.py`) and this file are checked against the same examples,
//! `protocol.jsonl`, in both languages' tests.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// What git-chimp asks a worker to do.
#[derive(Debug, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Request<'a> {
    /// Warm mode: run every test once in a child; traced, record what each reaches
    /// (and send the records); untraced, only how long each takes.
    Baseline {
        /// Seconds the run may take.
        timeout: f64,
        /// Whether to trace.
        traced: bool,
        /// An earlier run's records of the tests that need no new trace: only the others
        /// run (traced), and the answer holds both, marked `reused`.
        #[serde(skip_serializing_if = "Option::is_none")]
        reuse: Option<&'a serde_json::Value>,
    },
    /// Warm mode: take another worker's traced records and the tests' untraced times.
    Records {
        /// A traced baseline's records (`null`: keep the worker's own).
        records: Option<&'a serde_json::Value>,
        /// `[test id, seconds, fixture seconds]` of each test, untraced (`null`: none).
        durations: Option<&'a serde_json::Value>,
        /// The traced baseline's copies of calls' arguments, for the survivors' probes.
        #[serde(skip_serializing_if = "Option::is_none")]
        inputs: Option<&'a serde_json::Value>,
    },
    /// Warm mode: test one mutant.
    Mutant {
        /// The mutant's id (the tests see it as `CHIMP_MUTANT`).
        id: &'a str,
        /// The mutated file's absolute path in the sandbox.
        path: &'a Path,
        /// The file's mutated text.
        source: &'a str,
        /// The first and last line of the change (1-based, inclusive).
        lines: [usize; 2],
        /// Seconds the tests may take at most.
        timeout: f64,
        /// `[k, c]`: a child running some tests may take k x their untraced time + c
        /// seconds (never more than `timeout`); `null`: `timeout` itself (`--timeout`).
        rule: Option<[f64; 2]>,
    },
    /// Fresh mode: run pytest from the start on the sandbox's files as they are.
    Run {
        /// The mutant's id.
        id: &'a str,
        /// Where the run's output goes.
        log: &'a Path,
        /// Seconds the run may take.
        timeout: f64,
    },
}

/// What a worker says.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum Event {
    /// Started: the tests are collected (warm) or pytest is imported (fresh).
    Ready {
        /// How many tests were collected (0 in fresh mode).
        tests: usize,
    },
    /// The worker cannot serve this run.
    Failed {
        /// Why, for the user.
        reason: String,
    },
    /// A child process that runs tests started; its process group is `pid`.
    Forked {
        /// The child's pid, also its process group.
        pid: i32,
    },
    /// The baseline finished.
    Baseline {
        /// How many tests ran.
        tests: usize,
        /// Tests that failed in the worker although the plain run passes.
        failed: Vec<String>,
        /// Wall seconds of the run.
        seconds: f64,
        /// A traced run's records, for the other workers.
        #[serde(default)]
        records: Option<serde_json::Value>,
        /// Each test's `[id, seconds, fixture seconds]`.
        #[serde(default)]
        durations: Option<serde_json::Value>,
        /// What traced a traced run: `sys.monitoring`, `coverage.py` or `settrace`.
        #[serde(default)]
        tracer: Option<String>,
        /// A traced run's copies of calls' arguments (`[file, line, name, copies, why]`
        /// per function), for the survivors' probes.
        #[serde(default)]
        inputs: Option<serde_json::Value>,
    },
    /// The records and times were taken.
    Recorded {
        /// How many tests they cover.
        tests: usize,
        /// How many of them this worker collected as another case or not at all (their
        /// whole test functions stand for them).
        unmatched: usize,
    },
    /// The traced baseline could not run.
    BaselineFailed {
        /// Why.
        reason: String,
    },
    /// A test failed with the mutant in place.
    Killed {
        /// The first failing test, when the process did not die.
        by: Option<String>,
        /// The tests run.
        tests: Vec<String>,
        /// How the tests failed when no test's report says it (a signal, the import).
        #[serde(default)]
        reason: Option<String>,
        /// Whether the mutant was put in by re-executing its module.
        #[serde(default)]
        reexecuted: bool,
    },
    /// Every test run passed with the mutant in place.
    Survived {
        /// The tests run.
        tests: Vec<String>,
        /// An assertion that passes on the original and fails on the mutant.
        #[serde(default)]
        input: Option<String>,
        /// Why the probe found no such input.
        #[serde(default)]
        no_input: Option<String>,
    },
    /// The tests ran past the timeout and their process group was killed.
    Timeout {
        /// The tests that were to run.
        tests: Vec<String>,
        /// Whether the mutant was put in by re-executing its module.
        #[serde(default)]
        reexecuted: bool,
        /// The seconds they were given.
        #[serde(default)]
        limit: Option<f64>,
    },
    /// No test reaches the mutated code.
    Uncovered,
    /// The mutant compiles to the original's code: no test can tell them apart.
    Equivalent,
    /// The worker cannot give a trustworthy outcome: run the tests from scratch.
    Fallback {
        /// Why, shown in the report.
        reason: String,
        /// The worker's own code failed in the mutant's child: its console holds the
        /// child's output, traceback included.
        #[serde(default)]
        worker_log: bool,
        /// For a survivor the fresh run is to confirm: the probe's input, as `Survived`'s.
        #[serde(default)]
        input: Option<String>,
        /// Why the probe found none.
        #[serde(default)]
        no_input: Option<String>,
    },
    /// Tests that detected the mutant also fail without it (a run with an earlier run's
    /// line map, whose tests had not run on this code).
    UnmutatedFails {
        /// Which tests, and how they failed.
        reason: String,
    },
    /// Fresh mode: pytest exited with `code`.
    Exited {
        /// The exit status.
        code: i32,
        /// Wall seconds.
        seconds: f64,
    },
    /// Fresh mode: the run was killed by `signal`.
    Signalled {
        /// The signal number.
        signal: i32,
        /// Wall seconds.
        seconds: f64,
    },
    /// Fresh mode: the run passed its timeout and was killed.
    TimedOut {
        /// Wall seconds.
        seconds: f64,
    },
}

impl Event {
    /// Read one line of the worker's output; `None` for anything that is not an event.
    pub(crate) fn parse(line: &str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }
}

impl Request<'_> {
    /// The request as one line of JSON, without the newline.
    pub(crate) fn line(&self) -> String {
        serde_json::to_string(self).expect("a request always serialises")
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const EXAMPLES: &str = include_str!("git_chimp_worker/protocol.jsonl");

    /// Every example line: (direction, JSON).
    fn examples() -> Vec<(&'static str, &'static str)> {
        EXAMPLES
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .map(|line| line.split_once(' ').expect("`-> {..}` or `<- {..}`"))
            .collect()
    }

    #[test]
    fn every_example_event_parses_and_every_variant_has_an_example() {
        let mut seen = std::collections::BTreeSet::new();
        for (direction, json) in examples() {
            if direction != "<-" {
                continue;
            }
            assert!(Event::parse(json).is_some(), "does not parse: {json}");
            let name = serde_json::from_str::<serde_json::Value>(json).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_owned();
            seen.insert(name);
        }
        let all = [
            "ready",
            "failed",
            "forked",
            "baseline",
            "recorded",
            "baseline_failed",
            "killed",
            "survived",
            "timeout",
            "uncovered",
            "equivalent",
            "fallback",
            "unmutated_fails",
            "exited",
            "signalled",
            "timed_out",
        ];
        assert_eq!(seen, all.iter().map(|&name| name.to_owned()).collect());
    }

    #[test]
    fn requests_serialise_as_the_examples_show() {
        let path = Path::new("/sandbox/calc.py");
        let log = Path::new("/scratch/fresh.log");
        let records = serde_json::json!([{"id": "tests/test_calc.py::test_add", "seconds": 0.01,
            "failed": false, "fixture": 0.0, "lines": {"0": [1, 2]}, "calls": [[0, 1, "add"]]}]);
        let durations = serde_json::json!([["tests/test_calc.py::test_add", 0.005, 0.0]]);
        let built = [
            Request::Baseline {
                timeout: 12.5,
                traced: true,
                reuse: None,
            }
            .line(),
            Request::Baseline {
                timeout: 12.5,
                traced: false,
                reuse: None,
            }
            .line(),
            Request::Baseline {
                timeout: 12.5,
                traced: true,
                reuse: Some(&records),
            }
            .line(),
            Request::Records {
                records: Some(&records),
                durations: Some(&durations),
                inputs: None,
            }
            .line(),
            Request::Mutant {
                id: "0123456789ab",
                path,
                source: "x = 2\n",
                lines: [1, 1],
                timeout: 7.0,
                rule: Some([10.0, 1.0]),
            }
            .line(),
            Request::Run {
                id: "0123456789ab",
                log,
                timeout: 7.0,
            }
            .line(),
        ];
        let written: Vec<serde_json::Value> = examples()
            .into_iter()
            .filter(|(direction, _)| *direction == "->")
            .map(|(_, json)| serde_json::from_str(json).unwrap())
            .collect();
        let built: Vec<serde_json::Value> = built
            .iter()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(built, written);
    }

    #[test]
    fn unknown_or_malformed_events_are_not_events() {
        assert_eq!(Event::parse(r#"{"event": "nonsense"}"#), None);
        assert_eq!(Event::parse(r#"{"event": "killed"}"#), None);
        assert_eq!(Event::parse("pytest printed this"), None);
    }
}
