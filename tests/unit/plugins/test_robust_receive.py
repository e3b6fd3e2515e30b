"""The robust-connection Receive of plugin_utils/pypsrp_bridge.py and PipelineRunner.poll against the
in-process test host: a Receive whose answer was lost is sent again as a retransmission (MS-WSMV
3.1.4.1.39), as often as the retry policy allows."""

from __future__ import annotations

import time

import pytest
from ansible.errors import AnsibleConnectionFailure
from pypsrp.complex_objects import PSInvocationState
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from ansible_collections.psremoting.pssession.plugins.plugin_utils import pypsrp_bridge
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pipelines import PipelineRunner
from ansible_collections.psremoting.pssession.plugins.plugin_utils.retry_policy import RetryPolicy
from winhost import WinHost
from winhost.wsman import faults
from winhost_tests.wsman_clients import wait_for

GATE = r'C:\go'
SCRIPT = "'one'; while (-not (Test-Path '%s')) { Start-Sleep -Milliseconds 50 }; 'two'" % GATE


def _client(host, auth='basic'):
    """The connection plugin's client: pypsrp's WSMan without its own retries, robust Receive capable."""
    return pypsrp_bridge.new_wsman(server='127.0.0.1', port=host.port, ssl=False, auth=auth, username='user', password='Passw0rd!',
                                   encryption='never' if auth == 'basic' else 'auto', operation_timeout=5, read_timeout=30)


class Session:
    """What PipelineRunner needs of a PSSession; recover_transport as PSSession's: a new HTTP client, same WSMan client."""

    def __init__(self, host, pool, auth):
        self.host_ = host
        self.auth = auth
        self.pool = pool
        self.wsman = pool.connection
        self.host = pool.host
        self.endpoint = host.url
        self.recoveries = 0

    adopted = False  # not a parked shell taken over (PSSession.adopt)

    def confirm_adopted(self):
        self.adopted = False

    def recover_transport(self):
        new = _client(self.host_, self.auth)
        new.session_id = self.wsman.session_id
        self.wsman.close()
        self.wsman = self.pool.connection = self.pool.shell.wsman = new
        self.recoveries += 1


@pytest.fixture
def host():
    with WinHost(users={'user': 'Passw0rd!'}, auth='both', stop_after=300) as winhost:
        yield winhost


@pytest.fixture
def auth():
    return 'basic'


@pytest.fixture
def running(host, auth):
    """(runner, pipeline, warnings) for SCRIPT, started: it wrote 'one' and waits for GATE."""
    pool = RunspacePool(_client(host, auth))
    pool.open()
    warnings = []
    runner = PipelineRunner(Session(host, pool, auth), policy=RetryPolicy(retries=2, backoff=0.01), warn=warnings.append)
    ps = PowerShell(pool)
    ps.add_script(SCRIPT)
    runner.start(ps)
    yield runner, ps, warnings
    pool.close()


def _finish(host, runner, ps):
    host.filesystem.write_bytes(GATE, b'go')
    deadline = time.monotonic() + 60
    while ps.state == PSInvocationState.RUNNING and time.monotonic() < deadline:
        runner.poll(ps, 1)
    assert ps.state != PSInvocationState.RUNNING, 'the command did not end'
    return [str(o) for o in ps.output], runner.lost_replies_warning()


def test_a_lost_answer_is_sent_again_and_nothing_is_missing(host, running):
    runner, ps, _warnings = running
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)
    runner.poll(ps, 1)  # its answer (with 'one') lost, then had again from the host's table
    stats = host.stats()
    assert [f['mode'] for f in stats['faults']] == ['drop_after']
    assert stats['events']['receives_resent'] == 1
    assert runner.session.recoveries == 1
    assert _finish(host, runner, ps) == (['one', 'two'], None)
    assert stats['actions']['Command']['requests'] == 1


@pytest.mark.parametrize('auth', ['basic', 'ntlm'])
def test_an_acknowledge_before_the_kept_answer_is_passed_over(host, running):
    # The spec's form of the answer to a retransmission (MS-WSMV 3.1.4.1.39, 4.11.3): an
    # Acknowledge message, then the kept answer (over NTLM: inside one encrypted message).
    runner, ps, _warnings = running
    host.knobs.set('robust_resend_acknowledge', True)
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)
    runner.poll(ps, 1)
    assert host.stats()['events']['receives_resent'] == 1
    assert _finish(host, runner, ps) == (['one', 'two'], None)


def test_a_kept_answer_without_an_acknowledge_is_complete_but_warned_of(host, running):
    # The kept answer alone cannot be told from a new answer that names the OperationID (as WinRM names it on
    # its shell answers): nothing is missing here, but the client cannot know that, so it says output may be.
    runner, ps, _warnings = running
    host.knobs.set('robust_resend_acknowledge', False)
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)
    runner.poll(ps, 1)
    assert host.stats()['events']['receives_resent'] == 1
    output, warning = _finish(host, runner, ps)
    assert output == ['one', 'two']
    assert 'may be incomplete' in warning and 'the command ran once' in warning


def test_a_dropped_receive_the_host_never_had_is_sent_again_and_warned_of(host, running):
    # The host never handled it, so it handles the retransmission as new: no Acknowledge, and from the client's side
    # that is the same as a host whose kept answer expired (the Response Retention Timer): a warning, nothing lost.
    runner, ps, _warnings = running
    host.knobs.fail_next('Receive', 1, 'reset', nth=1)
    runner.poll(ps, 1)
    assert host.stats()['events'].get('receives_resent') is None
    output, warning = _finish(host, runner, ps)
    assert output == ['one', 'two']
    assert 'may be incomplete' in warning


def test_a_host_without_robust_connections_loses_the_answer_and_says_so(host, running):
    runner, ps, _warnings = running
    host.knobs.set('robust_connections', False)
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)
    runner.poll(ps, 1)
    output, warning = _finish(host, runner, ps)
    assert output == ['two'], 'what the lost answer held is gone'
    assert 'may be incomplete' in warning and 'the command ran once' in warning


def test_a_host_that_refuses_the_retransmission_is_received_from_anew_with_a_warning(host, running, monkeypatch):
    runner, ps, _warnings = running
    begin = host.core.operations.begin

    def refuse_retransmissions(req, *args):
        if req.retransmission:  # as a server that does not understand a mustUnderstand="true" OperationID
            raise faults.WSManFault(2150858768, 's:MustUnderstand', 'The WS-Management service cannot process a SOAP header '
                                    'in the request that is marked as mustUnderstand by the client. ')
        return begin(req, *args)

    monkeypatch.setattr(host.core.operations, 'begin', refuse_retransmissions)
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)
    runner.poll(ps, 1)
    output, warning = _finish(host, runner, ps)
    assert output == ['two']
    assert 'may be incomplete' in warning


def test_each_receive_is_its_own_operation_and_the_client_is_left_unarmed(host, running):
    runner, ps, _warnings = running
    wsman = runner.session.wsman
    operation = pypsrp_bridge.ReceiveOperation()
    pypsrp_bridge.receive(ps, 1, operation)
    assert (operation.sent, operation.named, operation.retransmitted) == (1, True, False)
    assert [row['OperationID'] for row in host.operations()] == [operation.operation_id]
    assert wsman.robust_operation is None
    host.knobs.fail_next('Receive', 1, 'reset')
    second = pypsrp_bridge.ReceiveOperation()
    with pytest.raises(Exception):
        pypsrp_bridge.receive(ps, 1, second)
    assert wsman.robust_operation is None, 'unarmed after an error too'
    assert second.sent == 1 and second.named is None
    assert [row['OperationID'] for row in host.operations()] == [operation.operation_id], 'the reset one never reached the table'
    pypsrp_bridge.receive(ps, 1)  # without an operation: a plain Receive, no OperationID
    assert [row['OperationID'] for row in host.operations()] == [operation.operation_id]


def test_a_robust_receive_over_a_client_that_cannot_send_one_is_refused(host, running):
    runner, ps, _warnings = running
    plain = WSMan('127.0.0.1', port=host.port, ssl=False, auth='basic', username='user', password='Passw0rd!', encryption='never')
    ps.runspace_pool.shell.wsman = plain
    with pytest.raises(TypeError, match='new_wsman'):
        pypsrp_bridge.receive(ps, 1, pypsrp_bridge.ReceiveOperation())
    ps.runspace_pool.shell.wsman = runner.session.wsman


def test_without_retries_a_lost_answer_is_not_sent_again(host, running):
    runner, ps, _warnings = running
    runner.policy = RetryPolicy(retries=0)
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)
    with pytest.raises(AnsibleConnectionFailure, match='reconnection_retries=0'):
        runner.poll(ps, 1)
    assert host.stats()['events'].get('receives_resent') is None
    assert runner.session.recoveries == 0


def test_a_reply_to_the_retransmission_that_cannot_be_read_falls_back_with_a_warning(host, running, monkeypatch):
    # Had the Acknowledge form not been recognised, pypsrp could not parse the reply: receive anew and warn.
    runner, ps, _warnings = running
    monkeypatch.setattr(pypsrp_bridge, '_answer_of', lambda reply, operation_id: (reply, False))
    host.knobs.set('robust_resend_acknowledge', True)
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)
    runner.poll(ps, 1)
    output, warning = _finish(host, runner, ps)
    assert output == ['two'] and 'may be incomplete' in warning


def test_a_refused_retransmission_of_the_answer_that_held_the_end_reports_the_command_failed(host, monkeypatch):
    pool = RunspacePool(_client(host))
    pool.open()
    runner = PipelineRunner(Session(host, pool, 'basic'), policy=RetryPolicy(retries=2, backoff=0.01))
    ps = PowerShell(pool)
    ps.add_script("'one'")
    runner.start(ps)
    # The host has run the command to its end before the answer holding it is lost.
    assert wait_for(lambda: [c['State'] for c in host.sessions()[0]['Commands']] == ['Done']), host.sessions()
    begin = host.core.operations.begin

    def refuse_retransmissions(req, *args):
        if req.retransmission:
            raise faults.invalid_message_information_header('retransmissions refused by this test')
        return begin(req, *args)

    monkeypatch.setattr(host.core.operations, 'begin', refuse_retransmissions)
    host.knobs.fail_next('Receive', 1, 'drop_after', nth=1)  # its answer held 'one' and the Done
    runner.poll(ps, 1)  # refused, then a plain Receive: the host no longer knows the command
    # How it ended was in the lost answer: never reported as a success, nor as a raw fault.
    assert ps.state == PSInvocationState.FAILED and ps.had_errors
    assert ps.output == []
    warning = runner.lost_replies_warning()
    assert 'may be incomplete' in warning and 'dropped 1 time(s)' in warning
    assert 'how it ended' in warning and 'marked failed' in warning
    pool.close()
