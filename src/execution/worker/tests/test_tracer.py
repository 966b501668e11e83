import sys
import textwrap

import pytest

from git_chimp_worker.tracer import make_tracer

KINDS = ["settrace"] + (["sys.monitoring"] if hasattr(sys, "monitoring") else [])


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
    lines, calls = tracer.take()
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
    lines, calls = tracer.take()
    assert lines == {(0, 2)}
    assert calls == {(0, 1, "double")}
    for name in ("helper", "user"):
        sys.modules.pop(name, None)
