"""System.Security.AccessControl: the FileSecurity / DirectorySecurity that FileInfo/DirectoryInfo.GetAccessControl()
return, as far as the test host models them: their owner, and nothing else.

`Owner` is not a .NET property: PowerShell's type data (types.ps1xml, System.Security.AccessControl.ObjectSecurity)
adds it as a CodeProperty, SecurityDescriptorCommandsBase.GetOwner, which gives the owner SID translated to an
NTAccount name as a string (`BUILTIN\\Administrators`, `NT SERVICE\\TrustedInstaller`, `WIN-HOST\\user`). Who owns
what is the disk's (machine/disk.py: Node.owner). The security descriptor is read when the object is made, as
NativeObjectSecurity's constructor reads it, so a later change to the item does not show through an object already made.

Everything else of an access-control object (the access rules: Access, GetAccessRules, AddAccessRule, SetAccessRule,
...; Group, Sddl, Path, the audit side, SetOwner, the .NET properties AccessRightType, AreAccessRulesProtected, ...)
is not modelled: the disk keeps no ACLs. Reading one is a tripwire error naming it, calling one an error either way
(NotModelledByTestHost), never a silent value; so is a FileSecurity made with `New-Object` (an empty descriptor on
Windows), and one written to the output (Windows would serialize its properties, which are not modelled).
Get-Acl is not modelled either (it adds the provider's notes and takes wildcards and other providers): it is not a
command the interpreter knows.
"""

from __future__ import annotations

import typing

from .. import tripwire, typeregistry
from ..dotnet import NetObject
from ..errors import method_not_found

FILE_SECURITY = "System.Security.AccessControl.FileSecurity"
DIRECTORY_SECURITY = "System.Security.AccessControl.DirectorySecurity"
_BASES = ("System.Security.AccessControl.FileSystemSecurity", "System.Security.AccessControl.NativeObjectSecurity",
          "System.Security.AccessControl.CommonObjectSecurity", "System.Security.AccessControl.ObjectSecurity",
          "System.Object")

# ObjectSecurity's CodeProperties from types.ps1xml (Owner is modelled; the others read the ACLs, the group or the
# provider's PSPath), the .NET properties of FileSystemSecurity and its bases, and its methods (.NET Framework 4.x
# reference: FileSecurity Class).
_PROPERTIES = ("Path", "Owner", "Group", "Access", "Audit", "Sddl", "AccessToString", "AuditToString",
               "CentralAccessPolicyId", "CentralAccessPolicyName", "AccessRightType", "AccessRuleType", "AuditRuleType",
               "AreAccessRulesCanonical", "AreAccessRulesProtected", "AreAuditRulesCanonical", "AreAuditRulesProtected")
_METHODS = ("AccessRuleFactory", "AddAccessRule", "AddAuditRule", "AuditRuleFactory", "GetAccessRules", "GetAuditRules",
            "GetGroup", "GetOwner", "GetSecurityDescriptorBinaryForm", "GetSecurityDescriptorSddlForm", "ModifyAccessRule",
            "ModifyAuditRule", "PurgeAccessRules", "PurgeAuditRules", "RemoveAccessRule", "RemoveAccessRuleAll",
            "RemoveAccessRuleSpecific", "RemoveAuditRule", "RemoveAuditRuleAll", "RemoveAuditRuleSpecific",
            "ResetAccessRule", "SetAccessRule", "SetAccessRuleProtection", "SetAuditRule", "SetAuditRuleProtection",
            "SetGroup", "SetOwner", "SetSecurityDescriptorBinaryForm", "SetSecurityDescriptorSddlForm")
_MEMBERS = {name.lower(): name for name in _PROPERTIES + _METHODS}


class FileSystemSecurity(NetObject):
    """A FileSecurity or DirectorySecurity of one item on drive C:, holding the owner read when it was made."""

    def __init__(self, is_dir: bool, full_name: str, owner: str | None) -> None:
        self.type_names = [DIRECTORY_SECURITY if is_dir else FILE_SECURITY, *_BASES]
        self.full_name = full_name
        self.owner = owner

    def _unmodelled(self, name: str, method: bool = False) -> Exception:
        """A call or an assignment has no $null to fall back on: an error either way, which the host hears of with the
        tripwire on."""
        what = f"The {'method' if method else 'member'} '{name}' of [{self.type_names[0]}]"
        return tripwire.trip(what) if tripwire.enabled() else tripwire.not_modelled(what)

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "owner" and self.owner is not None:
            return self.owner
        if low == "owner" and tripwire.enabled():  # an item whose owner the disk does not model (disk.SYSTEM_OWNERS)
            raise tripwire.trip(f"The member 'Owner' of [{self.type_names[0]}] for {self.full_name}")
        if low in _MEMBERS and tripwire.enabled():
            raise tripwire.trip(f"The member '{_MEMBERS[low]}' of [{self.type_names[0]}]")
        return super().get_member(name)

    def set_member(self, name: str, value: typing.Any) -> bool:
        if name.lower() in _MEMBERS:
            raise self._unmodelled(_MEMBERS[name.lower()])
        return super().set_member(name, value)

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low in _MEMBERS:
            raise self._unmodelled(_MEMBERS[low], method=True)
        if low in ("dispose", "close"):  # ObjectSecurity is not IDisposable
            raise method_not_found(self.type_names[0], name)
        return super().call(name, args)

    def to_wire(self) -> typing.Any:
        raise tripwire.trip(f"Serializing a [{self.type_names[0]}] (its properties are not modelled)")


def _not_constructible(full_name: str) -> typing.Callable[[list], typing.Any]:
    def construct(args: list) -> typing.Any:
        del args
        raise tripwire.trip(f"The constructor of [{full_name}]")
    return construct


for _full_name, _bases in ((FILE_SECURITY, _BASES), (DIRECTORY_SECURITY, _BASES)):
    typeregistry.register(typeregistry.NetType(
        _full_name, base_types=_bases, constructor=_not_constructible(_full_name),
        instance_check=lambda value, n=_full_name: isinstance(value, FileSystemSecurity) and value.type_names[0] == n))
for _index, _full_name in enumerate(_BASES[:-1]):
    typeregistry.register(typeregistry.NetType(
        _full_name, base_types=_BASES[_index + 1:], instance_check=lambda value: isinstance(value, FileSystemSecurity)))
