"""Twenty hosts with ten forks, under network faults: every host keeps its own session and state.

The hosts are inventory aliases of the one test host, each with a session name of its own (the
session key is address, port, user and name, so aliases without names would share one session).
Faults are armed on protocol events before the run: the first Receive of some commands is
dropped or reset before the host handles it, and one Command's answer is lost after the host
started it. Whichever forks they hit, each must be ridden out without losing a line or running a
command twice.
"""

from __future__ import annotations

import json

from e2e_support import timeline

HOSTS = 20
FORKS = 10
PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - raw: $n = 1; $me = '{{ inventory_hostname }}'
      changed_when: false
    - raw: $n += 1
      changed_when: false
    - raw: $n += 1; "$me n=$n"
      changed_when: false
"""
TASKS = 3


def _inventory(ansible) -> str:
    hosts = {}
    for index in range(HOSTS):
        name = 'win%02d' % index
        # Receives dropped below are sent again: reconnection_retries allows it (the default, 0, would not).
        hosts[name] = ansible.hostvars(ansible_pssession_name='many-%s' % name, ansible_pssession_busy_timeout=0,
                                       ansible_psrp_reconnection_retries=3, ansible_psrp_reconnection_backoff=0)
    path = ansible.tmp / 'many.json'
    path.write_text(json.dumps({'all': {'hosts': hosts}}))
    return str(path)


def test_twenty_hosts_with_ten_forks_ride_out_faults_and_keep_their_own_state(ansible, winhost):
    inventory = _inventory(ansible)
    winhost.knobs.fail_next('Receive', 3, 'drop', nth=1)
    winhost.knobs.fail_next('Receive', 2, 'reset', nth=1)
    winhost.knobs.fail_next('Command', 1, 'drop_after')

    run = ansible.playbook(PLAY, '--forks', str(FORKS), inventory=inventory, timeout=600)

    assert run.rc == 0, run
    finals = sorted(r['stdout'].strip() for r in run.results if r.get('stdout', '').strip())
    assert finals == ['win%02d n=3' % i for i in range(HOSTS)], 'each host kept its own state, no line lost'
    stats = winhost.stats()
    faults = stats['faults']
    assert sorted(f['mode'] for f in faults) == ['drop', 'drop', 'drop', 'drop_after', 'reset', 'reset'], faults
    # One Command per task and host: the one whose answer was lost was not sent again.
    assert stats['actions']['Command']['requests'] == HOSTS * TASKS
    assert len(timeline(winhost, 'command_started')) == HOSTS * TASKS
    assert stats['actions']['Create']['requests'] == HOSTS
    # Nothing left held: every session waits Disconnected for the next run.
    states = {s['Name']: s['State'] for s in winhost.sessions()}
    assert states == {'many-win%02d' % i: 'Disconnected' for i in range(HOSTS)}, states

    # Usable again at once: a second run (busy_timeout 0) finds every host's state.
    again = ansible.playbook("""
- hosts: all
  gather_facts: false
  tasks:
    - raw: '"$me n=$n"'
      changed_when: false
""", '--forks', str(FORKS), inventory=inventory, timeout=600)
    assert again.rc == 0, again
    assert sorted(r['stdout'].strip() for r in again.results) == ['win%02d n=3' % i for i in range(HOSTS)]
    assert winhost.stats()['actions']['Create']['requests'] == HOSTS, 'no session had to be recreated'
