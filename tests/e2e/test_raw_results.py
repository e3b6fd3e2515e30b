"""`raw` results that depend on PSRP host calls: rc from `exit N` / `$host.SetShouldExit(N)`
(the host's SetShouldExit call to the client's PSHost) and Write-Host text in stdout (the host
UI's WriteLine calls), with our plugin and with ansible.builtin.psrp against the same test host.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.release_sensitive("raw: the release's raw action, rc and no_log")

CONNECTIONS = {
    'pssession': {},
    'builtin': {'ansible_connection': 'ansible.builtin.psrp'},
}


@pytest.mark.parametrize('connection', list(CONNECTIONS))
def test_raw_exit_code_is_the_task_rc(ansible, connection):
    run = ansible.adhoc('raw', 'exit 3', **CONNECTIONS[connection])
    assert run.rc == 2, run  # the task failed (ansible's rc for a failed host)
    result = run.result(0)
    assert result['rc'] == 3, result
    assert result['_status'] == 'failed'


@pytest.mark.parametrize('connection', list(CONNECTIONS))
def test_raw_set_should_exit_and_write_host(ansible, connection):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - name: host output and output objects
      raw: |
        'first'
        Write-Host 'from the host'
        Write-Host 'in colour' -ForegroundColor Green
    - name: SetShouldExit without exit
      raw: $host.SetShouldExit(7); 'still running'

    - name: success
      raw: exit 0
""", **CONNECTIONS[connection])
    assert run.rc == 0, run
    first, second, third = run.results
    # Pipeline output first, then what the host UI was given (as ansible.builtin.psrp joins them).
    assert first['stdout_lines'] == ['first', 'from the host', '', 'in colour'], first
    assert first['rc'] == 0
    # The call does not end the script; the exit both plugins append calls SetShouldExit again (with 0 here),
    # and the client keeps the last value, as against Windows.
    assert second['rc'] == 0 and second['stdout_lines'] == ['still running'], second
    assert third['rc'] == 0 and third['_status'] == 'ok', third


def test_exit_codes_do_not_leak_into_the_next_task(ansible):
    """`exit N` does not set $LASTEXITCODE at a pipeline's top level; a native command's $LASTEXITCODE
    (set here by hand) becomes the rc and is reset by our plugin's epilogue, in the one session."""
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: exit 5
      ignore_errors: true
    - raw: "'after'"
    - raw: $global:LASTEXITCODE = 4
      ignore_errors: true
    - raw: "'after native'"
""", ansible_pssession_name='exits')
    assert run.rc == 0, run
    assert [r['rc'] for r in run.results] == [5, 0, 4, 0], run.results
    assert run.results[1]['stdout_lines'] == ['after']


def test_a_strict_mode_left_in_the_session_does_not_break_later_raw_tasks(ansible):
    """Set-StrictMode stays in the session (its global scope) for later tasks; reading a $LASTEXITCODE no native
    command has set (removed here, as in a session where none ran) is then an error (about_Set-StrictMode), so the
    plugin's epilogue must not read it that way."""
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: Set-StrictMode -Version Latest; Remove-Variable -Name LASTEXITCODE -Scope Global -ErrorAction Ignore
    - raw: "'still fine'"
    - raw: $global:LASTEXITCODE = 7
      ignore_errors: true
    - raw: "try { $null = $undefinedVariable; 'not strict' } catch { 'strict' }"
""", ansible_pssession_name='strict')
    assert run.rc == 0, run
    assert [r['rc'] for r in run.results] == [0, 0, 7, 0], run.results
    assert run.results[1]['stdout_lines'] == ['still fine']
    assert run.results[3]['stdout_lines'] == ['strict'], 'the strict mode is still the session\'s'


def test_no_log_hides_a_raw_tasks_script_and_output_even_at_vvv(ansible):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - name: Set a secret
      raw: $token = 'S3cret-Token-42'; "token is $token"
      no_log: true
    - name: The session still has it
      raw: $token.Length
""", '-vvv')
    assert run.rc == 0, run
    assert 'S3cret-Token-42' not in run.output
    assert 'PSRP: EXEC (raw) <censored due to no log>' in run.output, run
    assert run.stdouts()[-1] == '15'
