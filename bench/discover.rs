//! Discovery speed over the Python standard library of the machine's `python3` (or of
//! `--python <interpreter>`): every `.py` file (tests included, `site-packages`
//! excluded) parsed and mutated, as `git chimp list` would. With `--reparse`, every
//! mutant is also re-parsed (the check the runner makes before running a mutant), to
//! show what that costs.
//!
//!     cargo bench --bench discover [-- --reparse] [-- --python ~/.pyenv/versions/3.13.0/bin/python3]

#![allow(
    unreachable_pub,
    clippy::cast_precision_loss,
    reason = "a benchmark printing rates; helpers shared with the tests"
)]

use std::collections::BTreeSet;
use std::time::Instant;

use git_chimp::python::discover::mutate_source;
use git_chimp::python::operators::Operator;

#[path = "../tests/support/stdlib.rs"]
mod stdlib;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reparse = args.iter().any(|arg| arg == "--reparse");
    let python = args
        .iter()
        .position(|arg| arg == "--python")
        .and_then(|at| args.get(at + 1))
        .map_or_else(|| "python3".into(), std::path::PathBuf::from);
    let stdlib = stdlib::dir_of(&python);
    let files = stdlib::python_files_in(&stdlib);
    let operators: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let start = Instant::now();
    let (mut mutants, mut skipped, mut bytes, mut reparse_failures) =
        (0usize, 0usize, 0usize, 0usize);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            skipped += 1;
            continue;
        };
        bytes += text.len();
        match mutate_source(&path.to_string_lossy(), &text, &operators) {
            Ok(found) => {
                mutants += found.len();
                if reparse {
                    reparse_failures += found.iter().filter(|m| !m.reparses(&text)).count();
                }
            }
            Err(_) => skipped += 1,
        }
    }
    let elapsed = start.elapsed();
    println!("stdlib: {}", stdlib.display());
    println!(
        "{} files ({:.1} MB), {skipped} skipped, {mutants} mutants in {:.2}s ({:.0} mutants/s){}",
        files.len(),
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        mutants as f64 / elapsed.as_secs_f64(),
        if reparse {
            format!(", re-parsed each: {reparse_failures} failures")
        } else {
            String::new()
        }
    );
}
