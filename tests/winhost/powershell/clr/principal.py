"""System.Security.Principal: SecurityIdentifier and NTAccount over the machine's well-known service accounts.

What win_service does with an account (ansible.windows 3.3.0, ConvertTo-SecurityIdentifier): `New-Object
SecurityIdentifier <name>` (a name that is not a SID string throws ArgumentException, learn.microsoft.com
"SecurityIdentifier(String) constructor": "sddlForm is not a valid SID"; .NET Framework's message is "Value was
invalid." with "Parameter name: sddlForm"), `[SecurityIdentifier]'S-1-5-18'`, `New-Object NTAccount <domain>,
<name>` / `<name>`, `.Translate([SecurityIdentifier])` / `.Translate([NTAccount])`, `.Equals`, `.Value`.

Translation (LookupAccountName / LookupAccountSid) is modelled for the well-known accounts services run as
(learn.microsoft.com, "Well-known SIDs": S-1-5-18 Local System, S-1-5-19 Local Service, S-1-5-20 Network Service;
LookupAccountSid names them NT AUTHORITY\\SYSTEM, NT AUTHORITY\\LOCAL SERVICE, NT AUTHORITY\\NETWORK SERVICE; the
SCM's start names NT AUTHORITY\\LocalService and NT AUTHORITY\\NetworkService are accepted by LookupAccountName too)
and BUILTIN\\Administrators (S-1-5-32-544). Any other account is a NotImplemented error naming it: the test host
has no account database to look it up in.
"""

from __future__ import annotations

import re
import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, _overload
from ..errors import PSError, method_exception
from ..typeregistry import MISSING
from ..tripwire import trip

SID_TYPE = "System.Security.Principal.SecurityIdentifier"
ACCOUNT_TYPE = "System.Security.Principal.NTAccount"
_SID = re.compile(r"^S-1-\d+(-\d+)+$", re.IGNORECASE)

# SID -> the name LookupAccountSid gives; name (lower case, domain optional) -> SID.
WELL_KNOWN = {
    "S-1-5-18": "NT AUTHORITY\\SYSTEM",
    "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
    "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
    "S-1-5-32-544": "BUILTIN\\Administrators",
}
_NAMES = {
    "nt authority\\system": "S-1-5-18", "system": "S-1-5-18",
    "nt authority\\local service": "S-1-5-19", "nt authority\\localservice": "S-1-5-19", "local service": "S-1-5-19",
    "localservice": "S-1-5-19",
    "nt authority\\network service": "S-1-5-20", "nt authority\\networkservice": "S-1-5-20",
    "network service": "S-1-5-20", "networkservice": "S-1-5-20",
    "builtin\\administrators": "S-1-5-32-544", "administrators": "S-1-5-32-544",
}


def _not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model {what}.", fqid="NotModelledOnTestHost", category="NotImplemented",
                   exception_type="System.NotImplementedException", terminating=True)


def _target(args: list, method: str) -> str:
    if len(args) != 1 or not isinstance(args[0], V.TypeValue):
        raise _overload(method, len(args))
    return args[0].full_name.lower()


class SecurityIdentifier(NetObject):
    type_names = [SID_TYPE, "System.Security.Principal.IdentityReference", "System.Object"]

    def __init__(self, value: str) -> None:
        self.value = value.upper()

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "value":
            return self.value
        raise trip(f"The SecurityIdentifier member '{name}'")  # AccountDomainSid, BinaryLength, IsAccountSid(), ...

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "equals" and len(args) == 1:
            return isinstance(args[0], SecurityIdentifier) and args[0].value == self.value
        if low == "translate":
            target = _target(args, "Translate")
            if target == SID_TYPE.lower():
                return self
            if target == ACCOUNT_TYPE.lower():
                if self.value not in WELL_KNOWN:
                    raise _not_modelled(f"translating the SID '{self.value}' to an account name (no account database)")
                return NTAccount(WELL_KNOWN[self.value])
            raise method_exception("Translate", 1, "Only types derived from IdentityReference can be translated to.",
                                   "System.ArgumentException")
        if low in ("getbinaryform", "isaccountsid", "isequaldomainsid", "isvalidtargettype", "iswellknown", "compareto"):
            raise trip(f"The SecurityIdentifier method '{name}'")
        return super().call(name, args)

    def to_string(self) -> str:
        return self.value


class NTAccount(NetObject):
    type_names = [ACCOUNT_TYPE, "System.Security.Principal.IdentityReference", "System.Object"]

    def __init__(self, value: str) -> None:
        self.value = value

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "value":
            return self.value
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "equals" and len(args) == 1:
            return isinstance(args[0], NTAccount) and args[0].value.lower() == self.value.lower()
        if low == "translate":
            target = _target(args, "Translate")
            if target == ACCOUNT_TYPE.lower():
                return self
            if target == SID_TYPE.lower():
                sid = _NAMES.get(self.value.lower())
                if sid is None:
                    raise _not_modelled(f"translating the account name '{self.value}' to a SID (no account database)")
                return SecurityIdentifier(sid)
            raise method_exception("Translate", 1, "Only types derived from IdentityReference can be translated to.",
                                   "System.ArgumentException")
        return super().call(name, args)

    def to_string(self) -> str:
        return self.value


def _new_sid(args: list) -> SecurityIdentifier:
    if len(args) != 1:
        raise _not_modelled(f"the SecurityIdentifier constructor with {len(args)} arguments")
    text = V.to_string(args[0])
    if not _SID.match(text):
        raise method_exception(".ctor", 1, "Value was invalid.\r\nParameter name: sddlForm", "System.ArgumentException")
    return SecurityIdentifier(text)


def _convert_sid(value: typing.Any) -> SecurityIdentifier | None:
    if value is None or isinstance(value, SecurityIdentifier):
        return value
    if isinstance(value, str):
        return _new_sid([value])
    raise _not_modelled(f"converting a {type(value).__name__} to [SecurityIdentifier]")


def _new_account(args: list) -> NTAccount:
    if len(args) == 1:
        return NTAccount(V.to_string(args[0]))
    if len(args) == 2:  # NTAccount(domainName, accountName): "domain\\account"
        return NTAccount(f"{V.to_string(args[0])}\\{V.to_string(args[1])}")
    raise _overload("new", len(args))


typeregistry.register(typeregistry.NetType(
    SID_TYPE, base_types=("System.Security.Principal.IdentityReference", "System.Object"), constructor=_new_sid,
    convert=_convert_sid, instance_check=lambda value: isinstance(value, SecurityIdentifier)))
typeregistry.register(typeregistry.NetType(
    ACCOUNT_TYPE, base_types=("System.Security.Principal.IdentityReference", "System.Object"), constructor=_new_account,
    convert=lambda value: value if value is None or isinstance(value, NTAccount) else NTAccount(V.to_string(value)),
    instance_check=lambda value: isinstance(value, NTAccount)))
