"""System.Security.Principal: the session's identity, `[Security.Principal.WindowsIdentity]::GetCurrent()`.

ansible-core 2.16 to 2.18's async_wrapper.ps1 reads `.User` (to let only the current user read its named pipe) and
exec_wrapper.ps1's Write-AnsibleLog `.Name`. What Windows gives (learn.microsoft.com, WindowsIdentity): Name the
account in NTAccount form, `DOMAIN\\user` or, for a local account, `COMPUTERNAME\\user`; User the account's
SecurityIdentifier, whose Value (and ToString()) is its SDDL form `S-1-5-21-<3 sub-authorities>-<RID>`;
IsAuthenticated $true, IsAnonymous/IsGuest/IsSystem $false for a user's logon; ToString() the type name.

The account is the one the test host already models (HostServices: computer_name, user_domain, user_name): the
session runs as the user that logged on, as wsmprovhost.exe does. Its SID is not stored anywhere on the test host;
it is made here of what Windows' SIDs are made of, consistently for a given account: the machine's (or the domain's)
identifier authority 5, sub-authority 21 and three sub-authorities derived from the computer's (or the domain's) name
(Windows draws them at random when the machine or domain is set up), and RID 1000 for the account (the first account
made after setup: local accounts start at 1000; 500 is the built-in Administrator). Groups, Owner, Token,
AuthenticationType, ImpersonationLevel, Claims and every other member, and Translate, are not modelled: reading them
trips.
"""

from __future__ import annotations

import hashlib
import typing

from .. import typeregistry
from ..dotnet import NetObject, current_runspace
from ..tripwire import trip
from .principal import SecurityIdentifier

PRINCIPAL = "System.Security.Principal"
ACCOUNT_RID = 1000


def account_sid(authority_name: str, rid: int = ACCOUNT_RID) -> str:
    """`S-1-5-21-a-b-c-rid` with a, b, c (32-bit unsigned sub-authorities) derived from the machine's or domain's
    name, upper-cased (names are case-insensitive on Windows)."""
    digest = hashlib.sha256(authority_name.upper().encode("utf-8")).digest()
    parts = [int.from_bytes(digest[i:i + 4], "little") for i in (0, 4, 8)]
    return "S-1-5-21-" + "-".join(str(p) for p in parts) + f"-{rid}"


class WindowsIdentity(NetObject):
    """The session's process identity (WindowsIdentity.GetCurrent())."""

    type_names = [f"{PRINCIPAL}.WindowsIdentity", "System.Security.Claims.ClaimsIdentity", "System.Object"]

    def __init__(self, host: typing.Any) -> None:
        super().__init__()
        authority = host.user_domain or host.computer_name
        self.name = f"{authority}\\{host.user_name}"
        self.user = SecurityIdentifier(account_sid(authority))

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "name":
            return self.name
        if low == "user":
            return self.user
        if low == "isauthenticated":
            return True
        if low in ("isanonymous", "isguest", "issystem"):
            return False
        raise trip(f"The WindowsIdentity member '{name}'")

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() in ("tostring", "gettype", "equals", "gethashcode"):
            return super().call(name, args)
        raise trip(f"The WindowsIdentity method '{name}'")


def _get_current(args: list) -> WindowsIdentity:
    if args:
        # GetCurrent(bool ifImpersonating) / GetCurrent(TokenAccessLevels): the thread's token, not modelled.
        raise trip(f"WindowsIdentity.GetCurrent with {len(args)} argument(s)")
    return WindowsIdentity(current_runspace().host)


typeregistry.register(typeregistry.NetType(f"{PRINCIPAL}.WindowsIdentity", static_methods={"GetCurrent": _get_current}))
