"""System.DirectoryServices.AccountManagement over the machine's local accounts, as far as ansible.windows' platform
facts use it (setup.ps1: the machine SID from the local Administrator's SID, whose RID is 500):

    Add-Type -AssemblyName System.DirectoryServices.AccountManagement
    $context = New-Object PrincipalContext -ArgumentList ([ContextType]::Machine)
    $principal = New-Object GroupPrincipal -ArgumentList $context, 'BUILTIN\\Administrators'
    $groups = (New-Object PrincipalSearcher -ArgumentList $principal).FindOne()
    $e = $groups.Members.GetEnumerator(); $e.MoveNext(); $e.Current.Sid.AccountDomainSid.Value; $e.Dispose()

The types exist once the assembly is loaded (`load`, called by Add-Type -AssemblyName: it is in the GAC, not loaded
when a 5.1 session starts). learn.microsoft.com: ContextType (Machine 0, Domain 1, ApplicationDirectory 2),
PrincipalContext(ContextType), GroupPrincipal(PrincipalContext, string samAccountName), PrincipalSearcher(Principal)
and FindOne() (the first principal matching the query filter, else null), GroupPrincipal.Members (a
PrincipalCollection), Principal.Sid / SamAccountName / Name. The local Administrators group's members on this machine:
the built-in Administrator (RID 500) and, when it is another account, the session's user if it is an administrator
(HostServices.administrator). A domain context, other queries and the principals' other members trip.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, current_runspace
from ..tripwire import trip
from ..typeregistry import net_method, net_property
from .enums import declare_enum
from .principal import SecurityIdentifier, user_sid

NAMESPACE = "System.DirectoryServices.AccountManagement"
ADMINISTRATORS = "BUILTIN\\Administrators"


class PrincipalContext(NetObject):
    type_names = [f"{NAMESPACE}.PrincipalContext", "System.Object"]

    @net_property("ContextType")
    def _context_type(self) -> typing.Any:
        return typeregistry.registered(f"{NAMESPACE}.ContextType").convert("Machine")

    @net_property("Name", "ConnectedServer")
    def _name(self) -> str:
        return current_runspace().host.computer_name.upper()


class UserPrincipal(NetObject):
    type_names = [f"{NAMESPACE}.UserPrincipal", f"{NAMESPACE}.AuthenticablePrincipal", f"{NAMESPACE}.Principal",
                  "System.Object"]

    def __init__(self, name: str, sid: str) -> None:
        self.name = name
        self.sid = sid

    net_closed = "members"

    @net_property("Sid")
    def _sid(self) -> SecurityIdentifier:
        return SecurityIdentifier(self.sid)

    @net_property("SamAccountName", "Name")
    def _sam_account_name(self) -> str:
        return self.name

    def to_string(self) -> str:
        return self.name


class MemberEnumerator(NetObject):
    """PrincipalCollection's enumerator: MoveNext(), Current, Reset(), Dispose()."""

    type_names = [f"{NAMESPACE}.PrincipalCollectionEnumerator", "System.Object"]

    def __init__(self, members: list[UserPrincipal]) -> None:
        self.members = members
        self.index = -1

    @net_property("Current")
    def _current(self) -> UserPrincipal:
        if not 0 <= self.index < len(self.members):
            raise trip("PrincipalCollection's enumerator Current outside the collection")
        return self.members[self.index]

    @net_method("MoveNext")
    def _move_next(self) -> bool:
        self.index += 1
        return self.index < len(self.members)

    @net_method("Reset")
    def _reset(self) -> None:
        self.index = -1


class PrincipalCollection(NetObject, list):
    type_names = [f"{NAMESPACE}.PrincipalCollection", "System.Object"]

    net_not_modelled_methods = ("Add", "Remove", "Clear", "Contains")

    @net_property("Count")
    def _count(self) -> int:
        return len(self)

    @net_method("GetEnumerator")
    def _get_enumerator(self) -> MemberEnumerator:
        return MemberEnumerator(list(self))

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class GroupPrincipal(NetObject):
    type_names = [f"{NAMESPACE}.GroupPrincipal", f"{NAMESPACE}.Principal", "System.Object"]

    def __init__(self, sam_account_name: str) -> None:
        self.sam_account_name = sam_account_name

    net_closed = "members"

    @net_property("SamAccountName", "Name")
    def _sam_account_name(self) -> str:
        return self.sam_account_name

    @net_property("Sid")
    def _sid(self) -> SecurityIdentifier:
        if self.sam_account_name.lower() != ADMINISTRATORS.lower():
            raise trip(f"The SID of the local group '{self.sam_account_name}'")
        return SecurityIdentifier("S-1-5-32-544")

    @net_property("Members")
    def _members(self) -> "PrincipalCollection":
        return PrincipalCollection(_administrators())

    def to_string(self) -> str:
        return self.sam_account_name


def _administrators() -> list[UserPrincipal]:
    host = current_runspace().host
    machine_sid = host.system.machine_sid
    members = [UserPrincipal("Administrator", f"{machine_sid}-500")]
    if host.administrator and host.user_name.lower() != "administrator":
        members.append(UserPrincipal(host.user_name, user_sid()))
    return members


class PrincipalSearcher(NetObject):
    type_names = [f"{NAMESPACE}.PrincipalSearcher", "System.Object"]

    def __init__(self, query: GroupPrincipal) -> None:
        self.query = query

    net_not_modelled_methods = ("FindAll", "GetUnderlyingSearcher", "GetUnderlyingSearcherType")

    @net_method("FindOne")
    def _find_one(self) -> "GroupPrincipal":
        if self.query.sam_account_name.lower() in (ADMINISTRATORS.lower(), "administrators"):
            return GroupPrincipal(self.query.sam_account_name)
        raise trip(f"PrincipalSearcher.FindOne for the group '{self.query.sam_account_name}'")


def _new_context(args: list) -> PrincipalContext:
    if len(args) != 1 or V.to_string(args[0]) != "Machine":
        raise trip(f"[{NAMESPACE}.PrincipalContext] but for the local machine (ContextType Machine, no name)")
    return PrincipalContext()


def _new_group(args: list) -> GroupPrincipal:
    if len(args) != 2 or not isinstance(args[0], PrincipalContext):
        raise trip(f"[{NAMESPACE}.GroupPrincipal] but (PrincipalContext, samAccountName)")
    return GroupPrincipal(V.to_string(args[1]))


def _new_searcher(args: list) -> PrincipalSearcher:
    if len(args) != 1 or not isinstance(args[0], GroupPrincipal):
        raise trip(f"[{NAMESPACE}.PrincipalSearcher] but for a GroupPrincipal query")
    return PrincipalSearcher(args[0])


def load() -> None:
    """Add-Type -AssemblyName System.DirectoryServices.AccountManagement: its types now resolve."""
    if typeregistry.registered(f"{NAMESPACE}.PrincipalContext") is not None:
        return
    declare_enum(f"{NAMESPACE}.ContextType", {"Machine": 0, "Domain": 1, "ApplicationDirectory": 2})
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.PrincipalContext", constructor=_new_context))
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.GroupPrincipal", constructor=_new_group))
    typeregistry.register(typeregistry.NetType(f"{NAMESPACE}.PrincipalSearcher", constructor=_new_searcher))
