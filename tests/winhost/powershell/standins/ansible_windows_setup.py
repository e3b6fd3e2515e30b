"""Stand-in for the C# ansible.windows' setup.ps1 (the facts module) compiles: namespace `Ansible.Windows.Setup`.

setup.ps1 (ansible.windows 3.3.0) compiles it with Add-CSharpType and uses, per fact subset:
- `New-Object Ansible.Windows.Setup.OSVersionInfo` (distribution): ProductType, GetVersionExW's wProductType.
- `New-Object Ansible.Windows.Setup.DomainInfo` (platform, windows_domain): Domain, DomainRole, PartOfDomain
  (DsRoleGetPrimaryDomainInformation, else NetWkstaGetInfo's workgroup).
- `New-Object Ansible.Windows.Setup.SystemInfo` (platform, processor): NetBIOSName (GetComputerNameExW
  ComputerNameNetBIOS), NumberOfProcessors and ProcessorArchitecture (GetNativeSystemInfo), both UInt32.
- `New-Object Ansible.Windows.Setup.MemoryInfo` (memory): TotalPhysical, AvailablePhysical (GlobalMemoryStatusEx).
- `New-Object Ansible.Windows.Setup.SMBIOSInfo` (bios, platform, processor, virtual): the SMBIOS table's BIOS (type 0),
  system (type 1) and processor (type 4) structures: ReleaseDate (DateTime?, Utc), SMBIOSBIOSVersion, Manufacturer,
  Model, SerialNumber, UUID, ProcessorCountFound, ProcessorInfo (List<Tuple<int, int>>: cores, threads per socket).
- `[Ansible.Windows.Setup.NativeMethods]::GetTickCount64()` (uptime).
Every value comes from the machine (HostServices.system, machine/system.py). The raw P/Invoke methods and helper
structs (NativeHelpers, the Safe*Buffer classes, the other NativeMethods) are not modelled: calling them fails loudly.

UInt64 fields (MemoryInfo) are given as Int64 values: the interpreter has no UInt64 (the values fit).
"""

from __future__ import annotations

import typing

from psrpcore.types import PSInt64, PSUInt

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, current_runspace
from ..typeregistry import MISSING
from ..tripwire import trip
from ..clr.enums import declare_enum
from . import register_standin
from .ansible_utils import _require

NAMESPACE = "Ansible.Windows.Setup"


def _system() -> typing.Any:
    return current_runspace().host.system


class FieldObject(NetObject):
    """An instance of one of the C# classes: its public fields, read-only here (setup.ps1 only reads them)."""

    def __init__(self, type_name: str, fields: dict[str, typing.Any]) -> None:
        self.type_names = [type_name, "System.Object"]
        self.fields = fields

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        for key, value in self.fields.items():
            if key.lower() == low:
                return value
        return MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        if any(key.lower() == name.lower() for key in self.fields):
            raise trip(f"Setting the field '{name}' of [{self.type_names[0]}]")
        return False

    def wire_properties(self) -> list[tuple[str, typing.Any]]:
        return list(self.fields.items())


class IntTuple(NetObject):
    """System.Tuple`2[int, int] (SMBIOSInfo.ProcessorInfo's items): Item1, Item2; ToString "(a, b)"."""

    type_names = ["System.Tuple`2[[System.Int32],[System.Int32]]", "System.Object"]

    def __init__(self, first: int, second: int) -> None:
        self.items = (first, second)

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low in ("item1", "item2"):
            return self.items[int(low[-1]) - 1]
        return MISSING

    def to_string(self) -> str:
        return f"({self.items[0]}, {self.items[1]})"


def _os_version_info(args: list) -> FieldObject:
    _no_arguments("OSVersionInfo", args)
    return FieldObject(f"{NAMESPACE}.OSVersionInfo", {"ProductType": _system().product_type})


def _domain_info(args: list) -> FieldObject:
    _no_arguments("DomainInfo", args)
    system = _system()
    # Not joined: DsRoleGetPrimaryDomainInformation gives no DNS domain name, so Domain is NetWkstaGetInfo's workgroup.
    return FieldObject(f"{NAMESPACE}.DomainInfo",
                       {"Domain": system.workgroup, "DomainRole": system.domain_role, "PartOfDomain": False})


def _system_info(args: list) -> FieldObject:
    _no_arguments("SystemInfo", args)
    host = current_runspace().host
    system = host.system
    # The NetBIOS name: the computer name in upper case, at most 15 characters (learn.microsoft.com, "Computer Names").
    return FieldObject(f"{NAMESPACE}.SystemInfo", {
        "NetBIOSName": host.computer_name.upper()[:15],
        "NumberOfProcessors": PSUInt(len(system.processors)),
        "ProcessorArchitecture": PSUInt(system.processor_architecture)})


def _memory_info(args: list) -> FieldObject:
    _no_arguments("MemoryInfo", args)
    system = _system()
    return FieldObject(f"{NAMESPACE}.MemoryInfo",
                       {"TotalPhysical": PSInt64(system.total_physical), "AvailablePhysical": PSInt64(system.available_physical)})


def _smbios_info(args: list) -> FieldObject:
    _no_arguments("SMBIOSInfo", args)
    system = _system()
    processors = V.PSGenericList(IntTuple(system.cores_per_socket, system.threads_per_socket)
                                 for _socket in range(system.sockets))
    return FieldObject(f"{NAMESPACE}.SMBIOSInfo", {
        "ReleaseDate": V.to_datetime(system.bios_date),
        "SMBIOSBIOSVersion": system.bios_version, "Manufacturer": system.manufacturer, "Model": system.model,
        "SerialNumber": system.serial_number, "UUID": system.uuid,
        # SMBIOS 3.x: the type 4 structures carry core and thread counts.
        "ProcessorCountFound": True, "ProcessorInfo": processors})


def _no_arguments(name: str, args: list) -> None:
    if args:
        raise trip(f"[{NAMESPACE}.{name}] with constructor arguments (its C# has only a parameterless constructor)")


def _not_modelled(type_name: str, member: str) -> typing.Callable[[list], typing.Any]:
    def call(args: list) -> typing.Any:
        del args
        raise trip(f"[{NAMESPACE}.{type_name}]::{member}")
    return call


_RAW_METHODS = ("DsRoleFreeMemory", "DsRoleGetPrimaryDomainInformation", "GetComputerNameExW", "GetNativeSystemInfo",
                "GetSystemFirmwareTable", "GetVersionExW", "GlobalMemoryStatusEx", "NetApiBufferFree",
                "NetWkstaGetInfo")


def _load(source: str) -> list[str]:
    _require(source, r"public\s+class\s+SMBIOSInfo\b", NAMESPACE)
    methods: dict[str, typing.Callable[[list], typing.Any]] = {m: _not_modelled("NativeMethods", m) for m in _RAW_METHODS}
    methods["GetTickCount64"] = lambda args: PSInt64(_system().tick_count_ms())
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.NativeMethods", static_methods=methods))
    for name, constructor in (("OSVersionInfo", _os_version_info), ("DomainInfo", _domain_info),
                              ("SystemInfo", _system_info), ("MemoryInfo", _memory_info), ("SMBIOSInfo", _smbios_info)):
        typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.{name}", constructor=constructor))
    declare_enum(f"{NAMESPACE}.FirmwareProvider", {"ACPI": 0x41435049, "FIRM": 0x4649524D, "RSMB": 0x52534D42})
    for name in ("NativeHelpers", "SafeMemoryBuffer", "SafeDsMemoryBuffer", "SafeNetAPIBuffer", "Win32Exception"):
        typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.{name}", constructor=_not_modelled(name, "new")))
    return [f"{NAMESPACE}.{n}" for n in ("NativeHelpers", "NativeMethods", "SafeMemoryBuffer", "SafeDsMemoryBuffer",
                                         "SafeNetAPIBuffer", "Win32Exception", "FirmwareProvider", "DomainInfo",
                                         "MemoryInfo", "OSVersionInfo", "SMBIOSInfo", "SystemInfo")]


register_standin(NAMESPACE, _load)
