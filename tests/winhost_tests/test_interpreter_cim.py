"""CIM on the test host: Get-CimInstance for Win32_Share, the share lookup ansible.windows' win_stat makes.

Each row is a script with what Windows PowerShell 5.1 gives on a machine with only Windows' administrative shares,
from the documentation cited on the row's group: learn.microsoft.com "Get-CimInstance" (5.1: parameter sets, the
default namespace root/cimv2, -Filter as a WQL WHERE clause), "Win32_Share class" (its properties, Type values,
AccessMask always NULL), MS-SRVS 2.2.2.4 "Share Types" (STYPE_SPECIAL for ADMIN$, IPC$ and C$), "WHERE Clause (WMI)"
(string literals in single or double quotes, `\\\\`, `\\'` and `\\"` escapes), and PowerShell's CimInstanceAdapter
(ciminstancetypeadapter.cs: a CimInstance's properties and PSComputerName). Rows marked "not modelled" are where the
test host answers with a NotImplemented error naming what it cannot evaluate, never with an empty result.
"""

from __future__ import annotations

import pytest

from winhost.powershell import HostServices, Runspace

from test_interpreter import plain, run

WIN_STAT_LOOKUP = ("Get-CimInstance -ClassName Win32_Share -Filter \"Path='$($path -replace \"(\\\\|')\", '\\$1')'\"")


def ok(script: str) -> list:
    rec, result = run(script)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


SHARE_CASES = [
    # The administrative shares (MS-SRVS 2.2.2.4; Win32_Share: Name, Path, Description; Caption is the same remark):
    # ADMIN$ is %SystemRoot%, C$ the root of drive C:, IPC$ no folder (an empty path).
    ("Get-CimInstance -ClassName Win32_Share | ForEach-Object { $_.Name + '|' + $_.Path + '|' + $_.Description }",
     ["ADMIN$|C:\\Windows|Remote Admin", "C$|C:\\|Default share", "IPC$||Remote IPC"]),
    ("@(Get-CimInstance Win32_Share).Count; Get-CimInstance Win32_Share | Select-Object -ExpandProperty Caption",
     [3, "Remote Admin", "Default share", "Remote IPC"]),
    # Type is a uint32: STYPE_SPECIAL | STYPE_DISKTREE ("Disk Drive Admin") or | STYPE_IPC ("IPC Admin").
    ("Get-CimInstance Win32_Share | ForEach-Object { $_.Type }", [2147483648, 2147483648, 2147483651]),
    ("(Get-CimInstance Win32_Share -Filter \"Name='C$'\").Type.GetType().FullName", ["System.UInt32"]),
    ("(Get-CimInstance Win32_Share | Where-Object { $_.Type -eq 2147483651 }).Name", ["IPC$"]),
    # Status OK; AccessMask always NULL (deprecated); unlimited users: AllowMaximum true, MaximumAllowed NULL; no
    # InstallDate; PSComputerName NULL for a local query (CimInstanceAdapter: the CIM session's computer name).
    ("$s = Get-CimInstance Win32_Share -Filter \"Name='ADMIN$'\"; $s.Status; $s.AllowMaximum; $null -eq $s.AccessMask; "
     "$null -eq $s.MaximumAllowed; $null -eq $s.InstallDate; $null -eq $s.PSComputerName", ["OK", True, True, True, True, True]),
    # A property the class does not have is $null, as for any object.
    ("$null -eq (Get-CimInstance Win32_Share -Filter \"Name='C$'\").FreeSpace", [True]),
    # A CimInstance is a Microsoft.Management.Infrastructure.CimInstance ([ciminstance]).
    ("$s = Get-CimInstance Win32_Share -Filter \"Name='C$'\"; $s -is [ciminstance]; "
     "$s -is [Microsoft.Management.Infrastructure.CimInstance]; $s.GetType().FullName",
     [True, True, "Microsoft.Management.Infrastructure.CimInstance"]),
    ("Get-CimInstance Win32_Share -Filter \"Name='C$'\" | Select-Object Name, Path | ForEach-Object { $_.Path }", ["C:\\"]),
]


@pytest.mark.parametrize("script,expected", SHARE_CASES, ids=[c[0][:70] for c in SHARE_CASES])
def test_win32_share(script, expected):
    assert ok(script) == expected


FILTER_CASES = [
    # -Filter is the WHERE clause: `property = 'literal'`, or "literal"; a backslash escapes \, ' and ".
    ("(Get-CimInstance Win32_Share -Filter \"Path='C:\\\\Windows'\").Name", ["ADMIN$"]),
    ("(Get-CimInstance Win32_Share -Filter \"Path='C:\\\\'\").Name", ["C$"]),
    ("(Get-CimInstance Win32_Share -Filter 'Path=\"C:\\\\Windows\"').Name", ["ADMIN$"]),
    ("(Get-CimInstance Win32_Share -Filter \" Path = '' \").Name", ["IPC$"]),
    ("(Get-CimInstance Win32_Share -Filter \"Name='ADMIN$'\").Path", ["C:\\Windows"]),
    # The class and namespace names are case-insensitive; -Namespace takes either separator.
    ("(Get-CimInstance -ClassName win32_share -Namespace ROOT\\cimv2 -Filter \"Name='C$'\").Path", ["C:\\"]),
    ("(Get-CimInstance Win32_Share -Namespace root/cimv2 -QueryDialect WQL -Filter \"Name='C$'\").Path", ["C:\\"]),
    # No instance matches: no output, no error.
    ("$s = Get-CimInstance Win32_Share -Filter \"Path='C:\\\\chain\\\\dir'\"; $null -eq $s; "
     "@(Get-CimInstance Win32_Share -Filter \"Path='C:\\\\chain\\\\dir'\").Count", [True, 0]),
    ("@(Get-CimInstance Win32_Share -Filter \"Name='it\\'s'\").Count", [0]),
    # win_stat's own lookup (win_stat.ps1, ansible.windows 3.3.0): backslashes and quotes of the path escaped.
    ("$path = 'C:\\Windows'; $share_info = " + WIN_STAT_LOOKUP + "; $share_info.Name", ["ADMIN$"]),
    ("$path = 'C:\\'; $share_info = " + WIN_STAT_LOOKUP + "; $share_info.Name", ["C$"]),
    ("$path = \"C:\\chain\\it's\"; $share_info = " + WIN_STAT_LOOKUP + "; $null -eq $share_info", [True]),
]


@pytest.mark.parametrize("script,expected", FILTER_CASES, ids=[c[0][:70] for c in FILTER_CASES])
def test_filter(script, expected):
    assert ok(script) == expected


NOT_MODELLED_CASES = [
    # (script, FQID, words the message must name)
    ("Get-CimInstance Win32_Process", "NotModelledOnTestHost,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand",
     "the class 'Win32_Process'"),
    ("Get-CimInstance Win32_Share -Namespace root/StandardCimv2", "NotModelledOnTestHost,", "the namespace 'root/StandardCimv2'"),
    ("Get-CimInstance -Query 'SELECT * FROM Win32_Share'", "NotModelledOnTestHost,", "-Query"),
    ("Get-CimInstance Win32_Share -ComputerName localhost", "NotModelledOnTestHost,", "-ComputerName"),
    ("Get-CimInstance Win32_Share -KeyOnly", "NotModelledOnTestHost,", "-KeyOnly"),
    # -Property is modelled (test_interpreter_facts.py), of the class's own properties.
    ("Get-CimInstance Win32_Share -Property Frob", "NotModelledOnTestHost,", "-Property 'Frob'"),
    ("Get-CimInstance Win32_Share -QueryDialect CQL", "NotModelledOnTestHost,", "-QueryDialect CQL"),
    ("Get-CimInstance", "NotModelledOnTestHost,", "without -ClassName"),
    ("Get-CimInstance Win32_Share -Filter \"Path='C:\\\\Windows' AND Name='ADMIN$'\"", "NotModelledOnTestHost,",
     "AND Name='ADMIN$'"),
    ("Get-CimInstance Win32_Share -Filter \"Type=0\"", "NotModelledOnTestHost,", "-Filter \"Type=0\""),
    ("Get-CimInstance Win32_Share -Filter \"Type='0'\"", "NotModelledOnTestHost,", "not a string property of Win32_Share"),
    ("Get-CimInstance Win32_Share -Filter \"Name LIKE 'C%'\"", "NotModelledOnTestHost,", "Name LIKE"),
    ("Get-CimInstance Win32_Share -Filter \"Nme='C$'\"", "NotModelledOnTestHost,", "'Nme'"),
    ("Get-CimInstance Win32_Share -Filter \"Path='C:\\x'\"", "NotModelledOnTestHost,", "the escape '\\x'"),
    # The CimInstance's own members beyond its properties, its text, a property set, and one sent to the client.
    ("(Get-CimInstance Win32_Share -Filter \"Name='C$'\").CimClass", "NotModelledByTestHost", "'CimClass'"),
    ("(Get-CimInstance Win32_Share -Filter \"Name='C$'\").CimInstanceProperties", "NotModelledByTestHost",
     "'CimInstanceProperties'"),
    ("\"$(Get-CimInstance Win32_Share -Filter \"Name='C$'\")\"", "NotModelledByTestHost", "CimInstance.ToString"),
    ("(Get-CimInstance Win32_Share -Filter \"Name='C$'\").Clone()", "NotModelledByTestHost", "'Clone'"),
    ("$s = Get-CimInstance Win32_Share -Filter \"Name='C$'\"; $s.Dispose(); $s.Name", "NotModelledByTestHost", "disposed"),
    ("$s = Get-CimInstance Win32_Share -Filter \"Name='C$'\"; $s.Path = 'C:\\x'", "NotModelledByTestHost", "'Path'"),
    ("Get-CimInstance Win32_Share", "NotModelledByTestHost", "sent to the client"),
]


@pytest.mark.parametrize("script,fqid,named", NOT_MODELLED_CASES, ids=[c[0][:70] for c in NOT_MODELLED_CASES])
def test_not_modelled(script, fqid, named):
    rec, result = run(script)
    assert result.state == "Failed", (result, plain(rec.output))
    record = result.error
    assert record.FullyQualifiedErrorId.startswith(fqid), record.FullyQualifiedErrorId
    assert named in str(record.Exception.Message), str(record.Exception.Message)
    assert record.CategoryInfo.Category.name == "NotImplemented"
    assert not rec.output


def test_the_shares_are_the_machines():
    # Get-CimInstance reads HostServices.shares (machine/shares.py): the machine's share table, not the engine's.
    host = HostServices()
    assert [s.name for s in host.shares] == ["ADMIN$", "C$", "IPC$"]
    rec, result = run("Get-CimInstance Win32_Share | ForEach-Object Name", Runspace(host=host))
    assert result.state == "Completed" and plain(rec.output) == ["ADMIN$", "C$", "IPC$"]


def test_a_trip_is_recorded_even_when_caught():
    # A not-modelled member the script catches still reaches the host's tripwire record (tripwire.py).
    host = HostServices()
    noted: list[str] = []
    host.note_unmodelled = noted.append
    rec, _result = run("try { (Get-CimInstance Win32_Share -Filter \"Name='C$'\").CimClass } catch { 'caught' }",
                       Runspace(host=host))
    assert plain(rec.output) == ["caught"]
    assert noted == ["The member 'CimClass' of [Microsoft.Management.Infrastructure.CimInstance]"]
