"""The cancel guard: SIGTERM while a task holds a session releases it first, once, then hands over."""

import os
import signal

from ansible_collections.psremoting.pssession.plugins.plugin_utils.cancel import CancelGuard


def _install(calls):
    def previous(signum, frame):
        del frame
        calls.append(('previous', signum))
    return signal.signal(signal.SIGTERM, previous)


def test_a_signal_releases_then_reaches_the_previous_handler_once():
    calls = []
    saved = _install(calls)
    try:
        guard = CancelGuard()

        def release():
            calls.append('release')
            os.kill(os.getpid(), signal.SIGTERM)  # ansible's second SIGTERM, while releasing: held back

        guard.arm(release)
        os.kill(os.getpid(), signal.SIGTERM)
        assert calls[:2] == ['release', ('previous', signal.SIGTERM)]
        assert calls.count('release') == 1
        assert signal.getsignal(signal.SIGTERM) is not guard._on_signal  # pylint: disable=protected-access
    finally:
        signal.signal(signal.SIGTERM, saved)


def test_a_signal_during_close_waits_for_close_then_passes_on():
    calls = []
    saved = _install(calls)
    try:
        guard = CancelGuard()
        guard.arm(lambda: calls.append('release'))
        guard.closing()  # close() has begun releasing the session itself
        os.kill(os.getpid(), signal.SIGTERM)
        assert calls == []  # not released a second time, not killed mid-release
        guard.disarm()
        assert calls == [('previous', signal.SIGTERM)]
    finally:
        signal.signal(signal.SIGTERM, saved)


def test_no_signal_no_change():
    calls = []
    saved = _install(calls)
    try:
        guard = CancelGuard()
        guard.arm(lambda: calls.append('release'))
        guard.closing()
        guard.disarm()
        assert calls == [] and signal.getsignal(signal.SIGTERM) is not guard._on_signal  # pylint: disable=protected-access
    finally:
        signal.signal(signal.SIGTERM, saved)
