"""git-chimp's warm pytest worker.

git-chimp writes this file into a sandbox's scratch directory and starts it with the
user's Python as `python git_chimp_worker.py <config.json>`, from the sandbox directory
that matches the user's current directory. It runs pytest in-process with the user's
arguments, collects the tests once and then serves requests until its input closes.

Protocol: one JSON object per line. Requests arrive on standard input; replies leave on
the original standard output. The tests' output (and pytest's) goes to the console file
named in the config, which is emptied before every run, so git-chimp can keep it as the
run's log.

    config.json  {"args": [...pytest arguments], "path0": dir for sys.path[0],
                  "files": [absolute paths of the files under mutation],
                  "console": path, "result": path}
    <- {"event": "ready", "tests": N}          collected; or {"event": "failed", "reason": ...}
    -> {"op": "baseline", "timeout": seconds}
    <- {"event": "forked", "pid": P}           before every run in a child process
    <- {"event": "baseline", "tests": N, "failed": [ids], "seconds": S}
    -> {"op": "mutant", "id": ..., "path": absolute file, "source": mutated text,
        "lines": [first, last], "timeout": seconds}
    <- {"event": "result", "outcome": "killed" | "survived" | "timeout" | "uncovered"
        | "fallback", "killed_by": id, "tests": [ids run], "reason": ...}

With "mode": "fresh" in the config the process imports pytest and nothing else, then for
each request forks a child that runs pytest from the start on the files as they are
(git-chimp has written the mutant into the sandbox), like a fresh `python -m pytest`
without the interpreter's start-up and pytest's import:

    <- {"event": "ready", "tests": 0}
    -> {"op": "run", "id": ..., "log": path, "timeout": seconds}
    <- {"event": "forked", "pid": P}
    <- {"event": "exit", "code": N | "signal": N | "timeout": true, "seconds": S}

A mutant runs in a forked child (its own process group) that swaps the mutated code
objects into the live functions and runs only the tests that reached the mutated lines in
the baseline, fastest first, stopping at the first failure. Two checks keep the outcome
the one a fresh run would give: when a test fails after one that followed it in the
baseline, the same tests run again in the baseline's order, and that run decides; and
before a mutant counts as survived, every test that touches its file runs in the
baseline's order (a cache that one test fills and the next reads hides lines from the
per-test coverage). "fallback" means the worker
cannot give a trustworthy outcome and git-chimp must run the tests from scratch.
"""

import dis
import gc
import json
import os
import select
import signal
import sys
import time
import traceback
import types

CO_NEWLOCALS = 0x0002
CODE_ATTRS = (
    "co_code",
    "co_names",
    "co_varnames",
    "co_freevars",
    "co_cellvars",
    "co_flags",
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
    "co_name",
    "co_exceptiontable",
)
CHILD_ERROR = 99


class Channel:
    """Line-oriented JSON over two file descriptors, readable with select()."""

    def __init__(self, read_fd, write_fd):
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.buffer = b""
        self.closed = False

    def send(self, **message):
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.write_fd, data):]

    def fill(self):
        """Read what is available; False at end of input."""
        chunk = os.read(self.read_fd, 65536)
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def receive(self):
        """The next request, or None at end of input."""
        while b"\n" not in self.buffer:
            if self.closed or not self.fill():
                return None
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


class Tracer:
    """Records which lines and functions of the files under mutation execute."""

    def __init__(self, files):
        self.index = {}
        for number, path in enumerate(files):
            self.index[path] = number
            self.index[os.path.realpath(path)] = number
        self.lines = set()
        self.calls = set()

    def file_of(self, filename):
        try:
            return self.index[filename]
        except KeyError:
            number = self.index.get(os.path.realpath(os.path.abspath(filename)))
            self.index[filename] = number
            return number

    def trace(self, frame, event, arg):
        code = frame.f_code
        number = self.file_of(code.co_filename)
        if number is None:
            return None
        self.calls.add((number, code.co_firstlineno, code.co_name))
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

    def active(self):
        return sys.gettrace() == self.trace

    def take(self):
        """What was recorded since the last take."""
        lines, calls = self.lines, self.calls
        self.lines, self.calls = set(), set()
        return lines, calls


def key_of(number, code):
    return (number, code.co_firstlineno, code.co_name)


def differences(original, mutated, chain, out):
    """Append, for each shallowest code object that differs (positions ignored), the
    chain of (original, mutated) pairs from the module down to it. False when the two
    trees do not have the same shape."""
    pair = chain + [(original, mutated)]
    if len(original.co_consts) != len(mutated.co_consts) or any(
        getattr(original, name, None) != getattr(mutated, name, None) for name in CODE_ATTRS
    ):
        out.append(pair)
        return True
    nested = []
    for a, b in zip(original.co_consts, mutated.co_consts):
        if isinstance(a, types.CodeType) and isinstance(b, types.CodeType):
            nested.append((a, b))
        elif isinstance(a, types.CodeType) or isinstance(b, types.CodeType):
            out.append(pair)
            return True
        elif type(a) is not type(b) or repr(a) != repr(b):
            out.append(pair)
            return True
    return all(differences(a, b, pair, out) for a, b in nested)


def all_codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from all_codes(const)


class Worker:
    def __init__(self, config, channel, tracer):
        self.channel = channel
        self.tracer = tracer
        self.files = config["files"]
        self.file_numbers = {path: number for number, path in enumerate(self.files)}
        self.result_path = config["result"]
        self.compiled = {}
        self.traceable = {}
        self.failed_report = None
        self.session = None
        self.tests = []  # (nodeid, duration) after the baseline
        self.line_tests = {}
        self.call_tests = {}
        self.file_tests = {}
        self.baseline_items = []
        self.position = {}

    # pytest hooks ---------------------------------------------------------------------

    def pytest_runtest_logreport(self, report):
        if report.failed and self.failed_report is None:
            self.failed_report = report

    def pytest_runtestloop(self, session):
        self.session = session
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            self.channel.send(
                event="failed",
                reason="%d error(s) while collecting the tests" % session.testsfailed,
            )
            return True
        if not self.tracer.active():
            self.channel.send(
                event="failed",
                reason="another tracer (a coverage plugin?) replaced git-chimp's",
            )
            return True
        sys.settrace(None)
        self.import_lines, self.import_calls = self.tracer.take()
        if not self.import_lines:
            self.channel.send(
                event="failed",
                reason="no line of the files under mutation ran while collecting the tests",
            )
            return True
        self.functions = {}
        for obj in gc.get_objects():
            if isinstance(obj, types.FunctionType):
                number = self.tracer.file_of(obj.__code__.co_filename)
                if number is not None:
                    self.functions.setdefault(key_of(number, obj.__code__), []).append(obj)
        self.items = list(session.items)
        if session.config.pluginmanager.hasplugin("dsession"):
            self.channel.send(event="failed", reason="pytest-xdist (-n) runs the tests elsewhere")
            return True
        if not self.items:
            self.channel.send(event="failed", reason="no tests were collected")
            return True
        self.channel.send(event="ready", tests=len(self.items))
        while True:
            request = self.channel.receive()
            if request is None or request.get("op") == "quit":
                return True
            if request["op"] == "baseline":
                self.channel.send(**self.baseline(request))
            elif request["op"] == "mutant":
                self.channel.send(**self.mutant(request))

    # running tests in a child ---------------------------------------------------------

    def run_items(self, items, on_item=None):
        """Run `items` in order; stop at the first failing one. Returns its node id."""
        for position, item in enumerate(items):
            following = items[position + 1] if position + 1 < len(items) else None
            started = time.perf_counter()
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            if on_item is not None:
                on_item(item, time.perf_counter() - started, self.failed_report is not None)
                self.failed_report = None
            elif self.failed_report is not None:
                report = self.failed_report
                sys.stdout.write("\ngit-chimp: killed by %s\n" % report.nodeid)
                sys.stdout.write(getattr(report, "longreprtext", "") + "\n")
                return item.nodeid
        return None

    def in_child(self, work, timeout):
        """Run `work()` in a forked child in its own process group; it returns the JSON
        result. Returns ("result", value), ("timeout", None), ("exit", status)."""
        try:
            os.unlink(self.result_path)
        except FileNotFoundError:
            pass
        sys.stdout.flush()
        sys.stderr.flush()
        os.ftruncate(1, 0)
        # Keep the collector off the parent's objects in the child: scanning them would
        # copy every page of the heap on write.
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            code = CHILD_ERROR
            try:
                os.close(self.channel.read_fd)
                os.close(self.channel.write_fd)
                os.setpgid(0, 0)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                result = work()
                with open(self.result_path + ".tmp", "w") as out:
                    json.dump(result, out)
                os.rename(self.result_path + ".tmp", self.result_path)
                code = 0
            except BaseException:
                sys.stdout.write("\ngit-chimp worker: error in the child\n")
                traceback.print_exc(file=sys.stdout)
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        self.channel.send(event="forked", pid=pid)
        status = wait_child(self.channel, pid, timeout)
        if status is None:
            return ("timeout", None)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            try:
                with open(self.result_path) as result:
                    return ("result", json.load(result))
            except (OSError, ValueError):
                return ("exit", status)
        return ("exit", status)

    # requests ---------------------------------------------------------------------------

    def baseline(self, request):
        tracer = self.tracer
        numbers = self.file_numbers

        def work():
            records = []

            def on_item(item, seconds, failed):
                lines, calls = tracer.take()
                by_file = {}
                for number, line in lines:
                    by_file.setdefault(number, []).append(line)
                records.append(
                    {
                        "id": item.nodeid,
                        "seconds": seconds,
                        "failed": failed,
                        "lines": {str(k): sorted(v) for k, v in by_file.items()},
                        "calls": sorted(calls),
                    }
                )

            tracer.take()
            tracer.start()
            self.run_items(self.items, on_item)
            active = tracer.active()
            sys.settrace(None)
            return {"tests": records, "traced": active, "files": len(numbers)}

        started = time.perf_counter()
        kind, value = self.in_child(work, request["timeout"])
        seconds = time.perf_counter() - started
        if kind != "result":
            return {"event": "baseline_failed", "reason": describe(kind, value)}
        if not value["traced"]:
            return {"event": "baseline_failed", "reason": "the tests replaced git-chimp's tracer"}
        self.tests = []
        self.line_tests = {}
        self.call_tests = {}
        self.file_tests = {}
        # Looked up per mutant: built once here.
        by_id = {item.nodeid: item for item in self.items}
        self.baseline_items = [by_id.get(record["id"]) for record in value["tests"]]
        self.position = {record["id"]: index for index, record in enumerate(value["tests"])}
        failed = []
        for position, record in enumerate(value["tests"]):
            self.tests.append((record["id"], record["seconds"]))
            if record["failed"]:
                failed.append(record["id"])
            for number, lines in record["lines"].items():
                self.file_tests.setdefault(int(number), set()).add(position)
                for line in lines:
                    self.line_tests.setdefault((int(number), line), []).append(position)
            for call in record["calls"]:
                self.call_tests.setdefault(tuple(call), []).append(position)
        return {"event": "baseline", "tests": len(self.tests), "failed": failed, "seconds": seconds}

    def only_bodies_that_slept(self, number, diffs):
        """Whether every change is inside a function that, like every function around
        it, never ran while the modules were imported and the tests collected."""
        for chain in diffs:
            if not chain[-1][0].co_flags & CO_NEWLOCALS:
                return False
            for old, _ in chain:
                if old.co_flags & CO_NEWLOCALS and key_of(number, old) in self.import_calls:
                    return False
        return bool(diffs)

    def out_of_order(self, killer, ran):
        """Whether a test that followed `killer` in the baseline ran before it."""
        limit = self.position.get(killer, -1)
        for item in ran:
            if item.nodeid == killer:
                return False
            if self.position.get(item.nodeid, -1) > limit:
                return True
        return False

    def original(self, number):
        if number not in self.compiled:
            path = self.files[number]
            with open(path, "rb") as source:
                code = compile(source.read(), path, "exec", dont_inherit=True)
            lines = set()
            for nested in all_codes(code):
                lines.update(line for _, line in dis.findlinestarts(nested))
            self.compiled[number] = code
            self.traceable[number] = lines
        return self.compiled[number]

    def mutant(self, request):
        def fallback(reason):
            return {"event": "result", "outcome": "fallback", "reason": reason}

        number = self.file_numbers.get(request["path"])
        if number is None:
            return fallback("not a file the worker traces")
        try:
            original = self.original(number)
            mutated = compile(request["source"], self.files[number], "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return fallback("Python cannot compile it: %s" % error)
        diffs = []
        if not differences(original, mutated, [], diffs):
            return fallback("the mutated module has a different shape")

        first, last = request["lines"]
        traceable = [line for line in range(first, last + 1) if line in self.traceable[number]]
        if traceable:
            # A line that ran at import may only hold the definition of a function that
            # did not run then (a lambda in a module-level table): only its body changed.
            at_import = not self.only_bodies_that_slept(number, diffs) and any(
                (number, line) in self.import_lines for line in traceable
            )
            reached = set()
            for line in traceable:
                reached.update(self.line_tests.get((number, line), ()))
        else:
            nodes = [chain[-1][0] for chain in diffs]
            at_import = any(
                len(chain) == 1 or key_of(number, node) in self.import_calls
                for chain, node in zip(diffs, nodes)
            )
            reached = set()
            for node in nodes:
                reached.update(self.call_tests.get(key_of(number, node), ()))
        if not at_import and not reached:
            return {"event": "result", "outcome": "uncovered"}
        if at_import:
            return fallback("the mutated code runs while the modules are imported")
        if not diffs:
            return fallback("the bytecode does not change")

        swaps = []
        for chain in diffs:
            if not chain[-1][0].co_flags & CO_NEWLOCALS:
                return fallback("module level or class body")
            outermost = next(i for i, (o, _) in enumerate(chain) if o.co_flags & CO_NEWLOCALS)
            for position, (old, new) in enumerate(chain[outermost:]):
                key = key_of(number, old)
                if key in self.import_calls:
                    return fallback("%s ran while the modules were imported" % old.co_name)
                if old.co_freevars != new.co_freevars:
                    return fallback("the free variables of %s change" % old.co_name)
                live = self.functions.get(key, [])
                if len({id(function.__code__) for function in live}) > 1:
                    # Two definitions share the key (lambdas on one line): keep the ones
                    # whose code is this definition's.
                    live = [function for function in live if function.__code__ == old]
                    if not live:
                        return fallback("cannot tell apart the functions of %s" % old.co_name)
                if position == 0 and not live:
                    return fallback("no live function object for %s" % old.co_name)
                swaps.extend((function, new) for function in live)

        in_order = sorted(reached)
        fastest_first = sorted(reached, key=lambda position: self.tests[position][1])
        def items_at(positions):
            items = (self.baseline_items[position] for position in positions)
            return [item for item in items if item is not None]

        def run(selected):
            def work():
                os.environ["CHIMP_MUTANT"] = request["id"]
                # Only the first failure matters; pytest's long tracebacks are slow.
                self.session.config.option.tbstyle = "native"
                for function, code in swaps:
                    function.__code__ = code
                sys.stdout.write(
                    "git-chimp: mutant %s, %d test(s): %s\n"
                    % (request["id"], len(selected), " ".join(i.nodeid for i in selected))
                )
                return {"killed_by": self.run_items(selected)}

            return self.in_child(work, request["timeout"])

        selected = items_at(fastest_first)
        kind, value = run(selected)
        if kind == "result" and value["killed_by"] and self.out_of_order(value["killed_by"], selected):
            # A test that came after the failing one in the baseline ran before it: make
            # sure the failure is the mutant's, not that test's leftovers.
            selected = items_at(in_order)
            kind, value = run(selected)
        everyone = self.file_tests.get(number, set())
        if kind == "result" and not value["killed_by"] and everyone - reached:
            # The baseline saw which tests reach these lines with the other tests' state
            # around (a cache one test fills is read by the next). Before calling the
            # mutant a survivor, every test that touches the file runs, in the
            # baseline's order.
            selected = items_at(sorted(everyone | reached))
            kind, value = run(selected)
        ran = [item.nodeid for item in selected]
        if kind == "timeout":
            return {"event": "result", "outcome": "timeout", "tests": ran}
        if kind == "result":
            killer = value["killed_by"]
            outcome = "killed" if killer else "survived"
            return {"event": "result", "outcome": outcome, "killed_by": killer, "tests": ran}
        status = value
        if os.WIFSIGNALED(status) or (
            os.WIFEXITED(status) and os.WEXITSTATUS(status) not in (0, CHILD_ERROR)
        ):
            return {"event": "result", "outcome": "killed", "tests": ran, "reason": describe(kind, status)}
        return fallback(describe(kind, status))


def describe(kind, value):
    if kind == "timeout":
        return "timed out"
    if kind == "exit" and os.WIFSIGNALED(value):
        return "the test process was killed by signal %d" % os.WTERMSIG(value)
    if kind == "exit" and os.WIFEXITED(value):
        if os.WEXITSTATUS(value) == CHILD_ERROR:
            return "the worker failed; see the log"
        return "the test process exited with status %d without a result" % os.WEXITSTATUS(value)
    return kind


def wait_child(channel, pid, timeout):
    """The child's wait status, or None after killing its process group on timeout.
    Exits the process when git-chimp goes away (its requests end)."""
    deadline = time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kill_group(pid)
                os.waitpid(pid, 0)
                return None
            watched = [channel.read_fd] + ([pidfd] if pidfd is not None else [])
            step = remaining if pidfd is not None else min(remaining, 0.01)
            readable, _, _ = select.select(watched, [], [], step)
            if channel.read_fd in readable and not channel.fill():
                kill_group(pid)
                os._exit(0)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def serve_fresh(config, channel, pytest):
    """The fresh mode: a process that has imported pytest and nothing of the project,
    and forks a child for each request that runs pytest from the start, as
    `python -m pytest ARGS` would, on whatever the sandbox's files hold then."""
    mutated = {os.path.realpath(path) for path in config["files"]}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and os.path.realpath(path) in mutated:
            channel.send(event="failed", reason="pytest itself imports %s" % path)
            return
    channel.send(event="ready", tests=0)
    while True:
        request = channel.receive()
        if request is None or request.get("op") == "quit":
            return
        sys.stdout.flush()
        sys.stderr.flush()
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                os.close(channel.read_fd)
                os.close(channel.write_fd)
                os.setpgid(0, 0)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.environ["CHIMP_MUTANT"] = request["id"]
                sys.argv = ["pytest"] + list(config["args"])
                code = int(pytest.main(list(config["args"])))
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 1
            except BaseException:
                traceback.print_exc()
            try:
                import atexit

                atexit._run_exitfuncs()
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        channel.send(event="forked", pid=pid)
        status = wait_child(channel, pid, request["timeout"])
        reply = {"event": "exit", "seconds": time.perf_counter() - started}
        if status is None:
            reply["timeout"] = True
        elif os.WIFSIGNALED(status):
            reply["signal"] = os.WTERMSIG(status)
        else:
            reply["code"] = os.WEXITSTATUS(status)
        channel.send(**reply)


def main():
    with open(sys.argv[1]) as config_file:
        config = json.load(config_file)
    channel = Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    console = os.open(config["console"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
    os.dup2(console, 1)
    os.dup2(console, 2)
    sys.path[0] = config["path0"]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import pytest
    except ImportError as error:
        channel.send(event="failed", reason="pytest cannot be imported: %s" % error)
        return 0
    if config.get("mode") == "fresh":
        serve_fresh(config, channel, pytest)
        return 0
    tracer = Tracer(config["files"])
    # Run before any other plugin's loop (pytest's own, or one a conftest adds).
    Worker.pytest_runtestloop = pytest.hookimpl(tryfirst=True)(Worker.pytest_runtestloop)
    worker = Worker(config, channel, tracer)
    tracer.start()
    status = pytest.main(config["args"], plugins=[worker])
    if worker.session is None or not hasattr(worker, "items"):
        channel.send(event="failed", reason="pytest exited with status %s before running tests" % int(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
