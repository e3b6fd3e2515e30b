"""The session API of the session modules: listing follows the retry policy, removing stops what runs first."""

from __future__ import annotations

import pytest
import requests
from ansible.errors import AnsibleError
from pypsrp.exceptions import WSManFaultError

from ansible_collections.psremoting.pssession.plugins.plugin_utils import session_commands
from ansible_collections.psremoting.pssession.plugins.plugin_utils.retry_policy import RetryPolicy


class FakeWSMan:
    def __init__(self, log, fail=None):
        self.log = log
        self.fail = fail
        self.closed = False

    def close(self):
        self.closed = True


class Commands(session_commands.SessionCommands):
    def __init__(self, retries, failures=0):
        self.policy = RetryPolicy(retries, 0)
        self.clients = []
        self.failures = failures
        self.sent = []
        self.logged = []

    def _wsman(self, **_overrides):
        client = FakeWSMan(self.sent)
        self.clients.append(client)
        return client

    def _log(self, msg):
        self.logged.append(msg)


@pytest.fixture
def host(monkeypatch):
    """What the host answers: shells, commands; what was sent to it."""
    state = {'enumerations': 0, 'drops': 0, 'gone': False}

    def enumerate_shells(wsman):
        state['enumerations'] += 1
        if state['enumerations'] <= state['drops']:
            raise requests.exceptions.ConnectionError('reset by peer')
        return [{'ShellId': 'A', 'Name': 'build', 'State': 'Disconnected'}]

    def enumerate_command_states(wsman, shell_id):
        return [{'command_id': 'C1', 'state': 'Running'}, {'command_id': 'C2', 'state': 'Done'}]

    def send_signal(wsman, uri, shell_id, command_id, code):
        wsman.log.append(('Signal', shell_id, command_id, code))

    def delete_shell(wsman, uri, shell_id):
        wsman.log.append(('Delete', shell_id))
        if state['gone']:
            raise WSManFaultError(2150858843, 'host', 'The request for the Windows Remote Shell with ShellId A failed', None, None, None)

    for name, value in locals().copy().items():
        if callable(value):
            monkeypatch.setattr(session_commands, name, value)
    return state


@pytest.mark.parametrize('retries, drops, expected', [(0, 0, 1), (0, 1, None), (2, 2, 3)])
def test_listing_tries_once_plus_the_policys_retries_each_on_a_new_client(host, retries, drops, expected):
    host['drops'] = drops
    commands = Commands(retries)
    if expected is None:
        with pytest.raises(requests.exceptions.ConnectionError):
            commands.host_sessions()
        assert host['enumerations'] == 1
    else:
        listed = commands.host_sessions()
        assert listed[0][0]['ShellId'] == 'A' and [c['command_id'] for c in listed[0][1]] == ['C1', 'C2']
        assert host['enumerations'] == expected
    assert len(commands.clients) == host['enumerations'] and all(c.closed for c in commands.clients)


def test_removing_stops_running_commands_then_deletes(host):
    commands = Commands(0)
    listed = [{'command_id': 'C1', 'state': 'Running'}, {'command_id': 'C2', 'state': 'Done'}]
    stopped = commands.remove_host_session('uri', 'A', 'build', listed)
    assert stopped == ['C1']
    assert commands.sent == [('Signal', 'A', 'C1', 'ctrl_c'), ('Delete', 'A')]


def test_removing_a_session_already_gone_is_no_error_but_another_fault_is(host, monkeypatch):
    host['gone'] = True
    assert Commands(0).remove_host_session('uri', 'A', 'build', []) == []

    def refused(wsman, uri, shell_id):
        raise WSManFaultError(5, 'host', 'Access is denied', None, None, None)

    monkeypatch.setattr(session_commands, 'delete_shell', refused)
    with pytest.raises(AnsibleError, match=r'Could not remove the session build \(A\): .*Access is denied'):
        Commands(0).remove_host_session('uri', 'A', 'build', [])
