"""The README's playbook of Windows modules and session state ("Windows modules and facts"), run as written against
the test host: facts over the session, win_file, a function defined by a raw task, win_copy's `content:`, and an
invoke task that calls that function and sees what the modules made."""

from __future__ import annotations

import json
import os
import re

from e2e_support import BUILD, ROOT, install_ansible_windows

MARKER = re.compile(r'<!-- readme-test: testhost-playbook -->\n```yaml\n(?P<body>.*?)^```$', re.M | re.S)


def readme_playbook() -> str:
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        (body,) = [m['body'] for m in MARKER.finditer(handle.read())]
    return body


def test_the_readme_playbook_runs_as_written(ansible, winhost, tmp_path):
    install_ansible_windows(BUILD)
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'windows': {'hosts': {'win1': ansible.hostvars()}}}))
    run = ansible.playbook(readme_playbook(), inventory=str(inventory))
    assert [r['_status'] for r in run.results] == ['ok'] * 6, run
    facts, folder, function, copy, invoked, shown = run.results
    hostname = facts['ansible_facts']['ansible_hostname']
    assert folder['changed'] and copy['changed'] and not function['changed'] and not invoked['changed'], run.results
    # The function a raw task defined in the session lists what the two modules made, seen by the invoke task.
    assert invoked['output'] == ['hello.txt'] and shown['msg'] == ['hello.txt'], (invoked, shown)
    assert winhost.filesystem.read_bytes('C:\\pssession-demo\\hello.txt') == f'Written for {hostname}'.encode()
