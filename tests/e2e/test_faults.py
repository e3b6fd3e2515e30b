"""Busy sessions, the controller lock, vanished sessions, unreachable hosts and dropped connections."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

import pytest
from pypsrp.powershell import RunspacePool
from pypsrp.wsman import NAMESPACES, SelectorSet, WSMan
from winhost import WinHost

from e2e_support import BIN, PASSWORD, USERS, create_count


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


def test_a_session_held_by_another_client_is_waited_for_then_reported_busy(ansible, winhost):
    wsman, pool = hold_session(winhost, 'shared')
    run = ansible.adhoc('raw', '1', ansible_pssession_session_name='shared', ansible_pssession_busy_timeout=2)
    assert run.rc != 0, run
    assert run.seconds >= 2
    msg = run.results[0]['msg']
    assert 'busy' in msg and 'since' in msg and 'shared' in msg and 'busy_timeout' in msg, msg
    assert 'Traceback' not in run.output

    # The other client lets go while we wait: the task gets the session.
    timer = threading.Timer(1.5, release_session, (wsman, pool))
    timer.start()
    run = ansible.adhoc('raw', '"got it"', ansible_pssession_session_name='shared', ansible_pssession_busy_timeout=20)
    timer.join()
    assert run.rc == 0, run
    assert run.stdouts() == ['got it']
    assert create_count(winhost) == 1


def _start_adhoc(ansible, script, **hostvars):
    """An ad-hoc raw command in the background."""
    inv = ansible.inventory(**hostvars)
    env = dict(ansible.env(), RECORD_RESULTS_FILE=str(ansible.tmp / ('background%d.jsonl' % time.monotonic_ns())))
    return subprocess.Popen([os.path.join(BIN, 'ansible'), 'win1', '-i', inv, '-m', 'raw', '-a', script],
                            env=env, cwd=str(ansible.tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_concurrent_tasks_of_one_controller_are_serialized(ansible, winhost):
    first = _start_adhoc(ansible, "Start-Sleep -Seconds 3; 'first done'", ansible_pssession_session_name='serial')
    time.sleep(1.5)
    started = time.monotonic()
    second = ansible.adhoc('raw', "'second'", ansible_pssession_session_name='serial')
    waited = time.monotonic() - started
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    assert 'first done' in out
    assert second.rc == 0, second
    assert second.stdouts() == ['second']
    assert waited >= 1.0, 'the second task waited for the first one'
    assert create_count(winhost) == 1


def test_the_controller_lock_times_out_with_who_holds_it(ansible, winhost):
    first = _start_adhoc(ansible, "Start-Sleep -Seconds 4; 'first done'", ansible_pssession_session_name='held')
    time.sleep(1.5)
    second = ansible.adhoc('raw', "'second'", ansible_pssession_session_name='held', ansible_pssession_busy_timeout=1)
    first.communicate(timeout=120)
    assert second.rc != 0, second
    msg = second.results[0]['msg']
    assert 'busy' in msg and 'another task on this controller' in msg and 'since' in msg, msg


def test_a_vanished_session_is_recreated_with_a_warning(ansible, winhost):
    assert ansible.adhoc('raw', '$x = 1', ansible_pssession_session_name='fragile').rc == 0
    (shell,) = winhost.sessions()
    winhost.kill_session(shell['ShellId'])
    run = ansible.adhoc('raw', 'if ($null -eq $x) { "empty" } else { $x }', ansible_pssession_session_name='fragile')
    assert run.rc == 0, run
    assert run.stdouts() == ['empty']
    warnings = ' '.join(str(w) for w in run.results[0].get('warnings', []))
    assert 'expired or was removed' in warnings and 'fragile' in warnings, run.results
    assert create_count(winhost) == 2


def test_a_vanished_session_fails_the_task_when_strict(ansible, winhost):
    assert ansible.adhoc('raw', '$x = 1', ansible_pssession_session_name='precious').rc == 0
    (shell,) = winhost.sessions()
    winhost.kill_session(shell['ShellId'])
    run = ansible.adhoc('raw', '$x', ansible_pssession_session_name='precious', ansible_pssession_strict_session=True)
    assert run.rc != 0, run
    assert 'strict_session' in run.results[0]['msg']
    assert create_count(winhost) == 1
    assert winhost.sessions() == []


def test_an_expired_session_is_recreated_with_a_warning(ansible, winhost):
    assert ansible.adhoc('raw', '$x = 1', ansible_pssession_session_name='short', ansible_pssession_idle_timeout=60).rc == 0
    winhost.control({'time_scale': 1000})
    deadline = time.monotonic() + 10
    while winhost.sessions() and time.monotonic() < deadline:
        time.sleep(0.2)
    winhost.control({'time_scale': 1})
    run = ansible.adhoc('raw', '"again"', ansible_pssession_session_name='short', ansible_pssession_idle_timeout=60)
    assert run.rc == 0, run
    assert 'expired or was removed' in ' '.join(str(w) for w in run.results[0].get('warnings', []))


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


def _fail_soon(host, action, mode, delay):
    timer = threading.Timer(delay, host.knobs.fail_next, (action, 1, mode))
    timer.start()
    return timer


@pytest.mark.parametrize('mode', ['drop', 'reset'])
def test_a_dropped_receive_is_reconnected_and_the_output_received_to_the_end(ansible, winhost, mode):
    assert ansible.adhoc('raw', '$warm = 1', ansible_pssession_session_name='drops').rc == 0
    timer = _fail_soon(winhost, 'Receive', mode, 1.0)
    run = ansible.adhoc('raw', "'one'; Start-Sleep -Seconds 2; 'two'; Start-Sleep -Seconds 1; 'three'",
                        ansible_pssession_session_name='drops')
    timer.join()
    assert run.rc == 0, run
    assert run.stdouts() == ['one\r\ntwo\r\nthree'], run
    stats = winhost.stats()
    assert stats['events'].get('connections_%s' % mode) == 1
    assert stats['actions']['Command']['requests'] == 2  # one per task: nothing was sent twice


def test_a_command_whose_answer_was_lost_is_not_sent_again(ansible, winhost):
    assert ansible.adhoc('raw', '$n = 0', ansible_pssession_session_name='once').rc == 0
    winhost.knobs.fail_next('Command', 1, 'drop_after')
    run = ansible.adhoc('raw', '$n += 1; "n=$n"', ansible_pssession_session_name='once')
    assert run.rc == 0, run
    assert run.stdouts() == ['n=1'], run
    assert winhost.stats()['actions']['Command']['requests'] == 2
    check = ansible.adhoc('raw', '$n', ansible_pssession_session_name='once')
    assert check.stdouts() == ['1']


def test_a_command_lost_before_the_host_got_it_fails_without_resending(ansible, winhost):
    assert ansible.adhoc('raw', '$n = 0', ansible_pssession_session_name='lost').rc == 0
    winhost.knobs.fail_next('Command', 1, 'drop')
    run = ansible.adhoc('raw', '$n += 1', ansible_pssession_session_name='lost')
    assert run.rc != 0, run
    assert 'not sent again' in run.results[0]['msg'] or 'was not sent again' in run.results[0]['msg'], run
    assert winhost.stats()['actions']['Command']['requests'] == 2
    check = ansible.adhoc('raw', '$n', ansible_pssession_session_name='lost')
    assert check.stdouts() == ['0'], check
