"""Stand-in for ansible.windows' SCManager util (namespace ansible_collections.ansible.windows.plugins.module_utils.
SCManager, SCManager.cs of ansible.windows 3.3.0), which win_service and win_service_info compile.

The C# wraps the Service Control Manager API (learn.microsoft.com: OpenServiceW, QueryServiceConfigW,
QueryServiceConfig2W, QueryServiceStatusEx, EnumDependentServicesW). The stand-in reads the same facts from the
machine's service database (winhost/machine/scm.py) through the session's host:

- the enums, with SCManager.cs's names and values (they are the Win32 constants: SERVICE_STATUS dwCurrentState,
  dwControlsAccepted; QUERY_SERVICE_CONFIGW dwServiceType, dwStartType, dwErrorControl; SERVICE_SID_INFO; the
  access rights of "Service Security and Access Rights"), declared under the util's namespace; AddType.psm1's
  `//TypeAccelerator` lines then name them `Ansible.Windows.SCManager.*` as on Windows;
- `New-Object Ansible.Windows.SCManager.Service <name>[, <rights>[, <scm rights>]]`: OpenServiceW of a service the
  database lacks fails as the C# does (ServiceManagerException "Failed to open service '<name>'" with Win32 error
  1060, ERROR_SERVICE_DOES_NOT_EXIST: "The specified service does not exist as an installed service");
- its properties as the C# computes them: ServiceName, ServiceType, StartType (AutoStartDelayed for a delayed
  automatic start), ErrorControl, Path, LoadOrderGroup, DependentOn, Account (an NTAccount; "LocalSystem" becomes
  SYSTEM's translated name), DisplayName, Description, FailureActions (the record's failure actions: none modelled
  here, see below), FailureActionsOnNonCrashFailures, ServiceSidInfo, RequiredPrivileges, PreShutdownTimeout,
  LaunchProtection, State, ControlsAccepted, DependedBy; status and configuration are a snapshot taken when the
  object is made and on Refresh(), as the C# caches _statusProcess and _ServiceConfig.

Not modelled (NotImplemented errors naming them): changing any setting (every property setter, Delete, the static
Create: creating services), Triggers, Win32ExitCode/ServiceExitCode/Checkpoint/WaitHint/ProcessId/ServiceFlags,
and the Trigger/TriggerItem classes. Failure actions: the machine's services carry none (an empty list, reset
period 0), a simplification of Windows, which sets restart actions on many services (learn.microsoft.com,
SERVICE_FAILURE_ACTIONSW); required privileges are empty for the same reason. tests/winhost/README.md lists both.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..clr.enums import declare_enum
from ..clr.principal import NTAccount, SecurityIdentifier
from ..dotnet import NetObject, current_runspace, void
from ..errors import PSError, method_exception
from ..typeregistry import MISSING, net_method, net_property
from . import register_standin
from .ansible_utils import _not_modelled, _require

NAMESPACE = "ansible_collections.ansible.windows.plugins.module_utils.SCManager"

ENUMS: dict[str, tuple[dict[str, int], bool]] = {
    "ControlsAccepted": ({"None": 0, "Stop": 0x1, "PauseContinue": 0x2, "Shutdown": 0x4, "ParamChange": 0x8,
                          "NetbindChange": 0x10, "HardwareProfileChange": 0x20, "PowerEvent": 0x40,
                          "SessionChange": 0x80, "PreShutdown": 0x100}, True),
    "ErrorControl": ({"Ignore": 0, "Normal": 1, "Severe": 2, "Critical": 3}, False),
    "FailureAction": ({"None": 0, "Restart": 1, "Reboot": 2, "RunCommand": 3}, False),
    "LaunchProtection": ({"None": 0, "Windows": 1, "WindowsLight": 2, "AntimalwareLight": 3}, False),
    "SCMRights": ({"Connect": 0x1, "CreateService": 0x2, "EnumerateService": 0x4, "Lock": 0x8, "QueryLockStatus": 0x10,
                   "ModifyBootConfig": 0x20, "AllAccess": 0xF003F}, True),
    "ServiceFlags": ({"None": 0, "RunsInSystemProcess": 1}, True),
    "ServiceRights": ({"QueryConfig": 0x1, "ChangeConfig": 0x2, "QueryStatus": 0x4, "EnumerateDependents": 0x8,
                       "Start": 0x10, "Stop": 0x20, "PauseContinue": 0x40, "Interrogate": 0x80,
                       "UserDefinedControl": 0x100, "Delete": 0x10000, "ReadControl": 0x20000, "WriteDac": 0x40000,
                       "WriteOwner": 0x80000, "AllAccess": 0xF01FF, "AccessSystemSecurity": 0x1000000}, True),
    "ServiceStartType": ({"BootStart": 0, "SystemStart": 1, "AutoStart": 2, "DemandStart": 3, "Disabled": 4,
                          "AutoStartDelayed": 0x1000000}, False),
    "ServiceType": ({"KernelDriver": 0x1, "FileSystemDriver": 0x2, "Adapter": 0x4, "RecognizerDriver": 0x8,
                     "Driver": 0xB, "Win32OwnProcess": 0x10, "Win32ShareProcess": 0x20, "Win32": 0x30,
                     "UserProcess": 0x40, "UserOwnprocess": 0x50, "UserShareProcess": 0x60,
                     "UserServiceInstance": 0x80, "InteractiveProcess": 0x100, "PkgService": 0x200}, True),
    "ServiceSidInfo": ({"None": 0, "Unrestricted": 1, "Restricted": 3}, False),
    "ServiceStatus": ({"Stopped": 1, "StartPending": 2, "StopPending": 3, "Running": 4, "ContinuePending": 5,
                       "PausePending": 6, "Paused": 7}, False),
    "TriggerAction": ({"ServiceStart": 1, "ServiceStop": 2}, False),
    "TriggerDataType": ({"Binary": 1, "String": 2, "Level": 3, "KeywordAny": 4, "KeywordAll": 5}, False),
    "TriggerType": ({"DeviceInterfaceArrival": 1, "IpAddressAvailability": 2, "DomainJoin": 3, "FirewallPortEvent": 4,
                     "GroupPolicy": 5, "NetworkEndpoint": 6, "Custom": 20}, False),
}
_TYPES: dict[str, typeregistry.NetType] = {}


def _enum(name: str, value: typing.Any) -> typing.Any:
    return _TYPES[name].convert(value)


def _database() -> typing.Any:
    return current_runspace().host.service_database


class _Fields(NetObject):
    """A C# class of public fields (Action, FailureActions): read and written by name."""

    fields: tuple[str, ...] = ()

    def __init__(self, **values: typing.Any) -> None:
        self.values = {f: values.get(f) for f in self.fields}

    def _field(self, name: str) -> str | None:
        return next((f for f in self.fields if f.lower() == name.lower()), None)

    def get_member(self, name: str) -> typing.Any:
        field = self._field(name)
        return self.values[field] if field else MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        field = self._field(name)
        if field is None:
            return False
        self.values[field] = self.convert_field(field, value)
        return True

    def convert_field(self, field: str, value: typing.Any) -> typing.Any:
        del field
        return value


class Action(_Fields):
    type_names = [f"{NAMESPACE}.Action", "System.Object"]
    fields = ("Type", "Delay")

    def __init__(self, **values: typing.Any) -> None:
        super().__init__(Type=_enum("FailureAction", 0), Delay=0)
        for key, value in values.items():
            self.set_member(key, value)

    def convert_field(self, field: str, value: typing.Any) -> typing.Any:
        return _enum("FailureAction", value) if field == "Type" else V.cast(value, V.TypeValue("System.UInt32"))


class FailureActions(_Fields):
    type_names = [f"{NAMESPACE}.FailureActions", "System.Object"]
    fields = ("ResetPeriod", "RebootMsg", "Command", "Actions")


class ServiceManagerException(NetObject):
    type_names = [f"{NAMESPACE}.ServiceManagerException", "System.ComponentModel.Win32Exception", "System.Object"]


def _service_missing(name: str) -> PSError:
    # ServiceManagerException(message): "<message> (Win32ErrorCode <code> - 0x<code>)" (SCManager.cs builds the message
    # from the message, the Win32Exception's text and its code); OpenServiceW's error: ERROR_SERVICE_DOES_NOT_EXIST.
    text = (f"Failed to open service '{name}' (The specified service does not exist as an installed service, "
            "Win32ErrorCode 1060 - 0x00000424)")
    return method_exception(".ctor", 2, text, f"{NAMESPACE}.ServiceManagerException")


class Service(NetObject):
    type_names = [f"{NAMESPACE}.Service", "System.IDisposable", "System.Object"]

    def __init__(self, name: str) -> None:
        self.name = name
        self.record = self._read()

    def _read(self) -> typing.Any:
        record = _database().get(self.name)
        if record is None:
            raise _service_missing(self.name)
        return record

    def _account(self) -> typing.Any:
        if self.record.account == "LocalSystem":  # SCManager.cs: the SYSTEM SID translated
            return SecurityIdentifier("S-1-5-18").call("Translate", [V.TypeValue("System.Security.Principal.NTAccount")])
        return NTAccount(self.record.account)

    net_not_modelled = ("Triggers", "Win32ExitCode", "ServiceExitCode", "Checkpoint", "WaitHint", "ProcessId",
                        "ServiceFlags")

    @net_property("ServiceName")
    def _service_name(self) -> typing.Any:
        return self.name

    @net_property("ServiceType")
    def _service_type(self) -> typing.Any:
        return _enum("ServiceType", self.record.service_type)

    @net_property("StartType")
    def _start_type(self) -> typing.Any:
        return _enum("ServiceStartType", 0x1000000 if self.record.delayed_auto_start else self.record.start_type)

    @net_property("ErrorControl")
    def _error_control(self) -> typing.Any:
        return _enum("ErrorControl", self.record.error_control)

    @net_property("Path")
    def _path(self) -> typing.Any:
        return self.record.path

    @net_property("LoadOrderGroup")
    def _load_order_group(self) -> typing.Any:
        return self.record.load_order_group

    @net_property("DependentOn")
    def _dependent_on(self) -> typing.Any:
        return V.PSGenericList(self.record.dependencies)

    @net_property("Account")
    def _account_property(self) -> typing.Any:
        return self._account()

    @net_property("DisplayName")
    def _display_name(self) -> typing.Any:
        return self.record.display_name

    @net_property("Description")
    def _description(self) -> typing.Any:
        return self.record.description

    @net_property("FailureActions")
    def _failure_actions(self) -> typing.Any:
        return FailureActions(ResetPeriod=0, RebootMsg=None, Command=None, Actions=V.PSGenericList())

    @net_property("FailureActionsOnNonCrashFailures")
    def _failure_actions_on_non_crash_failures(self) -> typing.Any:
        return False

    @net_property("ServiceSidInfo")
    def _service_sid_info(self) -> typing.Any:
        return _enum("ServiceSidInfo", self.record.sid_info)

    @net_property("RequiredPrivileges")
    def _required_privileges(self) -> typing.Any:
        return V.PSGenericList()

    @net_property("PreShutdownTimeout")
    def _pre_shutdown_timeout(self) -> typing.Any:
        return self.record.pre_shutdown_timeout

    @net_property("LaunchProtection")
    def _launch_protection(self) -> typing.Any:
        return _enum("LaunchProtection", 0)

    @net_property("State")
    def _state(self) -> typing.Any:
        return _enum("ServiceStatus", self.record.state)

    @net_property("ControlsAccepted")
    def _controls_accepted(self) -> typing.Any:
        return _enum("ControlsAccepted", self.record.controls_accepted)

    @net_property("DependedBy")
    def _depended_by(self) -> typing.Any:
        return V.PSGenericList(_database().dependents(self.name))

    def net_not_modelled_error(self, kind: str, name: str) -> PSError:
        del kind
        return _not_modelled(f"[Ansible.Windows.SCManager.Service].{name}")

    def set_member(self, name: str, value: typing.Any) -> bool:
        del value
        raise _not_modelled(f"setting [Ansible.Windows.SCManager.Service].{name} (changing a service's configuration)")

    @net_method("Refresh")
    def _refresh(self) -> typing.Any:
        self.record = self._read()
        return void()

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "delete":
            raise _not_modelled("[Ansible.Windows.SCManager.Service].Delete() (deleting a service)")
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


def _new_service(args: list) -> Service:
    if not 1 <= len(args) <= 3:
        raise method_exception("new", len(args), f'Cannot find an overload for "Service" and the argument count: "{len(args)}".')
    if len(args) > 1:
        _enum("ServiceRights", args[1])  # the rights convert as the C# parameter's type would (an invalid name throws)
    return Service(V.to_string(args[0]))


def _new_action(args: list) -> Action:
    if args:
        raise method_exception("new", len(args), 'Cannot find an overload for "Action" and the argument count: '
                               f'"{len(args)}".')
    return Action()


def _convert_action(value: typing.Any) -> Action | None:
    if value is None or isinstance(value, Action):
        return value
    if isinstance(value, dict):  # [Action]@{Type = ...; Delay = ...}: the default constructor, then each field
        return Action(**{V.to_string(k): v for k, v in value.items()})
    raise _not_modelled(f"converting a {type(value).__name__} to [Ansible.Windows.SCManager.Action]")


def _load(source: str) -> list[str]:
    _require(source, r"public\s+class\s+Service\s*:\s*IDisposable", NAMESPACE)
    for name, (members, flags) in ENUMS.items():
        _TYPES[name] = declare_enum(f"{NAMESPACE}.{name}", members, flags=flags)

    def refuse(what: str) -> typing.Callable[[list], typing.Any]:
        def call(args: list) -> typing.Any:
            del args
            raise _not_modelled(what)
        return call

    def instance_of(cls: type) -> typing.Callable[[typing.Any], bool]:
        return lambda value: isinstance(value, cls)

    typeregistry.register(typeregistry.NetType(
        f"{NAMESPACE}.Service", base_types=("System.IDisposable", "System.Object"), constructor=_new_service,
        instance_check=instance_of(Service),
        static_methods={"Create": refuse("[Ansible.Windows.SCManager.Service]::Create (creating a service)")}))
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.Action", constructor=_new_action, convert=_convert_action,
                                               instance_check=instance_of(Action)))
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.FailureActions",
                                               constructor=lambda args: FailureActions(),
                                               instance_check=instance_of(FailureActions)))
    typeregistry.register(typeregistry.NetType(
        f"{NAMESPACE}.ServiceManagerException", base_types=("System.ComponentModel.Win32Exception", "System.Object"),
        constructor=refuse("[Ansible.Windows.SCManager.ServiceManagerException]::new")))
    for name in ("Trigger", "TriggerItem"):
        typeregistry.register(typeregistry.NetType(
            f"{NAMESPACE}.{name}", constructor=refuse(f"[Ansible.Windows.SCManager.{name}] (service triggers)")))
    names = list(ENUMS) + ["Service", "Action", "FailureActions", "ServiceManagerException", "Trigger", "TriggerItem"]
    return [f"{NAMESPACE}.{name}" for name in names]


register_standin(NAMESPACE, _load)
