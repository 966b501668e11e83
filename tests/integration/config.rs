//! Project configuration: `[tool.chimp]` in pyproject.toml and chimp.toml, precedence
//! against git config and the command line, `git chimp config`, and errors that name the
//! file, line and key.

use crate::sweep::{UNITTEST, gaps};

const PYPROJECT: &str = r#"[project]
name = "gaps"

[tool.chimp]
tests = "python3 -m unittest -q"
operators = ["comparison", "number"]
fail-under = 40
"#;

fn listed_operators(stdout: &str) -> Vec<String> {
    let mut operators: Vec<String> = stdout
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1).map(str::to_owned))
        .collect();
    operators.sort();
    operators.dedup();
    operators
}

#[test]
fn a_configured_project_runs_with_no_arguments() {
    let repo = gaps();
    repo.write("pyproject.toml", PYPROJECT);
    repo.commit("configure git-chimp");
    let before = repo.snapshot();
    let run = repo.chimp(&[]);
    // Only the configured operators ran: the gaps project's four comparison and number
    // mutants, which all survive. A score of 0% is below 40: exit 2.
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let statuses = repo.statuses();
    assert_eq!(
        statuses.keys().cloned().collect::<Vec<_>>(),
        [
            "calc.py:11:comparison:<=",
            "calc.py:11:number:1",
            "calc.py:6:comparison:>",
            "calc.py:6:number:19",
        ]
    );
    assert!(statuses.values().all(|status| status == "Survived"));
    assert!(
        run.stdout.contains("below --fail-under 40"),
        "{}",
        run.stdout
    );
    // The command line wins over the file.
    let run = repo.chimp(&["--fail-under", "0"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    repo.assert_checkout_untouched(&before);
}

#[test]
fn command_line_beats_git_config_beats_the_file() {
    let repo = gaps();
    repo.write("pyproject.toml", PYPROJECT);
    let list = repo.chimp(&["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_eq!(listed_operators(&list.stdout), ["comparison", "number"]);
    repo.git(&["config", "chimp.operators", "number"]);
    assert_eq!(listed_operators(&repo.chimp(&["list"]).stdout), ["number"]);
    let list = repo.chimp(&["list", "--operators", "return-value"]);
    assert_eq!(listed_operators(&list.stdout), ["return-value"]);

    // `git chimp config` shows each setting's value and origin.
    let mut command = repo.chimp_in("", &["config", "--timeout", "9"]);
    command.env("CHIMP_JOBS", "3");
    let shown = crate::util::run(command);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let line = |key: &str| -> String {
        shown
            .stdout
            .lines()
            .find(|line| line.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no {key} in {}", shown.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        shown
            .stdout
            .starts_with("configuration file: pyproject.toml\n")
    );
    assert_eq!(
        line("tests"),
        "tests python3 -m unittest -q (pyproject.toml:5)"
    );
    assert_eq!(
        line("operators"),
        "operators number (git config chimp.operators)"
    );
    assert_eq!(line("fail-under"), "fail-under 40 (pyproject.toml:7)");
    assert_eq!(line("timeout"), "timeout 9 (command line)");
    assert_eq!(line("jobs"), "jobs 3 (environment: CHIMP_JOBS)");
    assert_eq!(line("runner"), "runner auto (default)");

    // A flag before the subcommand beats the variable, which both levels read.
    let mut command = repo.chimp_in("", &["--timeout", "9", "config"]);
    command.env("CHIMP_TIMEOUT", "7");
    let shown = crate::util::run(command);
    let timeout = shown
        .stdout
        .lines()
        .find(|line| line.starts_with("timeout"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(timeout, "timeout 9 (command line)", "{}", shown.stdout);
}

#[test]
fn chimp_toml_comes_first_and_its_paths_are_relative_to_it() {
    let repo = gaps();
    repo.write("lib/extra.py", "def neg(x):\n    return -x\n");
    repo.write("chimp.toml", "# git-chimp settings\ncode = \"lib\"\n");
    repo.write(
        "pyproject.toml",
        "[tool.chimp]\ncode = \"calc.py\"\ntests = \"python3 -m unittest\"\n",
    );
    for dir in ["", "lib"] {
        let list = crate::util::run(repo.chimp_in(dir, &["list"]));
        assert_eq!(list.code, 0, "{}", list.stderr);
        assert!(!list.stdout.is_empty());
        assert!(
            list.stdout
                .lines()
                .all(|line| line.starts_with("lib/extra.py")),
            "{}",
            list.stdout
        );
    }
    let shown = crate::util::run(repo.chimp_in("lib", &["config"]));
    assert!(
        shown.stdout.starts_with("configuration file: chimp.toml\n"),
        "{}",
        shown.stdout
    );
    // The file has no test command (pyproject.toml's is not read): the run detects the
    // unittest tests and says so (they do not import lib/: the canary stops the run).
    let run = repo.chimp(&[]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no test command configured; running `python3 -m unittest -f`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "note: chimp.toml is used; the [tool.chimp] table of the pyproject.toml beside it is not"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn configuration_errors_name_the_file_line_and_closest_key() {
    let repo = gaps();
    let before = repo.snapshot();
    let cases: [(&str, &str, &[&str], &str); 5] = [
        (
            "pyproject.toml",
            "[project]\nname = \"gaps\"\n\n[tool.chimp]\ntest = \"pytest\"\n",
            &["--tests", UNITTEST],
            "pyproject.toml:5: unknown key `test` in [tool.chimp]; did you mean `tests`?",
        ),
        (
            "pyproject.toml",
            "[tool.chimp]\ntests = \"x\"\njobs = \"two\"\n",
            &["list"],
            "pyproject.toml:3: [tool.chimp] jobs = \"two\": expected a positive integer",
        ),
        (
            "chimp.toml",
            "jobs = 2\nreport = [\"pdf\"]\ntimeout = -3\n",
            &["config"],
            "chimp.toml:2: report = [\"pdf\"]: expected report kinds from \"html\", \"sarif\", \"junit\", \"github\", \"markdown\"; `pdf` is not one",
        ),
        (
            "chimp.toml",
            "\ntimeout = -3\n",
            &["--tests", UNITTEST],
            "chimp.toml:2: timeout = -3: expected a positive number of seconds",
        ),
        (
            "chimp.toml",
            "tests = \"pytest\"\n[oops\n",
            &[],
            "chimp.toml: not valid TOML",
        ),
    ];
    for (file, text, args, expected) in cases {
        repo.write(file, text);
        let run = repo.chimp(args);
        assert_eq!(run.code, 1, "{file}: {text}\n{}", run.stderr);
        assert!(
            run.stderr.contains(expected),
            "{file}: {text}\n{}",
            run.stderr
        );
        std::fs::remove_file(repo.root.join(file)).unwrap();
    }
    // Nothing was run or changed.
    assert!(!repo.root.join(".chimp").exists());
    repo.assert_checkout_untouched(&before);
}

#[test]
fn editing_the_chimp_table_keeps_the_cache_and_other_pyproject_edits_do_not() {
    let repo = gaps();
    let pyproject = |project: &str, chimp: &str| {
        format!("[project]\nname = \"{project}\"\n\n[tool.chimp]\ntests = \"{UNITTEST}\"\n{chimp}")
    };
    repo.write("pyproject.toml", &pyproject("gaps", ""));
    let first = repo.chimp(&[]);
    assert_eq!(first.code, 2, "{}", first.stderr);
    assert!(
        first.stdout.contains("0 from cache, 12 run"),
        "{}",
        first.stdout
    );
    // git-chimp's own settings are not part of the tests' fingerprint...
    repo.write(
        "pyproject.toml",
        &pyproject("gaps", "fail-under = 10\njobs = 1\n"),
    );
    let second = repo.chimp(&[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stdout.contains("12 from cache, 0 run"),
        "{}",
        second.stdout
    );
    // ...the rest of pyproject.toml is (it can configure pytest).
    repo.write("pyproject.toml", &pyproject("gaps2", "fail-under = 10\n"));
    let third = repo.chimp(&[]);
    assert!(
        third.stdout.contains("0 from cache, 12 run"),
        "{}",
        third.stdout
    );
}

#[test]
fn git_config_booleans_read_as_git_reads_them_and_rev_is_no_setting() {
    let repo = crate::sweep::gaps();
    // `[chimp] no-canary` with no value is true to git.
    let config = repo.root.join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[chimp]\n\tno-canary\n\tno-cache = off\n");
    std::fs::write(&config, text).unwrap();
    let get = |key: &str| repo.chimp(&["config", "--get", key]);
    let canary = get("no-canary");
    assert_eq!(
        (canary.code, canary.stdout.trim()),
        (0, "true"),
        "{}",
        canary.stderr
    );
    let cache = get("no-cache");
    assert_eq!(
        (cache.code, cache.stdout.trim()),
        (0, "false"),
        "{}",
        cache.stderr
    );
    repo.git(&["config", "chimp.no-cache", "maybe"]);
    let bad = get("no-cache");
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("git config chimp.no-cache = \"maybe\": expected true or false"),
        "{}",
        bad.stderr
    );
    repo.git(&["config", "--unset", "chimp.no-cache"]);
    let rev = get("rev");
    assert_eq!(rev.code, 1, "{}", rev.stderr);
    assert!(rev.stderr.contains("not a setting"), "{}", rev.stderr);
    let listed = repo.chimp(&["config"]);
    assert!(
        !listed.stdout.lines().any(|line| line.starts_with("rev ")),
        "{}",
        listed.stdout
    );
}

#[test]
fn arid_rules_are_on_by_default_and_switched_in_the_file_and_on_the_command_line() {
    let repo = crate::util::TestRepo::new(&[(
        "calc.py",
        "def check(x):\n    if x < 0:\n        raise ValueError(\"negative\")\n    return x\n",
    )]);
    let listed = |args: &[&str]| -> String {
        let run = repo.chimp(&[&["list"], args].concat());
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    assert!(!listed(&[]).contains("\"negative\" ->"));
    assert!(listed(&["--no-arid", "exception-message"]).contains("\"negative\" -> \"\""));
    repo.write(
        "pyproject.toml",
        "[tool.chimp]\nno-arid = [\"exception-message\"]\n",
    );
    assert!(listed(&[]).contains("\"negative\" -> \"\""));
    repo.write(
        "pyproject.toml",
        "[tool.chimp]\nno-arid = [\"exception-mesage\"]\n",
    );
    let bad = repo.chimp(&["list"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("`exception-mesage` is not one"),
        "{}",
        bad.stderr
    );
}
