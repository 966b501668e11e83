"""A mutant of a file that no module had imported when the tests were collected (a
module the code imports inside a function, on first use). Nothing in the worker holds
anything of it, so the mutant goes where a fresh run has it: in the file, for as long
as its tests run in the child. Whatever then reads the file (the first import, `runpy`,
a subprocess) gets the mutant, as in a run from scratch, without one. The sandbox is
the worker's own, and nothing writes bytecode there (`PYTHONDONTWRITEBYTECODE`)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Iterator


def imported_before(files: list[str]) -> set[int]:
    """The numbers (positions) of `files` that a module already in `sys.modules` comes
    from."""
    numbers = {os.path.realpath(path): number for number, path in enumerate(files)}
    early: set[int] = set()
    for module in list(sys.modules.values()):
        origin = getattr(module, "__file__", None)
        if isinstance(origin, str) and os.path.realpath(origin) in numbers:
            early.add(numbers[os.path.realpath(origin)])
    return early


def never_imported(path: str) -> bool:
    """Whether no module object in `sys.modules` comes from the file at `path`."""
    return not imported_before([path])


def as_written(path: str, source: str) -> bytes | None:
    """The bytes to write for `source` in place of the file at `path`, or None when the
    file is not plain UTF-8 (another encoding, or a byte order mark): git-chimp's own
    run from scratch writes those."""
    with open(path, "rb") as original:
        data = original.read()
    if data.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return source.encode("utf-8")


@contextlib.contextmanager
def mutated_file(path: str, data: bytes) -> Iterator[None]:
    """The file at `path` holds `data` inside the block, and its own bytes and times
    again after (git-chimp's check that the tests left the sandbox alone compares
    sizes and times). Inside, its time is a second past its own at least, so no
    bytecode cached for the original can stand for the mutant."""
    with open(path, "rb") as original:
        kept = original.read()
    times = os.stat(path)
    try:
        with open(path, "wb") as out:
            out.write(data)
        later = max(time.time_ns(), times.st_mtime_ns + 1_000_000_000)
        os.utime(path, ns=(later, later))
        yield
    finally:
        with open(path, "wb") as out:
            out.write(kept)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
