"""Running work in a forked child in its own process group, with a timeout.

The parent waits on the child and on git-chimp's requests at once: when git-chimp goes
away (its requests end) the child's group is killed and the worker exits, so nothing
outlives a run. How the child ended (`ChildOutcome`): `Finished` with what the work
returned, `TimedOut`, or `Exited` without a result.
"""

from __future__ import annotations

import gc
import json
import mmap
import os
import select
import signal
import struct
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar, Union

from .protocol import Channel

T = TypeVar("T")

# Shared with the children: the monotonic time by which the test running now must end
# (0: no such deadline). `Watch.start` sets it before each test; the parent's wait reads
# it, so a test that hangs is stopped after its own allowance, not the whole run's.
WATCH = mmap.mmap(-1, 16)


def watch(deadline_seconds: float) -> None:
    """In a child: the test starting now must end within `deadline_seconds`."""
    struct.pack_into("dd", WATCH, 0, time.monotonic() + deadline_seconds, deadline_seconds)


def watched() -> tuple[float, float]:
    """The current test's deadline and allowance, (0, 0) when none."""
    return struct.unpack_from("dd", WATCH, 0)

# The child's exit status when the worker's own code failed in it.
CHILD_ERROR = 99


@dataclass(frozen=True)
class Finished(Generic[T]):
    """The child's work returned `value` (as its JSON reads back)."""

    value: T


@dataclass(frozen=True)
class TimedOut:
    """The child ran past its time and its group was killed: `seconds`, the time it
    had (the running test's own allowance, or the whole run's)."""

    seconds: float

    def describe(self) -> str:
        """A reason for the user."""
        return "timed out"


@dataclass(frozen=True)
class Exited:
    """The child ended without a result: its wait `status`."""

    status: int

    def describe(self) -> str:
        """A reason for the user."""
        if os.WIFSIGNALED(self.status):
            return "the test process was killed by signal %d" % os.WTERMSIG(self.status)
        if os.WIFEXITED(self.status):
            code = os.WEXITSTATUS(self.status)
            if code == CHILD_ERROR:
                return "the worker failed"
            return "the test process exited with status %d without a result" % code
        return "exit"

    def worker_failed(self) -> bool:
        """Whether the worker's own code failed in the child (its traceback is in the
        child's output)."""
        return os.WIFEXITED(self.status) and os.WEXITSTATUS(self.status) == CHILD_ERROR

    def died_of_a_test(self) -> bool:
        """Whether the tests themselves ended the child (a signal or a non-zero exit
        other than the worker's own failure): a kill."""
        return os.WIFSIGNALED(self.status) or (
            os.WIFEXITED(self.status) and os.WEXITSTATUS(self.status) not in (0, CHILD_ERROR)
        )


# What `in_child` returns.
ChildOutcome = Union[Finished[T], TimedOut, Exited]


def in_child(
    channel: Channel, result_path: str, work: Callable[[], T], timeout: float
) -> ChildOutcome[T]:
    """Run `work()` in a forked child in its own process group; it returns a JSON
    value. Returns Finished(value), TimedOut(seconds allowed) or Exited(wait status).
    The child may also give each test its own deadline (`watch`)."""
    try:
        os.unlink(result_path)
    except FileNotFoundError:
        pass
    struct.pack_into("dd", WATCH, 0, 0.0, 0.0)
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
            channel.close()
            os.setpgid(0, 0)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            value = work()
            with open(result_path + ".tmp", "w") as out:
                json.dump(value, out)
            os.rename(result_path + ".tmp", result_path)
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
    channel.send({"event": "forked", "pid": pid})
    status = wait_child(channel, pid, timeout, watched)
    # Whatever the tests started and left running goes with the child.
    kill_group(pid)
    if status is None:
        deadline, allowed = watched()
        return TimedOut(allowed if deadline and time.monotonic() < deadline + 1 else timeout)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        try:
            with open(result_path) as result:
                return Finished(json.load(result))
        except (OSError, ValueError):
            return Exited(status)
    return Exited(status)


def wait_child(
    channel: Channel,
    pid: int,
    timeout: float,
    watch: Callable[[], tuple[float, float]] | None = None,
) -> int | None:
    """The child's wait status, or None after killing its process group on timeout
    (or past the deadline `watch()` gives, when it gives one). Exits the process when
    git-chimp goes away (its requests end)."""
    overall = time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            deadline = overall
            if watch is not None:
                test_deadline = watch()[0]
                if test_deadline:
                    deadline = min(deadline, test_deadline)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kill_group(pid)
                os.waitpid(pid, 0)
                return None
            watched = [channel.read_fd] + ([pidfd] if pidfd is not None else [])
            step = remaining if pidfd is not None else min(remaining, 0.01)
            if watch is not None:
                # The child moves its deadline as it starts each test.
                step = min(step, 0.05)
            readable, _, _ = select.select(watched, [], [], step)
            if channel.read_fd in readable and not channel.fill():
                kill_group(pid)
                os._exit(0)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
