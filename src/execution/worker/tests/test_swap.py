from git_chimp_worker.swap import differences, is_function, key_of, line_starts

SOURCE = """\
LIMIT = 10


def outer(x):
    def inner(y):
        return y + 1
    return inner(x) * 2


class Box:
    size = 3
"""


def compiled(text):
    return compile(text, "/m.py", "exec", dont_inherit=True)


def names(chain):
    return [old.co_name for old, _ in chain]


def test_a_change_in_a_nested_function_is_a_chain_down_to_it():
    mutated = SOURCE.replace("y + 1", "y - 1")
    [chain] = differences(compiled(SOURCE), compiled(mutated))
    assert names(chain) == ["<module>", "outer", "inner"]
    assert is_function(chain[-1][0])


def test_a_module_level_change_stops_at_the_module():
    [chain] = differences(compiled(SOURCE), compiled(SOURCE.replace("10", "11")))
    assert names(chain) == ["<module>"]
    assert not is_function(chain[0][0])


def test_a_class_body_change_stops_at_the_class_body():
    [chain] = differences(compiled(SOURCE), compiled(SOURCE.replace("3", "4")))
    assert names(chain) == ["<module>", "Box"]
    assert not is_function(chain[-1][0])


def test_the_same_code_has_no_differences_and_keys_survive_recompiling():
    first, second = compiled(SOURCE), compiled(SOURCE)
    assert differences(first, second) == []
    assert key_of(0, first) == key_of(0, second) == (0, 1, "<module>")


def test_line_starts_covers_nested_code():
    assert {1, 4, 5, 6, 7, 10, 11} <= line_starts(compiled(SOURCE))
