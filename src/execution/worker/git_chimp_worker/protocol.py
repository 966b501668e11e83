"""The messages between git-chimp and the worker: JSON lines, one object each.

Requests (an "op" each) arrive on standard input, events (an "event" each) leave on the
worker's original standard output. REQUESTS and EVENTS name every message and its
fields; `Channel.send` refuses anything else, and `protocol.jsonl` holds an example of
each, which this side's tests and git-chimp's (`src/execution/worker/protocol.rs`) both check.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

# A request or an event, as JSON reads it.
Request = Dict[str, Any]
Event = Dict[str, Any]

# op -> (required fields, optional fields)
REQUESTS: dict[str, tuple[set[str], set[str]]] = {
    "baseline": ({"timeout"}, {"traced", "reuse"}),
    "records": ({"records", "durations"}, {"inputs"}),
    "mutant": ({"id", "path", "source", "lines", "timeout"}, {"rule"}),
    "run": ({"id", "log", "timeout"}, set()),
}

# event -> (required fields, optional fields)
EVENTS: dict[str, tuple[set[str], set[str]]] = {
    "ready": ({"tests"}, set()),
    "failed": ({"reason"}, set()),
    "forked": ({"pid"}, set()),
    "baseline": ({"tests", "failed", "seconds"}, {"records", "durations", "tracer", "inputs"}),
    "recorded": ({"tests", "unmatched"}, set()),
    "baseline_failed": ({"reason"}, set()),
    "killed": ({"by", "tests"}, {"reason", "reexecuted"}),
    "survived": ({"tests"}, {"input", "no_input"}),
    "timeout": ({"tests"}, {"reexecuted", "limit"}),
    "uncovered": (set(), set()),
    "equivalent": (set(), set()),
    "fallback": ({"reason"}, {"worker_log", "input", "no_input"}),
    "unmutated_fails": ({"reason"}, set()),
    "exited": ({"code", "seconds"}, set()),
    "signalled": ({"signal", "seconds"}, set()),
    "timed_out": ({"seconds"}, set()),
}


def check_event(message: Event) -> None:
    """Raise ValueError unless `message` is an event EVENTS describes."""
    name = message.get("event")
    if name not in EVENTS:
        raise ValueError("unknown event %r" % (name,))
    required, optional = EVENTS[name]
    fields = set(message) - {"event"}
    if not required <= fields or not fields <= required | optional:
        raise ValueError("event %s has fields %s" % (name, sorted(fields)))


def check_request(message: Request) -> None:
    """Raise ValueError unless `message` is a request REQUESTS describes."""
    name = message.get("op")
    if name not in REQUESTS:
        raise ValueError("bad request %r" % (message,))
    required, optional = REQUESTS[name]
    fields = set(message) - {"op"}
    if not required <= fields or not fields <= required | optional:
        raise ValueError("bad request %r" % (message,))


class Channel:
    """Line-oriented JSON over two file descriptors, readable with select()."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.buffer = b""
        self.closed = False

    def send(self, message: Event) -> None:
        check_event(message)
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.write_fd, data):]

    def fill(self) -> bool:
        """Read what is available; False at end of input."""
        chunk = os.read(self.read_fd, 65536)
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def receive(self) -> Request | None:
        """The next request, or None at end of input."""
        while b"\n" not in self.buffer:
            if self.closed or not self.fill():
                return None
        line, self.buffer = self.buffer.split(b"\n", 1)
        request = json.loads(line)
        check_request(request)
        return request

    def close(self) -> None:
        os.close(self.read_fd)
        os.close(self.write_fd)
