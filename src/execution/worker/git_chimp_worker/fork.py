"""Running work in a forked child in its own process group, with a timeout.

The parent waits on the child and on git-chimp's requests at once: when git-chimp goes
away (its requests end) the child's group is killed and the worker exits, so nothing
outlives a run.
"""

import gc
import json
import os
import select
import signal
import sys
import time
import traceback

# The child's exit status when the worker's own code failed in it.
CHILD_ERROR = 99


def in_child(channel, result_path, work, timeout):
    """Run `work()` in a forked child in its own process group; it returns a JSON
    value. Returns ("result", value), ("timeout", None) or ("exit", wait status)."""
    try:
        os.unlink(result_path)
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
    status = wait_child(channel, pid, timeout)
    # Whatever the tests started and left running goes with the child.
    kill_group(pid)
    if status is None:
        return ("timeout", None)
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
