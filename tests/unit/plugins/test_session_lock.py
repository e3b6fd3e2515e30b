"""The per-session lock serializes tasks of one controller and says who holds it."""

import multiprocessing
import os
import time

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import LockTimeout, SessionLock, lock_directory


def _hold(directory, seconds, ready):
    lock = SessionLock('k', directory)
    lock.acquire(5, 'session k')
    ready.set()
    time.sleep(seconds)
    lock.release()


def test_second_holder_waits_then_gets_it(tmp_path):
    ctx = multiprocessing.get_context('fork')
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path), 0.5, ready))
    holder.start()
    assert ready.wait(10)
    started = time.monotonic()
    lock = SessionLock('k', str(tmp_path))
    lock.acquire(10, 'session k')
    waited = time.monotonic() - started
    lock.release()
    holder.join()
    assert 0.2 < waited < 5


def test_timeout_names_the_holder_and_since_when(tmp_path):
    ctx = multiprocessing.get_context('fork')
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path), 3, ready))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(LockTimeout) as err:
        SessionLock('k', str(tmp_path)).acquire(0.3, "session 'build'")
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


def test_lock_directory_is_private(tmp_path, monkeypatch):
    path = tmp_path / 'locks'
    monkeypatch.setenv('ANSIBLE_PSSESSION_LOCK_DIR', str(path))
    assert lock_directory() == str(path)
    assert os.stat(path).st_mode & 0o777 == 0o700
    os.chmod(path, 0o777)
    with pytest.raises(Exception, match='writable by it only'):
        lock_directory()
