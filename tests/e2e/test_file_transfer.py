"""put_file / fetch_file of the connection plugin against the test host, as far as its interpreter allows.

The plugin's transfer scripts need .NET file streams, base64 and SHA-1 on the host
([System.IO.File], [System.Convert], [System.Security.Cryptography.SHA1]). The test host's
PowerShell subset may not have them: the test probes first and is skipped with the reason.
The chunking and checksum logic is covered without a host in tests/unit.

Copying through ansible's own actions (win_copy, fetch) needs the ansible.windows
collection's PowerShell modules, which need Add-Type/C# on the host; so this test drives the
plugin's put_file/fetch_file through ansible's plugin loader in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from e2e_support import BUILD

PROBE = "[System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes('ok')); [System.IO.File]::Exists('C:\\\\x')"

DRIVER = r"""
import json, sys
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader, init_plugin_loader
init_plugin_loader([sys.argv[1]])
hostvars, src, remote, back = json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
conn = connection_loader.get('psremoting.pssession.psrp', PlayContext(), '/dev/null')
conn.set_options(var_options=hostvars)
conn._connect()
try:
    conn.put_file(src, remote)
    conn.fetch_file(remote, back)
finally:
    conn.close()
"""


def _require_file_support(ansible):
    run = ansible.adhoc('raw', PROBE, ansible_pssession_session_name='probe')
    if run.rc != 0 or not run.stdouts() or not run.stdouts()[0].startswith('b2s='):
        detail = (run.results[0].get('stderr') or run.results[0].get('msg') or '') if run.results else run.output
        pytest.skip("the test host's interpreter has no .NET file/base64 support: %s" % detail.strip().splitlines()[0][:160])


def test_put_and_fetch_a_file_larger_than_one_envelope(ansible, winhost, tmp_path):
    _require_file_support(ansible)
    src = tmp_path / 'big.bin'
    src.write_bytes(os.urandom(600 * 1024))  # several 150 KiB envelopes
    back = tmp_path / 'back.bin'
    hostvars = ansible.hostvars(ansible_pssession_session_name='files')
    proc = subprocess.run([sys.executable, '-c', DRIVER, BUILD, json.dumps(hostvars), str(src), 'C:\\Temp\\big.bin', str(back)],
                          env=ansible.env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert back.read_bytes() == src.read_bytes()
