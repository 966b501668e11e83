"""Re-collecting test modules after re-execution, in a forked child, and running the
re-execution steps `warm.Worker.make_plan` chose."""

import os

class ImportFailed(Exception):
    """Re-executing or re-collecting a module raised: ("importing PATH" or "collecting
    PATH", the error)."""


def recollect(collector):
    """The test items `collector` (a pytest Module) collects now, selected as at the
    start (`-k`, `-m` and plugins' `pytest_collection_modifyitems`)."""
    import pytest

    items = []

    def walk(node):
        for child in node.collect():
            if isinstance(child, pytest.Item):
                items.append(child)
            else:
                walk(child)

    walk(collector)
    config = collector.config
    config.hook.pytest_collection_modifyitems(session=collector.session, config=config, items=items)
    return items


class Recollection:
    """What re-executing and re-collecting test modules changed: new items by node id,
    items with ids not collected at the start, and ids that are gone."""

    def __init__(self):
        self.replaced = {}
        self.added = []
        self.removed = set()

    def apply(self, items):
        """`items` (as collected at the start) as a fresh collection would give them."""
        kept = [self.replaced.get(item.nodeid, item) for item in items if item.nodeid not in self.removed]
        return kept + self.added

    def changed(self):
        return bool(self.added or self.removed)


def describe_error(error):
    text = str(error).splitlines()[0] if str(error) else ""
    return "%s: %s" % (type(error).__name__, text) if text else type(error).__name__


def reexecute_steps(steps):
    """Run `steps` ((module, its re-execution, its pytest collector or None, the node ids
    that collector collected at the start)) in order; return the Recollection. Raises
    ImportFailed when a module or a collection raises: a fresh run's collection fails
    the same way (SystemExit too)."""
    recollection = Recollection()
    for step, run, collector, before in steps:
        path = os.path.relpath(step.__file__)
        try:
            run()
        except (Exception, SystemExit) as error:
            raise ImportFailed("importing " + path, describe_error(error))
        if collector is None:
            continue
        try:
            items = recollect(collector)
        except (Exception, SystemExit) as error:
            raise ImportFailed("collecting " + path, describe_error(error))
        for item in items:
            if item.nodeid in before:
                recollection.replaced[item.nodeid] = item
            else:
                recollection.added.append(item)
        recollection.removed.update(set(before) - {item.nodeid for item in items})
    return recollection
