"""psremoting.pssession.invoke end to end: ansible.windows.win_powershell's return shapes, field by field,
for each output type and stream, errors, depth, $Ansible, check mode and timeout."""

from __future__ import annotations

import json
import time

import pytest

from e2e_support import create_count, sensitive_cases, total_requests

# The keys ansible.windows.win_powershell documents (RETURN), by level.
WIN_POWERSHELL_KEYS = {'result', 'host_out', 'host_err', 'output', 'error', 'warning', 'verbose', 'debug', 'information',
                       'changed'}
ERROR_KEYS = {'output', 'error_details', 'exception', 'target_object', 'category_info', 'fully_qualified_error_id',
              'script_stack_trace', 'pipeline_iteration_info'}
EXCEPTION_KEYS = {'message', 'type', 'help_link', 'source', 'hresult', 'inner_exception'}
CATEGORY_KEYS = {'category', 'category_id', 'activity', 'reason', 'target_name', 'target_type'}
INFORMATION_KEYS = {'message_data', 'source', 'time_generated', 'tags'}
SESSION_KEYS = {'name', 'instance_id', 'state', 'recreated'}


def play(*tasks: str, vars_: str = '') -> str:
    return '- hosts: win1\n  gather_facts: false\n%s  tasks:\n%s\n' % (vars_, '\n'.join(tasks))


def invoke(script: str, **options: str) -> str:
    lines = ['    - psremoting.pssession.invoke:', '        script: |']
    lines += ['          ' + line for line in script.strip('\n').splitlines()]
    for key, value in options.items():
        lines.append('        %s: %s' % (key, value))
    lines.append('      ignore_errors: true')
    return '\n'.join(lines)


def check_shape(result):
    assert WIN_POWERSHELL_KEYS <= set(result), sorted(result)
    assert isinstance(result['output'], list) and isinstance(result['error'], list)
    for name in ('warning', 'verbose', 'debug'):
        assert all(isinstance(m, str) for m in result[name]), result[name]
    assert isinstance(result['host_out'], str) and isinstance(result['host_err'], str)
    for record in result['error']:
        assert set(record) == ERROR_KEYS, sorted(record)
        assert set(record['exception']) == EXCEPTION_KEYS, record['exception']
        assert set(record['category_info']) == CATEGORY_KEYS, record['category_info']
        assert isinstance(record['category_info']['category_id'], int)
        assert isinstance(record['output'], str) and record['output']
    for record in result['information']:
        assert set(record) == INFORMATION_KEYS, sorted(record)
        assert record['time_generated'].endswith('Z'), record
        assert isinstance(record['tags'], list)
    assert set(result['session']) >= SESSION_KEYS


@pytest.mark.release_sensitive('action plugins: results as the release serializes them')
def test_output_of_each_type_and_state_in_the_session(ansible, winhost):
    run = ansible.playbook(play(invoke(r"""
$kept = 'from the first task'
'text'
42
3000000000
1.5
$true
@(1, 'two', 3)
@{ key = 'value'; nested = @{ n = 1 } }
[PSCustomObject]@{ Name = 'obj'; Size = 10 }
"""), invoke('$kept')))
    assert run.rc == 0, run
    first, second = run.results
    check_shape(first)
    assert first['output'][:5] == ['text', 42, 3000000000, 1.5, True], first['output']
    # A PowerShell array written to the pipeline is enumerated; a hashtable and an object stay whole.
    assert first['output'][5:8] == [1, 'two', 3]
    assert first['output'][8] == {'key': 'value', 'nested': {'n': 1}}
    assert first['output'][9] == {'Name': 'obj', 'Size': 10}
    assert first['changed'] is True and first['result'] == {} and first['state'] == 'Completed'
    assert first['error'] == [] and first['warning'] == [] and first['host_out'] == ''
    assert second['output'] == ['from the first task']  # global scope: the session kept it
    assert first['session']['instance_id'] == second['session']['instance_id']
    assert first['session']['recreated'] is False and first['session']['state'] == 'Opened'
    assert create_count(winhost) == 1


def test_each_stream(ansible, winhost):
    run = ansible.playbook(play(invoke(r"""
Write-Warning 'a warning'
Write-Verbose 'a verbose message' -Verbose
& { $DebugPreference = 'Continue'; Write-Debug 'a debug message' }
Write-Information 'an information record' -InformationAction Continue
Write-Host 'to the host'
'an output'
""")))
    assert run.rc == 0, run
    result = run.results[0]
    check_shape(result)
    assert result['output'] == ['an output']
    assert result['warning'] == ['a warning']
    assert result['verbose'] == ['a verbose message']
    assert result['debug'] == ['a debug message']
    messages = [(r['message_data'], r['tags']) for r in result['information']]
    assert ('an information record', []) in messages, messages
    host = [r for r in result['information'] if 'PSHOST' in r['tags']]
    assert len(host) == 1, result['information']
    assert result['host_out'] == 'to the host\r\n'
    assert result['host_err'] == ''


def test_non_terminating_and_terminating_errors(ansible, winhost):
    run = ansible.playbook(play(
        invoke("Write-Error 'soft failure'\n'went on'"),
        invoke("'before'\nthrow 'hard failure'\n'never'"),
        invoke("Write-Error 'soft failure'\n'went on'", error_action='stop'),
        invoke("Write-Error 'hidden'\n'quiet'", error_action='silently_continue'),
        invoke("'still usable'"),
        "    - raw: \"[string]$ErrorActionPreference + ' ' + ($null -eq $Ansible)\"",
    ))
    soft, hard, stopped, silent, after, raw = run.results
    for result in run.results[:-1]:
        check_shape(result)

    assert soft['_status'] == 'ok' and not soft.get('failed'), soft
    assert soft['output'] == ['went on']
    [record] = soft['error']
    assert record['exception']['message'] == 'soft failure'
    assert record['category_info']['category'] == 'NotSpecified' and record['category_info']['category_id'] == 0
    assert record['fully_qualified_error_id'].startswith('Microsoft.PowerShell.Commands.WriteErrorException')
    assert 'soft failure' in record['output']

    assert hard['_status'] == 'failed', hard
    assert hard['output'] == ['before'] and hard['state'] == 'Failed'
    assert hard['error'][-1]['exception']['message'] == 'hard failure'
    assert hard['error'][-1]['fully_qualified_error_id'] == 'hard failure'
    assert hard['error'][-1]['category_info']['category'] == 'OperationStopped'
    assert 'hard failure' in hard['msg']

    assert stopped['_status'] == 'failed' and stopped['output'] == [], stopped
    assert stopped['error'][-1]['exception']['message'] == 'soft failure'

    assert silent['_status'] == 'ok' and silent['error'] == [] and silent['output'] == ['quiet'], silent

    # error_action is put back: the session's own preference is Continue again.
    assert after['_status'] == 'ok' and after['output'] == ['still usable']
    assert raw['stdout'].strip() == 'Continue True', raw  # and no $Ansible variable left behind in the session


@pytest.mark.release_sensitive('action plugins: changed/failed as the release reads them')
def test_ansible_variable_result_changed_failed(ansible, winhost):
    run = ansible.playbook(play(
        invoke("$Ansible.Result = @{ answer = 42; list = @(1, 2) }\n$Ansible.Changed = $false\n'v=' + $Ansible.Verbosity"),
        invoke('$Ansible.Failed = $true'),
    ))
    ok, failed = run.results
    assert ok['result'] == {'answer': 42, 'list': [1, 2]} and ok['changed'] is False, ok
    assert ok['output'] == ['v=0'] and ok['_status'] == 'ok'
    assert failed['_status'] == 'failed' and '$Ansible.Failed' in failed['msg']


@pytest.mark.release_sensitive('action plugins: module arguments as the release templates them')
def test_parameters_arguments_and_input(ansible, winhost):
    run = ansible.playbook(play("""
    - psremoting.pssession.invoke:
        script: |
          param([string]$Name, [int]$Count)
          "$Name x $Count"
          foreach ($item in $input) { "in: $item" }
        parameters:
          Name: widget
          Count: 3
        input: [a, b]
    - psremoting.pssession.invoke:
        script: |
          param($First, $Second)
          "$First/$Second"
        arguments: [one, 2]
"""))
    assert run.rc == 0, run
    assert run.results[0]['output'] == ['widget x 3', 'in: a', 'in: b'], run.results[0]
    assert run.results[1]['output'] == ['one/2'], run.results[1]


@pytest.mark.release_sensitive("action plugins: the release's file lookup")
def test_path_runs_a_controller_side_script(ansible, winhost, tmp_path):
    (tmp_path / 'files').mkdir()
    (tmp_path / 'files' / 'hello.ps1').write_text("param($Who)\n'hello ' + $Who\n")
    run = ansible.playbook(play("""
    - psremoting.pssession.invoke:
        path: hello.ps1
        parameters: {Who: world}
"""))
    assert run.rc == 0, run
    assert run.results[0]['output'] == ['hello world']


def test_depth(ansible, winhost):
    script = "@{ l1 = @{ l2 = @{ l3 = @{ l4 = 'deep' } } } }"
    run = ansible.playbook(play(invoke(script), invoke(script, depth='0'), invoke(script, depth='4'),
                                invoke('ConvertTo-Json -Compress -Depth 2 ' + script.replace('@{ l1', '(@{ l1') + ')')))
    default, zero, deep, as_json = (r['output'][0] for r in run.results)
    # Objects nested deeper than depth become their string form, as ConvertTo-Json -Depth does on the host.
    assert default == {'l1': {'l2': {'l3': 'System.Collections.Hashtable'}}}, default
    assert default == json.loads(as_json), as_json
    assert zero == {'l1': 'System.Collections.Hashtable'}, zero
    assert deep == {'l1': {'l2': {'l3': {'l4': 'deep'}}}}, deep


@pytest.mark.release_sensitive('check mode as the release hands it to the action plugin')
def test_check_mode_does_not_run(ansible, winhost):
    run = ansible.playbook(play(invoke("$ran = 'yes'")), '--check')
    assert run.rc == 0, run
    result = run.results[0]
    check_shape(result)
    assert result['msg'] == 'skipped, running in check mode' and result['output'] == []
    assert total_requests(winhost) == 0
    after = ansible.playbook(play(invoke("if ($null -eq $ran) { 'not run' } else { $ran }")))
    assert after.results[0]['output'] == ['not run']


@pytest.mark.release_sensitive("action plugins: a module's timeout in the release's worker")
def test_timeout_stops_a_long_script(ansible, winhost):
    started = time.monotonic()
    run = ansible.playbook(play(invoke("'started'\nStart-Sleep -Seconds 120\n'finished'", timeout='3'), invoke("'next task runs'")))
    elapsed = time.monotonic() - started
    stopped, after = run.results
    assert stopped['_status'] == 'failed' and 'timeout=3' in stopped['msg'], stopped
    assert stopped['output'] == ['started'] and stopped['state'] == 'Stopped'
    assert after['output'] == ['next task runs']
    assert elapsed < 60, elapsed


@pytest.mark.release_sensitive('module_defaults groups: the release reads meta/runtime.yml action_groups')
def test_module_defaults_group_sets_shared_options(ansible, winhost):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  module_defaults:
    group/psremoting.pssession.pssession:
      depth: 0
      timeout: 600
      idle_timeout: 3600
  tasks:
    - psremoting.pssession.invoke:
        script: "@{ a = @{ b = 1 } }"
    - psremoting.pssession.session_info:
    - psremoting.pssession.disconnect:
""")
    assert run.rc == 0, run
    assert run.results[0]['output'] == [{'a': 'System.Collections.Hashtable'}]
    assert run.results[2]['session']['idle_timeout'] == 3600  # the group's idle_timeout; session_info took none


@pytest.mark.release_sensitive("action plugins: the release's connection object")
def test_needs_the_pssession_connection(ansible, winhost):
    run = ansible.adhoc('psremoting.pssession.invoke', 'script=1', ansible_connection='local')
    assert run.rc != 0
    assert 'psremoting.pssession.psrp' in run.output and 'Traceback' not in run.output


BAD = [
    ('script=1 depth=-1', 'depth', '0 to 100'),
    ('script=1 depth=many', 'depth', None),
    ('script=1 error_action=sometimes', 'error_action', 'silently_continue, continue, stop'),
    ('script=1 timeout=0', 'timeout', '1 to 2147483'),
    ('script=1 disconnected=perhaps', 'disconnected', None),
    ('script=1 disconnected=true idle_timeout=59', 'idle_timeout', '60 to 2147483'),
    ('script=1 disconnected=true output_buffering_mode=keep', 'output_buffering_mode', 'block, drop'),
    ('script=1 idle_timeout=600', 'idle_timeout', 'disconnected'),
    ('script=1 disconnected=true timeout=5', 'timeout', 'disconnected'),
    ('script=1 path=x.ps1', 'path', 'script'),
    ('depth=2', 'script', 'path'),
    ('script=1 bogus=1', 'bogus', None),
    ('{"script": ["Get-Date"]}', 'script', 'a string'),
    ('{"script": {"a": 1}}', 'script', 'a string'),
]


@pytest.mark.parametrize('args, option, allowed', sensitive_cases(BAD, "argument checks: ansible-core's, for an unknown option and a list",
                                                                  lambda args, option, allowed: option in ('bogus',) or args.startswith('{"script": [')))
def test_bad_values_are_rejected_before_any_traffic(ansible, winhost, args, option, allowed):
    run = ansible.adhoc('psremoting.pssession.invoke', args)
    assert run.rc != 0, run
    assert option in run.output, run
    msg = run.results[0]['msg']
    assert msg.startswith('psremoting.pssession.invoke: ') and 'ansible_collections' not in msg, msg
    if allowed:
        assert allowed in run.output, run
    assert 'Traceback' not in run.output
    assert total_requests(winhost) == 0


@pytest.mark.release_sensitive('warnings: in the result on every release')
def test_a_vanished_session_is_recreated_with_the_warning_in_the_result(ansible, winhost):
    """The warning reaches the module's result on every release, shown once: ansible-core 2.19 and later
    put a plugin's Display.warning into the task result themselves; on 2.16 to 2.18 the action does."""
    first = ansible.playbook(play(invoke('$kept = 1')), ansible_pssession_name='vanishing')
    assert first.rc == 0, first
    (shell,) = winhost.sessions()
    winhost.kill_session(shell['ShellId'])
    run = ansible.playbook(play(invoke('if ($null -eq $kept) { "empty" } else { $kept }')), ansible_pssession_name='vanishing')
    assert run.rc == 0, run
    result = run.results[0]
    assert result['output'] == ['empty'] and result['session']['recreated'] is True, result
    warnings = result.get('warnings', [])
    assert len(warnings) == 1 and 'expired or was removed' in warnings[0] and 'vanishing' in warnings[0], result
    assert ' '.join(run.stderr.split()).count('expired or was removed') == 1, run
    assert create_count(winhost) == 2
