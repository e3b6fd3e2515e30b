"""The psremoting.pssession.long_step role with ansible-playbook against the test host: wait for a
step, leave it and collect it by name in a later run, a relaunch after SIGKILL, bad values, the
README's examples and ansible-doc."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from e2e_support import BIN, BUILD, ROOT, CountingStep, all_gone, own_warnings, timeline, total_requests, wait_until

STEP = CountingStep(r'C:\long-step-count.txt', r'C:\release-long-step')  # the test decides when it ends
NAME = dict(ansible_pssession_name='jobs')


def _play(**role_vars) -> str:
    return """
- hosts: all
  gather_facts: false
  tasks:
    - name: The step
      ansible.builtin.include_role:
        name: psremoting.pssession.long_step
      vars: %s
""" % json.dumps(role_vars)


def _facts(run) -> dict:
    [facts] = [r for r in run.results if 'long_step_result' in r.get('ansible_facts', r)]
    return facts.get('ansible_facts', facts)


def _disconnected_after(host, requests_before: int) -> bool:
    return total_requests(host) > requests_before and [s['State'] for s in host.sessions()] == ['Disconnected']


@pytest.mark.release_sensitive('roles: include_role and set_fact in the release; worker signals')
def test_the_role_waits_for_a_step_and_a_relaunch_after_sigkill_attaches(ansible, winhost):
    play = _play(long_step_name='backup', long_step_script=STEP.script, long_step_poll_interval=1)
    first = ansible.start_playbook(play, **NAME)
    wait_until(lambda: STEP.runs(winhost) == 1, 'the step to start on the host')
    wait_until(lambda: _disconnected_after(winhost, 0), 'the role to wait for the step, disconnected')
    pids = first.kill_all()  # the controller dies: every process of the run, one forked meanwhile too
    first.wait()
    wait_until(lambda: all_gone(pids), 'the killed run to end')
    [shell] = winhost.sessions()
    assert [c['State'] for c in shell['Commands']] == ['Running'], shell
    requests = total_requests(winhost)
    second = ansible.start_playbook(play, **NAME)
    wait_until(lambda: _disconnected_after(winhost, requests) and winhost.stats()['actions']['Enumerate']['requests'] > 2,
               'the relaunch to attach to the step and wait')
    STEP.release_on(winhost)
    run = second.wait()
    assert run.rc == 0, run
    facts = _facts(run)
    result = facts['long_step_result']
    assert facts['long_step_resumed'] is True
    assert result['attached'] is True and result['output'] == ['started', 'finished'], result
    assert STEP.runs(winhost) == 1
    assert len([e for e in timeline(winhost, 'command_started') if e['command'] == result['command_id']]) == 1


def test_start_in_one_run_and_collect_by_name_in_a_later_one(ansible, winhost):
    start = ansible.playbook(_play(long_step_name='rebuild', long_step_script=STEP.script, long_step_wait=False,
                                   long_step_idle_timeout=3600), **NAME)
    assert start.rc == 0, start
    started = _facts(start)['long_step_result']
    assert (started['state'], started['attached'], started['output']) == ('Running', False, []), started
    [shell] = winhost.sessions()
    assert (shell['State'], shell['IdleTimeOut']) == ('Disconnected', 3600), shell
    STEP.release_on(winhost)
    collect = ansible.playbook(_play(long_step_name='rebuild'), **NAME)  # no script: collect only
    assert collect.rc == 0, collect
    collected = _facts(collect)['long_step_result']
    assert collected['attached'] is True and collected['output'] == ['started', 'finished'], collected
    again = ansible.playbook(_play(long_step_name='rebuild', long_step_script=STEP.script), **NAME)
    assert again.rc == 0, again
    recorded = _facts(again)['long_step_result']
    assert (recorded['resume']['source'], recorded['changed'], recorded['output']) == ('recorded', False, ['started', 'finished'])
    assert STEP.runs(winhost) == 1


def test_a_step_that_outlasts_the_timeout_is_stopped_and_fails(ansible, winhost):
    run = ansible.playbook(_play(long_step_name='slow', long_step_script=STEP.script, long_step_timeout=1, long_step_poll_interval=1), **NAME)
    assert run.rc != 0, run
    [failed] = [r for r in run.results if r['_status'] == 'failed']
    assert 'did not finish within timeout=1s' in failed['msg'], failed
    assert failed['output'] == ['started'] and failed['state'] == 'Stopped'
    assert winhost.sessions()[0]['Commands'] == []
    # The stopped step is recorded: it does not run again under the same name.
    again = ansible.playbook(_play(long_step_name='slow', long_step_script=STEP.script), **NAME)
    assert again.rc != 0
    [failed] = [r for r in again.results if r['_status'] == 'failed']
    assert failed['resume']['source'] == 'recorded' and 'did not finish' in failed['msg']
    assert STEP.runs(winhost) == 1


@pytest.mark.release_sensitive("roles: the release's conditionals and argument specs")
def test_bad_values_fail_before_anything_is_sent(ansible, winhost):
    for role_vars, words in (
            (dict(long_step_name='x', long_step_script='1', long_step_timeout=0), 'long_step_timeout must be from 1'),
            (dict(long_step_name='x', long_step_script='1', long_step_idle_timeout=30), 'long_step_idle_timeout from 60'),
            (dict(long_step_name=' ', long_step_script='1'), 'long_step_name must be a non-empty name'),
            (dict(long_step_name='x', long_step_wait=False), 'long_step_wait=false needs one of them'),
            (dict(long_step_script='1'), 'long_step_name'),
            (dict(long_step_name='x', long_step_timeout='soon'), 'long_step_timeout')):
        run = ansible.playbook(_play(**role_vars), **NAME)
        assert run.rc != 0, run
        [failed] = [r for r in run.results if r['_status'] == 'failed']
        assert words in failed['msg'], (role_vars, failed['msg'])
    assert total_requests(winhost) == 0


@pytest.mark.release_sensitive("plugin loading: the release's ansible-doc -t role")
def test_ansible_doc_renders_the_role():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD, ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'role', 'psremoting.pssession.long_step'], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    for option in ('long_step_name', 'long_step_script', 'long_step_path', 'long_step_parameters', 'long_step_wait',
                   'long_step_timeout', 'long_step_poll_interval', 'long_step_idle_timeout', 'long_step_error_action',
                   'long_step_depth'):
        assert option in proc.stdout, proc.stdout
    assert not own_warnings(proc.stderr), proc.stderr


def test_the_readme_examples_run(ansible, winhost):
    with open(os.path.join(ROOT, 'roles', 'long_step', 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    wait, start, collect = re.findall(r'```yaml\n(.*?)```', readme, re.S)
    inventory = ansible.tmp / 'windows.json'
    inventory.write_text(json.dumps({'windows': {'hosts': {'win1': ansible.hostvars(ansible_pssession_name='nightly')}}}))
    run = ansible.playbook(wait, inventory=str(inventory))
    assert run.rc == 0, run
    assert _facts(run)['long_step_result']['output'] == [r'exported to C:\exports'], run.results
    assert winhost.filesystem.read_bytes(r'C:\exports\export.txt').decode('utf-8-sig').strip() == 'export of ' + \
        winhost.knobs.computer_name
    # Run again the same day: recorded, not run again.
    again = ansible.playbook(wait, inventory=str(inventory))
    assert again.rc == 0 and _facts(again)['long_step_result']['resume']['source'] == 'recorded', again.results

    first = ansible.playbook(start, inventory=str(inventory))
    assert first.rc == 0, first
    [maintenance] = [s for s in winhost.sessions() if s['Name'] == 'maintenance']
    assert (maintenance['State'], maintenance['IdleTimeOut']) == ('Disconnected', 28800), maintenance
    later = ansible.playbook(collect, inventory=str(inventory))
    assert later.rc == 0, later
    assert _facts(later)['long_step_result']['output'] == ['rebuild done'], later.results
    assert 'rebuild done' in later.stdout
