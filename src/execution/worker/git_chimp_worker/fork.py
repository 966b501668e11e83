"""Running work in a forked child in its own process group, with a timeout.

The parent waits on the child and on git-chimp's requests at once: when git-chimp goes
away (its requests end) the child's group is killed and the worker exits, so nothing
outlives a run.
"""

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

# Shared with the children: the monotonic time by which the test running now must end
# (0: no such deadline). `Watch.start` sets it before each test; the parent's wait reads
# it, so a test that hangs is stopped after its own allowance, not the whole run's.
WATCH = mmap.mmap(-1, 16)


def watch(deadline_seconds):
    """In a child: the test starting now must end within `deadline_seconds`."""
    struct.pack_into("dd", WATCH, 0, time.monotonic() + deadline_seconds, deadline_seconds)


def watched():
    """The current test's deadline and allowance, (0, 0) when none."""
    return struct.unpack_from("dd", WATCH, 0)

# The child's exit status when the worker's own code failed in it.
CHILD_ERROR = 99


def in_child(channel, result_path, work, timeout):
    """Run `work()` in a forked child in its own process group; it returns a JSON
    value. Returns ("result", value), ("timeout", seconds allowed) or ("exit", wait
    status). The child may also give each test its own deadline (`watch`)."""
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
            result = work()
            with open(result_path + ".tmp", "w") as out:
                json.dump(result, out)
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
        return ("timeout", allowed if deadline and time.monotonic() < deadline + 1 else timeout)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        try:
            with open(result_path) as result:
                return ("result", json.load(result))
        except (OSError, ValueError):
            return ("exit", status)
    return ("exit", status)


def describe(kind, value):
    """A reason for the user from what `in_child` returned."""
    if kind == "timeout":
        return "timed out"
    if kind == "exit" and os.WIFSIGNALED(value):
        return "the test process was killed by signal %d" % os.WTERMSIG(value)
    if kind == "exit" and os.WIFEXITED(value):
        if os.WEXITSTATUS(value) == CHILD_ERROR:
            return "the worker failed; see the log"
        return "the test process exited with status %d without a result" % os.WEXITSTATUS(value)
    return kind


def died_of_a_test(value):
    """Whether a child's wait status means the tests themselves ended it (a signal or
    a non-zero exit other than the worker's own failure): a kill."""
    return os.WIFSIGNALED(value) or (
        os.WIFEXITED(value) and os.WEXITSTATUS(value) not in (0, CHILD_ERROR)
    )


def wait_child(channel, pid, timeout, watch=None):
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


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
