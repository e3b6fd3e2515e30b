"""The cancel guard: SIGTERM while a task holds a session releases it first, once, then hands over."""

import os
import select
import signal
import subprocess
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


def _wait_for(condition, what, timeout=60):
    """Waits for observable state; the timeout only bounds a test that would otherwise hang."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'gave up waiting for ' + what
        time.sleep(0.01)


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
    # The worker's parent while it runs; once it ended, the worker is reparented (to init or a subreaper).
    monkeypatch.setattr(os, 'getppid', lambda: proc.pid if proc.poll() is None else 1)
    yield master, proc
    proc.kill()
    proc.wait()
    os.close(master)


@pytest.mark.parametrize('told', ['pidfd', 'polling'])
def test_the_terminal_stays_open_until_the_session_is_released(calls, main_process, monkeypatch, told):
    master, proc = main_process
    if told == 'polling':  # a kernel or sandbox without pidfds: the worker looks every PARENT_POLL
        monkeypatch.setattr(cancel, '_parent_exit_fd', lambda parent: None)
    guard = CancelGuard()
    held_while_releasing = []
    guard.arm(lambda: held_while_releasing.append(not _ended(master)))
    try:
        assert not _ended(master), 'the worker holds the terminal while it holds the session'
        proc.kill()  # ansible-runner's cancel: SIGKILL to ansible-playbook's process group
        proc.wait()
        # The worker sees its parent gone, cancels itself (SIGTERM) and releases the session.
        _wait_for(lambda: ('previous', signal.SIGTERM) in calls, 'the worker to cancel itself')
        assert held_while_releasing == [True], 'the terminal was held until the session was released'
        assert _ended(master), 'then let go of: ansible-runner sees the end of its output'
    finally:
        guard.disarm()  # a failed test leaves no watcher behind


def test_the_end_of_the_main_process_is_told_at_once(main_process):
    _master, proc = main_process
    fd = cancel._parent_exit_fd(proc.pid)  # pylint: disable=protected-access
    assert fd is not None, 'this Linux gives pidfds: the worker need not poll'
    try:
        assert not select.select([fd], [], [], 0)[0]
        proc.kill()
        assert select.select([fd], [], [], 30)[0], 'readable when the process ends'
    finally:
        os.close(fd)


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
