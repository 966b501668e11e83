import json
import os

import pytest

from git_chimp_worker import protocol

EXAMPLES = os.path.join(os.path.dirname(protocol.__file__), "protocol.jsonl")


def examples():
    with open(EXAMPLES) as lines:
        for line in lines:
            if line.strip() and not line.startswith("#"):
                direction, text = line.split(" ", 1)
                yield direction, json.loads(text)


def test_every_example_is_a_message_the_protocol_describes():
    for direction, message in examples():
        if direction == "<-":
            protocol.check_event(message)
        else:
            protocol.check_request(message)


def test_every_message_has_an_example():
    events = {m["event"] for d, m in examples() if d == "<-"}
    requests = {m["op"] for d, m in examples() if d == "->"}
    assert events == set(protocol.EVENTS)
    assert requests == set(protocol.REQUESTS)


@pytest.mark.parametrize(
    "message",
    [
        {"event": "nonsense"},
        {"event": "killed", "tests": []},
        {"event": "uncovered", "extra": 1},
        {"tests": 1},
    ],
)
def test_malformed_events_are_refused(message):
    with pytest.raises(ValueError):
        protocol.check_event(message)


def test_a_channel_carries_requests_and_refuses_to_send_malformed_events():
    to_worker = os.pipe()
    from_worker = os.pipe()
    channel = protocol.Channel(to_worker[0], from_worker[1])
    os.write(to_worker[1], b'{"op": "baseline", "timeout": 1.5}\n{"op": "bas')
    assert channel.receive() == {"op": "baseline", "timeout": 1.5}
    os.write(to_worker[1], b'eline", "timeout": 2}\n')
    os.close(to_worker[1])
    assert channel.receive() == {"op": "baseline", "timeout": 2}
    assert channel.receive() is None
    channel.send({"event": "ready", "tests": 3})
    assert os.read(from_worker[0], 100) == b'{"event": "ready", "tests": 3}\n'
    with pytest.raises(ValueError):
        channel.send({"event": "ready"})
