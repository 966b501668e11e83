"""The probe of a swapped survivor in the worker: the input that tells it apart, or why
there is none."""

from worker_process import WorkerProcess


PROBED = """\
import threading


def bulk(quantity):
    if quantity >= 100:
        return 15
    return 0


def double(x):
    return x * 2


def locked(lock, x):
    with lock:
        return x >= 100
"""

PROBED_TESTS = """\
import threading

from calc import bulk, double, locked


def test_bulk():
    assert bulk(1) == 0
    assert bulk(500) == 15


def test_double():
    assert double(3) == 6


def test_locked():
    assert locked(threading.Lock(), 500)
"""


def test_a_survivor_gets_the_input_that_tells_it_apart_or_why_there_is_none(pytester):
    pytester.makepyfile(calc=PROBED, test_calc=PROBED_TESTS)
    process = WorkerProcess(pytester)
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    # A boundary next to the function's own 100.
    answer = process.mutant("quantity >= 100", "quantity > 100", 5)
    assert answer["event"] == "survived"
    assert answer.get("input") == "from calc import bulk\nassert bulk(100) == 15", answer
    # The same results on every call tried: no input, and no claim of equivalence.
    answer = process.mutant("return x * 2", "return x + x", 11)
    assert answer["event"] == "survived" and "input" not in answer
    assert answer["no_input"].startswith("none of ") and "double differs" in answer["no_input"]
    # A lock cannot be copied: the probe says so instead of calling.
    answer = process.mutant("x >= 100", "x > 100", 16)
    assert answer["event"] == "survived" and "input" not in answer
    assert "cannot be copied" in answer["no_input"], answer
    process.close()


DEFAULTS = """\
def area(width, height=1):
    return width * height


def scaled(x, factor=2):
    return x * factor
"""

DEFAULTS_TESTS = """\
from calc import area, scaled


def test_area():
    assert area(2, 3) == 6


def test_scaled():
    assert scaled(3) > 0
"""


def test_a_survivor_of_a_reexecuted_module_gets_an_input_from_its_changed_default(pytester):
    pytester.makepyfile(calc=DEFAULTS, test_calc=DEFAULTS_TESTS)
    process = WorkerProcess(pytester)
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    # A default is evaluated when the module runs: the module is re-executed, and the
    # tests, which always give `height`, miss it; the recorded call without it does not.
    answer = process.mutant("height=1", "height=2", 1)
    assert answer["event"] == "fallback", answer
    assert answer.get("input") == "from calc import area\nassert area(2) == 2", answer
    # A call that left the default out is copied with it filled in: left out again, it
    # tells the mutant apart the same way.
    answer = process.mutant("factor=2", "factor=3", 5)
    assert answer["event"] == "fallback", answer
    assert answer.get("input") == "from calc import scaled\nassert scaled(3) == 6", answer
    process.close()


CONSTANTS = """\
LIMIT = 10


def capped(x):
    return min(x, LIMIT)


class Greeter:
    greeting = "hello"

    def greet(self, name):
        return "%s %s" % (self.greeting, name)


def untouched(x):
    return x
"""

CONSTANTS_TESTS = """\
from calc import Greeter, capped, untouched


def test_capped():
    assert capped(3) == 3


def test_greet():
    assert Greeter().greet("bob").endswith("bob")


def test_untouched():
    assert untouched(1) == 1
"""


def test_a_survivor_that_changed_a_value_the_module_holds_is_probed_on_its_readers(pytester):
    pytester.makepyfile(calc=CONSTANTS, test_calc=CONSTANTS_TESTS)
    process = WorkerProcess(pytester)
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    # No function changed: capped reads LIMIT, and its copied call's neighbour at the
    # constant's own 10 + 1 tells the mutant apart.
    answer = process.mutant("LIMIT = 10", "LIMIT = 11", 1)
    assert answer["event"] == "fallback", answer
    assert answer.get("input") == "from calc import capped\nassert capped(11) == 10", answer
    # A class attribute: its method reads it on the recorded object.
    answer = process.mutant('greeting = "hello"', 'greeting = ""', 9)
    assert answer["event"] == "fallback", answer
    assert answer.get("input") == (
        "from calc import Greeter\nassert Greeter().greet('bob') == 'hello bob'"
    ), answer
    process.close()


def test_a_value_read_in_another_module_is_probed_there(pytester):
    # patterns.py's text is compiled by check.py at import (re-executed after it) or
    # imported by name: check.py's functions read the change.
    pytester.makepyfile(
        patterns='DIGITS = "[0-9]"\nSEPARATOR = "-"\n',
        check=(
            "import re\n\nfrom patterns import DIGITS, SEPARATOR\n\n"
            'MATCHER = re.compile(DIGITS + "+")\n\n\n'
            "def is_number(text):\n    return bool(MATCHER.fullmatch(text))\n\n\n"
            "def parts(text):\n    return text.split(SEPARATOR)\n"
        ),
        test_check=(
            "from check import is_number, parts\n\n\n"
            "def test_check():\n    assert is_number('12')\n    assert parts('a-b')\n"
        ),
    )
    process = WorkerProcess(pytester, files=("patterns.py", "check.py"))
    assert process.event()["event"] == "ready"
    assert process.ask(op="baseline", timeout=30)["failed"] == []
    answer = process.mutant('"[0-9]"', '"[1-9]"', 1)
    assert answer["event"] == "fallback", answer
    # The neighbours of '12': '' and '1' match either way; no other input is tried.
    assert answer.get("no_input", "").startswith("none of "), answer
    answer = process.mutant('SEPARATOR = "-"', 'SEPARATOR = "+"', 2)
    assert answer["event"] == "fallback", answer
    assert answer.get("input") == "from check import parts\nassert parts('a-b') == ['a', 'b']", answer
    process.close()
