//! Build script: records the git revision the binary is built from, for `--version`.
//! Outside git-chimp's own checkout (a crate or sdist build) the revision is "unknown",
//! unless `GIT_CHIMP_REVISION` is set for the build.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GIT_CHIMP_REVISION");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let same_dir = |top: &str| {
        Path::new(top).canonicalize().ok() == Path::new(&manifest_dir).canonicalize().ok()
    };
    // Only our own checkout counts, not a repository the sources happen to sit in.
    let ours = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| same_dir(&top));
    let revision = std::env::var("GIT_CHIMP_REVISION")
        .ok()
        .filter(|revision| !revision.is_empty())
        .or_else(|| {
            ours.then(|| git(&["rev-parse", "--short=12", "HEAD"]))
                .flatten()
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=GIT_CHIMP_REVISION={revision}");
    if ours {
        // Rebuild when HEAD moves: HEAD itself, the branch it names, packed refs. Only
        // paths that exist: cargo counts a missing one as changed on every build. (A
        // branch whose loose ref is missing lives in packed-refs, which then exists.)
        let mut paths = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
        paths.extend(git(&["symbolic-ref", "-q", "HEAD"]));
        for path in paths {
            if let Some(path) = git(&["rev-parse", "--git-path", &path])
                && Path::new(&path).exists()
            {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
}
