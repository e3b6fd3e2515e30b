import json, os
from test_builtin_parity import collections_path_fixture
assert collections_path_fixture

def test_scratch(ansible, winhost, collections_path):
    subset = os.environ.get('SUBSET', 'powershell_version')
    plugin = os.environ.get('PLUGIN', 'psremoting.pssession.psrp')
    play = os.environ.get('PLAY') or ('- hosts: win1\n  gather_facts: false\n  tasks:\n  - ansible.windows.setup: {gather_subset: [%s]}\n' % subset)
    env = ansible.env(ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false')
    run = ansible.playbook(play, env=env, ansible_connection=plugin)
    print(json.dumps(run.results, indent=1)[:20000])
    print(winhost.stats()['tripwire'])
    assert False
