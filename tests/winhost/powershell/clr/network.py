"""System.Net.NetworkInformation, as far as the machine's identity on the network goes.

`[System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()` (ansible.windows' platform facts:
hostname, fqdn): HostName is the computer's DNS host name (GetNetworkParams' FIXED_INFO.HostName; the computer name as
the test host knows it) and DomainName its primary DNS suffix (empty: the machine is in a workgroup, not a domain).
learn.microsoft.com "IPGlobalProperties Class". Its other members (connections, statistics, DhcpScopeName, ...) trip.

`[NetworkInterface]::GetAllNetworkInterfaces()` (the network facts: all_ipv4_addresses, interfaces): the machine's
adapters (machine/system.py ADAPTERS: a Hyper-V synthetic adapter and the software loopback), each with Name,
Description, NetworkInterfaceType, Speed, GetPhysicalAddress() (PhysicalAddress: 12 hex digits), GetIPProperties()
(UnicastAddresses: Address, PrefixLength; GatewayAddresses; DnsSuffix; GetIPv4Properties()/GetIPv6Properties(): Index,
Mtu). IPAddress: ToString(), AddressFamily (InterNetwork 2, InterNetworkV6 23), PowerShell's IPAddressToString.
learn.microsoft.com "NetworkInterface Class", "IPInterfaceProperties Class", "UnicastIPAddressInformation Class",
"IPAddress Class", "NetworkInterfaceType Enum", "AddressFamily Enum". Their other documented members trip.
"""

from __future__ import annotations

import typing

from psrpcore.types import PSInt64

from .. import typeregistry
from ..dotnet import NetObject, current_runspace
from ..tripwire import trip
from ..typeregistry import MISSING, net_method, net_property
from .enums import declare_enum


class IPGlobalProperties(NetObject):
    type_names = ["System.Net.NetworkInformation.SystemIPGlobalProperties",
                  "System.Net.NetworkInformation.IPGlobalProperties", "System.Object"]
    net_type_name = "System.Net.NetworkInformation.IPGlobalProperties"
    net_not_modelled = ("DhcpScopeName", "IsWinsProxy", "NodeType")
    net_not_modelled_methods = (
        "GetActiveTcpConnections", "GetActiveTcpListeners", "GetActiveUdpListeners", "GetIcmpV4Statistics",
        "GetIcmpV6Statistics", "GetIPv4GlobalStatistics", "GetIPv6GlobalStatistics", "GetTcpIPv4Statistics",
        "GetTcpIPv6Statistics", "GetUdpIPv4Statistics", "GetUdpIPv6Statistics", "GetUnicastAddresses",
        "BeginGetUnicastAddresses", "EndGetUnicastAddresses", "GetUnicastAddressesAsync")

    @net_property("HostName")
    def _host_name(self) -> str:
        return current_runspace().host.computer_name

    @net_property("DomainName")
    def _domain_name(self) -> str:
        return ""


def _get_global(args: list) -> IPGlobalProperties:
    if args:
        raise trip("IPGlobalProperties.GetIPGlobalProperties with arguments")
    return IPGlobalProperties()


typeregistry.register(typeregistry.NetType(
    "System.Net.NetworkInformation.IPGlobalProperties", static_methods={"GetIPGlobalProperties": _get_global},
    instance_check=lambda value: isinstance(value, IPGlobalProperties)))


_INTERFACE_TYPE = declare_enum("System.Net.NetworkInformation.NetworkInterfaceType", {
    "Unknown": 1, "Ethernet": 6, "TokenRing": 9, "Fddi": 15, "BasicIsdn": 20, "PrimaryIsdn": 21, "Ppp": 23,
    "Loopback": 24, "Ethernet3Megabit": 26, "Slip": 28, "Atm": 37, "GenericModem": 48, "FastEthernetT": 62, "Isdn": 63,
    "FastEthernetFx": 69, "Wireless80211": 71, "AsymmetricDsl": 94, "RateAdaptDsl": 95, "SymmetricDsl": 96,
    "VeryHighSpeedDsl": 97, "IPOverAtm": 114, "GigabitEthernet": 117, "Tunnel": 131, "MultiRateSymmetricDsl": 143,
    "HighPerformanceSerialBus": 144, "Wman": 237, "Wwanpp": 243, "Wwanpp2": 244})
_ADDRESS_FAMILY = declare_enum("System.Net.Sockets.AddressFamily", {
    "Unknown": -1, "Unspecified": 0, "Unix": 1, "InterNetwork": 2, "InterNetworkV6": 23})
_OPERATIONAL_STATUS = declare_enum("System.Net.NetworkInformation.OperationalStatus", {
    "Up": 1, "Down": 2, "Testing": 3, "Unknown": 4, "Dormant": 5, "NotPresent": 6, "LowerLayerDown": 7})


class IPAddress(NetObject):
    """System.Net.IPAddress: ToString() (an IPv6 link-local address with its %scope), AddressFamily, and PowerShell's
    ETS property IPAddressToString (types.ps1xml)."""

    type_names = ["System.Net.IPAddress", "System.Object"]

    def __init__(self, text: str) -> None:
        self.text = text

    net_not_modelled = ("ScopeId", "IsIPv6LinkLocal", "IsIPv6Multicast", "IsIPv6SiteLocal", "IsIPv6Teredo",
                        "IsIPv4MappedToIPv6", "Address")

    @net_property("AddressFamily")
    def _address_family(self) -> typing.Any:
        return _ADDRESS_FAMILY.convert("InterNetworkV6" if ":" in self.text else "InterNetwork")

    @net_property("IPAddressToString")
    def _ip_address_to_string(self) -> str:
        return self.text

    def to_string(self) -> str:
        return self.text


class _AddressInfo(NetObject):
    def __init__(self, type_name: str, address: str, prefix: int | None) -> None:
        self.type_names = [type_name, "System.Object"]
        self.address = address
        self.prefix = prefix

    net_not_modelled = ("IPv4Mask", "AddressPreferredLifetime", "AddressValidLifetime", "DhcpLeaseLifetime",
                        "DuplicateAddressDetectionState", "PrefixOrigin", "SuffixOrigin", "IsDnsEligible",
                        "IsTransient")

    @net_property("Address")
    def _address(self) -> IPAddress:
        return IPAddress(self.address)

    def get_member(self, name: str) -> typing.Any:
        # A gateway's address information has no PrefixLength (GatewayIPAddressInformation): not there at all.
        if name.lower() == "prefixlength":
            return self.prefix if self.prefix is not None else MISSING
        return super().get_member(name)


class _IPvXProperties(NetObject):
    def __init__(self, type_name: str, index: int, mtu: int) -> None:
        self.type_names = [type_name, "System.Object"]
        self.index = index
        self.mtu = mtu

    net_not_modelled = ("IsAutomaticPrivateAddressingActive", "IsAutomaticPrivateAddressingEnabled", "IsDhcpEnabled",
                        "IsForwardingEnabled", "UsesWins")

    @net_property("Index")
    def _index(self) -> int:
        return self.index

    @net_property("Mtu")
    def _mtu(self) -> int:
        return self.mtu


class IPInterfaceProperties(NetObject):
    type_names = ["System.Net.NetworkInformation.SystemIPInterfaceProperties",
                  "System.Net.NetworkInformation.IPInterfaceProperties", "System.Object"]

    def __init__(self, adapter: typing.Any) -> None:
        self.adapter = adapter

    net_not_modelled = ("AnycastAddresses", "DhcpServerAddresses", "DnsAddresses", "IsDnsEnabled", "IsDynamicDnsEnabled",
                        "MulticastAddresses", "WinsServersAddresses")

    @net_property("UnicastAddresses")
    def _unicast_addresses(self) -> list:
        # .NET lists the IPv6 addresses first, then IPv4 (GetAdaptersAddresses' order on Windows).
        return [_AddressInfo("System.Net.NetworkInformation.SystemUnicastIPAddressInformation", a, p)
                for a, p in self.adapter.ipv6 + self.adapter.ipv4]

    @net_property("GatewayAddresses")
    def _gateway_addresses(self) -> list:
        if self.adapter.gateway is None:
            return []
        return [_AddressInfo("System.Net.NetworkInformation.SystemGatewayIPAddressInformation", self.adapter.gateway,
                             None)]

    @net_property("DnsSuffix")
    def _dns_suffix(self) -> str:
        return self.adapter.dns_suffix

    @net_method("GetIPv4Properties")
    def _ipv4_properties(self) -> "_IPvXProperties":
        return _IPvXProperties("System.Net.NetworkInformation.SystemIPv4InterfaceProperties", self.adapter.index,
                               self.adapter.mtu)

    @net_method("GetIPv6Properties")
    def _ipv6_properties(self) -> "_IPvXProperties":
        return _IPvXProperties("System.Net.NetworkInformation.SystemIPv6InterfaceProperties", self.adapter.index,
                               self.adapter.mtu)


class PhysicalAddress(NetObject):
    type_names = ["System.Net.NetworkInformation.PhysicalAddress", "System.Object"]

    def __init__(self, text: str) -> None:
        self.text = text

    net_not_modelled_methods = ("GetAddressBytes",)

    def to_string(self) -> str:
        return self.text


class NetworkInterface(NetObject):
    type_names = ["System.Net.NetworkInformation.SystemNetworkInterface", "System.Net.NetworkInformation.NetworkInterface",
                  "System.Object"]

    def __init__(self, adapter: typing.Any) -> None:
        self.adapter = adapter

    net_not_modelled = ("Id", "IsReceiveOnly", "SupportsMulticast")
    net_not_modelled_methods = ("GetIPStatistics", "GetIPv4Statistics", "Supports")

    @net_property("Name")
    def _name(self) -> str:
        return self.adapter.name

    @net_property("Description")
    def _description(self) -> str:
        return self.adapter.description

    @net_property("NetworkInterfaceType")
    def _interface_type(self) -> typing.Any:
        return _INTERFACE_TYPE.convert(self.adapter.kind)

    @net_property("Speed")
    def _speed(self) -> PSInt64:
        return PSInt64(self.adapter.speed)

    @net_property("OperationalStatus")
    def _operational_status(self) -> typing.Any:
        return _OPERATIONAL_STATUS.convert("Up")

    @net_method("GetIPProperties")
    def _ip_properties(self) -> IPInterfaceProperties:
        return IPInterfaceProperties(self.adapter)

    @net_method("GetPhysicalAddress")
    def _physical_address(self) -> PhysicalAddress:
        return PhysicalAddress(self.adapter.mac)


def _all_interfaces(args: list) -> list:
    if args:
        raise trip("NetworkInterface.GetAllNetworkInterfaces with arguments")
    return [NetworkInterface(adapter) for adapter in current_runspace().host.system.adapters]


typeregistry.register(typeregistry.NetType(
    "System.Net.NetworkInformation.NetworkInterface",
    static_methods={"GetAllNetworkInterfaces": _all_interfaces},
    instance_check=lambda value: isinstance(value, NetworkInterface)))
typeregistry.register(typeregistry.NetType(
    "System.Net.IPAddress", accelerators=("ipaddress",), instance_check=lambda value: isinstance(value, IPAddress)))
