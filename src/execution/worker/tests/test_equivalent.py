import sys

from git_chimp_worker.equivalent import equivalent

SOURCE = '''def f(a):
    return a + 1
    a = a * 2


def g(a):
    if False:
        return a - 1
    return a


def h(a):
    """Doc."""
    return a + 3
'''


def edit(old, new):
    start = SOURCE.encode().index(old.encode())
    return [start, start + len(old.encode()), new]


def test_code_the_compiler_drops_gives_equivalent_mutants():
    mutants = [
        edit("a * 2", "a / 2"),  # after a return: never compiled
        edit("a - 1", "a + 1"),  # under `if False:`: never compiled
        edit("return a + 1", "return a - 1"),
        edit("a + 3", "a - 3"),
        edit('"""Doc."""', '"""XXDoc.XX"""'),  # the docstring is the function's __doc__
        edit("a + 3", "a +"),  # does not compile: not equivalent
    ]
    assert equivalent("m.py", SOURCE, mutants) == [0, 1]


def test_a_statement_after_return_replaced_by_pass_depends_on_the_version():
    found = equivalent("m.py", SOURCE, [edit("a = a * 2", "pass")])
    # 3.9 keeps a NOP for the replaced line; later versions drop the dead code entirely.
    assert found == ([] if sys.version_info < (3, 10) else [0])


def test_offsets_are_bytes_of_the_utf8_text():
    source = 'def f(t):\n    s = "é" * t\n    return s\n    s = "ü" * t\n'
    star = source.encode().rindex(b"*")
    assert equivalent("m.py", source, [[star, star + 1, "/"]]) == [0]
    start = source.encode().index('"é"'.encode())
    assert equivalent("m.py", source, [[start, start + len('"é"'.encode()), '""']]) == []


def test_a_file_that_does_not_compile_has_no_equivalent_mutants():
    assert equivalent("m.py", "def f(:\n", [[0, 3, "def"]]) == []


def test_a_byte_order_mark_is_no_obstacle():
    source = "\ufeff" + SOURCE
    start = source.encode().index(b"a * 2")
    assert equivalent("m.py", source, [[start, start + 5, "a / 2"]]) == [0]
