"""Which lines and functions of the files under mutation run.

Two implementations with one interface: `sys.monitoring` on Python 3.12 and later (each
line is reported once per test and then switched off, so tracing costs little), and
`sys.settrace` before that. `make_tracer` picks one.

While the modules are imported and the tests collected (`importing`), the tracer also
notes, for each function that ran below another module's top level or a pytest hook,
which files those were (`foreign`: key -> file names, None for "no module"):
re-executing its own module would not redo that work.
"""

import os
import sys


class BaseTracer:
    def __init__(self, files):
        self.index = {}
        for number, path in enumerate(files):
            self.index[path] = number
            self.index[os.path.realpath(path)] = number
        self.lines = set()
        self.calls = set()
        self.importing = True
        self.foreign = {}

    def file_of(self, filename):
        """The number of the file under mutation called `filename`, or None."""
        try:
            return self.index[filename]
        except KeyError:
            number = self.index.get(os.path.realpath(os.path.abspath(filename)))
            self.index[filename] = number
            return number

    def called(self, number, code, frame):
        key = (number, code.co_firstlineno, code.co_name)
        self.calls.add(key)
        if self.importing and code.co_name != "<module>":
            importer = importer_of(frame)
            if importer != code.co_filename:
                self.foreign.setdefault(key, set()).add(importer)

    def take(self):
        """What was recorded since the last take."""
        lines, calls = self.lines, self.calls
        self.lines, self.calls = set(), set()
        return lines, calls


def importer_of(frame):
    """The file name of the nearest module top level below `frame`, or of a
    `conftest.py` whose code (a hook, a fixture) is on the way there; None when there
    is neither."""
    frame = frame.f_back
    while frame is not None:
        filename = frame.f_code.co_filename
        if frame.f_code.co_name == "<module>" or filename.endswith("conftest.py"):
            return filename
        frame = frame.f_back
    return None


class SettraceTracer(BaseTracer):
    """`sys.settrace` (and `threading.settrace`), limited to the files under mutation."""

    name = "settrace"

    def trace(self, frame, event, arg):
        code = frame.f_code
        number = self.file_of(code.co_filename)
        if number is None:
            return None
        self.called(number, code, frame)
        tracer = self

        def local(frame, event, arg):
            if event == "line":
                tracer.lines.add((number, frame.f_lineno))
            return local

        return local

    def start(self):
        import threading

        threading.settrace(self.trace)
        sys.settrace(self.trace)

    def stop(self):
        import threading

        threading.settrace(None)
        sys.settrace(None)

    def active(self):
        return sys.gettrace() == self.trace



class MonitoringTracer(BaseTracer):
    """`sys.monitoring` (Python 3.12+): every code location reports once and is then
    disabled until the next `take`, so a test pays for each line it runs once."""

    name = "sys.monitoring"

    def __init__(self, files):
        super().__init__(files)
        monitoring = sys.monitoring
        self.monitoring = monitoring
        self.tool = None
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

    def on_start(self, code, offset):
        number = self.file_of(code.co_filename)
        if number is None:
            return self.monitoring.DISABLE
        self.called(number, code, sys._getframe(1))
        # While importing every call matters (a function may run below its own module
        # first and below another one later); after that, once per test.
        return None if self.importing else self.monitoring.DISABLE

    def on_line(self, code, line):
        number = self.file_of(code.co_filename)
        if number is None:
            return self.monitoring.DISABLE
        self.lines.add((number, line))
        return self.monitoring.DISABLE

    def start(self):
        self.monitoring.set_events(self.tool, self.events)
        self.monitoring.restart_events()

    def stop(self):
        self.monitoring.set_events(self.tool, 0)

    def active(self):
        return (
            self.monitoring.get_tool(self.tool) == "git-chimp"
            and self.monitoring.get_events(self.tool) == self.events
        )

    def take(self):
        taken = super().take()
        self.monitoring.restart_events()
        return taken


def make_tracer(files, kind=None):
    """The best tracer this Python has (`kind`: "settrace" or "sys.monitoring" to
    choose)."""
    if kind is None:
        kind = "sys.monitoring" if hasattr(sys, "monitoring") else "settrace"
    if kind == "sys.monitoring":
        return MonitoringTracer(files)
    return SettraceTracer(files)
