"""Check mode and --diff end to end: psremoting.pssession.invoke as ansible.windows.win_powershell (a script that
declares [CmdletBinding(SupportsShouldProcess)] runs with -WhatIf, any other is not run; $Ansible.Diff, CheckMode,
Verbosity, Tmpdir), and the before/after the session modules report with --diff."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.psremoting.pssession.plugins.action.invoke import SETUP
from e2e_support import ROOT, create_count, total_requests
from test_modules_invoke import check_shape, invoke, play
from winhost.powershell import Command, HostServices, Runspace

NAMED = "  vars:\n    ansible_pssession_name: checked\n"

# Creates a file and a session variable, each only if ShouldProcess says yes.
SSP_SCRIPT = r"""
[CmdletBinding(SupportsShouldProcess)]
param([string]$Path)
$Ansible.Result = @{ check_mode = $Ansible.CheckMode; whatif = [bool]$WhatIfPreference }
if ($PSCmdlet.ShouldProcess($Path, 'Create file')) {
    Set-Content -Path $Path -Value 'made'
    $global:created = 'yes'
}
'ran'
"""


def _commands(host) -> int:
    return host.stats()['actions'].get('Command', {}).get('requests', 0)


@pytest.mark.release_sensitive('check mode as the release hands it to the action plugin')
def test_check_mode_runs_a_should_process_script_with_whatif(ansible, winhost):
    run = ansible.playbook(play(
        invoke(SSP_SCRIPT, parameters='{Path: "C:\\\\made.txt"}'),
        # Forced to run in check mode: the session after the check-mode task.
        invoke("[bool]$WhatIfPreference\n$null -eq $created\n$null -eq $PSCmdlet") + '\n      check_mode: false',
        vars_=NAMED), '--check', '-v')
    assert run.rc == 0, run
    checked, after = run.results
    check_shape(checked)
    assert checked['output'] == ['ran'] and 'msg' not in checked, checked
    assert checked['result'] == {'check_mode': True, 'whatif': True}
    assert checked['changed'] is True and checked['state'] == 'Completed'
    # As win_powershell shows it: the host is told, in host_out; no information record, nothing on stdout.
    what_if = 'What if: Performing the operation "Create file" on target "C:\\made.txt".\r\n'
    assert checked['host_out'] == what_if, checked['host_out']
    assert checked['information'] == []
    assert json.dumps(what_if)[1:-1] in run.stdout  # -v prints the result
    assert not winhost.filesystem.exists('C:\\made.txt')
    # -WhatIf ended with the script: the session is not left in WhatIf mode, and the guarded change did not happen.
    assert after['output'] == [False, True, True], after

    real = ansible.playbook(play(invoke(SSP_SCRIPT, parameters='{Path: "C:\\\\made.txt"}'),
                                 invoke('$created'), vars_=NAMED))
    assert real.rc == 0, real
    done, created = real.results
    assert done['result'] == {'check_mode': False, 'whatif': False} and done['host_out'] == ''
    assert winhost.filesystem.read_bytes('C:\\made.txt').startswith(b'made')
    assert created['output'] == ['yes']


def test_check_mode_result_changed_as_the_script_sets_it(ansible, winhost):
    script = ("[CmdletBinding(SupportsShouldProcess = $true)]\nparam()\n"
              "$Ansible.Changed = $PSCmdlet.ShouldProcess('nothing to do', 'Check')\n$Ansible.Result = 'checked'")
    run = ansible.playbook(play(invoke(script)), '--check')
    assert run.rc == 0, run
    result = run.results[0]
    assert result['changed'] is False and result['result'] == 'checked', result


def test_whatif_and_confirm_in_parameters_do_not_win(ansible, winhost):
    run = ansible.playbook(play(invoke(SSP_SCRIPT, parameters='{Path: "C:\\\\p.txt", whatif: false, Confirm: true}')),
                           '--check')
    assert run.rc == 0, run
    result = run.results[0]
    assert result['result'] == {'check_mode': True, 'whatif': True}, result
    assert result['host_out'].startswith('What if: ') and not winhost.filesystem.exists('C:\\p.txt')


def test_a_plain_script_is_not_run_and_costs_no_request(ansible, winhost):
    plain_task = invoke("Set-Content -Path C:\\plain.txt -Value x\n$global:plain = 1")
    only_plain = ansible.playbook(play(plain_task), '--check')
    assert only_plain.rc == 0, only_plain
    result = only_plain.results[0]
    check_shape(result)
    assert result['msg'] == 'skipped, running in check mode' and result['changed'] is True, result
    assert total_requests(winhost) == 0 and create_count(winhost) == 0

    ssp_task = invoke(SSP_SCRIPT, parameters='{Path: "C:\\\\made.txt"}')
    before = _commands(winhost)
    alone = ansible.playbook(play(ssp_task, vars_=NAMED), '--check')
    ssp_alone = _commands(winhost) - before
    before = _commands(winhost)
    mixed = ansible.playbook(play(ssp_task, plain_task, vars_=NAMED), '--check')
    assert alone.rc == mixed.rc == 0, (alone, mixed)
    assert ssp_alone > 0 and _commands(winhost) - before == ssp_alone  # the plain task added no Command
    assert mixed.results[1]['msg'] == 'skipped, running in check mode'
    assert not winhost.filesystem.exists('C:\\plain.txt')
    later = ansible.playbook(play(invoke('$null -eq $plain'), vars_=NAMED))
    assert later.results[0]['output'] == [True]


def test_disconnected_should_process_script_is_not_run_in_check_mode(ansible, winhost):
    run = ansible.playbook(play(invoke(SSP_SCRIPT, parameters='{Path: "C:\\\\d.txt"}', disconnected='true')), '--check')
    assert run.rc == 0, run
    assert run.results[0]['msg'].startswith('skipped, running in check mode: a script started with disconnected=true')
    assert total_requests(winhost) == 0


def test_a_script_that_does_not_parse_fails_in_check_mode_without_running(ansible, winhost):
    script = "[CmdletBinding(SupportsShouldProcess)]\nparam()\nSet-Content C:\\broken.txt x\nif ("
    run = ansible.playbook(play(invoke(script)), '--check')
    result = run.results[0]
    assert result['_status'] == 'failed' and 'terminating error' in result['msg'], result
    assert result['error'][0]['category_info']['category'] == 'ParserError', result['error']
    assert not winhost.filesystem.exists('C:\\broken.txt')


def test_the_hosts_parser_has_the_last_word():
    # SETUP (the pipeline before the script) with a script the controller took for SupportsShouldProcess but whose
    # param block does not say so: in check mode it answers no and leaves the session untouched.
    rs = Runspace(host=HostServices(user_name='user'))

    class Writer:
        def __init__(self):
            self.output = []

        def write_output(self, value):
            self.output.append(value)

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    def setup(script, check_mode):
        writer = Writer()
        params = [('Preference', 'Continue'), ('Verbosity', 0), ('CheckMode', check_mode), ('TmpName', 'ansible-t'),
                  ('ShouldProcessScript', script)]
        result = rs.invoke([Command(SETUP, is_script=True, use_local_scope=True, parameters=params)], writer=writer)
        assert result.state == 'Completed', result
        probe = Writer()
        rs.invoke([Command('$null -eq $global:Ansible', is_script=True)], writer=probe)
        return writer.output, probe.output

    assert setup('[CmdletBinding()]\nparam()\n"x"', True) == ([False], [True])
    assert setup('[CmdletBinding(SupportsShouldProcess=$false)]\nparam()', True) == ([False], [True])
    assert setup('[CmdletBinding(SupportsShouldProcess)]\nparam()\n"x"', True) == ([True], [False])
    rs.invoke([Command('Remove-Variable Ansible -Scope Global', is_script=True)], writer=Writer())
    # Outside check mode SETUP runs either way, and says whether to send -WhatIf:$false -Confirm:$false.
    assert setup('[CmdletBinding()]\nparam()\n"x"', False) == ([False], [False])


@pytest.mark.release_sensitive('diff as the release hands it to the action plugin')
def test_diff_from_ansible_diff(ansible, winhost):
    script = ("[CmdletBinding(SupportsShouldProcess)]\nparam()\n"
              "$Ansible.Diff = @{ before = @{ state = 'absent' }; after = @{ state = 'present'; size = 3 } }")
    with_diff = ansible.playbook(play(invoke(script)), '--diff')
    assert with_diff.rc == 0, with_diff
    assert with_diff.results[0]['diff'] == {'before': {'state': 'absent'}, 'after': {'state': 'present', 'size': 3}}
    assert '-    "state": "absent"' in with_diff.stdout and '+    "state": "present"' in with_diff.stdout, with_diff
    without = ansible.playbook(play(invoke(script)))
    assert 'diff' not in without.results[0]
    checked = ansible.playbook(play(invoke(script)), '--check', '--diff')
    assert checked.results[0]['diff']['after'] == {'state': 'present', 'size': 3}
    # Nothing set, or not a dictionary: no diff.
    nothing = ansible.playbook(play(invoke("'no diff'"), invoke("$Ansible.Diff = 'text'")), '--diff')
    assert [('diff' in r) for r in nothing.results] == [False, False]


@pytest.mark.release_sensitive('task context (check mode, verbosity, remote tmp) as the release hands it')
def test_ansible_variable_check_mode_verbosity_and_tmpdir(ansible, winhost):
    script = r"""
$Ansible.Result = @{
    check_mode = $Ansible.CheckMode
    verbosity = $Ansible.Verbosity
    tmpdir = $Ansible.Tmpdir
    exists = [System.IO.Directory]::Exists($Ansible.Tmpdir)
}
Set-Content -Path "$($Ansible.Tmpdir)\scratch.txt" -Value 'scratch'
$Ansible.Tmpdir = 'C:\Windows'
"""
    run = ansible.playbook(play(invoke(script)), '-vv')
    assert run.rc == 0, run
    result = run.results[0]['result']
    assert result['check_mode'] is False and result['verbosity'] == 2 and result['exists'] is True, result
    assert result['tmpdir'].startswith('C:\\Users\\user\\AppData\\Local\\Temp\\ansible-psremoting-'), result
    # Removed with its content when the script ended; what the script put in $Ansible.Tmpdir is not touched.
    assert not winhost.filesystem.exists(result['tmpdir'])
    assert winhost.filesystem.exists('C:\\Windows')
    quiet = ansible.playbook(play(invoke('$Ansible.Result = $Ansible.Verbosity')))
    assert quiet.results[0]['result'] == 0


@pytest.mark.release_sensitive('diff results as the release shows them')
def test_session_modules_show_a_diff(ansible, winhost):
    assert ansible.playbook(play(invoke("'hello'"), vars_="  vars:\n    ansible_pssession_name: d1\n")).rc == 0
    disconnect = """
- hosts: win1
  gather_facts: false
  vars:
    ansible_pssession_name: d1
  tasks:
    - psremoting.pssession.disconnect:
        idle_timeout: 5400
        output_buffering_mode: drop
"""
    checked = ansible.playbook(disconnect, '--check', '--diff')
    assert checked.rc == 0, checked
    diff = checked.results[0]['diff']
    assert (diff['before']['idle_timeout'], diff['after']['idle_timeout']) != (5400, 5400), diff
    assert diff['after']['idle_timeout'] == 5400 and diff['after']['output_buffering_mode'] == 'Drop'
    assert diff['before']['state'] == 'Disconnected' and diff['after']['state'] == 'Disconnected'
    assert '+    "idle_timeout": 5400' in checked.stdout, checked
    real = ansible.playbook(disconnect, '--diff')
    assert real.results[0]['diff'] == diff
    again = ansible.playbook(disconnect, '--diff')
    assert again.results[0]['changed'] is False and 'diff' not in again.results[0]

    connect = """
- hosts: win1
  gather_facts: false
  tasks:
    - psremoting.pssession.connect:
        name: d1
"""
    connected = ansible.playbook(connect, '--check', '--diff')
    assert connected.rc == 0, connected
    diff = connected.results[0]['diff']
    assert (diff['before']['state'], diff['before']['current']) == ('Disconnected', False), diff
    assert (diff['after']['state'], diff['after']['current']) == ('Opened', True)
    assert diff['before']['name'] == 'd1'

    remove = """
- hosts: win1
  gather_facts: false
  tasks:
    - psremoting.pssession.remove:
        name: d1
"""
    would = ansible.playbook(remove, '--check', '--diff')
    assert [s['name'] for s in would.results[0]['diff']['before']['sessions']] == ['d1']
    assert would.results[0]['diff']['after'] == {'sessions': []}
    assert [s['Name'] for s in winhost.sessions()] == ['d1']
    removed = ansible.playbook(remove, '--diff')
    assert removed.results[0]['diff'] == would.results[0]['diff'] and winhost.sessions() == []
    none = ansible.playbook(remove, '--diff')
    assert none.results[0]['changed'] is False and 'diff' not in none.results[0]


def test_the_user_guide_example_reports_in_check_mode_and_changes_for_real(ansible, winhost):
    # The example of docs/user-guide.md "Check mode and --diff", as written there.
    with open(os.path.join(ROOT, 'docs', 'user-guide.md'), encoding='utf-8') as handle:
        guide = handle.read()
    section = guide[guide.index('## Check mode and --diff'):]
    task = section[section.index('```yaml\n') + 8:section.index('```\n', section.index('```yaml\n'))]
    playbook = '- hosts: win1\n  gather_facts: false\n  tasks:\n' + ''.join('    ' + line + '\n' for line in task.splitlines())
    winhost.config.set('Shell\\IdleTimeout', '3600000')

    checked = ansible.playbook(playbook, '--check', '--diff')
    assert checked.rc == 0, checked
    result = checked.results[0]
    assert result['changed'] is True and result['diff'] == {'before': {'IdleTimeout': '3600000'}, 'after': {'IdleTimeout': 7200000}}
    assert result['host_out'] == 'What if: Performing the operation "Set" on target "WSMan:\\localhost\\Shell\\IdleTimeout".\r\n'
    assert winhost.config.get('Shell\\IdleTimeout') == '3600000'

    changed = ansible.playbook(playbook)
    assert changed.rc == 0 and changed.results[0]['changed'] is True, changed
    assert winhost.config.get('Shell\\IdleTimeout') == '7200000'
    again = ansible.playbook(playbook, '--check')
    assert again.results[0]['changed'] is False and again.results[0]['host_out'] == ''
