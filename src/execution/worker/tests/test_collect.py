from git_chimp_worker.collect import Recollection


class Item:
    def __init__(self, nodeid):
        self.nodeid = nodeid

    def __repr__(self):
        return self.nodeid


def ids(items):
    return [item.nodeid for item in items]


def test_a_case_whose_parameter_id_changed_keeps_its_place():
    before = ["t.py::test_a", "t.py::test_f[x]", "t.py::test_f[%Y]", "t.py::test_f[z]"]
    now = [Item("t.py::test_a"), Item("t.py::test_f[x]"), Item("t.py::test_f[XX%YXX]"), Item("t.py::test_f[z]")]
    recollection = Recollection()
    recollection.record(before, now)
    applied = recollection.apply([Item(nodeid) for nodeid in reversed(before)])
    assert ids(applied) == ["t.py::test_f[z]", "t.py::test_f[XX%YXX]", "t.py::test_f[x]", "t.py::test_a"]
    assert all(item in now for item in applied)
    assert recollection.at_start("t.py::test_f[XX%YXX]") == "t.py::test_f[%Y]"
    assert recollection.at_start("t.py::test_a") == "t.py::test_a"
    assert recollection.renamed and not recollection.adds_or_removes()


def test_cases_added_or_removed_are_not_matched_by_place():
    before = ["t.py::test_f[a]", "t.py::test_f[b]", "t.py::test_g"]
    now = [Item("t.py::test_f[a]"), Item("t.py::test_f[c]"), Item("t.py::test_f[d]"), Item("t.py::test_h")]
    recollection = Recollection()
    recollection.record(before, now)
    assert ids(recollection.added) == ["t.py::test_f[c]", "t.py::test_f[d]", "t.py::test_h"]
    assert recollection.removed == {"t.py::test_f[b]", "t.py::test_g"}
    assert not recollection.renamed and recollection.adds_or_removes()
    applied = recollection.apply([Item(nodeid) for nodeid in before])
    assert ids(applied) == ["t.py::test_f[a]", "t.py::test_f[c]", "t.py::test_f[d]", "t.py::test_h"]


def test_the_same_collection_changes_nothing():
    before = ["t.py::test_f[a]", "t.py::test_f[b]"]
    recollection = Recollection()
    recollection.record(before, [Item(nodeid) for nodeid in before])
    assert not recollection.adds_or_removes() and not recollection.renamed
