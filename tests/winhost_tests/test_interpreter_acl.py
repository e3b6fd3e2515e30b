"""An item's owner through FileInfo/DirectoryInfo.GetAccessControl() (what win_stat reports as `owner`), and the rest of
an access-control object, which the test host does not model: script -> what Windows PowerShell 5.1 gives.

Sources: who owns a new item is the creator token's default owner ("Owner of a New Object",
learn.microsoft.com/windows/win32/secauthz/owner-of-a-new-object), which for a member of the Administrators group is the
group on Windows Server (security policy "System objects: Default owner for objects created by members of the
Administrators group", default "Administrators group" on servers; "Object creator" on client Windows); `Owner` is
PowerShell's CodeProperty on ObjectSecurity (types.ps1xml: SecurityDescriptorCommandsBase.GetOwner, the owner as an
NTAccount name); Windows' own folders are TrustedInstaller's (Windows Resource Protection); a file moved on one NTFS volume
keeps its security descriptor, a copy is a new file owned by whoever copies it (KB 310316, "How permissions are handled when
you copy and move files and folders"; CopyFile does not copy the owner).
"""

from __future__ import annotations

import pytest

from winhost.machine.disk import FileSystem
from winhost.powershell import HostServices, Runspace

from test_interpreter import run

ADMINS, TI = "BUILTIN\\Administrators", "NT SERVICE\\TrustedInstaller"
SETUP = "New-Item C:\\t -ItemType Directory | Out-Null; New-Item C:\\t\\a.txt -ItemType File | Out-Null; "


def session(filesystem: FileSystem | None = None, **account) -> Runspace:
    return Runspace(host=HostServices(computer_name="WIN-HOST", user_name="user", filesystem=filesystem or FileSystem(),
                                      **account))


def out(script: str, rs: Runspace) -> list:
    rec, result = run(script, rs)
    assert result.state == "Completed" and rec.errors == [], (result, rec.errors)
    return rec.output


@pytest.mark.parametrize("script, expected", [
    # What an administrator's session creates, by any route, is the Administrators group's.
    (SETUP + "(Get-Item C:\\t\\a.txt).GetAccessControl().Owner; (Get-Item C:\\t).GetAccessControl().Owner", [ADMINS, ADMINS]),
    ("[System.IO.File]::WriteAllText('C:\\Windows\\Temp\\w.txt', 'x'); [void][System.IO.Directory]::CreateDirectory('C:\\d\\e'); "
     "Set-Content C:\\d\\s.txt 'x'; 'x' | Out-File C:\\d\\o.txt; "
     "foreach ($p in 'C:\\Windows\\Temp\\w.txt', 'C:\\d\\s.txt', 'C:\\d\\o.txt') { (New-Object System.IO.FileInfo $p).GetAccessControl().Owner }; "
     "(New-Object System.IO.DirectoryInfo 'C:\\d\\e').GetAccessControl().Owner; (Get-Item C:\\d).GetAccessControl().Owner",
     [ADMINS] * 5),
    # Windows' own folders.
    ("(Get-Item C:\\).GetAccessControl().Owner; (Get-Item C:\\Windows).GetAccessControl().Owner; "
     "(Get-Item C:\\Windows\\System32).GetAccessControl().Owner; (Get-Item 'C:\\Program Files').GetAccessControl().Owner",
     [TI] * 4),
    # The objects: FileSecurity for a file, DirectorySecurity for a directory; Owner is a string; ToString is Object's.
    (SETUP + "$s = (Get-Item C:\\t\\a.txt).GetAccessControl(); $s.GetType().FullName; $s.ToString(); "
     "$s -is [System.Security.AccessControl.FileSystemSecurity]; $s -is [System.Security.AccessControl.ObjectSecurity]; "
     "$s -is [System.Security.AccessControl.DirectorySecurity]; $s.Owner.GetType().FullName",
     ["System.Security.AccessControl.FileSecurity", "System.Security.AccessControl.FileSecurity", True, True, False,
      "System.String"]),
    (SETUP + "$s = (Get-Item C:\\t).GetAccessControl(); $s.GetType().FullName; $s -is [System.Security.AccessControl.NativeObjectSecurity]",
     ["System.Security.AccessControl.DirectorySecurity", True]),
])
def test_owner_in_an_administrators_session(script, expected):
    assert out(script, session()) == expected


@pytest.mark.parametrize("account, expected", [
    ({}, ADMINS),
    ({"administrator": False}, "WIN-HOST\\user"),  # a local account: COMPUTERNAME\user
    ({"administrator": False, "user_domain": "CORP"}, "CORP\\user"),
    ({"user_domain": "CORP"}, ADMINS),  # a domain account in the local Administrators group
])
def test_owner_is_the_creators_default_owner(account, expected):
    rs = session(**account)
    assert out(SETUP + "(Get-Item C:\\t\\a.txt).GetAccessControl().Owner; (Get-Item C:\\t).GetAccessControl().Owner",
               rs) == [expected, expected]


def test_owner_stays_with_the_item():
    """An item keeps the owner it was created with: rewriting a file does not change it, a move keeps it, a copy is the
    copier's; the object holds what it read when it was made."""
    disk = FileSystem()
    disk.create_directory("C:\\t")
    disk.write_bytes("C:\\t\\fixture.txt", b"x")  # a test's set-up through the disk: an administrator's (disk.py)
    user = session(disk, administrator=False)
    assert out("Set-Content C:\\t\\fixture.txt 'rewritten'; [System.IO.File]::Move('C:\\t\\fixture.txt', 'C:\\t\\moved.txt'); "
               "[System.IO.File]::Copy('C:\\t\\moved.txt', 'C:\\t\\copied.txt'); "
               "foreach ($p in 'moved', 'copied') { (Get-Item \"C:\\t\\$p.txt\").GetAccessControl().Owner }", user) == [
        ADMINS, "WIN-HOST\\user"]
    assert disk.entry("C:\\t\\moved.txt").owner == ADMINS and disk.entry("C:\\t\\copied.txt").owner == "WIN-HOST\\user"
    # Another session on the same disk (the same host) sees the owner its maker gave.
    assert out("(Get-Item C:\\t\\copied.txt).GetAccessControl().Owner", session(disk)) == ["WIN-HOST\\user"]


NOT_MODELLED = " exists in Windows PowerShell 5.1 but the test host does not model it"


@pytest.mark.parametrize("script, what", [
    # The rest of an access-control object: the ACLs, group, SDDL, path, audit, .NET properties and every method.
    ("$s.Access", "The member 'Access' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.Group", "The member 'Group' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.Sddl", "The member 'Sddl' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.Path", "The member 'Path' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.AreAccessRulesProtected", "The member 'AreAccessRulesProtected' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.GetAccessRules($true, $true, $null)", "The method 'GetAccessRules' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.AddAccessRule($null)", "The method 'AddAccessRule' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.SetOwner($null)", "The method 'SetOwner' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.GetSecurityDescriptorSddlForm('All')",
     "The method 'GetSecurityDescriptorSddlForm' of [System.Security.AccessControl.FileSecurity]"),
    ("$s.Owner = 'BUILTIN\\Users'", "The member 'Owner' of [System.Security.AccessControl.FileSecurity]"),
    ("(Get-Item C:\\t).GetAccessControl().Access", "The member 'Access' of [System.Security.AccessControl.DirectorySecurity]"),
    ("(Get-Item C:\\t\\a.txt).SetAccessControl($s)", "The method 'SetAccessControl' of [System.IO.FileInfo]"),
    ("(Get-Item C:\\t\\a.txt).GetAccessControl('Owner')",
     "The method 'GetAccessControl(AccessControlSections)' of [System.IO.FileInfo]"),
    # .NET's errors for a missing item are not modelled.
    ("(New-Object System.IO.FileInfo 'C:\\t\\missing.txt').GetAccessControl()",
     "The method 'GetAccessControl' of [System.IO.FileInfo] for an item that is not there (C:\\t\\missing.txt)"),
    # Windows' folders whose owner the disk does not model (disk.SYSTEM_OWNERS).
    ("(Get-Item C:\\Users).GetAccessControl().Owner",
     "The member 'Owner' of [System.Security.AccessControl.DirectorySecurity] for C:\\Users"),
    ("New-Object System.Security.AccessControl.FileSecurity", "The constructor of [System.Security.AccessControl.FileSecurity]"),
    # Written to the output, Windows would serialize its (unmodelled) properties.
    ("$s", "Serializing a [System.Security.AccessControl.FileSecurity] (its properties are not modelled)"),
])
def test_the_rest_of_an_access_control_object_is_not_modelled(script, what):
    rs = session()
    trips: list[str] = []
    rs.host.note_unmodelled = trips.append
    out(SETUP + "$s = (Get-Item C:\\t\\a.txt).GetAccessControl()", rs)
    rec, result = run(script, rs)
    assert result.state == "Failed" and rec.output == [], (script, result)
    assert str(result.error) == what + NOT_MODELLED + " (its tripwire knob is on).", result
    assert result.error.FullyQualifiedErrorId == "NotModelledByTestHost"
    assert trips == [what]


def test_with_the_tripwire_off_a_property_is_null_and_a_method_an_error():
    rs = Runspace(host=HostServices(user_name="user", filesystem=FileSystem(), tripwire=False))
    assert out(SETUP + "$s = (Get-Item C:\\t\\a.txt).GetAccessControl(); $null -eq $s.Access; $null -eq $s.Sddl; "
               "$null -eq (Get-Item C:\\Users).GetAccessControl().Owner; $s.Owner", rs) == [True, True, True, ADMINS]
    rec, result = run("$s.GetAccessRules($true, $true, $null)", rs)
    assert result.state == "Failed" and str(result.error).startswith(
        "The method 'GetAccessRules' of [System.Security.AccessControl.FileSecurity]" + NOT_MODELLED), result


def test_ansible_windows_win_stat_owner_line():
    """win_stat.ps1 (ansible.windows 3.3.0): `try { $stat.owner = $info.GetAccessControl().Owner } catch { $null }`."""
    rs = session()
    script = ("$stat = @{}; $info = Get-Item -LiteralPath '%s' -Force; "
              "try { $stat.owner = $info.GetAccessControl().Owner } catch { $stat.owner = $null }; $stat.owner")
    assert out(SETUP + script % "C:\\t\\a.txt", rs) == [ADMINS]
    assert out(script % "C:\\Windows", rs) == [TI]
