"""Module hygiene (issue 11): a module task leaves nothing in the session and sees nothing of it.

The test host cannot run ansible-core's exec wrapper yet (issue 10), so these tests send a STAND-IN
module pipeline: a script that does to the session what 2.19's wrappers do (cited below) and reports
what it sees, followed by ``exit 0`` and then ansible-core's own bootstrap_wrapper.ps1 (read from the
ansible-core under test at test time, e2e_support.release_bootstrap_wrapper). The ``exit`` ends the pipeline before the bootstrap runs; the
bootstrap's text is what makes the plugin treat the command as a module pipeline
(module_hygiene.runs_exec_wrapper), exactly as it treats the one the powershell shell plugin builds. It
is sent as a ``raw`` task whose command line is the shell plugin's encoded form, which the plugin runs
as an encoded command (pipelines.plan_command), in a local scope, as a module's.

Once the test host runs the real chain, test_builtin_parity.py's modules show the same with the real
wrapper; these tests keep checking the scripts against the session state the stand-in creates.
"""

from __future__ import annotations

import base64
import json

import pytest

from e2e_support import release_bootstrap_wrapper


COMMON_ARGS = 'PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted'

# What the module sees of the session, as JSON (one line), then what 2.19's wrappers leave in it.
STAND_IN = r'''
$seen = [ordered]@{}
$seen.json = "$('{"a": 1}' | ConvertFrom-Json)"
$seen.strict = 'off'
try { $null = @(1)[1] } catch { $seen.strict = 'on' }
$seen.eap = "$ErrorActionPreference"
$seen.defaults = $PSDefaultParameterValues.Count
$seen.error_action = 'continued'
try { Get-Variable -Name NoSuchVariableHere } catch { $seen.error_action = 'stopped' }
$seen.where = @(1, 2, 3 | Where-Object { $_ -gt 1 }).Count
$seen.stash_visible = [bool](Get-Variable -Name __PSSessionHygiene -ErrorAction SilentlyContinue)
$seen | ConvertTo-Json -Compress
# module_wrapper.ps1:111-114 (2.19): the environment: of the task is set process-wide.
[Environment]::SetEnvironmentVariable('FOO', 'bar')
[Environment]::SetEnvironmentVariable('TEMPX', 'changed by the module')
# exec_wrapper.ps1:97-122,615,620: the $Script: variables of the wrapper live in the global scope.
$global:AnsibleManifest = @{ actions = @('win_ping') }
$global:AnsibleTempPath = 'C:\Windows\Temp'
$global:LASTEXITCODE = 3
# exec_wrapper.ps1:360-361,373: a PowerShell module_util imported into the global scope.
New-Module -Name Ansible.ModuleUtils.AddType -ScriptBlock { function Add-CSharpType { 'compiled' } } | Import-Module -Scope Global
exit 0
'''


def module_command() -> str:
    bootstrap = release_bootstrap_wrapper()
    script = STAND_IN + '\n' + bootstrap
    return '%s -EncodedCommand %s' % (COMMON_ARGS, base64.b64encode(script.encode('utf-16-le')).decode())


SESSION_STATE = r'''
function ConvertFrom-Json { 'x' }
function Get-Aliased { 'aliased' }
Set-Alias -Name Where-Object -Value Get-Aliased
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$PSDefaultParameterValues['*:ErrorAction'] = 'Stop'
$env:TEMPX = 'set by a raw task'
$global:LASTEXITCODE = 0
'''

CHECK = r'''
$left = [ordered]@{}
$left.foo = "$env:FOO"
$left.tempx = "$env:TEMPX"
$left.variables = @(Get-Variable -Scope Global -Name Ansible* | ForEach-Object { $_.Name }) -join ','
$left.modules = @(Get-Module -Name Ansible.ModuleUtils.* | ForEach-Object { $_.Name }) -join ','
$left.stash = @(Get-Variable -Name __PSSessionHygiene* -ErrorAction SilentlyContinue).Count
$left.json = '{"a": 1}' | ConvertFrom-Json
$left.where = Where-Object
$left.strict = 'off'
try { $null = @(1)[1] } catch { $left.strict = 'on' }
$left.eap = "$ErrorActionPreference"
$left.defaults = $PSDefaultParameterValues['*:ErrorAction']
$left.lastexitcode = $LASTEXITCODE
$left | ConvertTo-Json -Compress
'''


def _play(*tasks: str) -> str:
    # !unsafe: the scripts' braces are PowerShell, not Jinja2.
    body = ''.join('    - raw: !unsafe |\n%s' % ''.join('        %s\n' % line for line in task.strip('\n').splitlines()) for task in tasks)
    return '- hosts: win1\n  gather_facts: false\n  tasks:\n' + body


@pytest.mark.release_sensitive("the release's bootstrap_wrapper.ps1, as its controller sends it, makes a module pipeline")
def test_a_module_sees_none_of_the_session_and_leaves_nothing_in_it(ansible, winhost):
    run = ansible.playbook(_play(SESSION_STATE, module_command(), CHECK))
    assert run.rc == 0, (run, run.results)
    seen = json.loads(run.results[1]['stdout'].strip())
    # The wrapper saw a session as ansible.builtin.psrp's new runspace gives it.
    assert seen == {'json': '@{a=1}', 'strict': 'off', 'eap': 'Continue', 'defaults': 0, 'error_action': 'continued',
                    'where': 2, 'stash_visible': False}, seen
    left = json.loads(run.results[2]['stdout'].strip())
    assert left == {
        # Nothing of the module stays: environment, wrapper variables, module_utils, the stash.
        'foo': '', 'tempx': 'set by a raw task', 'variables': '', 'modules': '', 'stash': 0,
        # And the session's own state is back for the next raw task.
        'json': 'x', 'where': 'aliased', 'strict': 'on', 'eap': 'Stop', 'defaults': 'Stop', 'lastexitcode': 0,
    }, left


def test_the_same_stand_in_without_the_hygiene_pipelines_sees_and_leaves_it_all(ansible, winhost):
    """The control: the stand-in's script run as a raw task (global scope, no prologue or epilogue) sees the
    session's state and leaves its own, so the test above can fail."""
    run = ansible.playbook(_play(SESSION_STATE, STAND_IN, CHECK))
    assert run.statuses()[:2] == ['ok', 'ok'], (run, run.results)
    seen = json.loads(run.results[1]['stdout'].strip())
    assert seen == {'json': 'x', 'strict': 'on', 'eap': 'Stop', 'defaults': 1, 'error_action': 'stopped', 'where': 1,
                    'stash_visible': False}, seen
    left = json.loads(run.results[2]['stdout'].strip())
    assert left == {'foo': 'bar', 'tempx': 'changed by the module', 'variables': 'AnsibleManifest,AnsibleTempPath',
                    'modules': 'Ansible.ModuleUtils.AddType', 'stash': 0, 'json': 'x', 'where': 'aliased', 'strict': 'on',
                    'eap': 'Stop', 'defaults': 'Stop', 'lastexitcode': 3}, left
    # The leaked $LASTEXITCODE even fails the raw task that reads it.
    assert run.statuses()[2] == 'failed'


def _requests_by_action(winhost) -> dict[str, int]:
    return {name: row.get('requests', 0) for name, row in winhost.stats()['actions'].items()}


def test_the_hygiene_costs_two_pipelines_per_module_task_and_nothing_on_raw_tasks(ansible, winhost):
    """Measured with the host's request counts (WinHost.stats()): a module task sends its pipeline plus the
    prologue and epilogue, each a Command and its Receives, and nothing else more than a raw task does (but
    Receives, whose number depends on when the host answers)."""
    ansible.playbook(_play("'warm up'"))  # the session exists, so both runs below connect to it alike
    counts = {}
    for name, task in (('raw', "'raw'"), ('module', module_command())):
        before = _requests_by_action(winhost)
        run = ansible.playbook(_play(task))
        assert run.rc == 0, run
        after = _requests_by_action(winhost)
        counts[name] = {action: after[action] - before.get(action, 0) for action in after if after[action] != before.get(action, 0)}
    extra = {action: counts['module'].get(action, 0) - counts['raw'].get(action, 0)
             for action in set(counts['module']) | set(counts['raw'])}
    print('requests per task', counts)
    assert extra.pop('Command') == 2, counts
    # How many Receives a pipeline takes is timing: the host answers one with what is ready, so a pipeline
    # (or the pool's opening) not ended yet takes another. Each pipeline takes one at least.
    extra.pop('Receive', None)
    assert all(counts[name]['Receive'] >= counts[name]['Command'] for name in counts), counts
    assert not any(extra.values()), counts


def _kind(pipeline) -> str:
    text = pipeline['commands'][0]['text']
    if text.startswith('# psremoting.pssession module hygiene: '):
        return text.split(': ', 1)[1].split('\n', 1)[0]
    return 'module' if 'NoSuchVariableHere' in text else 'raw'


def test_a_module_task_that_times_out_leaves_its_epilogue_to_the_next_task(ansible, winhost):
    """The task's timeout: ends it while the module runs, after the prologue: its epilogue cannot run then. The lock
    state says "epilogue pending", and the next task (a raw one here) runs the epilogue before its own pipeline."""
    # The same stand-in, then waiting until the task's timeout stops it.
    script = STAND_IN.replace('exit 0', 'while ($true) { Start-Sleep -Milliseconds 100 }')
    bootstrap = release_bootstrap_wrapper()
    blocking = '%s -EncodedCommand %s' % (COMMON_ARGS, base64.b64encode((script + '\n' + bootstrap).encode('utf-16-le')).decode())
    play = _play(SESSION_STATE, blocking, CHECK).replace(
        '    - raw: !unsafe |\n        %s' % COMMON_ARGS, '    - timeout: 5\n      ignore_errors: true\n      raw: !unsafe |\n        %s' % COMMON_ARGS)
    winhost.control({'reset_stats': True})
    run = ansible.playbook(play)
    assert run.statuses() == ['ok', 'failed', 'ok'], (run, run.results)
    assert 'Timed out after 5 second' in run.results[1]['msg'] or 'time frame (5)' in run.results[1]['msg'], run.results[1]
    left = json.loads(run.results[2]['stdout'].strip())
    assert left == {'foo': '', 'tempx': 'set by a raw task', 'variables': '', 'modules': '', 'stash': 0, 'json': 'x',
                    'where': 'aliased', 'strict': 'on', 'eap': 'Stop', 'defaults': 'Stop', 'lastexitcode': 0}, left
    # No epilogue in the timed-out task; the next task's first pipeline is it.
    assert [_kind(p) for p in winhost.pipelines()] == ['raw', 'prologue', 'module', 'epilogue', 'raw']


def test_a_module_task_cut_off_in_another_controller_is_put_back_by_the_next_one_that_attaches(ansible, winhost, tmp_path):
    """A named session: job A's module task times out between prologue and epilogue, so only A's lock state knows
    the epilogue is pending. Job B (another container: another lock directory) attaches to the session: its first
    task runs the epilogue first, so its raw task sees the session's own state, and none of the stash."""
    script = STAND_IN.replace('exit 0', 'while ($true) { Start-Sleep -Milliseconds 100 }')
    bootstrap = release_bootstrap_wrapper()
    blocking = '%s -EncodedCommand %s' % (COMMON_ARGS, base64.b64encode((script + '\n' + bootstrap).encode('utf-16-le')).decode())
    play = _play(SESSION_STATE, blocking).replace(
        '    - raw: !unsafe |\n        %s' % COMMON_ARGS, '    - timeout: 5\n      ignore_errors: true\n      raw: !unsafe |\n        %s' % COMMON_ARGS)
    name = dict(ansible_pssession_name='handed-over')
    first = ansible.playbook(play, **name)
    assert first.statuses() == ['ok', 'failed'], (first, first.results)
    other_locks = tmp_path / 'locks-job-b'
    other_locks.mkdir(mode=0o700)
    winhost.control({'reset_stats': True})
    second = ansible.playbook(_play(CHECK), env=ansible.env(ANSIBLE_PSSESSION_LOCK_DIR=str(other_locks)), **name)
    assert second.rc == 0, (second, second.results)
    left = json.loads(second.results[0]['stdout'].strip())
    assert left == {'foo': '', 'tempx': 'set by a raw task', 'variables': '', 'modules': '', 'stash': 0, 'json': 'x',
                    'where': 'aliased', 'strict': 'on', 'eap': 'Stop', 'defaults': 'Stop', 'lastexitcode': 0}, left
    assert [_kind(p) for p in winhost.pipelines()] == ['epilogue', 'raw']


REAL_CHECK = r'''
$left = [ordered]@{}
$left.foo = "$env:FOO"
$left.variables = @(Get-Variable -Scope Global -Name Ansible* | ForEach-Object { $_.Name }) -join ','
$left.modules = @(Get-Module -Name Ansible.ModuleUtils.* | ForEach-Object { $_.Name }) -join ','
$left.json = '{"a": 1}' | ConvertFrom-Json
$left.strict = 'off'
try { $null = @(1)[1] } catch { $left.strict = 'on' }
$left.eap = "$ErrorActionPreference"
$left.defaults = $PSDefaultParameterValues['*:ErrorAction']
$left | ConvertTo-Json -Compress
'''


def _ping_result(result):
    return {key: result.get(key) for key in ('_status', 'msg', 'module_stdout', 'module_stderr', 'rc', 'ping', 'changed')}


@pytest.mark.release_sensitive("the release's real module chain in the session, and ansible.builtin.psrp's result")
def test_a_real_module_with_environment_leaves_nothing_and_sees_none_of_the_session(ansible, winhost):
    """ansible.windows.win_ping with environment: {FOO: bar} through ansible-core's real chain (the test host runs it
    as far as issue 10 has got; the module's own result there is whatever it is, and it must be the same as
    ansible.builtin.psrp's for the same task, although the session holds a shadowing ConvertFrom-Json, StrictMode
    Latest and Stop preferences). After it a raw task sees no $env:FOO, no $Ansible* variable and no
    Ansible.ModuleUtils.* module, and its own definitions are all there. (That these checks can fail is shown by
    the stand-in's control test above.)"""
    from e2e_support import BUILD, install_ansible_windows  # pylint: disable=import-outside-toplevel
    install_ansible_windows(BUILD)
    env = ansible.env(ANSIBLE_COLLECTIONS_PATH=BUILD)
    ping_task = '    - ansible.windows.win_ping:\n      environment: {FOO: bar}\n      ignore_errors: true\n'
    play = ('- hosts: win1\n  gather_facts: false\n  tasks:\n    - raw: !unsafe |\n%s%s    - raw: !unsafe |\n%s') % (
        ''.join('        %s\n' % line for line in SESSION_STATE.strip().splitlines()), ping_task,
        ''.join('        %s\n' % line for line in REAL_CHECK.strip().splitlines()))
    run = ansible.playbook(play, env=env)
    assert [r['_task'] for r in run.results] == ['raw', 'ansible.windows.win_ping', 'raw'], run
    left = json.loads(run.results[2]['stdout'].strip())
    assert left == {'foo': '', 'variables': '', 'modules': '', 'json': 'x', 'strict': 'on', 'eap': 'Stop',
                    'defaults': 'Stop'}, left
    builtin = ansible.playbook('- hosts: win1\n  gather_facts: false\n  tasks:\n' + ping_task, env=env,
                               ansible_connection='ansible.builtin.psrp')
    assert _ping_result(run.results[1]) == _ping_result(builtin.results[0]), (run.results[1], builtin.results[0])
