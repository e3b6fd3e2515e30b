"""Services on the test host, and the language constructs win_service needs (issue 10: the module chain).

Each row is a script with what Windows PowerShell 5.1 gives on the test host's machine (tests/winhost/machine/scm.py:
RpcSs, Spooler, WinRM running with an automatic start, W32Time stopped with a manual start), from the documentation
cited on the row's group: learn.microsoft.com "Get-Service", "Start-Service", "Stop-Service" (5.1), "ServiceController
Class", "ServiceControllerStatus Enum", "ServiceStartMode Enum", PowerShell's ServiceResources strings (messages and
error ids), "SecurityIdentifier Class", "NTAccount Class", "Well-known SIDs", "UInt32 Struct", about_Hash_Tables,
about_Variables ("Types of variables": a cast on the left of `=` constrains the variable), about_Enum (bitwise
operators on a [Flags] enum give the enum). Rows marked "not modelled" are NotImplemented errors naming what the test
host does not model, never a silent success.
"""

from __future__ import annotations

import os

import pytest

from winhost.powershell import Runspace
from winhost.powershell.standins import compile_csharp

from test_interpreter import plain, run

SCMANAGER_CS = os.path.join(os.path.dirname(__file__), '..', '..', '.build', 'ansible_collections', 'ansible', 'windows',
                            'plugins', 'module_utils', 'SCManager.cs')


def ok(script: str, rs: Runspace | None = None) -> list:
    rec, result = run(script, rs)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


def failing(script: str, rs: Runspace | None = None) -> tuple[list, list, str | None]:
    rec, result = run(script, rs)
    return plain(rec.output), [(e[0], e[1]) for e in rec.errors], None if result.error is None else str(result.error)


GET_SERVICE = [
    # Every service, sorted by name (drivers are not listed); a ServiceController's Name is its ServiceName.
    ("Get-Service | ForEach-Object { $_.Name + '|' + $_.Status + '|' + $_.StartType }",
     ["RpcSs|Running|Automatic", "Spooler|Running|Automatic", "W32Time|Stopped|Manual", "WinRM|Running|Automatic"]),
    ("$s = Get-Service -Name winrm; $s.ServiceName; $s.DisplayName; $s.Status -eq 'Running'; $s.MachineName",
     ["WinRM", "Windows Remote Management (WS-Management)", True, "."]),
    ("(Get-Service WinRM).GetType().FullName; (Get-Service WinRM).Status.GetType().FullName; "
     "[int](Get-Service W32Time).Status",
     ["System.ServiceProcess.ServiceController", "System.ServiceProcess.ServiceControllerStatus", 1]),
    ("(Get-Service Spooler).CanStop; (Get-Service RpcSs).CanStop; (Get-Service W32Time).CanStop", [True, False, False]),
    ("(Get-Service -DisplayName 'Print Spooler').Name; @(Get-Service W*).Count", ["Spooler", 2]),
    ("(Get-Service RpcSs).DependentServices | ForEach-Object Name", ["Spooler", "WinRM"]),
    # A wildcard matching nothing gives nothing, without an error.
    ("@(Get-Service nomatch*).Count", [0]),
]


@pytest.mark.parametrize("script,expected", GET_SERVICE, ids=[c[0][:70] for c in GET_SERVICE])
def test_get_service(script, expected):
    assert ok(script) == expected


def test_a_missing_service_is_a_non_terminating_error():
    out, errors, _error = failing("Get-Service -Name nope; 'after'; Get-Service -Name nope -ErrorAction SilentlyContinue; 'quiet'")
    assert out == ["after", "quiet"]
    assert errors == [("Cannot find any service with service name 'nope'.",
                       "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand")]


def test_start_and_stop_change_the_machine_for_every_session():
    first, second = Runspace(), None
    assert ok("Get-Service W32Time | Start-Service; (Get-Service W32Time).Status.ToString()", first) == ["Running"]
    # The database is the machine's: another runspace on the same host services sees the change.
    second = Runspace(host=first.host)
    assert ok("(Get-Service W32Time).Status.ToString()", second) == ["Running"]
    assert ok("Stop-Service -Name W32Time -PassThru | ForEach-Object { $_.Status.ToString() }", second) == ["Stopped"]
    # A ServiceController keeps the status it read until Refresh() (ServiceController.Status is cached).
    assert ok("$s = Get-Service Spooler; Stop-Service Spooler; $s.Status.ToString(); $s.Refresh(); $s.Status.ToString()",
              first) == ["Running", "Stopped"]


def test_whatif_changes_nothing():
    rs = Runspace()
    assert ok("Start-Service W32Time -WhatIf; (Get-Service W32Time).Status.ToString()", rs) == ["Stopped"]


STOP_ERRORS = [
    # ServiceResources: ServiceHasDependentServices, CouldNotStopService (a service accepting no stop control).
    ("Stop-Service RpcSs", "Cannot stop service 'Remote Procedure Call (RPC) (RpcSs)' because it has dependent services. "
     "It can only be stopped if the Force flag is set.",
     "ServiceHasDependentServices,Microsoft.PowerShell.Commands.StopServiceCommand"),
]


@pytest.mark.parametrize("script,message,fqid", STOP_ERRORS, ids=[c[0] for c in STOP_ERRORS])
def test_stop_service_errors(script, message, fqid):
    out, errors, _error = failing(script + "; 'after'")
    assert out == ["after"] and errors == [(message, fqid)]


NOT_MODELLED = [
    ("Stop-Service WinRM", "stopping WinRM"),
    ("New-Service -Name x -BinaryPathName C:\\x.exe", "New-Service (creating a service)"),
    ("Set-Service -Name Spooler -StartupType Manual", "Set-Service"),
    ("Get-Service -ComputerName other", "Get-Service -ComputerName"),
    ("(Get-Service Spooler).Stop()", "ServiceController.Stop"),
    ("(New-Object System.Security.Principal.NTAccount 'CORP\\someone').Translate([System.Security.Principal.SecurityIdentifier])",
     "Translating the account name 'CORP\\someone'"),
]


@pytest.mark.parametrize("script,named", NOT_MODELLED, ids=[c[0][:60] for c in NOT_MODELLED])
def test_not_modelled_fails_naming_it(script, named):
    _out, errors, error = failing(script)
    text = (error or "") + " ".join(e[0] for e in errors)
    assert "does not model" in text and named in text, (error, errors)


PRINCIPAL = [
    # SecurityIdentifier(string) takes SDDL SID strings only: anything else is ArgumentException (which a typed
    # catch of the inner exception catches, as win_service's ConvertTo-SecurityIdentifier relies on).
    ("try { New-Object System.Security.Principal.SecurityIdentifier 'NT AUTHORITY\\NetworkService' } "
     "catch [ArgumentException] { $_.Exception.GetType().FullName }", ["System.ArgumentException"]),
    # Well-known SIDs: S-1-5-18 SYSTEM, S-1-5-19 LOCAL SERVICE, S-1-5-20 NETWORK SERVICE.
    ("([System.Security.Principal.SecurityIdentifier]'S-1-5-18').Translate([System.Security.Principal.NTAccount]).Value",
     ["NT AUTHORITY\\SYSTEM"]),
    ("(New-Object System.Security.Principal.NTAccount 'NT AUTHORITY', 'NetworkService').Translate("
     "[System.Security.Principal.SecurityIdentifier]).Value", ["S-1-5-20"]),
    ("$a = (New-Object System.Security.Principal.NTAccount 'NT AUTHORITY\\LocalService').Translate("
     "[System.Security.Principal.SecurityIdentifier]); $a.Equals([System.Security.Principal.SecurityIdentifier]'S-1-5-19'); "
     "$a.Equals([System.Security.Principal.SecurityIdentifier]'S-1-5-18')", [True, False]),
]


@pytest.mark.parametrize("script,expected", PRINCIPAL, ids=[c[0][:70] for c in PRINCIPAL])
def test_principal(script, expected):
    assert ok(script) == expected


LANGUAGE = [
    # [uint32] (UInt32 Struct): a cast in range, out of range an error, an enum its number.
    ("[uint32]'42'; ([uint32]5).GetType().FullName; [uint32]::MaxValue", [42, "System.UInt32", 4294967295]),
    ("try { [uint32]-1 } catch { $_.Exception.Message }",
     ['Cannot convert value "-1" to type "System.UInt32". Error: "Value was either too large or too small for a UInt32."']),
    ("[uint32][System.ServiceProcess.ServiceType]::InteractiveProcess", [256]),
    # Bitwise operators on an enum on the left give that enum (about_Enum; [Flags] names joined by ', ').
    ("$t = [System.ServiceProcess.ServiceType]::Win32OwnProcess; $r = $t -bor 'InteractiveProcess'; $r.ToString(); "
     "$r.GetType().FullName", ["Win32OwnProcess, InteractiveProcess", "System.ServiceProcess.ServiceType"]),
    # A hashtable's value is a statement: `if`, `switch` (about_Hash_Tables; the grammar's hash-entry).
    ("$x = 1; $h = @{ a = if ($x) { 'yes' } else { 'no' }; b = switch ('r') { r { 'R' } } }; $h.a; $h.b", ["yes", "R"]),
    # A cast on the left of `=` constrains the variable: later assignments convert (about_Variables).
    ("[int]$i = 1; $i = '5'; $i.GetType().Name", ["Int32"]),
    ("[System.ServiceProcess.ServiceType]$e = 16; $e = 32; $e.ToString()", ["Win32ShareProcess"]),
    # A typed parameter too; a child scope's assignment makes a new, unconstrained variable.
    ("function f { param([string]$s) $s = 5; $s.GetType().Name; & { $s = 6; $s.GetType().Name } }; f 'a'",
     ["String", "Int32"]),
    # $null converted to an array type or a class stays $null (LanguagePrimitives: null to a reference type).
    ("$null -eq [string[]]$null; $null -eq [int[]]$null; [string[]]$a = $null; $null -eq $a", [True, True, True]),
    ("function g { param([System.ServiceProcess.ServiceController]$S) $null -eq $S }; g -S $null", [True]),
]


@pytest.mark.parametrize("script,expected", LANGUAGE, ids=[c[0][:70] for c in LANGUAGE])
def test_language(script, expected):
    assert ok(script) == expected


def _scmanager(script: str) -> str:
    """The script after the real SCManager.cs (ansible.windows 3.3.0, extracted by scripts/test) is compiled, its
    //TypeAccelerator names added as AddType.psm1 adds them."""
    with open(SCMANAGER_CS, encoding='utf-8') as handle:
        compile_csharp([handle.read()])
    ns = 'ansible_collections.ansible.windows.plugins.module_utils.SCManager'
    names = ("Service", "ServiceStatus", "ServiceStartType", "ServiceRights", "ControlsAccepted")
    accel = ("$ta = [PSObject].Assembly.GetType('System.Management.Automation.TypeAccelerators'); "
             + "; ".join(f"$ta::Add('Ansible.Windows.SCManager.{n}', [{ns}.{n}])" for n in names) + "; ")
    return accel + script


SCMANAGER = [
    # New-Object Service(name, rights): the configuration and status of QueryServiceConfig/QueryServiceStatusEx.
    ("$s = New-Object Ansible.Windows.SCManager.Service -ArgumentList 'WinRM', "
     "([Ansible.Windows.SCManager.ServiceRights]'QueryConfig, QueryStatus'); $s.ServiceName; $s.State.ToString(); "
     "$s.StartType.ToString(); $s.Account.Value; $s.DisplayName; @($s.DependentOn) -join ','; $s.ServiceType.ToString()",
     ["WinRM", "Running", "AutoStart", "NT AUTHORITY\\NetworkService", "Windows Remote Management (WS-Management)",
      "RPCSS,HTTP", "Win32ShareProcess"]),
    # LocalSystem is reported as SYSTEM's translated name (SCManager.cs Account).
    ("(New-Object Ansible.Windows.SCManager.Service 'Spooler').Account.Value", ["NT AUTHORITY\\SYSTEM"]),
    ("$s = New-Object Ansible.Windows.SCManager.Service 'RpcSs'; @($s.DependedBy) -join ','; "
     "$s.ControlsAccepted.HasFlag([Ansible.Windows.SCManager.ControlsAccepted]::Stop)", ["Spooler,WinRM", False]),
    # The status is a snapshot until Refresh() (the C# caches _statusProcess).
    ("$s = New-Object Ansible.Windows.SCManager.Service 'W32Time'; Start-Service W32Time; $s.State.ToString(); "
     "$s.Refresh(); $s.State.ToString()", ["Stopped", "Running"]),
]


@pytest.mark.parametrize("script,expected", SCMANAGER, ids=[c[0][:70] for c in SCMANAGER])
def test_scmanager_standin(script, expected):
    assert ok(_scmanager(script)) == expected


def test_scmanager_missing_service_and_changes_fail():
    _out, errors, error = failing(_scmanager("New-Object Ansible.Windows.SCManager.Service 'nope'"))
    text = (error or "") + " ".join(e[0] for e in errors)
    assert "Failed to open service 'nope'" in text and "1060" in text, (error, errors)
    _out, errors, error = failing(_scmanager("$s = New-Object Ansible.Windows.SCManager.Service 'Spooler'; "
                                             "$s.Description = 'x'"))
    assert "does not model setting [Ansible.Windows.SCManager.Service].Description" in (error or "") + str(errors)
