"""A concrete input for a survivor, the third round (#29): more differences written as a
test (a namedtuple's field, a result the mutant loses, a call the mutant breaks, an
object a recorded `__init__` made, a sentinel, an exception's attribute, a warning),
and more calls to find them (a flag's opposite, a `**kwargs` key the function reads,
attributes of other recorded objects by name, looking past a difference that cannot be
written)."""

import warnings
from collections import namedtuple

from git_chimp_worker import probe
from git_chimp_worker import probing
from git_chimp_worker.probing import donors
from git_chimp_worker.swap import key_of
from test_probe import copied

_Parts = namedtuple("_Parts", "host port")


class Parts(_Parts):
    """A namedtuple whose own `__new__` wants more than its fields (rfc3986's
    ParseResult): its repr cannot be evaluated back."""

    def __new__(cls, host, port, encoding):
        made = _Parts.__new__(cls, host, port)
        made.encoding = encoding
        return made


def parts(host, port):
    return Parts(host, port, "utf-8")


def parts_mutant(host, port):
    return Parts(host, None, "utf-8")


def first(function, mutant, copies, **options):
    difference, _ = probe.first_difference(
        function.__qualname__, function, mutant, function.__code__, copies, **options
    )
    assert difference is not None
    return difference


def test_a_namedtuple_that_cannot_be_written_is_told_apart_by_its_field():
    found = first(parts, parts_mutant, copied(parts, "a", 443))
    assert found.assertion() == (
        "from test_probe_forms import parts\nassert parts('a', 443).port == 443"
    )


class Opaque:
    """A value with no source form (no constructor that makes it again)."""

    def __init__(self):
        self.made = id(self)


def opaque(flag):
    return Opaque()


def opaque_lost(flag):
    return None


def opaque_broken(flag):
    raise KeyError(flag)


def test_a_result_that_cannot_be_written_is_said_not_none_or_the_call_alone():
    copies = copied(opaque, 1)
    lost = first(opaque, opaque_lost, copies)
    assert lost.assertion() == "from test_probe_forms import opaque\nassert opaque(1) is not None"
    broken = first(opaque, opaque_broken, copies)
    assert broken.assertion() == (
        "from test_probe_forms import opaque\nopaque(1)  # the mutant raises KeyError"
    )


def tagged(value):
    return (value, Opaque()) if value < 0 else value * 2


def tagged_mutant(value):
    return (value, None) if value < 0 else value * 3


def test_a_difference_that_can_be_written_is_preferred_to_the_first():
    # -1 (the first call) differs only in an object with no source form; 2 differs too.
    copies = copied(tagged, -1) + copied(tagged, 2)
    plain = first(tagged, tagged_mutant, copies)
    assert plain.call == {"value": -1}
    preferred = first(
        tagged, tagged_mutant, copies,
        wanted=lambda found: found.assertion().startswith("from "),
    )
    assert preferred.assertion() == "from test_probe_forms import tagged\nassert tagged(2) == 4"
    # Without a writable one, the first is given.
    alone = first(
        tagged, tagged_mutant, copied(tagged, -1),
        wanted=lambda found: found.assertion().startswith("from "),
    )
    assert alone.call == {"value": -1}


MISSING = object()


def given(value=MISSING):
    return "default" if value is MISSING else value


def given_mutant(value=MISSING):
    return "default" if value is None else value


def test_a_sentinel_is_copied_as_itself_and_written_by_its_name():
    copies = copied(given, MISSING)
    assert probe.load(copies[0])["value"] is MISSING
    found = first(given, given_mutant, copies)
    assert found.assertion() == (
        "from test_probe_forms import MISSING, given\nassert given(MISSING) == 'default'"
    )


class Keyed:
    """Attributes not named like its constructor's parameters (itsdangerous' Signer)."""

    def __init__(self, secret, sep="."):
        self.secrets = [secret]
        self.separator = sep

    def sign(self, value):
        return value + self.separator + self.secrets[-1]


def sign_mutant(self, value):
    return value + self.separator


def test_an_object_is_written_as_a_recorded_call_of_its_init_made_it():
    init = copied(Keyed.__init__, Keyed.__new__(Keyed), "k", sep="-")
    copies = copied(Keyed.sign, Keyed("k", "-"), "v")
    found = first(Keyed.sign, sign_mutant, copies)
    assert not found.assertion().startswith("from ")  # in words: no argument is named so
    found.recipes = lambda kind: [
        (Keyed.__init__, "Keyed.__init__", Keyed.__init__.__code__, probe.load(each))
        for each in init
    ] if kind is Keyed else []
    assert found.assertion() == (
        "from test_probe_forms import Keyed\nassert Keyed('k', '-').sign('v') == 'v-k'"
    )


class Refused(Exception):
    def __init__(self, uri):
        super().__init__("%r is refused" % (uri,))
        self.uri = uri


def check(uri):
    if ":" in uri:
        raise Refused(uri)


def check_mutant(uri):
    if ":" in uri:
        raise Refused(None)


def check_text(uri):
    if ":" in uri:
        raise ValueError("%s is refused" % uri)


def check_text_mutant(uri):
    if ":" in uri:
        raise ValueError("%s is refused" % uri.upper())


def test_an_exception_differs_in_its_attributes_not_its_message():
    copies = copied(check, "a")
    found = first(check, check_mutant, copies + copied(check, "ab"), named=[("uri", "a:b")])
    assert found.assertion() == (
        "from test_probe_forms import Refused, check\n"
        "with pytest.raises(Refused) as caught:\n"
        "    check('a:b')\n"
        "assert caught.value.uri == 'a:b'"
    )
    # What differs only in the message (`args`) is no difference.
    difference, _ = probe.first_difference(
        "check_text", check_text, check_text_mutant, check_text.__code__, copied(check_text, "a"),
        named=[("uri", "a:b")],
    )
    assert difference is None


def deprecated(x):
    warnings.warn("use other()", DeprecationWarning)
    return x


def deprecated_mutant(x):
    return x


def test_a_warning_the_mutant_no_longer_issues_is_a_difference():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copies = copied(deprecated, 1)
    found = first(deprecated, deprecated_mutant, copies)
    assert found.assertion() == (
        "from test_probe_forms import deprecated\n"
        "with pytest.warns(DeprecationWarning):\n"
        "    deprecated(1)"
    )


def valid(path, require=False):
    return bool(path) if require else True


def valid_mutant(path, require=False):
    return bool(path) if None else True


def test_a_flag_is_given_its_opposite():
    found = first(valid, valid_mutant, copied(valid, "", False))
    assert found.assertion() == (
        "from test_probe_forms import valid\nassert valid('', True) == False"
    )


def is_valid(**kwargs):
    return not kwargs.get("require_scheme", False)


def is_valid_mutant(**kwargs):
    return not kwargs.get("", False)


def test_kwargs_are_given_a_key_the_function_reads():
    copies = copied(is_valid)
    difference, _ = probe.first_difference(
        "is_valid", is_valid, is_valid_mutant, is_valid.__code__, copies
    )
    assert difference is None
    found = first(is_valid, is_valid_mutant, copies, keys=probe.keys_of(is_valid.__code__))
    assert found.assertion() == (
        "from test_probe_forms import is_valid\nassert is_valid(require_scheme=True) == False"
    )


class Ref:
    def __init__(self, host, fragment=None):
        self.host = host
        self.fragment = fragment


def visit(ref):
    return ref.host


def shown(host, fragment=None):
    return host + ("#" + fragment if fragment else "")


def shown_mutant(host, fragment=None):
    return host


def test_an_argument_is_given_what_an_attribute_of_its_name_held_in_another_call():
    # No recorded call of `shown` had a fragment; an object another call was given did.
    _, named = donors(copied(visit, Ref("h", "top")))
    assert ("fragment", "top") in named
    copies = copied(shown, "a")
    assert first(shown, shown_mutant, copies, named=named).assertion() == (
        "from test_probe_forms import shown\nassert shown('a', 'top') == 'a#top'"
    )


def test_a_call_two_ways_lead_to_is_tried_once():
    from test_probe import bulk_discount, bulk_discount_mutant

    # The same call copied twice (two tests), and its neighbours: 101, 102, 100.
    copies = copied(bulk_discount, 101) + copied(bulk_discount, 101)
    assert len(copies) == 2
    difference, tried = probe.first_difference(
        "bulk_discount", bulk_discount, bulk_discount_mutant, bulk_discount.__code__, copies
    )
    assert difference is not None and difference.call == {"quantity": 100}
    assert tried == 3


class Box:
    def __init__(self, label=None):
        self.label = label


def labelled(box, n):
    return (box.label or "") * n


def labelled_mutant(box, n):
    return "" * n


def test_the_ways_of_making_calls_take_turns():
    # Many neighbours of the number (its code's constants and their sides) come first
    # in a small budget; another object's state, in turn with them, is tried early.
    copies = copied(labelled, Box(), 3)
    donors = [Box("x")]
    constants = [10, 20, 30, 40, 50, 60, 70, 80]
    found, tried = probe.first_difference(
        "labelled", labelled, labelled_mutant, labelled.__code__, copies, calls=6,
        constants=constants, donors=donors,
    )
    assert found is not None and found.call["box"].label == "x"
    # The copy, a neighbour, a value by name (none), the donor's state.
    assert tried == 3


class Rules:
    """A builder whose state its methods set (rfc3986's Validator)."""

    def __init__(self):
        self.password = True

    def forbid_password(self):
        self.password = False
        return self

    def allow_password(self):
        self.password = True
        return self


def allow_mutant(self):
    self.password = True


def test_an_object_is_written_as_a_recorded_method_call_that_returned_it():
    # The test forbade, then allowed: the allowing call's object is a forbidding one,
    # which no constructor argument makes; the recorded `forbid_password()` call does.
    rules = Rules().forbid_password()
    copies = copied(Rules.allow_password, rules)
    made = copied(Rules.forbid_password, Rules())
    recipes = probing.recipes_of({key_of(0, Rules.forbid_password.__code__): (made, "")}, 0)
    assert [name for _, name, _, _ in recipes(Rules)] == ["Rules.forbid_password"]
    found = first(Rules.allow_password, allow_mutant, copies, recipes=recipes)
    assert found.assertion() == (
        "from test_probe_forms import Rules\n"
        "assert Rules().forbid_password().allow_password() is not None"
    )


def test_values_by_name_take_turns_between_parameters():
    named = [("text", "t%d" % n) for n in range(5)] + [("end", 28)]
    calls = probe.swapped_in({"text": "x", "end": None}, named)
    assert calls[:3] == [{"text": "t0", "end": None}, {"text": "x", "end": 28},
                         {"text": "t1", "end": None}]
    assert len(calls) == 6


class Pair(tuple):
    """A tuple made by its own `__new__` and a class method (rfc3986's ParseResultBytes)."""

    def __new__(cls, left, right):
        return tuple.__new__(cls, (left, right))

    @classmethod
    def make(cls, text):
        return cls(*text.split(","))


def test_recipes_are_methods_and_class_methods_but_not_dunders():
    copies = {
        key_of(0, Pair.__new__.__code__): (copied(Pair.__new__, Pair, "a", "b"), ""),
        key_of(0, Pair.make.__func__.__code__): (copied(Pair.make.__func__, Pair, "a,b"), ""),
    }
    recipes = probing.recipes_of(copies, 0)
    assert [name for _, name, _, _ in recipes(Pair)] == ["Pair.make"]


class Token:
    def __init__(self, raw):
        self.text = raw.strip()

    def __eq__(self, other):
        return isinstance(other, Token) and self.text == other.text

    @classmethod
    def parse(cls, raw):
        return cls(raw)


def tokened(raw):
    return Token.parse(raw)


def tokened_mutant(raw):
    return Token.parse(raw.upper())


def test_an_expected_value_is_not_written_as_a_recorded_call_made_it():
    # `tokened('a') == Token.parse('a')` would check the code under test with itself.
    found = first(tokened, tokened_mutant, copied(tokened, "a"))
    made = copied(Token.parse.__func__, Token, "a")
    found.recipes = probing.recipes_of({key_of(0, Token.parse.__func__.__code__): (made, "")}, 0)
    assert [name for _, name, _, _ in found.recipes(Token)] == ["Token.parse"]
    assert found.assertion().startswith("tokened('a') returns <test_probe_forms.Token object>")


def parsed(text):
    if not text:
        raise ValueError("empty")
    return int(text)


def parsed_mutant(text):
    if not text:
        raise TypeError("empty")
    return int(text)


def test_exceptions_of_other_types_are_written_as_the_original_raises():
    found = first(parsed, parsed_mutant, copied(parsed, "1"))
    assert found.assertion() == (
        "from test_probe_forms import parsed\nwith pytest.raises(ValueError):\n    parsed('')"
    )


def ended(code):
    raise SystemExit(code)


def ended_mutant(code):
    raise SystemExit(code + 1)


def test_exception_arguments_that_are_not_text_are_data():
    from git_chimp_worker.calls import outcome

    call = {"code": 1}
    assert not outcome(ended, ended.__code__, call).same_as(
        outcome(ended_mutant, ended_mutant.__code__, call)
    )
    # Text arguments are the message: no difference (`check_text` above).
    call = {"uri": "a:b"}
    assert outcome(check_text, check_text.__code__, call).same_as(
        outcome(check_text_mutant, check_text_mutant.__code__, call)
    )


class Shape:
    def __init__(self, kind):
        self.kind = kind


def shaped(kind):
    made = Shape(kind)
    made.extra = object()
    made.size = 1
    return made


def shaped_mutant(kind):
    made = Shape(kind)
    made.size = 2
    return made


def test_an_attribute_one_result_lacks_or_that_cannot_be_compared_is_passed_over():
    found = first(shaped, shaped_mutant, copied(shaped, "a"))
    assert found.assertion() == "from test_probe_forms import shaped\nassert shaped('a').size == 1"


WARNED = []


def warn_once(x):
    if not WARNED:
        WARNED.append(x)
        warnings.warn("first use", DeprecationWarning)
    return x


def same_x(x):
    return x


def test_a_difference_the_original_does_not_repeat_is_none():
    # The first call warns, later ones do not: the mutant (never warning) is the same.
    difference, _ = probe.first_difference(
        "warn_once", warn_once, same_x, warn_once.__code__, copied(same_x, 1)
    )
    assert WARNED == [1] and difference is None


def test_the_search_looks_past_a_bounded_number_of_differences():
    copies = copied(bulk_plus, 1)
    found, tried = probe.first_difference(
        "bulk_plus", bulk_plus, lambda n: n, bulk_plus.__code__, copies,
        constants=list(range(20)), wanted=lambda found: False,
    )
    # Every call differs; none is wanted: the first is given after `UNWANTED` of them.
    assert found is not None and found.call == {"n": 1}
    assert tried == probe.UNWANTED


def bulk_plus(n):
    return n + 1


class Maker:
    @staticmethod
    def of(text):
        return Maker()


def test_static_methods_are_not_recipes():
    copies = {key_of(0, Maker.of.__code__): (copied(Maker.of, "a"), "")}
    assert list(probing.recipes_of(copies, 0)(Maker)) == []


class Span:
    def __init__(self, months):
        self.months = months

    def __repr__(self):
        return "Span(%d)" % self.months


def negative(span):
    return span.months < 0


def negative_mutant(span):
    return span.months is not None and span.months <= 0


def test_a_difference_on_a_state_its_class_cannot_print_is_not_given():
    # `months=None` (a state the probe makes, from a donor) breaks Span's own repr: its
    # difference (a TypeError against False) is passed over for `months=0`.
    found = first(negative, negative_mutant, copied(negative, Span(1)), donors=[Span(None)])
    assert found.call["span"].months == 0
