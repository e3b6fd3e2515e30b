"""Stand-in for ansible-core's Ansible._Async.cs (namespace Ansible._Async), which 2.19's async_wrapper.ps1 compiles.

What async_wrapper.ps1 does with it on Windows: CreateInheritableEvent (an unnamed manual-reset event whose handle a
child process inherits: CreateEventW with bInheritHandle), CanCreateBreakawayProcess (IsProcessInJob, then the job's
JOB_OBJECT_LIMIT_BREAKAWAY_OK flag: learn.microsoft.com JOBOBJECT_BASIC_LIMIT_INFORMATION), then either
CreateAsyncProcess of a new powershell.exe directly, or, when the process may not break away from its job, a
suspended powershell.exe made through WMI (Win32_Process.Create) that becomes the new process's parent
(OpenProcessAsParent, DuplicateHandleToProcess); ResumeThread, GetProcessExitCode, ManagedWaitHandle for
WaitHandle.WaitAny.

Modelled: CreateInheritableEvent (an event object: nothing waits on it until the new process exists) and
CanCreateBreakawayProcess, which is False on the test host: a PSRP session's wsmprovhost.exe runs in a job that does
not allow breakaway (async_wrapper.ps1's own comment: "The winrm and ssh connection plugin allows breaking away from
the job but psrp does not"), so the wrapper takes the WMI path. Not modelled, each a NotImplemented error naming it:
creating the async process (CreateAsyncProcess, OpenProcessAsParent, DuplicateHandleToProcess, CloseHandleInProcess,
ResumeThread, GetProcessExitCode) and ManagedWaitHandle: running a job in a second powershell.exe process on the
test host is not built yet (tests/winhost/powershell/STATUS.md, "Ansible's module chain": async).
"""

from __future__ import annotations

import typing

from .. import typeregistry
from ..dotnet import NetObject
from . import register_standin
from .ansible_utils import _not_modelled, _require

NAMESPACE = "Ansible._Async"


class InheritableEvent(NetObject):
    """CreateInheritableEvent's SafeWaitHandle: an unsignalled manual-reset event, inheritable by a child process."""

    type_names = ["Microsoft.Win32.SafeHandles.SafeWaitHandle", "Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid",
                  "System.Runtime.InteropServices.SafeHandle", "System.Object"]

    def __init__(self) -> None:
        self.signalled = False

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "dangerousgethandle":
            raise _not_modelled("SafeWaitHandle.DangerousGetHandle (handing the async event to another process)")
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


def _load(source: str) -> list[str]:
    _require(source, r"public\s+class\s+AsyncUtil\b", NAMESPACE)

    def refuse(name: str) -> typing.Callable[[list], typing.Any]:
        def call(args: list) -> typing.Any:
            del args
            raise _not_modelled(f"[Ansible._Async.AsyncUtil]::{name} (running an async job in a new powershell.exe process)")
        return call

    statics: dict[str, typing.Callable[[list], typing.Any]] = {
        name: refuse(name) for name in ("CreateAsyncProcess", "DuplicateHandleToProcess", "CloseHandleInProcess",
                                        "GetProcessExitCode", "OpenProcessAsParent", "ResumeThread")}
    statics["CreateInheritableEvent"] = lambda args: InheritableEvent()
    # wsmprovhost.exe's job forbids breakaway under PSRP (see the module docstring).
    statics["CanCreateBreakawayProcess"] = lambda args: False
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.AsyncUtil", static_methods=statics))

    def wait_handle(args: list) -> typing.Any:
        del args
        raise _not_modelled("[Ansible._Async.ManagedWaitHandle] (waiting on the async process)")

    typeregistry.register(typeregistry.NetType(
        f"{NAMESPACE}.ManagedWaitHandle", base_types=("System.Threading.WaitHandle", "System.Object"),
        constructor=wait_handle))
    for name in ("ProcessInformation", "Win32Exception"):
        typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.{name}"))
    return [f"{NAMESPACE}.{name}" for name in ("ProcessInformation", "Win32Exception", "ManagedWaitHandle", "AsyncUtil")]


register_standin(NAMESPACE, _load)
