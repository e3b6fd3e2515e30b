"""State in the host's PSSession across tasks, plays, runs and ad-hoc commands."""

from __future__ import annotations

import json

import pytest

from e2e_support import PASSWORD, UNSHARE_PID, all_gone, create_count, own_warnings, sensitive_cases, total_requests, wait_until

STATE_PLAY = """
- hosts: win1
  gather_facts: false
  tasks:
    - name: define
      raw: |
        $x = 41
        function Get-Answer { $x + 1 }
    - name: write a script module to the host
      raw: |
        New-Item -ItemType Directory -Path C:\\Temp -Force | Out-Null
        Set-Content -Path C:\\Temp\\Tools.psm1 -Value @'
        $script:uses = 0
        function Get-ToolInfo {
            $script:uses++
            "Tools 1.0, use $script:uses"
        }
        function Get-ToolSecret { 'private' }
        Export-ModuleMember -Function Get-ToolInfo
        '@
    - name: import it
      raw: Import-Module C:\\Temp\\Tools.psm1
- hosts: win1
  gather_facts: false
  tasks:
    - name: variable
      raw: $x + 1
    - name: function
      raw: Get-Answer
    - name: module function
      raw: Get-ToolInfo
    - name: module script state kept across tasks
      raw: |
        $info = Get-ToolInfo
        $module = Get-Module Tools
        $exported = $module.ExportedFunctions.Keys -join ','
        "$info from $($module.Path) exporting $exported"
"""


@pytest.mark.release_sensitive("the connection's life per task in the release (NTLM: on the newest release's Python)")
@pytest.mark.parametrize('auth', ['basic', 'ntlm'])
def test_state_carries_across_tasks_and_plays(ansible, winhost, auth):
    extra = {} if auth == 'basic' else {'ansible_psrp_auth': 'ntlm', 'ansible_psrp_message_encryption': 'always'}
    run = ansible.playbook(STATE_PLAY, **extra)
    assert run.rc == 0, run
    assert run.stdouts()[3:] == ['42', '42', 'Tools 1.0, use 1', 'Tools 1.0, use 2 from C:\\Temp\\Tools.psm1 exporting Get-ToolInfo'], run
    assert create_count(winhost) == 1
    # A run-scoped session is parked between tasks: each task sends its Command straight to the shell the
    # previous one left Connected, as that same WSMan client; nothing reconnects or disconnects it.
    assert (_requests(winhost, 'Reconnect'), _requests(winhost, 'Connect'), _requests(winhost, 'Disconnect')) == (0, 0, 0)
    assert _requests(winhost, 'Command') == 7
    sessions = winhost.sessions()
    # The run's last task left it Connected too: nobody else ever uses a run-scoped session, the next run of this
    # controller (or the cleanup callback) removes it, and the host disconnects the silent client, then expires it.
    assert len(sessions) == 1 and sessions[0]['State'] == 'Connected'
    assert sessions[0]['IdleTimeOut'] == 600  # run-scoped default
    assert PASSWORD not in run.output


def test_named_session_across_two_adhoc_commands(ansible, winhost):
    first = ansible.adhoc('raw', '$x = 5', ansible_pssession_name='adhoc')
    assert first.rc == 0, first
    between = winhost.sessions()
    assert [(s['Name'], s['State'], s['IdleTimeOut']) for s in between] == [('adhoc', 'Disconnected', 7200)]
    second = ansible.adhoc('raw', '$x', ansible_pssession_name='adhoc')
    assert second.rc == 0, second
    assert second.stdouts() == ['5'], second
    assert create_count(winhost) == 1


@pytest.mark.release_sensitive("the connection's life across runs of the release")
def test_named_session_across_two_playbook_runs(ansible, winhost):
    one = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $counter = 1; function Step { $script:counter += 1; $counter }
""", ansible_pssession_name='build', ansible_pssession_idle_timeout=3600)
    assert one.rc == 0, one
    between = winhost.sessions()
    assert [(s['Name'], s['State'], s['IdleTimeOut']) for s in between] == [('build', 'Disconnected', 3600)]
    two = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: Step
    - raw: Step
""", ansible_pssession_name='build', ansible_pssession_idle_timeout=3600)
    assert two.rc == 0, two
    assert two.stdouts() == ['2', '3'], two
    assert create_count(winhost) == 1


@pytest.mark.release_sensitive("the run's identity from the release's processes")
def test_run_scoped_session_is_not_seen_by_the_next_run_and_is_reaped(ansible, winhost):
    first = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $secret = 'first run'
""")
    assert first.rc == 0, first
    after_first = winhost.sessions()
    assert len(after_first) == 1 and after_first[0]['State'] == 'Connected' and after_first[0]['IdleTimeOut'] == 600
    first_name = after_first[0]['Name']
    assert first_name.startswith('ansible-')

    second = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: if ($null -eq $secret) { 'clean' } else { $secret }
""")
    assert second.rc == 0, second
    assert second.stdouts() == ['clean'], second
    names = [s['Name'] for s in winhost.sessions()]
    assert first_name not in names, 'the first run\'s session was reaped by the second run'
    assert len(names) == 1


PARKED_PLAY = """
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $x = 'kept'
    - name: wait on the controller for the test's go
      wait_for:
        path: %s
        timeout: 200
      delegate_to: localhost
    - raw: $x
"""


@pytest.mark.release_sensitive("the run's identity from the release's processes")
def test_a_run_killed_between_tasks_leaves_its_parked_session_to_the_next_run(ansible, winhost, tmp_path):
    """SIGKILL of every process of a run while its run-scoped session is parked (Connected, between tasks):
    nothing on the controller disconnects it, and the next run of the controller removes it and works at once."""
    run = ansible.start_playbook(PARKED_PLAY % (tmp_path / 'never'))
    wait_until(lambda: len(run.results_so_far()) >= 1, 'the first task to end')
    [parked] = winhost.sessions()
    assert (parked['State'], parked['Commands']) == ('Connected', []), parked
    # Every process, the worker ansible-playbook may be forking for the next task (wait_for) included.
    pids = run.kill_all()
    run.wait()
    wait_until(lambda: all_gone(pids), 'every process of the run to end')
    assert [(s['ShellId'], s['State']) for s in winhost.sessions()] == [(parked['ShellId'], 'Connected')]

    after = ansible.playbook('- hosts: win1\n  gather_facts: false\n  tasks:\n    - raw: if ($null -eq $x) { "clean" } else { $x }\n',
                             ansible_pssession_busy_timeout=0)
    assert after.rc == 0 and after.stdouts() == ['clean'], after
    names = [s['Name'] for s in winhost.sessions()]
    assert parked['Name'] not in names and len(names) == 1, 'the killed run\'s parked session was removed by the next run'


def test_a_parked_session_the_host_disconnected_is_taken_back_as_the_same_client(ansible, winhost, tmp_path):
    """The host disconnects a client that stays silent (WinRM does after minutes): the next task's Command is
    refused, and the task takes the session back with a Reconnect as that client, state intact, no warning."""
    go = tmp_path / 'go'
    run = ansible.start_playbook(PARKED_PLAY % go)
    wait_until(lambda: len(run.results_so_far()) >= 1, 'the first task to end')
    winhost.control({'client_silence_timeout': 0.2})
    wait_until(lambda: [s['State'] for s in winhost.sessions()] == ['Disconnected'], 'the host to disconnect the silent client')
    winhost.control({'client_silence_timeout': 240.0})
    go.write_text('go')
    done = run.wait()
    assert done.rc == 0, done
    assert done.stdouts()[-1] == 'kept', done
    assert [line for line in own_warnings(done.stderr) if 'psremoting' in line] == [], done
    assert (create_count(winhost), _requests(winhost, 'Reconnect'), _requests(winhost, 'Connect')) == (1, 1, 0)


def test_run_scoped_session_expires_after_its_idle_timeout(ansible, winhost):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $x = 1
""")
    assert run.rc == 0, run
    assert len(winhost.sessions()) == 1
    winhost.control({'time_scale': 1000})  # 600 server seconds pass in 0.6 s
    wait_until(lambda: not winhost.sessions(), 'the host to expire the run-scoped session')


def test_forty_tasks_one_shell_versus_forty_with_the_builtin_plugin(ansible, winhost):
    tasks = '\n'.join('    - raw: $n = %d' % i for i in range(40))
    play = '- hosts: win1\n  gather_facts: false\n  tasks:\n' + tasks + '\n    - raw: $n\n'
    ours = ansible.playbook(play)
    assert ours.rc == 0, ours
    assert ours.stdouts()[-1] == '39'
    assert create_count(winhost) == 1
    winhost.control({'reset_stats': True})
    builtin = ansible.playbook(play, ansible_connection='ansible.builtin.psrp')
    assert builtin.rc == 0, builtin
    assert builtin.stdouts()[-1] == ''  # every task had a fresh runspace: $n is gone
    assert create_count(winhost) == 41
    print('41 tasks: pssession.psrp %.1fs, builtin psrp %.1fs' % (ours.seconds, builtin.seconds))


BAD_VALUES = [
    ('session_name', 'ansible-0123456789ab-1-1'),
    ('idle_timeout', '59'),
    ('idle_timeout', '2147484'),
    ('idle_timeout', 'soon'),
    ('output_buffering_mode', 'Keep'),
    ('busy_timeout', '-1'),
    ('busy_timeout', 'x'),
    ('strict_session', 'maybe'),
]


@pytest.mark.parametrize('option, value', BAD_VALUES)
def test_bad_session_options_fail_before_any_network_traffic(ansible, winhost, option, value):
    run = ansible.adhoc('raw', '1', '-e', 'ansible_pssession_%s=%s' % (option, value))
    assert run.rc != 0, run
    assert option in run.output
    assert 'Traceback' not in run.output
    assert total_requests(winhost) == 0


# Values that ansible.builtin.psrp passes on to fail obscurely, hang (a 10-byte envelope) or
# crash ansible's own type conversion (infinity, a list for a boolean).
BAD_VALUES_JSON = [
    ('max_envelope_size', {'ansible_psrp_max_envelope_size': 10}),
    ('read_timeout', {'ansible_psrp_read_timeout': 0}),
    ('read_timeout', {'ansible_psrp_operation_timeout': 40}),
    ('operation_timeout', {'ansible_psrp_operation_timeout': 0}),
    ('port', {'ansible_port': 70000}),
    ('port', {'ansible_port': 0}),
    ('reconnection_retries', {'ansible_psrp_reconnection_retries': -1}),
    ('connection_timeout', {'ansible_psrp_connection_timeout': 0}),
    ('idle_timeout', {'ansible_pssession_idle_timeout': 'inf'}),
    ('strict_session', {'ansible_pssession_strict_session': [1, 2]}),
]


@pytest.mark.parametrize('option, extra_vars', sensitive_cases(BAD_VALUES_JSON, "plugin options: the release's type conversion of infinity and a list",
                                                               lambda option, extra_vars: option in ('idle_timeout', 'strict_session')))
def test_bad_connection_values_fail_before_any_network_traffic(ansible, winhost, option, extra_vars):
    run = ansible.adhoc('raw', '1', '-e', json.dumps(extra_vars))
    assert run.rc != 0, run
    msg = run.results[0]['msg']
    assert "'%s'" % option in msg, msg
    assert 'expected' in msg or 'greater than' in msg, msg
    assert 'Traceback' not in run.output
    assert total_requests(winhost) == 0


def test_the_smallest_envelope_wsman_allows_works(ansible, winhost):
    run = ansible.adhoc('raw', "'x' * 20000", ansible_psrp_max_envelope_size=8192)
    assert run.rc == 0, run
    assert run.stdouts() == ['x' * 20000]


@pytest.mark.parametrize('option, value', sensitive_cases([('idle_timeout', '30'), ('output_buffering_mode', 'sometimes')],
                                                          "plugin options: the release's environment variables",
                                                          lambda option, value: option == 'idle_timeout'))
def test_bad_session_options_from_the_environment(ansible, winhost, option, value):
    env = ansible.env(**{'ANSIBLE_PSSESSION_%s' % option.upper(): value})
    run = ansible.adhoc('raw', '1', env=env)
    assert run.rc != 0 and option in run.output, run
    assert total_requests(winhost) == 0


@pytest.mark.release_sensitive('meta: reset_connection as the release calls it')
def test_reset_connection_gives_a_fresh_session(ansible, winhost):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $x = 'before reset'
    - meta: reset_connection
    - raw: if ($null -eq $x) { 'fresh' } else { $x }
""", ansible_pssession_name='resettable')
    assert run.rc == 0, run
    assert run.stdouts()[-1] == 'fresh', run
    # No warning in any result, nor printed (ansible-core before 2.19 prints a connection plugin's warnings only).
    assert not any(r.get('warnings') for r in run.results) and '[WARNING]' not in run.stderr, run
    assert create_count(winhost) == 2
    assert len(winhost.sessions()) == 1


CHECK_PLAY = """
- hosts: win1
  gather_facts: false
  tasks:
    - name: raw in check mode
      raw: $checked = 'ran'
    - name: raw forced to run in check mode
      raw: if ($null -eq $checked) { 'not run' } else { $checked }
      check_mode: false
"""


@pytest.mark.release_sensitive("parity: check mode and diff with the release's builtin plugin")
def test_check_mode_and_diff_behave_as_with_the_builtin_plugin(ansible, winhost):
    ours = ansible.playbook(CHECK_PLAY, '--check', '--diff')
    builtin = ansible.playbook(CHECK_PLAY, '--check', '--diff', ansible_connection='ansible.builtin.psrp')
    assert ours.rc == builtin.rc == 0, (ours, builtin)

    def summary(run):
        return [(r['_status'], bool(r.get('skipped')), r.get('changed'), r.get('stdout', '').strip()) for r in run.results]
    assert summary(ours) == summary(builtin), (ours.results, builtin.results)
    assert summary(ours)[-1][-1] == 'not run'


def test_another_user_cannot_reach_a_named_session(ansible, winhost):
    assert ansible.adhoc('raw', "$x = 'mine'", ansible_pssession_name='private').rc == 0
    other = ansible.adhoc('raw', 'if ($null -eq $x) { "not here" } else { $x }', ansible_pssession_name='private',
                          ansible_user='other', ansible_password='Other-Passw0rd!')
    assert other.rc == 0, other
    assert other.stdouts() == ['not here']
    owners = sorted((s['Name'], s['Owner']) for s in winhost.sessions())
    assert owners == [('private', 'other'), ('private', 'user')]
    again = ansible.adhoc('raw', '$x', ansible_pssession_name='private')
    assert again.stdouts() == ['mine']


def test_runs_in_separate_pid_namespaces_keep_their_own_run_scoped_sessions(ansible, winhost):
    # Two runs as AWX runs jobs: each in a container of one image (same machine-id and uid, a PID
    # namespace of its own). Run B's reaper must not take run A's live session for a dead run's.
    first = ansible.start_playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $mine = 'A'
    - raw: while (-not (Test-Path C:\\\\b-done)) { Start-Sleep -Milliseconds 50 }; $mine
""", wrapper=UNSHARE_PID)
    wait_until(lambda: len(first.results_so_far()) == 1, "run A's first task")
    second = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $mine = 'B'; $mine
""", wrapper=UNSHARE_PID)
    assert second.rc == 0, second
    assert len(winhost.sessions()) == 2, 'B made its own session and removed none'
    winhost.filesystem.write_bytes('C:\\\\b-done', b'go')
    first = first.wait()
    assert first.rc == 0, first
    assert first.stdouts()[-1] == 'A', 'run A kept its session and its state'
    assert winhost.stats()['events'].get('shells_deleted', 0) == 0


@pytest.mark.release_sensitive("plugin options: the release's deprecation of an option variable")
def test_the_old_session_name_variable_still_works_and_is_deprecated(ansible, winhost):
    assert ansible.adhoc('raw', '$old = 1', ansible_pssession_session_name='renamed').rc == 0
    run = ansible.adhoc('raw', '$old', ansible_pssession_name='renamed')
    assert run.stdouts() == ['1'], run
    [shell] = winhost.sessions()
    assert shell['Name'] == 'renamed'
    old = ansible.adhoc('raw', '$old', ansible_pssession_session_name='renamed')
    assert old.stdouts() == ['1'], old
    assert 'ansible_pssession_session_name' in old.output and 'will be removed' in old.output and '1.0.0' in old.output, old.stderr


def _requests(host, action: str) -> int:
    return host.stats()['actions'].get(action, {}).get('requests', 0)


def test_later_tasks_reconnect_as_the_same_client_and_fall_back_when_another_took_the_session(ansible, winhost, tmp_path):
    """From its second task on, a controller takes its session back with one WSMan Reconnect (as the client
    that disconnected it), not Connect + Receive; after another controller used the session, the Reconnect is
    refused (client session mismatch) and the task connects as a new client, with the session's state intact."""
    named = {'ansible_pssession_name': 'handoff'}
    first = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - raw: $x = 1
    - raw: $x += 1; $x
    - raw: $x += 1; $x
""", **named)
    assert first.rc == 0, first
    assert first.stdouts() == ['', '2', '3'], first
    assert (_requests(winhost, 'Create'), _requests(winhost, 'Reconnect'), _requests(winhost, 'Connect')) == (1, 2, 0)

    # Another controller (its own lock directory, so it knows nothing of the first one's client).
    other = ansible.playbook('- hosts: win1\n  gather_facts: false\n  tasks:\n    - raw: $x += 10; $x\n',
                             env=ansible.env(ANSIBLE_PSSESSION_LOCK_DIR=str(tmp_path / 'other-controller')), **named)
    assert other.rc == 0, other
    assert other.stdouts() == ['13'], other
    assert _requests(winhost, 'Connect') == 1 and _requests(winhost, 'Reconnect') == 2

    again = ansible.playbook('- hosts: win1\n  gather_facts: false\n  tasks:\n    - raw: $x += 1; $x\n    - raw: $x\n', **named)
    assert again.rc == 0, again
    assert again.stdouts() == ['14', '14'], again
    # Its first task tried Reconnect (refused: the session was last disconnected by the other controller) and
    # connected as a new client; its second task reconnected as that one.
    assert _requests(winhost, 'Connect') == 2 and _requests(winhost, 'Reconnect') == 4
    assert create_count(winhost) == 1
    sessions = winhost.sessions()
    assert [(s['Name'], s['State']) for s in sessions] == [('handoff', 'Disconnected')]
