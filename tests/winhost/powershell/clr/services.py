"""System.ServiceProcess.ServiceController: what Get-Service hands out, over the machine's SCM database.

learn.microsoft.com, "ServiceController Class" (.NET Framework 4.x): Name/ServiceName, DisplayName, Status
(ServiceControllerStatus: Stopped 1, StartPending 2, StopPending 3, Running 4, ContinuePending 5, PausePending 6,
Paused 7), StartType (ServiceStartMode: Boot 0, System 1, Automatic 2, Manual 3, Disabled 4), ServiceType
(ServiceType flags: Win32OwnProcess 16, Win32ShareProcess 32, ...), CanStop, CanShutdown, CanPauseAndContinue,
MachineName ("." for the local computer), DependentServices, ServicesDependedOn; Refresh() reads the status again
(a ServiceController caches it: Status is the state when it was read or refreshed). The machine's state lives in
winhost/machine/scm.py; start and stop go through cmdlets/services.py (Start-Service, Stop-Service).
Methods that change a service directly (Start, Stop, Pause, Continue, ExecuteCommand, WaitForStatus) are
NotImplemented errors naming them.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from ..dotnet import NetObject, current_runspace, void
from ..errors import PSError
from ..typeregistry import MISSING
from .enums import declare_enum

CONTROLLER_TYPE = "System.ServiceProcess.ServiceController"
STATUS = declare_enum("System.ServiceProcess.ServiceControllerStatus", {
    "Stopped": 1, "StartPending": 2, "StopPending": 3, "Running": 4, "ContinuePending": 5, "PausePending": 6,
    "Paused": 7})
START_MODE = declare_enum("System.ServiceProcess.ServiceStartMode", {
    "Boot": 0, "System": 1, "Automatic": 2, "Manual": 3, "Disabled": 4})
SERVICE_TYPE = declare_enum("System.ServiceProcess.ServiceType", {
    "KernelDriver": 1, "FileSystemDriver": 2, "Adapter": 4, "RecognizerDriver": 8, "Win32OwnProcess": 16,
    "Win32ShareProcess": 32, "InteractiveProcess": 256}, flags=True)


def _not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model {what}.", fqid="NotModelledOnTestHost", category="NotImplemented",
                   exception_type="System.NotImplementedException", terminating=True)


def database() -> typing.Any:
    """The SCM database of the machine the running session is on (winhost.machine.scm.ServiceDatabase)."""
    return current_runspace().host.service_database


class ServiceController(NetObject):
    type_names = [CONTROLLER_TYPE, "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object"]

    def __init__(self, record: typing.Any) -> None:
        self.record = record  # a snapshot (scm.ServiceRecord), refreshed by Refresh()

    @property
    def label(self) -> str:
        """How the service cmdlets name it in their messages: "DisplayName (ServiceName)"
        (ServiceResources.ServiceNameForConfirmation)."""
        return f"{self.record.display_name} ({self.record.name})"

    def _related(self, names: typing.Iterable[str]) -> list:
        out = []
        for name in names:
            record = database().get(name)
            if record is None:  # a driver dependency (HTTP): drivers are not in the modelled database
                raise _not_modelled(f"the service or driver '{name}' that '{self.record.name}' is related to")
            out.append(ServiceController(record))
        return out

    def get_member(self, name: str) -> typing.Any:  # pylint: disable=too-many-return-statements
        low = name.lower()
        record = self.record
        if low in ("name", "servicename"):
            return record.name
        if low == "displayname":
            return record.display_name
        if low == "status":
            return STATUS.convert(record.state)
        if low == "starttype":
            return START_MODE.convert(record.start_type)
        if low == "servicetype":
            return SERVICE_TYPE.convert(record.service_type)
        if low == "canstop":
            return bool(record.controls_accepted & 0x1)
        if low == "canpauseandcontinue":
            return bool(record.controls_accepted & 0x2)
        if low == "canshutdown":
            return bool(record.controls_accepted & 0x4)
        if low == "machinename":
            return "."
        if low in ("dependentservices",):
            return self._related(database().dependents(record.name))
        if low in ("servicesdependedon", "requiredservices"):
            return self._related(record.dependencies)
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "refresh" and not args:
            fresh = database().get(self.record.name)
            if fresh is not None:
                self.record = fresh
            return void()
        if low in ("start", "stop", "pause", "continue", "executecommand", "waitforstatus"):
            raise _not_modelled(f"ServiceController.{name} (the test host changes a service through Start-Service and "
                                "Stop-Service)")
        return super().call(name, args)

    def to_string(self) -> str:
        return CONTROLLER_TYPE

    def wire_properties(self) -> list[tuple[str, typing.Any]]:
        return [("Name", self.record.name), ("DisplayName", self.record.display_name),
                ("Status", STATUS.convert(self.record.state).name), ("ServiceName", self.record.name),
                ("StartType", START_MODE.convert(self.record.start_type).name)]


typeregistry.register(typeregistry.NetType(
    CONTROLLER_TYPE, base_types=("System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object"),
    instance_check=lambda value: isinstance(value, ServiceController)))
