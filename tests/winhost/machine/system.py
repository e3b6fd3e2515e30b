"""The machine itself as Windows reports it: its operating system, firmware, processors, memory, workgroup and clock
since boot. What ansible.windows' setup.ps1 (facts) reads through its C# (Ansible.Windows.Setup), the registry
(HKLM:), CIM (Win32_OperatingSystem, Win32_ComputerSystem, ...) and .NET ([Environment]::OSVersion) all comes from
here, so the answers agree with each other and with the rest of the test host.

The machine is a small Windows Server 2019 Datacenter virtual machine on Hyper-V: build 17763 is what the engine
already reports ($PSVersionTable.BuildVersion 10.0.17763.6414, scopes.py; its privileges are Server 2019's,
standins/ansible_utils.py), two virtual processors (%NUMBER_OF_PROCESSORS% 2, %PROCESSOR_ARCHITECTURE% AMD64), not
joined to a domain (workgroup WORKGROUP, a stand-alone server), clock in UTC.

Sources for the shapes (learn.microsoft.com): "OSVERSIONINFOEXW" (wProductType VER_NT_SERVER = 3), "Win32_OperatingSystem"
(Caption, Name "caption|windows directory|boot partition", OSArchitecture "64-bit", SizeStoredInPagingFiles /
FreeSpaceInPagingFiles in KB), "DsRoleGetPrimaryDomainInformation" (DsRole_RoleStandaloneServer = 2), "WKSTA_INFO_100"
(wki100_langroup), "SYSTEM_INFO" (PROCESSOR_ARCHITECTURE_AMD64 = 9), "GetTickCount64", "MEMORYSTATUSEX"; the SMBIOS
strings a Hyper-V generation 2 VM gives (DMTF DSP0134 type 0 and 1: vendor "Microsoft Corporation", product "Virtual
Machine", which ansible.windows' own virtual facts map to Hyper-V). Values that identify one machine (serial number,
UUID, install time) are fixed made-up values in the documented formats.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
import uuid

from .registry import Registry, build as build_registry

_STARTED = time.monotonic()


@dataclasses.dataclass(frozen=True)
class Processor:
    """One logical processor as HKLM:\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\<n> describes it."""

    name: str = "Intel(R) Xeon(R) Platinum 8272CL CPU @ 2.60GHz"
    vendor: str = "GenuineIntel"


@dataclasses.dataclass(frozen=True)
class NetworkAdapter:
    """One network adapter as .NET's NetworkInterface reports it (learn.microsoft.com "NetworkInterface Class",
    "IPInterfaceProperties"): a Hyper-V VM's synthetic adapter on a DHCP network (a /24 with its gateway at .1) with
    an IPv6 link-local address; and Windows' software loopback interface (which setup.ps1 skips)."""

    name: str
    description: str
    kind: str  # NetworkInterfaceType: Ethernet, Loopback
    mac: str  # PhysicalAddress.ToString(): 12 hex digits, no separators; "" for the loopback
    ipv4: tuple[tuple[str, int], ...]  # (address, prefix length)
    ipv6: tuple[tuple[str, int], ...]
    gateway: str | None
    index: int
    mtu: int
    speed: int  # bits per second
    dns_suffix: str = ""


ADAPTERS = (
    NetworkAdapter("Ethernet", "Microsoft Hyper-V Network Adapter", "Ethernet", "00155D0A2B3C",
                   (("192.168.56.10", 24),), (("fe80::a1b2:c3d4:e5f6:1234%4", 64),), "192.168.56.1", 4, 1500,
                   10_000_000_000),
    NetworkAdapter("Loopback Pseudo-Interface 1", "Software Loopback Interface 1", "Loopback", "",
                   (("127.0.0.1", 8),), (("::1", 128),), None, 1, -1, 1_073_741_824),
)


@dataclasses.dataclass
class MachineSystem:  # pylint: disable=too-many-instance-attributes
    """The operating system and hardware of the test host."""

    # [Environment]::OSVersion.Version in .NET Framework 4.8: major.minor.build.0 (no update revision).
    os_version: tuple[int, int, int, int] = (10, 0, 17763, 0)
    os_caption: str = "Microsoft Windows Server 2019 Datacenter"
    os_architecture: str = "64-bit"
    product_type: int = 3  # VER_NT_SERVER
    installation_type: str = "Server"  # HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion InstallationType
    install_time: datetime.datetime = datetime.datetime(2021, 3, 1, 9, 30, 0, tzinfo=datetime.timezone.utc)
    registered_owner: str = "Windows User"
    # The machine's account domain SID (learn.microsoft.com "Security identifiers": S-1-5-21 and three sub-authorities
    # made at install): local accounts' SIDs are it plus their RID.
    machine_sid: str = "S-1-5-21-1004336348-1177238915-682003330"
    workgroup: str = "WORKGROUP"
    domain_role: int = 2  # DsRole_RoleStandaloneServer
    processor_architecture: int = 9  # PROCESSOR_ARCHITECTURE_AMD64
    sockets: int = 1
    cores_per_socket: int = 2
    threads_per_socket: int = 2
    processors: tuple[Processor, ...] = (Processor(), Processor())
    total_physical: int = 4 * 1024 * 1024 * 1024 - 569344  # what a 4 GB VM reports (some is firmware-reserved)
    available_physical: int = 2 * 1024 * 1024 * 1024 + 123 * 1024 * 1024
    page_file_kb: int = 1310720
    page_file_free_kb: int = 1293056
    manufacturer: str = "Microsoft Corporation"
    model: str = "Virtual Machine"
    bios_version: str = "Hyper-V UEFI Release v4.0"
    bios_date: datetime.datetime = datetime.datetime(2019, 11, 1, tzinfo=datetime.timezone.utc)
    serial_number: str = "0000-0007-4532-6791-2468-0135-79"
    uuid: str = str(uuid.UUID("6f3d2b1e-8a4c-4e5f-9b7a-1c2d3e4f5a6b")).upper()
    uptime_at_start_ms: int = 3 * 3600 * 1000  # up three hours when the test host starts
    adapters: tuple[NetworkAdapter, ...] = ADAPTERS
    _registry: Registry | None = dataclasses.field(default=None, repr=False, compare=False)

    def registry(self) -> Registry:
        """The registry keys the test host models (registry.py), built from this machine."""
        if self._registry is None:
            self._registry = build_registry(self)
        return self._registry

    def tick_count_ms(self) -> int:
        """GetTickCount64: milliseconds since boot."""
        return self.uptime_at_start_ms + int((time.monotonic() - _STARTED) * 1000)

    @property
    def version_text(self) -> str:
        return ".".join(str(p) for p in self.os_version)
