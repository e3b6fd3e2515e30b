"""Handles to kernel objects as .NET shows them, over the machine's kernel (../../machine/kernel.py): what ansible-core's
async_wrapper.ps1 and async_watchdog.ps1 (2.19) use around the new powershell.exe process.

- SafeHandle (`Microsoft.Win32.SafeHandles.SafeWaitHandle`, `SafePipeHandle`): a handle number valid in one process.
  `DangerousGetHandle()` is the number (an IntPtr: here a 64-bit integer, see `[IntPtr]` below), `Dispose()`/`Close()`
  close it when the SafeHandle owns it (learn.microsoft.com SafeHandle: "ownsHandle"), `IsClosed`, `IsInvalid`.
  `[SafeWaitHandle]::new([IntPtr]$n, $true)` names handle n of the calling process (async_watchdog.ps1 gets the
  number of the event it inherited from its command line).
- `System.IO.Pipes.AnonymousPipeServerStream(PipeDirection, HandleInheritability)` (System.Core): a pipe whose server
  end this stream is and whose client end is `ClientSafePipeHandle` (a handle in this process, inheritable, for a
  child process); `DisposeLocalCopyOfClientHandle()` closes this process's copy, `Dispose()` the server end.
  PipeDirection.InOut is not supported by anonymous pipes (ArgumentOutOfRangeException in .NET; here not modelled).
- `System.IO.StreamReader(Stream, Encoding, Boolean)` over such a pipe: `ReadToEnd()` waits for every write handle to
  close (ReadFile returns end of file then: learn.microsoft.com "Anonymous Pipe Operations"); `Dispose()` disposes the
  stream (StreamReader.Dispose closes its stream). Over any other stream: not modelled.
- `System.IO.StreamWriter(Stream, Encoding)` over such a pipe: `Write`/`WriteLine` (Environment.NewLine "\\r\\n") buffer,
  `Flush()` writes the encoded bytes (an encoding with a preamble is not modelled: .NET writes it first on a stream
  that cannot seek), `Dispose()` flushes and closes the server end. A write to a pipe whose read ends are all closed
  throws IOException "Pipe is broken." (ERROR_BROKEN_PIPE's text), wrapped as PowerShell wraps a method's exception.
- `System.Threading.ManualResetEvent(Boolean)`: its `SafeWaitHandle` may be replaced (async_watchdog.ps1 puts the
  inherited event's handle there), `Set()` signals the event that handle names (SetEvent), `WaitOne([timeout])`.
- `[System.Threading.WaitHandle]::WaitAny(WaitHandle[], TimeSpan)`: the index of the first signalled handle (an event
  that is set, a process that ended), or `[WaitHandle]::WaitTimeout` (258) once the timeout passed
  (learn.microsoft.com WaitHandle.WaitAny). The wait is on the kernel objects' state, bounded by the timeout.
- `[IntPtr]$n`: the number (a 64-bit process's pointer, System.Int64 here: `-is [IntPtr]` and GetType() show Int64,
  a known difference listed in tests/winhost/README.md).
"""

from __future__ import annotations

import datetime
import time
import typing

from psrpcore.types import PSInt64

from .. import typeregistry
from .. import values as V
from ..dotnet import Encoding, NetObject, current_runspace, void
from ..errors import PSError, method_exception
from .enums import declare_enum

# The kernel's records (HostServices.kernel, ../../machine/kernel.py), reached only through the host's services.
Process = typing.Any

# The longest a test-host thread waits for a pipe's writers to close (a bound, so that no thread outlives its test).
PIPE_WAIT_BOUND = 600.0


def not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model {what}.", fqid="NotModelledOnTestHost", category="NotImplemented",
                   exception_type="System.NotImplementedException", terminating=True)


def kernel() -> typing.Any:
    return current_runspace().host.kernel


def this_process() -> Process:
    """The kernel's record of the process running this thread's runspace (wsmprovhost.exe or a powershell.exe)."""
    host = current_runspace().host
    return host.kernel.process(host.process_id)


class SafeHandle(NetObject):
    """A handle number of one process (`home`), as a SafeHandle subclass holds it."""

    def __init__(self, type_name: str, home: Process, value: int, owns: bool) -> None:
        self.type_names = [type_name, "Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid",
                           "System.Runtime.InteropServices.SafeHandle", "System.Runtime.ConstrainedExecution.CriticalFinalizerObject",
                           "System.Object"]
        self.home = home
        self.value = value
        self.owns = owns
        self.closed = False

    def target(self, process: Process = None) -> typing.Any:
        """The kernel object this number names in `process` (its home by default), or None."""
        return (process or self.home).handles.get(self.value)

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "isclosed":
            return self.closed
        if low == "isinvalid":
            return self.value in (0, -1)
        return typeregistry.MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "dangerousgethandle" and not args:
            return PSInt64(self.value)
        if low in ("dispose", "close") and not args:
            if self.owns and not self.closed:
                self.home.close_handle(self.value)
            self.closed = True
            return void()
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


def wait_handle(home: Process, obj: typing.Any) -> SafeHandle:
    """A new owned SafeWaitHandle for obj in home's table."""
    return SafeHandle("Microsoft.Win32.SafeHandles.SafeWaitHandle", home, home.add_handle(obj), True)


def _safe_wait_handle(args: list) -> SafeHandle:
    if len(args) != 2:
        raise not_modelled(f"[SafeWaitHandle]::new with {len(args)} arguments")
    return SafeHandle("Microsoft.Win32.SafeHandles.SafeWaitHandle", this_process(), int(V.to_number(args[0])),
                      V.to_bool(args[1]))


PIPE_DIRECTION = declare_enum("System.IO.Pipes.PipeDirection", {"In": 1, "Out": 2, "InOut": 3})
HANDLE_INHERITABILITY = declare_enum("System.IO.HandleInheritability", {"None": 0, "Inheritable": 1})


class AnonymousPipeServerStream(NetObject):
    """The server end of an anonymous pipe (see the module docstring)."""

    type_names = ["System.IO.Pipes.AnonymousPipeServerStream", "System.IO.Pipes.PipeStream", "System.IO.Stream",
                  "System.MarshalByRefObject", "System.Object"]

    def __init__(self, direction: int) -> None:
        self.process = this_process()
        self.pipe = kernel().pipe()
        self.writes = direction == 2  # PipeDirection.Out: this end writes, the client reads
        self.server = self.process.add_handle(kernel().pipe_end(self.pipe, write=self.writes))
        self.client = SafeHandle("Microsoft.Win32.SafeHandles.SafePipeHandle", self.process,
                                 self.process.add_handle(kernel().pipe_end(self.pipe, write=not self.writes)), True)
        self.disposed = False

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "clientsafepipehandle":
            return self.client
        if low == "canread":
            return not self.writes and not self.disposed
        if low == "canwrite":
            return self.writes and not self.disposed
        if low == "canseek":
            return False
        return typeregistry.MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "disposelocalcopyofclienthandle" and not args:
            self.client.call("Dispose", [])
            return void()
        if low in ("dispose", "close") and not args:
            self.dispose()
            return void()
        return super().call(name, args)

    def dispose(self) -> None:
        if not self.disposed:
            self.disposed = True
            self.process.close_handle(self.server)

    def write(self, data: bytes, method: str, argc: int) -> None:
        if self.disposed:
            raise method_exception(method, argc, "Cannot access a closed pipe.", "System.ObjectDisposedException")
        if not self.pipe.write(data):
            raise method_exception(method, argc, "Pipe is broken.", "System.IO.IOException")

    def read_to_end(self) -> bytes:
        data = self.pipe.read_to_end(PIPE_WAIT_BOUND)
        if data is None:
            raise not_modelled(f"a pipe whose writer stayed open for {PIPE_WAIT_BOUND:.0f} s (the test host's bound)")
        return data

    def to_string(self) -> str:
        return self.type_names[0]


def _pipe_server(args: list) -> AnonymousPipeServerStream:
    if len(args) != 2:
        raise not_modelled(f"[AnonymousPipeServerStream]::new with {len(args)} arguments")
    direction = int(V.to_number(PIPE_DIRECTION.convert(args[0])))
    if direction not in (1, 2):
        raise not_modelled("an anonymous pipe with PipeDirection.InOut (.NET refuses it)")
    if int(V.to_number(HANDLE_INHERITABILITY.convert(args[1]))) != 1:
        raise not_modelled("an anonymous pipe whose client handle is not inheritable")
    return AnonymousPipeServerStream(direction)


def _pipe_arg(kind: str, args: list) -> AnonymousPipeServerStream:
    if not args or not isinstance(args[0], AnonymousPipeServerStream):
        raise not_modelled(f"[System.IO.{kind}] over anything but an anonymous pipe's server stream")
    return args[0]


class PipeReader(NetObject):
    """StreamReader over an anonymous pipe's server stream."""

    type_names = ["System.IO.StreamReader", "System.IO.TextReader", "System.MarshalByRefObject", "System.Object"]

    def __init__(self, stream: AnonymousPipeServerStream, encoding: Encoding) -> None:
        self.stream = stream
        self.encoding = encoding

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "readtoend" and not args:
            data = self.stream.read_to_end()
            # detectEncodingFromByteOrderMarks was $false in the wrapper; a UTF-8 BOM is still skipped by UTF8Encoding.
            if data.startswith(self.encoding.preamble or b"\x00\x00\x00\x00\x00"):
                data = data[len(self.encoding.preamble):]
            return self.encoding.decode(data)
        if low in ("dispose", "close") and not args:
            self.stream.dispose()
            return void()
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


def _stream_reader(args: list) -> PipeReader:
    stream = _pipe_arg("StreamReader", args)
    if len(args) != 3 or not isinstance(args[1], Encoding) or stream.writes:
        raise not_modelled("[System.IO.StreamReader]::new other than (a pipe's reading stream, Encoding, Boolean)")
    return PipeReader(stream, args[1])


class PipeWriter(NetObject):
    """StreamWriter over an anonymous pipe's server stream."""

    type_names = ["System.IO.StreamWriter", "System.IO.TextWriter", "System.MarshalByRefObject", "System.Object"]

    def __init__(self, stream: AnonymousPipeServerStream, encoding: Encoding) -> None:
        self.stream = stream
        self.encoding = encoding
        self.buffer: list[str] = []
        self.disposed = False

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        argc = len(args)
        if low in ("write", "writeline") and argc <= 1:
            self.buffer.append(("" if not args else V.to_string(args[0])) + ("\r\n" if low == "writeline" else ""))
            return void()
        if low == "flush" and not args:
            self.flush(name, argc)
            return void()
        if low in ("dispose", "close") and not args:
            if not self.disposed:
                self.disposed = True
                try:
                    self.flush(name, argc)
                finally:
                    self.stream.dispose()
            return void()
        return super().call(name, args)

    def flush(self, method: str, argc: int) -> None:
        text, self.buffer = "".join(self.buffer), []
        if text:
            self.stream.write(self.encoding.encode(text), method, argc)

    def to_string(self) -> str:
        return self.type_names[0]


def _stream_writer(args: list) -> PipeWriter:
    stream = _pipe_arg("StreamWriter", args)
    if len(args) != 2 or not isinstance(args[1], Encoding) or not stream.writes:
        raise not_modelled("[System.IO.StreamWriter]::new other than (a pipe's writing stream, Encoding)")
    if args[1].preamble:
        raise not_modelled("a StreamWriter over a pipe with an encoding that has a preamble (a BOM)")
    return PipeWriter(stream, args[1])


def signalled(obj: typing.Any) -> bool:
    """Whether a kernel object is signalled: a set event, an ended process."""
    kind = getattr(obj, "kind", None)
    if kind == "Event":
        return obj.flag.is_set()
    if kind == "Process":
        return obj.ended.is_set()
    raise not_modelled(f"waiting on a kernel object of kind {kind}")


class ManualResetEvent(NetObject):
    """System.Threading.ManualResetEvent: an event of this process, or the one the SafeWaitHandle put in it names."""

    type_names = ["System.Threading.ManualResetEvent", "System.Threading.EventWaitHandle", "System.Threading.WaitHandle",
                  "System.MarshalByRefObject", "System.Object"]

    def __init__(self, initial: bool) -> None:
        event = kernel().event()
        if initial:
            event.flag.set()
        self.handle = wait_handle(this_process(), event)

    @property
    def kernel_object(self) -> typing.Any:
        """What WaitAny waits on: the event the handle names."""
        return self._event("WaitAny")

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "safewaithandle":
            return self.handle
        return typeregistry.MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        if name.lower() == "safewaithandle":
            if not isinstance(value, SafeHandle):
                raise not_modelled("ManualResetEvent.SafeWaitHandle set to something not a SafeWaitHandle")
            self.handle = value
            return True
        return False

    def _event(self, method: str) -> typing.Any:
        obj = self.handle.target()
        if obj is None or getattr(obj, "kind", None) != "Event":
            # SetEvent on a number that names no event of this process: ERROR_INVALID_HANDLE.
            raise method_exception(method, 0, "The handle is invalid", "System.IO.IOException")
        return obj

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "set" and not args:
            self._event("Set").flag.set()
            return True
        if low == "reset" and not args:
            self._event("Reset").flag.clear()
            return True
        if low == "waitone" and len(args) <= 1:
            timeout = None if not args else _seconds(args[0])
            return self._event("WaitOne").flag.wait(timeout)
        if low in ("dispose", "close") and not args:
            return self.handle.call("Dispose", [])
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


def _seconds(value: typing.Any) -> float | None:
    """A wait's timeout: a TimeSpan, or milliseconds (-1: infinite, not modelled: every wait here is bounded)."""
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    else:
        seconds = V.to_number(value) / 1000
    if seconds < 0:
        raise not_modelled("an infinite wait (Timeout.Infinite)")
    return seconds


WAIT_TIMEOUT = 258


def _wait_any(args: list) -> int:
    if len(args) != 2:
        raise not_modelled(f"[WaitHandle]::WaitAny with {len(args)} arguments")
    objects = []
    for handle in V.as_list(args[0]):
        obj = getattr(handle, "kernel_object", None)
        if obj is None:
            raise not_modelled(f"[WaitHandle]::WaitAny on a {type(handle).__name__}")
        objects.append(obj)
    timeout = _seconds(args[1])
    # The state of each object is read in order (the lowest index wins when several are signalled, as WaitAny
    # returns); between reads the waiter sleeps on the first object's own primitive for a short slice, so no thread
    # outlives the wait and the wait ends at the timeout.
    first = objects[0].flag if objects[0].kind == "Event" else objects[0].ended
    deadline = time.monotonic() + (timeout or 0)
    while True:
        for index, obj in enumerate(objects):
            if signalled(obj):
                return index
        left = deadline - time.monotonic()
        if left <= 0:
            break
        first.wait(min(left, 0.02))
    return WAIT_TIMEOUT


class ManagedWaitHandle(NetObject):
    """A WaitHandle over a kernel object (Ansible._Async.ManagedWaitHandle: a WaitHandle whose SafeWaitHandle is
    the one given), for WaitAny."""

    type_names = ["Ansible._Async.ManagedWaitHandle", "System.Threading.WaitHandle", "System.MarshalByRefObject",
                  "System.Object"]

    def __init__(self, kernel_object: typing.Any) -> None:
        self.kernel_object = kernel_object

    def to_string(self) -> str:
        return self.type_names[0]


typeregistry.register(typeregistry.NetType(
    "Microsoft.Win32.SafeHandles.SafeWaitHandle", base_types=(
        "Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid", "System.Runtime.InteropServices.SafeHandle",
        "System.Object"), constructor=_safe_wait_handle))
typeregistry.register(typeregistry.NetType(
    "System.IO.Pipes.AnonymousPipeServerStream", base_types=("System.IO.Pipes.PipeStream", "System.IO.Stream",
                                                             "System.Object"), constructor=_pipe_server))
typeregistry.register(typeregistry.NetType(
    "System.IO.StreamReader", base_types=("System.IO.TextReader", "System.Object"), constructor=_stream_reader))
typeregistry.register(typeregistry.NetType(
    "System.IO.StreamWriter", base_types=("System.IO.TextWriter", "System.Object"), constructor=_stream_writer))
typeregistry.register(typeregistry.NetType(
    "System.Threading.ManualResetEvent", base_types=("System.Threading.EventWaitHandle", "System.Threading.WaitHandle",
                                                     "System.Object"),
    constructor=lambda args: ManualResetEvent(V.to_bool(args[0])) if len(args) == 1 else _bad("ManualResetEvent", args)))
typeregistry.register(typeregistry.NetType(
    "System.Threading.WaitHandle", static_methods={"WaitAny": _wait_any},
    static_properties={"WaitTimeout": lambda: WAIT_TIMEOUT}))


def _bad(name: str, args: list) -> typing.Any:
    raise not_modelled(f"[{name}]::new with {len(args)} arguments")
