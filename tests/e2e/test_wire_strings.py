"""Strings holding characters XML cannot carry (NUL, other C0 controls, UTF-16 surrogates) reach
Ansible intact from a `raw` task, with our plugin and with ansible.builtin.psrp: the test host
encodes them as Windows PowerShell's serializer does (`_x0000_`, tests/winhost/README.md)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.release_sensitive("raw: the release's raw action and its stdout/stderr handling")

CONNECTIONS = {
    'pssession': {},
    'builtin': {'ansible_connection': 'ansible.builtin.psrp'},
}


@pytest.mark.parametrize('connection', list(CONNECTIONS))
def test_raw_output_with_a_nul_comes_back(ansible, connection):
    run = ansible.playbook(r"""
- hosts: win1
  gather_facts: false
  tasks:
    - name: output and an error record holding NUL and a tag character as two UTF-16 units
      raw: |
        "before`0after"
        Write-Error "bad`0input"
        'flag' + [char]0xDB40 + [char]0xDC67
""", **CONNECTIONS[connection])
    assert run.rc == 0, run
    result = run.results[0]
    assert result['stdout_lines'][:2] == ['before\x00after', 'flag\U000E0067'], result
    assert 'bad\x00input' in result['stderr'], result
