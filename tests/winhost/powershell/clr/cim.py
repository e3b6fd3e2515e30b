"""CIM on the test host: the classes it can answer for and Microsoft.Management.Infrastructure.CimInstance.

Get-CimInstance (cmdlets/cim.py) asks this module for a class's instances. The only class modelled is what
win_stat reads (`Get-CimInstance -ClassName Win32_Share -Filter "Path='...'"` for a directory): Win32_Share in
root/cimv2, one instance per share of the machine (HostServices.shares: Windows' administrative shares ADMIN$, C$
and IPC$; machine/shares.py). Any other namespace or class is a NotImplemented error naming it, never an empty
answer that would look like "no such instance".

Win32_Share (learn.microsoft.com, "Win32_Share class"): `class Win32_Share : CIM_LogicalElement` (itself a
CIM_ManagedSystemElement), properties Caption, Description, InstallDate, Status (inherited), AccessMask, AllowMaximum,
MaximumAllowed, Name, Path, Type (uint32: MS-SRVS 2.2.2.4's STYPE values, 2147483648 "Disk Drive Admin", 2147483651
"IPC Admin"). The CIMWin32 provider fills Caption and Description with the share's remark and Status with "OK";
AccessMask is always NULL (deprecated, per the class docs); an administrative share allows any number of users
(AllowMaximum true, MaximumAllowed NULL); InstallDate is NULL.

A CimInstance as PowerShell adapts it (CimInstanceAdapter, PowerShell/PowerShell src/System.Management.Automation/
cimSupport/other/ciminstancetypeadapter.cs): its CIM properties are its properties, plus PSComputerName ($null for a
local query: no CIM session's computer name); its type names are `Microsoft.Management.Infrastructure.CimInstance#
<namespace>/<class>` for the class and each superclass, then the same without the namespace, then the .NET chain
(GetTypeNameHierarchy); GetType() is the .NET type. Not modelled (NotImplemented errors, with the tripwire's record
of them): CimClass, CimInstanceProperties, CimSystemProperties, its methods but Dispose/GetType/Equals/GetHashCode,
ToString (and so a CimInstance in a string or formatted), reading one after Dispose(), setting a property, and
sending one to the client (the serializer adds the CIM class's metadata: serialization.cs
PrepareCimInstanceForSerialization).
"""

from __future__ import annotations

import dataclasses
import typing

from psrpcore.types import PSUInt, PSUInt64

from .. import typeregistry
from ..dotnet import NetObject, void
from ..typeregistry import MISSING
from .. import tripwire
from ..values import TypeValue

CIM_INSTANCE = "Microsoft.Management.Infrastructure.CimInstance"
DEFAULT_NAMESPACE = "root/cimv2"

# CimInstance's own members (learn.microsoft.com, Microsoft.Management.Infrastructure.CimInstance) that are not modelled.
_UNMODELLED_PROPERTIES = {n.lower(): n for n in ("CimClass", "CimInstanceProperties", "CimSystemProperties")}
_UNMODELLED_METHODS = {n.lower(): n for n in ("Clone", "GetCimSessionComputerName", "GetCimSessionInstanceId",
                                              "GetObjectData", "ToString")}


@dataclasses.dataclass(frozen=True)
class CimClass:
    """A CIM class the test host answers for: its name, namespace, superclasses (nearest first), properties in the
    order the class declares them, which of them are strings (a WQL string literal compares with those only), and
    where its instances come from (the machine, through HostServices)."""

    name: str
    namespace: str
    superclasses: tuple[str, ...]
    properties: tuple[str, ...]
    string_properties: frozenset[str]
    instances: typing.Callable[[typing.Any], list[dict[str, typing.Any]]]
    # The class's other properties (its documented ones the test host gives no value for): reading one trips.
    unmodelled: frozenset[str] = frozenset()

    def property_name(self, name: str) -> str | None:
        """The property's name as the class spells it, or None."""
        low = name.lower()
        return next((p for p in self.properties if p.lower() == low), None)


def _shares(host: typing.Any) -> list[dict[str, typing.Any]]:
    return [{
        "Caption": share.remark, "Description": share.remark, "InstallDate": None, "Status": "OK",
        "AccessMask": None, "AllowMaximum": True, "MaximumAllowed": None,
        "Name": share.name, "Path": share.path, "Type": PSUInt(share.type),
    } for share in host.shares]


WIN32_SHARE = CimClass(
    "Win32_Share", DEFAULT_NAMESPACE, ("CIM_LogicalElement", "CIM_ManagedSystemElement"),
    ("Caption", "Description", "InstallDate", "Status", "AccessMask", "AllowMaximum", "MaximumAllowed", "Name", "Path",
     "Type"),
    frozenset(("Caption", "Description", "Status", "Name", "Path")), _shares)


# Win32_OperatingSystem and Win32_ComputerSystem (learn.microsoft.com, "Win32_OperatingSystem class", "Win32_ComputerSystem
# class"): one instance each, from the machine (HostServices.system, machine/system.py). Name is "caption|Windows
# directory|boot partition device"; the paging file sizes are in kilobytes; PrimaryOwnerContact is NULL unless set.
def _operating_system(host: typing.Any) -> list[dict[str, typing.Any]]:
    system = host.system
    return [{
        "Caption": system.os_caption, "Name": f"{system.os_caption}|C:\\Windows|\\Device\\Harddisk0\\Partition2",
        "Version": ".".join(str(p) for p in system.os_version[:3]), "BuildNumber": str(system.os_version[2]),
        "OSArchitecture": system.os_architecture, "CSName": host.computer_name.upper(),
        "SystemDirectory": "C:\\Windows\\system32", "WindowsDirectory": "C:\\Windows",
        "SizeStoredInPagingFiles": PSUInt64(system.page_file_kb), "FreeSpaceInPagingFiles": PSUInt64(system.page_file_free_kb),
        "ProductType": PSUInt(system.product_type),
    }]


WIN32_OPERATING_SYSTEM = CimClass(
    "Win32_OperatingSystem", DEFAULT_NAMESPACE, ("CIM_OperatingSystem", "CIM_LogicalElement", "CIM_ManagedSystemElement"),
    ("Caption", "Name", "Version", "BuildNumber", "OSArchitecture", "CSName", "SystemDirectory", "WindowsDirectory",
     "SizeStoredInPagingFiles", "FreeSpaceInPagingFiles", "ProductType"),
    frozenset(("Caption", "Name", "Version", "BuildNumber", "OSArchitecture", "CSName", "SystemDirectory",
               "WindowsDirectory")), _operating_system,
    frozenset(p.lower() for p in (
        "BootDevice", "BuildType", "CodeSet", "CountryCode", "CreationClassName", "CSCreationClassName", "CSDVersion",
        "CurrentTimeZone", "DataExecutionPrevention_Available", "DataExecutionPrevention_32BitApplications",
        "DataExecutionPrevention_Drivers", "DataExecutionPrevention_SupportPolicy", "Debug", "Description", "Distributed",
        "EncryptionLevel", "ForegroundApplicationBoost", "FreePhysicalMemory", "FreeVirtualMemory", "InstallDate",
        "LargeSystemCache", "LastBootUpTime", "LocalDateTime", "Locale", "Manufacturer", "MaxNumberOfProcesses",
        "MaxProcessMemorySize", "MUILanguages", "NumberOfLicensedUsers", "NumberOfProcesses", "NumberOfUsers",
        "OperatingSystemSKU", "Organization", "OSLanguage", "OSProductSuite", "OSType", "OtherTypeDescription",
        "PAEEnabled", "PlusProductID", "PlusVersionNumber", "PortableOperatingSystem", "Primary", "ProductType",
        "RegisteredUser", "SerialNumber", "ServicePackMajorVersion", "ServicePackMinorVersion", "SizeStoredInPagingFiles",
        "Status", "SuiteMask", "SystemDevice", "SystemDrive", "TotalSwapSpaceSize", "TotalVirtualMemorySize",
        "TotalVisibleMemorySize", "InstallDate") if p not in ("ProductType", "SizeStoredInPagingFiles")))


def _computer_system(host: typing.Any) -> list[dict[str, typing.Any]]:
    system = host.system
    return [{
        "Name": host.computer_name.upper(), "Caption": host.computer_name.upper(), "Domain": system.workgroup,
        "PartOfDomain": False, "Workgroup": system.workgroup, "DomainRole": PSUInt(system.domain_role),
        "Manufacturer": system.manufacturer, "Model": system.model, "NumberOfProcessors": PSUInt(system.sockets),
        "NumberOfLogicalProcessors": PSUInt(len(system.processors)), "TotalPhysicalMemory": PSUInt64(system.total_physical),
        "PrimaryOwnerContact": None, "PrimaryOwnerName": system.registered_owner, "SystemType": "x64-based PC",
    }]


WIN32_COMPUTER_SYSTEM = CimClass(
    "Win32_ComputerSystem", DEFAULT_NAMESPACE, ("CIM_UnitaryComputerSystem", "CIM_ComputerSystem", "CIM_System",
                                                "CIM_LogicalElement", "CIM_ManagedSystemElement"),
    ("Name", "Caption", "Domain", "PartOfDomain", "Workgroup", "DomainRole", "Manufacturer", "Model", "NumberOfProcessors",
     "NumberOfLogicalProcessors", "TotalPhysicalMemory", "PrimaryOwnerContact", "PrimaryOwnerName", "SystemType"),
    frozenset(("Name", "Caption", "Domain", "Workgroup", "Manufacturer", "Model", "PrimaryOwnerContact",
               "PrimaryOwnerName", "SystemType")), _computer_system,
    frozenset(p.lower() for p in (
        "AdminPasswordStatus", "AutomaticManagedPagefile", "AutomaticResetBootOption", "AutomaticResetCapability",
        "BootOptionOnLimit", "BootOptionOnWatchDog", "BootROMSupported", "BootupState", "BootStatus", "ChassisBootupState",
        "ChassisSKUNumber", "CreationClassName", "CurrentTimeZone", "DaylightInEffect", "Description", "DNSHostName",
        "EnableDaylightSavingsTime", "FrontPanelResetStatus", "HypervisorPresent", "InfraredSupported", "InitialLoadInfo",
        "InstallDate", "KeyboardPasswordStatus", "LastLoadInfo", "NameFormat", "NetworkServerModeEnabled",
        "OEMLogoBitmap", "OEMStringArray", "PauseAfterReset", "PCSystemType", "PCSystemTypeEx",
        "PowerManagementCapabilities", "PowerManagementSupported", "PowerOnPasswordStatus", "PowerState",
        "PowerSupplyState", "PrimaryOwnerName", "ResetCapability", "ResetCount", "ResetLimit", "Roles", "Status",
        "SupportContactDescription", "SystemFamily", "SystemSKUNumber", "SystemStartupDelay", "SystemStartupOptions",
        "SystemStartupSetting", "ThermalState", "UserName", "WakeUpType") if p != "PrimaryOwnerName"))

# Namespace (lower case, '/' separated) -> class name (lower case) -> class.
CLASSES: dict[str, dict[str, CimClass]] = {DEFAULT_NAMESPACE: {
    "win32_share": WIN32_SHARE, "win32_operatingsystem": WIN32_OPERATING_SYSTEM, "win32_computersystem": WIN32_COMPUTER_SYSTEM}}


def normalize_namespace(namespace: str) -> str:
    """'root\\cimv2', 'ROOT/CIMV2' -> 'root/cimv2' (CIM namespaces are case-insensitive; both separators are taken)."""
    return namespace.replace("\\", "/").strip("/").lower()


def _not_modelled(what: str) -> typing.Any:
    return tripwire.trip(what) if tripwire.enabled() else tripwire.not_modelled(what)


class CimInstance(NetObject):
    """One instance of a modelled CIM class, with its properties' values as the provider gave them."""

    def __init__(self, cim_class: CimClass, values: dict[str, typing.Any]) -> None:
        self.cim_class = cim_class
        self.values = values
        self.disposed = False
        chain = (cim_class.name,) + cim_class.superclasses
        self.type_names = ([f"{CIM_INSTANCE}#{cim_class.namespace}/{name}" for name in chain]
                           + [f"{CIM_INSTANCE}#{name}" for name in chain] + [CIM_INSTANCE, "System.Object"])

    def get_member(self, name: str) -> typing.Any:
        if self.disposed:
            raise _not_modelled(f"Reading a disposed [{CIM_INSTANCE}]")
        prop = self.cim_class.property_name(name)
        if prop is not None:
            return self.values[prop]
        low = name.lower()
        if low == "pscomputername":
            return None
        if low in self.cim_class.unmodelled:
            raise _not_modelled(f"The property '{name}' of the CIM class {self.cim_class.name}")
        if low in _UNMODELLED_PROPERTIES:
            raise _not_modelled(f"The member '{_UNMODELLED_PROPERTIES[low]}' of [{CIM_INSTANCE}]")
        return MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        del value
        if self.cim_class.property_name(name) is not None or name.lower() == "pscomputername":
            raise _not_modelled(f"Setting the property '{name}' of a [{CIM_INSTANCE}]")
        return False

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low in _UNMODELLED_METHODS:
            raise _not_modelled(f"The method '{_UNMODELLED_METHODS[low]}' of [{CIM_INSTANCE}]")
        if low == "dispose" and not args:
            self.disposed = True
            return void()
        if low == "gettype":
            # The .NET type; the CIM class names are type names of the PSObject only (GetTypeNameHierarchy).

            return TypeValue(CIM_INSTANCE)
        return super().call(name, args)

    def to_string(self) -> str:
        raise _not_modelled(f"The text of a [{CIM_INSTANCE}] (CimInstance.ToString)")

    def to_wire(self) -> typing.Any:
        raise _not_modelled(f"A [{CIM_INSTANCE}] sent to the client (serialized with its CIM class's metadata)")


typeregistry.register(typeregistry.NetType(
    CIM_INSTANCE, accelerators=("ciminstance",),
    instance_check=lambda value: isinstance(value, CimInstance)))
