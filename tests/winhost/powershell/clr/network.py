"""System.Net.NetworkInformation, as far as the machine's identity on the network goes.

`[System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()` (ansible.windows' platform facts:
hostname, fqdn): HostName is the computer's DNS host name (GetNetworkParams' FIXED_INFO.HostName; the computer name as
the test host knows it) and DomainName its primary DNS suffix (empty: the machine is in a workgroup, not a domain).
learn.microsoft.com "IPGlobalProperties Class". Its other members (connections, statistics, DhcpScopeName, ...) and
NetworkInterface (the network facts) are not modelled: reading them trips.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from ..dotnet import NetObject, current_runspace
from ..tripwire import trip
from ..typeregistry import MISSING

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


def _interfaces_not_modelled(args: list) -> typing.Any:
    del args
    raise trip("[System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces (the machine's network "
               "adapters)")


typeregistry.register(typeregistry.NetType(
    "System.Net.NetworkInformation.NetworkInterface",
    static_methods={"GetAllNetworkInterfaces": _interfaces_not_modelled}))
