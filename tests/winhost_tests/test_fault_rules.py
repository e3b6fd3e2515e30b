"""Fault rules fire on protocol events (which request, of which command), never on time."""

from __future__ import annotations

import pytest
import requests
from pypsrp.powershell import PowerShell, RunspacePool

from winhost import HostKnobs
from wsman_clients import client_for

A, B = "11111111-0000-0000-0000-000000000001", "22222222-0000-0000-0000-000000000002"


def test_nth_counts_the_requests_of_each_command():
    knobs = HostKnobs()
    knobs.fail_next("Receive", 1, "reset", nth=2)
    assert knobs.take_failure("Receive", "S", None) is None  # pool-level: names no command
    assert knobs.take_failure("Receive", "S", A) is None
    assert knobs.take_failure("Receive", "S", B) is None
    assert knobs.take_failure("Receive", "S", B) == ("reset", 2)
    assert knobs.take_failure("Receive", "S", A) is None  # fired once: count 1
    assert knobs.as_dict()["fail_next"] == []


def test_after_waits_for_its_action_and_command_for_its_id():
    knobs = HostKnobs()
    knobs.fail_next("Receive", 1, "drop", after="Command", command="any")
    assert knobs.take_failure("Receive", "S", A) is None  # no Command yet
    assert knobs.take_failure("Command", "S", None) is None
    assert knobs.take_failure("Receive", "S", None) is None  # the pool's Receive names no command
    assert knobs.take_failure("Receive", "S", B) == ("drop", 1)
    knobs.fail_next("Signal", 2, "drop_after", command=A.lower(), shell="t")
    assert knobs.take_failure("Signal", "S", A) is None  # another shell
    assert knobs.take_failure("Signal", "T", B) is None  # another command
    assert knobs.take_failure("Signal", "T", A)[0] == "drop_after"
    assert knobs.take_failure("Signal", "T", A)[0] == "drop_after"
    assert knobs.take_failure("Signal", "T", A) is None


def test_bad_rules_are_refused():
    knobs = HostKnobs()
    for kwargs in ({"mode": "explode"}, {"count": 0}, {"nth": 0}):
        with pytest.raises(ValueError):
            knobs.fail_next("Receive", **kwargs)
    with pytest.raises(TypeError):
        knobs.fail_next("Receive", 1, "drop", when=3)


def test_the_stats_say_which_request_a_fault_hit(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        host.control({"fail_next": {"Receive": {"mode": "reset", "nth": 1}}})
        ps = PowerShell(pool)
        ps.add_script("'hello world'")
        with pytest.raises(requests.exceptions.ConnectionError):
            ps.invoke()
        stats = host.stats()
        [started] = [e for e in stats["timeline"] if e["kind"] == "command_started"]
        [fault] = stats["faults"]
        assert (fault["action"], fault["mode"], fault["nth"]) == ("Receive", "reset", 1)
        assert (fault["shell"], fault["command"]) == (started["shell"], started["command"]) == (pool.id.upper(), ps.id.upper())
        assert started["seq"] < fault["seq"]
