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

AWX cancels a job through ansible-runner, which kills ansible-playbook's process group (SIGKILL:
the main process, not the workers, each in a session of its own: ansible-core 2.19 and later
make them so, and before 2.19 a worker holding a session makes itself so), waits up to 5 s for the end
of the output of its pseudo-terminal, and ends; with it ends the job's container, and every
process left in it is killed at once, a worker releasing its session too. So while a task holds
a session its worker keeps the main process's terminal open: ansible-runner's wait for the end
of the output then lasts until the worker has released the session (or RUNNER_EOF_WAIT passed).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import typing as t

SIGNALS = (signal.SIGINT, signal.SIGTERM)
PARENT_POLL = 0.5  # seconds between looks at whether the run's main process is still there (where Linux cannot tell)
# ansible-runner (2.4) waits 5 s for its terminal's end of output once ansible-playbook is killed, and
# fails the job if that wait times out: the terminal is let go of before, released or not.
RUNNER_EOF_WAIT = 4.0
# What Linux sends a worker when its parent dies (prctl PR_SET_PDEATHSIG): a signal ignored by default and
# nothing else sends a worker (it has no terminal nor socket owner), so one that comes after disarm() is lost.
PARENT_DEATH_SIGNAL = signal.SIGURG
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send signum when this process's parent dies (0: no more); whether that was done.
    ctypes is loaded by ansible-core already (a worker forks from a main process that has it)."""
    if os.uname().sysname != 'Linux':
        return False
    try:
        import ctypes  # pylint: disable=import-outside-toplevel
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _hold_terminal(pid: int) -> int | None:
    """A descriptor of process pid's standard output if that is a terminal (ansible-runner's pty), else None.

    O_NOCTTY: the worker leads a session of its own and must not make the terminal its controlling one.
    """
    try:
        fd = os.open('/proc/%d/fd/1' % pid, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        return None
    if os.isatty(fd):
        return fd
    os.close(fd)
    return None


def _lead_own_session() -> None:
    """Make this task worker the leader of a session (and process group) of its own.

    ansible-core 2.19 and later do this for every worker (WorkerProcess._detach). Before 2.19 a
    worker stays in the run's process group, so ansible-runner's cancel (SIGKILL to that group)
    kills it with the main process, before it can release the session. Only ever in a worker
    process: never in the run's main process (the cleanup callback), which owns the terminal.
    """
    if multiprocessing.parent_process() is None:
        return
    try:
        if os.getsid(0) != os.getpid():
            os.setsid()
    except OSError:  # already a group leader: nothing to gain
        pass


class CancelGuard:
    """Chains a release step in front of the SIGINT/SIGTERM handlers while a task holds a session."""

    def __init__(self) -> None:
        self._previous: dict[int, t.Any] = {}
        self._release: t.Callable[[], None] | None = None
        self._pending: tuple[int, t.Any] | None = None  # a signal that came while close() was releasing
        self._watch: threading.Event | None = None
        self._terminal: int | None = None  # the main process's terminal, held open while armed
        self._terminal_lock = threading.Lock()
        self._parent: int | None = None  # the parent when armed: a worker's is the run's main process
        self._death_signal = False  # Linux tells of the parent's death (PARENT_DEATH_SIGNAL)

    def arm(self, release: t.Callable[[], None]) -> None:
        # Signal handlers can only be set from the main thread (ansible's workers run tasks there).
        if self._previous or threading.current_thread() is not threading.main_thread():
            return
        self._release = release
        _lead_own_session()
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        with self._terminal_lock:
            self._terminal = _hold_terminal(os.getppid())
        self._watch_parent()

    def _let_go_of_terminal(self) -> None:
        with self._terminal_lock:
            fd, self._terminal = self._terminal, None
        if fd is not None:
            os.close(fd)

    def _watch_parent(self) -> None:
        """A run whose main process dies at once (SIGKILL; SIGTERM on ansible-core 2.16, whose main
        process has no handler for it) never tells its workers, and 2.19's workers, in sessions of
        their own, live on: a worker whose parent is gone cancels itself as if it had got SIGTERM.

        On Linux the kernel says so at once (PR_SET_PDEATHSIG): the release starts when ansible-runner's kill
        lands, and has the terminal for RUNNER_EOF_WAIT from then. Elsewhere a thread looks every PARENT_POLL
        seconds, and the terminal is let go of that much sooner after it notices."""
        parent = self._parent = os.getppid()
        previous = signal.signal(PARENT_DEATH_SIGNAL, self._on_parent_death)
        if _parent_death_signal(PARENT_DEATH_SIGNAL):
            self._previous[PARENT_DEATH_SIGNAL] = previous
            self._death_signal = True
            if os.getppid() != parent:  # died before the kernel was asked
                self._parent_gone(RUNNER_EOF_WAIT)
            return
        signal.signal(PARENT_DEATH_SIGNAL, previous)
        stop = self._watch = threading.Event()

        def watch() -> None:
            while not stop.wait(PARENT_POLL):
                if os.getppid() != parent:
                    self._parent_gone(RUNNER_EOF_WAIT - PARENT_POLL)
                    return

        threading.Thread(target=watch, name='pssession-parent-watch', daemon=True).start()

    def _on_parent_death(self, signum: int, frame: t.Any) -> None:
        del signum, frame
        # The kernel also sends it when the thread that forked this process ends: only a new parent counts.
        if self._parent is not None and os.getppid() != self._parent:
            self._parent = None
            self._parent_gone(RUNNER_EOF_WAIT)

    def _parent_gone(self, hold: float) -> None:
        """Let go of the terminal after ``hold`` seconds, released or not; cancel as on SIGTERM."""
        timer = threading.Timer(hold, self._let_go_of_terminal)
        timer.daemon = True
        timer.start()
        os.kill(os.getpid(), signal.SIGTERM)

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
        if self._death_signal:
            self._death_signal = False
            _parent_death_signal(0)
        self._parent = None
        self._let_go_of_terminal()
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
