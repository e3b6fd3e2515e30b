"""``become: yes`` (``become_method: runas``) end to end on the test host, through this collection's connection and
through ``ansible.builtin.psrp``.

Each task runs ansible-core's own become chain, read from the installed ansible-core: 2.19 on, the exec wrapper turns
the become password into a SecureString (ConvertTo-SecureString) and become_wrapper.ps1 reads it back
(NetworkCredential) for Ansible.Become's CreateProcessAsUser; 2.16 to 2.18's become_wrapper.ps1 gets it in its payload
and compiles Ansible.AccessToken with Ansible.Become. The C# logs the account on (LogonUserW, against the test host's
accounts: machine/accounts.py) and starts a new powershell.exe as that account, which runs the exec wrapper and the
module; `whoami` and WindowsIdentity.GetCurrent() there report the become user. On the test host:
tests/winhost/powershell/standins/ansible_become.py, STATUS.md ("Ansible's module chain", become).

The test host's accounts are e2e_support.USERS: the session logs on as ``user`` and becomes ``other``.
"""

from __future__ import annotations

import pytest

from e2e_support import USERS, plugin_cases
from test_windows_modules import assert_command_result

WIN = 'ansible.windows.'
BECOME_PASSWORD = USERS['other']

RELEASE_REASON = ("the release's become wrapper (2.19: a SecureString password and Ansible.Become; "
                  "2.16 to 2.18: the payload's password, Ansible.AccessToken and Ansible.Become)")
pytestmark = [
    pytest.mark.parametrize('plugin', plugin_cases(RELEASE_REASON)),
]


def become_play(ansible, plugin: str, collections_path: str, tasks: str, user: str = 'other',
                password: str | None = BECOME_PASSWORD, *args: str):
    play = ('- hosts: win1\n  gather_facts: false\n  become: true\n  become_method: ansible.builtin.runas\n'
            f'  become_user: {user}\n  tasks:\n' + tasks)
    hostvars = {} if password is None else {'ansible_become_password': password}
    return ansible.playbook(play, *args, env=ansible.env(ANSIBLE_COLLECTIONS_PATH=collections_path),
                            ansible_connection=plugin, **hostvars)


IDENTITY = '[Security.Principal.WindowsIdentity]::GetCurrent().Name; $env:USERNAME'


def test_a_task_runs_as_the_become_user(ansible, winhost, collections_path, plugin):
    """win_command and win_shell become ``other``: whoami.exe and the module's own identity say so."""
    computer = winhost.knobs.computer_name
    run = become_play(ansible, plugin, collections_path,
                      f'  - {WIN}win_command: whoami\n'
                      f'  - {WIN}win_shell: "{IDENTITY}"\n')
    assert run.statuses() == ['ok', 'ok'], run
    command, shell = run.results
    assert_command_result('win_command', command, f'{computer.lower()}\\other\r\n', cmd='whoami')
    assert_command_result('win_shell', shell, f'{computer}\\other\r\nother\r\n')


def test_without_become_the_session_user_runs_it(ansible, winhost, collections_path, plugin):
    """The same task without become: the connection's user (so the test above can fail)."""
    run = ansible.playbook(f'- hosts: win1\n  gather_facts: false\n  tasks:\n  - {WIN}win_command: whoami\n',
                           env=ansible.env(ANSIBLE_COLLECTIONS_PATH=collections_path), ansible_connection=plugin)
    assert run.results[0]['stdout'] == f'{winhost.knobs.computer_name.lower()}\\user\r\n', run


def test_a_wrong_password_fails_with_windows_message(ansible, winhost, collections_path, plugin):
    """LogonUserW refuses the password: the task fails with ERROR_LOGON_FAILURE as Ansible.AccessToken words it."""
    run = become_play(ansible, plugin, collections_path, f'  - {WIN}win_command: whoami\n', password='not-it')
    assert run.statuses() == ['failed'], run
    result = run.results[0]
    text = str(result.get('msg', '')) + str(result.get('module_stderr', '')) + str(result.get('exception', ''))
    assert ('Failed to logon .\\other (The user name or password is incorrect, Win32ErrorCode 1326 - 0x0000052E)'
            in text), result
    assert 'stdout' not in result or 'other' not in result['stdout'], result


def test_system_needs_no_password(ansible, winhost, collections_path, plugin):
    """become_user SYSTEM without a password: the wrappers pass a null password and the C# uses SYSTEM's token."""
    run = become_play(ansible, plugin, collections_path,
                      f'  - {WIN}win_command: whoami\n  - {WIN}win_shell: "{IDENTITY}"\n', user='SYSTEM', password=None)
    assert run.statuses() == ['ok', 'ok'], run
    command, shell = run.results
    assert_command_result('win_command', command, 'nt authority\\system\r\n', cmd='whoami')
    assert_command_result('win_shell', shell, f'NT AUTHORITY\\SYSTEM\r\n{winhost.knobs.computer_name}$\r\n')


def test_the_become_password_shows_nowhere(ansible, winhost, collections_path, plugin):
    """At -vvv, neither ansible-playbook's output nor a task's result holds the become password (the runas plugin's
    become_pass is no_log; the wrappers never print it)."""
    run = become_play(ansible, plugin, collections_path, f'  - {WIN}win_command: whoami\n',
                      'other', BECOME_PASSWORD, '-vvv')
    assert run.statuses() == ['ok'], run
    assert BECOME_PASSWORD not in run.output
    assert BECOME_PASSWORD not in repr(run.results)
