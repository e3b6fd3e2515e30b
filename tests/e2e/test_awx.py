"""AWX jobs end to end: ansible-runner on a private data dir, each job in a PID namespace of its own.

The job templates, credential type, group variables and project (ansible.cfg and playbooks) are
those of docs/awx.md (docs/examples/awx/); awx_support.py says what AWX puts in a private data dir.
"""

from __future__ import annotations

import signal
import time

import pytest
from winhost import WinHost

from awx_support import RunnerJob
from e2e_support import PASSWORD, USERS, all_gone, command_line, timeline, wait_until

# A service account whose password would be a template to ansible: AWX writes credential extra
# variables !unsafe, so it must reach the host as typed.
SERVICE = ('awx-svc', 'Svc{{ not_a_var }}%pw')


@pytest.fixture(name='host')
def host_fixture():
    with WinHost(users=dict(USERS, **dict([SERVICE])), auth='both') as host:
        yield host


def _requests(host, action):
    return host.stats()['actions'].get(action, {}).get('requests', 0)


def _main_playbook(job):
    """ansible-playbook's main process in the job (its workers, forked from it, have its command line too)."""
    playbooks = {pid for pid in job.pids() if 'ansible-playbook' in command_line(pid)}
    [main] = [pid for pid in playbooks if _parent(pid) not in playbooks]
    return main


def _stat(pid):
    """(state, parent pid) of a process; ('X', 0) once it is gone."""
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except OSError:
        return 'X', 0
    return fields[0], int(fields[1])


def _parent(pid):
    return _stat(pid)[1]


def _ended(pid):
    """Whether a process has ended (a zombie has: only its parent's wait is missing)."""
    return _stat(pid)[0] in ('Z', 'X')


def _shells_deleted(host):
    return host.stats()['events'].get('shells_deleted', 0)


@pytest.mark.release_sensitive("ansible-playbook's --ask-pass prompt as ansible-runner answers it, and -u")
def test_a_job_with_a_machine_credential(tmp_path, host):
    # AWX: -u USER --ask-pass, the password answering ansible-playbook's prompt through pexpect.
    job = RunnerJob(tmp_path, host, 'Windows session', machine=('user', PASSWORD)).run()
    assert (job.status, job.rc) == ('successful', 0), job
    results = job.results()
    assert results['Define state in the session']['stdout'].startswith('defined by user in process '), results
    assert results['A later task of the job finds it']['output'][0].startswith('release 1.4.2 (canary), process '), results
    # Both tasks ran in one PowerShell process: the session's.
    pid = results['Define state in the session']['stdout'].split()[-1]
    assert results['A later task of the job finds it']['output'] == ['release 1.4.2 (canary), process %s' % pid]
    stats = job.events('playbook_on_stats')[0]['event_data']
    assert stats['ok'] == {'win1': 3} and stats['changed'] == {'win1': 2} and not stats['failures'], stats
    # The cleanup callback of the project's ansible.cfg removed the job's run-scoped session.
    assert host.sessions() == []
    assert host.stats()['events']['shells_created'] == 1 and _shells_deleted(host) == 1
    assert job.files_containing(PASSWORD) == []


@pytest.mark.release_sensitive("!unsafe extra variables: the release's templating")
def test_a_job_whose_credential_type_injects_extra_vars(tmp_path, host):
    user, password = SERVICE
    job = RunnerJob(tmp_path, host, 'Windows session (extra vars)', custom={'username': user, 'password': password}).run()
    assert (job.status, job.rc) == ('successful', 0), job
    command = (job.artifacts / 'command').read_text()
    assert '--ask-pass' not in command and '"-u"' not in command, 'no machine credential: the user and password are extra vars'
    results = job.results()
    assert results['Define state in the session']['stdout'].startswith('defined by awx-svc in process '), results
    assert results['A later task of the job finds it']['output'][0].startswith('release 1.4.2 (canary), process '), results
    # The callback reached the host with the injected credentials too, and removed the session.
    assert host.sessions() == []
    assert host.stats()['events']['shells_created'] == 1 and _shells_deleted(host) == 1
    assert job.files_containing(password) == []


def _wait_for_file(path, then):
    """PowerShell that runs until the test creates path on the host's C: drive, then outputs then."""
    return "while (-not (Test-Path '%s')) { Start-Sleep -Milliseconds 50 }; %s" % (path, then)


def test_ittask_handoff_from_one_job_to_the_next(tmp_path, host):
    # Job 1 starts a command in the session ITTask, disconnected at once, and ends.
    script = "'step 1 of 2'; %s" % _wait_for_file(r'C:\ittask-go', "'step 2 of 2'; Write-Warning 'verify the catalogue'")
    start = RunnerJob(tmp_path, host, 'ITTask start', machine=('user', PASSWORD), launch_vars={'ittask_script': script}).run()
    assert (start.status, start.rc) == ('successful', 0), start
    started = start.results()['Start it in a session disconnected at once (Invoke-Command -InDisconnectedSession)']
    [shell] = host.sessions()
    assert (shell['Name'], shell['State'], shell['IdleTimeOut']) == ('ITTask', 'Disconnected', 54000), shell
    assert [(c['CommandId'], c['State']) for c in shell['Commands']] == [(started['command_id'], 'Running')], shell
    # The command goes on with nobody connected; job 2, in a container of its own, collects it all.
    host.filesystem.write_bytes(r'C:\ittask-go', b'go')
    collect = RunnerJob(tmp_path, host, 'ITTask collect', machine=('user', PASSWORD)).run()
    assert (collect.status, collect.rc) == ('successful', 0), collect
    results = collect.results()
    found = results['Find the session (Get-PSSession -ComputerName ... -Name ITTask)']['sessions']
    assert [(s['name'], s['state']) for s in found] == [('ITTask', 'Disconnected')], found
    received = results['Wait for the command and receive its output (Receive-PSSession)']
    assert received['state'] == 'Completed', received
    assert received['output'] == ['step 1 of 2', 'step 2 of 2'], received
    assert received['warning'] == ['verify the catalogue'], received
    assert host.sessions() == [], 'the collecting job removed ITTask'
    assert host.stats()['events']['shells_created'] == 1, 'both jobs used the one session'


@pytest.mark.release_sensitive("worker signals and cancel: the release's worker processes")
@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM], ids=['receptor-SIGINT', 'pod-SIGTERM'])
def test_a_cancelled_job_frees_its_session_for_the_relaunch(tmp_path, host, signum):
    launch = {'nightly_step': _wait_for_file(r'C:\nightly-go', "'step done'")}
    job = RunnerJob(tmp_path, host, 'Nightly', machine=('user', PASSWORD), launch_vars=launch).start()
    wait_until(lambda: len(timeline(host, 'command_started')) == 2, 'the long step to start on the host')
    disconnects = _requests(host, 'Disconnect')
    main = _main_playbook(job)
    cancelled = time.monotonic()
    job.cancel(signum)
    # When ansible-runner killed ansible-playbook, and when the host saw the worker's Disconnect (polled here,
    # in the host's own process, every 10 ms): what the worker's cancel path takes is the time between them.
    killed = wait_until(lambda: _ended(main) and time.monotonic(), 'ansible-runner to kill ansible-playbook', interval=0.01)
    seen = wait_until(lambda: _requests(host, 'Disconnect') > disconnects and time.monotonic(), 'the worker to disconnect',
                      interval=0.01)
    job.wait()
    assert (job.status, job.rc) == ('canceled', 254), job
    print('canceled %.2fs after the signal; ansible-playbook killed at %.2fs, Disconnect seen %.2fs after that'
          % (time.monotonic() - cancelled, killed - cancelled, seen - killed))
    started = [e['event_data']['task'] for e in job.events('runner_on_start')]
    assert started == ['Prepare, or find what an earlier (maybe cancelled) job prepared',
                       'The long step (the job template\'s extra variable nightly_step)'], started
    assert list(job.results()) == ['Prepare, or find what an earlier (maybe cancelled) job prepared'], 'the long step never ended'
    # When AWX shows the job canceled, ansible-runner and everything in the job's namespace are gone,
    # and the step was stopped on the host before that: the session waits, free, with its state.
    [shell] = host.sessions()
    assert (shell['Name'], shell['State'], shell['Commands']) == ('nightly', 'Disconnected', []), shell
    assert host.stats()['actions']['Signal']['requests'] >= 1
    # The relaunch (a new container) gets the session at once: busy_timeout 0 would fail it if it had to wait.
    host.filesystem.write_bytes(r'C:\nightly-go', b'go')
    relaunch = RunnerJob(tmp_path, host, 'Nightly', machine=('user', PASSWORD),
                         launch_vars=dict(launch, ansible_pssession_busy_timeout=0)).run()
    assert (relaunch.status, relaunch.rc) == ('successful', 0), relaunch
    results = relaunch.results()
    assert results['Prepare, or find what an earlier (maybe cancelled) job prepared']['stdout'].startswith('resuming: prepared at '), results
    assert results['The long step (the job template\'s extra variable nightly_step)']['stdout'].strip() == 'step done', results
    assert host.stats()['events']['shells_created'] == 1


# A run-scoped session (no ansible_pssession_name), as the "Windows session" template's: the first task starts the
# run's keeper (docs/design.md section 9), which runs the second.
KEPT_RUN = """
- name: A run-scoped session
  hosts: windows
  gather_facts: false
  tasks:
    - name: First
      ansible.builtin.raw: "'first'"
    - name: Long
      ansible.builtin.raw: |
        %s
"""


def _ns_pid(pid):
    """A process's pid inside its own PID namespace (the last of /proc's NSpid), or None once it is gone."""
    try:
        with open('/proc/%d/status' % pid, encoding='ascii') as handle:
            for line in handle:
                if line.startswith('NSpid:'):
                    return int(line.split()[-1])
    except OSError:
        return None
    return None


def _keeper_of(job):
    """The job's keeper process (its pid as seen here), found by the pid it wrote in its lock file, which is its pid
    in the job's namespace."""
    def find():
        for path in (job.dir / 'container-tmp' / 'ansible-pssession').glob('keeper-*.lock'):
            text = path.read_text(encoding='ascii').strip()
            for pid in job.pids():
                if text and _ns_pid(pid) == int(text) and 'ansible-playbook' in command_line(pid):
                    return pid
        return None
    return wait_until(find, "the run's keeper to write its pid")


@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM], ids=['receptor-SIGINT', 'pod-SIGTERM'])
def test_a_cancelled_job_stops_the_command_its_runs_keeper_runs(tmp_path, host, signum):
    # The keeper is in a process session of its own, so ansible-runner's kill of ansible-playbook's process group
    # does not reach it; the job's end (its namespace's) does. Before that, the command it runs is stopped.
    play = KEPT_RUN % _wait_for_file(r'C:\never', "'done'")
    job = RunnerJob(tmp_path, host, 'Windows session', machine=('user', PASSWORD), playbook=play, verbosity=3).start()
    wait_until(lambda: len(timeline(host, 'command_started')) == 2, 'the long command to start')
    keeper = _keeper_of(job)
    handed = "this task runs in the run's keeper (pid %d)" % _ns_pid(keeper)  # -vvv: the long task is the keeper's
    wait_until(lambda: handed in job.stdout, 'the job to show the long task handed to the keeper')
    job.cancel(signum)
    job.wait()
    assert (job.status, job.rc) == ('canceled', 254), job
    assert list(job.results()) == ['First'], 'the long command never ended'
    assert all_gone(job.pids() | {keeper}), 'a process of the job outlived it'
    [shell] = host.sessions()
    signals = _requests(host, 'Signal')
    assert (shell['Commands'], signals >= 1) == ([], True), (shell, signals, job.output[-3000:])


def test_a_job_whose_container_is_killed_outright_leaves_the_session_busy(tmp_path, host):
    # Where ansible-runner runs ansible-playbook in a podman container of its own (AWX execution nodes
    # on VMs), its cancel is `podman kill`: SIGKILL to every process of the container, nothing runs
    # any more. Here: SIGKILL to ansible-runner, PID 1 of the job's namespace, which kills them all.
    launch = {'nightly_step': _wait_for_file(r'C:\nightly-go', "'step done'")}
    job = RunnerJob(tmp_path, host, 'Nightly', machine=('user', PASSWORD), launch_vars=launch).start()
    wait_until(lambda: len(timeline(host, 'command_started')) == 2, 'the long step to start on the host')
    job.cancel(signal.SIGKILL)
    job.wait()
    [shell] = host.sessions()
    assert (shell['State'], [c['State'] for c in shell['Commands']]) == ('Connected', ['Running']), shell
    # A relaunch (a new container: none of the dead job's lock state) is told the session is busy and
    # since when, at once with busy_timeout 0; it never takes a session another client may hold.
    relaunch = RunnerJob(tmp_path, host, 'Nightly', machine=('user', PASSWORD),
                         launch_vars=dict(launch, ansible_pssession_busy_timeout=0)).run()
    assert (relaunch.status, relaunch.rc) == ('failed', 2), relaunch
    [failed] = relaunch.events('runner_on_unreachable') + relaunch.events('runner_on_failed')
    msg = failed['event_data']['res']['msg']
    assert 'busy' in msg and 'nightly' in msg and 'since' in msg, msg
    assert 'Traceback' not in relaunch.stdout and 'Callback dispatch' not in relaunch.stdout, relaunch.stdout
