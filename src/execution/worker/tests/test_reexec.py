import importlib
import sys
import textwrap

import pytest

from git_chimp_worker import reexec


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package `pkg` with `core` (re-exported by `from .core import *`) and a user
    module `user` that imports from it, all imported; removed again afterwards."""
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("from .core import *\n")
    (root / "core.py").write_text(
        textwrap.dedent(
            """\
            __all__ = ["LIMIT", "scale", "TABLE"]
            LIMIT = 10
            DEBUG = False
            TABLE = {"a": 1}


            def scale(x):
                return x * LIMIT
            """
        )
    )
    (tmp_path / "user.py").write_text(
        "from pkg import LIMIT, scale\nfrom pkg.core import TABLE as T\nDEBUG = False\n"
    )
    (tmp_path / "careful.py").write_text("try:\n    from pkg import core\nexcept ImportError:\n    core = None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    user = importlib.import_module("user")
    yield sys.modules["pkg"], sys.modules["pkg.core"], user, tmp_path
    for name in ("pkg", "pkg.core", "user", "careful"):
        sys.modules.pop(name, None)


def reexecute(module, source):
    code = compile(source, module.__file__, "exec")
    reexec.reexecution(module, code, reexec.copies_elsewhere(module))()


def test_copies_in_other_modules_are_rebound_to_the_new_objects(package):
    pkg, core, user, _ = package
    source = open(core.__file__).read()
    reexecute(core, source.replace("LIMIT = 10", "LIMIT = 11").replace('"a": 1', '"a": 2'))
    assert core.LIMIT == pkg.LIMIT == user.LIMIT == 11
    assert user.T == {"a": 2} and user.T is core.TABLE
    assert user.scale is core.scale and user.scale(1) == 11


def test_a_value_another_module_only_shares_by_chance_is_left_alone(package):
    _, core, user, _ = package
    source = open(core.__file__).read()
    reexecute(core, source.replace("DEBUG = False", "DEBUG = True"))
    assert core.DEBUG is True
    assert user.DEBUG is False


def test_a_deleted_assignment_leaves_no_old_value_but_submodules_stay(package):
    pkg, core, _, _ = package
    reexecute(core, open(core.__file__).read().replace("DEBUG = False", "pass"))
    assert not hasattr(core, "DEBUG")
    assert core.__name__ == "pkg.core"
    reexecute(pkg, "from .core import *\nVERSION = 2\n")
    assert pkg.core is core
    assert pkg.VERSION == 2


def test_guarded_sees_an_import_inside_try(package):
    _, core, _, tmp_path = package
    assert not reexec.guarded(core)
    importlib.import_module("careful")
    assert reexec.guarded(core)


def test_a_name_another_module_imports_by_name_must_still_exist(package):
    _, core, _, _ = package
    source = open(core.__file__).read().replace("LIMIT = 10", "pass").replace('"LIMIT", ', "")
    with pytest.raises(ImportError, match="cannot import name 'LIMIT'.*user imports it"):
        reexecute(core, source)


def test_holds_values_sees_functions_used_at_top_level(tmp_path, monkeypatch, package):
    _, core, user, _ = package
    (tmp_path / "table_user.py").write_text("from pkg.core import scale\n\nTABLE = [scale]\n")
    table_user = importlib.import_module("table_user")
    copies = reexec.copies_elsewhere(core)
    assert reexec.holds_values(copies, table_user)
    # `user` imports scale too, but only holds it; it holds LIMIT, a value.
    assert reexec.holds_values(copies, user)
    sys.modules.pop("table_user", None)


def test_an_aliased_import_is_rebound_and_a_value_held_by_chance_is_not(package):
    _, core, _, tmp_path = package
    (tmp_path / "aliased.py").write_text("from pkg.core import LIMIT as MAX\n")
    (tmp_path / "config.py").write_text("DEBUG = False\n")
    (tmp_path / "chance.py").write_text("from config import DEBUG\n")
    aliased = importlib.import_module("aliased")
    chance = importlib.import_module("chance")
    try:
        source = open(core.__file__).read()
        reexecute(core, source.replace("LIMIT = 10", "LIMIT = 11"))
        assert aliased.MAX == 11
        # chance's DEBUG is the same object as core's, but not imported from it: neither
        # rebound nor a reason for an import error when core's goes away.
        reexecute(core, source.replace("DEBUG = False", "DEBUG = True"))
        assert chance.DEBUG is False
        reexecute(core, source.replace("DEBUG = False", "pass"))
        assert chance.DEBUG is False
    finally:
        for name in ("aliased", "config", "chance"):
            sys.modules.pop(name, None)


def test_a_module_that_only_holds_an_imported_function_does_not_depend_on_it(tmp_path, package):
    _, core, _, _ = package
    (tmp_path / "holder.py").write_text("from pkg.core import scale\n\n\ndef use():\n    return scale(1)\n")
    holder = importlib.import_module("holder")
    try:
        assert not reexec.holds_values(reexec.copies_elsewhere(core), holder)
    finally:
        sys.modules.pop("holder", None)


def test_top_level_reads_of_a_module_are_seen_through_packages_and_vars(tmp_path, package):
    pkg, core, _, _ = package
    files = {
        "reads_attr": "import pkg.core\n\nX = pkg.core.LIMIT + 1\n",
        "reads_vars": "import pkg.core as c\n\nNAMES = sorted(vars(c))\n",
        "reads_copy": "import pkg\n\nY = pkg.scale\n",
        "reads_in_body": "import pkg.core\n\n\ndef f():\n    return pkg.core.LIMIT\n",
    }
    for name, text in files.items():
        (tmp_path / (name + ".py")).write_text(text)
    try:
        copies = reexec.copies_elsewhere(core)
        found = {
            name: reexec.reads_at_top_level(importlib.import_module(name), core, copies)
            for name in files
        }
        assert found == {"reads_attr": True, "reads_vars": True, "reads_copy": True, "reads_in_body": False}
    finally:
        for name in files:
            sys.modules.pop(name, None)
