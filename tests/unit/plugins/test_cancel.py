"""The cancel guard: SIGTERM while a task holds a session releases it first, once, then hands over."""

import os
import signal

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
