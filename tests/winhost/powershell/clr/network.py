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
from ..typeregistry import MISSING
from .enums import declare_enum

_GLOBAL_MEMBERS = {n.lower() for n in ("DhcpScopeName", "IsWinsProxy", "NodeType")}
_GLOBAL_METHODS = {n.lower() for n in (
    "GetActiveTcpConnections", "GetActiveTcpListeners", "GetActiveUdpListeners", "GetIcmpV4Statistics",
    "GetIcmpV6Statistics", "GetIPv4GlobalStatistics", "GetIPv6GlobalStatistics", "GetTcpIPv4Statistics",
    "GetTcpIPv6Statistics", "GetUdpIPv4Statistics", "GetUdpIPv6Statistics", "GetUnicastAddresses",
    "BeginGetUnicastAddresses", "EndGetUnicastAddresses", "GetUnicastAddressesAsync")}


class IPGlobalProperties(NetObject):
    type_names = ["System.Net.NetworkInformation.SystemIPGlobalProperties",
                  "System.Net.NetworkInformation.IPGlobalProperties", "System.Object"]

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "hostname":
            return current_runspace().host.computer_name
        if low == "domainname":
            return ""
        if low in _GLOBAL_MEMBERS:
            raise trip(f"The member '{name}' of [System.Net.NetworkInformation.IPGlobalProperties]")
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() in _GLOBAL_METHODS:
            raise trip(f"The method '{name}' of [System.Net.NetworkInformation.IPGlobalProperties]")
        return super().call(name, args)


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


def _not_modelled_member(obj: NetObject, name: str) -> typing.Any:
    raise trip(f"The member '{name}' of [{obj.type_names[0]}]")


class IPAddress(NetObject):
    """System.Net.IPAddress: ToString() (an IPv6 link-local address with its %scope), AddressFamily, and PowerShell's
    ETS property IPAddressToString (types.ps1xml)."""

    type_names = ["System.Net.IPAddress", "System.Object"]

    def __init__(self, text: str) -> None:
        self.text = text

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "addressfamily":
            return _ADDRESS_FAMILY.convert("InterNetworkV6" if ":" in self.text else "InterNetwork")
        if low == "ipaddresstostring":
            return self.text
        if low in ("scopeid", "isipv6linklocal", "isipv6multicast", "isipv6sitelocal", "isipv6teredo",
                   "isipv4mappedtoipv6", "address"):
            return _not_modelled_member(self, name)
        return MISSING

    def to_string(self) -> str:
        return self.text


class _AddressInfo(NetObject):
    def __init__(self, type_name: str, address: str, prefix: int | None) -> None:
        self.type_names = [type_name, "System.Object"]
        self.address = address
        self.prefix = prefix

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "address":
            return IPAddress(self.address)
        if low == "prefixlength" and self.prefix is not None:
            return self.prefix
        if low in ("ipv4mask", "addresspreferredlifetime", "addressvalidlifetime", "dhcpleaselifetime",
                   "duplicateaddressdetectionstate", "prefixorigin", "suffixorigin", "isdnseligible", "istransient"):
            return _not_modelled_member(self, name)
        return MISSING


class _IPvXProperties(NetObject):
    def __init__(self, type_name: str, index: int, mtu: int) -> None:
        self.type_names = [type_name, "System.Object"]
        self.index = index
        self.mtu = mtu

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "index":
            return self.index
        if low == "mtu":
            return self.mtu
        if low in ("isautomaticprivateaddressingactive", "isautomaticprivateaddressingenabled", "isdhcpenabled",
                   "isforwardingenabled", "useswins"):
            return _not_modelled_member(self, name)
        return MISSING


class IPInterfaceProperties(NetObject):
    type_names = ["System.Net.NetworkInformation.SystemIPInterfaceProperties",
                  "System.Net.NetworkInformation.IPInterfaceProperties", "System.Object"]

    def __init__(self, adapter: typing.Any) -> None:
        self.adapter = adapter

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        adapter = self.adapter
        if low == "unicastaddresses":
            # .NET lists the IPv6 addresses first, then IPv4 (GetAdaptersAddresses' order on Windows).
            return [_AddressInfo("System.Net.NetworkInformation.SystemUnicastIPAddressInformation", a, p)
                    for a, p in adapter.ipv6 + adapter.ipv4]
        if low == "gatewayaddresses":
            if adapter.gateway is None:
                return []
            return [_AddressInfo("System.Net.NetworkInformation.SystemGatewayIPAddressInformation", adapter.gateway, None)]
        if low == "dnssuffix":
            return adapter.dns_suffix
        if low in ("anycastaddresses", "dhcpserveraddresses", "dnsaddresses", "isdnsenabled", "isdynamicdnsenabled",
                   "multicastaddresses", "winsserversaddresses"):
            return _not_modelled_member(self, name)
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "getipv4properties" and not args:
            return _IPvXProperties("System.Net.NetworkInformation.SystemIPv4InterfaceProperties", self.adapter.index,
                                   self.adapter.mtu)
        if low == "getipv6properties" and not args:
            return _IPvXProperties("System.Net.NetworkInformation.SystemIPv6InterfaceProperties", self.adapter.index,
                                   self.adapter.mtu)
        return super().call(name, args)


class PhysicalAddress(NetObject):
    type_names = ["System.Net.NetworkInformation.PhysicalAddress", "System.Object"]

    def __init__(self, text: str) -> None:
        self.text = text

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "getaddressbytes":
            return _not_modelled_member(self, name)
        return super().call(name, args)

    def to_string(self) -> str:
        return self.text


class NetworkInterface(NetObject):
    type_names = ["System.Net.NetworkInformation.SystemNetworkInterface", "System.Net.NetworkInformation.NetworkInterface",
                  "System.Object"]

    def __init__(self, adapter: typing.Any) -> None:
        self.adapter = adapter

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        adapter = self.adapter
        if low == "name":
            return adapter.name
        if low == "description":
            return adapter.description
        if low == "networkinterfacetype":
            return _INTERFACE_TYPE.convert(adapter.kind)
        if low == "speed":
            return PSInt64(adapter.speed)
        if low == "operationalstatus":
            return _OPERATIONAL_STATUS.convert("Up")
        if low in ("id", "isreceiveonly", "supportsmulticast"):
            return _not_modelled_member(self, name)
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "getipproperties" and not args:
            return IPInterfaceProperties(self.adapter)
        if low == "getphysicaladdress" and not args:
            return PhysicalAddress(self.adapter.mac)
        if low in ("getipstatistics", "getipv4statistics", "supports"):
            return _not_modelled_member(self, name)
        return super().call(name, args)


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
