"""Instance members of the test host's .NET objects as declared per class (typeregistry.net_property / net_method /
net_not_modelled, dispatched by dotnet.NetObject): what a script sees of them, as Windows PowerShell 5.1 shows it.

- Member names are case-insensitive, and an alias property reads the same value (about_Properties; types.ps1xml's
  AliasProperty: ServiceController's Name is an alias of ServiceName, RequiredServices of ServicesDependedOn).
- A method called with an argument count none of its overloads takes is a MethodException "Cannot find an overload
  for "<name>" and the argument count: "<n>"." (FQID MethodCountCouldNotFindBest: PowerShell's
  ExtendedTypeSystem.MethodArgumentCountException, Adapter.FindBestMethod); a method the type does not have is
  MethodNotFound ("Method invocation failed because [T] does not contain a method named 'x'.").
- A member the .NET type has that the test host does not model trips the tripwire (tripwire.py), naming it.
"""

from __future__ import annotations

import pytest

from test_interpreter import plain, run

NOT_MODELLED = " exists in Windows PowerShell 5.1 but the test host does not model it (its tripwire knob is on)."

SVC = "$s = Get-Service WinRM; "
NIC = "$n = [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces()[0]; "

READS = [
    (SVC + "$s.NAME; $s.servicename; $s.ServiceName -eq $s.Name", ["WinRM", "WinRM", True]),
    ("$s = Get-Service RpcSs; $s.dependentservices.Name", ["Spooler", "WinRM"]),
    (SVC + "$s.Refresh(); $s.Status.ToString()", ["Running"]),
    (NIC + "$n.getipproperties().GetIPv4Properties().Index -gt 0", [True]),
    # Overloads by argument count: Encoding.GetString(byte[]) and GetString(byte[], index, count).
    ("$e = [System.Text.Encoding]::UTF8; $e.GetString([byte[]](104, 105, 33)); $e.GetString([byte[]](104, 105, 33), 0, 2)",
     ["hi!", "hi"]),
    # A setter ([ref].Value), and members a class inherits (FileInfo's Exists and FullName are FileSystemInfo's).
    ("$r = [ref]1; $r.value = 5; $r.Value", [5]),
    ("$f = New-Object System.IO.FileInfo 'C:\\nothere.txt'; $f.Exists; $f.FullName; $f.DirectoryName",
     [False, "C:\\nothere.txt", "C:\\"]),
]


@pytest.mark.parametrize("script,expected", READS, ids=[c[0][-60:] for c in READS])
def test_declared_members_read(script, expected):
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


OVERLOADS = [
    (SVC + "$s.Refresh(1)", 'Cannot find an overload for "Refresh" and the argument count: "1".',
     "MethodCountCouldNotFindBest"),
    (NIC + "$n.GetIPProperties($true, 2)", 'Cannot find an overload for "GetIPProperties" and the argument count: "2".',
     "MethodCountCouldNotFindBest"),
    ("[System.Text.Encoding]::UTF8.GetString([byte[]](104, 105), 0)",
     'Cannot find an overload for "GetString" and the argument count: "2".', "MethodCountCouldNotFindBest"),
    (SVC + "$s.NoSuchMethod()",
     "Method invocation failed because [System.ServiceProcess.ServiceController] does not contain a method named "
     "'NoSuchMethod'.", "MethodNotFound"),
]


@pytest.mark.parametrize("script,message,fqid", OVERLOADS, ids=[c[0][-40:] for c in OVERLOADS])
def test_argument_count_and_missing_methods(script, message, fqid):
    rec, _result = run(script + "; 'after'")
    assert plain(rec.output) == ["after"]
    assert [(str(e[0]), e[1]) for e in rec.errors] == [(message, fqid)]


TRIPS = [
    (NIC + "$n.Id", "The member 'Id' of [System.Net.NetworkInformation.SystemNetworkInterface]"),
    (NIC + "$n.GetIPv4Statistics()", "The method 'GetIPv4Statistics' of [System.Net.NetworkInformation.SystemNetworkInterface]"),
    ("[System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties().NodeType",
     "The member 'NodeType' of [System.Net.NetworkInformation.IPGlobalProperties]"),
    # An engine object declares all the host models of it: any other member is not modelled (clr/engine.py).
    ("$ExecutionContext.Host", "The $ExecutionContext member 'Host'"),
    ("$ExecutionContext.SessionState.Path.GetResolvedPSPathFromPSPath('C:\\')",
     "The $ExecutionContext.SessionState.Path method 'GetResolvedPSPathFromPSPath'"),
]


@pytest.mark.parametrize("script,what", TRIPS, ids=[c[1] for c in TRIPS])
def test_not_modelled_members_trip(script, what):
    rec, result = run(script)
    assert result.state == "Failed" and rec.output == [], result
    assert str(result.error) == what + NOT_MODELLED
    assert result.error.FullyQualifiedErrorId == "NotModelledByTestHost"
