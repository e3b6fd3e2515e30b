"""Stand-ins for the other C# that ansible.windows' win_stat and win_file compile.

- namespace `Ansible` (Ansible.ModuleUtils.LinkUtil's `$link_util`, compiled by Load-LinkUtils through
  `Add-Type -TypeDefinition`): `[Ansible.LinkUtil]::GetLinkInfo(path)` for what the test host's disk
  has, plain files and directories (File.GetAttributes: a directory -> $null; a file -> its hard links,
  and a file on the test host has one name -> $null). The disk has no reparse points, so nothing here
  meets a symbolic link or junction; creating or deleting links (`CreateLink`, `DeleteLink`) is not
  modelled and fails loudly.
- namespace `Ansible.Privilege` (ansible-core's Ansible.Privilege.cs, which Ansible.ModuleUtils.PrivilegeUtil
  requires): the privileges of the session's token. The test host's user is an administrator logged on
  over WinRM (a network logon): the token holds the Administrators' privileges, all enabled (as
  `whoami /priv` lists them in such a session). Changing them (`SetTokenPrivileges`) is not modelled.
- namespace `Ansible.Command` (win_file's SymLinkHelper, for deleting symbolic links): only reached for
  reparse points, which the test host's disk does not have: fails loudly if called.
"""

from __future__ import annotations

import re
import typing

from .. import typeregistry
from .. import values as V
from ..clr.enums import declare_enum
from ..dotnet import NetObject, current_runspace
from ..errors import PSError, method_exception
from . import register_standin


def _not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model {what}.", fqid="NotModelledOnTestHost", category="NotImplemented",
                   exception_type="System.NotImplementedException", terminating=True)


def _require(source: str, pattern: str, namespace: str) -> None:
    if not re.search(pattern, source):
        raise PSError(f"The test host's stand-in for namespace '{namespace}' models a different source (it looks for "
                      f"{pattern!r}).", fqid="NoStandIn", category="NotImplemented", terminating=True)


# --------------------------------------------------------------------------- namespace Ansible (LinkUtil)

def _get_link_info(args: list) -> typing.Any:
    if len(args) != 1:
        raise method_exception("GetLinkInfo", len(args), f'Cannot find an overload for "GetLinkInfo" and the argument count: "{len(args)}".')
    path = V.to_string(args[0])
    fs = current_runspace().host.filesystem
    if fs.is_dir(path):
        return None
    if fs.is_file(path):
        return None  # GetHardLinkInfo: one name (FindFirstFileNameW finds only itself) -> no LinkInfo
    # File.GetAttributes of a missing path
    full = fs.normalize(path)
    parent = full.rsplit("\\", 1)[0]
    if fs.is_dir(parent if len(parent) > 2 else parent + "\\"):
        raise method_exception("GetLinkInfo", 1, f"Could not find file '{full}'.", "System.IO.FileNotFoundException")
    raise method_exception("GetLinkInfo", 1, f"Could not find a part of the path '{full}'.",
                           "System.IO.DirectoryNotFoundException")


def _link_not_modelled(name: str) -> typing.Callable[[list], typing.Any]:
    def call(args: list) -> typing.Any:
        del args
        raise _not_modelled(f"[Ansible.LinkUtil]::{name} (links: the test host's disk has no reparse points or hard links)")
    return call


def _load_link_util(source: str) -> list[str]:
    _require(source, r"public\s+class\s+LinkUtil\b", "Ansible")
    declare_enum("Ansible.LinkType", {"SymbolicLink": 0, "JunctionPoint": 1, "HardLink": 2})
    typeregistry.register(typeregistry.NetType("Ansible.LinkUtil", static_methods={
        "GetLinkInfo": _get_link_info, "DeleteLink": _link_not_modelled("DeleteLink"),
        "CreateLink": _link_not_modelled("CreateLink")}))
    return ["Ansible.LinkType", "Ansible.LinkUtilWin32Exception", "Ansible.LinkInfo", "Ansible.REPARSE_DATA_BUFFER",
            "Ansible.LinkUtil"]


# --------------------------------------------------------------------------- namespace Ansible.Privilege

PRIVILEGE_ATTRIBUTES = {"Disabled": 0, "EnabledByDefault": 1, "Enabled": 2, "Removed": 4, "UsedForAccess": 0x80000000}
# Every privilege name LookupPrivilegeValue knows (winnt.h SE_*_NAME).
KNOWN_PRIVILEGES = [
    "SeAssignPrimaryTokenPrivilege", "SeAuditPrivilege", "SeBackupPrivilege", "SeChangeNotifyPrivilege",
    "SeCreateGlobalPrivilege", "SeCreatePagefilePrivilege", "SeCreatePermanentPrivilege", "SeCreateSymbolicLinkPrivilege",
    "SeCreateTokenPrivilege", "SeDebugPrivilege", "SeDelegateSessionUserImpersonatePrivilege", "SeEnableDelegationPrivilege",
    "SeImpersonatePrivilege", "SeIncreaseBasePriorityPrivilege", "SeIncreaseQuotaPrivilege", "SeIncreaseWorkingSetPrivilege",
    "SeLoadDriverPrivilege", "SeLockMemoryPrivilege", "SeMachineAccountPrivilege", "SeManageVolumePrivilege",
    "SeProfileSingleProcessPrivilege", "SeRelabelPrivilege", "SeRemoteShutdownPrivilege", "SeRestorePrivilege",
    "SeSecurityPrivilege", "SeShutdownPrivilege", "SeSyncAgentPrivilege", "SeSystemEnvironmentPrivilege",
    "SeSystemProfilePrivilege", "SeSystemtimePrivilege", "SeTakeOwnershipPrivilege", "SeTcbPrivilege",
    "SeTimeZonePrivilege", "SeTrustedCredManAccessPrivilege", "SeUndockPrivilege", "SeUnsolicitedInputPrivilege",
]
# The Administrators' privileges on Windows Server 2019 (Local Security Policy's defaults).
ADMIN_PRIVILEGES = [
    "SeIncreaseQuotaPrivilege", "SeSecurityPrivilege", "SeTakeOwnershipPrivilege", "SeLoadDriverPrivilege",
    "SeSystemProfilePrivilege", "SeSystemtimePrivilege", "SeProfileSingleProcessPrivilege",
    "SeIncreaseBasePriorityPrivilege", "SeCreatePagefilePrivilege", "SeBackupPrivilege", "SeRestorePrivilege",
    "SeShutdownPrivilege", "SeDebugPrivilege", "SeSystemEnvironmentPrivilege", "SeChangeNotifyPrivilege",
    "SeRemoteShutdownPrivilege", "SeUndockPrivilege", "SeManageVolumePrivilege", "SeImpersonatePrivilege",
    "SeCreateGlobalPrivilege", "SeIncreaseWorkingSetPrivilege", "SeTimeZonePrivilege", "SeCreateSymbolicLinkPrivilege",
    "SeDelegateSessionUserImpersonatePrivilege",
]


class ProcessToken(NetObject):
    type_names = ["System.Runtime.InteropServices.SafeHandle", "System.Runtime.ConstrainedExecution.CriticalFinalizerObject",
                  "System.Object"]

    def to_string(self) -> str:
        return "Microsoft.Win32.SafeHandles.SafeWaitHandle"


def _privilege_util(enum_type: typing.Any) -> typeregistry.NetType:
    enabled = enum_type.static_property("Enabled")
    enabled_default = enum_type.convert(3)  # EnabledByDefault, Enabled

    def check_name(args: list) -> bool:
        return any(V.to_string(args[0]).lower() == p.lower() for p in KNOWN_PRIVILEGES)

    def all_info(args: list) -> V.PSHashtable:
        if not args or not isinstance(args[0], ProcessToken):
            raise method_exception("GetAllPrivilegeInfo", len(args), "The test host models the current process's token only.")
        return V.PSHashtable({name: enabled_default if name == "SeChangeNotifyPrivilege" else enabled
                              for name in ADMIN_PRIVILEGES})

    def changing(name: str) -> typing.Callable[[list], typing.Any]:
        def call(args: list) -> typing.Any:
            del args
            raise _not_modelled(f"[Ansible.Privilege.PrivilegeUtil]::{name} (changing the token's privileges)")
        return call

    return typeregistry.NetType("Ansible.Privilege.PrivilegeUtil", static_methods={
        "CheckPrivilegeName": check_name, "GetCurrentProcess": lambda args: ProcessToken(),
        "GetAllPrivilegeInfo": all_info, "SetTokenPrivileges": changing("SetTokenPrivileges"),
        "EnablePrivilege": changing("EnablePrivilege"), "DisablePrivilege": changing("DisablePrivilege"),
        "DisableAllPrivileges": changing("DisableAllPrivileges"), "RemovePrivilege": changing("RemovePrivilege")})


def _load_privilege(source: str) -> list[str]:
    _require(source, r"public\s+class\s+PrivilegeUtil\b", "Ansible.Privilege")
    enum_type = declare_enum("Ansible.Privilege.PrivilegeAttributes", PRIVILEGE_ATTRIBUTES, flags=True)  # [Flags] in Ansible.Privilege.cs
    typeregistry.register(_privilege_util(enum_type))

    def enabler(args: list) -> typing.Any:
        del args
        raise _not_modelled("[Ansible.Privilege.PrivilegeEnabler] (changing the token's privileges)")

    typeregistry.register(typeregistry.NetType("Ansible.Privilege.PrivilegeEnabler", constructor=enabler))
    return ["Ansible.Privilege.Win32Exception", "Ansible.Privilege.PrivilegeAttributes",
            "Ansible.Privilege.PrivilegeEnabler", "Ansible.Privilege.PrivilegeUtil"]


# --------------------------------------------------------------------------- namespace Ansible.Command (win_file)

def _load_command(source: str) -> list[str]:
    _require(source, r"public\s+class\s+SymLinkHelper\b", "Ansible.Command")

    def unreachable(name: str) -> typing.Callable[[list], typing.Any]:
        def call(args: list) -> typing.Any:
            del args
            raise _not_modelled(f"[Ansible.Command.SymLinkHelper]::{name} (deleting a reparse point: the test host's "
                                "disk has none)")
        return call

    typeregistry.register(typeregistry.NetType("Ansible.Command.SymLinkHelper", static_methods={
        "DeleteDirectory": unreachable("DeleteDirectory"), "DeleteFile": unreachable("DeleteFile")}))
    return ["Ansible.Command.SymLinkHelper"]


register_standin("Ansible", _load_link_util)
register_standin("Ansible.Privilege", _load_privilege)
register_standin("Ansible.Command", _load_command)
