"""ansible.windows.win_service end to end on the test host, through this collection's connection and through
``ansible.builtin.psrp`` (issue 10: the module chain; the tripwire stays on and nothing here trips it).

win_service (ansible.windows 3.3.0, extracted at test time) compiles the collection's SCManager util, which the test
host serves through a stand-in (tests/winhost/powershell/standins/scmanager.py) over the machine's service database
(tests/winhost/machine/scm.py: WinRM running with an automatic start, as on a Windows Server with WinRM enabled, plus
RpcSs, Spooler and W32Time), and uses Get-Service / Start-Service / Stop-Service. Each result is checked against what
the module returns on Windows (its source) and against its RETURN documentation, field by field (test_windows_modules'
helpers); the machine's state is read from the host afterwards.
"""

from __future__ import annotations

import pytest

from test_windows_modules import WIN, assert_documented, reached_the_module, return_doc, run_tasks
from e2e_support import plugin_cases

pytestmark = [
    pytest.mark.parametrize('plugin', plugin_cases("the release's PowerShell module chain (exec and module wrappers, Ansible.Basic)")),
]

# win_service.ps1 sets these whenever the service exists (the "after" diff copied to the result).
EXISTING = {'exists', 'dependencies', 'description', 'desktop_interact', 'display_name', 'name', 'path', 'start_mode',
            'username', 'state', 'can_pause_and_continue', 'depended_by'}


def service_state(winhost, name: str) -> int:
    return winhost.services.get(name).state


def test_win_service_started_on_running_winrm_changes_nothing(ansible, winhost, collections_path, plugin):
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_service: {{name: WinRM, state: started}}\n')
    result = run.results[0]
    assert result['_status'] == 'ok', result
    assert result['changed'] is False
    assert result['exists'] is True
    assert (result['name'], result['display_name']) == ('WinRM', 'Windows Remote Management (WS-Management)')
    assert (result['state'], result['start_mode']) == ('running', 'auto')
    assert result['username'] == 'NT AUTHORITY\\NetworkService'
    assert result['dependencies'] == ['RPCSS', 'HTTP'] and result['depended_by'] == []
    assert result['desktop_interact'] is False and result['can_pause_and_continue'] is False
    assert result['path'] == 'C:\\Windows\\System32\\svchost.exe -k NetworkService -p'
    assert_documented(return_doc('win_service'), result, EXISTING)


def test_win_service_query_reports_the_service(ansible, winhost, collections_path, plugin):
    """win_service with only a name queries it (no change); LocalSystem is reported as such (the module's compat)."""
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_service: {{name: Spooler}}\n')
    result = run.results[0]
    assert result['_status'] == 'ok', result
    assert result['changed'] is False
    assert (result['name'], result['state'], result['start_mode']) == ('Spooler', 'running', 'auto')
    assert result['username'] == 'LocalSystem'
    assert_documented(return_doc('win_service'), result, EXISTING)


def test_win_service_start_and_stop_change_the_machine(ansible, winhost, collections_path, plugin):
    assert service_state(winhost, 'W32Time') == 1  # SERVICE_STOPPED
    run = run_tasks(ansible, plugin, collections_path,
                    f'  - {WIN}win_service: {{name: W32Time, state: started}}\n'
                    f'  - {WIN}win_service: {{name: W32Time, state: started}}\n')
    started, again = run.results
    assert started['_status'] == 'ok' and started['changed'] is True, started
    assert started['state'] == 'running' and started['start_mode'] == 'manual'
    assert again['changed'] is False and again['state'] == 'running', again
    assert service_state(winhost, 'W32Time') == 4  # SERVICE_RUNNING
    assert_documented(return_doc('win_service'), started, EXISTING)

    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_service: {{name: W32Time, state: stopped}}\n')
    stopped = run.results[0]
    assert stopped['_status'] == 'ok' and stopped['changed'] is True, stopped
    assert stopped['state'] == 'stopped'
    assert service_state(winhost, 'W32Time') == 1


def test_win_service_check_mode_changes_nothing(ansible, winhost, collections_path, plugin):
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_service: {{name: Spooler, state: stopped}}\n',
                    '--check')
    result = run.results[0]
    assert result['_status'] == 'ok' and result['changed'] is True, result
    assert service_state(winhost, 'Spooler') == 4


def test_win_service_missing_fails_with_the_modules_message(ansible, winhost, collections_path, plugin):
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_service: {{name: NoSuchService, state: started}}\n')
    result = run.results[0]
    assert result['_status'] == 'failed', result
    assert result['msg'] == "Service 'NoSuchService' is not installed, need to set 'path' to create a new service"
    assert result['exists'] is False


def test_win_service_creating_a_service_fails_loudly(ansible, winhost, collections_path, plugin):
    """Creating a service (New-Service) is not modelled: the task fails naming it, never a silent success. (2.16 to
    2.18: the error stops in their error formatter first, the known PositionMessage gap: xfail there.)"""
    run = run_tasks(ansible, plugin, collections_path,
                    f"  - {WIN}win_service: {{name: NewSvc, path: 'C:\\\\svc.exe', state: stopped}}\n")
    result = run.results[0]
    reached_the_module(result)
    assert result['_status'] == 'failed', result
    assert 'New-Service' in str(result.get('msg', '')) + str(result.get('module_stderr', '')), result
    assert winhost.services.get('NewSvc') is None
