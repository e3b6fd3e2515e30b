"""The psremoting.pssession.session_host role, applied with ansible-playbook against the test host.

The test host's WSMan: drive keeps the settings the role changes, and honours the ones sessions
depend on (MaxShellsPerUser, the configuration's IdleTimeoutms and MaxIdleTimeoutms); see
tests/winhost/README.md for where it differs from Windows (it applies quota changes at once).
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from e2e_support import BIN, BUILD, ROOT, own_warnings, total_requests

QUOTAS = 'Plugin\\microsoft.powershell\\Quotas\\'


def _play(**role_vars) -> str:
    lines = ''.join('        %s: %s\n' % (k, 'null' if v is None else v) for k, v in role_vars.items())
    return """
- hosts: all
  gather_facts: false
  tasks:
    - name: Prepare the host
      ansible.builtin.include_role:
        name: psremoting.pssession.session_host
      vars:
%s
    - name: Show the limits
      ansible.builtin.debug:
        var: session_host_limits
""" % lines


def _role_result(run) -> dict:
    [result] = [r for r in run.results if r['_task'].endswith("Set the host's session limits")]
    return result


@pytest.mark.release_sensitive("roles: the release's include_role and changed_when")
def test_the_role_sets_limits_once_and_then_reports_no_change(ansible, winhost):
    play = _play(session_host_max_shells_per_user=40, session_host_idle_timeout=3600,
                 session_host_max_idle_timeout=86400, session_host_max_memory_per_shell_mb=2048)
    first = ansible.playbook(play, ansible_pssession_name='prep')
    assert first.rc == 0, first
    assert _role_result(first)['changed'] is True
    config = winhost.config
    assert (config.get('Shell\\MaxShellsPerUser'), config.get(QUOTAS + 'IdleTimeoutms'), config.get(QUOTAS + 'MaxIdleTimeoutms'),
            config.get('Shell\\MaxMemoryPerShellMB'), config.get(QUOTAS + 'MaxMemoryPerShellMB')) == \
        ('40', '3600000', '86400000', '2048', '2048')
    [limits] = [r['session_host_limits'] for r in first.results if 'session_host_limits' in r]
    assert (limits['max_shells_per_user'], limits['idle_timeout'], limits['max_idle_timeout'],
            limits['max_memory_per_shell_mb']) == (40, 3600, 86400, 2048), limits

    second = ansible.playbook(play, ansible_pssession_name='prep')
    assert second.rc == 0, second
    assert _role_result(second)['changed'] is False, 'the second run changes nothing'

    # Unset limits are left alone: only the one given is touched.
    third = ansible.playbook(_play(session_host_max_shells_per_user=50), ansible_pssession_name='prep')
    assert third.rc == 0, third
    assert (config.get('Shell\\MaxShellsPerUser'), config.get(QUOTAS + 'IdleTimeoutms')) == ('50', '3600000')


@pytest.mark.release_sensitive('roles: check mode and diff in the release')
def test_check_mode_changes_nothing_and_diff_shows_before_and_after(ansible, winhost):
    play = _play(session_host_max_shells_per_user=12, session_host_max_idle_timeout=54000)
    run = ansible.playbook(play, '--check', '--diff', ansible_pssession_name='prep')
    assert run.rc == 0, run
    result = _role_result(run)
    assert result['changed'] is True, result
    assert winhost.config.get('Shell\\MaxShellsPerUser') == '30', 'check mode set nothing'
    assert winhost.config.get(QUOTAS + 'MaxIdleTimeoutms') == '2147483647'
    diff = result['diff']
    diff = diff[0] if isinstance(diff, list) else diff
    assert (diff['before']['Shell\\MaxShellsPerUser'], diff['after']['Shell\\MaxShellsPerUser']) == ('30', '12'), diff
    assert (diff['before'][QUOTAS + 'MaxIdleTimeoutms'], diff['after'][QUOTAS + 'MaxIdleTimeoutms']) == ('2147483647', '54000000')
    assert re.search(r'^\+.*MaxShellsPerUser.*12', run.stdout, re.M), 'ansible shows the diff'

    real = ansible.playbook(play, '--diff', ansible_pssession_name='prep')
    assert real.rc == 0, real
    assert _role_result(real)['changed'] is True
    assert winhost.config.get('Shell\\MaxShellsPerUser') == '12'


@pytest.mark.release_sensitive("roles: the release's conditionals and argument specs")
def test_a_value_windows_refuses_fails_before_anything_is_sent(ansible, winhost):
    for name, value, allowed in (('session_host_idle_timeout', 30, 'from 60 to 2147483 (seconds)'),
                                 ('session_host_max_shells_per_user', -1, 'from 0 to 2147483647')):
        before = total_requests(winhost)
        run = ansible.playbook(_play(**{name: value}), ansible_pssession_name='prep')
        assert run.rc != 0, run
        [failed] = [r for r in run.results if r['_status'] == 'failed']
        # The loop's result names the item that failed, with its message.
        # (ansible-core 2.21 leaves 'failed' out of an item's result; its assertion says it evaluated to false.)
        [item] = [i for i in failed['results'] if i.get('failed') or i.get('evaluated_to') is False]
        assert item['item']['name'] == name
        assert name in item['msg'] and allowed in item['msg'], item['msg']
        assert total_requests(winhost) == before, 'nothing was sent to the host'
    # Not a number at all: the role's argument spec refuses it, naming the variable and its type.
    before = total_requests(winhost)
    run = ansible.playbook(_play(session_host_max_idle_timeout="'15h'"), ansible_pssession_name='prep')
    [failed] = [r for r in run.results if r['_status'] == 'failed']
    assert 'session_host_max_idle_timeout' in failed['msg'] and 'int' in failed['msg'], failed['msg']
    assert total_requests(winhost) == before
    assert winhost.config.get('Shell\\MaxShellsPerUser') == '30'


def test_a_raised_max_idle_timeout_lets_a_fifteen_hour_disconnect_through(ansible, winhost):
    # A host whose session configuration caps IdleTimeout at 12 hours (43200000 ms).
    winhost.config.set(QUOTAS + 'MaxIdleTimeoutms', '43200000')
    disconnect = """
- hosts: all
  gather_facts: false
  tasks:
    - psremoting.pssession.invoke:
        script: $job = 'long'
    - psremoting.pssession.disconnect:
        idle_timeout: 54000
"""
    refused = ansible.playbook(disconnect, ansible_pssession_name='night')
    assert refused.rc != 0, refused
    [failed] = [r for r in refused.results if r['_status'] == 'failed']
    assert 'MaxIdleTimeout' in failed['msg'], failed['msg']
    # The refused Disconnect left nothing held: the task disconnected with the session's own settings.
    assert [(s['State'], s['IdleTimeOut']) for s in winhost.sessions() if s['Name'] == 'night'] == [('Disconnected', 7200)]

    prepared = ansible.playbook(_play(session_host_max_idle_timeout=54000), ansible_pssession_name='prep')
    assert prepared.rc == 0, prepared
    accepted = ansible.playbook(disconnect, ansible_pssession_name='night')
    assert accepted.rc == 0, accepted
    [night] = [s for s in winhost.sessions() if s['Name'] == 'night']
    assert (night['State'], night['IdleTimeOut']) == ('Disconnected', 54000), night


@pytest.mark.release_sensitive("plugin loading: the release's ansible-doc -t role")
def test_ansible_doc_renders_the_role():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD, ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'role', 'psremoting.pssession.session_host'], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    for option in ('session_host_max_shells_per_user', 'session_host_max_memory_per_shell_mb', 'session_host_idle_timeout',
                   'session_host_max_idle_timeout', 'session_host_configuration'):
        assert option in proc.stdout, proc.stdout
    assert not own_warnings(proc.stderr), proc.stderr


def test_the_readme_example_runs(ansible, winhost):
    with open(os.path.join(ROOT, 'roles', 'session_host', 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    [example] = re.findall(r'```yaml\n(.*?)```', readme, re.S)
    inventory = ansible.tmp / 'windows.json'
    inventory.write_text(json.dumps({'windows': {'hosts': {'win1': ansible.hostvars(ansible_pssession_name='prep')}}}))
    run = ansible.playbook(example, inventory=str(inventory))
    assert run.rc == 0, run
    assert (winhost.config.get('Shell\\MaxShellsPerUser'), winhost.config.get(QUOTAS + 'MaxIdleTimeoutms')) == ('50', '86400000')
    [shown] = [r['session_host_limits'] for r in run.results if 'session_host_limits' in r]
    assert (shown['max_shells_per_user'], shown['max_idle_timeout']) == (50, 86400), shown
