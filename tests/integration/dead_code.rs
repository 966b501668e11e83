//! Dead code that needs the whole repository to see (#29): a module constant no other
//! place names is reported once and gets no mutants.

use crate::util::TestRepo;

#[test]
fn a_module_constant_no_other_file_names_is_dead_code_and_one_a_test_reads_is_mutated() {
    let repo = TestRepo::new(&[
        (
            "lib/patterns.py",
            "DIGITS = '0123456789'\nHEX = DIGITS + 'abcdef'\nOCTAL = '01234567'\n\n\ndef is_hex(text):\n    return all(c in HEX for c in text)\n",
        ),
        (
            "tests/test_patterns.py",
            "from lib.patterns import is_hex, DIGITS\n\n\ndef test_hex():\n    assert is_hex('ff') and DIGITS\n",
        ),
    ]);
    let run = repo.chimp(&["list", "--tests", "python3 -m pytest"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains(
            "lib/patterns.py:3  `OCTAL` is never read: the name appears nowhere else in the repository"
        ),
        "{said}"
    );
    // No mutant inside it; the constants others read keep theirs.
    assert!(!run.stdout.contains("'01234567' -> "), "{}", run.stdout);
    assert!(run.stdout.contains("'0123456789' -> "), "{}", run.stdout);
    assert!(run.stdout.contains("'abcdef' -> "), "{}", run.stdout);
    // Switched off with the rule, they are mutated like any code.
    let run = repo.chimp(&[
        "list",
        "--tests",
        "python3 -m pytest",
        "--no-arid",
        "dead-code",
    ]);
    assert!(run.stdout.contains("'01234567' -> "), "{}", run.stdout);
}
