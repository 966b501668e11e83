//! Unit tests of the walk: which mutants a piece of source gets.

use super::*;

/// `line:col operator: original -> replacement`, one per mutant of `source` (every
/// operator), each checked to re-parse: what operator and walk tests assert on.
pub(crate) fn mutants(source: &str) -> Vec<String> {
    let all: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let found = mutate_source("m.py", source, &all).unwrap();
    for mutant in &found {
        assert!(mutant.reparses(source), "does not parse: {mutant:?}");
    }
    found
        .iter()
        .map(|m| {
            format!(
                "{}:{} {}: {} -> {}",
                m.start.line, m.start.column, m.operator, m.original, m.replacement
            )
        })
        .collect()
}

#[test]
fn docstrings_and_annotations_are_not_mutated_but_fstring_fields_are() {
    let found = mutants(
        "\"\"\"Module.\"\"\"\n\ndef f(x: int = 1) -> \"Ret\":\n    \"\"\"Doc.\"\"\"\n    y: list[int] = []\n    return f\"{x + 1}\"\n",
    );
    assert_eq!(
        found,
        vec![
            "3:16 number: 1 -> 2",
            "5:5 statement-delete: y: list[int] = [] -> pass",
            "6:12 return-value: f\"{x + 1}\" -> None",
            "6:17 binary-operator: + -> -",
            "6:19 number: 1 -> 2",
        ]
    );
}

#[test]
fn module_metadata_is_not_mutated_but_class_dunders_are() {
    let found = mutants(
        "__all__ = [\"f\"]\n__version__: str = \"1.0\"\n__all__ += [\"g\"]\nLIMIT = 2\n\n\nclass C:\n    __slots__ = (\"a\",)\n",
    );
    assert_eq!(
        found,
        vec![
            "4:1 statement-delete: LIMIT = 2 -> pass",
            "4:9 number: 2 -> 3",
            "8:5 statement-delete: __slots__ = (\"a\",) -> pass",
            "8:18 string: \"a\" -> \"\"",
        ]
    );
}

#[test]
fn operators_are_found_by_their_exact_tokens_even_inside_parentheses() {
    let found = mutants("z = (a) +(b)\nw = a not in b\nv = x is not None\n");
    assert!(
        found.contains(&"1:9 binary-operator: + -> -".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"2:7 comparison: not in -> in".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"3:7 comparison: is not -> is".to_owned()),
        "{found:?}"
    );
}

#[test]
fn statements_loops_handlers_and_decorators() {
    let found = mutants(
        "@dec\n@other(1)\ndef f(xs):\n    for x in xs:\n        if x:\n            break\n        continue\n    try:\n        g()\n    except E:\n        h()\n",
    );
    for expected in [
        "1:1 decorator: @dec\n -> ",
        "2:1 decorator: @other(1)\n -> ",
        "4:14 zero-iteration: xs -> []",
        "5:12 condition: x -> not (x)",
        "6:13 loop-control: break -> continue",
        "7:9 loop-control: continue -> break",
        "9:9 statement-delete: g() -> pass",
        "11:9 exception-handler: h() -> raise",
    ] {
        assert!(
            found.contains(&expected.to_owned()),
            "{expected:?} not in {found:#?}"
        );
    }
}

#[test]
fn pragma_lines_are_skipped_and_order_is_by_position() {
    let found = mutants("a = 1 + 2  # pragma: no mutate\nb = True and False\n");
    assert_eq!(
        found,
        vec![
            "2:1 statement-delete: b = True and False -> pass",
            "2:5 boolean-constant: True -> False",
            "2:10 boolean-operator: and -> or",
            "2:14 boolean-constant: False -> True",
        ]
    );
}

#[test]
fn scopes_carry_python_qualified_names() {
    let all: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let source = "class C:\n    def m(self):\n        def inner():\n            return 1\n        return inner\nX = 2\n";
    let found = mutate_source("m.py", source, &all).unwrap();
    let names: Vec<&str> = found.iter().map(|m| m.scope.qualname.as_str()).collect();
    assert_eq!(
        names,
        vec!["C.m.<locals>.inner", "C.m.<locals>.inner", "C.m", "", ""]
    );
}

#[test]
fn a_file_that_does_not_parse_is_a_parse_skip() {
    let all: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let skip = mutate_source("m.py", "def f(:\n", &all).unwrap_err();
    assert!(skip.message.starts_with("line 1, column"), "{skip}");
}

/// Python 3.12-3.14 syntax: each construct parses and gets exactly these mutants (the
/// expressions inside f-string and t-string replacement fields included, never their
/// literal parts or format specs, never type parameters or aliases).
#[test]
fn modern_syntax_gets_exact_mutants() {
    let cases: [(&str, &[&str]); 10] = [
        (
            // PEP 701: quotes reused inside the replacement fields.
            "def f(d):\n    return f\"{d[\"a\"]} and {\", \".join(d[\"b\"])}\"\n",
            &[
                "2:12 return-value: f\"{d[\"a\"]} and {\", \".join(d[\"b\"])}\" -> None",
                "2:17 string: \"a\" -> \"\"",
                "2:28 string: \", \" -> \"\"",
                "2:38 call-argument: d[\"b\"] -> None",
                "2:40 string: \"b\" -> \"\"",
            ],
        ),
        (
            // PEP 750 t-strings; the format spec `>{width}` is left alone.
            "def g(name, x, width):\n    return t\"hello {name} {x + 1:>{width}}\"\n",
            &[
                "2:12 return-value: t\"hello {name} {x + 1:>{width}}\" -> None",
                "2:30 binary-operator: + -> -",
                "2:32 number: 1 -> 2",
            ],
        ),
        (
            // PEP 695 type parameters and `type` statements: annotations.
            "type Pair[T] = tuple[T, T]\n\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\n",
            &["4:12 return-value: xs[0] -> None", "4:15 number: 0 -> 1"],
        ),
        (
            "def h():\n    try:\n        run()\n    except* ValueError:\n        log()\n",
            &[
                "3:9 statement-delete: run() -> pass",
                "5:9 statement-delete: log() -> pass",
                "5:9 exception-handler: log() -> raise",
            ],
        ),
        (
            "def m(x):\n    match x:\n        case [a, b] if a > b:\n            return a\n        case _:\n            return 0\n",
            &[
                // The first case can go: `case _` catches what it did.
                "3:1 statement-delete:         case [a, b] if a > b:\n            return a\n -> ",
                "3:26 comparison: > -> >=",
                "4:20 return-value: a -> None",
                "6:20 return-value: 0 -> None",
                "6:20 number: 0 -> 1",
            ],
        ),
        (
            "def w(xs):\n    if (n := len(xs)) > 3:\n        return n\n",
            &[
                "2:8 condition: (n := len(xs)) > 3 -> not ((n := len(xs)) > 3)",
                "2:18 call-argument: xs -> None",
                "2:23 comparison: > -> >=",
                "2:25 number: 3 -> 4",
                "3:16 return-value: n -> None",
            ],
        ),
        (
            "async def a(source):\n    return [x async for x in source() if x % 2]\n",
            &[
                "2:12 return-value: [x async for x in source() if x % 2] -> None",
                "2:44 binary-operator: % -> /",
                "2:46 number: 2 -> 3",
            ],
        ),
        (
            // PEP 614: any expression as a decorator.
            "@buttons[0].clicked.connect\ndef on_click():\n    pass\n",
            &[
                "1:1 decorator: @buttons[0].clicked.connect\n -> ",
                "1:10 number: 0 -> 1",
            ],
        ),
        (
            // Parenthesised context managers.
            "def c(a, b):\n    with (open(a) as f, open(b) as g):\n        return f.read() + g.read()\n",
            &[
                "2:16 call-argument: a -> None",
                "2:30 call-argument: b -> None",
                "3:16 return-value: f.read() + g.read() -> None",
                "3:25 binary-operator: + -> -",
            ],
        ),
        (
            // Backslashes and comments inside replacement fields (3.12).
            "def b(xs, a, c):\n    return f\"{'\\n'.join(xs)} {\n        a + c  # the sum\n    }\"\n",
            &[
                "2:12 return-value: f\"{'\\n'.join(xs)} {\n        a + c  # the sum\n    }\" -> None",
                "2:15 string: '\\n' -> ''",
                "2:25 call-argument: xs -> None",
                "3:11 binary-operator: + -> -",
            ],
        ),
    ];
    let mut failed = Vec::new();
    for (source, expected) in cases {
        let found = mutants(source);
        if found != expected {
            failed.push(format!("{source}\n  found: {found:#?}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn a_statement_after_a_dedent_gets_its_string_and_unary_mutants() {
    let found = mutants("def f(xs):\n    if xs:\n        pass\n    \"-\".join(xs)\n    -g()\n");
    assert!(
        found.contains(&"4:5 string: \"-\" -> \"\"".to_owned()),
        "{found:#?}"
    );
    assert!(
        found.contains(&"5:5 unary-operator: - -> ".to_owned()),
        "{found:#?}"
    );
}

#[test]
fn debug_fields_and_fstrings_under_a_pragma_are_left_alone() {
    // `{a + b=}` prints its own source text.
    assert_eq!(
        mutants("def f(a, b):\n    return f\"{a + b=}\"\n"),
        ["2:12 return-value: f\"{a + b=}\" -> None"]
    );
    // No comment fits inside a triple-quoted string: its last line's pragma covers it.
    let found = mutants(
        "def q(id):\n    return f\"\"\"SELECT *\nWHERE id = {id + 1}\n\"\"\"  # pragma: no mutate\n",
    );
    assert!(found.is_empty(), "{found:#?}");
}

/// Twin definitions (the same text under two names, or one name defined twice) and a
/// repeated statement get keys of their own: the cache and accepted survivors must
/// not mistake one for the other.
#[test]
fn twin_definitions_have_distinct_cache_and_accepted_keys() {
    let source = "class A:\n    def double(self):\n        return self.n * 2\n\n\nclass B:\n    def double(self):\n        return self.n * 2\n\n\nLIMIT = 10\nLIMIT = 10\n";
    let operators: BTreeSet<Operator> = [Operator::BinaryOperator, Operator::Number]
        .into_iter()
        .collect();
    let mutants = mutate_source("m.py", source, &operators).unwrap();
    let fingerprint = crate::cache::TestFingerprint::of([("t.py", b"t".to_vec())]);
    let keys: BTreeSet<String> = mutants
        .iter()
        .map(|m| {
            crate::cache::CacheKey::new(m, source, "pytest", fingerprint)
                .as_str()
                .to_owned()
        })
        .collect();
    let accepted: BTreeSet<String> = mutants
        .iter()
        .map(|m| crate::accepted::key(m, source))
        .collect();
    assert_eq!(mutants.len(), 6, "{mutants:#?}");
    assert_eq!(keys.len(), 6);
    assert_eq!(accepted.len(), 6);
    let limits: Vec<usize> = mutants
        .iter()
        .filter(|m| m.scope.qualname.is_empty())
        .map(|m| m.scope.occurrence)
        .collect();
    assert_eq!(limits, [0, 1]);
}
