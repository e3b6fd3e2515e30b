# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""put_file and fetch_file over pipelines of the session, with SHA-1 checks both ways.

The file travels as base64 strings, one pipeline object per chunk: input objects for
put_file, output objects for fetch_file. pypsrp splits any object bigger than one WSMan
envelope into fragments, so files of any size go through. The scripts run in a local scope
and leave no variables behind in the session.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import typing as t

from ansible.errors import AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import in_running_state, max_payload

# Each chunk is one base64 string; keep it within one envelope (the room PSRP's fragment and
# message headers take is subtracted, as ansible.builtin.psrp does).
FRAGMENT_OVERHEAD = 82

# The session outlives the task, so a failed put must not leave the file open (and locked)
# in the session's process: begin/process/end cannot share one try/finally, so a failing
# chunk closes the stream before rethrowing, and Stop turns the first error into the only
# one rather than one "null-valued expression" error per remaining chunk.
PUT_SCRIPT = r"""
begin {
    $ErrorActionPreference = 'Stop'
    $path = '%(path)s'
    $stream = [System.IO.File]::Create($path)
    $sha1 = [System.Security.Cryptography.SHA1]::Create()
}
process {
    if ($_) {
        try {
            $bytes = [System.Convert]::FromBase64String($_)
            $null = $sha1.TransformBlock($bytes, 0, $bytes.Length, $bytes, 0)
            $stream.Write($bytes, 0, $bytes.Length)
        }
        catch {
            $stream.Dispose()
            throw
        }
    }
}
end {
    $stream.Dispose()
    $null = $sha1.TransformFinalBlock([byte[]]::new(0), 0, 0)
    [System.BitConverter]::ToString($sha1.Hash).Replace('-', '').ToLowerInvariant()
}
"""

FETCH_SCRIPT = r"""
$path = '%(path)s'
if (Test-Path -LiteralPath $path -PathType Leaf) {
    '[FILE]'
    $sha1 = [System.Security.Cryptography.SHA1]::Create()
    $stream = [System.IO.File]::OpenRead($path)
    try {
        $buffer = [byte[]]::new(%(buffer)d)
        while (($read = $stream.Read($buffer, 0, $buffer.Length)) -gt 0) {
            $null = $sha1.TransformBlock($buffer, 0, $read, $buffer, 0)
            [System.Convert]::ToBase64String($buffer, 0, $read)
        }
    }
    finally {
        $stream.Dispose()
    }
    $null = $sha1.TransformFinalBlock([byte[]]::new(0), 0, 0)
    '[SHA1]' + [System.BitConverter]::ToString($sha1.Hash).Replace('-', '').ToLowerInvariant()
}
elseif (Test-Path -LiteralPath $path -PathType Container) {
    '[DIR]'
}
else {
    Write-Error -Message "$path does not exist"
}
"""


def ps_quote(value: str) -> str:
    """Escape text for a PowerShell single-quoted string."""
    return re.sub("(['\u2018\u2019\u201a\u201b])", r'\1\1', value)


def put_chunk_size(max_payload_size: int) -> int:
    return int((max_payload_size - FRAGMENT_OVERHEAD) / 4 * 3)


def fetch_chunk_size(max_payload_size: int) -> int:
    b64_room = int(max_payload_size - (max_payload_size / 4 * 3))
    return max(b64_room - (b64_room % 1024), 1024)


def put_file(runner: t.Any, in_path: str, out_path: str, log: t.Callable[[str], None] | None = None) -> None:
    log = log or (lambda msg: None)
    b_in_path = to_bytes(in_path, errors='surrogate_or_strict')
    if not os.path.exists(b_in_path):
        raise AnsibleFileNotFound('file or module does not exist: "%s"' % to_native(in_path))

    chunk = put_chunk_size(max_payload(runner.pool))
    local = hashlib.sha1()

    def chunks() -> t.Iterator[list[str]]:
        sent = 0
        with open(b_in_path, 'rb') as src:
            for data in iter(lambda: src.read(chunk), b''):
                local.update(data)
                sent += len(data)
                log('PSRP PUT %s to %s (offset=%d, size=%d)' % (in_path, out_path, sent, len(data)))
                yield [to_text(base64.b64encode(data))]
        if sent == 0:
            yield ['']

    ps = runner.new_pipeline()
    ps.add_script(PUT_SCRIPT % {'path': ps_quote(out_path)}, use_local_scope=True)
    runner.start(ps, chunks())
    runner.wait(ps)
    rc, stdout, stderr = runner.result(ps)
    remote = to_text(stdout).strip().splitlines()[-1:] if stdout else []
    if rc != 0 or ps.streams.error or not remote:
        raise AnsibleError('failed to copy %s to %s on the host: %s' % (in_path, out_path, to_native(stderr) or to_native(stdout) or 'no output'))
    if remote[0].strip().lower() != local.hexdigest():
        raise AnsibleError('SHA-1 mismatch after copying %s to %s: host has %s, controller %s'
                           % (in_path, out_path, remote[0].strip(), local.hexdigest()))


def fetch_file(runner: t.Any, in_path: str, out_path: str, log: t.Callable[[str], None] | None = None) -> None:
    log = log or (lambda msg: None)
    buffer = fetch_chunk_size(max_payload(runner.pool))
    ps = runner.new_pipeline()
    ps.add_script(FETCH_SCRIPT % {'path': ps_quote(in_path), 'buffer': buffer}, use_local_scope=True)
    runner.start(ps)
    runner.poll(ps)
    while not ps.output and in_running_state(ps):
        runner.poll(ps)
    first = ps.output.pop(0) if ps.output else None
    if first == '[DIR]':
        runner.wait(ps)
        runner.result(ps)
        return  # like the other connection plugins: the caller made the directory
    if first != '[FILE]':
        runner.wait(ps)
        rc, stdout, stderr = runner.result(ps)
        raise AnsibleError('failed to fetch %s from the host: %s' % (in_path, to_native(stderr) or to_native(stdout) or 'rc %d' % rc))

    local = hashlib.sha1()
    remote = None
    b_out_path = to_bytes(out_path, errors='surrogate_or_strict')
    with open(b_out_path, 'wb') as dest:
        while True:
            while ps.output:
                item = ps.output.pop(0)
                if isinstance(item, str) and item.startswith('[SHA1]'):
                    remote = item[6:].strip().lower()
                    continue
                data = base64.b64decode(item)
                local.update(data)
                dest.write(data)
                log('PSRP FETCH %s to %s (%d bytes)' % (in_path, out_path, len(data)))
            if not in_running_state(ps):
                break
            runner.poll(ps)
    rc, stdout, stderr = runner.result(ps)
    if rc != 0 or ps.streams.error:
        raise AnsibleError('failed to fetch %s from the host: %s' % (in_path, to_native(stderr) or 'rc %d' % rc))
    if remote is None:
        raise AnsibleError('fetching %s: the host sent no SHA-1 of the file' % in_path)
    if remote != local.hexdigest():
        raise AnsibleError('SHA-1 mismatch after fetching %s: host has %s, controller got %s' % (in_path, remote, local.hexdigest()))
