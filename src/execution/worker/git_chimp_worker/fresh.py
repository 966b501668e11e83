"""The fresh mode: a process that has imported pytest (or unittest) and nothing of the
project, and forks a child per request that runs the tests from the start, as
`python -m pytest ARGS` (or `python -m unittest ARGS`) would, on whatever the sandbox's files hold then (git-chimp has written the mutant in).
It saves the interpreter's start-up and pytest's import, nothing else.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from types import ModuleType
from typing import Any, NoReturn

from .fork import kill_group, wait_child
from .lazy import imported_before
from .protocol import Channel, Request


def serve(config: dict[str, Any], channel: Channel, pytest: ModuleType | None) -> None:
    early = imported_before(config["files"])
    if early:
        path = config["files"][min(early)]
        channel.send({"event": "failed", "reason": "the runner itself imports %s" % path})
        return
    channel.send({"event": "ready", "tests": 0})
    while True:
        request = channel.receive()
        if request is None:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            run_pytest(config, channel, pytest, request)
        channel.send({"event": "forked", "pid": pid})
        status = wait_child(channel, pid, request["timeout"])
        kill_group(pid)
        seconds = time.perf_counter() - started
        if status is None:
            channel.send({"event": "timed_out", "seconds": seconds})
        elif os.WIFSIGNALED(status):
            channel.send({"event": "signalled", "signal": os.WTERMSIG(status), "seconds": seconds})
        else:
            channel.send({"event": "exited", "code": os.WEXITSTATUS(status), "seconds": seconds})


def run_pytest(
    config: dict[str, Any], channel: Channel, pytest: ModuleType | None, request: Request
) -> NoReturn:
    """In the child: run pytest with its output in the request's log, then exit."""
    code = 3
    try:
        channel.close()
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.environ["CHIMP_MUTANT"] = request["id"]
        if pytest is None:
            # `python -m unittest ARGS`: exits with its status.
            import unittest

            sys.argv = ["python -m unittest"] + list(config["args"])
            unittest.main(module=None, argv=sys.argv)
            code = 0
        else:
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
