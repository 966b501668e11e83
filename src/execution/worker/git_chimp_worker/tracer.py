"""Which lines and functions of the files under mutation run.

Three implementations with one interface: `sys.monitoring` on Python 3.12 and later
(each line is reported once per test and then switched off, so tracing costs little);
before that, coverage.py's C tracer for the tests when the tests' environment has it
(pytest-cov users do; nothing is installed), else `sys.settrace`. `make_tracer` picks
one. A take's result may be a placeholder that `resolve` turns into the lines and
calls, once the run is over.

While the modules are imported and the tests collected (`importing`), the tracer also
notes, for each function that ran below another module's top level or a pytest hook,
which files those were (`foreign`: key -> file names, None for "no module"):
re-executing its own module would not redo that work.

`sys.settrace` calls back in Python on every call and every line of a traced frame: on
a suite that runs the same parser functions thousands of times a test (pyparsing's,
69 s untraced) the traced run took 522 s. So after the import, a function's first
`ENTRIES` calls in each test are traced line by line and its later calls in that test
are not (254 s; 1.4% of the test-line pairs missed); `take` names those functions
(`untraced`), and whoever reads the lines counts such a test as maybe reaching every
line of them.
"""

from __future__ import annotations

import os
import sys
from types import CodeType, FrameType, ModuleType
from typing import TYPE_CHECKING, Any, List, Set, Tuple, Union, cast

from .probe import copy_arguments

if TYPE_CHECKING:
    from _typeshed import TraceFunction

# A line of a file under mutation: (file number, line).
Line = Tuple[int, int]
# A function of a file under mutation: (file number, first line, name), as `swap.key_of`.
Key = Tuple[int, int, str]
# What a take recorded: the lines, the functions called, the functions some of whose
# calls went untraced.
Taken = Tuple[Set[Line], Set[Key], Set[Key]]
# A take: what it recorded, or a placeholder `resolve` replaces (coverage.py's context).
Take = Union[Taken, str]

# Calls of one function in one test that `SettraceTracer` traces line by line.
ENTRIES = 16

# The copies of calls' arguments the traced baseline keeps (`BaseTracer.keep_arguments`):
# different calls per function from any tests, then more up to `SPREAD`, each from
# another test; attempts per function, and bytes in all.
COPIES = 3
SPREAD = 10
TRIES = 32
KEPT_BYTES = 4 * 1024 * 1024


class BaseTracer:
    name: str

    def __init__(self, files: list[str]) -> None:
        self.files = files
        self.index: dict[str, int | None] = {}
        for number, path in enumerate(files):
            self.index[path] = number
            self.index[os.path.realpath(path)] = number
        self.lines: set[Line] = set()
        self.calls: set[Key] = set()
        self.untraced: set[Key] = set()
        self.importing = True
        self.foreign: dict[Key, set[str | None]] = {}
        # While `keeping` (the traced baseline): copies of the arguments of a few calls
        # of each function (`probe.copy_arguments`), or why they could not be copied.
        self.keeping = False
        self.arguments: dict[Key, list[str]] = {}
        self.uncopyable: dict[Key, str] = {}
        self.tries: dict[Key, int] = {}
        self.kept_bytes = 0
        # How many times each function's arguments were copied (or tried) in the
        # current test.
        self.tried_now: dict[Key, int] = {}

    def file_of(self, filename: str) -> int | None:
        """The number of the file under mutation called `filename`, or None."""
        try:
            return self.index[filename]
        except KeyError:
            number = self.index.get(os.path.realpath(os.path.abspath(filename)))
            self.index[filename] = number
            return number

    def called(self, number: int, code: CodeType, frame: FrameType) -> None:
        key = (number, code.co_firstlineno, code.co_name)
        self.calls.add(key)
        if self.keeping and not self.importing:
            self.keep_arguments(key, frame)
        if self.importing and code.co_name != "<module>":
            importer = importer_of(frame)
            if importer != code.co_filename:
                self.foreign.setdefault(key, set()).add(importer)

    def keep_arguments(self, key: Key, frame: FrameType) -> None:
        """Copy the arguments of `frame`'s call of function `key`: up to `COPIES`
        different calls of it (at most `COPIES` attempts in a test), then up to `SPREAD`
        with one attempt in each test (another test often calls it in another way: with
        a password, a fragment), in `TRIES` attempts, within `KEPT_BYTES` in all."""
        tries = self.tries.get(key, 0)
        if tries >= TRIES or key[2] == "<module>" or self.kept_bytes >= KEPT_BYTES:
            return
        kept = self.arguments.setdefault(key, [])
        now = self.tried_now.get(key, 0)
        if now >= (COPIES if len(kept) < COPIES else 1):
            return
        self.tries[key] = tries + 1
        self.tried_now[key] = now + 1
        copied, why = copy_arguments(frame)
        if copied is None:
            self.uncopyable.setdefault(key, why)
            return
        if copied not in kept:
            kept.append(copied)
            self.kept_bytes += len(copied)
        if len(kept) >= SPREAD:
            self.tries[key] = TRIES

    def start(self) -> None:
        """Record from now on."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop recording."""
        raise NotImplementedError

    def active(self) -> bool:
        """Whether this tracer is the one installed and recording."""
        raise NotImplementedError

    def take(self) -> Take:
        """What was recorded since the last take: the lines, the functions called, and
        the functions some of whose calls went untraced (keys, like `calls`)."""
        taken = self.lines, self.calls, self.untraced
        self.lines, self.calls, self.untraced = set(), set(), set()
        self.tried_now = {}
        return taken

    def resolve(self, taken: list[Take]) -> list[Taken]:
        """The results of a run's takes (placeholders replaced), in order."""
        return cast("list[Taken]", taken)


# A function's copied calls for the baseline's answer: [file number, first line, name,
# the copies, why the calls could not be copied ("" when some were)].
Input = Tuple[int, int, str, List[str], str]


def inputs_of(tracer: BaseTracer) -> list[Input]:
    """What `tracer` kept of the calls' arguments, per function."""
    keys = set(tracer.arguments) | set(tracer.uncopyable)
    return [
        (key[0], key[1], key[2], tracer.arguments.get(key, []), tracer.uncopyable.get(key, ""))
        for key in sorted(keys)
    ]


def importer_of(frame: FrameType) -> str | None:
    """The file name of the nearest module top level below `frame`, or of a
    `conftest.py` whose code (a hook, a fixture) is on the way there; None when there
    is neither."""
    below = frame.f_back
    while below is not None:
        filename = below.f_code.co_filename
        if below.f_code.co_name == "<module>" or filename.endswith("conftest.py"):
            return filename
        below = below.f_back
    return None


class SettraceTracer(BaseTracer):
    """`sys.settrace` (and `threading.settrace`), limited to the files under mutation."""

    name = "settrace"

    def __init__(self, files: list[str]) -> None:
        super().__init__(files)
        self.entries: dict[CodeType, int] = {}  # code -> its calls traced since the last take

    def trace(self, frame: FrameType, event: str, arg: Any) -> TraceFunction | None:
        code = frame.f_code
        number = self.file_of(code.co_filename)
        if number is None:
            return None
        if not self.importing:
            entries = self.entries.get(code, 0)
            if entries >= ENTRIES:
                self.untraced.add((number, code.co_firstlineno, code.co_name))
                return None
            self.entries[code] = entries + 1
        self.called(number, code, frame)
        tracer = self

        def local(frame: FrameType, event: str, arg: Any) -> TraceFunction:
            if event == "line":
                tracer.lines.add((number, frame.f_lineno))
            return local

        return local

    def start(self) -> None:
        import threading

        threading.settrace(self.trace)
        sys.settrace(self.trace)

    def stop(self) -> None:
        import threading

        threading.settrace(None)  # type: ignore[arg-type, unused-ignore]
        sys.settrace(None)

    def active(self) -> bool:
        return sys.gettrace() == self.trace

    def take(self) -> Take:
        self.entries = {}
        return super().take()



class MonitoringTracer(BaseTracer):
    """`sys.monitoring` (Python 3.12+): every code location reports once and is then
    disabled until the next `take`, so a test pays for each line it runs once."""

    name = "sys.monitoring"

    def __init__(self, files: list[str]) -> None:
        super().__init__(files)
        monitoring: Any = sys.monitoring  # type: ignore[attr-defined]
        self.monitoring = monitoring
        self.tool: int | None = None
        for tool in (4, 3, 5):
            if monitoring.get_tool(tool) is None:
                monitoring.use_tool_id(tool, "git-chimp")
                self.tool = tool
                break
        if self.tool is None:
            raise RuntimeError("no free sys.monitoring tool id")
        events = monitoring.events
        self.events = events.PY_START | events.LINE
        monitoring.register_callback(self.tool, events.PY_START, self.on_start)
        monitoring.register_callback(self.tool, events.LINE, self.on_line)

    def on_start(self, code: CodeType, offset: int) -> object:
        number = self.file_of(code.co_filename)
        if number is None:
            return self.monitoring.DISABLE
        self.called(number, code, sys._getframe(1))
        # While importing every call matters (a function may run below its own module
        # first and below another one later); after that, once per test.
        return None if self.importing else self.monitoring.DISABLE

    def on_line(self, code: CodeType, line: int) -> object:
        number = self.file_of(code.co_filename)
        if number is None:
            return self.monitoring.DISABLE
        self.lines.add((number, line))
        return self.monitoring.DISABLE

    def start(self) -> None:
        self.monitoring.set_events(self.tool, self.events)
        self.monitoring.restart_events()

    def stop(self) -> None:
        self.monitoring.set_events(self.tool, 0)

    def active(self) -> bool:
        return (
            self.monitoring.get_tool(self.tool) == "git-chimp"
            and self.monitoring.get_events(self.tool) == self.events
        )

    def take(self) -> Take:
        taken = super().take()
        self.monitoring.restart_events()
        return taken


class CoverageTracer(SettraceTracer):
    """coverage.py's C tracer while the tests run, one dynamic context per test (on
    pyparsing's suite, 69 s untraced: 176 s, against 254 s with `sys.settrace`);
    `sys.settrace` while the modules are imported, for what only a Python trace
    function sees (which module's import called a function). Its takes are the
    contexts' names, resolved from coverage's data at the end. A function counts as
    called in a test when a line of its own (not its `def` line, which the code around
    it runs) ran; one with no other line, when that line ran."""

    name = "coverage.py"

    def __init__(self, files: list[str], coverage: Any) -> None:
        super().__init__(files)
        import glob

        paths = {os.path.abspath(path) for path in files} | {os.path.realpath(path) for path in files}
        self.coverage = coverage.Coverage(
            data_file=None, include=sorted(glob.escape(path) for path in paths), config_file=False
        )
        self.context = 1  # the dynamic context of the test running now
        # coverage's trace function, once it measures the tests
        self.installed: TraceFunction | None = None
        self.running = False
        # file number -> functions_of(number)
        self.function_lines: dict[int, list[tuple[Key, set[int]]]] = {}

    def start(self) -> None:
        if self.importing:
            return super().start()
        self.coverage.start()
        self.installed = sys.gettrace()
        self.running = True
        self.coverage.switch_context(str(self.context))
        if self.keeping:
            # coverage's C tracer calls no Python: the calls' arguments come from a
            # profile function, which only calls and returns wake.
            sys.setprofile(self.profile)

    def stop(self) -> None:
        if self.installed is None:
            return super().stop()
        self.coverage.stop()
        sys.setprofile(None)
        self.running = False

    def profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        code = frame.f_code
        number = self.file_of(code.co_filename)
        if number is not None:
            self.keep_arguments((number, code.co_firstlineno, code.co_name), frame)

    def active(self) -> bool:
        if self.installed is None:
            return super().active()
        return sys.gettrace() is self.installed

    def take(self) -> Take:
        if self.installed is None:
            return super().take()
        taken = str(self.context)
        self.context += 1
        self.tried_now = {}
        if self.running:
            self.coverage.switch_context(str(self.context))
        return taken

    def resolve(self, taken: list[Take]) -> list[Taken]:
        if self.installed is None:
            return cast("list[Taken]", taken)
        by_context: dict[str, set[Line]] = {}
        data = self.coverage.get_data()
        for filename in data.measured_files():
            number = self.file_of(filename)
            if number is None:
                continue
            for line, contexts in data.contexts_by_lineno(filename).items():
                for context in contexts:
                    by_context.setdefault(context, set()).add((number, line))
        resolved: list[Taken] = []
        for item in taken:
            if isinstance(item, str):
                lines = by_context.get(item, set())
                item = (lines, self.calls_in(lines), set())
            resolved.append(item)
        return resolved

    def calls_in(self, lines: set[Line]) -> set[Key]:
        """The functions that `lines` show ran."""
        numbers = {number for number, _ in lines}
        calls: set[Key] = set()
        for number in numbers:
            for key, own in self.functions_of(number):
                if any((number, line) in lines for line in own):
                    calls.add(key)
        return calls

    def functions_of(self, number: int) -> list[tuple[Key, set[int]]]:
        """(key, lines that show it ran) of each function of file `number`."""
        cache = self.function_lines
        if number not in cache:
            from .swap import all_codes, key_of, own_lines

            path = self.files[number]
            with open(path, "rb") as source:
                module = compile(source.read(), path, "exec", dont_inherit=True)
            functions: list[tuple[Key, set[int]]] = []
            for code in all_codes(module):
                if code is module:
                    continue
                starts = own_lines(code)
                functions.append((key_of(number, code), starts - {code.co_firstlineno} or starts))
            cache[number] = functions
        return cache[number]


def c_coverage() -> ModuleType | None:
    """coverage.py, when this Python can import it with its C tracer and dynamic
    contexts (5.0 and later); else None."""
    try:
        import coverage
        from coverage.tracer import CTracer  # noqa: F401
    except Exception:
        return None
    return coverage if hasattr(coverage.Coverage, "switch_context") else None


def coverage_fits(files: list[str]) -> bool:
    """Whether coverage.py's tracer sees every line of `files`: its C tracer files a
    line under the frame on top of its own stack, which greenlet switches (gevent,
    eventlet, SQLAlchemy's asyncio) change without a call or return; and its include
    patterns cannot hold `[` or `]`."""
    import importlib.util

    if any(importlib.util.find_spec(name) is not None for name in ("greenlet", "gevent", "eventlet")):
        return False
    return not any("[" in path or "]" in path for path in files)


def kinds() -> list[str]:
    """The tracers this Python can use, `make_tracer`'s choice last."""
    found = ["settrace"]
    if c_coverage() is not None:
        found.append("coverage.py")
    if hasattr(sys, "monitoring"):
        found.append("sys.monitoring")
    return found


def make_tracer(files: list[str], kind: str | None = None) -> BaseTracer:
    """The best tracer this Python has (`kind`: "settrace", "coverage.py" or
    "sys.monitoring" to choose)."""
    if kind is None:
        if hasattr(sys, "monitoring"):
            kind = "sys.monitoring"
        else:
            fits = c_coverage() is not None and coverage_fits(files)
            kind = "coverage.py" if fits else "settrace"
    if kind == "sys.monitoring":
        return MonitoringTracer(files)
    if kind == "coverage.py":
        return CoverageTracer(files, c_coverage())
    return SettraceTracer(files)
