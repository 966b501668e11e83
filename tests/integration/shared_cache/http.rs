//! `http://` and `https://` stores: a minimal Python server that takes the URL's user
//! and password (basic authentication), and TLS with a loopback certificate the system
//! trusts or does not.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{SECRET, assert_no_secret, chimp_with, free_port, gaps_clone, serve, shared_warnings};
use crate::sweep::UNITTEST;

/// A minimal server for `http(s)://` stores: GET and PUT of files under `root`, each only
/// with the basic authentication of `chimp:<SECRET>` (401 otherwise). With a certificate
/// and key file as fourth and fifth arguments it speaks TLS.
const AUTH_SERVER: &str = r#"
import base64, http.server, os, ssl, sys
port, root, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
expected = "Basic " + base64.b64encode(("chimp:" + secret).encode()).decode()
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def allowed(self):
        if self.headers.get("Authorization") == expected:
            return True
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False
    def path_on_disk(self):
        return os.path.join(root, self.path.lstrip("/").split("?")[0])
    def do_GET(self):
        if not self.allowed():
            return
        path = self.path_on_disk()
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_PUT(self):
        if not self.allowed():
            return
        data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        path = self.path_on_disk()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").write(data)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if len(sys.argv) > 5:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
"#;

#[test]
fn an_https_store_gets_the_urls_user_and_password_and_a_wrong_one_is_one_warning() {
    let served = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut command = Command::new("python3");
    command
        .args(["-c", AUTH_SERVER, &port.to_string()])
        .arg(served.path())
        .arg(SECRET);
    let _server = serve(command, port);
    let url = format!("http://chimp:{SECRET}@127.0.0.1:{port}/cache");
    let first = gaps_clone();
    let run = first.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(shared_warnings(&run).is_empty(), "{}", run.stderr);
    assert_no_secret(&run, &first);
    let second = gaps_clone();
    let run = second.chimp(&["--tests", UNITTEST, "--cache-url", &url]);
    assert!(
        run.stdout.contains("12 from cache, 0 run"),
        "{}",
        run.stdout
    );
    assert_no_secret(&run, &second);

    let wrong = format!("http://chimp:not-the-password@127.0.0.1:{port}/cache");
    let third = gaps_clone();
    let run = third.chimp(&["--tests", UNITTEST, "--cache-url", &wrong]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(shared_warnings(&run).len(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("not-the-password"), "{}", run.stderr);
    assert!(
        run.stdout.contains("0 from cache, 12 run"),
        "{}",
        run.stdout
    );
    assert_eq!(third.statuses(), first.statuses());
}

/// A certificate authority and a certificate for 127.0.0.1 it signed, made by `openssl`
/// in `dir`: (the authority's certificate, the server's certificate, its key).
fn loopback_certificate(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=chimp test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

/// TLS works (rustls on `ring`, see `Cargo.toml`): an `https://` store whose server's
/// certificate the system trusts (`SSL_CERT_FILE` names its authority) shares outcomes
/// between two clones; one whose authority is not trusted is one warning.
#[test]
fn an_https_store_over_tls_shares_outcomes_and_an_untrusted_certificate_is_one_warning() {
    let served = tempfile::tempdir().unwrap();
    let certs = tempfile::tempdir().unwrap();
    let (authority, certificate, key) = loopback_certificate(certs.path());
    let port = free_port();
    let mut command = Command::new("python3");
    command
        .args(["-c", AUTH_SERVER, &port.to_string()])
        .arg(served.path())
        .arg(SECRET)
        .arg(&certificate)
        .arg(&key);
    let _server = serve(command, port);
    let url = format!("https://chimp:{SECRET}@127.0.0.1:{port}/cache");
    let trusted = [("SSL_CERT_FILE", authority.display().to_string())];
    let first = gaps_clone();
    let run = chimp_with(
        &first,
        &["--tests", UNITTEST, "--cache-url", &url],
        &trusted,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(shared_warnings(&run).is_empty(), "{}", run.stderr);
    let second = gaps_clone();
    let run = chimp_with(
        &second,
        &["--tests", UNITTEST, "--cache-url", &url],
        &trusted,
    );
    assert!(
        run.stdout.contains("12 from cache, 0 run"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(second.statuses(), first.statuses());

    // The server's own certificate is no authority: nothing is trusted, nothing shared.
    let untrusted = [("SSL_CERT_FILE", certificate.display().to_string())];
    let third = gaps_clone();
    let run = chimp_with(
        &third,
        &["--tests", UNITTEST, "--cache-url", &url],
        &untrusted,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(shared_warnings(&run).len(), 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("0 from cache, 12 run"),
        "{}",
        run.stdout
    );
    assert_eq!(third.statuses(), first.statuses());
}
