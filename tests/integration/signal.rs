//! What a run asks its users to read (#16): equivalent mutants found by compiling them,
//! accepted survivors, and survivors grouped by line.

use crate::sweep::UNITTEST;
use crate::util::TestRepo;

const DEAD: &str = r#"def double(x):
    return x * 2
    x = x - 1


def sign(x):
    if False:
        return x + x
    return x >= 0
"#;

const DEAD_TESTS: &str = r#"import unittest

from dead import double, sign


class DeadTest(unittest.TestCase):
    def test_double(self):
        self.assertEqual(double(3), 6)

    def test_sign(self):
        self.assertTrue(sign(5))
        self.assertTrue(sign(0))
        self.assertFalse(sign(-5))
"#;

/// `path:line:operator:replacement` -> (status, statusReason) from the last report's
/// mutants (not its dead-code blocks).
fn outcomes(repo: &TestRepo) -> std::collections::BTreeMap<String, (String, String)> {
    repo.report_mutants()
        .iter()
        .filter(|(_, mutant)| mutant["mutatorName"] != "dead-code")
        .map(|(path, mutant)| {
            let text = |key: &str| mutant[key].as_str().unwrap_or_default().to_owned();
            (
                crate::util::mutant_key(path, mutant),
                (text("status"), text("statusReason")),
            )
        })
        .collect()
}

/// The keys of the `Ignored` mutants of `found`, which must be DEAD's equivalent ones:
/// code under `if False:`, never compiled. (The code after `return` is dead code, with
/// no mutants.)
fn equivalent_keys(found: &std::collections::BTreeMap<String, (String, String)>) -> Vec<&str> {
    let equivalent: Vec<&str> = found
        .iter()
        .filter(|(_, (status, _))| status == "Ignored")
        .map(|(key, _)| key.as_str())
        .collect();
    assert_eq!(
        equivalent,
        ["dead.py:8:binary-operator:-", "dead.py:8:return-value:None"],
        "{found:?}"
    );
    equivalent
}

/// With the pytest worker, no check runs before the tests: the worker compiles each
/// mutant as it is dispatched and answers `equivalent` itself, for the same mutants.
#[test]
#[ignore = "needs the package registry (pytest)"]
fn the_pytest_worker_finds_the_equivalent_mutants_as_they_come() {
    let repo = TestRepo::new(&[("dead.py", DEAD), ("test_dead.py", DEAD_TESTS)]);
    let tests = format!(
        "{} -m pytest -x -q -p no:cacheprovider",
        crate::util::pytest_python().display()
    );
    let run = repo.chimp(&["--tests", &tests, "--no-cache", "-j", "2"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let found = outcomes(&repo);
    let equivalent = equivalent_keys(&found);
    for key in &equivalent {
        assert_eq!(
            found[*key].1, "compiles to the original's bytecode (checked in the pytest worker)",
            "{key}"
        );
    }
    assert!(run.stdout.contains(", 2 equivalent,"), "{}", run.stdout);
    // Nothing was compiled before the first test ran.
    let log = std::fs::read_to_string(repo.root.join(".chimp/debug.log")).unwrap();
    assert!(
        !log.contains("the same bytecode under") && !log.contains("no equivalent mutants under"),
        "{log}"
    );
}

#[test]
fn mutants_that_compile_to_the_original_bytecode_are_equivalent_never_run_and_not_scored() {
    let repo = TestRepo::new(&[("dead.py", DEAD), ("test_dead.py", DEAD_TESTS)]);
    let before = repo.snapshot();
    // The up-front check of the plain runner (the worker checks each mutant itself).
    let run = repo.chimp(&["--tests", UNITTEST, "--runner", "command", "-j", "2"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let found = outcomes(&repo);
    // Code after `return` and under `if False:` is never compiled. (python3 is 3.10+: 3.9
    // keeps a NOP for `pass` after a return; and every version keeps the constants of an
    // `if False:` body, so `7 -> 8` there would not be equivalent.)
    let equivalent = equivalent_keys(&found);
    for key in &equivalent {
        assert!(
            found[*key]
                .1
                .starts_with("compiles to the original's bytecode under ")
                && found[*key].1.ends_with("python3"),
            "{key}: {:?}",
            found[*key]
        );
    }
    // Everything else was run, and every one of them was killed.
    assert!(
        found
            .iter()
            .all(|(_, (status, _))| status == "Ignored" || status == "Killed"),
        "{found:?}"
    );
    assert!(run.stdout.contains(", 2 equivalent,"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("mutation score: 100.0% (equivalent mutants not counted)"),
        "{}",
        run.stdout
    );
    // The code after `return` is one dead-code finding, in the summary and report.json.
    assert!(
        run.stdout.contains("dead code: 1 block")
            && run
                .stdout
                .contains("  dead.py:3  after `return`: it never runs"),
        "{}",
        run.stdout
    );
    let dead: Vec<(String, String)> = repo
        .report_mutants()
        .iter()
        .filter(|(_, mutant)| mutant["mutatorName"] == "dead-code")
        .map(|(path, mutant)| {
            let line = &mutant["location"]["start"]["line"];
            let reason = mutant["statusReason"].as_str().unwrap_or_default();
            (
                format!("{path}:{line}:{}", mutant["status"]),
                reason.to_owned(),
            )
        })
        .collect();
    assert_eq!(
        dead,
        [(
            "dead.py:3:\"Ignored\"".to_owned(),
            "dead code: after `return`: it never runs".to_owned()
        )]
    );
    repo.assert_checkout_untouched(&before);

    // Cached like any outcome: the second run compiles nothing and runs nothing.
    let again = repo.chimp(&["--tests", UNITTEST, "-j", "2"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let cached = outcomes(&repo);
    assert_eq!(
        cached
            .iter()
            .map(|(key, (status, _))| (key, status))
            .collect::<Vec<_>>(),
        found
            .iter()
            .map(|(key, (status, _))| (key, status))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        cached["dead.py:8:binary-operator:-"].1,
        "compiles to the original's bytecode (from cache)"
    );
    assert!(
        again.stdout.contains("from cache, 0 run"),
        "{}",
        again.stdout
    );

    // A test command that names no Python: no check, every mutant runs.
    repo.write("run_tests.sh", &format!("#!/bin/sh\nexec {UNITTEST}\n"));
    repo.commit("a test script");
    let plain = repo.chimp(&["--tests", "sh run_tests.sh", "--no-cache", "-j", "2"]);
    let statuses: Vec<String> = outcomes(&repo)
        .into_values()
        .map(|(status, _)| status)
        .collect();
    assert!(
        !statuses.iter().any(|status| status == "Ignored"),
        "{statuses:?}"
    );
    assert_eq!(plain.code, 2, "{}{}", plain.stdout, plain.stderr);
}

/// Mutant id of each survivor of the last report, by `line:operator:replacement`.
fn survivor_ids(repo: &TestRepo) -> std::collections::BTreeMap<String, String> {
    repo.report_mutants()
        .iter()
        .filter(|(_, mutant)| mutant["status"] == "Survived")
        .map(|(path, mutant)| {
            (
                crate::util::mutant_key(path, mutant),
                mutant["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn accepted_survivors_hold_while_their_code_is_unchanged_and_leave_the_exit_status() {
    let repo = crate::sweep::gaps();
    let run = |args: &[&str]| {
        // The plain runner: the worker would call line 13's mutants uncovered.
        let mut all = vec!["--tests", UNITTEST, "--runner", "command", "-j", "2"];
        all.extend(args);
        repo.chimp(&all)
    };
    let first = run(&[]);
    assert_eq!(first.code, 2, "{}{}", first.stdout, first.stderr);
    let ids = survivor_ids(&repo);
    assert_eq!(ids.len(), 6, "{ids:?}");
    let label = &ids["calc.py:13:string:\"\""];
    let before = repo.snapshot();

    // Accepting writes the reviewed file, and nothing else of the checkout.
    let accept = repo.chimp(&[
        "accept",
        &label[..8],
        "--reason",
        "the label is only logged",
    ]);
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    assert!(
        accept.stdout.contains("accepted: calc.py:13  string"),
        "{}",
        accept.stdout
    );
    let file = std::fs::read_to_string(repo.root.join(".chimp-accepted.toml")).unwrap();
    assert!(
        file.contains("reason = \"the label is only logged\""),
        "{file}"
    );
    assert!(file.contains("path = \"calc.py\"\nline = 13\n"), "{file}");
    std::fs::remove_file(repo.root.join(".chimp-accepted.toml")).unwrap();
    repo.assert_checkout_untouched(&before);
    std::fs::write(repo.root.join(".chimp-accepted.toml"), &file).unwrap();
    let again = repo.chimp(&["accept", label, "--reason", "twice"]);
    assert!(
        again.stdout.contains("already accepted: calc.py:13"),
        "{}",
        again.stdout
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".chimp-accepted.toml")).unwrap(),
        file
    );

    // The next run shows it accepted; the other five still fail the run.
    let second = run(&[]);
    assert_eq!(second.code, 2, "{}{}", second.stdout, second.stderr);
    let found = outcomes(&repo);
    assert_eq!(
        found["calc.py:13:string:\"\""],
        (
            "Ignored".to_owned(),
            "accepted: the label is only logged".to_owned()
        )
    );
    assert!(
        second
            .stdout
            .contains("5 survived, 0 uncovered, 1 accepted,"),
        "{}",
        second.stdout
    );
    assert!(
        second.stdout.contains("(accepted mutants not counted)"),
        "{}",
        second.stdout
    );
    assert!(
        !second.stdout.contains(&format!("[{label}]")),
        "{}",
        second.stdout
    );
    assert!(
        !repo
            .root
            .join(format!(".chimp/survived/{label}.patch"))
            .exists()
    );
    // The score is over the 11 mutants left: 6 of 11 is 54.5% (6 of 12 would be 50%).
    assert!(
        second.stdout.contains("mutation score: 54.5%"),
        "{}",
        second.stdout
    );
    let gated = run(&["--fail-under", "54"]);
    assert_eq!(gated.code, 0, "{}{}", gated.stdout, gated.stderr);

    // All six accepted: the run passes, and the score counts only what is left.
    let rest: Vec<&str> = ids
        .values()
        .filter(|id| *id != label)
        .map(String::as_str)
        .collect();
    let mut args = vec!["accept"];
    args.extend(&rest);
    args.extend(["--reason", "known gaps, tracked in #12"]);
    let all = repo.chimp(&args);
    assert_eq!(all.code, 0, "{}{}", all.stdout, all.stderr);
    let third = run(&[]);
    assert_eq!(third.code, 0, "{}{}", third.stdout, third.stderr);
    assert!(
        third
            .stdout
            .contains("mutation score: 100.0% (accepted mutants not counted)"),
        "{}",
        third.stdout
    );

    // Editing describe() makes its four entries stale: its survivors are back.
    let edited = crate::sweep::GAPS_CALC.replace("return \"non-negative\"", "return \"positive\"");
    repo.write("calc.py", &edited);
    let fourth = run(&[]);
    assert_eq!(fourth.code, 2, "{}{}", fourth.stdout, fourth.stderr);
    assert!(
        fourth
            .stdout
            .contains("4 entries in .chimp-accepted.toml are stale"),
        "{}",
        fourth.stdout
    );
    assert!(
        fourth.stdout.contains(
            "accept the new survivors:\n  calc.py:11  comparison: < -> <=\n  calc.py:11  number: 0 -> 1\n  \
             calc.py:13  return-value: \"non-negative\" -> None\n  calc.py:13  string: \"non-negative\" -> \"\"\n"
        ),
        "{}",
        fourth.stdout
    );
    let statuses = repo.statuses();
    assert_eq!(
        statuses["calc.py:13:string:\"\""], "Survived",
        "{statuses:?}"
    );
    assert_eq!(
        statuses["calc.py:6:comparison:>"], "Ignored",
        "{statuses:?}"
    );
}

#[test]
fn an_accepted_mutant_the_tests_now_kill_is_no_longer_needed_and_bad_input_is_refused() {
    let repo = crate::sweep::gaps();
    let listed = repo.chimp(&["list"]);
    let killed = listed
        .stdout
        .lines()
        .find(|line| line.starts_with("calc.py:2:") && line.contains("binary-operator"))
        .and_then(|line| line.rsplit_once('['))
        .map(|(_, id)| id.trim_end_matches(']').to_owned())
        .unwrap();
    repo.chimp(&["--tests", UNITTEST]);
    let accept = repo.chimp(&["accept", &killed, "--reason", "by mistake"]);
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    assert!(
        accept
            .stderr
            .contains(&format!("{killed} was detected (killed) in the last run")),
        "{}",
        accept.stderr
    );
    let run = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("1 entry in .chimp-accepted.toml is no longer needed (the tests now detect its mutant): delete it:\n  calc.py:2  binary-operator: + -> -\n"),
        "{}",
        run.stdout
    );

    // Refused, each with exit 1 and the file unchanged.
    let file = std::fs::read_to_string(repo.root.join(".chimp-accepted.toml")).unwrap();
    for (args, says) in [
        (
            vec!["accept", "0123456789ab", "--reason", "x"],
            "no mutant 0123456789ab",
        ),
        (
            vec!["accept", "abc", "--reason", "x"],
            "at least 6 of its 12 digits",
        ),
        (
            vec!["accept", &killed, "--reason", "  "],
            "--reason must say why",
        ),
    ] {
        let refused = repo.chimp(&args);
        assert_eq!(
            refused.code, 1,
            "{args:?}: {}{}",
            refused.stdout, refused.stderr
        );
        assert!(
            refused.stderr.contains(says),
            "{args:?}: {}",
            refused.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".chimp-accepted.toml")).unwrap(),
        file
    );

    // A broken file stops a run before anything runs, naming the line.
    std::fs::write(
        repo.root.join(".chimp-accepted.toml"),
        format!("{file}\n[[accepted]]\nkey = 3\n"),
    )
    .unwrap();
    let report = repo.root.join(".chimp/report.json");
    let written = std::fs::metadata(&report).unwrap().modified().unwrap();
    let broken = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(broken.code, 1, "{}{}", broken.stdout, broken.stderr);
    assert!(
        broken.stderr.contains(".chimp-accepted.toml (line "),
        "{}",
        broken.stderr
    );
    // Nothing ran: no baseline, and the last report is as it was.
    assert!(!broken.stderr.contains("baseline"), "{}", broken.stderr);
    assert_eq!(
        std::fs::metadata(&report).unwrap().modified().unwrap(),
        written
    );
}

/// Every process whose command line mentions `marker`.
fn processes_mentioning(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline.contains(marker).then_some(cmdline)
        })
        .collect()
}

#[test]
fn an_equivalence_check_that_fails_or_hangs_is_one_warning_and_every_mutant_runs() {
    let repo = TestRepo::new(&[("dead.py", DEAD), ("test_dead.py", DEAD_TESTS)]);
    let python = which_python3();
    let bin = repo.scratch().join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("python3");
    let tests = format!("{} -m unittest -q", fake.display());
    for (behaviour, says) in [
        (
            "echo 'it broke' >&2; exit 3",
            "it exited before answering: it broke",
        ),
        ("exec sleep 1000", "no answer within"),
    ] {
        // The check runs `python3 -I -c ...`; the tests run the real interpreter.
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\nif [ \"$1\" = \"-I\" ]; then {behaviour}; fi\nexec {} \"$@\"\n",
                python.display()
            ),
        )
        .unwrap();
        let mut permissions = std::fs::metadata(&fake).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&fake, permissions).unwrap();
        let run = repo.chimp(&[
            "--tests",
            &tests,
            "--runner",
            "command",
            "--no-cache",
            "-j",
            "2",
        ]);
        // Without the check, the dead code's mutants run and survive.
        assert_eq!(run.code, 2, "{behaviour}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("equivalent mutants are not looked for this run")
                && run.stderr.contains(says),
            "{behaviour}: {}",
            run.stderr
        );
        let statuses: Vec<String> = outcomes(&repo)
            .into_values()
            .map(|(status, _)| status)
            .collect();
        assert!(
            !statuses.iter().any(|status| status == "Ignored"),
            "{statuses:?}"
        );
        assert!(
            statuses.iter().any(|status| status == "Survived"),
            "{statuses:?}"
        );
        let left = processes_mentioning(&bin.display().to_string());
        assert!(left.is_empty(), "{behaviour}: left running: {left:?}");
    }
}

/// The machine's real `python3`, as a path.
fn which_python3() -> std::path::PathBuf {
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    std::path::PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

const TWINS: &str = "class A:\n    def double(self, n):\n        return n * 2\n\n\nclass B:\n    def double(self, n):\n        return n * 2\n";

const TWINS_TESTS: &str = "import unittest\n\nfrom twins import A\n\n\nclass T(unittest.TestCase):\n    def test_a(self):\n        self.assertEqual(A().double(3), 6)\n";

#[test]
fn twin_definitions_keep_their_own_cached_outcomes_and_acceptance() {
    let repo = TestRepo::new(&[("twins.py", TWINS), ("test_twins.py", TWINS_TESTS)]);
    let run = |args: &[&str]| {
        // The plain runner: the worker would call line 13's mutants uncovered.
        let mut all = vec!["--tests", UNITTEST, "--runner", "command", "-j", "2"];
        all.extend(args);
        repo.chimp(&all)
    };
    let fresh = run(&["--no-cache"]);
    assert_eq!(fresh.code, 2, "{}{}", fresh.stdout, fresh.stderr);
    let expected = repo.statuses();
    assert_eq!(
        expected["twins.py:3:binary-operator:/"], "Killed",
        "{expected:?}"
    );
    assert_eq!(
        expected["twins.py:8:binary-operator:/"], "Survived",
        "{expected:?}"
    );
    run(&[]);
    let cached = run(&[]);
    assert!(
        cached.stdout.contains("from cache, 0 run"),
        "{}",
        cached.stdout
    );
    assert_eq!(
        repo.statuses(),
        expected,
        "the cache must not mix up the twins"
    );

    // Accepting B's survivor accepts nothing of A's.
    let ids = survivor_ids(&repo);
    let b = &ids["twins.py:8:binary-operator:/"];
    let accept = repo.chimp(&["accept", b, b, "--reason", "B is legacy"]);
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    let file = std::fs::read_to_string(repo.root.join(".chimp-accepted.toml")).unwrap();
    assert_eq!(file.matches("[[accepted]]").count(), 1, "{file}");
    run(&[]);
    let statuses = repo.statuses();
    assert_eq!(
        statuses["twins.py:8:binary-operator:/"], "Ignored",
        "{statuses:?}"
    );
    assert_eq!(
        statuses["twins.py:3:binary-operator:/"], "Killed",
        "{statuses:?}"
    );

    // A run with fewer operators leaves the entry alone: it is not stale.
    let fewer = run(&["--operators", "number"]);
    assert!(!fewer.stdout.contains("stale"), "{}", fewer.stdout);
}
