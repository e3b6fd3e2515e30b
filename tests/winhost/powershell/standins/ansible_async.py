"""Stand-in for ansible-core's Ansible._Async.cs (namespace Ansible._Async), which 2.19's async_wrapper.ps1 compiles.

What async_wrapper.ps1 does with it on Windows (the C# read at test time; learn.microsoft.com CreateProcessW,
DuplicateHandle, "Handle Inheritance", UpdateProcThreadAttribute):

- CreateInheritableEvent: an unnamed manual-reset event, unsignalled, its handle inheritable (CreateEventW).
- CanCreateBreakawayProcess: IsProcessInJob, then the job's JOB_OBJECT_LIMIT_BREAKAWAY_OK flag. False on the test
  host: a PSRP session's wsmprovhost.exe runs in a job that does not allow breakaway (async_wrapper.ps1's own comment:
  "The winrm and ssh connection plugin allows breaking away from the job but psrp does not"), so the wrapper makes a
  suspended powershell.exe through WMI (Win32_Process.Create, cmdlets/processes.py) to be the new process's parent.
- OpenProcessAsParent(pid): OpenProcess(PROCESS_DUP_HANDLE | PROCESS_CREATE_PROCESS); a process id the machine does
  not have fails as the C# throws (OpenProcess's ERROR_INVALID_PARAMETER, 87).
- DuplicateHandleToProcess(handle, process): the object in the target process's table under a new number; the
  SafeWaitHandle returned holds that number (valid in the target, not here) and does not own it.
- CloseHandleInProcess(handle, process): DuplicateHandle with DUPLICATE_CLOSE_SOURCE closes that number there.
- CreateAsyncProcess(application, commandLine, stdin, stdout, stderr, event, parent, stdoutReader, stderrReader):
  CreateProcessW (CREATE_SUSPENDED | CREATE_NEW_CONSOLE, STARTF_USESTDHANDLES) with the four handles in
  PROC_THREAD_ATTRIBUTE_HANDLE_LIST and the parent from PROC_THREAD_ATTRIBUTE_PARENT_PROCESS: the handle numbers are
  the PARENT's ("the handles must be valid in the parent process"), and the child inherits them under the same numbers.
  The image is the application name's file on the disk (a missing one: ERROR_FILE_NOT_FOUND, 2). The new process is
  one of the test host's applications (standins/applications.py, powershell.exe), run in a background thread once its
  thread is resumed (standins/async_process.py). Returns ProcessInformation: Process and Thread (handles of this
  process), ProcessId, ThreadId, StdoutReader/StderrReader (Task<string>: `.GetAwaiter().GetResult()` is the reader's
  ReadToEnd).
- ResumeThread(thread): the process starts running; resuming a process the test host does not run (the WMI parent,
  made only to be a parent) is not modelled.
- GetProcessExitCode(process): its exit code (STILL_ACTIVE, 259, while it runs).
- ManagedWaitHandle(SafeWaitHandle): a WaitHandle over the object the handle names, for [WaitHandle]::WaitAny.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..clr.kernelobjects import ManagedWaitHandle, SafeHandle, kernel, this_process, wait_handle
from ..dotnet import NetObject, add_note, current_runspace, void
from ..errors import PSError, make_exception
from . import register_standin
from .ansible_utils import _not_modelled, _require
from .async_process import start_async_process

NAMESPACE = "Ansible._Async"
_WIN32_MESSAGES = {2: "The system cannot find the file specified", 6: "The handle is invalid",
                   87: "The parameter is incorrect"}


def _win32_error(method: str, argc: int, what: str, code: int) -> PSError:
    """Ansible._Async.Win32Exception as PowerShell's method adapter wraps it: "<what> (<message>, Win32ErrorCode n -
    0xNNNNNNNN)"."""
    message = f"{what} ({_WIN32_MESSAGES[code]}, Win32ErrorCode {code} - 0x{code:08X})"
    inner = make_exception(f"{NAMESPACE}.Win32Exception", message)
    add_note(inner, "NativeErrorCode", code)
    return PSError(f'Exception calling "{method}" with "{argc}" argument(s): "{message}"',
                   exception_type="System.Management.Automation.MethodInvocationException", fqid="Win32Exception",
                   category="NotSpecified", reason="MethodInvocationException", inner=inner)


def _handle(method: str, value: typing.Any) -> SafeHandle:
    if not isinstance(value, SafeHandle):
        raise _not_modelled(f"[Ansible._Async.AsyncUtil]::{method} with a {type(value).__name__} for a SafeHandle")
    return value


def _target_process(method: str, argc: int, value: typing.Any) -> typing.Any:
    target = _handle(method, value).target()
    if getattr(target, "kind", None) != "Process":
        raise _win32_error(method, argc, "DuplicateHandle() failed", 6)
    return target


class Task(NetObject):
    """Task<string> of Task.Run(() => reader.ReadToEnd()): GetAwaiter().GetResult() and Result wait for it."""

    type_names = ["System.Threading.Tasks.Task`1[[System.String]]", "System.Threading.Tasks.Task", "System.Object"]

    def __init__(self, reader: typing.Any) -> None:
        self.reader = reader
        self.result: str | None = None

    def _get(self) -> str:
        if self.result is None:
            self.result = self.reader.call("ReadToEnd", [])
        return self.result

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "result":
            return self._get()
        return typeregistry.MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "getawaiter" and not args:
            return self
        if low == "getresult" and not args:
            return self._get()
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


class ProcessInformation(NetObject):
    type_names = [f"{NAMESPACE}.ProcessInformation", "System.Object"]

    def __init__(self, values: dict[str, typing.Any]) -> None:
        self.values = values

    def get_member(self, name: str) -> typing.Any:
        return self.values.get(name.lower(), typeregistry.MISSING)

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "dispose" and not args:
            self.values["process"].call("Dispose", [])
            self.values["thread"].call("Dispose", [])
            return void()
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


def _open_process_as_parent(args: list) -> SafeHandle:
    if len(args) != 1:
        raise _not_modelled(f"[Ansible._Async.AsyncUtil]::OpenProcessAsParent with {len(args)} arguments")
    proc = kernel().find(int(V.to_number(args[0])))
    if proc is None or proc.ended.is_set():
        raise _win32_error("OpenProcessAsParent", 1, "OpenProcess() failed", 87)
    return wait_handle(this_process(), proc)


def _duplicate_handle_to_process(args: list) -> SafeHandle:
    if len(args) != 2:
        raise _not_modelled(f"[Ansible._Async.AsyncUtil]::DuplicateHandleToProcess with {len(args)} arguments")
    source = _handle("DuplicateHandleToProcess", args[0])
    target = _target_process("DuplicateHandleToProcess", 2, args[1])
    obj = source.target(this_process())  # the source handle is one of this process (GetCurrentProcess())
    if obj is None:
        raise _win32_error("DuplicateHandleToProcess", 2, "DuplicateHandle() failed", 6)
    return SafeHandle("Microsoft.Win32.SafeHandles.SafeWaitHandle", target, target.add_handle(obj), False)


def _close_handle_in_process(args: list) -> typing.Any:
    if len(args) != 2:
        raise _not_modelled(f"[Ansible._Async.AsyncUtil]::CloseHandleInProcess with {len(args)} arguments")
    handle = _handle("CloseHandleInProcess", args[0])
    target = _target_process("CloseHandleInProcess", 2, args[1])
    if not target.close_handle(handle.value):
        raise _win32_error("CloseHandleInProcess", 2, "DuplicateHandle() failed to close handle", 6)
    return void()


def _create_async_process(args: list) -> ProcessInformation:
    if len(args) != 9:
        raise _not_modelled(f"[Ansible._Async.AsyncUtil]::CreateAsyncProcess with {len(args)} arguments")
    application, command_line = V.to_string(args[0]), V.to_string(args[1])
    handles = [_handle("CreateAsyncProcess", a) for a in args[2:6]]
    here = this_process()
    parent = here if args[6] is None else _target_process("CreateAsyncProcess", 9, args[6])
    inherited = []
    for handle in handles:
        obj = handle.target(parent)
        if obj is None:
            # PROC_THREAD_ATTRIBUTE_HANDLE_LIST names a handle the parent does not have.
            raise _win32_error("CreateAsyncProcess", 9, "CreateProcessW() failed", 87)
        inherited.append((handle.value, obj))
    fs = current_runspace().host.filesystem
    if not fs.is_file(fs.normalize(application)):
        raise _win32_error("CreateAsyncProcess", 9, "CreateProcessW() failed", 2)
    child = kernel().new_process(command_line, suspended=True)
    for value, obj in inherited:
        child.add_handle(obj, value)
    stdin, stdout, stderr = (h.value for h in handles[:3])
    child.start = start_async_process(current_runspace(), child, fs.full_name(fs.normalize(application)), command_line,
                                      stdin, stdout, stderr)
    readers = args[7:9]
    return ProcessInformation({
        "process": wait_handle(here, child), "thread": wait_handle(here, kernel().thread(child)),
        "processid": child.pid, "threadid": child.pid + 4,
        "stdoutreader": Task(readers[0]), "stderrreader": Task(readers[1])})


def _resume_thread(args: list) -> typing.Any:
    if len(args) != 1:
        raise _not_modelled(f"[Ansible._Async.AsyncUtil]::ResumeThread with {len(args)} arguments")
    thread = _handle("ResumeThread", args[0]).target()
    if getattr(thread, "kind", None) != "Thread":
        raise _win32_error("ResumeThread", 1, "ResumeThread() failed", 6)
    proc = thread.process
    if proc.suspended:
        if proc.start is None:
            raise _not_modelled(f"resuming the process '{proc.command_line}' (the test host does not run it)")
        proc.suspended = False
        proc.start()
    return void()


def _exit_code(args: list) -> int:
    if len(args) != 1:
        raise _not_modelled(f"[Ansible._Async.AsyncUtil]::GetProcessExitCode with {len(args)} arguments")
    proc = _handle("GetProcessExitCode", args[0]).target()
    if getattr(proc, "kind", None) != "Process":
        raise _win32_error("GetProcessExitCode", 1, "GetExitCodeProcess() failed", 6)
    code = proc.exit_code
    return code - (1 << 32) if code >= 1 << 31 else code  # GetExitCodeProcess's DWORD into the C# int


def _managed_wait_handle(args: list) -> ManagedWaitHandle:
    if len(args) != 1:
        raise _not_modelled(f"[Ansible._Async.ManagedWaitHandle]::new with {len(args)} arguments")
    obj = _handle("ManagedWaitHandle", args[0]).target()
    if obj is None:
        raise _not_modelled("a ManagedWaitHandle over a handle this process does not have")
    return ManagedWaitHandle(obj)


def _load(source: str) -> list[str]:
    _require(source, r"public\s+class\s+AsyncUtil\b", NAMESPACE)
    _require(source, r"PROC_THREAD_ATTRIBUTE_PARENT_PROCESS", NAMESPACE)
    statics: dict[str, typing.Callable[[list], typing.Any]] = {
        "CreateInheritableEvent": lambda args: wait_handle(this_process(), kernel().event()),
        # wsmprovhost.exe's job forbids breakaway under PSRP (see the module docstring).
        "CanCreateBreakawayProcess": lambda args: False,
        "OpenProcessAsParent": _open_process_as_parent,
        "DuplicateHandleToProcess": _duplicate_handle_to_process,
        "CloseHandleInProcess": _close_handle_in_process,
        "CreateAsyncProcess": _create_async_process,
        "ResumeThread": _resume_thread,
        "GetProcessExitCode": _exit_code,
    }
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.AsyncUtil", static_methods=statics))
    typeregistry.register(typeregistry.NetType(
        f"{NAMESPACE}.ManagedWaitHandle", base_types=("System.Threading.WaitHandle", "System.Object"),
        constructor=_managed_wait_handle))
    for name in ("ProcessInformation", "Win32Exception"):
        typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.{name}"))
    return [f"{NAMESPACE}.{name}" for name in ("ProcessInformation", "Win32Exception", "ManagedWaitHandle", "AsyncUtil")]


register_standin(NAMESPACE, _load)
