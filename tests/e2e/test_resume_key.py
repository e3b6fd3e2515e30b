"""psremoting.pssession.invoke resume_key: a keyed step runs at most once per session, and a relaunch
(after SIGKILL of the controller, or as another controller through ansible-runner) attaches to it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import uuid

import pytest
from pypsrp.complex_objects import RunspacePoolState
from pypsrp.powershell import RunspacePool
from pypsrp.wsman import WSMan

from awx_support import RUNNER
from e2e_support import BIN, BUILD, HERE, PASSWORD, UNSHARE_PID, CountingStep, all_gone, sensitive_cases, timeline, wait_until

# The step (e2e_support.CountingStep): counts its runs on the host's drive, says it started, then runs
# until the test creates its release file; its outcome is that run's count.
STEP = CountingStep(r'C:\step-count.txt', r'C:\release-step', then='$Ansible.Result = @{ runs = $n + 1 }')


def play(**options) -> str:
    """A play whose one task is invoke with STEP as its script and ``options``."""
    args = dict(script=STEP.script, **options)
    return """
- hosts: win1
  gather_facts: false
  tasks:
    - name: the long step
      psremoting.pssession.invoke: %s
""" % json.dumps(args)


PLAY = play(resume_key='nightly', poll_interval=1)

NAME = dict(ansible_pssession_name='resumable')


runs = STEP.runs


def step_commands(host) -> list[str]:
    """The commands of the host's one session: the keyed step's."""
    [shell] = host.sessions()
    return [c['CommandId'] for c in shell['Commands']]


def _watching(host, connects_before: int) -> bool:
    """A task connected after ``connects_before`` and now waits for the step with the session Disconnected."""
    return _connects(host) > connects_before and [s['State'] for s in host.sessions()] == ['Disconnected']


def _connects(host) -> int:
    """Requests that attach a client to the session: Create, Connect (a new client), Reconnect (the same client)."""
    actions = host.stats()['actions']
    return sum(actions.get(a, {}).get('requests', 0) for a in ('Create', 'Connect', 'Reconnect'))


def _enumerates(host) -> int:
    return host.stats()['actions'].get('Enumerate', {}).get('requests', 0)


def _kill_run(run, what: str) -> None:
    if what == 'every process':
        pids = run.kill_all()  # one forked while it is being killed too (e2e_support.Background.kill_all)
    else:
        pids = run.pids
        try:
            os.kill(run.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    run.wait()
    wait_until(lambda: all_gone(pids), 'every process of the killed run to end')


def _start_and_kill(ansible, winhost, what: str):
    run = ansible.start_playbook(PLAY, **NAME)
    wait_until(lambda: runs(winhost) == 1, 'the step to start on the host')
    wait_until(lambda: _watching(winhost, 0), 'the task to wait for the step, disconnected')
    [started] = [e for e in timeline(winhost, 'command_started') if e['command'] in step_commands(winhost)]
    _kill_run(run, what)
    return started['command']


@pytest.mark.parametrize('what', sensitive_cases(['every process', 'main process'], "worker signals: the release's worker sessions (setsid from 2.19)",
                                                 lambda what: what == 'main process'))
def test_a_relaunch_after_sigkill_attaches_to_the_running_step(ansible, winhost, what):
    # SIGKILL of every process of the run: a container or AWX job killed; of its main process only:
    # its worker notices and ends its task (close()) without stopping the keyed command.
    command = _start_and_kill(ansible, winhost, what)
    [shell] = winhost.sessions()
    assert [(c['CommandId'], c['State']) for c in shell['Commands']] == [(command, 'Running')], shell
    connects = _connects(winhost)
    relaunch = ansible.start_playbook(PLAY, **NAME)
    wait_until(lambda: _watching(winhost, connects), 'the relaunched task to attach and wait')
    looks = _enumerates(winhost)
    wait_until(lambda: _enumerates(winhost) > looks, 'the relaunched task to look at the running step')
    STEP.release_on(winhost)
    run = relaunch.wait()
    assert run.rc == 0, run
    [result] = run.results
    assert result['attached'] is True and result['resumed'] is True, result
    assert result['resume']['source'] == 'attached' and result['resume']['key'] == 'nightly'
    assert result['command_id'] == command
    assert result['output'] == ['started', 'finished'], result  # all of it: the killed run received nothing
    assert result['result'] == {'runs': 1} and result['changed'] is True
    assert runs(winhost) == 1
    assert [e['command'] for e in timeline(winhost, 'command_started')].count(command) == 1
    assert "still running after" in run.stdout and "'nightly'" in run.stdout, run.stdout  # progress lines
    # The outcome is recorded: a third run returns it and runs nothing.
    third = ansible.playbook(PLAY, **NAME)
    assert third.rc == 0, third
    [again] = third.results
    assert (again['resumed'], again['attached'], again['resume']['source'], again['changed']) == (True, False, 'recorded', False)
    assert again['output'] == ['started', 'finished'] and again['result'] == {'runs': 1}
    assert again['resume']['changed'] is True and again['resume']['started'] and again['resume']['finished']
    assert runs(winhost) == 1


def test_a_relaunch_after_the_step_finished_returns_all_its_output(ansible, winhost):
    command = _start_and_kill(ansible, winhost, 'every process')
    STEP.release_on(winhost)
    wait_until(lambda: winhost.sessions()[0]['Commands'] == [{'CommandId': command, 'State': 'Done', 'WaitingForReader': False}],
               'the step to end on the host, its output not received')
    run = ansible.playbook(PLAY, **NAME)
    assert run.rc == 0, run
    [result] = run.results
    assert (result['attached'], result['resume']['source']) == (True, 'attached'), result
    assert result['output'] == ['started', 'finished']
    assert runs(winhost) == 1
    assert winhost.sessions()[0]['Commands'] == []


def test_a_step_runs_once_and_later_tasks_return_its_outcome(ansible, winhost):
    STEP.release_on(winhost)
    first = ansible.playbook(PLAY, **NAME)
    assert first.rc == 0, first
    [result] = first.results
    assert (result['attached'], result['resumed'], result['resume']['source']) == (False, False, 'started'), result
    assert result['output'] == ['started', 'finished'] and result['changed'] is True
    # Collect by key alone (another play or job would do this): the recorded outcome, nothing runs.
    collect = ansible.adhoc('psremoting.pssession.invoke', 'resume_key=nightly', **NAME)
    assert collect.rc == 0, collect
    assert collect.results[0]['output'] == ['started', 'finished'] and collect.results[0]['resume']['source'] == 'recorded'
    assert runs(winhost) == 1
    # Without a key the same script runs again, as today.
    plain = ansible.playbook(play(), **NAME)
    assert plain.rc == 0, plain
    assert runs(winhost) == 2
    # An unknown key with nothing to run: a clear failure, nothing started.
    unknown = ansible.adhoc('psremoting.pssession.invoke', 'resume_key=weekly', **NAME)
    assert unknown.rc != 0
    assert "no step with resume_key 'weekly'" in unknown.results[0]['msg'], unknown.results


def test_a_step_whose_output_was_taken_without_its_outcome_is_not_run_again(ansible, winhost):
    # receive (not a keyed invoke) takes the output: the record says started, the host has no
    # command and no outcome was recorded. The step is not started a second time.
    STEP.release_on(winhost)
    started = ansible.playbook(play(resume_key='nightly', disconnected=True), **NAME)
    assert started.rc == 0, started
    assert started.results[0]['state'] == 'Running' and started.results[0]['resume']['source'] == 'started'
    taken = ansible.adhoc('psremoting.pssession.receive', 'wait=true', **NAME)
    assert taken.rc == 0 and taken.results[0]['output'] == ['started', 'finished'], taken
    again = ansible.playbook(PLAY, **NAME)
    assert again.rc != 0
    msg = again.results[0]['msg']
    assert 'no outcome was recorded' in msg and 'Not starting it again' in msg and 'nightly' in msg, msg
    assert runs(winhost) == 1


@pytest.mark.parametrize('args, expected', [
    ('resume_key=""', 'Invalid value'),
    ('resume_key=k poll_interval=0 script=1', 'poll_interval: expected an integer from 1 to 3600'),
    ('poll_interval=5 script=1', 'poll_interval is only used with resume_key'),
    ('resume_key=k parameters={"a":1}', 'Option parameters needs script or path'),
], ids=['empty-key', 'poll-interval-range', 'poll-interval-alone', 'parameters-without-script'])
def test_bad_resume_options_fail_before_any_traffic(ansible, winhost, args, expected):
    run = ansible.adhoc('psremoting.pssession.invoke', args, **NAME)
    assert run.rc != 0
    msg = run.results[0]['msg']
    assert expected in msg and 'psremoting.pssession.invoke' in msg, msg
    assert winhost.stats()['totals']['requests'] == 0


def _runner_job(tmp_path, name: str, playbook: str, inventory: str, lock_dir: str):
    """An ansible-runner private data directory, as AWX lays one out for a job."""
    root = tmp_path / name
    (root / 'project').mkdir(parents=True)
    (root / 'inventory').mkdir()
    (root / 'env').mkdir()
    (root / 'project' / 'play.yml').write_text(playbook)
    shutil.copy(inventory, root / 'inventory' / 'hosts.json')
    (root / 'env' / 'envvars').write_text(json.dumps({
        'ANSIBLE_COLLECTIONS_PATH': BUILD,
        'ANSIBLE_PSSESSION_LOCK_DIR': lock_dir,  # a new container: nothing of the earlier job's controller state
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
        'RECORD_RESULTS_FILE': str(root / 'results.jsonl'),
    }))
    return root


def test_an_awx_style_relaunch_through_ansible_runner_attaches(ansible, winhost, tmp_path):
    runner = RUNNER  # .venv's; the ansible-playbook it starts is the release under test (BIN first on PATH)
    inventory = ansible.inventory(**NAME)
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    jobs = []
    for number in (1, 2):
        lock_dir = tmp_path / ('locks-job%d' % number)
        lock_dir.mkdir(mode=0o700)
        jobs.append(_runner_job(tmp_path, 'job%d' % number, PLAY, inventory, str(lock_dir)))
    # Job 1, in a PID namespace of its own as an execution environment container, is killed mid-step.
    first = subprocess.Popen([*UNSHARE_PID, runner, 'run', str(jobs[0]), '-p', 'play.yml'], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: runs(winhost) == 1, 'the step to start on the host')
        wait_until(lambda: _watching(winhost, 0), 'job 1 to wait for the step, disconnected')
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # AWX stopping the job's container: every process at once
        first.wait()
    [command] = step_commands(winhost)
    # The relaunch: a new job, another container (no lock state), the same inventory and session name.
    connects = _connects(winhost)
    second = subprocess.Popen([*UNSHARE_PID, runner, 'run', str(jobs[1]), '-p', 'play.yml'], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_until(lambda: _watching(winhost, connects), 'job 2 to attach to the step and wait')
        STEP.release_on(winhost)
        out = second.communicate(timeout=240)[0]
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
    assert second.returncode == 0, out
    status = (jobs[1] / 'artifacts').glob('*/status')
    assert [p.read_text() for p in status] == ['successful']
    [line] = (jobs[1] / 'results.jsonl').read_text().splitlines()
    result = json.loads(line)['result']
    assert result['attached'] is True and result['command_id'] == command, result
    assert result['output'] == ['started', 'finished']
    assert runs(winhost) == 1
    print('AWX-style relaunch: job 2 connected at once (session Disconnected since job 1 was waiting), command %s' % command)


def test_keyed_command_id_is_the_same_for_every_task():
    from ansible_collections.psremoting.pssession.plugins.plugin_utils.resume import keyed_command_id  # pylint: disable=import-outside-toplevel
    shell = str(uuid.uuid4()).upper()
    assert keyed_command_id(shell, 'nightly') == keyed_command_id(shell.lower(), 'nightly')
    assert keyed_command_id(shell, 'nightly') != keyed_command_id(shell, 'weekly')
    assert keyed_command_id(shell, 'nightly') != keyed_command_id(str(uuid.uuid4()), 'nightly')


def _connect_and_go_silent(host) -> WSMan:
    """Another controller's task connects to the session, then its container is killed: the host keeps
    the session Connected to a client that never speaks again (until its silent-client timeout)."""
    [shell] = host.sessions()
    wsman = WSMan('127.0.0.1', port=host.port, username='user', password=PASSWORD, ssl=False, auth='basic', encryption='never')
    pool = RunspacePool(wsman)
    pool.id = pool.shell.id = shell['ShellId']
    pool.shell.opened = True
    pool.state = RunspacePoolState.DISCONNECTED
    pool._new_client = True  # pylint: disable=protected-access  # Connect as a new client, as Connect-PSSession
    pool.connect()
    return wsman


def test_a_relaunch_while_a_dead_client_of_another_controller_holds_the_session(ansible, winhost):
    # What a relaunch from another container sees if the killed job had the session Connected (it
    # holds it only for short moments around a keyed step: starting it, renewing the IdleTimeout,
    # receiving at the end): busy until the host notices the silent client, then it attaches.
    started = ansible.playbook(play(resume_key='nightly', disconnected=True), **NAME)
    assert started.rc == 0, started
    wait_until(lambda: runs(winhost) == 1, 'the step to start')
    dead = _connect_and_go_silent(winhost)
    busy = ansible.playbook(PLAY, ansible_pssession_busy_timeout=2, **NAME)
    assert busy.rc != 0, busy
    msg = busy.results[0]['msg']
    assert 'busy' in msg and 'connected to another client' in msg, msg
    winhost.control({'time_scale': 240})  # the test host's silent-client timeout is 240 s of host time
    wait_until(lambda: winhost.stats()['events'].get('auto_disconnects'), 'the host to notice the silent client')
    winhost.control({'time_scale': 1})
    STEP.release_on(winhost)
    run = ansible.playbook(PLAY, ansible_pssession_busy_timeout=2, **NAME)
    assert run.rc == 0, run
    [result] = run.results
    assert result['attached'] is True and result['output'] == ['started', 'finished'], result
    assert runs(winhost) == 1
    dead.close()
