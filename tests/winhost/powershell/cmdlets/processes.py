"""Processes through CIM (New-CimInstance -ClientOnly Win32_ProcessStartup, Invoke-CimMethod Win32_Process Create)
and Stop-Process, over the machine's kernel (HostServices.kernel, ../../machine/kernel.py): what ansible-core 2.19's
async_wrapper.ps1 does to make a suspended powershell.exe outside the session's job, to be the parent of the async
process, and to end it afterwards.

- New-CimInstance -ClassName Win32_ProcessStartup -ClientOnly -Property @{...} (learn.microsoft.com New-CimInstance:
  "-ClientOnly ... creates the instance in-memory without going to the CIM server"; "Win32_ProcessStartup class"):
  an in-memory instance with the given properties. Any other class, or a CIM server instance, is not modelled.
- Invoke-CimMethod -ClassName Win32_Process -Name Create -Arguments @{CommandLine; ProcessStartupInformation}
  ("Create method of the Win32_Process class"): a new process of the user, outside the caller's job, whose first
  thread is suspended when CreateFlags has CREATE_SUSPENDED (4); the output is the method's result (a
  CimMethodResult: ReturnValue 0 and ProcessId, both UInt32). A suspended process is never run by the test host
  (2.19's wrapper makes one only to be a parent; resuming it trips, standins/ansible_async.py). Without
  ProcessStartupInformation (2.16 to 2.18's wrapper) the process runs at once: one of the test host's applications
  (standins/applications.py) in a background thread (standins/async_process.py start_console_process); other
  startup settings are not modelled. The program is found as CreateProcessW finds a command line's first word
  without a path: the System32 and Windows directories, then the Path (the directory of WmiPrvSE.exe and the current
  directory, both under System32, come first on Windows and hold no program the test host has). A command line whose
  program is not on the disk returns 9 (Path Not Found), as the method documents. The new process's environment is
  the caller's (Windows gives it the user's own environment block: the variables of the user's profile and the
  system's; the difference is not modelled).
- Stop-Process -Id <n> -Force ("Stop-Process", 5.1): ends the process (Process.Kill: TerminateProcess with exit code
  -1); an id the machine does not have is the non-terminating error "Cannot find a process with the process
  identifier <n>." (NoProcessFoundForGivenId). Only processes the kernel knows of (those made here) are modelled:
  stopping the session's own process or any other is not modelled.
"""

from __future__ import annotations

import typing

from psrpcore.types import PSUInt

from .. import typeregistry
from .. import values as V
from ..binding import Param
from ..dotnet import NetObject, current_runspace
from ..errors import PSError
from ..standins.async_process import start_console_process
from ..standins.process import command_line_to_argv
from . import Cmdlet, cmdlet

_CREATE_SUSPENDED = 4


def _not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model {what}.", fqid="NotModelledOnTestHost", category="NotImplemented",
                   exception_type="System.NotImplementedException", terminating=True)


class _Values(NetObject):
    """A CIM instance or method result with fixed property values (type names as CimInstance's adapter shows)."""

    def __init__(self, type_names: list[str], values: dict[str, typing.Any]) -> None:
        self.type_names = type_names
        self.values = values

    def get_member(self, name: str) -> typing.Any:
        for key, value in self.values.items():
            if key.lower() == name.lower():
                return value
        return typeregistry.MISSING

    def to_string(self) -> str:
        return self.type_names[0]


@cmdlet("New-CimInstance", "Microsoft.Management.Infrastructure.CimCmdlets.NewCimInstanceCommand")
class NewCimInstance(Cmdlet):
    parameters = [Param("ClassName", 0), Param("Property", 1, aliases=("Arguments",)), Param("ClientOnly", switch=True,
                  aliases=("Local",)), Param("Namespace"), Param("Key"), Param("CimClass"), Param("CimSession"),
                  Param("ComputerName"), Param("ResourceUri"), Param("OperationTimeoutSec")]

    def process_record(self, item: typing.Any) -> None:
        del item
        name = V.to_string(self.get("ClassName") or "")
        if not self.switch("ClientOnly") or name.lower() != "win32_processstartup" or any(
                self.has(p) for p in ("Namespace", "Key", "CimClass", "CimSession", "ComputerName", "ResourceUri")):
            raise self.terminating(_not_modelled("New-CimInstance other than -ClassName Win32_ProcessStartup -ClientOnly "
                                                 "-Property"))
        props = self.get("Property") or {}
        if not isinstance(props, dict):
            raise self.terminating(_not_modelled("New-CimInstance -Property other than a hashtable"))
        values = {V.to_string(k): v for k, v in props.items()}
        self.emit(_Values(["Microsoft.Management.Infrastructure.CimInstance", "System.Object"], values))


@cmdlet("Invoke-CimMethod", "Microsoft.Management.Infrastructure.CimCmdlets.InvokeCimMethodCommand")
class InvokeCimMethod(Cmdlet):
    parameters = [Param("ClassName", 0), Param("MethodName", 2, aliases=("Name",)), Param("Arguments", 1),
                  Param("Namespace"), Param("InputObject", pipeline=True), Param("CimClass"), Param("CimSession"),
                  Param("ComputerName"), Param("Query"), Param("ResourceUri"), Param("OperationTimeoutSec")]

    def process_record(self, item: typing.Any) -> None:
        del item
        cls, method = V.to_string(self.get("ClassName") or ""), V.to_string(self.get("MethodName") or "")
        if (cls.lower(), method.lower()) != ("win32_process", "create") or any(
                self.has(p) for p in ("InputObject", "CimClass", "CimSession", "ComputerName", "Query", "ResourceUri")):
            raise self.terminating(_not_modelled(f"Invoke-CimMethod of {cls}.{method} (only Win32_Process.Create)"))
        if self.has("Namespace") and V.to_string(self.get("Namespace")).replace("\\", "/").lower() != "root/cimv2":
            raise self.terminating(_not_modelled(f"Invoke-CimMethod in the namespace {V.to_string(self.get('Namespace'))}"))
        arguments = {V.to_string(k).lower(): v for k, v in (self.get("Arguments") or {}).items()}
        unknown = set(arguments) - {"commandline", "processstartupinformation"}
        if unknown:
            raise self.terminating(_not_modelled(f"Win32_Process.Create with {sorted(unknown)}"))
        startup = arguments.get("processstartupinformation")
        suspended = startup is not None
        if suspended:
            flags = startup.get_member("CreateFlags") if isinstance(startup, _Values) else None
            others = ({k.lower() for k in startup.values} - {"createflags", "showwindow"}
                      if isinstance(startup, _Values) else set())
            if flags is typeregistry.MISSING or flags is None or int(V.to_number(flags)) != _CREATE_SUSPENDED or others:
                raise self.terminating(_not_modelled("Win32_Process.Create with ProcessStartupInformation other than "
                                                     "CreateFlags CREATE_SUSPENDED (and ShowWindow)"))
        command_line = V.to_string(arguments.get("commandline") or "")
        image = self._image(command_line_to_argv(command_line)[0] if command_line else "")
        if image is None:
            self.emit(_Values(["Microsoft.Management.Infrastructure.CimMethodResult", "System.Object"],
                              {"ReturnValue": PSUInt(9), "ProcessId": None}))
            return
        proc = self.ctx.host.kernel.new_process(command_line, suspended=suspended)
        if not suspended:
            start_console_process(current_runspace(), proc, image, command_line)()
        self.emit(_Values(["Microsoft.Management.Infrastructure.CimMethodResult", "System.Object"],
                          {"ProcessId": PSUInt(proc.pid), "ReturnValue": PSUInt(0)}))

    def _image(self, word: str) -> str | None:
        """The program file a command line's first word names (see the module docstring), or None."""
        if not word:
            return None
        fs = self.ctx.host.filesystem
        name = word if word.lower().endswith(".exe") else word + ".exe"
        if "\\" in name or ":" in name:
            candidates = [name]
        else:
            path = self.ctx.session.env.get("Path") or ""
            candidates = [f"{d.rstrip(chr(92))}\\{name}" for d in ["C:\\Windows\\System32", "C:\\Windows"]
                          + [p for p in path.split(";") if p]]
        for candidate in candidates:
            full = fs.normalize(candidate)
            if fs.is_file(full):
                return fs.full_name(full)
        return None


@cmdlet("Stop-Process", "Microsoft.PowerShell.Commands.StopProcessCommand")
class StopProcess(Cmdlet):
    parameters = [Param("Id", 0), Param("Name", aliases=("ProcessName",)), Param("InputObject", pipeline=True),
                  Param("Force", switch=True), Param("PassThru", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        del item
        if self.has("Name") or self.has("InputObject") or self.switch("PassThru") or not self.has("Id"):
            raise self.terminating(_not_modelled("Stop-Process other than -Id"))
        kernel = self.ctx.host.kernel
        for each in V.as_list(self.get("Id")):
            pid = int(V.to_number(each))
            if pid == self.ctx.host.process_id:
                raise self.terminating(_not_modelled("Stop-Process of the session's own process"))
            proc = kernel.find(pid)
            if proc is None:
                self.write_error(PSError(f"Cannot find a process with the process identifier {pid}.",
                                         fqid="NoProcessFoundForGivenId", category="ObjectNotFound",
                                         exception_type="Microsoft.PowerShell.Commands.ProcessCommandException",
                                         target=pid))
                continue
            if not proc.ended.is_set():
                proc.exit(-1)
