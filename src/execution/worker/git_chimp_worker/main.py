"""Start-up: read the config, set up the channel and the console, run a mode.

    config.json  {"mode": "warm" | "fresh", "framework": "pytest" | "unittest",
                  "args": [...pytest's or unittest's arguments],
                  "path0": dir for sys.path[0], "files": [absolute paths of the files
                  under mutation], "console": path, "result": path,
                  "reexec": whether import-time mutants may re-execute their module,
                  "tracer": optional "settrace" | "sys.monitoring"}
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

from .protocol import Channel


def main(argv: list[str]) -> int:
    with open(argv[1]) as config_file:
        config = json.load(config_file)
    channel = Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    console = os.open(config["console"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
    os.dup2(console, 1)
    os.dup2(console, 2)
    # The tests see the directory pytest itself would put first, not this package's.
    sys.path[0] = config["path0"]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if config.get("framework") == "unittest":
        return run_unittest(config, channel)
    try:
        import pytest
    except ImportError as error:
        channel.send({"event": "failed", "reason": "pytest cannot be imported: %s" % error})
        return 0
    if config.get("mode") == "fresh":
        from . import fresh

        fresh.serve(config, channel, pytest)
        return 0
    from .pytests import PytestWorker
    from .tracer import make_tracer

    tracer = make_tracer(config["files"], config.get("tracer"))
    worker = PytestWorker(config, channel, tracer)
    tracer.start()
    status = pytest.main(config["args"], plugins=[worker])
    if worker.session is None or worker.items is None:
        channel.send(
            {
                "event": "failed",
                "reason": "pytest exited with status %s before running tests" % int(status),
            }
        )
    return 0


def run_unittest(config: dict[str, Any], channel: Channel) -> int:
    """The unittest front end: `python -m unittest ARGS` (`unittests.py`)."""
    if config.get("mode") == "fresh":
        from . import fresh

        fresh.serve(config, channel, None)
        return 0
    from .tracer import make_tracer
    from .unittests import serve

    serve(config, channel, make_tracer(config["files"], config.get("tracer")))
    return 0
