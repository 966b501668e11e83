import sys
import textwrap

import pytest

from git_chimp_worker.tracer import kinds, make_tracer

KINDS = kinds()


def take(tracer):
    """One take, resolved."""
    return tracer.resolve([tracer.take()])[0]


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


def write(path, text):
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_lines_calls_and_foreign_imports_are_recorded(tmp_path, monkeypatch, kind):
    helper = write(
        tmp_path / "helper.py",
        """\
        def double(x):
            return x * 2


        def own(x):
            return x + 1


        OWN = own(1)
        """,
    )
    user_path = write(tmp_path / "user.py", "import helper\n\nVALUE = helper.double(3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    tracer = make_tracer([helper, user_path], kind)
    assert tracer.name == kind
    tracer.start()
    try:
        import user  # noqa: F401
    finally:
        tracer.stop()
    tracer.importing = False
    lines, calls, _ = take(tracer)
    assert {(0, 2), (0, 6), (0, 9), (1, 3)} <= lines
    assert {(0, 1, "double"), (0, 5, "own")} <= calls
    # double ran below user's top level; own below its own module's.
    assert tracer.foreign[(0, 1, "double")] == {user_path}
    assert (0, 5, "own") not in tracer.foreign
    # After a take, each test sees the lines it runs again.
    tracer.start()
    try:
        sys.modules["helper"].double(1)
        sys.modules["helper"].double(2)
    finally:
        tracer.stop()
    lines, calls, _ = take(tracer)
    assert lines == {(0, 2)}
    assert calls == {(0, 1, "double")}
    for name in ("helper", "user"):
        sys.modules.pop(name, None)


def test_each_test_sees_the_lines_it_runs_also_of_a_generator_started_earlier(tmp_path, monkeypatch, kind):
    branchy = write(
        tmp_path / "branchy.py",
        """\
        def pick(x):
            if x:
                return 1
            return 2


        def numbers():
            yield 1
            yield 2
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    tracer = make_tracer([branchy], kind)
    tracer.start()
    try:
        import branchy as module
    finally:
        tracer.stop()
    tracer.importing = False
    tracer.take()
    # One test runs both branches many times, and starts a generator it finishes later.
    tracer.start()
    try:
        for x in [0, 1] * 50:
            module.pick(x)
        generator = module.numbers()
        next(generator)
    finally:
        tracer.stop()
    lines, calls, _ = take(tracer)
    assert {(0, 2), (0, 3), (0, 4), (0, 8)} <= lines
    assert (0, 1, "pick") in calls
    # The next test sees them again, and the generator's later line too.
    tracer.start()
    try:
        module.pick(1)
        next(generator)
    finally:
        tracer.stop()
    lines, calls, _ = take(tracer)
    assert {(0, 2), (0, 3), (0, 9)} <= lines and (0, 4) not in lines
    assert (0, 1, "pick") in calls
    sys.modules.pop("branchy", None)


def test_coverage_is_left_out_where_it_could_miss_lines(tmp_path, monkeypatch):
    import importlib.util

    from git_chimp_worker.tracer import coverage_fits

    plain = str(tmp_path / "pkg" / "mod.py")
    assert not coverage_fits([str(tmp_path / "a[1]" / "mod.py")])
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: object() if name == "greenlet" else find_spec(name, *args)
    )
    # Greenlet switches move coverage's C tracer to another frame without telling it.
    assert not coverage_fits([plain])
    if not hasattr(sys, "monitoring"):
        assert make_tracer([plain]).name == "settrace"


def test_arguments_are_copied_from_the_first_calls_then_one_in_each_later_test(
    tmp_path, monkeypatch, kind
):
    from git_chimp_worker import probe, tracer as traced

    checks = write(
        tmp_path / "checks.py",
        """\
        def check(userinfo):
            return ":" in userinfo
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    tracer = make_tracer([checks], kind)
    tracer.start()
    try:
        import checks as module
    finally:
        tracer.stop()
    tracer.importing = False
    tracer.keeping = True
    tracer.take()
    # The first test calls it many times in one way (which must not use up the attempts),
    # then in others; the second in one way; each later test in another (a password).
    tests = [["u0"] * 40 + ["u%d" % n for n in range(8)], ["v"] * 40]
    tests += [["p%d:x" % n, "q%d" % n] for n in range(12)]
    for calls in tests:
        tracer.start()
        try:
            for userinfo in calls:
                module.check(userinfo)
        finally:
            tracer.stop()
        tracer.take()
    kept = [probe.load(each)["userinfo"] for each in tracer.arguments[(0, 1, "check")]]
    # Up to `COPIES` attempts in a test until `COPIES` are kept (the first test's are all
    # "u0"), then each later test's first call.
    assert kept == (["u0", "v"] + ["p%d:x" % n for n in range(12)])[: traced.SPREAD]
    sys.modules.pop("checks", None)
