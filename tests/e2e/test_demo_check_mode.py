"""Every demo playbook passes under --check, where its real run passes: before each real run of
the demo's sequence, the same playbook in check mode, which runs nothing on the host."""

from __future__ import annotations

import json
import os

from e2e_support import ROOT

DEMO = os.path.join(ROOT, 'demo')


def _commands(host):
    return host.stats()['actions'].get('Command', {}).get('requests', 0)


def test_each_demo_playbook_passes_in_check_mode_then_for_real(ansible, winhost):
    # The demo's playbooks target the group windows.
    inventory = ansible.tmp / 'inventory.json'
    inventory.write_text(json.dumps({'windows': {'hosts': {'win1': ansible.hostvars(ansible_pssession_name='demo')}}}))
    for playbook in sorted(f for f in os.listdir(DEMO) if f.endswith('.yml')):
        path = os.path.join(DEMO, playbook)
        before = _commands(winhost)
        check = ansible.playbook_file(path, '--check', '--diff', inventory=str(inventory))
        assert check.rc == 0, (playbook, check)
        assert _commands(winhost) == before, '%s: check mode ran a command on the host' % playbook
        real = ansible.playbook_file(path, inventory=str(inventory))
        assert real.rc == 0, (playbook, real)
