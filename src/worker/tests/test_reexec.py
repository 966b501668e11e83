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
