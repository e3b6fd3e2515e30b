"""The cleanup callback: run-scoped sessions of a run are removed when the run ends."""

from __future__ import annotations

import os

import pytest

from e2e_support import PASSWORD, UNSHARE_PID, wait_until

# The suite runs 10; PSSESSION_CLEANUP_RUNS=100 repeats the 100-run check.
RUNS = int(os.environ.get('PSSESSION_CLEANUP_RUNS', '10'))

PLAY = """
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $x = 1
    - raw: $x
"""


def _with_cleanup(ansible):
    return ansible.env(ANSIBLE_CALLBACKS_ENABLED='record_results,psremoting.pssession.cleanup')


def test_without_the_callback_a_run_scoped_session_waits_for_its_idle_timeout(ansible, winhost):
    assert ansible.playbook(PLAY).rc == 0
    # Left Connected by the run's last task (parked: docs/design.md), until the host disconnects the silent
    # client (WinRM: minutes; the test host: client_silence_timeout); then its IdleTimeout runs.
    assert [(s['State'], s['IdleTimeOut']) for s in winhost.sessions()] == [('Connected', 600)]
    winhost.control({'client_silence_timeout': 0.2})
    wait_until(lambda: [(s['State'], s['IdleTimeOut']) for s in winhost.sessions()] == [('Disconnected', 600)],
               'the host to disconnect the run\'s silent client')


@pytest.mark.release_sensitive("callbacks: the release's callback API and command-line context")
def test_the_callback_removes_the_runs_session_and_leaves_named_ones(ansible, winhost):
    assert ansible.adhoc('raw', '1', ansible_pssession_name='keep').rc == 0
    run = ansible.playbook(PLAY, env=_with_cleanup(ansible))
    assert run.rc == 0, run
    assert run.stdouts() == ['', '1']
    assert [s['Name'] for s in winhost.sessions()] == ['keep']
    adhoc = ansible.adhoc('raw', '"ad hoc"', env=_with_cleanup(ansible))
    assert adhoc.rc == 0 and adhoc.stdouts() == ['ad hoc'], adhoc
    assert [s['Name'] for s in winhost.sessions()] == ['keep']
    assert not list(ansible.lock_dir.glob('used-*')), 'the markers are gone with the run'


@pytest.mark.release_sensitive("callbacks: the release's callback API and command-line context")
def test_the_callback_uses_the_ask_pass_password(ansible, winhost):
    # As AWX passes a machine credential: the password answers --ask-pass, it is in no variable.
    run = ansible.playbook(PLAY, '--ask-pass', env=_with_cleanup(ansible), stdin=PASSWORD + '\n', ansible_password=None)
    assert run.rc == 0, run
    assert winhost.sessions() == []
    assert PASSWORD not in run.output


@pytest.mark.release_sensitive("callbacks: the release's callback API and command-line context")
def test_the_callback_uses_the_user_given_with_u(ansible, winhost):
    # An AWX machine credential's user comes as -u, not as ansible_user: the session is that user's.
    run = ansible.playbook(PLAY, '-u', 'user', '--ask-pass', env=_with_cleanup(ansible), stdin=PASSWORD + '\n',
                           ansible_user=None, ansible_password=None)
    assert run.rc == 0, run
    assert run.stdouts() == ['', '1']
    assert winhost.sessions() == []
    assert winhost.stats()['events']['shells_deleted'] == 1


@pytest.mark.release_sensitive("callbacks: the release's callback API and command-line context")
def test_the_callback_removes_the_session_of_a_run_whose_task_failed(ansible, winhost):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: exit 3
""", env=_with_cleanup(ansible))
    assert run.rc == 2 and run.statuses() == ['failed'], run
    assert 'Callback dispatch' not in run.output, run
    assert winhost.sessions() == []


def test_many_runs_in_fresh_pid_namespaces_leave_no_session(ansible, winhost):
    # Each run as a new execution-environment container: only the callback can remove its session.
    for _unused in range(RUNS):
        assert ansible.playbook(PLAY, env=_with_cleanup(ansible), wrapper=UNSHARE_PID).rc == 0
    assert winhost.sessions() == []
    assert winhost.stats()['events']['shells_created'] == RUNS
