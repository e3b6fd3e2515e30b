"""The run's keeper (plugins/plugin_utils/keeper.py, docs/design.md section 9): the tasks of a run-scoped session
handed to one process per run, and what happens when that process, or a worker talking to it, goes away."""

from __future__ import annotations

import glob
import os
import re
import signal

import pytest

from e2e_support import PASSWORD, all_gone, own_warnings, timeline, wait_until, waits_for_file

HANDED = re.compile(r"this task runs in the run's keeper \(pid (\d+)\)")
STARTED = re.compile(r"started the run's keeper \(pid (\d+)\)")


def keeper_pids(run) -> list[int]:
    """The keeper pid each task handed to a keeper names (-vvv), in task order."""
    return [int(pid) for pid in HANDED.findall(run.output)]


def running_keeper(ansible) -> int:
    """The pid of the keeper whose lock file is in the run's lock directory (the keeper writes it there)."""
    def pid():
        for path in glob.glob(str(ansible.lock_dir / 'keeper-*.lock')):
            with open(path, encoding='ascii') as handle:
                text = handle.read().strip()
            if text and os.path.exists('/proc/%s' % text):
                return int(text)
        return None
    return wait_until(pid, 'the keeper to write its pid')


FIVE = """
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $kept = 'from task 1'
    - raw: $kept
    - raw: $kept
    - win_ping:
    - raw: $kept
"""


def test_a_run_hands_its_tasks_to_one_keeper_which_ends_with_the_run(ansible, winhost):
    run = ansible.playbook(FIVE, '-vvv')
    assert run.rc == 0, run
    assert run.stdouts() == ['', 'from task 1', 'from task 1', 'from task 1'], run
    [started] = [int(pid) for pid in STARTED.findall(run.output)]
    # The first task finds no keeper and starts it; every later one, a module too, runs in it.
    assert keeper_pids(run) == [started] * 4, run
    assert run.results[3]['ping'] == 'pong', run.results[3]
    # The keeper's first task builds a pypsrp client for the parked session; the later ones take the one it kept.
    assert run.output.count('with its client kept') == 3, run
    # One session for the whole run, as without a keeper: its tasks adopt it as the same client, no new shell.
    assert winhost.stats()['actions']['Create']['requests'] == 1
    wait_until(lambda: all_gone([started]), 'the keeper to end with its run')
    assert glob.glob(str(ansible.lock_dir / 'keeper-*.sock')) == []
    # No credential in any file the run left, the keeper's included.
    for path in glob.glob(str(ansible.lock_dir / '*')):
        with open(path, 'rb') as handle:
            assert PASSWORD.encode() not in handle.read(), path


def test_without_the_keeper_every_task_runs_in_its_worker(ansible, winhost):
    run = ansible.playbook(FIVE, '-vvv', ansible_pssession_keeper=False)
    assert run.rc == 0, run
    assert run.stdouts() == ['', 'from task 1', 'from task 1', 'from task 1'], run
    assert keeper_pids(run) == [] and STARTED.findall(run.output) == [], run
    assert glob.glob(str(ansible.lock_dir / 'keeper-*')) == []


def test_a_bad_keeper_value_names_the_option_before_any_request(ansible, winhost):
    run = ansible.adhoc('raw', "'x'", ansible_pssession_keeper='maybe')
    assert run.rc != 0
    msg = run.results[0]['msg']
    assert "session option 'keeper'" in msg and 'ansible_pssession_keeper' in msg and 'a boolean' in msg, msg
    assert 'Traceback' not in run.output
    assert winhost.stats()['actions'] == {} or sum(a['requests'] for a in winhost.stats()['actions'].values()) == 0


KILLED_BETWEEN = """
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $kept = 'from task 1'
    - raw: $kept
    - name: the test kills the keeper now
      raw: "%s"
      delegate_to: localhost
      vars:
        ansible_connection: local
    - raw: $kept
    - raw: $kept
"""


def test_a_keeper_killed_between_tasks_is_replaced_and_the_session_kept(ansible, winhost):
    # The third task runs on the controller: it SIGKILLs the keeper (its pid from its lock file) and waits for it
    # to be gone. The next task finds no keeper, runs in its worker (adopting the parked session as any task
    # does) and starts another keeper, which runs the last task.
    kill = ('kill -9 $(cat %s/keeper-*.lock); while [ -e /proc/$(cat %s/keeper-*.lock) ]; do sleep 0.05; done'
            % (ansible.lock_dir, ansible.lock_dir))
    run = ansible.playbook(KILLED_BETWEEN % kill, '-vvv')
    assert run.rc == 0, run
    assert [run.results[i]['stdout'].strip() for i in (1, 3, 4)] == ['from task 1'] * 3, run
    first, second = [int(pid) for pid in STARTED.findall(run.output)]
    assert first != second
    assert keeper_pids(run) == [first, second], run
    assert 'Traceback' not in run.output and own_warnings(run.stderr) == [], run
    assert winhost.stats()['actions']['Create']['requests'] == 1


LONG = """
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $kept = 'from before'
    - raw: "%s"
      ignore_errors: true
      ignore_unreachable: true
    - raw: $kept
"""


def test_a_keeper_killed_during_a_command_fails_that_task_and_never_sends_it_again(ansible, winhost):
    run = ansible.start_playbook(LONG % waits_for_file(r'C:\never', 'finished'), '-vvv')
    wait_until(lambda: len(timeline(winhost, 'command_started')) == 2, 'the long command to start in the keeper')
    os.kill(running_keeper(ansible), signal.SIGKILL)
    ended = run.wait()
    assert ended.rc == 0, ended  # ignore_unreachable
    second, third = ended.results[1], ended.results[2]
    assert second['_status'] == 'unreachable', second  # as a connection dropped during a command
    assert 'may have run on the host' in second['msg'] and 'not sent again' in second['msg'], second
    # The next task runs in its worker: the keeper died holding the session, so it stops the command the
    # keeper left running and takes the session back, with its state.
    assert third['stdout'].strip() == 'from before', third
    assert 'ended without releasing it' in ended.output, ended
    assert winhost.stats()['actions']['Signal']['requests'] >= 1
    # The long command ran once and was stopped; nothing sent it again.
    assert len(timeline(winhost, 'command_started')) == 3


@pytest.mark.release_sensitive("worker signals and cancel: the release's signal handlers")
def test_a_cancelled_run_stops_the_command_its_keeper_runs(ansible, winhost):
    run = ansible.start_playbook(LONG % waits_for_file(r'C:\never', 'finished'), '-vvv')
    wait_until(lambda: len(timeline(winhost, 'command_started')) == 2, 'the long command to start in the keeper')
    keeper = running_keeper(ansible)
    pids = run.pids | {keeper}
    os.kill(run.proc.pid, signal.SIGINT)  # Ctrl-C, an AWX cancel
    ended = run.wait()
    assert ended.rc != 0
    wait_until(lambda: all_gone(pids), 'every process of the cancelled run, the keeper too, to end')
    [shell] = winhost.sessions()
    signals = winhost.stats()['actions'].get('Signal', {}).get('requests', 0)
    assert (shell['State'], shell['Commands'], signals >= 1) == ('Disconnected', [], True), (shell, signals, ended)


def test_a_task_timeout_in_the_keeper_stops_the_command_before_the_next_task(ansible, winhost):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $kept = 'from before'
    - raw: "'started'; Start-Sleep -Seconds 600; 'finished'"
      timeout: 2
      ignore_errors: true
    - raw: $kept
""", '-vvv')
    first, second, third = run.results
    assert second['_status'] == 'failed' and ('Timed out after 2 second' in second['msg'] or 'time frame (2)' in second['msg']), second
    assert third['_status'] == 'ok' and third['stdout'].strip() == 'from before', third
    assert len(keeper_pids(run)) == 2, run  # the second and third task ran in the keeper
    assert 'stopping the command' in run.output
    assert winhost.stats()['actions']['Signal']['requests'] >= 1
    assert winhost.sessions()[0]['Commands'] == []
