# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One task at a time per session on this controller: an fcntl lock per session key.

The lock file also records who holds it (pid, since when) for the message a waiting task
gives up with. Next to it a small state file remembers the last shell this controller used
for the key, so that a session which has vanished is noticed and reported as recreated.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import tempfile
import threading
import time
import typing as t

from ansible.errors import AnsibleError


def lock_directory() -> str:
    """A directory only this user can write: $ANSIBLE_PSSESSION_LOCK_DIR or <tmp>/ansible-pssession-<uid>."""
    path = os.environ.get('ANSIBLE_PSSESSION_LOCK_DIR') or os.path.join(tempfile.gettempdir(), 'ansible-pssession-%d' % os.getuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise AnsibleError('The session lock directory %s must be a directory owned by uid %d and writable by it only' % (path, os.getuid()))
    return path


def local_time(stamp: t.Any) -> str:
    """A time.time() value as messages show it ('2026-12-02 06:12:27 +0000'); 'an unknown time' for anything else."""
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and stamp:
        return time.strftime('%Y-%m-%d %H:%M:%S %z', time.localtime(stamp))
    return 'an unknown time'


def write_private_json(path: str, value: t.Any) -> None:
    """Replace path atomically with value as JSON, readable and writable by this user only (0600)."""
    tmp = '%s.%d.tmp' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, 'O_NOFOLLOW', 0), 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        json.dump(value, handle)
    os.replace(tmp, path)


def _overwrite(fd: int, data: bytes) -> None:
    """Write data over the file's content in place: one pwrite, padded with spaces (which JSON ignores) to the
    file's size, so the file is never truncated nor replaced.

    Why not a new file renamed over the old one (write_private_json) or a truncate and write: ext4 (the usual
    Linux file system, mounted with its default auto_da_alloc) starts writing a file's data to disk when it is
    renamed over another one or truncated to zero and written again, and the call waits for that: 0.4 ms to
    4 ms each on a busy 2-CPU machine (measured), against 0.01 ms for this write, at 3 to 5 writes per task.
    Readers and writers of the state hold the lock, and a JSON text of a few hundred bytes goes in one page
    in one call, so a reader never sees half of it; after a power loss the file may be torn, which
    read_state takes as no state (the next task then finds its session by name, as a first task does).
    """
    size = os.fstat(fd).st_size
    os.pwrite(fd, data.ljust(size), 0)


class LockTimeout(AnsibleError):
    """Another task on this controller held the session for longer than we could wait."""

    def __init__(self, message: str, holder: dict[str, t.Any]) -> None:
        super().__init__(message)
        self.holder = holder


class SessionLock:
    """An exclusive lock for one session key."""

    def __init__(self, digest: str, directory: str | None = None) -> None:
        self.directory = directory or lock_directory()
        self.path = os.path.join(self.directory, '%s.lock' % digest)
        self.state_path = os.path.join(self.directory, '%s.json' % digest)
        self._fd: int | None = None
        # The run's keeper may release from two threads at once (a request's thread failing in open() while the
        # handler closes the abandoned task): the descriptor must be closed once, or the second close could hit a
        # number another thread has opened since.
        self._releasing = threading.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> dict[str, t.Any]:
        """Who holds (or last held) the lock, as written by the holder."""
        try:
            with open(self.path, encoding='utf-8') as handle:
                return json.loads(handle.read() or '{}')
        except (OSError, ValueError):
            return {}

    def acquire(self, timeout: float, description: str, poll: float = 0.1) -> None:
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        deadline = time.monotonic() + max(timeout, 0)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as err:
                    if err.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    since = holder.get('since')
                    raise LockTimeout(
                        'The %s is busy: another task on this controller (pid %s) has held it since %s; waited %ss (busy_timeout)'
                        % (description, holder.get('pid', 'unknown'),
                           local_time(since), timeout),
                        holder)
                time.sleep(poll)
        except BaseException:
            os.close(fd)
            raise
        _overwrite(fd, json.dumps({'pid': os.getpid(), 'since': time.time()}).encode('utf-8'))
        self._fd = fd

    def release(self) -> None:
        with self._releasing:
            fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # The state file is read and written only while the lock is held.
    def read_state(self) -> dict[str, t.Any]:
        try:
            with open(self.state_path, encoding='utf-8') as handle:
                value = json.load(handle)
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def write_state(self, state: dict[str, t.Any] | None) -> None:
        if not state:
            try:
                os.unlink(self.state_path)
            except FileNotFoundError:
                pass
            return
        fd = os.open(self.state_path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        try:
            _overwrite(fd, json.dumps(state).encode('utf-8'))
        finally:
            os.close(fd)
