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
does. A worker whose main process has died does the same.
"""

from __future__ import annotations

import os
import signal
import threading
import typing as t

SIGNALS = (signal.SIGINT, signal.SIGTERM)
PARENT_POLL = 0.5  # seconds between looks at whether the run's main process is still there


class CancelGuard:
    """Chains a release step in front of the SIGINT/SIGTERM handlers while a task holds a session."""

    def __init__(self) -> None:
        self._previous: dict[int, t.Any] = {}
        self._release: t.Callable[[], None] | None = None
        self._pending: tuple[int, t.Any] | None = None  # a signal that came while close() was releasing
        self._watch: threading.Event | None = None

    def arm(self, release: t.Callable[[], None]) -> None:
        # Signal handlers can only be set from the main thread (ansible's workers run tasks there).
        if self._previous or threading.current_thread() is not threading.main_thread():
            return
        self._release = release
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        self._watch_parent()

    def _watch_parent(self) -> None:
        """A run whose main process dies at once (SIGKILL; SIGTERM on ansible-core 2.16, whose main
        process has no handler for it) never tells its workers, and 2.19's workers, in sessions of
        their own, live on: a worker whose parent is gone cancels itself as if it had got SIGTERM."""
        parent = os.getppid()
        stop = self._watch = threading.Event()

        def watch() -> None:
            while not stop.wait(PARENT_POLL):
                if os.getppid() != parent:
                    os.kill(os.getpid(), signal.SIGTERM)
                    return

        threading.Thread(target=watch, name='pssession-parent-watch', daemon=True).start()

    def closing(self) -> None:
        """close() has begun releasing the session: a signal now waits for it instead of running it again."""
        self._release = None

    def disarm(self) -> None:
        """Put the previous handlers back; hand them a signal that came while close() was releasing."""
        previous, self._previous = self._previous, {}
        self._release = None
        if self._watch is not None:
            self._watch.set()
            self._watch = None
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        pending, self._pending = self._pending, None
        if pending is not None:
            self._chain(previous.get(pending[0], signal.SIG_DFL), *pending)

    def _on_signal(self, signum: int, frame: t.Any) -> None:
        release, previous = self._release, self._previous.get(signum, signal.SIG_DFL)
        if release is None:
            self._pending = (signum, frame)  # close() is releasing the session already; disarm() passes it on
            return
        self._release = None
        # ansible terminates a worker more than once (the task queue manager, then
        # multiprocessing at exit): hold those signals back until the session is released.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            release()
        except Exception:  # pylint: disable=broad-except  # the worker is going away regardless
            pass
        finally:
            self._pending = None
            self.disarm()
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self._chain(previous, signum, frame)

    @staticmethod
    def _chain(handler: t.Any, signum: int, frame: t.Any) -> None:
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(signum)
