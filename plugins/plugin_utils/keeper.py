# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run's keeper: one process per run that runs the tasks of its run-scoped sessions (docs/design.md section 9).

Why: every task is a new forked ansible worker, and what our connection plugin spends there (loading its
modules, building a pypsrp client per task) was most of what it costs per task above ansible itself
(docs/performance.md). The keeper is forked once per run from a worker that has all of it loaded, and a
later worker hands it the task over a Unix socket: the worker loads only the socket client.

What it runs is what the worker would have run, the same TaskSession, one per worker connection and
thread: it takes the session's lock, adopts the parked session, runs the commands and parks it again, so
every guarantee of sections 6 and 7 holds as it does in a worker; what it says (warnings, -vvv lines) is
sent back with each answer and shown by the worker. A worker that goes away while its command runs (cancel,
task timeout, killed) is noticed by the socket: the keeper stops the command and disconnects as a
cancelled worker does (TaskSession.close(cancelled=True)), and the thread that ran the command may send
nothing more. The keeper ends with its run (the main process gone) or after IDLE_EXIT seconds without a
task; it leaves every session parked, as each task does. It writes no credential anywhere: a task's options (its
password too) come over the socket and stay in memory (as a fork of a worker, it has what that worker had).
"""

from __future__ import annotations

import fcntl
import os
import resource
import select
import signal
import socket
import struct
import threading
import time
import types
import typing as t

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.psremoting.pssession.plugins.plugin_utils.keeper_protocol import (
    Reader, StreamBroken, decode_bytes, encode_bytes, send,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import process_is_alive, process_start_time
from ansible_collections.psremoting.pssession.plugins.plugin_utils.task_session import KeptClients, RequestGate, TaskSession

# Seconds without any task after which the keeper ends (the next task starts another): a run that pauses
# longer holds no process for it.
IDLE_EXIT = 120.0
# Seconds the keeper gives tasks still running when its run ends (their workers are being cancelled too).
FINISH_WAIT = 5.0
# Seconds the keeper waits for a request an abandoned task's thread has under way (not a Receive) before it stops
# the task's command: a Command is answered at once, and the worker that cancels waits 10 s for the keeper.
SENDING_WAIT = 5.0
RUN_POLL = 1.0  # seconds between looks at the run's main process, where Linux has no pidfd for it


class TaskAbandoned(BaseException):
    """Raised in the thread of a task whose worker went away, at its next WSMan request: nothing more is sent.

    A BaseException, so that no retry (they catch Exception) takes it for a fault worth another try."""


class Recorder:
    """Stands in for ansible's Display in the keeper: keeps what a task says, for its worker to show."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.said: list[list[t.Any]] = []
        self._lock = threading.Lock()

    def _keep(self, kind: str, msg: str, host: t.Any = None) -> None:
        with self._lock:
            self.said.append([kind, str(msg), host])

    def warning(self, msg: str) -> None:
        self._keep('warning', msg)

    def vvv(self, msg: str, host: t.Any = None) -> None:
        if self.verbosity >= 3:
            self._keep('vvv', msg, host)

    def vvvvv(self, msg: str, host: t.Any = None) -> None:
        if self.verbosity >= 5:
            self._keep('vvvvv', msg, host)

    def take(self) -> list[list[t.Any]]:
        with self._lock:
            said, self.said = self.said, []
        return said


def _error(err: BaseException) -> dict[str, t.Any]:
    """An exception as the worker raises it again: a connection failure stays one (UNREACHABLE)."""
    return {'unreachable': isinstance(err, AnsibleConnectionFailure), 'type': type(err).__name__,
            'msg': getattr(err, 'message', None) or str(err)}


class TaskHandler:
    """One worker connection: one task's TaskSession, its requests run one at a time in a thread of their own
    while this thread watches the socket for the worker going away."""

    def __init__(self, conn: socket.socket, keeper: Keeper) -> None:
        self.conn = conn
        self.reader = Reader(conn)
        self.keeper = keeper
        self.task: TaskSession | None = None
        self.display = Recorder(0)
        self.abandoned = False
        self._op_thread: threading.Thread | None = None
        self._gates: list[RequestGate] = []  # those of the WSMan clients the task's thread made (shut once it is abandoned)
        self._gates_lock = threading.Lock()  # abandoned and _gates change together

    # -- the task's session, as the worker's TaskSession would be -------------------------------
    def _new_client(self, wsman: t.Any) -> None:
        if threading.current_thread() is not self._op_thread:
            return  # the handler's own clients (stopping the command, disconnecting)
        with self._gates_lock:
            if self.abandoned:
                raise TaskAbandoned()
            self._gates.append(RequestGate.of(wsman, TaskAbandoned))

    def _open(self, message: dict[str, t.Any]) -> dict[str, t.Any]:
        options = message['options']
        self.display.verbosity = int(message.get('verbosity') or 0)
        play_context = types.SimpleNamespace(no_log=bool(message.get('no_log')))
        self.task = TaskSession(options.__getitem__, self.display, play_context)
        self.task.on_new_client = self._new_client
        self.task.kept_clients = self.keeper.kept_clients
        self.task.open()
        return {'holder': os.getpid()}

    def _run(self, message: dict[str, t.Any]) -> dict[str, t.Any]:
        op = message.get('op')
        if op == 'open':
            return self._open(message)
        task = self.task
        if task is None:
            raise AnsibleConnectionFailure('psremoting.pssession.psrp: the keeper got %s before open' % op)
        if op == 'exec':
            rc, stdout, stderr = task.exec_command(message['cmd'], decode_bytes(message.get('in_data_b64')), bool(message.get('wrapper')))
            return {'rc': rc, 'stdout_b64': encode_bytes(stdout), 'stderr_b64': encode_bytes(stderr)}
        if op == 'put':
            task.put_file(message['in_path'], message['out_path'])
            return {}
        if op == 'fetch':
            task.fetch_file(message['in_path'], message['out_path'])
            return {}
        raise AnsibleConnectionFailure('psremoting.pssession.psrp: the keeper does not know the request %r' % op)

    # -- the connection -------------------------------------------------------------------------
    def serve(self) -> None:
        try:
            while True:
                try:
                    message = self.reader.receive()
                except (StreamBroken, OSError, ValueError):
                    self._end(cancelled=False, worker_gone=True)
                    return
                op = message.get('op')
                if op in ('close', 'cancel'):
                    self._end(cancelled=op == 'cancel', worker_gone=False)
                    return
                if not self._run_watched(message):
                    return
        except BaseException:  # pylint: disable=broad-except  # whatever it was, the session's lock must not stay held
            running = self._op_thread is not None and self._op_thread.is_alive()
            try:
                self._end(cancelled=True, worker_gone=True, running=running)
            except BaseException:  # pylint: disable=broad-except  # the keeper goes on with its other tasks
                pass
        finally:
            try:
                self.conn.close()
            finally:
                self.keeper.task_ended(self)

    def _run_watched(self, message: dict[str, t.Any]) -> bool:
        """Run one request in a thread and answer it; True unless the worker went away meanwhile."""
        answer: dict[str, t.Any] = {}
        wake_read, wake_write = os.pipe()
        # Whoever finishes last closes the pipe: a thread left running after its worker went away must not write
        # to a descriptor number that another task's socket or pipe may have by then.
        ends = {'left': 2}
        ends_lock = threading.Lock()

        def done_with_pipe() -> None:
            with ends_lock:
                ends['left'] -= 1
                if not ends['left']:
                    os.close(wake_read)
                    os.close(wake_write)

        def work() -> None:
            try:
                answer.update(ok=self._run(message))
            except TaskAbandoned:
                pass
            except BaseException as err:  # pylint: disable=broad-except  # every failure goes back to the worker
                answer.update(error=_error(err))
            finally:
                with ends_lock:
                    if ends['left'] == 2:
                        os.write(wake_write, b'.')
                done_with_pipe()

        self._op_thread = threading.Thread(target=work, name='pssession-keeper-task', daemon=True)
        try:
            self._op_thread.start()
            poller = select.poll()  # not select(): a keeper of many hosts may hold descriptors above 1023
            poller.register(self.conn, select.POLLIN)
            poller.register(wake_read, select.POLLIN)
            ready = {fd for fd, _event in poller.poll()}
            if wake_read in ready or self.conn.fileno() not in ready:
                try:
                    self._answer(str(message.get('op')), answer)
                except OSError:  # the worker went away once the request was done: the session is let go as usual
                    self._end(cancelled=False, worker_gone=True)
                    return False
                return True
            # The worker spoke (cancel, close after its timeout) or went away while the request ran.
            try:
                said = self.reader.receive()
                cancelled = said.get('op') == 'cancel'
                gone = False
            except (StreamBroken, OSError, ValueError):
                cancelled, gone = True, True
            self._end(cancelled=cancelled, worker_gone=gone, running=True)
            return False
        finally:
            done_with_pipe()

    def _answer(self, op: str, answer: dict[str, t.Any]) -> None:
        reply = dict(op=op, said=self.display.take(), **answer)
        send(self.conn, reply)

    def _end(self, cancelled: bool, worker_gone: bool, running: bool = False) -> None:
        """Close the task's session: parked for the next task, or, if its request was still running (the worker
        was cancelled, timed out or died), with the command stopped and the session disconnected."""
        if running:
            # From here on the thread that runs the request sends nothing more: its clients refuse, and it may
            # make no other (on_new_client), whatever its retries would do. A request of it already under way
            # (a Command) is answered before the command is stopped below, so that nothing it starts starts
            # after the stop; its Receive under way is answered once the command is stopped, and what it got
            # is dropped.
            with self._gates_lock:
                self.abandoned = True
                gates = list(self._gates)
            deadline = time.monotonic() + SENDING_WAIT
            for gate in gates:
                if not gate.shut(max(0.0, deadline - time.monotonic())):
                    self.display.warning('psremoting.pssession.psrp: a request of the abandoned task was still under way '
                                         'after %d s; stopping its command anyway' % SENDING_WAIT)
        task, self.task = self.task, None
        error = None
        if task is not None:
            try:
                task.close(cancelled=cancelled or running)
            except Exception as err:  # pylint: disable=broad-except  # reported to a worker still there
                error = _error(err)
        if not worker_gone:
            try:
                self._answer('close', {'error': error} if error else {'ok': {}})
            except OSError:
                pass


class Keeper:
    """The accept loop, the tasks under way, and the end of the run."""

    def __init__(self, server: socket.socket, socket_path: str, run_pid: int, run_start: int | None) -> None:
        self.server = server
        self.socket_path = socket_path  # not the server's own name, which may be a /proc/self/fd/N/... path (keeper_protocol.unix_address)
        self.run_pid = run_pid
        self.run_start = run_start
        self.tasks: set[TaskHandler] = set()
        # Each parked session's pypsrp client, pool and host, for its next task (TaskSession.kept_clients).
        self.kept_clients = KeptClients()
        self._lock = threading.Lock()
        self.last_task = time.monotonic()

    def task_ended(self, handler: TaskHandler) -> None:
        with self._lock:
            self.tasks.discard(handler)
            self.last_task = time.monotonic()

    def _run_alive(self) -> bool:
        return process_is_alive(self.run_pid, self.run_start)

    def serve(self) -> None:
        pidfd = None
        try:
            pidfd = os.pidfd_open(self.run_pid)  # readable once the process has ended (Linux 5.3)
        except (AttributeError, OSError):
            pass
        if not self._run_alive():
            return
        poller = select.poll()
        poller.register(self.server, select.POLLIN)
        if pidfd is not None:
            poller.register(pidfd, select.POLLIN)
        try:
            while True:
                ready = {fd for fd, _event in poller.poll(RUN_POLL * 1000)}
                if (pidfd is not None and pidfd in ready) or not self._run_alive():
                    break
                if self.server.fileno() in ready:
                    self._accept()  # a task that came is taken, idle time or not
                    continue
                with self._lock:
                    idle = not self.tasks and time.monotonic() - self.last_task > IDLE_EXIT
                if idle:
                    break
        finally:
            # Unlinked first: a task that comes now finds no keeper and runs in its worker (nothing was sent). One that
            # connected just before is still in the backlog: its connection is reset, its open answered by nobody,
            # which the worker takes for no keeper too (KeeperClient.request, retry_safe).
            try:
                os.unlink(self.socket_path)
            except OSError:
                pass
            self.server.close()
            if pidfd is not None:
                os.close(pidfd)
        deadline = time.monotonic() + FINISH_WAIT
        while time.monotonic() < deadline:
            with self._lock:
                if not self.tasks:
                    break
            time.sleep(0.05)

    def _accept(self) -> None:
        try:
            conn, _address = self.server.accept()
        except OSError:  # out of descriptors (EMFILE): the worker waits in the backlog; give the others a moment
            time.sleep(0.05)
            return
        # Only this user's processes may hand it a task (the socket's directory already says so: 0700).
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i'))
        _pid, uid, _gid = struct.unpack('3i', creds)
        if uid != os.getuid():
            conn.close()
            return
        handler = TaskHandler(conn, self)
        with self._lock:
            self.tasks.add(handler)
            self.last_task = time.monotonic()
        try:
            threading.Thread(target=handler.serve, name='pssession-keeper-conn', daemon=True).start()
        except RuntimeError:  # no thread to be had: the worker sees its connection end before its open was answered
            conn.close()
            self.task_ended(handler)


def _detach(keep: tuple[int, ...]) -> None:
    """Leave the worker's world: a session of its own (no terminal signal reaches it), default signal handlers,
    and every inherited descriptor but ``keep`` pointed at /dev/null. Pointed, not closed: objects of the worker
    still name those numbers and may close them one day, which must not close a descriptor of ours. Holding none
    of them matters: ansible-runner waits for the end of its terminal's output, a test harness for its pipes'."""
    os.setsid()
    for signum in (signal.SIGTERM, signal.SIGALRM, signal.SIGURG, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a worker gone: an OSError on send, not the keeper's end
    signal.pthread_sigmask(signal.SIG_SETMASK, set())  # blocked by start_keeper around the fork
    null = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir('/proc/self/fd'):
        fd = int(name)
        if fd in keep or fd == null:
            continue
        try:
            os.dup2(null, fd)
        except OSError:
            pass


def run(server: socket.socket, socket_path: str, lock_fd: int, run_pid: int) -> None:
    """The keeper's life, in the process forked for it (keeper_client.start_keeper); returns when it ends."""
    _detach((server.fileno(), lock_fd))
    # Who the keeper is, for whoever looks (tests, an operator): its pid in its lock file.
    os.ftruncate(lock_fd, 0)
    os.pwrite(lock_fd, b'%d\n' % os.getpid(), 0)
    fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held since the fork; a no-op that says so
    # Each parked session keeps its connection open here (TaskSession.kept_clients): as many descriptors as allowed.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    Keeper(server, socket_path, run_pid, process_start_time(run_pid)).serve()
