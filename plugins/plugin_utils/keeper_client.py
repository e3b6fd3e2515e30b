# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task's side of the run's keeper (keeper.py, docs/design.md section 9): hand it the task, or start it.

Which failure means what, the one rule that keeps a command from running twice:
- nothing of a request reached the keeper (no keeper, a refused connect, a failed send): KeeperUnavailable,
  and the task runs in its own worker, as without a keeper;
- the request went out and no answer came (the keeper died): an error saying the command may have run,
  never a second try.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import typing as t
import warnings

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible_collections.psremoting.pssession.plugins.plugin_utils.keeper_protocol import (
    Reader, StreamBroken, keeper_paths, send, unix_address,
)

# Seconds a cancelled or timed-out task waits for the keeper to stop its command and let the session go.
RELEASE_WAIT = 10.0


class KeeperUnavailable(Exception):
    """Nothing of the request reached a keeper: the worker runs the task itself."""


class KeeperClient:
    """One task's connection to the keeper of its run."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = Reader(sock)
        self.pending: str | None = None  # the request sent and not answered yet
        self.sending = False  # a request is being written: cut off there (a signal), the stream holds half of it

    @classmethod
    def connect(cls, path: str) -> KeeperClient:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with unix_address(path) as address:
                sock.connect(address)
        except OSError as err:
            sock.close()
            raise KeeperUnavailable(str(err)) from None
        return cls(sock)

    @property
    def in_step(self) -> bool:
        """Whether the stream can take another request: not after one whose answer was never read (a task timeout
        interrupted the wait) or was read in part."""
        return self.sock is not None and self.pending is None and not self.reader.partial and not self.sending

    def request(self, message: dict[str, t.Any], what: str, retry_safe: bool = False) -> dict[str, t.Any]:
        """Send a request and return the answer; raise the keeper's error as the worker would have.

        ``retry_safe``: a request that runs nothing on the host (open): a keeper that ends before answering it is
        a keeper that is not there (KeeperUnavailable), and the worker opens the session itself."""
        self.sending = True
        try:
            send(self.sock, message)
        except OSError as err:
            self.close_socket()
            raise KeeperUnavailable(str(err)) from None
        self.sending = False
        self.pending = message['op']
        try:
            reply = self.reader.receive()
            if reply.get('op') != message['op']:
                raise StreamBroken('an answer to %r, not to %r' % (reply.get('op'), message['op']), True)
        except (StreamBroken, OSError, ValueError) as err:
            self.close_socket()
            if retry_safe:
                raise KeeperUnavailable(str(err)) from None
            raise AnsibleConnectionFailure(
                'psremoting.pssession.psrp: the run\'s keeper process ended while %s (%s); it may have run on the host, '
                'so it is not sent again' % (what, err)) from None
        self.pending = None
        return reply

    def release(self, cancelled: bool) -> dict[str, t.Any] | None:
        """End the task at the keeper: the session parked (or, with a request still running or ``cancelled``, its
        command stopped and the session disconnected). The answer, or None if the keeper is gone or the stream
        cannot be read on (a read cut off in the middle): then closing the socket says it all."""
        if self.sock is None:
            return None
        try:
            if self.reader.partial or self.sending:
                # Half a message read or written: nothing more can be said on this stream. Closing it says it all:
                # the keeper stops a command still running (or, with no request whole, lets the session go).
                return None
            self.sock.settimeout(RELEASE_WAIT)
            send(self.sock, {'op': 'cancel' if cancelled else 'close'})
            while True:
                reply = self.reader.receive()
                if reply.get('op') == 'close':
                    return reply
                # The answer of the request the task stopped waiting for, sent before ours was read: dropped.
        except (StreamBroken, OSError, ValueError):
            return None
        finally:
            self.close_socket()

    def close_socket(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()


def raise_error(reply: dict[str, t.Any]) -> None:
    """The keeper's error as an exception of the kind the worker would have raised (UNREACHABLE or failed)."""
    error = reply.get('error')
    if not error:
        return
    if error.get('unreachable'):
        raise AnsibleConnectionFailure(error.get('msg') or 'psremoting.pssession.psrp: the keeper failed')
    raise AnsibleError(error.get('msg') or 'psremoting.pssession.psrp: the keeper failed (%s)' % error.get('type'))


def start_keeper(run_pid: int) -> int | None:
    """Fork the keeper of this run from this worker, unless one runs or starts already; its pid, or None.

    The keeper's lock file is held (flock) for the keeper's whole life: whoever gets it is the one that starts
    it, and a keeper that died lets it go, so the next task starts another. The socket is bound before the
    fork, so the next task can connect at once."""
    socket_path, lock_path = keeper_paths(run_pid)
    lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, 'O_NOFOLLOW', 0), 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock_fd)
        return None
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            os.unlink(socket_path)  # a keeper that died left it
        except FileNotFoundError:
            pass
        with unix_address(socket_path) as address:
            server.bind(address)
        server.listen(64)
        pid = -1
        # No cancel signal may reach the keeper before it has its own handlers (keeper._detach unblocks them).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGURG})
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns of a fork in a process with threads (a worker's queue feeder): the keeper uses
                # none of their locks (keeper._detach), and the warning would land in the task's output.
                warnings.simplefilter('ignore', DeprecationWarning)
                pid = os.fork()
        finally:
            if pid != 0:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    except BaseException:
        server.close()
        os.close(lock_fd)
        raise
    if pid == 0:  # the keeper
        code = 0
        try:
            from ansible_collections.psremoting.pssession.plugins.plugin_utils import keeper  # pylint: disable=import-outside-toplevel
            keeper.run(server, socket_path, lock_fd, run_pid)
        except BaseException:  # pylint: disable=broad-except  # a keeper that fails is a keeper gone: tasks run in workers
            code = 1
        os._exit(code)  # pylint: disable=protected-access  # never the worker's exit handlers
    server.close()
    os.close(lock_fd)
    return pid
