"""The machine's kernel objects that cross processes: processes, their handle tables, events, anonymous and named
pipes.

What ansible-core's async_wrapper.ps1 (2.19: anonymous pipes; 2.16 to 2.18: a named pipe) needs of Windows' object
manager (Ansible._Async.cs; learn.microsoft.com
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
- A named pipe (CreateNamedPipeW, ConnectNamedPipe, "Named Pipe Instances", "Named Pipe Security and Access Rights")
  lives in one machine-wide namespace, \\\\.\\pipe\\<name>, names compared without case. Its server makes an
  instance with a security descriptor (the access rules of its DACL, kept here) and a maximum number of instances; one
  more instance than that fails ERROR_PIPE_BUSY (231, CreateNamedPipeW's documented error). A client opens a free
  instance (WaitNamedPipeW, CreateFileW): a name nobody serves is ERROR_FILE_NOT_FOUND (2), instances all connected
  ERROR_PIPE_BUSY (231), a DACL that does not grant the access asked ERROR_ACCESS_DENIED (5). A client may open an
  instance before its server calls ConnectNamedPipe (which then reports ERROR_PIPE_CONNECTED, a success). Bytes
  written by one end are read by the other in order (byte mode); a read returns what is there, waiting for some, and
  0 bytes once the writer closed (ERROR_BROKEN_PIPE, which .NET reads as the end of the stream); the name is
  gone once the server closed its instance.

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


class NamedPipe:  # pylint: disable=too-many-instance-attributes
    """One instance of a named pipe: its name, the rules of its security descriptor, its server's direction, whether a
    client is connected, and the bytes in flight each way (the server's writes for the client, the client's for the
    server)."""

    kind = "NamedPipe"

    def __init__(self, name: str, rules: list[tuple[str, int, bool]] | None, server_writes: bool,
                 server_reads: bool) -> None:
        self.name = name
        self.rules = rules  # (SID, rights, allow) of its DACL; None: the default DACL (the creator and the system)
        self.server_writes = server_writes
        self.server_reads = server_reads
        self.to_client = bytearray()
        self.to_server = bytearray()
        self.connected = False
        self.server_open = True
        self.client_open = False
        self.cond = threading.Condition()

    def allows(self, sid: str, rights: int) -> bool:
        """Whether the DACL grants `sid` all of `rights` (an access check over allow and deny rules, deny first)."""
        if self.rules is None:
            return True
        granted = 0
        for who, mask, allow in self.rules:
            if who.upper() != sid.upper():
                continue
            if not allow and mask & rights:
                return False
            if allow:
                granted |= mask
        return granted & rights == rights

    def connect(self) -> None:
        with self.cond:
            self.connected = self.client_open = True
            self.cond.notify_all()

    def wait_connected(self, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.connected, timeout)

    def write(self, from_server: bool, data: bytes) -> bool:
        """False when the other end is closed (the pipe is broken)."""
        with self.cond:
            if not (self.client_open if from_server else self.server_open):
                return False
            (self.to_client if from_server else self.to_server).extend(data)
            self.cond.notify_all()
            return True

    def read(self, by_server: bool, count: int, timeout: float) -> bytes | None:
        """Up to count bytes once there are some; b"" once the writer has closed and nothing is left; None when
        neither happened within timeout."""
        buffer = self.to_server if by_server else self.to_client

        def ready() -> bool:
            return bool(buffer) or not (self.client_open if by_server else self.server_open)

        with self.cond:
            if not self.cond.wait_for(ready, timeout):
                return None
            data = bytes(buffer[:count])
            del buffer[:count]
            self.cond.notify_all()
            return data

    def wait_drained(self, timeout: float) -> bool | None:
        """True once the client has read everything the server wrote; False when the client closed first; None when
        neither happened within timeout (FlushFileBuffers on the server end: WaitForPipeDrain)."""
        with self.cond:
            if not self.cond.wait_for(lambda: not self.to_client or not self.client_open, timeout):
                return None
            return not self.to_client

    def close(self, server: bool) -> None:
        with self.cond:
            if server:
                self.server_open = False
            else:
                self.client_open = False
            self.cond.notify_all()


class NamedPipes:
    """The machine's pipe namespace (\\\\.\\pipe\\): the instances being served, by name without case."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.instances: dict[str, list[NamedPipe]] = {}

    def create(self, name: str, max_instances: int, pipe: NamedPipe) -> int:
        """Serve a new instance of `name`: 0, or the Win32 error (231 when its instances are all made)."""
        with self.cond:
            served = [p for p in self.instances.get(name.lower(), []) if p.server_open]
            if max_instances != 255 and len(served) >= max_instances:  # 255: PIPE_UNLIMITED_INSTANCES
                return 231
            self.instances[name.lower()] = served + [pipe]
            self.cond.notify_all()
            return 0

    def open(self, name: str, sid: str, rights: int, timeout: float) -> tuple[int, NamedPipe | None]:
        """A client opens `name` (WaitNamedPipe then CreateFileW): a free instance, waiting up to timeout for one to
        be served or free; else the Win32 error of the last try (2: none served, 231: all busy, 5: access denied)."""
        found: list = [2, None]

        def attempt() -> bool:
            served = [p for p in self.instances.get(name.lower(), []) if p.server_open]
            free = [p for p in served if not p.connected]
            if not served:
                found[:] = [2, None]
                return False
            if not free:
                found[:] = [231, None]
                return False
            if not free[0].allows(sid, rights):
                found[:] = [5, None]
                return True  # an access check fails at once
            found[:] = [0, free[0]]
            free[0].connect()
            return True

        with self.cond:
            self.cond.wait_for(attempt, timeout)
        return found[0], found[1]

    def closed(self, pipe: NamedPipe) -> None:
        """The server closed its instance: the name no longer has it (a waiting client may find another)."""
        with self.cond:
            kept = [p for p in self.instances.get(pipe.name.lower(), []) if p is not pipe]
            if kept:
                self.instances[pipe.name.lower()] = kept
            else:
                self.instances.pop(pipe.name.lower(), None)
            self.cond.notify_all()


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
        self.named_pipes = NamedPipes()

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
    def named_pipe(name: str, rules: list[tuple[str, int, bool]] | None, server_writes: bool,
                   server_reads: bool) -> NamedPipe:
        return NamedPipe(name, rules, server_writes, server_reads)

    @staticmethod
    def thread(process: Process) -> Thread:
        return Thread(process)

    def find(self, pid: int) -> Process | None:
        with self.lock:
            return self.processes.get(pid)
