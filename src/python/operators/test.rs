//! The catalogue's names, order and documentation.

use super::*;

/// The names are in reports, mutant ids and cache keys: renaming a variant must not
/// change them unnoticed.
#[test]
fn names_are_stable_and_parse_back() {
    let names: Vec<&str> = Operator::ALL.iter().map(|op| op.name()).collect();
    assert_eq!(
        names,
        [
            "statement-delete",
            "return-value",
            "binary-operator",
            "augmented-assign",
            "comparison",
            "boolean-operator",
            "unary-operator",
            "condition",
            "number",
            "boolean-constant",
            "string",
            "loop-control",
            "zero-iteration",
            "exception-handler",
            "decorator",
            "call-argument",
        ]
    );
    for &op in Operator::ALL {
        assert_eq!(op.name().parse::<Operator>(), Ok(op));
    }
    let mut by_signal = Operator::ALL.to_vec();
    by_signal.sort_by_key(|op| op.signal_rank());
    let by_signal: Vec<&str> = by_signal.iter().map(|op| op.name()).collect();
    assert_eq!(
        by_signal,
        [
            "statement-delete",
            "return-value",
            "condition",
            "comparison",
            "boolean-operator",
            "binary-operator",
            "augmented-assign",
            "unary-operator",
            "loop-control",
            "zero-iteration",
            "exception-handler",
            "boolean-constant",
            "number",
            "decorator",
            "call-argument",
            "string",
        ],
        "the signal ranks, as reports and the budget order by them"
    );
    assert!(
        "comparision"
            .parse::<Operator>()
            .unwrap_err()
            .contains("comparison")
    );
}

/// Each operator's description is the first paragraph of its unit's `///` doc, one line.
#[test]
fn descriptions_come_from_the_units_docs() {
    for &operator in Operator::ALL {
        let description = operator.description();
        assert!(!description.is_empty(), "{operator} has no doc");
        assert!(!description.contains('\n'), "{operator}: {description}");
        assert!(
            operator.doc().trim_start().starts_with(&description[..10]),
            "{operator}"
        );
    }
    assert_eq!(
        Operator::ReturnValue.description(),
        "`return x` becomes `return None`"
    );
}

/// The README's operator table is the one `markdown_table` makes from the docs.
#[test]
fn the_readme_table_is_generated_from_the_docs() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table = markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's operator table differs from the operators' docs; put this under \
         \"### Operators\":\n\n{table}"
    );
}
