"""System.Security.Principal: the session's identity, SIDs and their account names.

What ansible.windows' setup.ps1 reads: `[Security.Principal.WindowsIdentity]::GetCurrent()` and its `.User.Value`
(user facts), `[Security.Principal.WindowsPrincipal]$identity` and `.IsInRole([WindowsBuiltInRole]::Administrator)`
(whether it may query CIM), and `(New-Object SecurityIdentifier 'S-1-5-32-544').Translate([NTAccount]).Value` (platform
facts: the local Administrators group's name).

The accounts (learn.microsoft.com "Well-known SIDs", "Security identifiers"): a local account's SID is the machine's
domain SID (S-1-5-21-x-y-z, machine/system.py) with its RID, 500 for the built-in Administrator and 1000 for the first
account created; BUILTIN\\Administrators is S-1-5-32-544 (BUILTIN\\Users 545). IsInRole(Administrator) is whether the
session's token holds the Administrators group (HostServices.administrator: the WinRM user is an administrator, and a
network logon's token is not filtered by UAC for the built-in Administrator or with LocalAccountTokenFilterPolicy, as
remote management needs). A domain account, any other SID's translation, NTAccount -> SID, and the identities'
other members trip.
"""

from __future__ import annotations

import re
import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, current_runspace
from ..errors import method_exception
from ..tripwire import trip
from ..typeregistry import net_method, net_property
from .enums import declare_enum

SID_TYPE = "System.Security.Principal.SecurityIdentifier"
NTACCOUNT_TYPE = "System.Security.Principal.NTAccount"

_BUILT_IN_ROLE = declare_enum("System.Security.Principal.WindowsBuiltInRole", {
    "Administrator": 544, "User": 545, "Guest": 546, "PowerUser": 547, "AccountOperator": 548, "SystemOperator": 549,
    "PrintOperator": 550, "BackupOperator": 551, "Replicator": 552})

# The well-known accounts (learn.microsoft.com "Well-known SIDs"; LookupAccountSid's names), also those services run as
# (win_service), and the names LookupAccountName takes for them (the SCM's start names NT AUTHORITY\\LocalService, ...).
_BUILTIN_NAMES = {"S-1-5-32-544": "BUILTIN\\Administrators", "S-1-5-32-545": "BUILTIN\\Users",
                  "S-1-5-18": "NT AUTHORITY\\SYSTEM", "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
                  "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE"}
_SID_OF_NAME = {
    "nt authority\\system": "S-1-5-18", "system": "S-1-5-18",
    "nt authority\\local service": "S-1-5-19", "nt authority\\localservice": "S-1-5-19", "local service": "S-1-5-19",
    "localservice": "S-1-5-19",
    "nt authority\\network service": "S-1-5-20", "nt authority\\networkservice": "S-1-5-20",
    "network service": "S-1-5-20", "networkservice": "S-1-5-20",
    "builtin\\administrators": "S-1-5-32-544", "administrators": "S-1-5-32-544",
    "builtin\\users": "S-1-5-32-545", "users": "S-1-5-32-545",
}
_SID_TEXT = re.compile(r"^S-1-\d+(-\d+)+$", re.IGNORECASE)


def _host() -> typing.Any:
    return current_runspace().host


def user_sid() -> str:
    """The session user's SID: a local account of the machine or a well-known one (a process become NT
    AUTHORITY\\SYSTEM runs as S-1-5-18); a domain account is not modelled."""
    host = _host()
    if host.user_domain.upper() == "NT AUTHORITY":
        sid = _SID_OF_NAME.get(f"nt authority\\{host.user_name}".lower())
        if sid is not None:
            return sid
    if host.user_domain:
        raise trip(f"The SID of the domain account {host.user_domain}\\{host.user_name}")
    user = host.accounts.find(host.user_name)
    if user is not None:
        return f"{host.system.machine_sid}-{host.accounts.rid(user)}"
    rid = 500 if host.user_name.lower() == "administrator" else 1000
    return f"{host.system.machine_sid}-{rid}"


def account_sid(name: str) -> str | None:
    """LookupAccountName of a name (DOMAIN\\user, .\\user, user): a well-known account, the session's user or a local
    account of the machine (HostServices.accounts); None when the machine has no such account."""
    host = _host()
    low = name.lower()
    if low.startswith(".\\"):
        low = low[2:]
    sid = _SID_OF_NAME.get(low)
    if sid is not None:
        return sid
    if low in (f"{host.computer_name}\\{host.user_name}".lower(), host.user_name.lower()):
        return user_sid()
    domain, _sep, user_name = low.rpartition("\\")
    if domain and domain != host.computer_name.lower():
        return None
    user = host.accounts.find(user_name)
    if user is None or user.domain:
        return None
    return f"{host.system.machine_sid}-{host.accounts.rid(user)}"


def _account_of(sid: str) -> str:
    host = _host()
    if sid.upper() in _BUILTIN_NAMES:
        return _BUILTIN_NAMES[sid.upper()]
    if sid.upper() == user_sid().upper():
        return f"{host.computer_name}\\{host.user_name}"
    for user in host.accounts.users:
        if not user.domain and sid.upper() == f"{host.system.machine_sid}-{host.accounts.rid(user)}".upper():
            return f"{host.computer_name}\\{user.name}"
    raise trip(f"Translating the SID '{sid}' to an account name")


class SecurityIdentifier(NetObject):
    type_names = [SID_TYPE, "System.Security.Principal.IdentityReference", "System.Object"]

    def __init__(self, value: str) -> None:
        self.value = value.upper()

    net_not_modelled_methods = ("IsAccountSid", "IsWellKnown", "IsEqualDomainSid", "GetBinaryForm", "CompareTo")

    @net_property("Value")
    def _value(self) -> str:
        return self.value

    @net_property("AccountDomainSid")
    def _account_domain_sid(self) -> typing.Any:
        parts = self.value.split("-")
        # S-1-5-21-a-b-c[-rid]: the account domain's SID; none for other SIDs (documented: null).
        if len(parts) >= 7 and parts[3] == "21":
            return SecurityIdentifier("-".join(parts[:7]))
        return None

    @net_property("BinaryLength")
    def _binary_length(self) -> int:
        return 8 + 4 * (len(self.value.split("-")) - 3)

    @net_method("Equals")
    def _equals(self, other: typing.Any) -> bool:
        return isinstance(other, SecurityIdentifier) and other.value == self.value

    @net_method("Translate")
    def _translate(self, *args: typing.Any) -> typing.Any:
        if len(args) != 1:
            raise method_exception("Translate", len(args), f'Cannot find an overload for "Translate" and the argument count: "{len(args)}".')
        target = args[0].full_name if isinstance(args[0], V.TypeValue) else V.to_string(args[0])
        if target.lower() == NTACCOUNT_TYPE.lower():
            return NTAccount(_account_of(self.value))
        if target.lower() == SID_TYPE.lower():
            return self
        raise trip(f"SecurityIdentifier.Translate to [{target}]")

    def to_string(self) -> str:
        return self.value


class NTAccount(NetObject):
    type_names = [NTACCOUNT_TYPE, "System.Security.Principal.IdentityReference", "System.Object"]

    def __init__(self, value: str) -> None:
        self.value = value

    @net_property("Value")
    def _value(self) -> str:
        return self.value

    @net_method("Equals")
    def _equals(self, other: typing.Any) -> bool:
        return isinstance(other, NTAccount) and other.value.lower() == self.value.lower()

    @net_method("Translate")
    def _translate(self, *args: typing.Any) -> typing.Any:
        if len(args) != 1 or not isinstance(args[0], V.TypeValue):
            raise method_exception("Translate", len(args), f'Cannot find an overload for "Translate" and the argument count: "{len(args)}".')
        target = args[0].full_name.lower()
        if target == NTACCOUNT_TYPE.lower():
            return self
        if target != SID_TYPE.lower():
            raise method_exception("Translate", 1, "Only types derived from IdentityReference can be translated to.",
                                   "System.ArgumentException")
        sid = account_sid(self.value)
        if sid is None:
            raise trip(f"Translating the account name '{self.value}' to a SID")
        return SecurityIdentifier(sid)

    def to_string(self) -> str:
        return self.value


def _new_sid(args: list) -> SecurityIdentifier:
    """SecurityIdentifier(string sddlForm): a text that is not a SID throws ArgumentException (.NET Framework's "Value
    was invalid."; win_service's ConvertTo-SecurityIdentifier relies on it to try the name as an account next)."""
    if len(args) != 1 or not isinstance(args[0], str):
        raise trip("[System.Security.Principal.SecurityIdentifier] constructed from anything but an SDDL SID string")
    if not _SID_TEXT.match(args[0]):
        raise method_exception(".ctor", 1, "Value was invalid.\r\nParameter name: sddlForm", "System.ArgumentException")
    return SecurityIdentifier(args[0])


def _new_account(args: list) -> NTAccount:
    """NTAccount(string name) or NTAccount(string domainName, string accountName)."""
    if len(args) == 2:
        return NTAccount(f"{V.to_string(args[0])}\\{V.to_string(args[1])}")
    if len(args) != 1:
        raise method_exception(".ctor", len(args), f'Cannot find an overload for "NTAccount" and the argument count: "{len(args)}".')
    return NTAccount(V.to_string(args[0]))


class WindowsIdentity(NetObject):
    type_names = ["System.Security.Principal.WindowsIdentity", "System.Security.Claims.ClaimsIdentity", "System.Object"]
    # Members of WindowsIdentity (learn.microsoft.com "WindowsIdentity Class") not modelled: reading them trips.
    net_not_modelled = (
        "AccessToken", "Actor", "AuthenticationType", "BootstrapContext", "Claims", "DeviceClaims", "Groups",
        "ImpersonationLevel", "IsAnonymous", "IsGuest", "IsSystem", "Label", "NameClaimType", "Owner", "RoleClaimType",
        "Token", "UserClaims")

    @net_property("User")
    def _user(self) -> SecurityIdentifier:
        return SecurityIdentifier(user_sid())

    @net_property("Name")
    def _name(self) -> str:
        host = _host()
        return f"{host.user_domain or host.computer_name}\\{host.user_name}"

    @net_property("IsAuthenticated")
    def _is_authenticated(self) -> bool:
        return True

    def to_string(self) -> str:
        return self.type_names[0]


class WindowsPrincipal(NetObject):
    type_names = ["System.Security.Principal.WindowsPrincipal", "System.Security.Claims.ClaimsPrincipal", "System.Object"]

    def __init__(self, identity: WindowsIdentity) -> None:
        self.identity = identity

    net_not_modelled = ("Claims", "Identities", "UserClaims", "DeviceClaims")

    @net_property("Identity")
    def _identity(self) -> WindowsIdentity:
        return self.identity

    @net_method("IsInRole")
    def _is_in_role(self, *args: typing.Any) -> bool:
        if len(args) != 1:
            raise method_exception("IsInRole", len(args), f'Cannot find an overload for "IsInRole" and the argument count: "{len(args)}".')
        role = _BUILT_IN_ROLE.convert(args[0]) if not isinstance(args[0], str) or not args[0].upper().startswith("S-1-") else None
        if role is None or V.to_string(role) != "Administrator":
            raise trip(f"WindowsPrincipal.IsInRole({V.to_string(args[0])}) (only the Administrator role is modelled)")
        return bool(_host().administrator)


def _to_principal(value: typing.Any) -> WindowsPrincipal:
    if isinstance(value, WindowsPrincipal):
        return value
    if isinstance(value, WindowsIdentity):
        return WindowsPrincipal(value)
    raise trip("Converting anything but a WindowsIdentity to [System.Security.Principal.WindowsPrincipal]")


def _get_current(args: list) -> WindowsIdentity:
    if args:
        raise trip("[System.Security.Principal.WindowsIdentity]::GetCurrent with arguments")
    return WindowsIdentity()


typeregistry.register(typeregistry.NetType(
    "System.Security.Principal.WindowsIdentity", static_methods={"GetCurrent": _get_current},
    instance_check=lambda value: isinstance(value, WindowsIdentity)))
typeregistry.register(typeregistry.NetType(
    "System.Security.Principal.WindowsPrincipal", constructor=lambda args: _to_principal(args[0] if args else None),
    convert=_to_principal, instance_check=lambda value: isinstance(value, WindowsPrincipal)))


def _convert_sid(value: typing.Any) -> SecurityIdentifier | None:
    """`[SecurityIdentifier]'S-1-5-18'`: a string converts through the SDDL constructor."""
    if value is None or isinstance(value, SecurityIdentifier):
        return value
    if isinstance(value, str):
        return _new_sid([value])
    raise trip(f"Converting a {type(value).__name__} to [{SID_TYPE}]")


typeregistry.register(typeregistry.NetType(
    SID_TYPE, base_types=("System.Security.Principal.IdentityReference", "System.Object"), constructor=_new_sid,
    convert=_convert_sid, instance_check=lambda value: isinstance(value, SecurityIdentifier)))
typeregistry.register(typeregistry.NetType(
    NTACCOUNT_TYPE, base_types=("System.Security.Principal.IdentityReference", "System.Object"), constructor=_new_account,
    convert=lambda value: value if value is None or isinstance(value, NTAccount) else NTAccount(V.to_string(value)),
    instance_check=lambda value: isinstance(value, NTAccount)))
