//! The shared outcome cache (`--cache-url`): a real S3-compatible server on loopback
//! (moto's server mode, from the package registry, started here), a real WebDAV-less
//! HTTP server that refuses writes (Python's `http.server`), and `file://`.
//! The `http(s)://` stores (basic authentication, TLS) are [`http`]'s.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod http;

use crate::sweep::{GAPS_CALC, GAPS_TESTS, UNITTEST};
use crate::util::{Run, TestRepo};

/// The secret the S3 runs use: it must appear in no output and no report.
const SECRET: &str = "chimp-test-secret-0123456789";

/// A server started by a test, stopped with it.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start `program args` (with the port appended by `args`) and wait until it accepts
/// connections on the port.
fn serve(mut command: Command, port: u16) -> Server {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server on port {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn moto_python() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(|| crate::util::shared_venv("moto-venv", &["moto[server]"]))
        .clone()
}

/// moto's S3 server on a free loopback port, with the bucket `chimp`.
fn s3_server() -> Server {
    let python = moto_python();
    let port = free_port();
    let mut command = Command::new(python.parent().unwrap().join("moto_server"));
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    let server = serve(command, port);
    let script = format!(
        "import boto3\nboto3.client('s3', endpoint_url='http://127.0.0.1:{port}', \
         aws_access_key_id='chimp', aws_secret_access_key='x', region_name='us-east-1')\
         .create_bucket(Bucket='chimp')\n"
    );
    crate::util::python_script(&python, &script, &[]);
    server
}

/// The environment an S3 run gets: the server's endpoint and the test credentials.
fn s3_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{port}")),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "chimp".into()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
}

fn chimp_with(repo: &TestRepo, args: &[&str], env: &[(&'static str, String)]) -> Run {
    let mut command = repo.chimp_in("", args);
    for (key, value) in env {
        command.env(key, value);
    }
    crate::util::run(command)
}

fn gaps_clone() -> TestRepo {
    TestRepo::new(&[("calc.py", GAPS_CALC), ("test_calc.py", GAPS_TESTS)])
}

/// Every file under `dir`, read as text where it is text.
fn texts_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(texts_under(&path));
        } else if let Ok(text) = std::fs::read(&path) {
            out.push((path, String::from_utf8_lossy(&text).into_owned()));
        }
    }
    out
}

fn assert_no_secret(run: &Run, repo: &TestRepo) {
    assert!(!run.stdout.contains(SECRET), "{}", run.stdout);
    assert!(!run.stderr.contains(SECRET), "{}", run.stderr);
    for (path, text) in texts_under(&repo.root.join(".chimp")) {
        assert!(
            !text.contains(SECRET),
            "{} holds the secret",
            path.display()
        );
    }
}

/// The outcomes of a run without any cache: what every cached run must report.
fn truth() -> std::collections::BTreeMap<String, String> {
    let repo = gaps_clone();
    let run = repo.chimp(&["--tests", UNITTEST, "--no-cache"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    repo.statuses()
}

fn shared_warnings(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|line| line.contains("warning: shared cache"))
        .collect()
}

#[test]
#[ignore = "needs the package registry (moto)"]
fn two_clones_share_outcomes_through_s3_and_no_credential_is_shown() {
    let server = s3_server();
    let env = s3_env(server.port);
    let url = "s3://chimp/team/outcomes";
    let first = gaps_clone();
    let run = chimp_with(&first, &["--tests", UNITTEST, "--cache-url", url], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(shared_warnings(&run).is_empty(), "{}", run.stderr);
    // One pack for the file and one per definition with mutants (three).
    assert!(
        run.stderr
            .contains("shared cache s3://chimp/team/outcomes: 4 of 4 packs stored"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run, &first);
    let expected = first.statuses();
    assert_eq!(expected, truth());

    // Another clone of the same tree, with an empty local cache: no test runs at all.
    let second = gaps_clone();
    let before = second.snapshot();
    let run = chimp_with(&second, &["--tests", UNITTEST, "--cache-url", url], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stdout.contains("12 from cache, 0 run"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains("baseline"),
        "no test ran: {}",
        run.stderr
    );
    assert_eq!(second.statuses(), expected);
    assert_no_secret(&run, &second);
    // What it found is in its local cache now: without --cache-url, still no test runs.
    let run = second.chimp(&["--tests", UNITTEST]);
    assert!(
        run.stdout.contains("12 from cache, 0 run"),
        "{}",
        run.stdout
    );
    second.assert_checkout_untouched(&before);

    // `cache stats` shows both levels.
    let stats = chimp_with(&second, &["cache", "stats", "--cache-url", url], &env);
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    // Locally: no entry of its own, the copy of the file's pack it was given.
    assert!(
        stats.stdout.contains("0 entries")
            && stats
                .stdout
                .contains("local copies of shared-cache packs: 1 "),
        "{}",
        stats.stdout
    );
    assert!(
        stats
            .stdout
            .contains("shared cache: s3://chimp/team/outcomes\n4 packs"),
        "{}",
        stats.stdout
    );
    assert!(!stats.stdout.contains(SECRET));
}

#[test]
#[ignore = "needs the package registry (moto)"]
fn a_dead_endpoint_or_a_missing_bucket_is_one_warning_and_the_outcomes_stay_right() {
    let expected = truth();
    // Nothing listens on the port.
    let repo = gaps_clone();
    let env = s3_env(free_port());
    let run = chimp_with(
        &repo,
        &["--tests", UNITTEST, "--cache-url", "s3://chimp/x"],
        &env,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let warnings = shared_warnings(&run);
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("looking up outcomes failed")
            && warnings[0].ends_with("this run uses the local cache only"),
        "{}",
        warnings[0]
    );
    assert_eq!(repo.statuses(), expected);
    assert_no_secret(&run, &repo);

    // A server without the bucket: reads find nothing, the write is refused.
    let server = s3_server();
    let repo = gaps_clone();
    let env = s3_env(server.port);
    let run = chimp_with(
        &repo,
        &["--tests", UNITTEST, "--cache-url", "s3://nobucket/x"],
        &env,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let warnings = shared_warnings(&run);
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("storing outcomes failed"),
        "{}",
        warnings[0]
    );
    assert_eq!(repo.statuses(), expected);
    assert_no_secret(&run, &repo);
}

#[test]
fn a_server_that_refuses_writes_is_one_warning_and_the_outcomes_stay_right() {
    // Python's http.server answers GET (404 here) and refuses PUT (501).
    let served = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut command = Command::new("python3");
    command
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(served.path());
    let _server = serve(command, port);
    let repo = gaps_clone();
    let url = format!("http://user:{SECRET}@127.0.0.1:{port}/cache");
    let run = repo.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let warnings = shared_warnings(&run);
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains(&format!(
            "shared cache http://127.0.0.1:{port}/cache: storing outcomes failed"
        )),
        "{}",
        warnings[0]
    );
    assert_eq!(repo.statuses(), truth());
    assert_no_secret(&run, &repo);
    let config = repo.chimp(&["config", "--cache-url", &url]);
    assert!(
        config
            .stdout
            .contains(&format!("cache-url   http://127.0.0.1:{port}/cache")),
        "{}",
        config.stdout
    );
    assert!(!config.stdout.contains(SECRET), "{}", config.stdout);
}

#[test]
fn damaged_objects_in_a_file_store_are_run_again_and_replaced() {
    let shared = tempfile::tempdir().unwrap();
    let url = format!("file://{}/team", shared.path().display());
    let first = gaps_clone();
    let run = first.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected = first.statuses();
    let objects: Vec<PathBuf> = texts_under(&shared.path().join("team"))
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    let files = objects
        .iter()
        .filter(|path| path.to_string_lossy().contains("/team/files/"))
        .count();
    assert_eq!(files, 1, "one pack for calc.py: {objects:?}");
    assert!(objects.len() > 2, "and one per definition: {objects:?}");
    // Damage every object: garbage, a truncated pack, another object's pack.
    let good = std::fs::read(&objects[1]).unwrap();
    for (n, object) in objects.iter().enumerate() {
        let damaged = match n % 3 {
            0 => b"not an entry".to_vec(),
            1 => good[..good.len() - 1].to_vec(),
            _ => std::fs::read(&objects[(n + 1) % objects.len()]).unwrap(),
        };
        std::fs::write(object, damaged).unwrap();
    }
    let second = gaps_clone();
    let run = second.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("packs or entries are damaged"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("0 from cache, 12 run"),
        "{}",
        run.stdout
    );
    assert_eq!(second.statuses(), expected);
    // The run replaced them: a third clone runs nothing.
    let third = gaps_clone();
    let run = third.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert!(
        run.stdout.contains("12 from cache, 0 run"),
        "{}",
        run.stdout
    );
    assert_eq!(third.statuses(), expected);
}

#[test]
fn a_url_no_store_takes_is_a_usage_error_before_anything_runs() {
    let repo = gaps_clone();
    for (url, expected) in [
        ("ftp://host/cache", "not a store git-chimp knows"),
        ("no scheme", "not a URL"),
    ] {
        let run = repo.chimp(&["--tests", UNITTEST, "--cache-url", url]);
        assert_eq!(run.code, 1, "{url}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{url}: {}", run.stderr);
        assert!(!run.stderr.contains("baseline"), "{}", run.stderr);
    }
}

#[test]
fn after_an_edit_only_the_edited_definitions_mutants_run_the_rest_come_from_the_shared_cache() {
    let shared = tempfile::tempdir().unwrap();
    let url = format!("file://{}/team", shared.path().display());
    let main = gaps_clone();
    let run = main.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // Another clone changes is_adult() only: its file's pack is new, but add() and
    // describe() are found in their definitions' packs.
    let edited = TestRepo::new(&[
        ("calc.py", &GAPS_CALC.replace("age >= 18", "age >= 21")),
        ("test_calc.py", GAPS_TESTS),
    ]);
    let run = edited.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let statuses = edited.statuses();
    let in_is_adult = statuses
        .keys()
        .filter(|key| key.starts_with("calc.py:6:"))
        .count();
    assert!(in_is_adult >= 2, "{statuses:?}");
    assert!(
        run.stdout.contains(&format!(
            "{} from cache, {in_is_adult} run",
            12 - in_is_adult
        )),
        "{}",
        run.stdout
    );
    // It wrote the new file pack with every outcome of the file, also those it found in
    // definition packs: a third clone of the edited tree asks for that one pack only.
    let third = TestRepo::new(&[
        ("calc.py", &GAPS_CALC.replace("age >= 18", "age >= 21")),
        ("test_calc.py", GAPS_TESTS),
    ]);
    let run = third.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert!(
        run.stdout.contains("12 from cache, 0 run"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("12 of 12 local misses found (1 packs fetched"),
        "{}",
        run.stderr
    );
    assert_eq!(third.statuses(), statuses);
}
