"""The cancel guard: SIGTERM while a task holds a session releases it first, once, then hands over."""

import os
import select
import signal
import subprocess

import pytest

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
