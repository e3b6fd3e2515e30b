"""Busy sessions, the controller lock, vanished sessions, unreachable hosts and dropped connections."""

from __future__ import annotations

import os
import signal
import socket
import time
import xml.etree.ElementTree as ET

import pytest
from pypsrp.powershell import RunspacePool
from pypsrp.wsman import NAMESPACES, SelectorSet, WSMan
from winhost import WinHost

from e2e_support import PASSWORD, USERS, all_gone, connection_warnings, create_count, has_open, timeline, wait_until, waits_for_file


def hold_session(host, name):
    """Another client (pypsrp in this process) creates the named session and stays connected to it."""
    wsman = WSMan('127.0.0.1', port=host.port, username='user', password=PASSWORD, ssl=False, auth='basic', encryption='never')
    pool = RunspacePool(wsman)
    pool.shell.name = name
    pool.open()
    return wsman, pool


def release_session(wsman, pool):
    body = ET.Element('{%s}Disconnect' % NAMESPACES['rsp'])
    ET.SubElement(body, '{%s}IdleTimeOut' % NAMESPACES['rsp']).text = 'PT600S'
    selectors = SelectorSet()
    selectors.add_option('ShellId', pool.id)
    wsman.disconnect(pool.shell.resource_uri, body, selector_set=selectors)


def _requests(host, action):
    return host.stats()['actions'].get(action, {}).get('requests', 0)


def test_a_session_held_by_another_client_is_waited_for_then_reported_busy(ansible, winhost):
    wsman, pool = hold_session(winhost, 'shared')
    run = ansible.adhoc('raw', '1', ansible_pssession_name='shared', ansible_pssession_busy_timeout=2)
    assert run.rc != 0, run
    msg = run.results[0]['msg']
    assert 'busy' in msg and 'since' in msg and 'shared' in msg and 'waited 2s (busy_timeout)' in msg, msg
    assert 'Traceback' not in run.output
    assert _requests(winhost, 'Enumerate') >= 2, 'it looked at the session again while it waited'
    assert run.seconds >= 2

    # The other client lets go once the task has found the session busy: the task gets it.
    enumerates = _requests(winhost, 'Enumerate')
    waiting = ansible.start_adhoc('raw', '"got it"', ansible_pssession_name='shared', ansible_pssession_busy_timeout=120)
    wait_until(lambda: _requests(winhost, 'Enumerate') > enumerates, 'the task to find the session held')
    release_session(wsman, pool)
    run = waiting.wait()
    assert run.rc == 0, run
    assert run.stdouts() == ['got it']
    assert create_count(winhost) == 1


def _release(host, path):
    host.filesystem.write_bytes(path, b'go')


@pytest.mark.release_sensitive("forks: the release's worker processes share the lock")
def test_concurrent_tasks_of_one_controller_are_serialized(ansible, winhost):
    first = ansible.start_adhoc('raw', waits_for_file(r'C:\release-first', 'first done'), ansible_pssession_name='serial')
    wait_until(lambda: timeline(winhost, 'command_started'), "the first task's command to start")
    second = ansible.start_adhoc('raw', "'second'", ansible_pssession_name='serial')
    wait_until(lambda: has_open(second.pids, str(ansible.lock_dir), '.lock'), 'the second task to wait for the session lock')
    _release(winhost, r'C:\release-first')
    first, second = first.wait(), second.wait()
    assert first.rc == 0, first
    assert first.stdouts() == ['first done']
    assert second.rc == 0, second
    assert second.stdouts() == ['second']
    started = timeline(winhost, 'command_started')
    done = timeline(winhost, 'command_done')
    assert len(started) == 2 and done[0]['command'] == started[0]['command'], winhost.stats()['timeline']
    assert started[1]['seq'] > done[0]['seq'], "the second task's command came only after the first one's ended"
    assert create_count(winhost) == 1


def test_the_controller_lock_times_out_with_who_holds_it(ansible, winhost):
    first = ansible.start_adhoc('raw', waits_for_file(r'C:\release-held', 'first done'), ansible_pssession_name='held')
    wait_until(lambda: timeline(winhost, 'command_started'), "the first task's command to start")
    holders = first.pids
    second = ansible.adhoc('raw', "'second'", ansible_pssession_name='held', ansible_pssession_busy_timeout=1)
    _release(winhost, r'C:\release-held')
    first = first.wait()
    assert first.rc == 0, first
    assert second.rc != 0, second
    msg = second.results[0]['msg']
    assert 'busy' in msg and 'another task on this controller' in msg and 'since' in msg, msg
    assert any('(pid %d)' % pid in msg for pid in holders), (holders, msg)
    assert len(timeline(winhost, 'command_started')) == 1, 'the second task sent nothing to the session'


@pytest.mark.release_sensitive("warnings: where the release puts a connection plugin's warning")
def test_a_vanished_session_is_recreated_with_a_warning(ansible, winhost):
    assert ansible.adhoc('raw', '$x = 1', ansible_pssession_name='fragile').rc == 0
    (shell,) = winhost.sessions()
    winhost.kill_session(shell['ShellId'])
    run = ansible.adhoc('raw', 'if ($null -eq $x) { "empty" } else { $x }', ansible_pssession_name='fragile')
    assert run.rc == 0, run
    assert run.stdouts() == ['empty']
    warnings = connection_warnings(run)
    assert 'expired or was removed' in warnings and 'fragile' in warnings, run
    assert create_count(winhost) == 2


def test_a_vanished_session_fails_the_task_when_strict(ansible, winhost):
    assert ansible.adhoc('raw', '$x = 1', ansible_pssession_name='precious').rc == 0
    (shell,) = winhost.sessions()
    winhost.kill_session(shell['ShellId'])
    run = ansible.adhoc('raw', '$x', ansible_pssession_name='precious', ansible_pssession_strict_session=True)
    assert run.rc != 0, run
    assert 'strict_session' in run.results[0]['msg']
    assert create_count(winhost) == 1
    assert winhost.sessions() == []


@pytest.mark.release_sensitive("warnings: where the release puts a connection plugin's warning")
def test_an_expired_session_is_recreated_with_a_warning(ansible, winhost):
    assert ansible.adhoc('raw', '$x = 1', ansible_pssession_name='short', ansible_pssession_idle_timeout=60).rc == 0
    winhost.control({'time_scale': 1000})
    wait_until(lambda: not winhost.sessions(), 'the host to expire the session')
    winhost.control({'time_scale': 1})
    run = ansible.adhoc('raw', '"again"', ansible_pssession_name='short', ansible_pssession_idle_timeout=60)
    assert run.rc == 0, run
    assert 'expired or was removed' in connection_warnings(run), run


@pytest.mark.release_sensitive('how the release reports UNREACHABLE, and hides the password')
def test_wrong_credentials_are_unreachable_without_the_password(ansible, winhost):
    run = ansible.adhoc('raw', '1', ansible_password='Wrong-Secret-123')
    assert run.rc != 0
    assert run.results[0]['_status'] == 'unreachable', run
    assert 'Authentication' in run.results[0]['msg']
    assert 'Wrong-Secret-123' not in run.output and PASSWORD not in run.output
    assert 'Traceback' not in run.output
    run = ansible.adhoc('raw', '1', '-vvvvv', ansible_password='Wrong-Secret-123', ansible_psrp_auth='ntlm',
                        ansible_psrp_message_encryption='always')
    assert run.results[0]['_status'] == 'unreachable', run
    assert 'Wrong-Secret-123' not in run.output


def test_an_unreachable_host_is_unreachable(ansible, winhost):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    run = ansible.adhoc('raw', '1', ansible_port=port, ansible_psrp_connection_timeout=5)
    assert run.results[0]['_status'] == 'unreachable', run
    assert 'Could not connect' in run.results[0]['msg']
    assert 'Traceback' not in run.output


@pytest.mark.release_sensitive('how the release reports UNREACHABLE')
def test_a_refused_tls_certificate_is_unreachable(ansible, winhost):
    with WinHost(users=dict(USERS), auth='both', tls=True) as tls_host:
        inv = ansible.inventory(ansible_port=tls_host.port, ansible_psrp_protocol='https')
        run = ansible.adhoc('raw', '1', inventory=inv)
        assert run.results[0]['_status'] == 'unreachable', run
        assert 'certificate' in run.results[0]['msg']
        inv = ansible.inventory(ansible_port=tls_host.port, ansible_psrp_protocol='https', ansible_psrp_cert_validation='ignore')
        run = ansible.adhoc('raw', '"over tls"', inventory=inv)
        assert run.rc == 0, run
        assert run.stdouts() == ['over tls']


# A Receive is sent again after a dropped connection only as reconnection_retries allows (0 by default).
RECEIVE_RETRIES = dict(ansible_psrp_reconnection_retries=3, ansible_psrp_reconnection_backoff=0)


@pytest.mark.parametrize('mode', ['drop', 'reset'])
def test_a_dropped_receive_is_reconnected_and_the_output_received_to_the_end(ansible, winhost, mode):
    assert ansible.adhoc('raw', '$warm = 1', ansible_pssession_name='drops').rc == 0
    # The fault hits the second Receive of a command: the first one brings 'one', so the second is
    # one of the running pipeline's, which cannot end before the test creates the file.
    winhost.knobs.fail_next('Receive', 1, mode, nth=2)
    script = "'one'; %s; 'three'" % waits_for_file(r'C:\release-drops', 'two')
    task = ansible.start_adhoc('raw', script, ansible_pssession_name='drops', **RECEIVE_RETRIES)
    wait_until(lambda: winhost.stats()['faults'], 'the fault to hit a Receive')
    _release(winhost, r'C:\release-drops')
    run = task.wait()
    assert run.rc == 0, run
    assert run.stdouts() == ['one\r\ntwo\r\nthree'], run
    # Sent again as a robust-connection retransmission the host never had (MS-WSMV 3.1.4.1.39): it
    # handles it as a new Receive, without the Acknowledge that marks a kept answer. Nothing was lost,
    # but from the client's side that answer is the same as one from a host whose kept answer expired,
    # so the task is told output may be missing rather than told nothing.
    assert 'may be incomplete' in connection_warnings(run), run
    stats = winhost.stats()
    [fault] = stats['faults']
    [_warm, command] = timeline(winhost, 'command_started')
    [done] = [entry for entry in timeline(winhost, 'command_done') if entry['command'] == command['command']]
    assert (fault['action'], fault['mode'], fault['nth']) == ('Receive', mode, 2), fault
    assert fault['command'] == command['command'], 'the faulted Receive was one of the task command\'s'
    assert command['seq'] < fault['seq'] < done['seq'], 'the command was running when its Receive was lost'
    assert stats['events'].get('connections_%s' % mode) == 1
    assert stats['actions']['Command']['requests'] == 2  # one per task: nothing was sent twice


@pytest.mark.parametrize('mode, nth', [('drop', 2), ('drop_after', 1)], ids=['drop', 'lost-answer'])
def test_without_reconnection_retries_a_dropped_receive_fails_and_is_not_sent_again(ansible, winhost, mode, nth):
    # 'lost-answer': the host handed out 'one' and kept that answer for a retransmission
    # (MS-WSMV 3.1.4.1.39), but a retransmission is a retry, and reconnection_retries 0 allows none.
    name = dict(ansible_pssession_name='noretry')
    assert ansible.adhoc('raw', '$warm = 1', **name).rc == 0
    winhost.knobs.fail_next('Receive', 1, mode, nth=nth)
    task = ansible.start_adhoc('raw', "'one'; %s" % waits_for_file(r'C:\never-noretry', 'two'), **name)
    run = task.wait()
    assert run.results[0]['_status'] == 'unreachable', run
    assert 'reconnection_retries=0' in run.results[0]['msg'], run
    [fault] = winhost.stats()['faults']
    command = timeline(winhost, 'command_started')[1]['command']
    assert fault['command'] == command
    # The dropped Receive was the command's last: none was sent after it (no retry anywhere).
    assert (fault['mode'], fault['nth']) == (mode, nth), fault
    assert max(_receives(winhost, command)) == nth, _receives(winhost, command)
    assert winhost.stats()['events'].get('receives_resent') is None
    # The task stopped its command as it gave up, so the session is free for the next task at once.
    after = ansible.adhoc('raw', '"warm $warm"', ansible_pssession_busy_timeout=0, **name)
    assert after.rc == 0 and after.stdouts() == ['warm 1'], after
    assert winhost.stats()['actions']['Command']['requests'] == 3


def test_a_command_whose_answer_was_lost_is_not_sent_again(ansible, winhost):
    assert ansible.adhoc('raw', '$n = 0', ansible_pssession_name='once').rc == 0
    winhost.knobs.fail_next('Command', 1, 'drop_after')
    run = ansible.adhoc('raw', '$n += 1; "n=$n"', ansible_pssession_name='once')
    assert run.rc == 0, run
    assert run.stdouts() == ['n=1'], run
    assert winhost.stats()['actions']['Command']['requests'] == 2
    check = ansible.adhoc('raw', '$n', ansible_pssession_name='once')
    assert check.stdouts() == ['1']


def test_a_command_lost_before_the_host_got_it_fails_without_resending(ansible, winhost):
    assert ansible.adhoc('raw', '$n = 0', ansible_pssession_name='lost').rc == 0
    winhost.knobs.fail_next('Command', 1, 'drop')
    run = ansible.adhoc('raw', '$n += 1', ansible_pssession_name='lost')
    assert run.rc != 0, run
    assert 'not sent again' in run.results[0]['msg'] or 'was not sent again' in run.results[0]['msg'], run
    assert winhost.stats()['actions']['Command']['requests'] == 2
    check = ansible.adhoc('raw', '$n', ansible_pssession_name='lost')
    assert check.stdouts() == ['0'], check


# A fault on each WSMan request of opening a session: the host never got it (drop, reset), or
# handled it and the answer was lost (drop_after). 'warm': the session exists beforehand, left by
# another controller (so this one Connects as a new client) or by this one (so it Reconnects as the
# client that disconnected it).
OPEN_FAULTS = [
    ('Enumerate', {}, 'drop', None), ('Create', {}, 'reset', None), ('Create', {}, 'drop_after', None),
    ('Receive', {'after': 'Create'}, 'drop', None), ('Receive', {'after': 'Create'}, 'drop_after', None),
    ('Connect', {}, 'drop', 'other'), ('Connect', {}, 'drop_after', 'other'),
    ('Receive', {'after': 'Connect'}, 'drop', 'other'), ('Receive', {'after': 'Connect'}, 'drop_after', 'other'),
    ('Reconnect', {}, 'drop', 'same'), ('Reconnect', {}, 'reset', 'same'), ('Reconnect', {}, 'drop_after', 'same'),
]


@pytest.mark.parametrize('action, match, mode, warm', OPEN_FAULTS,
                         ids=['%s%s-%s' % (a, '-after-' + m['after'] if m else '', f) for a, m, f, _w in OPEN_FAULTS])
def test_a_fault_while_opening_is_undone_and_retried(ansible, winhost, tmp_path, action, match, mode, warm):
    name = dict(ansible_pssession_name='opening', ansible_pssession_busy_timeout=2)
    if warm:
        other = ansible.env(ANSIBLE_PSSESSION_LOCK_DIR=str(tmp_path / 'other-controller')) if warm == 'other' else None
        assert ansible.adhoc('raw', '$warm = 1', env=other, **name).rc == 0
    # Without retries the task is unreachable, and leaves nothing Connected behind: the next run
    # gets the session at once instead of waiting minutes for the host to notice the client left.
    winhost.knobs.fail_next(action, 1, mode, **match)
    failed = ansible.adhoc('raw', "'never'", **name)
    assert failed.results[0]['_status'] == 'unreachable', failed
    assert 'while opening the PSSession opening' in failed.results[0]['msg']
    assert winhost.stats()['faults'], 'the fault fired'
    assert [s['State'] for s in winhost.sessions()] == (['Disconnected'] if warm else [])
    # With reconnection_retries the same fault is ridden out in the task, and the session keeps its state.
    winhost.knobs.fail_next(action, 1, mode, **match)
    run = ansible.adhoc('raw', 'if ($warm) { "warm $warm" } else { "fresh" }', ansible_psrp_reconnection_retries=1,
                        ansible_psrp_reconnection_backoff=0, **name)
    assert run.rc == 0, run
    assert run.stdouts() == (['warm 1'] if warm else ['fresh'])
    assert connection_warnings(run) == '', run  # not "recreated": the same session
    assert len(winhost.stats()['faults']) == 2
    assert [(s['Name'], s['State']) for s in winhost.sessions()] == [('opening', 'Disconnected')]
    # Nothing ran twice: the warm-up's raw task, this one, and for a session another controller left, the module
    # epilogue a task runs first on attaching (it cannot know whether a module task was cut off there).
    assert winhost.stats()['actions']['Command']['requests'] == {None: 1, 'same': 2, 'other': 3}[warm]


LONG_PLAY = """
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $kept = 'from before'
    - raw: "'started'; Start-Sleep -Seconds 600; 'finished'"
"""


@pytest.mark.release_sensitive("worker signals and cancel: the release's signal handlers")
@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM], ids=['SIGINT', 'SIGTERM'])
def test_a_cancelled_run_stops_its_command_and_frees_the_session(ansible, winhost, signum):
    # SIGINT is what Ctrl-C and an AWX cancel send to ansible-playbook; SIGTERM what a container stop sends.
    name = dict(ansible_pssession_name='cancelled')
    run = ansible.start_playbook(LONG_PLAY, **name)
    wait_until(lambda: len(timeline(winhost, 'command_started')) == 2, 'the long command to start')
    pids = run.pids
    started = time.monotonic()
    os.kill(run.proc.pid, signum)
    ended = run.wait()
    assert ended.rc != 0
    wait_until(lambda: all_gone(pids), 'every process of the cancelled run to end')
    freed = time.monotonic() - started
    [shell] = winhost.sessions()
    # One assertion, so that a failure shows whether the command was signalled at all.
    signals = winhost.stats()['actions'].get('Signal', {}).get('requests', 0)
    assert (shell['State'], shell['Commands'], signals >= 1) == ('Disconnected', [], True), (shell, signals, ended)
    # The next run gets the session at once (busy_timeout 0: no waiting), with its state.
    after = ansible.adhoc('raw', '$kept', ansible_pssession_busy_timeout=0, **name)
    assert after.rc == 0, after
    assert after.stdouts() == ['from before']
    print('cancelled with %s: session free %.2fs after the signal' % (signal.Signals(signum).name, freed))


@pytest.mark.release_sensitive("task timeout: the release's TaskTimeoutError and wording")
def test_a_task_timeout_stops_the_command_before_the_next_task(ansible, winhost):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: "'started'; Start-Sleep -Seconds 600; 'finished'"
      timeout: 2
      ignore_errors: true
    - raw: "'next'"
""", ansible_pssession_name='timed')
    first, second = run.results
    # ansible-core's own words: 'Timed out after 2 second(s)' (2.19), 'failed to execute in the expected time frame (2)' (2.16)
    assert first['_status'] == 'failed' and ('Timed out after 2 second' in first['msg'] or 'time frame (2)' in first['msg']), first
    assert second['_status'] == 'ok' and second['stdout'].strip() == 'next', second
    # The run ended long before the 600 s command could have: it was stopped (a Signal), and the host
    # keeps no command (the second task's finished, the first was terminated).
    assert len(timeline(winhost, 'command_started')) == 2
    assert winhost.stats()['actions']['Signal']['requests'] >= 1
    assert 'stopping the command' in run.output
    assert winhost.sessions()[0]['Commands'] == []


@pytest.mark.release_sensitive("worker processes: the release's worker per task")
def test_a_killed_worker_leaves_nothing_the_next_task_waits_for(ansible, winhost):
    name = dict(ansible_pssession_name='killed')
    run = ansible.start_playbook(LONG_PLAY, **name)
    wait_until(lambda: len(timeline(winhost, 'command_started')) == 2, 'the long command to start')
    workers = run.pids - {run.proc.pid}
    assert workers, 'ansible forks a worker per task'
    for pid in workers:
        os.kill(pid, signal.SIGKILL)  # nothing runs in the worker any more: no close(), no handler
    run.wait()
    wait_until(lambda: all_gone(workers), 'the killed worker to be gone')
    assert [s['State'] for s in winhost.sessions()] == ['Connected']  # as the dead worker left it
    # The next task of this controller sees from its lock state that a dead task of its own held
    # the session: it stops that task's command and takes the session back, without waiting.
    after = ansible.adhoc('raw', '$kept', ansible_pssession_busy_timeout=0, **name)
    assert after.rc == 0, after
    assert after.stdouts() == ['from before']
    assert 'ended without releasing it' in after.output, after
    [shell] = winhost.sessions()
    assert (shell['State'], shell['Commands']) == ('Disconnected', []), shell


def _receives(host, command):
    return [e['nth'] for e in timeline(host, 'receive') if e['command'] == command]


def _lose_a_receive_answer(ansible, winhost, lost):
    """Run a three-line task whose ``lost`` ('first', 'middle' or 'last') output-carrying Receive
    answer is lost (drop_after: the host handled it and handed out that output, then the
    connection closed). Release files decide which answer carries which line. Returns the run."""
    name = dict(ansible_pssession_name='lossy')
    assert ansible.adhoc('raw', '$warm = 1', **name).rc == 0
    script = "'one'; %s; %s" % (waits_for_file(r'C:\lost1', 'two'), waits_for_file(r'C:\lost2', 'three'))
    # The 1st Receive carries 'one'; the 2nd waits for 'two' and the 3rd for 'three' and the end.
    nth = {'first': 1, 'middle': 2, 'last': 3}[lost]
    winhost.knobs.fail_next('Receive', 1, 'drop_after', nth=nth)
    task = ansible.start_adhoc('raw', script, **name, **RECEIVE_RETRIES)
    command = wait_until(lambda: timeline(winhost, 'command_started')[1:], "the task's command")[0]['command']
    for receive, gate in ((2, r'C:\lost1'), (3, r'C:\lost2')):
        # Each line is released only while the Receive meant to carry it waits for it.
        wait_until(lambda: receive in _receives(winhost, command), 'Receive %d of the command' % receive)
        _release(winhost, gate)
    run = task.wait()
    [fault] = winhost.stats()['faults']
    assert (fault['mode'], fault['nth'], fault['command']) == ('drop_after', nth, command), fault
    return run


@pytest.mark.parametrize('lost, acknowledge', [('first', True), ('middle', True), ('last', True), ('middle', False)],
                         ids=['first', 'middle', 'last', 'middle-unacknowledged'])
def test_a_lost_receive_answer_is_had_again_and_nothing_is_lost(ansible, winhost, lost, acknowledge):
    # The Receive is a WSMan robust-connection operation (MS-WSMV 3.1.4.1.39): sent again as its
    # retransmission on a new connection, it gets the answer the host kept, so every line arrives.
    # The command ran once. The host puts an Acknowledge message before the kept answer, as the spec
    # shows (4.11.3): that is what tells the client the answer is the kept one, so there is nothing to
    # warn of. 'middle-unacknowledged': the kept answer alone, which the client cannot tell from a new
    # one: every line arrives, and the task is still warned that output may be missing.
    winhost.knobs.set('robust_resend_acknowledge', acknowledge)
    run = _lose_a_receive_answer(ansible, winhost, lost)
    assert run.rc == 0, run
    assert run.stdouts() == ['one\r\ntwo\r\nthree'], run
    warned = 'may be incomplete' in connection_warnings(run)
    assert warned is not acknowledge, run
    assert acknowledge or 'the command ran once' in connection_warnings(run), run
    assert 'Traceback' not in run.output and 'command identifier' not in run.output
    stats = winhost.stats()
    assert stats['events']['receives_resent'] == 1, 'the lost answer came from the host\'s table'
    assert stats['actions']['Command']['requests'] == 2  # one per task: nothing was run twice
    assert winhost.sessions()[0]['Commands'] == []


@pytest.mark.release_sensitive("warnings: where the release puts a connection plugin's warning")
def test_a_lost_receive_answer_on_a_host_without_robust_connections_is_reported(ansible, winhost):
    # A host without robust-connection support (knob robust_connections off: it ignores the
    # OperationID and does not echo it, as MS-WSMV 3.1.4.1.39 requires of such a server) answers
    # the Receive sent again with new output: what the lost answer held ('two') is gone, and the
    # task says so rather than reporting a clean success.
    winhost.knobs.set('robust_connections', False)
    run = _lose_a_receive_answer(ansible, winhost, 'middle')
    assert run.rc == 0, run
    assert run.stdouts() == ['one\r\nthree'], run
    warnings = connection_warnings(run)
    assert 'may be incomplete' in warnings and 'the command ran once' in warnings, run
    assert 'Traceback' not in run.output and 'command identifier' not in run.output
    stats = winhost.stats()
    assert stats['events'].get('receives_resent') is None
    assert stats['actions']['Command']['requests'] == 2
    assert winhost.sessions()[0]['Commands'] == []


def test_a_host_restart_between_tasks_and_during_one(ansible, winhost):
    name = dict(ansible_pssession_name='rebooted')
    assert ansible.adhoc('raw', '$before = 1', **name).rc == 0
    winhost.restart()  # a reboot: the sessions are gone
    between = ansible.adhoc('raw', 'if ($before) { "kept" } else { "empty" }', **name)
    assert between.rc == 0 and between.stdouts() == ['empty'], between
    assert 'expired or was removed' in connection_warnings(between), between
    # During a task: the task fails clearly (its command is gone with the session), nothing hangs,
    # and the next task gets a new session.
    commands = len(timeline(winhost, 'command_started'))
    task = ansible.start_adhoc('raw', waits_for_file(r'C:\never', 'done'), **name)
    wait_until(lambda: len(timeline(winhost, 'command_started')) > commands, 'the command to start')
    winhost.restart()
    during = task.wait()
    assert during.rc != 0, during
    assert during.results[0]['_status'] in ('failed', 'unreachable'), during
    assert 'Traceback' not in during.output
    print('restart during a task: %s: %s' % (during.results[0]['_status'], during.results[0]['msg'][:300]))
    after = ansible.adhoc('raw', '"after"', **name)
    assert after.rc == 0 and after.stdouts() == ['after'], after


@pytest.mark.release_sensitive("worker signals: the release's worker sessions (setsid from 2.19)")
def test_a_run_whose_main_process_is_killed_stops_its_command(ansible, winhost):
    # SIGKILL of ansible-playbook itself: its worker (in a session of its own since ansible-core
    # 2.19) would run on; it notices its parent is gone, stops the command and disconnects.
    name = dict(ansible_pssession_name='orphaned')
    run = ansible.start_playbook(LONG_PLAY, **name)
    wait_until(lambda: len(timeline(winhost, 'command_started')) == 2, 'the long command to start')
    pids = run.pids
    os.kill(run.proc.pid, signal.SIGKILL)
    run.wait()
    wait_until(lambda: all_gone(pids), 'the orphaned worker to end')
    [shell] = winhost.sessions()
    assert (shell['State'], shell['Commands']) == ('Disconnected', []), shell
    after = ansible.adhoc('raw', '$kept', ansible_pssession_busy_timeout=0, **name)
    assert after.rc == 0 and after.stdouts() == ['from before'], after
