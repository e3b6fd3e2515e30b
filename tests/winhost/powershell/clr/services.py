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
from ..typeregistry import net_method, net_property
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

    @net_property("Name", "ServiceName")
    def _name(self) -> str:
        return self.record.name

    @net_property("DisplayName")
    def _display_name(self) -> str:
        return self.record.display_name

    @net_property("Status")
    def _status(self) -> typing.Any:
        return STATUS.convert(self.record.state)

    @net_property("StartType")
    def _start_type(self) -> typing.Any:
        return START_MODE.convert(self.record.start_type)

    @net_property("ServiceType")
    def _service_type(self) -> typing.Any:
        return SERVICE_TYPE.convert(self.record.service_type)

    @net_property("CanStop")
    def _can_stop(self) -> bool:
        return bool(self.record.controls_accepted & 0x1)

    @net_property("CanPauseAndContinue")
    def _can_pause_and_continue(self) -> bool:
        return bool(self.record.controls_accepted & 0x2)

    @net_property("CanShutdown")
    def _can_shutdown(self) -> bool:
        return bool(self.record.controls_accepted & 0x4)

    @net_property("MachineName")
    def _machine_name(self) -> str:
        return "."

    @net_property("DependentServices")
    def _dependent_services(self) -> list:
        return self._related(database().dependents(self.record.name))

    # RequiredServices is PowerShell's alias property of ServicesDependedOn (types.ps1xml).
    @net_property("ServicesDependedOn", "RequiredServices")
    def _services_depended_on(self) -> list:
        return self._related(self.record.dependencies)

    @net_method("Refresh")
    def _refresh(self) -> typing.Any:
        fresh = database().get(self.record.name)
        if fresh is not None:
            self.record = fresh
        return void()

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() in ("start", "stop", "pause", "continue", "executecommand", "waitforstatus"):
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
