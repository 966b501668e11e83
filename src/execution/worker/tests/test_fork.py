"""`fork.in_child`'s outcomes, and what they tell the user."""

import os
import signal
import time

import pytest

from git_chimp_worker import fork
from git_chimp_worker.protocol import Channel


@pytest.fixture
def in_child(tmp_path):
    """`fork.in_child` with a channel on which no request comes, and standard output
    (which it empties before each child, as the console file) in a file."""
    requests = os.pipe()
    events = os.pipe()
    channel = Channel(requests[0], events[1])
    console = os.open(str(tmp_path / "console"), os.O_WRONLY | os.O_CREAT)
    stdout = os.dup(1)
    os.dup2(console, 1)
    try:
        yield lambda work, timeout=30.0: fork.in_child(
            channel, str(tmp_path / "result.json"), work, timeout
        )
    finally:
        os.dup2(stdout, 1)
        for fd in (stdout, console, requests[1], events[0]):
            os.close(fd)
        channel.close()


def test_what_the_work_returns_comes_back_as_its_json(in_child):
    outcome = in_child(lambda: {"killed_by": None, "calls": [(0, 1, "f")]})
    assert outcome == fork.Finished({"killed_by": None, "calls": [[0, 1, "f"]]})


def test_a_hanging_child_times_out_after_its_tests_own_allowance_or_the_whole_runs(in_child):
    def hang_in_a_test():
        fork.watch(0.1)
        time.sleep(60)

    assert in_child(hang_in_a_test) == fork.TimedOut(0.1)
    outcome = in_child(lambda: time.sleep(60), timeout=0.2)
    assert outcome == fork.TimedOut(0.2)
    assert outcome.describe() == "timed out"


def test_a_child_that_a_test_kills_or_exits_died_of_a_test(in_child):
    killed = in_child(lambda: os.kill(os.getpid(), signal.SIGKILL))
    assert isinstance(killed, fork.Exited) and killed.died_of_a_test()
    assert killed.describe() == "the test process was killed by signal %d" % signal.SIGKILL
    exited = in_child(lambda: os._exit(3))
    assert isinstance(exited, fork.Exited) and exited.died_of_a_test()
    assert exited.describe() == "the test process exited with status 3 without a result"


def test_the_workers_own_failure_in_the_child_is_not_the_tests(in_child):
    def fail():
        raise RuntimeError("a bug of the worker's")

    outcome = in_child(fail)
    assert outcome == fork.Exited(fork.CHILD_ERROR << 8)
    assert not outcome.died_of_a_test()
    assert outcome.worker_failed()
    assert outcome.describe() == "the worker failed"
