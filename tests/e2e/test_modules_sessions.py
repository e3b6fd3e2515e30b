"""The session modules end to end: the enterprise scenario of Connect-PSSession's example 3 as two playbook runs, Drop vs Block buffering,
session_info states, connect failures, disconnect idempotence, remove twice, bad values, ansible-doc."""

from __future__ import annotations

import os
import subprocess

import pytest

from e2e_support import BIN, BUILD, PASSWORD, total_requests, wait_until

try:
    from pypsrp.powershell import RunspacePool
    from pypsrp.wsman import WSMan
except ImportError:  # pragma: no cover
    RunspacePool = WSMan = None

# Run 1 (at work): start the long job in the ITTask session and go home.
RUN_AT_WORK = """
- hosts: win1
  gather_facts: false
  vars:
    ansible_pssession_name: ITTask
  tasks:
    - name: Start the backup and leave it running on the host
      psremoting.pssession.invoke:
        script: |
          foreach ($i in 1..%(lines)d) { 'backup step {0:d4} {1}' -f $i, ('x' * 40); Start-Sleep -Milliseconds %(pause)d }
          Write-Warning 'backup finished'
        disconnected: true
        idle_timeout: 54000
        output_buffering_mode: %(mode)s
      register: started
"""

# Run 2 (at home, a separate process): connect by name and receive everything.
RUN_AT_HOME = """
- hosts: win1
  gather_facts: false
  tasks:
    - name: Find the session
      psremoting.pssession.session_info:
        name: ITTask
    - name: Connect to it
      psremoting.pssession.connect:
        name: ITTask
    - name: Receive the results
      psremoting.pssession.receive:
        wait: true
        timeout: 120
    - name: The session is still there, disconnected, with its 15-hour IdleTimeout
      psremoting.pssession.session_info:
        name: ITTask
"""


@pytest.mark.release_sensitive('action plugins: the session modules across two runs of the release')
def test_enterprise_scenario_two_playbook_runs(ansible, winhost):
    one = ansible.playbook(RUN_AT_WORK % dict(lines=20, pause=100, mode='block'))
    assert one.rc == 0, one
    started = one.results[0]
    assert started['state'] == 'Running' and started['session']['state'] == 'Disconnected', started
    [shell] = winhost.sessions()
    assert (shell['Name'], shell['State'], shell['IdleTimeOut']) == ('ITTask', 'Disconnected', 54000)

    two = ansible.playbook(RUN_AT_HOME)  # a new process: nothing shared with run 1 but the host
    assert two.rc == 0, two
    found, connected, received, after = two.results
    assert [(s['name'], s['state'], s['availability']) for s in found['sessions']] == [('ITTask', 'Disconnected', 'None')]
    assert connected['changed'] is True and connected['session']['instance_id'] == shell['ShellId'], connected
    assert received['state'] == 'Completed' and received['command_id'] == started['command_id'], received
    assert received['output'] == ['backup step %04d %s' % (i, 'x' * 40) for i in range(1, 21)]
    assert received['warning'] == ['backup finished']
    [again] = after['sessions']
    assert (again['state'], again['idle_timeout'], again['commands']) == ('Disconnected', 54000, []), again
    assert [s['ShellId'] for s in winhost.sessions()] == [shell['ShellId']]  # run 2 created none


@pytest.mark.parametrize('mode', ['block', 'drop'])
def test_drop_versus_block_after_a_long_disconnect(ansible, winhost, mode):
    winhost.control({'output_buffer_bytes': 8192})
    one = ansible.playbook(RUN_AT_WORK % dict(lines=300, pause=0, mode=mode))
    assert one.rc == 0, one
    # A long disconnect: the command writes far more than the buffer holds meanwhile. Block pauses
    # it once the buffer is full; Drop lets it run to the end, discarding the oldest records.
    if mode == 'block':
        wait_until(lambda: winhost.sessions()[0]['Commands'][0]['WaitingForReader'], 'the command to wait for a reader')
    else:
        wait_until(lambda: winhost.sessions()[0]['Commands'][0]['State'] == 'Done', 'the command to finish')
        assert winhost.sessions()[0]['DroppedRecords'] > 0
    two = ansible.playbook(RUN_AT_HOME)
    assert two.rc == 0, two
    received = two.results[2]
    lines = received['output']
    assert received['state'] == 'Completed' and received['warning'] == ['backup finished'], received
    assert lines[-1].startswith('backup step 0300')
    if mode == 'block':
        assert len(lines) == 300, len(lines)  # the command waited for a reader: nothing lost
    else:
        assert 0 < len(lines) < 300, len(lines)  # the oldest records were dropped
        assert not lines[0].startswith('backup step 0001')


def _pool(winhost, name):
    wsman = WSMan('127.0.0.1', port=winhost.port, username='user', password=PASSWORD, ssl=False, auth='basic',
                  encryption='never')
    pool = RunspacePool(wsman)
    pool.shell.name = name
    return pool


@pytest.mark.release_sensitive('action plugins: results as the release serializes them')
def test_session_info_shows_states_as_they_change(ansible, winhost):
    info = """
- hosts: win1
  gather_facts: false
  tasks:
    - psremoting.pssession.session_info:
"""
    pool = _pool(winhost, 'held')
    pool.open()  # another client holds it
    opened = ansible.playbook(info, '--check')
    assert opened.rc == 0, opened
    assert [(s['name'], s['state'], s['availability']) for s in opened.results[0]['sessions']] == [('held', 'Opened', 'Busy')]
    busy = ansible.adhoc('psremoting.pssession.connect', 'name=held')
    assert busy.rc != 0 and 'busy' in busy.output and 'Traceback' not in busy.output, busy
    pool.disconnect()
    disconnected = ansible.playbook(info)
    assert [(s['name'], s['state'], s['availability']) for s in disconnected.results[0]['sessions']] == [
        ('held', 'Disconnected', 'None')]

    # The command runs until the test creates its file, once session_info has reported it running.
    running = ansible.start_playbook("""
- hosts: win1
  gather_facts: false
  vars:
    ansible_pssession_name: worker
  tasks:
    - psremoting.pssession.invoke:
        script: while (-not (Test-Path C:\\slept)) { Start-Sleep -Milliseconds 50 }; 'slept'
        disconnected: true
    - psremoting.pssession.session_info:
        name: work*
    - psremoting.pssession.receive:
        wait: true
        timeout: 60
    - psremoting.pssession.session_info:
        state: [Disconnected]
""")
    wait_until(lambda: len(running.results_so_far()) >= 2, 'session_info to report the running command')
    winhost.filesystem.write_bytes('C:\\slept', b'go')
    running = running.wait()
    assert running.rc == 0, running
    started, during, received, after = running.results
    [worker] = during['sessions']
    assert worker['current'] is True and worker['commands'] == [{'command_id': started['command_id'], 'state': 'Running'}]
    assert received['output'] == ['slept']
    assert sorted((s['name'], len(s['commands'])) for s in after['sessions']) == [('held', 0), ('worker', 0)]


def test_connect_failures_and_no_op(ansible, winhost):
    missing = ansible.adhoc('psremoting.pssession.connect', 'name=nosuch')
    assert missing.rc != 0 and 'No session named' in missing.output and 'Traceback' not in missing.output
    # Another user's session is not visible.
    assert ansible.adhoc('raw', '1', ansible_pssession_name='theirs', ansible_user='other',
                         ansible_password='Other-Passw0rd!').rc == 0
    theirs = ansible.adhoc('psremoting.pssession.connect', 'name=theirs')
    assert theirs.rc != 0 and 'other users are not visible' in theirs.output
    # The session the host already uses: nothing changes, no failure.
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  vars:
    ansible_pssession_name: mine
  tasks:
    - raw: $here = 1
    - psremoting.pssession.connect:
        name: mine
    - raw: $here
""")
    assert run.rc == 0, run
    assert run.results[1]['changed'] is False and run.stdouts()[-1] == '1'


def test_connect_makes_the_following_tasks_use_the_session(ansible, winhost):
    assert ansible.adhoc('raw', "$origin = 'made by another run'", ansible_pssession_name='shared').rc == 0
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  tasks:
    - psremoting.pssession.connect:
        name: shared
    - raw: $origin
    - psremoting.pssession.invoke:
        script: $origin
""")
    assert run.rc == 0, run
    assert run.results[1]['stdout'].strip() == 'made by another run'
    assert run.results[2]['output'] == ['made by another run'] and run.results[2]['session']['name'] == 'shared'
    shared = [s for s in winhost.sessions() if s['Name'] == 'shared']
    assert shared[0]['State'] == 'Disconnected' and shared[0]['IdleTimeOut'] == 7200  # its own IdleTimeout kept


def test_disconnect_sets_idle_timeout_and_is_idempotent(ansible, winhost):
    play = """
- hosts: win1
  gather_facts: false
  vars:
    ansible_pssession_name: nightly
  tasks:
    - raw: $x = 1
    - psremoting.pssession.disconnect:
        idle_timeout: 54000
        output_buffering_mode: drop
    - psremoting.pssession.disconnect:
        idle_timeout: 54000
        output_buffering_mode: drop
    - raw: $x
"""
    run = ansible.playbook(play)
    assert run.rc == 0, run
    first, second = run.results[1], run.results[2]
    assert first['changed'] is True and second['changed'] is False, (first, second)
    assert first['session']['state'] == 'Disconnected' and first['session']['idle_timeout'] == 54000
    [shell] = winhost.sessions()
    # The raw task after it disconnected with the same settings again.
    assert (shell['State'], shell['IdleTimeOut'], shell['BufferMode']) == ('Disconnected', 54000, 'Drop')


def test_remove_cleans_up_twice_in_a_row(ansible, winhost):
    for name in ('a1', 'a2', 'keep'):
        assert ansible.adhoc('raw', '1', ansible_pssession_name=name).rc == 0
    started = ansible.playbook("""
- hosts: win1
  gather_facts: false
  vars:
    ansible_pssession_name: a3
  tasks:
    - psremoting.pssession.invoke:
        script: Start-Sleep -Seconds 60
        disconnected: true
""")
    assert started.rc == 0, started
    play = """
- hosts: win1
  gather_facts: false
  tasks:
    - psremoting.pssession.remove:
        name: a*
"""
    check = ansible.playbook(play, '--check')
    assert check.results[0]['changed'] is True and len(winhost.sessions()) == 4
    first = ansible.playbook(play)
    assert first.rc == 0, first
    assert sorted(s['name'] for s in first.results[0]['removed']) == ['a1', 'a2', 'a3']
    assert first.results[0]['stopped_commands'] == [started.results[0]['command_id']]
    assert [s['Name'] for s in winhost.sessions()] == ['keep']
    second = ansible.playbook(play)
    assert second.rc == 0 and second.results[0]['changed'] is False and second.results[0]['removed'] == []


def test_remove_the_hosts_own_session_then_a_fresh_one(ansible, winhost):
    run = ansible.playbook("""
- hosts: win1
  gather_facts: false
  vars:
    ansible_pssession_name: mine
  tasks:
    - raw: $x = 'old'
    - psremoting.pssession.remove:
    - raw: if ($null -eq $x) { 'fresh' } else { $x }
""")
    assert run.rc == 0, run
    assert run.results[1]['changed'] is True and run.stdouts()[-1] == 'fresh'
    # No warning in any result, nor printed (ansible-core before 2.19 prints a connection plugin's warnings only).
    assert not any(r.get('warnings') for r in run.results) and '[WARNING]' not in run.stderr, run


BAD = [
    ('psremoting.pssession.disconnect', 'idle_timeout=59', 'idle_timeout', '60 to 2147483'),
    ('psremoting.pssession.disconnect', 'idle_timeout=2147484', 'idle_timeout', '60 to 2147483'),
    ('psremoting.pssession.disconnect', 'idle_timeout=later', 'idle_timeout', None),
    ('psremoting.pssession.disconnect', 'output_buffering_mode=queue', 'output_buffering_mode', 'block, drop'),
    ('psremoting.pssession.connect', '', 'name', 'instance_id'),
    ('psremoting.pssession.connect', 'name=a instance_id=0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C', 'name', 'instance_id'),
    ('psremoting.pssession.connect', 'instance_id=not-a-guid', 'instance_id', 'GUID'),
    ('psremoting.pssession.receive', 'command_id=xyz', 'command_id', 'GUID'),
    ('psremoting.pssession.receive', 'timeout=0', 'timeout', '1 to 2147483'),
    ('psremoting.pssession.receive', 'wait=sometimes', 'wait', None),
    ('psremoting.pssession.receive', 'depth=101', 'depth', '0 to 100'),
    ('psremoting.pssession.session_info', '{"state": ["Closed"]}', 'state', 'Opened, Disconnected'),
    ('psremoting.pssession.session_info', 'instance_id=1', 'instance_id', 'GUID'),
    ('psremoting.pssession.remove', '{"state": ["Broken"]}', 'state', 'Opened, Disconnected'),
    ('psremoting.pssession.remove', 'name=a all=true', 'name', 'all'),
    ('psremoting.pssession.remove', 'all=everything', 'all', None),
]


@pytest.mark.parametrize('module, args, option, allowed', BAD)
def test_bad_values_are_rejected_before_any_traffic(ansible, winhost, module, args, option, allowed):
    run = ansible.adhoc(module, args)
    assert run.rc != 0, run
    assert option in run.output, run
    msg = run.results[0]['msg']
    assert msg.startswith(module + ': ') and 'ansible_collections' not in msg, msg
    if allowed:
        assert allowed in run.output, run
    assert 'Traceback' not in run.output
    assert total_requests(winhost) == 0


@pytest.mark.release_sensitive("plugin loading: the release's ansible-doc")
@pytest.mark.parametrize('module', ['invoke', 'disconnect', 'connect', 'receive', 'session_info', 'remove'])
def test_ansible_doc_renders_each_module(module):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD, ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'ansible-doc'), 'psremoting.pssession.' + module], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert 'EXAMPLES:' in proc.stdout and 'RETURN VALUES:' in proc.stdout, proc.stdout[:2000]
    assert 'WARNING' not in proc.stderr, proc.stderr
