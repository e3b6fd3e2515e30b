# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Release the session when the worker running a task is cancelled.

A cancelled run (Ctrl-C, an AWX cancel: SIGINT to ansible-playbook) ends its task workers
with SIGTERM; ansible-core's worker handler (``WorkerProcess._term``, 2.16 to 2.21) then
kills the worker's process group at once. Without a say in that, the worker's pipeline keeps
running on the host and the session stays Connected to a client that is gone, so the next
run finds it busy for minutes. While a task holds a session, SIGINT and SIGTERM first run
the connection's close() (which stops an unfinished command and disconnects, with short
timeouts), then whatever handler was there before, so ansible ends the worker as it always
does.
"""

from __future__ import annotations

import signal
import threading
import typing as t

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class CancelGuard:
    """Chains a release step in front of the SIGINT/SIGTERM handlers while a task holds a session."""

    def __init__(self) -> None:
        self._previous: dict[int, t.Any] = {}
        self._release: t.Callable[[], None] | None = None

    def arm(self, release: t.Callable[[], None]) -> None:
        # Signal handlers can only be set from the main thread (ansible's workers run tasks there).
        if self._previous or threading.current_thread() is not threading.main_thread():
            return
        self._release = release
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)

    def disarm(self) -> None:
        previous, self._previous = self._previous, {}
        self._release = None
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: t.Any) -> None:
        release, previous = self._release, self._previous.get(signum, signal.SIG_DFL)
        self._release = None
        if release is not None:
            # ansible terminates a worker more than once (the task queue manager, then
            # multiprocessing at exit): hold those signals back until the session is released.
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
            try:
                release()
            except Exception:  # pylint: disable=broad-except  # the worker is going away regardless
                pass
            finally:
                self.disarm()
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self.disarm()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.raise_signal(signum)
