"""A concrete input for a survivor: copying a call's arguments, their neighbours, and
the first call on which the original and the mutant differ, as a pytest assertion."""

import sys

from git_chimp_worker import probe


def bulk_discount(quantity):
    if quantity >= 100:
        return 15
    return 0


def bulk_discount_mutant(quantity):
    if quantity > 100:
        return 15
    return 0


def copied(function, *args, **kwargs):
    """What `probe.arguments_of` copies from `function`'s frame when called so."""
    seen = []

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code is function.__code__:
            seen.append(probe.arguments_of(frame))

    sys.settrace(tracer)
    try:
        function(*args, **kwargs)
    finally:
        sys.settrace(None)
    return seen


def test_the_boundary_a_survivor_moved_is_found_from_a_neighbour_of_a_recorded_call():
    copies = copied(bulk_discount, 101)
    assert copies and copies[0] is not None
    difference, tried = probe.first_difference(
        "bulk_discount", bulk_discount, bulk_discount_mutant, bulk_discount.__code__, copies
    )
    assert difference is not None
    assert difference.assertion() == "from test_probe import bulk_discount\nassert bulk_discount(100) == 15"
    # 101 first, then 102, then 100.
    assert tried == 3


def test_no_difference_is_found_for_an_equivalent_change():
    def twice(x):
        return x * 2

    def twice_too(x):
        return x + x

    difference, tried = probe.first_difference(
        "twice", twice, twice_too, twice.__code__, copied(twice, 5)
    )
    assert difference is None
    assert tried == 3


def test_exceptions_are_outcomes_and_become_pytest_raises():
    def check(n):
        if n < 0:
            raise ValueError("negative")
        return n

    def check_mutant(n):
        return n

    difference, _ = probe.first_difference(
        "check", check, check_mutant, check.__code__, copied(check, 0)
    )
    assert difference is not None
    assert difference.assertion() == "with pytest.raises(ValueError):\n    check(-1)"


def test_an_argument_that_cannot_be_copied_leaves_nothing_to_try():
    def length(stream):
        return len(stream.read())

    with open(__file__) as stream:
        copies = copied(length, stream)
    assert copies == [None]


def test_keyword_only_and_variadic_parameters_are_called_and_written_back():
    def f(a, *rest, scale=1, **options):
        return (a + sum(rest)) * scale + len(options)

    def f_mutant(a, *rest, scale=1, **options):
        return (a - sum(rest)) * scale + len(options)

    copies = copied(f, 1, 2, scale=3, flag=True)
    difference, _ = probe.first_difference("f", f, f_mutant, f.__code__, copies)
    assert difference is not None
    assert difference.assertion() == "assert f(1, 2, scale=3, flag=True) == 10"


def test_values_that_are_not_literals_are_said_in_words():
    class Box:
        def __init__(self, n):
            self.n = n

        def __eq__(self, other):
            return isinstance(other, Box) and other.n == self.n

        def __repr__(self):
            return "Box(%d)" % self.n

    def wrap(n):
        return Box(n)

    def wrap_mutant(n):
        return Box(n + 1)

    difference, _ = probe.first_difference(
        "wrap", wrap, wrap_mutant, wrap.__code__, copied(wrap, 2)
    )
    assert difference is not None
    assert difference.assertion() == "wrap(2) returns Box(2); the mutant returns Box(3)"


class Box:
    """Equal in content, never identical: no equality of its own."""

    def __init__(self, size):
        self.size = size


def boxed(size):
    return Box(size)


def boxed_too(size):
    return Box(int(size))


def test_results_equal_but_for_identity_are_not_a_difference():
    # `Box(3) == Box(3)` is False (identity): the attributes decide.
    difference, tried = probe.first_difference(
        "boxed", boxed, boxed_too, boxed.__code__, copied(boxed, 3)
    )
    assert difference is None and tried == 3


def boxed_wrong(size):
    return Box(size + 1)


def test_an_object_is_told_apart_by_its_first_differing_attribute():
    difference, _ = probe.first_difference(
        "boxed", boxed, boxed_wrong, boxed.__code__, copied(boxed, 3)
    )
    assert difference is not None
    assert difference.assertion() == "from test_probe import boxed\nassert boxed(3).size == 3"


class UnpermittedError(ValueError):
    def __init__(self, name, allowed):
        super().__init__("%s must be one of %r" % (name, sorted(allowed)), name)
        self.allowed = allowed


def init_mutant(self, name, allowed):
    super(UnpermittedError, self).__init__("%s must be one of %r" % (name, sorted(allowed)), name)


def test_an_init_is_probed_on_new_objects_of_its_class():
    # An exception's `self` does not survive pickling (its args are not __init__'s):
    # the class is copied instead, and each call makes a new object.
    copies = copied(UnpermittedError.__init__, UnpermittedError.__new__(UnpermittedError), "scheme", {"http"})
    assert copies and copies[0] is not None
    difference, _ = probe.first_difference(
        "UnpermittedError.__init__", UnpermittedError.__init__, init_mutant,
        UnpermittedError.__init__.__code__, copies,
    )
    assert difference is not None
    assert difference.assertion() == (
        "from test_probe import UnpermittedError\n"
        "assert UnpermittedError('scheme', {'http'}).allowed == {'http'}"
    )


class Point(tuple):
    """A value whose repr is its source (as a namedtuple's is)."""

    def __new__(cls, x, y):
        return tuple.__new__(cls, (x, y))

    def __getnewargs__(self):
        return tuple(self)

    def __repr__(self):
        return "Point(%r, %r)" % tuple(self)

    def moved(self, dx):
        return Point(self[0] + dx, self[1])

    @classmethod
    def origin(cls, y):
        return cls(0, y)


def moved_mutant(self, dx):
    return Point(self[0] - dx, self[1])


def origin_mutant(cls, y):
    return cls(0, -y)


def test_a_method_is_called_on_its_object_and_a_class_method_on_its_class():
    difference, _ = probe.first_difference(
        "Point.moved", Point.moved, moved_mutant, Point.moved.__code__,
        copied(Point.moved, Point(1, 2), 3),
    )
    assert difference is not None
    assert difference.assertion() == (
        "from test_probe import Point\nassert Point(1, 2).moved(3) == Point(4, 2)"
    )
    origin = Point.origin.__func__
    difference, _ = probe.first_difference(
        "Point.origin", origin, origin_mutant, origin.__code__, copied(origin, Point, 5)
    )
    assert difference is not None
    assert difference.assertion() == (
        "from test_probe import Point\nassert Point.origin(5) == Point(0, 5)"
    )


def test_the_same_object_and_nan_are_no_difference():
    import json

    assert probe.same(json, json)
    assert probe.same(Box(float("nan")), Box(float("nan")))
    assert not probe.same(Box(1.0), Box(float("nan")))
    assert not probe.same(Box([1]), Box([2]))


class Quiet(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def quiet_mutant(self, message):
    self.message = message


def test_an_object_is_made_as_its_class_makes_it():
    # `Quiet("m")` sets `args` in `__new__` too: without `super().__init__` the object
    # is the same, as a test that builds it would see.
    copies = copied(Quiet.__init__, Quiet.__new__(Quiet, "m"), "m")
    difference, tried = probe.first_difference(
        "Quiet.__init__", Quiet.__init__, quiet_mutant, Quiet.__init__.__code__, copies
    )
    assert difference is None and tried >= 1


def plus_one(x):
    return x + 1


def plus_two(x):
    return x + 2


def test_an_assertion_is_run_with_each_version_before_it_is_given():
    from git_chimp_worker.probing import holds

    original = [(plus_one, plus_one.__code__)]
    mutated = [(plus_one, plus_two.__code__)]
    try:
        assert holds("assert plus_one(1) == 2", original, {"plus_one": plus_one})
        assert not holds("assert plus_one(1) == 2", mutated, {"plus_one": plus_one})
        assert not holds("assert nothing_named_so(1)", original, {})
    finally:
        plus_one.__code__ = original[0][1]


class Builder:
    """A builder whose method's result depends on its state (like rfc3986's URIBuilder)."""

    def __init__(self, scheme=None, port=None):
        self.scheme = scheme
        self._port = port

    def with_port(self, port):
        if self.scheme == "https" and port == 443:
            return Builder(self.scheme, None)
        return Builder(self.scheme, port)

    def with_scheme(self, scheme):
        return Builder(scheme, self._port)


def with_port_mutant(self, port):
    if self.scheme == "http" and port == 443:
        return Builder(self.scheme, None)
    return Builder(self.scheme, port)


def test_a_method_is_probed_on_its_object_in_states_other_calls_recorded():
    # The tests only called with_port on a builder without a scheme; another recorded
    # call's object has the scheme that tells the mutant apart.
    copies = copied(Builder.with_port, Builder(), 80)
    donor = probe.load(copied(Builder.with_scheme, Builder("https"), "ftp")[0])
    difference, _ = probe.first_difference(
        "Builder.with_port", Builder.with_port, with_port_mutant, Builder.with_port.__code__,
        copies,
    )
    assert difference is None
    difference, _ = probe.first_difference(
        "Builder.with_port", Builder.with_port, with_port_mutant, Builder.with_port.__code__,
        copies, constants=[443], donors=list(donor.values()),
    )
    assert difference is not None
    # The object is written as its class makes it, from the attributes named like the
    # constructor's parameters (`_port` for `port`), those that matter only.
    assert difference.assertion() == (
        "from test_probe import Builder\n"
        "assert Builder(scheme='https').with_port(443)._port == None"
    )


def halved(x):
    return x / 2


def halved_mutant(x):
    return x / 3


def test_a_value_of_another_module_is_written_with_its_import():
    from fractions import Fraction

    difference, _ = probe.first_difference(
        "halved", halved, halved_mutant, halved.__code__, copied(halved, Fraction(1, 3))
    )
    assert difference is not None
    assert difference.assertion() == (
        "from test_probe import halved\n"
        "from fractions import Fraction\n"
        "assert halved(Fraction(1, 3)) == Fraction(1, 6)"
    )


class Parsed(tuple):
    """A tuple subclass whose own `__new__` wants more than its items (rfc3986's
    ParseResult): pickle cannot make it again as it is."""

    def __new__(cls, scheme, host, source):
        made = tuple.__new__(cls, (scheme, host))
        made.source = source
        return made

    def __getnewargs__(self):
        return tuple(self)


def encode(serializer, value, parsed):
    return serializer.dumps(value) + parsed[1]


def encode_mutant(serializer, value, parsed):
    return serializer.dumps(value) + parsed[0]


def test_a_module_and_a_tuple_subclass_with_its_own_new_are_copied():
    import json

    copies = copied(encode, json, [1], Parsed("http", "a", "http://a"))
    assert copies and copies[0] is not None
    call = probe.load(copies[0])
    assert call["serializer"] is json
    assert type(call["parsed"]) is Parsed and call["parsed"] == ("http", "a")
    assert call["parsed"].source == "http://a"
    difference, _ = probe.first_difference(
        "encode", encode, encode_mutant, encode.__code__, copies
    )
    assert difference is not None and difference.original.value == "[1]a"


from collections import namedtuple

Uri = namedtuple("Uri", "scheme path")


def joined(base, ref):
    return Uri(base.scheme, base.path + ref)


def joined_mutant(base, ref):
    return Uri(None, base.path + ref)


def test_an_argument_namedtuple_is_probed_in_states_other_calls_recorded():
    # The tests joined onto a base without a scheme only; another recorded call holds a
    # base with one, given to this call's base through `_replace`.
    copies = copied(joined, Uri(None, "/a"), "b")
    donor = probe.load(copied(joined, Uri("http", "/x"), "")[0])
    difference, _ = probe.first_difference(
        "joined", joined, joined_mutant, joined.__code__, copies,
        donors=list(donor.values()),
    )
    assert difference is not None
    assert difference.assertion() == (
        "from test_probe import Uri, joined\n"
        "assert joined(Uri(scheme='http', path='/a'), 'b') == Uri(scheme='http', path='/ab')"
    )


def month_of(match):
    return {"Jan": 1, "Feb": 2}[match.group("month")] + 0


def month_of_mutant(match):
    return {"Jan": 1, "Feb": 3}[match.group("month")] + 0


def test_a_regex_match_is_copied_as_the_match_found_again():
    import re

    pattern = re.compile(r"(?P<day>\d+) (?P<month>\w+)")
    copies = copied(month_of, pattern.search("on 4 Feb", 1))
    assert copies and copies[0] is not None
    call = probe.load(copies[0])
    assert call["match"].span() == (3, 8) and call["match"].group("month") == "Feb"
    difference, _ = probe.first_difference(
        "month_of", month_of, month_of_mutant, month_of.__code__, copies
    )
    assert difference is not None and difference.original.value == 2


def test_an_argument_that_cannot_be_varied_is_left_as_it_is():
    import json
    import os

    # A module argument has attributes, but it is no state to vary; the probe goes on
    # to the states it can vary.
    assert probe.fields_of(json) is None
    copies = copied(encode, json, [1], Parsed("http", "a", "http://a"))
    difference, _ = probe.first_difference(
        "encode", encode, encode_mutant, encode.__code__, copies,
        donors=[json, Parsed("ftp", "b", "ftp://b")],
    )
    assert difference is not None
    # A C structseq keeps pickle's own copy.
    stat = os.stat(".")
    assert type(probe.load(probe.base64.b64encode(probe.dumps({"s": stat})).decode())["s"]) is type(stat)


def test_a_raises_assertion_that_does_not_hold_is_no_crash():
    from git_chimp_worker.probing import holds

    text = "with pytest.raises(ValueError):\n    int('1')"
    # pytest.raises' failure is a BaseException, not an Exception: still "does not hold".
    assert holds(text, [], {}) is False
    assert holds("with pytest.raises(ValueError):\n    int('x')", [], {}) is True


def from_parts(scheme, query=None):
    return "%s:%s" % (scheme, "?" + query if query else "")


def from_parts_mutant(scheme, query=None):
    return "%s:%s" % (scheme, "")


class Strict:
    """A value whose equality refuses other types (rfc3986's URIReference)."""

    def __eq__(self, other):
        if not isinstance(other, Strict):
            raise TypeError("cannot compare")
        return True


def test_an_argument_is_given_what_one_of_its_name_held_in_another_call():
    # The tests never gave from_parts a query; another function's recorded call held one.
    copies = copied(from_parts, "http")
    difference, _ = probe.first_difference(
        "from_parts", from_parts, from_parts_mutant, from_parts.__code__, copies
    )
    assert difference is None
    difference, _ = probe.first_difference(
        "from_parts", from_parts, from_parts_mutant, from_parts.__code__, copies,
        named=[("query", "a=1"), ("query", 3), ("scheme", "http"), ("scheme", Strict())],
    )
    assert difference is not None
    assert difference.assertion() == (
        "from test_probe import from_parts\nassert from_parts('http', 'a=1') == 'http:?a=1'"
    )
