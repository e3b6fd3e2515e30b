"""pypsrp_bridge.RequestGate: how the run's keeper stops an abandoned task's thread from sending (docs/design.md section 9).

The envelopes are pypsrp's own (a Command, a Receive, a robust Receive), sent through a transport that holds each
request until the test lets it go, so "under way" is a state the test sets, not a timing.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils import pypsrp_bridge


class Refused(BaseException):
    pass


class _Answered(Exception):
    """What the held transport gives back once let go (no host here to answer)."""


class HeldTransport:
    """Stands for pypsrp's transport send: each request waits until the test lets it go."""

    def __init__(self):
        self.sent: list[bytes] = []
        self.under_way = threading.Event()
        self.let_go = threading.Event()

    def send(self, message, *args, **kwargs):
        del args, kwargs
        self.sent.append(message)
        self.under_way.set()
        self.let_go.wait(30)
        raise _Answered()


def _client():
    wsman = pypsrp_bridge.new_wsman(server='127.0.0.1', port=1, username='u', password='p', ssl=False, auth='basic',
                                    encryption='never')
    held = HeldTransport()
    wsman.transport.send = held.send
    return wsman, held


def _command(wsman):
    wsman.command(pypsrp_bridge.SHELL_URI, ET.Element('CommandLine'), selector_set=pypsrp_bridge.shell_selector('SHELL'))


def _receive(wsman):
    wsman.receive(pypsrp_bridge.SHELL_URI, ET.Element('Receive'), selector_set=pypsrp_bridge.shell_selector('SHELL'))


def _robust_receive(wsman):
    wsman.robust_operation = pypsrp_bridge.ReceiveOperation()
    _receive(wsman)


def _in_thread(request, wsman):
    outcome = []

    def run():
        try:
            request(wsman)
        except BaseException as err:  # pylint: disable=broad-except
            outcome.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_command_under_way_is_answered_before_the_gate_says_shut():
    wsman, held = _client()
    gate = pypsrp_bridge.RequestGate.of(wsman, Refused)
    thread, outcome = _in_thread(_command, wsman)
    assert held.under_way.wait(30)
    # Under way: shutting cannot say every request was answered.
    assert gate.shut(0) is False
    held.let_go.set()
    thread.join(30)
    assert [type(err) for err in outcome] == [_Answered]
    assert gate.shut(0) is True
    assert len(held.sent) == 1 and b'/shell/Command<' in held.sent[0]


@pytest.mark.parametrize('receive', [_receive, _robust_receive], ids=['receive', 'robust receive'])
def test_a_receive_under_way_is_not_waited_for(receive):
    # The host answers a Receive once the command is stopped: waiting for it first would wait for the stop.
    wsman, held = _client()
    gate = pypsrp_bridge.RequestGate.of(wsman, Refused)
    thread, outcome = _in_thread(receive, wsman)
    assert held.under_way.wait(30)
    try:
        assert gate.shut(0) is True
    finally:
        held.let_go.set()
        thread.join(30)
    assert [type(err) for err in outcome] == [_Answered]


@pytest.mark.parametrize('request_', [_command, _receive, _robust_receive], ids=['command', 'receive', 'robust receive'])
def test_once_shut_no_request_goes_out(request_):
    wsman, held = _client()
    held.let_go.set()
    gate = pypsrp_bridge.RequestGate.of(wsman, Refused)
    assert gate.shut(0) is True
    with pytest.raises(Refused):
        request_(wsman)
    assert held.sent == []


def test_a_kept_client_keeps_one_gate():
    # The keeper hands a parked session's client to the next task: its transport must not get a gate per task.
    wsman, held = _client()
    held.let_go.set()
    first = pypsrp_bridge.RequestGate.of(wsman, Refused)
    gated_send = wsman.transport.send
    assert pypsrp_bridge.RequestGate.of(wsman, Refused) is first
    assert wsman.transport.send is gated_send
    with pytest.raises(_Answered):
        _command(wsman)
    assert len(held.sent) == 1
