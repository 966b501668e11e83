//! Unit tests of the arid-node rules in the walk: each rule on its case next to a near
//! miss that must still be mutated, and the rules' defaults.

use std::collections::BTreeSet;

use crate::python::operators::Operator;

/// Each arid rule's case: (rule, source, a mutated text it leaves out, a near miss it
/// keeps, as `operator original -> replacement` or part of it).
const ARID_CASES: [(crate::python::arid::AridRule, &str, &str, &str); 21] = {
    use crate::python::arid::AridRule;
    [
        (
            AridRule::DeprecationArguments,
            "@deprecated(version=\"2.10\", replace=\"new\")\ndef old():\n    return 1\n",
            "\"2.10\"",
            // The decorator itself can still be removed, and the body is mutated.
            "decorator",
        ),
        (
            AridRule::HelpText,
            "def build(p):\n    p.add_argument(\"--name\", help=\"the name\", default=\"x\")\n",
            "\"the name\"",
            // The option's name and its default are behaviour.
            "\"--name\" -> \"\"",
        ),
        (
            AridRule::ExceptionMessage,
            "def check(x):\n    if x < 0:\n        raise ValueError(\"negative\", x)\n",
            "\"negative\"",
            // The other argument, and the raise itself, stay.
            "x -> None",
        ),
        (
            AridRule::TypingArguments,
            "T = TypeVar(\"T\", bound=\"Base\")\n\ndef f(v):\n    return cast(\"int\", v + 1)\n",
            "\"T\"",
            // The value given to cast is code.
            "+ -> -",
        ),
        (
            AridRule::Repr,
            "class A:\n    def __repr__(self):\n        return \"A(%d)\" % self.n\n\n    def __str__(self):\n        return \"A\"\n",
            "\"A(%d)\"",
            // `__str__` output is often pinned by tests.
            "\"A\" -> \"\"",
        ),
        (
            AridRule::ExceptionMessage,
            "def check(x, m):\n    if x < 0:\n        raise ValueError(\"bad %s\" % x)\n    raise KeyError(m % x)\n",
            "\"bad %s\" % x",
            // A message that is not built from text is code.
            "% -> /",
        ),
        (
            AridRule::ExceptionMessage,
            "import warnings\n\ndef old(x):\n    warnings.warn(\"old; use new\", DeprecationWarning)\n    return x\n",
            "\"old; use new\"",
            // The category, and the call itself, stay.
            "DeprecationWarning -> None",
        ),
        (
            AridRule::TypingArguments,
            "Tree = Optional[List[\"Node\"]]\nMode = Literal[\"r\", \"w\"]\n",
            "\"Node\"",
            // Literal's values are read by validators.
            "\"r\" -> \"\"",
        ),
        (
            AridRule::Logging,
            "def f(log, catalog, x):\n    log.info(\"got %s\", x + 1)\n    catalog.info(\"got\", x)\n",
            "log.info(\"got %s\", x + 1)",
            // A name that only contains `log` is no logger.
            "catalog.info(\"got\", x) -> pass",
        ),
        (
            AridRule::MainBlock,
            "def main():\n    return 1\n\nif __name__ == \"__main__\":\n    main()\n",
            "main()",
            "1 -> 2",
        ),
        (
            AridRule::NoCover,
            "def f(x):\n    if x:  # pragma: no cover\n        return x + 1\n    return x - 1\n",
            "x + 1",
            "- -> +",
        ),
        (
            AridRule::NoCover,
            "def f(x):\n    try:\n        return g(x)\n    except KeyError:  # PRAGMA NO COVER\n        return x * 2\n",
            "x * 2",
            "g(x) -> None",
        ),
        (
            AridRule::HelpText,
            "import argparse\n\ndef build(name):\n    return argparse.ArgumentParser(prog=name, add_help=False)\n",
            "name",
            "False -> True",
        ),
        (
            AridRule::HelpText,
            "def main(parser, args):\n    if not args:\n        parser.print_help()\n        return 2\n",
            "parser.print_help()",
            "2 -> 3",
        ),
        (
            AridRule::Logging,
            "import sys\n\ndef f(err):\n    print(\"ERROR\", err, file=sys.stderr)\n    print(\"result\", err)\n",
            "\"ERROR\"",
            // Standard output is the program's output.
            "\"result\" -> \"\"",
        ),
        (
            AridRule::NoCover,
            "@cache\ndef f(x):  # pragma: no cover\n    return x + 1\n\ndef g(x):\n    return x - 1\n",
            "x + 1",
            "- -> +",
        ),
        (
            AridRule::NamespaceDel,
            "import os\n_p = os.sep\ndel _p\n\ndef f(d, k):\n    del d[k]\n",
            "del _p",
            "del d[k] -> pass",
        ),
        (
            AridRule::DocAssignments,
            "def f():\n    return 0\nf.__doc__ = \"Say hi.\"\nx = \"hi\"\n",
            "\"Say hi.\"",
            "\"hi\" -> \"\"",
        ),
        (
            AridRule::VersionCheck,
            "import sys\n\ndef f(x, info):\n    if sys.version_info >= (3, 8):\n        return x + 1\n    return info.version_info >= (3, 8)\n",
            "sys.version_info >= (3, 8)",
            // Another object's `version_info`, and the branch's code, stay.
            "info.version_info >= (3, 8) -> ",
        ),
        (
            AridRule::ImportFallback,
            "try:\n    import ujson as json\nexcept ImportError:\n    import json\n\ntry:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
            "import json",
            // A fallback that binds a value stays.
            "yaml = None -> pass",
        ),
        (
            AridRule::ExceptionMessage,
            "class BadName(ValueError):\n    def __init__(self, name, code):\n        super().__init__(name, code=code)\n        self.code = code + 1\n",
            "code",
            // The exception's own attribute stays.
            "+ -> -",
        ),
    ]
};

/// Each arid rule on its case, next to a near miss that must still be mutated; and every
/// rule switched off gives the mutants back.
#[test]
fn arid_rules_leave_out_their_case_and_keep_the_near_miss() {
    use crate::python::arid::AridRule;
    let cases = ARID_CASES;
    let all_operators: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    for (rule, source, arid_text, near_miss) in cases {
        let with = |rules: &BTreeSet<AridRule>| -> Vec<String> {
            crate::python::discover::mutate_source_with("m.py", source, &all_operators, rules)
                .unwrap()
                .iter()
                .map(|m| format!("{} {} -> {}", m.operator, m.original, m.replacement))
                .collect()
        };
        let on = with(&AridRule::ALL.iter().copied().collect());
        let off = with(
            &AridRule::ALL
                .iter()
                .copied()
                .filter(|r| *r != rule)
                .collect(),
        );
        // Every rule but no-cover is on by default.
        let by_default = crate::python::discover::mutate_source("m.py", source, &all_operators)
            .unwrap()
            .iter()
            .any(|m| format!(" {} -> ", m.original).contains(&format!(" {arid_text} -> ")));
        assert_eq!(by_default, rule == AridRule::NoCover, "{rule:?} by default");
        let of_it = format!(" {arid_text} -> ");
        assert!(
            !on.iter().any(|m| m.contains(&of_it)),
            "{rule:?} left a mutant of {arid_text}: {on:#?}"
        );
        assert!(
            on.iter().any(|m| m.contains(near_miss)),
            "{rule:?} also took the near miss {near_miss}: {on:#?}"
        );
        assert!(
            off.iter().any(|m| m.contains(&of_it)),
            "without {rule:?}, {arid_text} is mutated: {off:#?}"
        );
    }
    assert_eq!(
        AridRule::selected(&[], &[AridRule::HelpText]).len(),
        AridRule::ALL.len() - 2
    );
    // In a package's __main__.py too, the guard's block is only run by a subprocess;
    // the `main()` defined there stays mutated.
    let main = "import sys\n\ndef main():\n    return 2\n\nif __name__ == \"__main__\":\n    sys.exit(main())\n";
    for path in ["pkg/__main__.py", "pkg/cli.py"] {
        let found: Vec<String> = crate::python::discover::mutate_source(path, main, &all_operators)
            .unwrap()
            .iter()
            .map(|m| format!("{}:{} {}", m.start.line, m.start.column, m.operator))
            .collect();
        assert_eq!(found, ["4:12 return-value", "4:12 number"], "{path}");
    }
    assert_eq!(
        AridRule::selected(&[AridRule::Repr], &[]),
        [AridRule::Repr].into_iter().collect()
    );
    assert!(
        "reprs"
            .parse::<AridRule>()
            .unwrap_err()
            .contains("the rules are")
    );
}

/// argparse's `version=` text is arid, but `version=None` makes `--version` crash: that
/// mutant stays; `version=` elsewhere is code.
#[test]
fn the_version_action_keeps_its_none_mutant_but_not_its_text() {
    use crate::python::arid::AridRule;
    let source = "def build(p, v):\n    p.add_argument(\"--version\", action=\"version\", version=\"%(prog)s \" + v)\n    p.add_argument(\"--level\", version=\"2\")\n";
    let operators: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let with = |rules: BTreeSet<AridRule>| -> Vec<String> {
        crate::python::discover::mutate_source_with("m.py", source, &operators, &rules)
            .unwrap()
            .iter()
            .map(|m| format!("{} {} -> {}", m.operator, m.original, m.replacement))
            .collect()
    };
    let on = with(AridRule::defaults());
    assert!(
        on.contains(&"call-argument \"%(prog)s \" + v -> None".to_owned()),
        "{on:#?}"
    );
    assert!(
        !on.iter().any(|m| m.contains("\"%(prog)s \" -> ")),
        "{on:#?}"
    );
    assert!(on.contains(&"string \"2\" -> \"\"".to_owned()), "{on:#?}");
    let off = with(
        AridRule::ALL
            .iter()
            .copied()
            .filter(|r| *r != AridRule::HelpText)
            .collect(),
    );
    assert!(
        off.contains(&"string \"%(prog)s \" -> \"\"".to_owned()),
        "{off:#?}"
    );
}

/// Each rule's fixture under `tests/fixtures/arid/` (its cases and their near misses),
/// with every rule on: the mutants that remain, as `git chimp list` shows them, pinned
/// by a snapshot; and with the rule off, more mutants (the rule takes something).
#[test]
fn every_arid_fixture() {
    use crate::python::arid::AridRule;
    use std::fmt::Write as _;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/arid");
    let operators: BTreeSet<Operator> = Operator::ALL.iter().copied().collect();
    let every: BTreeSet<AridRule> = AridRule::ALL.iter().copied().collect();
    let mut names = Vec::new();
    for &rule in AridRule::ALL {
        let name = format!("{}.py", rule.name());
        let source = std::fs::read_to_string(dir.join(&name))
            .unwrap_or_else(|err| panic!("tests/fixtures/arid/{name}: {err}"));
        let on = crate::python::discover::mutate_source_with(&name, &source, &operators, &every)
            .unwrap();
        let without: BTreeSet<AridRule> = every.iter().copied().filter(|r| *r != rule).collect();
        let off = crate::python::discover::mutate_source_with(&name, &source, &operators, &without)
            .unwrap();
        assert!(
            off.len() > on.len(),
            "{name}: switching {} off makes no more mutants",
            rule.name()
        );
        let mut listed = String::new();
        for mutant in &on {
            let _ = writeln!(listed, "{}", crate::report::terminal::mutant_line(mutant));
        }
        insta::with_settings!({prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("arid_{}", rule.name()), listed);
        });
        names.push(name);
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    names.sort();
    assert_eq!(on_disk, names, "a fixture per rule, and no other");
}
