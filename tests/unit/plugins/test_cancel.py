"""The cancel guard: SIGTERM while a task holds a session releases it first, once, then hands over."""

import os
import select
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils import cancel
from ansible_collections.psremoting.pssession.plugins.plugin_utils.cancel import CancelGuard


@pytest.fixture
def calls():
    """What the SIGTERM handler before the guard (ansible's, in a worker) was called with."""
    seen = []

    def previous(signum, frame):
        del frame
        seen.append(('previous', signum))
    saved = signal.signal(signal.SIGTERM, previous)
    yield seen
    signal.signal(signal.SIGTERM, saved)


def test_a_signal_releases_then_reaches_the_previous_handler_once(calls):
    guard = CancelGuard()

    def release():
        calls.append('release')
        os.kill(os.getpid(), signal.SIGTERM)  # ansible's second SIGTERM, while releasing: held back

    guard.arm(release)
    os.kill(os.getpid(), signal.SIGTERM)
    assert calls[:2] == ['release', ('previous', signal.SIGTERM)]
    assert calls.count('release') == 1
    assert signal.getsignal(signal.SIGTERM) is not guard._on_signal  # pylint: disable=protected-access


def test_a_signal_during_close_waits_for_close_then_passes_on(calls):
    guard = CancelGuard()
    guard.arm(lambda: calls.append('release'))
    guard.closing()  # close() has begun releasing the session itself
    os.kill(os.getpid(), signal.SIGTERM)
    assert calls == []  # not released a second time, not killed mid-release
    guard.disarm()
    assert calls == [('previous', signal.SIGTERM)]


def test_no_signal_no_change(calls):
    guard = CancelGuard()
    guard.arm(lambda: calls.append('release'))
    guard.closing()
    guard.disarm()
    assert calls == [] and signal.getsignal(signal.SIGTERM) is not guard._on_signal  # pylint: disable=protected-access


def _ended(master):
    """Whether a reader of the pty (ansible-runner) sees the end of its output: all its other ends closed."""
    if not select.select([master], [], [], 0)[0]:
        return False
    try:
        return os.read(master, 1024) == b''
    except OSError:  # EIO: Linux's end of output on a pty
        return True


@pytest.fixture
def main_process(monkeypatch):
    """A process standing for ansible-playbook, whose output is a pty (ansible-runner's): the worker's parent."""
    master, slave = os.openpty()
    proc = subprocess.Popen(['sleep', '600'], stdout=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    monkeypatch.setattr(os, 'getppid', lambda: proc.pid)
    yield master, proc
    proc.kill()
    proc.wait()
    os.close(master)


def test_the_terminal_stays_open_until_the_session_is_released(calls, main_process):
    master, proc = main_process
    guard = CancelGuard()
    guard.arm(lambda: calls.append('release'))
    proc.kill()  # ansible-runner's cancel: SIGKILL to ansible-playbook's process group
    proc.wait()
    assert not _ended(master), 'the worker holds the terminal while it holds the session'
    guard.closing()
    guard.disarm()
    assert _ended(master)


def test_an_output_that_is_no_terminal_is_not_held(calls, monkeypatch):
    proc = subprocess.Popen(['sleep', '600'], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        monkeypatch.setattr(os, 'getppid', lambda: proc.pid)
        guard = CancelGuard()
        guard.arm(lambda: calls.append('release'))
        assert guard._terminal is None  # pylint: disable=protected-access
        guard.disarm()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


# A worker of a run whose main process is killed (ansible-runner's cancel): the intermediate process stands for
# ansible-playbook, its child for the task's worker, which arms the guard and waits. PARENT_POLL is an hour here:
# only Linux's word of the parent's death (PR_SET_PDEATHSIG) can start the release within the test.
ORPHANED_WORKER = r'''
import os, sys, time
from ansible_collections.psremoting.pssession.plugins.plugin_utils import cancel
cancel.PARENT_POLL = 3600.0
ready, released = sys.argv[1], sys.argv[2]
if os.fork() == 0:
    guard = cancel.CancelGuard()
    guard.arm(lambda: open(released, 'w').write('released'))
    with open(ready + '.part', 'w') as handle:
        handle.write(str(os.getpid()))
    os.rename(ready + '.part', ready)
    while True:
        time.sleep(1)
else:
    time.sleep(600)
'''


def _wait_for(condition, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'gave up waiting for ' + what
        time.sleep(0.02)


def _running(pid):
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except OSError:
        return False


def test_a_worker_whose_parent_is_killed_releases_at_once_on_linux(tmp_path):
    ready, released = tmp_path / 'ready', tmp_path / 'released'
    main = subprocess.Popen([sys.executable, '-c', ORPHANED_WORKER, str(ready), str(released)],
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)), stdin=subprocess.DEVNULL)
    try:
        _wait_for(ready.exists, 'the worker to arm its guard')
        worker = int(ready.read_text())
        main.kill()  # ansible-runner's cancel: SIGKILL to ansible-playbook
        main.wait()
        _wait_for(released.exists, 'the orphaned worker to release its session')
        _wait_for(lambda: not _running(worker), 'the worker to end as on SIGTERM')
    finally:
        main.kill()
        main.wait()
        if ready.exists() and _running(int(ready.read_text())):
            os.kill(int(ready.read_text()), signal.SIGKILL)


def test_the_death_signal_of_a_live_parent_is_no_cancel(calls):
    """Linux also sends it when the parent's thread that forked the worker ends: the parent is still there."""
    guard = CancelGuard()
    guard.arm(lambda: calls.append('release'))
    try:
        os.kill(os.getpid(), cancel.PARENT_DEATH_SIGNAL)
        assert calls == []
    finally:
        guard.closing()
        guard.disarm()
    assert signal.getsignal(cancel.PARENT_DEATH_SIGNAL) is not guard._on_parent_death  # pylint: disable=protected-access
