"""``async:`` tasks end to end on the test host, through this collection's connection and through
``ansible.builtin.psrp`` (issue 10, async).

Each task runs ansible-core's own async chain, read from the installed ansible-core, whose design depends on the
release:

- 2.19 on: async_wrapper.ps1 (Ansible._Async.cs, anonymous pipes, a suspended powershell.exe made through WMI's
  Win32_Process.Create as the new process's parent, since a PSRP session's process may not break away from its job)
  starts a new powershell.exe that reads bootstrap_wrapper.ps1's input from its stdin and runs async_watchdog.ps1,
  which signals the wrapper's event, runs the module and writes its result to the results file under ~/.ansible_async.
- 2.16 to 2.18: async_wrapper.ps1 writes the job's first record to the results file, serves the exec wrapper and its
  payload on a named pipe whose ACL (PipeSecurity) allows the current user to read, and starts, through
  Win32_Process.Create, a powershell.exe whose encoded bootstrap connects to that pipe, reads the payload and runs
  async_watchdog.ps1 (a `trap`, RunspaceFactory.CreateRunspace, BeginInvoke), which writes the module's result to the
  results file.

The controller then polls that file with async_status (ansible.windows' async_status.ps1, where ansible.legacy
.async_status goes for PowerShell on every release). The new process outlives the WSMan command that started it (a
background thread of the test host, bounded). On the test host: tests/winhost/powershell/STATUS.md, "Ansible's module
chain" (async).

Waits are ansible-core's own: ``poll:`` re-reads the results file until it says finished; ``until:`` retries
async_status the same way. Nothing here sleeps.
"""

from __future__ import annotations

import json

import pytest

from e2e_support import ansible_core_version, plugin_cases

WIN = 'ansible.windows.'

RELEASE_REASON = ("the release's async wrapper (2.19: async_wrapper.ps1 over Ansible._Async.cs; "
                  "2.16 to 2.18: a named pipe and a process made through WMI)")
pytestmark = [
    pytest.mark.parametrize('plugin', plugin_cases(RELEASE_REASON)),
]


def run_tasks(ansible, plugin: str, collections_path: str, tasks: str, *args: str):
    play = '- hosts: win1\n  gather_facts: false\n  tasks:\n' + tasks
    # The new powershell.exe must signal it started (2.19 on) or connect to the wrapper's named pipe (2.16 to 2.18)
    # within the startup timeout (WIN_ASYNC_STARTUP_TIMEOUT, 5 s by default): the test host's interpreter runs the
    # bootstrap and exec wrapper far slower than Windows does, on 2 loaded cores, so the tests give it the hostvar a
    # slow target gets (async_wrapper.ps1's own advice).
    return ansible.playbook(play, *args, env=ansible.env(ANSIBLE_COLLECTIONS_PATH=collections_path),
                            ansible_connection=plugin, ansible_win_async_startup_timeout=120)


def is_flag(value, on: bool) -> bool:
    """Whether a job record's started/finished is `on` as the release's wrappers write it: a boolean from 2.19 on, the
    number 1 or 0 before (2.16 to 2.18's async_wrapper.ps1 and async_watchdog.ps1 set numbers, and async_status hands
    the record back as it is)."""
    expected = on if ansible_core_version() >= (2, 19) else int(on)
    return type(value) is type(expected) and value == expected


def results_file(winhost, result: dict) -> dict:
    """The job's results file on the host's disk (~/.ansible_async/<jid>), as async_watchdog.ps1 left it."""
    path = result['results_file']
    data = winhost.filesystem.read_bytes(path)
    if ansible_core_version() >= (2, 19):
        assert data.startswith(b'\xef\xbb\xbf'), data[:10]  # Set-Content -Encoding UTF8 on 5.1 writes a BOM
        data = data[3:]
    else:
        # 2.16 to 2.18: Set-Content without -Encoding, 5.1's default for it (the ANSI code page): no BOM.
        assert not data.startswith(b'\xef\xbb\xbf'), data[:10]
    return json.loads(data.decode('utf-8'))


def test_async_poll_returns_the_module_result(ansible, winhost, collections_path, plugin):
    """``async: 30, poll: 1``: the task waits for the job and reports the module's own result."""
    run = run_tasks(ansible, plugin, collections_path,
                    f'  - {WIN}win_ping: {{data: async hello}}\n    async: 30\n    poll: 1\n'
                    f'  - {WIN}win_command: whoami\n    async: 30\n    poll: 1\n')
    assert len(run.results) == 2, json.dumps(run.results, indent=1)
    ping, command = run.results
    for result in (ping, command):
        assert result['_status'] == 'ok', result
        assert is_flag(result['finished'], True) and is_flag(result['started'], True), result
        assert result['ansible_job_id'].startswith('j'), result
    assert ping['ping'] == 'async hello' and ping['changed'] is False
    assert command['stdout'] == f"{winhost.knobs.computer_name.lower()}\\user\r\n" and command['rc'] == 0
    assert command['changed'] is True
    # Once it has the result, ansible-core removes the job's file (async_status mode=cleanup: Remove-Item).
    for result in (ping, command):
        assert not winhost.filesystem.exists(result['results_file']), result['results_file']


def test_async_poll_zero_then_async_status(ansible, winhost, collections_path, plugin):
    """``poll: 0`` returns at once with the job's id; async_status retried ``until: job.finished`` returns the
    module's result once the job has written it."""
    run = run_tasks(ansible, plugin, collections_path,
                    f'  - {WIN}win_ping: {{data: later}}\n    async: 30\n    poll: 0\n    register: job\n'
                    '  - ansible.builtin.async_status: {jid: "{{ job.ansible_job_id }}"}\n'
                    '    register: status\n    until: status.finished\n    retries: 60\n    delay: 1\n')
    assert len(run.results) == 2, json.dumps(run.results, indent=1)
    started, status = run.results
    assert started['_status'] == 'ok', started
    assert is_flag(started['started'], True) and is_flag(started['finished'], False), started
    assert 'ping' not in started
    assert status['_status'] == 'ok', status
    assert is_flag(status['finished'], True) and status['ping'] == 'later', status
    assert status['ansible_job_id'] == started['ansible_job_id']
    # What async_status reported is what the watchdog wrote: the module's result merged into the job's record
    # (no cleanup after a poll: 0 task: the file stays).
    written = results_file(winhost, status)
    assert written['ping'] == 'later' and is_flag(written['finished'], True) and is_flag(written['started'], True)
    assert written['ansible_job_id'] == started['ansible_job_id']


def test_async_module_failure_is_reported(ansible, winhost, collections_path, plugin):
    """A module that fails in the job fails the task, with the module's message (win_ping's crash)."""
    run = run_tasks(ansible, plugin, collections_path,
                    f'  - {WIN}win_command: powershell.exe -NoProfile -Command "exit 3"\n    async: 30\n    poll: 1\n'
                    '    ignore_errors: true\n'
                    f'  - {WIN}win_ping: {{data: crash}}\n    async: 30\n    poll: 1\n')
    assert len(run.results) == 2, json.dumps(run.results, indent=1)
    command, crash = run.results
    # win_command.ps1: a non-zero rc fails the module ("non-zero return code"), reported by the job.
    assert command['_status'] == 'failed' and command['rc'] == 3, command
    assert command['msg'] == 'non-zero return code' and is_flag(command['finished'], True), command
    assert crash['_status'] == 'failed', crash
    assert crash['msg'] == 'Unhandled exception while executing module: boom', crash
    assert is_flag(crash['finished'], True)
