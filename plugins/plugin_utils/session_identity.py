# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which PSSession a task means: its key, and the names of run-scoped sessions.

A run-scoped session is named ``ansible-<controller>-<pid>-<start>``: ``controller`` is a
hash of this machine, user, boot and PID namespace (controller_id), ``pid``/``start``
identify the ``ansible``/``ansible-playbook`` process of the run (its workers are forked
from it, so they all compute the same name). The next run of the same controller recognises
sessions of its runs whose process is gone and removes them; sessions of other controllers
(another container, an earlier boot) are never touched: their IdleTimeout or the cleanup
callback ends them.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import re
import socket
import typing as t

from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import RUN_SCOPED_NAME


class SessionKey:
    """Host address, port, path, user, configuration name and session name; read-only once made.

    A plain class, not a dataclass or NamedTuple: each of ansible's forked workers loads the plugin anew for
    every task, and defining those costs 0.3 to 0.6 ms each there (docs/performance.md)."""

    __slots__ = ('host', 'port', 'path', 'user', 'configuration_name', 'session_name')

    def __init__(self, host: str, port: int, path: str, user: str | None, configuration_name: str, session_name: str) -> None:
        self.host = host
        self.port = port
        self.path = path
        self.user = user
        self.configuration_name = configuration_name
        self.session_name = session_name

    def _values(self) -> tuple[t.Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SessionKey) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return 'SessionKey(%s)' % ', '.join('%s=%r' % (name, getattr(self, name)) for name in self.__slots__)

    def replace(self, **changes: t.Any) -> SessionKey:
        values = dict(zip(self.__slots__, self._values()), **changes)
        return SessionKey(**values)

    @property
    def digest(self) -> str:
        text = '\0'.join(str(part) for part in self._values())
        return hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]

    def describe(self) -> str:
        return "session '%s' of %s on %s:%s/%s (%s)" % (
            self.session_name, self.user or '<no user>', self.host, self.port, self.path.strip('/'), self.configuration_name)


def _read_first(paths: tuple[str, ...]) -> str:
    for path in paths:
        try:
            with open(path, encoding='ascii', errors='replace') as handle:
                value = handle.read().strip()
        except OSError:
            continue
        if value:
            return value
    return ''


def _pid_namespace() -> str:
    try:
        return os.readlink('/proc/self/ns/pid')  # 'pid:[4026531836]': one per container
    except OSError:
        return ''


@functools.lru_cache(maxsize=1)  # what it reads cannot change in a process' life; a task asks twice
def controller_id() -> str:
    """12 hex digits naming this controller: machine, user, boot, PID namespace and host name.

    Containers built from one image (AWX execution environments) share the machine-id and the
    uid, and each has its own PID namespace, where a pid means nothing to the others: without
    the namespace (and the boot), one container's run would take another's live session for a
    leftover of a dead run and remove it.
    """
    machine = _read_first(('/etc/machine-id', '/var/lib/dbus/machine-id'))
    boot = _read_first(('/proc/sys/kernel/random/boot_id',))
    text = '\0'.join((machine, str(os.getuid()), boot, _pid_namespace(), socket.gethostname()))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]


def process_start_time(pid: int) -> int | None:
    """The start time of a process (clock ticks after boot, from /proc), None if unknown or gone."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(b')') + 2:].split()
    try:
        return int(fields[19])  # field 22 of the whole line
    except (IndexError, ValueError):
        return None


def run_process_id() -> int:
    """The pid of the ansible process of this run.

    Task workers are multiprocessing children of it; code running in the main process
    itself (meta: reset_connection) gets its own pid.
    """
    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid:
        return parent.pid
    return os.getpid()


def run_scoped_name(pid: int | None = None) -> str:
    pid = run_process_id() if pid is None else pid
    return 'ansible-%s-%d-%d' % (controller_id(), pid, process_start_time(pid) or 0)


def parse_run_scoped_name(name: str | None) -> tuple[str, int, int] | None:
    """(controller, pid, start) of a run-scoped session name, None for any other name."""
    match = re.match(RUN_SCOPED_NAME, name or '')
    if not match:
        return None
    return match.group('controller'), int(match.group('pid')), int(match.group('start'))


def process_is_alive(pid: int, start: int | None) -> bool:
    """Whether process ``pid`` is alive and, where its start time is known (``start``, process_start_time), still
    the one that started then: a pid the kernel gave to another process since is not it. Without /proc, a live
    process with that pid is taken to be it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    if not start:
        return True
    current = process_start_time(pid)
    return current is None or current == start


def is_dead_run_of_this_controller(name: str | None, controller: str | None = None) -> bool:
    """True when ``name`` is a run-scoped session of this controller whose run has ended."""
    parsed = parse_run_scoped_name(name)
    if parsed is None:
        return False
    owner, pid, start = parsed
    if owner != (controller or controller_id()):
        return False
    return not process_is_alive(pid, start)
