"""Get-Runspace (Windows PowerShell 5.1, Microsoft.PowerShell.Utility): the runspaces of the process.

PowerShell docs, Get-Runspace: "gets active runspaces in a PowerShell host process"; each is a
System.Management.Automation.Runspaces.LocalRunspace with Id (an Int32 counting up in the process,
Runspace.cs s_globalId), Name ("Runspace<Id>"), InstanceId, State (Opened, Closed, ...) and
RunspaceAvailability (Available when idle, Busy while a pipeline runs in it; RunspaceAvailability
enum docs). Dispose() closes it and it is no longer listed. The test host's process is its session
(one Runspace per wsmprovhost): the list starts with the session's runspace, which is Busy while it
runs the pipeline that asks; runspaces made in it later (`[PowerShell]::Create()`) are added with
`add_runspace`. Filters (-Name, -Id, -InstanceId) are not modelled: binding them is an error.
"""

from __future__ import annotations

import typing
import uuid

from .. import dotnet
from . import Cmdlet, cmdlet


class RunspaceObject(dotnet.NetObject):
    """What Get-Runspace gives for one runspace of the process."""

    type_names = ["System.Management.Automation.Runspaces.LocalRunspace", "System.Management.Automation.Runspaces.Runspace",
                  "System.Object"]

    def __init__(self, process: "list[RunspaceObject]", runspace_id: int, busy: typing.Callable[[], bool]) -> None:
        self._process = process
        self.id = runspace_id
        self.instance_id = str(uuid.uuid4())
        self.state = "Opened"
        self._busy = busy

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "id":
            return self.id
        if low == "name":
            return f"Runspace{self.id}"
        if low == "instanceid":
            return self.instance_id
        if low == "state":
            return self.state
        if low == "runspaceavailability":
            return "None" if self.state != "Opened" else "Busy" if self._busy() else "Available"
        return super().get_member(name)

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() in ("dispose", "close"):
            self.state = "Closed"
            if self in self._process:
                self._process.remove(self)
            return dotnet.void()
        return super().call(name, args)

    def to_string(self) -> str:
        return "System.Management.Automation.Runspaces.LocalRunspace"


def process_runspaces(runspace: typing.Any) -> list[RunspaceObject]:
    """The runspaces of the session's process (kept on the session's Runspace), the session's own first."""
    listed = getattr(runspace, "process_runspaces", None)
    if listed is None:
        listed = []
        runspace.process_runspaces = listed
        listed.append(RunspaceObject(listed, 1, lambda: True))  # it is running the pipeline that lists it
    return listed


def add_runspace(runspace: typing.Any, busy: typing.Callable[[], bool]) -> RunspaceObject:
    """A runspace made in the session's process (a nested [PowerShell]::Create()): listed until disposed."""
    listed = process_runspaces(runspace)
    counter = getattr(runspace, "runspace_counter", 1) + 1
    runspace.runspace_counter = counter
    made = RunspaceObject(listed, counter, busy)
    listed.append(made)
    return made


@cmdlet("Get-Runspace", "Microsoft.PowerShell.Commands.GetRunspaceCommand")
class GetRunspace(Cmdlet):
    parameters: list = []

    def process_record(self, item: typing.Any) -> None:
        for listed in list(process_runspaces(dotnet.current_runspace())):
            self.emit(listed)
