"""One retry policy: reconnection_retries/backoff decide every retry, 0 means none anywhere, and
pypsrp's own WSMan client retries nothing by itself."""

from __future__ import annotations

import types
import xml.etree.ElementTree as ET

import pytest
import requests
from ansible.errors import AnsibleConnectionFailure
from pypsrp.exceptions import AuthenticationError, WinRMTransportError, WSManFaultError

from ansible_collections.psremoting.pssession.plugins.plugin_utils import pipelines, pssession
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import NAMESPACES, SHELL_URI, new_wsman
from ansible_collections.psremoting.pssession.plugins.plugin_utils.retry_policy import RetryPolicy
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import read_session_options


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def policy(retries, backoff=2.0):
    return RetryPolicy(retries, backoff, Sleeps())


def test_built_from_the_connection_settings():
    made = RetryPolicy.from_settings({'reconnection_retries': 3, 'reconnection_backoff': 0.5})
    assert (made.retries, made.backoff) == (3, 0.5)
    assert [made.delay(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]


@pytest.mark.parametrize('err, retried', [
    (requests.exceptions.ConnectionError('reset by peer'), True),
    (requests.exceptions.ReadTimeout('no answer'), True),
    (requests.exceptions.ConnectTimeout('no route'), True),
    (requests.exceptions.SSLError('certificate verify failed'), False),
    (AuthenticationError('bad password'), False),
    (WinRMTransportError('http', 500, 'server error'), False),
    (WSManFaultError(500, 'fault', 'reason', 2150858843), False),
    (ValueError('a bug'), False),
])
def test_only_transport_faults_are_retried(err, retried):
    assert RetryPolicy(5).retryable(err) is retried


class FlakyWSMan:
    """A WSMan client whose every request drops the connection; counts what was sent."""

    attempts: list[str] = []

    def __init__(self, **_settings):
        self.session_id = 'S'

    def enumerate(self, *_args, **_kwargs):
        FlakyWSMan.attempts.append('Enumerate')
        raise requests.exceptions.ConnectionError('connection reset')

    def close(self):
        pass


@pytest.mark.parametrize('retries', [0, 2])
def test_open_is_tried_once_plus_reconnection_retries(retries):
    FlakyWSMan.attempts = []
    sleeps = Sleeps()
    session = pssession.PSSession(FlakyWSMan, 'Microsoft.PowerShell', 'build', read_session_options({}.get), 'http://h:5985/wsman',
                                  policy=RetryPolicy(retries, 2.0, sleeps))
    with pytest.raises(AnsibleConnectionFailure, match='while opening the PSSession build'):
        session.open()
    assert FlakyWSMan.attempts == ['Enumerate'] * (1 + retries)
    assert sleeps == [2.0, 4.0][:retries]


class DroppingPipeline:
    """A running pipeline whose Receives drop the connection ``drops`` times, then complete."""

    def __init__(self, drops):
        self.drops = drops
        self.receives = 0
        self.state = 1  # PSInvocationState.RUNNING
        # What pypsrp_bridge.receive arms for a robust-connection Receive; this fake sends nothing over
        # it, so the host never answers as the operation and a drop's answer counts as lost.
        self.runspace_pool = types.SimpleNamespace(shell=types.SimpleNamespace(wsman=_wsman()))

    def poll_invoke(self, timeout=None):
        self.receives += 1
        if self.receives <= self.drops:
            raise requests.exceptions.ConnectionError('connection reset by peer')
        self.state = 4  # PSInvocationState.COMPLETED


class Session:
    endpoint = 'http://h:5985/wsman'

    def __init__(self):
        self.recoveries = 0

    adopted = False  # not a parked shell taken over (PSSession.adopt)

    def confirm_adopted(self):
        self.adopted = False

    def recover_transport(self):
        self.recoveries += 1


def test_with_zero_retries_a_dropped_receive_is_not_sent_again():
    session, ps = Session(), DroppingPipeline(drops=5)
    runner = pipelines.PipelineRunner(session, policy=policy(0))
    with pytest.raises(AnsibleConnectionFailure, match='reconnection_retries=0'):
        runner.poll(ps)
    assert (ps.receives, session.recoveries, runner.policy.sleep) == (1, 0, [])


def test_a_dropped_receive_is_retried_up_to_reconnection_retries_with_backoff():
    session, ps = Session(), DroppingPipeline(drops=5)
    runner = pipelines.PipelineRunner(session, policy=policy(2, backoff=0.5))
    with pytest.raises(AnsibleConnectionFailure, match='reconnection_retries=2'):
        runner.poll(ps)
    assert (ps.receives, session.recoveries, runner.policy.sleep) == (3, 2, [0.5, 1.0])


def test_a_receive_that_drops_less_often_than_allowed_completes_and_warns():
    session, ps = Session(), DroppingPipeline(drops=2)
    runner = pipelines.PipelineRunner(session, policy=policy(2, backoff=0))
    runner.wait(ps)
    assert (ps.receives, session.recoveries, ps.state) == (3, 2, 4)
    assert 'dropped 2 time(s)' in runner.lost_replies_warning()


def test_listing_is_retried_by_the_same_policy():
    calls = []

    def listing():
        calls.append(1)
        raise requests.exceptions.ConnectionError('refused')

    for retries in (0, 3):
        calls.clear()
        with pytest.raises(requests.exceptions.ConnectionError):
            policy(retries, backoff=0).call(listing)
        assert len(calls) == 1 + retries


def _wsman(**extra):
    return new_wsman(server='127.0.0.1', port=1, username='u', password='p', ssl=False, auth='basic', encryption='never',
                     reconnection_retries=5, reconnection_backoff=0, **extra)


def test_pypsrp_retries_no_connection_by_itself():
    wsman = _wsman()
    assert wsman.transport.reconnection_retries == 0
    adapter = wsman.transport._build_session().get_adapter('http://127.0.0.1:1/wsman')  # pylint: disable=protected-access
    assert (adapter.max_retries.total, adapter.max_retries.connect, adapter.max_retries.status) == (0, 0, 0)


def test_pypsrp_sends_no_receive_again_after_a_read_timeout(monkeypatch):
    wsman = _wsman()
    sent = []

    def no_answer(request, timeout=None):
        sent.append(request)
        raise requests.exceptions.ReadTimeout('no answer')

    monkeypatch.setattr(wsman.transport, '_send_request', no_answer)
    body = ET.Element('{%s}Receive' % NAMESPACES['rsp'])
    with pytest.raises(requests.exceptions.ReadTimeout):
        wsman.receive(SHELL_URI, body)
    assert len(sent) == 1  # pypsrp's own WSMan.receive sends it 6 times
