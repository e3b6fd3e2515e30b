"""The machine's kernel objects that cross processes: processes, their handle tables, events and anonymous pipes.

What ansible-core's async_wrapper.ps1 needs of Windows' object manager (Ansible._Async.cs; learn.microsoft.com
"Handle Inheritance", "DuplicateHandle", "CreateProcessW", "Anonymous Pipes"):

- A handle is a number valid in one process only: each process has its own table (HANDLE values are multiples of 4;
  the first ones here start at 0x100, our choice). DuplicateHandle puts the object in another process's table under
  a new number; CreateProcess with bInheritHandles copies the handles it is given (PROC_THREAD_ATTRIBUTE_HANDLE_LIST)
  from the parent process (the PROC_THREAD_ATTRIBUTE_PARENT_PROCESS one when given) into the child's table under the
  SAME numbers ("An inherited handle refers to the same object in the child process as it does in the parent
  process. It also has the same value and access privileges.").
- An event is a flag processes wait on (a manual-reset event stays signalled once set: CreateEventW bManualReset).
- A process is signalled when it ends (WaitForSingleObject on a process handle), with its exit code.
- An anonymous pipe is a byte queue with one write end and one read end: a read waits for data and returns end of
  file once every write handle is closed (ReadFile, "Anonymous Pipe Operations"); a write with no read end open fails
  (ERROR_NO_DATA / broken pipe).

Threads here are bounded: every wait takes a timeout, so a process the test host runs in a background thread ends by
itself (tests/winhost/powershell/standins/async_process.py).
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import typing


class Event:
    """A manual-reset event (CreateEventW(bManualReset=TRUE, bInitialState=FALSE))."""

    kind = "Event"

    def __init__(self) -> None:
        self.flag = threading.Event()


class Pipe:
    """An anonymous pipe's buffer and the state of its two ends (each end may have several handles open)."""

    kind = "Pipe"

    def __init__(self) -> None:
        self.data = bytearray()
        self.writers = 0  # open handles to the write end
        self.readers = 0  # open handles to the read end
        self.cond = threading.Condition()

    def open_end(self, write: bool) -> None:
        with self.cond:
            if write:
                self.writers += 1
            else:
                self.readers += 1

    def close_end(self, write: bool) -> None:
        with self.cond:
            if write:
                self.writers -= 1
            else:
                self.readers -= 1
            self.cond.notify_all()

    def write(self, data: bytes) -> bool:
        """False when no read end is open (the pipe is broken)."""
        with self.cond:
            if self.readers <= 0:
                return False
            self.data.extend(data)
            self.cond.notify_all()
            return True

    def read_to_end(self, timeout: float) -> bytes | None:
        """Everything until every write handle is closed; None when that did not happen within timeout."""
        with self.cond:
            if not self.cond.wait_for(lambda: self.writers <= 0, timeout):
                return None
            data = bytes(self.data)
            self.data.clear()
            return data


@dataclasses.dataclass(eq=False)
class PipeEnd:
    """One end of a pipe as a handle refers to it (the object a handle names)."""

    pipe: Pipe
    write: bool
    kind: str = "PipeEnd"


@dataclasses.dataclass(eq=False)
class Process:  # pylint: disable=too-many-instance-attributes
    """A process: its id, command line, whether its first thread is suspended, its handle table, and its end."""

    pid: int
    command_line: str
    suspended: bool = False
    handles: dict[int, typing.Any] = dataclasses.field(default_factory=dict)
    ended: threading.Event = dataclasses.field(default_factory=threading.Event)
    exit_code: int = 259  # STILL_ACTIVE until it ends (GetExitCodeProcess)
    kind: str = "Process"
    start: typing.Callable[[], None] | None = None  # what resuming its thread runs (None: nothing modelled)
    _numbers: typing.Iterator[int] = dataclasses.field(default_factory=lambda: itertools.count(0x100, 4))

    def add_handle(self, obj: typing.Any, value: int | None = None) -> int:
        """Put obj in this process's table (under value when inherited, else the next free number)."""
        if value is None:
            value = next(self._numbers)
            while value in self.handles:
                value = next(self._numbers)
        if isinstance(obj, PipeEnd):
            obj.pipe.open_end(obj.write)
        self.handles[value] = obj
        return value

    def close_handle(self, value: int) -> bool:
        obj = self.handles.pop(value, None)
        if obj is None:
            return False
        if isinstance(obj, PipeEnd):
            obj.pipe.close_end(obj.write)
        return True

    def exit(self, code: int) -> None:
        """The process ends: its handles close (a pipe's end with them), waiters on it wake."""
        for value in list(self.handles):
            self.close_handle(value)
        self.exit_code = code & 0xFFFFFFFF
        self.ended.set()


@dataclasses.dataclass(eq=False)
class Thread:
    """A process's first thread, as a handle names it (ResumeThread)."""

    process: Process
    kind: str = "Thread"


class Kernel:
    """The processes of one machine the test host knows of (those async_wrapper.ps1 makes) and the ids it hands out."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processes: dict[int, Process] = {}
        self._pids = itertools.count(6000, 4)  # process ids are multiples of 4 on Windows

    def process(self, pid: int, command_line: str = "") -> Process:
        """The process record for pid (the session's own process is registered on first use)."""
        with self.lock:
            found = self.processes.get(pid)
            if found is None:
                found = self.processes[pid] = Process(pid=pid, command_line=command_line)
            return found

    def new_process(self, command_line: str, suspended: bool) -> Process:
        with self.lock:
            pid = next(self._pids)
            while pid in self.processes:
                pid = next(self._pids)
            proc = self.processes[pid] = Process(pid=pid, command_line=command_line, suspended=suspended)
            return proc

    # Factories, so that the engine (which reaches the machine only through HostServices) needs no import of this module.
    @staticmethod
    def event() -> Event:
        return Event()

    @staticmethod
    def pipe() -> Pipe:
        return Pipe()

    @staticmethod
    def pipe_end(pipe: Pipe, write: bool) -> PipeEnd:
        return PipeEnd(pipe, write)

    @staticmethod
    def thread(process: Process) -> Thread:
        return Thread(process)

    def find(self, pid: int) -> Process | None:
        with self.lock:
            return self.processes.get(pid)
