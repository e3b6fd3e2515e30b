# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a task's worker and its run's keeper process talk (docs/design.md section 9).

Where the keeper of a run listens (a Unix socket in the session lock directory, which only this
user can enter, named after the run's main process), and one message: 4 bytes of length, then
JSON. Bytes travel as base64 under a key ending in ``_b64``. Both sides import this module; the
worker imports nothing else of the keeper's.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import typing as t

from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import process_start_time, run_process_id
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import lock_directory

# The longest path a Unix socket address holds on Linux (sun_path is 108 bytes, with the final NUL).
MAX_UNIX_ADDRESS = 108

# A module's result is rarely over a few MB; anything near this is a corrupt stream, not a message.
MAX_MESSAGE = 1 << 30


class StreamBroken(Exception):
    """The other side closed the socket, or the stream is not a message; ``partial``: part of one was read."""

    def __init__(self, msg: str, partial: bool) -> None:
        super().__init__(msg)
        self.partial = partial


@contextlib.contextmanager
def unix_address(path: str) -> t.Iterator[str]:
    """What to bind or connect to for the socket file ``path``, while the block runs: the path itself, or, where
    the path is too long to be an address, the same file through an open descriptor of its directory
    (/proc/self/fd/N/name, closed after the block).

    Why: a Unix socket's address is at most 107 bytes on Linux, and the session lock directory's path may be
    longer (a deep home or temporary directory: pytest's, an AWX job's private data dir); through the descriptor
    the address is short whatever the directory's path is. Linux resolves /proc/self/fd/N to the directory
    itself, so the file is the same one, with that directory's permissions."""
    if len(os.fsencode(path)) < MAX_UNIX_ADDRESS or not os.path.isdir('/proc/self/fd'):
        yield path
        return
    dir_fd = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield '/proc/self/fd/%d/%s' % (dir_fd, os.path.basename(path))
    finally:
        os.close(dir_fd)


def keeper_paths(run_pid: int | None = None) -> tuple[str, str]:
    """(socket, lock file) of the keeper of the run whose main process is run_pid (default: this run).

    The main process's start time is part of the name, so a later run that gets the same pid never
    finds an old run's keeper."""
    pid = run_process_id() if run_pid is None else run_pid
    base = os.path.join(lock_directory(), 'keeper-%d-%d' % (pid, process_start_time(pid) or 0))
    return base + '.sock', base + '.lock'


def encode_bytes(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode('ascii')


def decode_bytes(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def send(sock: socket.socket, message: dict[str, t.Any]) -> None:
    """Send one message whole (sendall): the other side reads either all of it or nothing it can use."""
    data = json.dumps(message, default=str).encode('utf-8')
    sock.sendall(len(data).to_bytes(4, 'big') + data)


class Reader:
    """Reads messages from one socket, and knows whether one was cut off in the middle (``partial``): then
    the stream cannot be read on, e.g. after a task's timeout interrupted the read (an exception from a
    signal handler)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.partial = False

    def receive(self) -> dict[str, t.Any]:
        """Read one message. StreamBroken on end of stream or on something that is not a message."""
        header = self._exactly(4)
        size = int.from_bytes(header, 'big')
        if size > MAX_MESSAGE:
            raise StreamBroken('a message of %d bytes: not this protocol' % size, True)
        message = json.loads(self._exactly(size).decode('utf-8'))
        self.partial = False
        if not isinstance(message, dict):
            raise StreamBroken('a message that is not an object', True)
        return message

    def _exactly(self, count: int) -> bytes:
        chunks = []
        left = count
        while left:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                raise StreamBroken('the other side closed the connection', self.partial)
            self.partial = True
            chunks.append(chunk)
            left -= len(chunk)
        return b''.join(chunks)
