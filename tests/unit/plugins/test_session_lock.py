"""The per-session lock serializes tasks of one controller and says who holds it."""

import multiprocessing
import os
import threading
import time

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_overrides import write_override
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import LockTimeout, SessionLock, lock_directory


def _hold(directory, ready, release, released):
    """Hold the lock until the test says so; mark that it let go before it does."""
    lock = SessionLock('k', directory)
    lock.acquire(5, 'session k')
    ready.set()
    release.wait(120)
    released.value = 1
    lock.release()


def _holder(tmp_path):
    ctx = multiprocessing.get_context('fork')
    ready, release, released = ctx.Event(), ctx.Event(), ctx.Value('i', 0)
    holder = ctx.Process(target=_hold, args=(str(tmp_path), ready, release, released))
    holder.start()
    assert ready.wait(120)
    return holder, release, released


def _has_open(path):
    """Whether this process has path open: SessionLock keeps its lock file open while it waits."""
    for fd in os.listdir('/proc/self/fd'):
        try:
            if os.readlink('/proc/self/fd/%s' % fd) == path:
                return True
        except OSError:
            continue
    return False


def test_second_holder_waits_then_gets_it(tmp_path):
    holder, release, released = _holder(tmp_path)
    lock = SessionLock('k', str(tmp_path))
    got = {}

    def take():
        lock.acquire(120, 'session k')
        got['after_release'] = released.value == 1

    waiter = threading.Thread(target=take)
    waiter.start()
    deadline = time.monotonic() + 120
    while not _has_open(lock.path):
        assert time.monotonic() < deadline, 'the second holder never started waiting'
        time.sleep(0.01)
    assert not got, 'the lock was taken while another process held it'
    release.set()
    waiter.join(120)
    lock.release()
    holder.join()
    assert got == {'after_release': True}


def test_timeout_names_the_holder_and_since_when(tmp_path):
    holder, release, _released = _holder(tmp_path)
    try:
        with pytest.raises(LockTimeout) as err:
            SessionLock('k', str(tmp_path)).acquire(0.3, "session 'build'")
    finally:
        release.set()
        holder.join()
    msg = str(err.value)
    assert "session 'build'" in msg and 'busy' in msg and 'pid %d' % holder.pid in msg and 'since 20' in msg


def test_state_is_kept_per_key(tmp_path):
    lock = SessionLock('a', str(tmp_path))
    lock.acquire(1, 'a')
    assert lock.read_state() == {}
    lock.write_state({'shell_id': 'X'})
    assert SessionLock('a', str(tmp_path)).read_state() == {'shell_id': 'X'}
    assert SessionLock('b', str(tmp_path)).read_state() == {}
    lock.write_state(None)
    assert lock.read_state() == {}
    lock.release()
    lock.release()  # idempotent


def test_state_and_holder_are_written_in_place(tmp_path):
    """Each write replaces the whole state, also a shorter one after a longer one, in the same file (no rename
    nor truncate, which ext4 makes wait for the disk: session_lock._overwrite)."""
    lock = SessionLock('s', str(tmp_path))
    lock.acquire(1, 's')
    assert lock.holder()['pid'] == os.getpid()
    lock.write_state({'shell_id': 'X', 'holder': {'pid': 1, 'command': 'C' * 200}})
    inode = os.stat(lock.state_path).st_ino
    lock.write_state({'shell_id': 'Y'})
    assert SessionLock('s', str(tmp_path)).read_state() == {'shell_id': 'Y'}
    assert os.stat(lock.state_path).st_ino == inode
    lock.release()
    with open(lock.path, 'w', encoding='utf-8') as handle:  # a longer holder record than the next one
        handle.write('{"pid": 1, "since": 1.0, "note": "%s"}' % ('n' * 100))
    again = SessionLock('s', str(tmp_path))
    again.acquire(1, 's')
    assert again.holder() == {'pid': os.getpid(), 'since': again.holder()['since']}
    again.release()


def test_lock_directory_is_private(tmp_path, monkeypatch):
    path = tmp_path / 'locks'
    monkeypatch.setenv('ANSIBLE_PSSESSION_LOCK_DIR', str(path))
    assert lock_directory() == str(path)
    assert os.stat(path).st_mode & 0o777 == 0o700
    os.chmod(path, 0o777)
    with pytest.raises(Exception, match='writable by it only'):
        lock_directory()


def test_state_files_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        lock = SessionLock('p', str(tmp_path))
        lock.acquire(1, 'p')
        lock.write_state({'shell_id': 'X'})
        lock.release()
        write_override('p', {'session_name': 'n'}, run='r', directory=str(tmp_path))
    finally:
        os.umask(old)
    modes = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()}
    assert modes and set(modes.values()) == {0o600}, modes
