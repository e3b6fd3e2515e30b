"""put_file / fetch_file of the connection plugin against the test host.

The plugin's transfer scripts (plugins/plugin_utils/file_transfer.py) run on the host's
interpreter: [System.IO.File] streams, base64, SHA-1 TransformBlock/TransformFinalBlock,
BitConverter and Test-Path on the host's in-memory drive C:, which lives as long as the
test host (sessions and restarts do not clear it).

Copying through ansible's own actions (win_copy, fetch) needs the ansible.windows
collection's PowerShell modules, which need Add-Type/C# on the host; so this test drives the
plugin's put_file/fetch_file through ansible's plugin loader in a subprocess.
"""

from __future__ import annotations

import hashlib
import os
import re

import pytest

from e2e_support import transfer_files

pytestmark = pytest.mark.release_sensitive("file transfer: the release's shell plugin command lines and path quoting")


def test_put_and_fetch_a_file_larger_than_one_envelope(ansible, winhost, tmp_path):
    src = tmp_path / 'big.bin'
    payload = os.urandom(1536 * 1024)  # several envelopes each way (the host's MaxEnvelopeSizekb is 500)
    src.write_bytes(payload)
    back = tmp_path / 'back.bin'
    remote = 'C:\\Windows\\Temp\\big.bin'
    results = transfer_files(ansible, [['put', str(src), remote], ['fetch', remote, str(back)]], 'files')
    assert results == [{'ok': True}, {'ok': True}]
    assert hashlib.sha1(back.read_bytes()).hexdigest() == hashlib.sha1(payload).hexdigest()
    # The host's disk really holds the file, under Windows' case-insensitive name.
    assert winhost.filesystem.read_bytes('c:\\windows\\temp\\BIG.BIN') == payload
    # Several envelopes went each way: the put's input took several Sends, the fetch's output several Receives.
    actions = winhost.stats()['actions']
    assert actions['Send']['requests'] >= 3 and actions['Send']['bytes_in'] > len(payload)
    assert actions['Receive']['bytes_out'] > len(payload)


def test_put_and_fetch_an_empty_file_and_the_disk_survives_a_restart(ansible, winhost, tmp_path):
    empty = tmp_path / 'empty.txt'
    empty.write_bytes(b'')
    results = transfer_files(ansible, [['put', str(empty), 'C:\\Users\\user\\empty.txt']], 'files')
    assert results == [{'ok': True}]
    winhost.restart()  # a reboot: sessions are gone, the disk is not
    back = tmp_path / 'empty-back.txt'
    results = transfer_files(ansible, [['fetch', 'C:\\Users\\user\\empty.txt', str(back)]], 'files-after-reboot')
    assert results == [{'ok': True}]
    assert back.read_bytes() == b''


def test_fetch_of_a_missing_file_and_of_a_directory(ansible, winhost, tmp_path):
    missing = tmp_path / 'missing.bin'
    directory = tmp_path / 'dir-copy'
    results = transfer_files(ansible, [['fetch', 'C:\\Windows\\Temp\\nope.bin', str(missing)],
                                       ['fetch', 'C:\\Windows\\Temp', str(directory)],
                                       ['put', str(tmp_path / 'not-here.bin'), 'C:\\Windows\\Temp\\x.bin'],
                                       ['put', __file__, 'C:\\NoSuchDir\\x.py']], 'files')
    assert results[0]['ok'] is False and results[0]['type'] == 'AnsibleError', results
    assert 'failed to fetch C:\\Windows\\Temp\\nope.bin from the host' in results[0]['error']
    assert 'C:\\Windows\\Temp\\nope.bin does not exist' in results[0]['error']
    assert not missing.exists()
    # A directory is not an error for the plugin (as with ansible.builtin.psrp: the fetch action made the
    # directory itself); nothing is written.
    assert results[1] == {'ok': True}
    assert not directory.exists()
    assert results[2]['ok'] is False and results[2]['type'] == 'AnsibleFileNotFound', results
    # File.Create in a directory that does not exist: .NET's DirectoryNotFoundException, through the plugin.
    assert results[3]['ok'] is False and 'failed to copy' in results[3]['error'], results
    assert "Could not find a part of the path 'C:\\NoSuchDir\\x.py'." in results[3]['error']
    # One error, not one more per chunk: the put stops at the first failure.
    assert 'null-valued expression' not in results[3]['error'], results[3]['error']
    assert not winhost.filesystem.exists('C:\\NoSuchDir')


def test_the_shell_plugins_command_lines_run_in_the_session(ansible, winhost, tmp_path):
    """exists and remove as this ansible-core's powershell shell plugin writes them run as scripts in the
    session, as ansible.builtin.psrp runs them (2.21 changed that command line: lower-case interpreter,
    quoted -EncodedCommand), not as a command that would start another PowerShell on the host."""
    src = tmp_path / 'shell.txt'
    src.write_bytes(b'x')
    remote = 'C:\\Windows\\Temp\\shell file.txt'
    results = transfer_files(ansible, [['put', str(src), remote], ['exists', remote, ''], ['remove', remote, ''],
                                       ['exists', remote, '']], 'shell-commands')
    for result in results[1:]:
        stderr = result.pop('stderr')
        unknown = re.findall(r"The term '([^']+)' is not recognized", stderr)
        # 2.16 to 2.20's shell plugin starts these scripts with `Set-StrictMode -Version Latest`, which the host
        # runs: the rest of the script runs in strict mode. Nothing may fail: run as a raw script, the host
        # would not know the command 'powershell' either.
        assert unknown == [], stderr
        assert 'FullyQualifiedErrorId' not in stderr, stderr
    assert results == [{'ok': True}, {'ok': True, 'rc': 0}, {'ok': True, 'rc': 0}, {'ok': True, 'rc': 1}], results
    assert not winhost.filesystem.exists(remote)
    # Those scripts run in a local scope of their own (AddScript's useLocalScope, as ansible.builtin.psrp
    # runs them), so their strict mode ends with them: a later raw task of the same session is not in it.
    later = ansible.adhoc('ansible.builtin.raw', '"[$never_set_anywhere]"', ansible_pssession_name='shell-commands')
    assert later.rc == 0 and later.results[0]['stdout_lines'] == ['[]'], later
    assert later.results[0]['stderr'] == '', later.results[0]
