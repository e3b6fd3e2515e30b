"""Get-Service, Start-Service, Stop-Service (Microsoft.PowerShell.Management, 5.1) over the machine's services.

learn.microsoft.com, Get-Service (5.1): `[[-Name] <String[]>]` (wildcards; by value and by property name) and
`-DisplayName`, `-InputObject`, `-DependentServices`, `-RequiredServices`, `-Include`, `-Exclude`, `-ComputerName`;
without -Name every service (drivers are not listed). A name nothing matches is a non-terminating error "Cannot
find any service with service name '<name>'." (NoServiceFoundForGivenName, ObjectNotFound); a wildcard that matches
nothing gives nothing. Start-Service / Stop-Service: `-InputObject <ServiceController[]>` from the pipeline, or
`-Name`; `-PassThru`, Stop-Service's `-Force` (stop the running dependents too) and `-WhatIf`/`-Confirm`
(ShouldProcess with the target "DisplayName (ServiceName)", the action the cmdlet's name: PowerShell's
ServiceOperationBaseCommand, ServiceResources.ServiceNameForConfirmation). Their errors (ServiceResources):
"Cannot stop service '<label>' because it has dependent services. It can only be stopped if the Force flag is set."
(ServiceHasDependentServices), "Service '<label>' cannot be stopped due to the following error: Cannot stop <name>
service on computer '.'." (CouldNotStopService), "Service '<label>' cannot be started due to the following error:
Cannot start service <name> on computer '.'." (CouldNotStartService).

Not modelled (NotImplemented errors naming them): -ComputerName, -DependentServices/-RequiredServices, -Include/
-Exclude, Stop-Service -NoWait, stopping WinRM (it would end this session), and the other service cmdlets
(Set-Service, New-Service, Restart-Service, Suspend-Service, Resume-Service are not commands here).
"""

from __future__ import annotations

import fnmatch
import typing

from .. import values as V
from ..binding import Param
from ..clr import services as S
from ..errors import PSError
from . import Cmdlet, cmdlet

_WILDCARD = set("*?[")


def _not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model {what}.", fqid="NotModelledOnTestHost", category="NotImplemented",
                   exception_type="System.NotImplementedException", terminating=True)


def _all() -> list[S.ServiceController]:
    db = S.database()
    return [S.ServiceController(db.get(name)) for name in db.names()]


@cmdlet("Get-Service", "Microsoft.PowerShell.Commands.GetServiceCommand", aliases=("gsv",))
class GetService(Cmdlet):
    parameters = [Param("Name", 0, pipeline=True, by_property=True, aliases=("ServiceName",)), Param("DisplayName"),
                  Param("InputObject"), Param("DependentServices", switch=True, aliases=("DS",)),
                  Param("RequiredServices", switch=True, aliases=("SDO", "ServicesDependedOn")), Param("Include"),
                  Param("Exclude"), Param("ComputerName", aliases=("Cn",))]

    def process_record(self, item: typing.Any) -> None:
        del item
        for name in ("ComputerName", "DependentServices", "RequiredServices", "Include", "Exclude", "InputObject"):
            if self.has(name) and self.get(name) is not None and self.get(name) is not False:
                raise self.terminating(_not_modelled(f"Get-Service -{name}"))
        services = _all()
        if self.get("DisplayName") is not None:
            self._matching([V.to_string(n) for n in V.as_list(self.get("DisplayName"))], services, "displayname",
                           "Cannot find any service with display name '{}'.", "NoServiceFoundForGivenDisplayName")
            return
        if self.get("Name") is None:
            for service in services:
                self.emit(service)
            return
        self._matching([V.to_string(n) for n in V.as_list(self.get("Name"))], services, "servicename",
                       "Cannot find any service with service name '{}'.", "NoServiceFoundForGivenName")

    def _matching(self, patterns: list[str], services: list, member: str, message: str, fqid: str) -> None:
        for pattern in patterns:
            found = [s for s in services if fnmatch.fnmatchcase(V.to_string(s.get_member(member)).lower(), pattern.lower())]
            if not found and not _WILDCARD & set(pattern):
                self.write_error(PSError(message.format(pattern), fqid=fqid, category="ObjectNotFound",
                                         exception_type="Microsoft.PowerShell.Commands.ServiceCommandException",
                                         target=pattern, target_name=pattern))
            for service in found:
                self.emit(service)


class _ServiceOperation(Cmdlet):
    knows_should_process = True  # ServiceOperationBaseCommand's ShouldProcess(target) texts, above
    parameters = [Param("InputObject", 0, pipeline=True), Param("Name", aliases=("ServiceName",)),
                  Param("DisplayName"), Param("Include"), Param("Exclude"), Param("PassThru", switch=True)]

    def targets(self, item: typing.Any) -> list[S.ServiceController]:
        for name in ("Include", "Exclude", "DisplayName"):
            if self.get(name) is not None:
                raise self.terminating(_not_modelled(f"{self.name} -{name}"))
        del item  # bound to -InputObject already (Cmdlet.bind_pipeline)
        value = self.get("InputObject")
        if self.get("Name") is not None:
            value = [V.to_string(n) for n in V.as_list(self.get("Name"))]
        out = []
        for each in V.as_list(value):
            if isinstance(each, S.ServiceController):
                out.append(each)
                continue
            name = V.to_string(each)
            record = S.database().get(name)
            if record is None:
                self.write_error(PSError(f"Cannot find any service with service name '{name}'.",
                                         fqid="NoServiceFoundForGivenName", category="ObjectNotFound",
                                         exception_type="Microsoft.PowerShell.Commands.ServiceCommandException",
                                         target=name, target_name=name))
                continue
            out.append(S.ServiceController(record))
        return out

    def start(self, service: S.ServiceController) -> None:
        """Start it (Start-Service, the second half of Restart-Service): refused when disabled; -PassThru emits it."""
        if S.database().start(service.record.name):
            self.fail(service, f"Service '{service.label}' cannot be started due to the following error: Cannot start "
                               f"service {service.record.name} on computer '.'.", "CouldNotStartService")
            return
        service.call("Refresh", [])
        if self.switch("PassThru"):
            self.emit(service)

    def fail(self, service: S.ServiceController, message: str, fqid: str, category: str = "OpenError") -> None:
        self.write_error(PSError(message, fqid=fqid, category=category, target=service,
                                 exception_type="Microsoft.PowerShell.Commands.ServiceCommandException"))


@cmdlet("Start-Service", "Microsoft.PowerShell.Commands.StartServiceCommand", aliases=("sasv",), should_process=True)
class StartService(_ServiceOperation):
    def process_record(self, item: typing.Any) -> None:
        for service in self.targets(item):
            if not self.should_process(self.name, service.label):
                continue
            self.start(service)


@cmdlet("Stop-Service", "Microsoft.PowerShell.Commands.StopServiceCommand", aliases=("spsv",), should_process=True)
class StopService(_ServiceOperation):
    parameters = _ServiceOperation.parameters + [Param("Force", switch=True), Param("NoWait", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        if self.switch("NoWait"):
            raise self.terminating(_not_modelled("Stop-Service -NoWait"))
        for service in self.targets(item):
            if not self.should_process(self.name, service.label):
                continue
            refused = S.database().stop(service.record.name, force=self.switch("Force"))
            if refused:
                if refused == "own_service":
                    raise self.terminating(_not_modelled("stopping WinRM (the service this session runs over)")) from None
                if refused == "has_dependents":
                    self.fail(service, f"Cannot stop service '{service.label}' because it has dependent services. It can "
                                       "only be stopped if the Force flag is set.", "ServiceHasDependentServices",
                              "InvalidOperation")
                else:
                    self.fail(service, f"Service '{service.label}' cannot be stopped due to the following error: Cannot "
                                       f"stop {service.record.name} service on computer '.'.", "CouldNotStopService",
                              "CloseError")
                continue
            service.call("Refresh", [])
            if self.switch("PassThru"):
                self.emit(service)


@cmdlet("Restart-Service", "Microsoft.PowerShell.Commands.RestartServiceCommand", should_process=True)
class RestartService(StopService):
    """Stop (with -Force, its running dependents too), then start the service (RestartServiceCommand: a stopped
    service is just started). The dependents it stopped are not started again (a deviation: Windows restarts the
    dependents it stopped)."""

    def process_record(self, item: typing.Any) -> None:
        for service in self.targets(item):
            if not self.should_process(self.name, service.label):
                continue
            refused = S.database().stop(service.record.name, force=self.switch("Force"))
            if refused == "own_service":
                raise self.terminating(_not_modelled("restarting WinRM (the service this session runs over)"))
            if refused:
                self.fail(service, f"Service '{service.label}' cannot be stopped due to the following error: Cannot "
                                   f"stop {service.record.name} service on computer '.'.", "CouldNotStopService",
                          "CloseError")
                continue
            self.start(service)


def _refusing(name: str, dotnet: str, what: str) -> None:
    """A 5.1 service cmdlet the test host does not model: any call is a NotImplemented error naming it."""

    class Refusing(Cmdlet):
        parameters = [Param("Name", 0, pipeline=True, by_property=True), Param("InputObject"), Param("DisplayName"),
                      Param("BinaryPathName", aliases=("Path",)), Param("Description"), Param("StartupType"),
                      Param("Credential"), Param("DependsOn"), Param("Status"), Param("PassThru", switch=True),
                      Param("Include"), Param("Exclude"), Param("ComputerName")]

        def process_record(self, item: typing.Any) -> None:
            del item
            raise self.terminating(_not_modelled(f"{name} ({what})"))

    cmdlet(name, dotnet, should_process=True)(Refusing)


_refusing("New-Service", "Microsoft.PowerShell.Commands.NewServiceCommand", "creating a service")
_refusing("Set-Service", "Microsoft.PowerShell.Commands.SetServiceCommand", "changing a service's configuration")
_refusing("Suspend-Service", "Microsoft.PowerShell.Commands.SuspendServiceCommand", "pausing a service")
_refusing("Resume-Service", "Microsoft.PowerShell.Commands.ResumeServiceCommand", "continuing a paused service")
