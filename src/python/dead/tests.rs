//! Which code the dead-code pass calls dead, and which it must not.

use super::*;

/// `first-last why` for each dead block of `source` (lines 1-based).
fn dead(source: &str) -> Vec<String> {
    let module = crate::python::parse::parse_module(source, "m.py").unwrap();
    dead_blocks(&module.body)
        .into_iter()
        .map(|block| {
            let first = module.lines.line_of(block.span.start) + 1;
            let last = module.lines.line_of(block.span.last_byte()) + 1;
            format!("{first}-{last} {}", block.why)
        })
        .collect()
}

#[test]
fn code_after_an_early_return_is_dead_unless_it_changes_the_function() {
    assert_eq!(
        dead("def f(x):\n    if x:\n        return 1\n        x = 2\n        g(x)\n    return x\n"),
        ["4-5 after `return`: it never runs"]
    );
    // A `yield` after the return makes the function a generator: it matters.
    assert!(dead("def f():\n    return\n    yield 1\n").is_empty());
    assert_eq!(
        dead("def f(xs):\n    for x in xs:\n        continue\n        print(x)\n"),
        ["4-4 after `continue`: it never runs"]
    );
}

#[test]
fn a_value_overwritten_on_every_path_before_any_read_is_dead() {
    // The duplicate block: the first `if` only assigns what the second assigns again.
    let source = "def f(a, x, y):\n    if a:\n        r = x\n    else:\n        r = y\n    if a:\n        r = g(x)\n    else:\n        r = g(y)\n    return r\n";
    assert_eq!(
        dead(source),
        ["2-5 the value it assigns is never read: `r`"]
    );
    // Read on one path: live.
    assert!(
        dead("def f(a, x):\n    r = x\n    if a:\n        return r\n    r = 2\n    return r\n")
            .is_empty()
    );
    // Never read again.
    assert_eq!(
        dead("def f(x):\n    y = (x, 1)\n    return x\n"),
        ["2-2 the value it assigns is never read: `y`"]
    );
    // A value whose evaluation can raise: deleting it changes what some input
    // raises (`f({})` raises KeyError).
    for source in [
        "def f(d):\n    y = d['key']\n    y = 2\n    return y\n",
        "def f(a, b):\n    y = a / b\n    return a\n",
        "def f(o):\n    y = o.name\n    return o\n",
    ] {
        assert!(dead(source).is_empty(), "{source}");
    }
}

#[test]
fn loops_carry_values_to_their_next_pass() {
    // `k` is read at the loop's head on the next pass: live.
    let source = "def f(s, j):\n    k = 0\n    while True:\n        k = s.find('-', k, j)\n        if k < 0:\n            break\n        k = k + 3\n    return 1\n";
    assert!(dead(source).is_empty(), "{:?}", dead(source));
    let source = "def f(xs):\n    total = 0\n    for x in xs:\n        total = total + x\n    return total\n";
    assert!(dead(source).is_empty(), "{:?}", dead(source));
    // Assigned on every pass and never read: dead.
    assert_eq!(
        dead("def f(xs):\n    for x in xs:\n        last = 1\n    return 1\n"),
        ["3-3 the value it assigns is never read: `last`"]
    );
}

#[test]
fn what_the_pass_cannot_follow_is_never_called_dead() {
    for source in [
        // An exception can leave a try or with block half done.
        "def f(x):\n    y = 1\n    try:\n        y = g(x)\n    finally:\n        pass\n    return y\n",
        "def f(x):\n    y = 1\n    with g():\n        y = 2\n    return y\n",
        // Names another scope or another module reads.
        "def f():\n    global g\n    g = 1\n    g = 2\n",
        "def f():\n    n = 1\n    def inner():\n        nonlocal n\n        n = 2\n    n = 3\n    return inner\n",
        "def f():\n    x = 1\n    def inner():\n        return x\n    x = 2\n    return inner\n",
        "def f():\n    x = 1\n    del x\n",
        // A value with a side effect.
        "def f(g):\n    x = g()\n    x = 2\n    return x\n",
        "def f(log, r):\n    x = log.format(r)\n    x = 2\n    return x\n",
        // Names read dynamically, through the frame or from a text.
        "def f():\n    x = 1\n    return locals()\n",
        "def f(sys):\n    y = 1\n    return sys._getframe().f_locals\n",
        "def f(ne, x):\n    a = 2\n    return ne.evaluate('a * x')\n",
        // `for out[0] in xs` reads `out`.
        "def f(xs):\n    out = [0]\n    for out[0] in xs:\n        pass\n    return 1\n",
        // An unhashable element raises; a local may be unbound.
        "def f(key):\n    seen = {key}\n    return 1\n",
        "def f(flag):\n    if flag:\n        y = 1\n    x = y\n    return 0\n",
        // `super()` reads `self`.
        "class C(B):\n    def f(self, other):\n        self = other\n        return super().f()\n",
        // Unreached, but it makes `x` local: `g()` raises instead of reading the global.
        "def g():\n    return x\n    x = 2\n",
    ] {
        assert!(dead(source).is_empty(), "{source}: {:?}", dead(source));
    }
}
