"""What ansible.windows' facts (setup.ps1) read on the test host, construct by construct (issue 10).

Each row is a script with what Windows PowerShell 5.1 gives on the test host's machine (tests/winhost/machine/system.py:
a Windows Server 2019 Datacenter VM on Hyper-V, two virtual processors, workgroup WORKGROUP, clock in UTC), with the
source of that answer on the row's group. Rows marked "trips" are where the test host does not model what Windows has:
the tripwire names it, never a silent $null.
"""

from __future__ import annotations

import pytest

from winhost.machine.wsman_settings import Listener
from winhost.powershell import HostServices, Runspace

from test_interpreter import plain, run


def ok(script: str) -> list:
    rec, result = run(script)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


def trips(script: str) -> str:
    """The script stops with the tripwire's error; its message (the name of the gap)."""
    rec, result = run(script)
    error = result.error if result.state == "Failed" else (rec.errors[0][0] if rec.errors else None)
    assert error is not None, (result, rec.output)
    text = str(error)
    assert "the test host does not model it" in text, text
    return text


CASES = [
    # [Environment]::OSVersion (.NET Framework 4.8, "Environment.OSVersion Property"): an OperatingSystem whose Version
    # has no update revision (10.0.17763.0 on Server 2019), Platform Win32NT; its text "Microsoft Windows NT <version>".
    ("$o = [Environment]::OSVersion; $o.GetType().FullName; $o.Version.ToString(); $o.Version.Major; "
     "$o.Platform.ToString(); \"$o\"; $o.ServicePack",
     ["System.OperatingSystem", "10.0.17763.0", 10, "Win32NT", "Microsoft Windows NT 10.0.17763.0", ""]),
    ("[Environment]::OSVersion.Version -lt [version]'10.0'", [False]),
    # HashSet<T>.UnionWith / ExceptWith ("HashSet<T> Class"): void, in place.
    ("$s = [System.Collections.Generic.HashSet[string]]@('a'); $s.UnionWith([System.Collections.Generic.List[string]]@('b', 'a')); "
     "$s.ExceptWith(@('a')); $s.Count; $s.Contains('b')", [1, True]),
    # A method a HashSet lacks is MethodNotFound on the set, not member enumeration over its items.
    ("$s = [System.Collections.Generic.HashSet[string]]@(); try { $s.Frob() } catch { $_.FullyQualifiedErrorId }",
     ["MethodNotFound"]),
    # Get-Date -UFormat in 5.1 (GetDateCommand.UFormatDateString): a leading '+' is dropped; %s is the seconds from
    # 1970-01-01 of the date's wall clock, a Double; %w (int)DayOfWeek; %W DayOfYear / 7; %Y %m %d as .NET formats.
    ("Get-Date -Date ([datetime]'2024-03-05 06:07:08') -UFormat '+%s|%w|%W|%Y-%m-%d|%j|%A'",
     ["1709618828|2|9|2024-03-05|65|Tuesday"]),
    ("Get-Date -Year 2024 -Month 3 -Day 5 -Hour 6 -Minute 7 -Second 8 -Millisecond 250 -UFormat '%s'", ["1709618828.25"]),
    # DateTime(y, m, d, h, mi, s, DateTimeKind) ("DateTime Constructors"); a Utc kind stays Utc.
    ("$e = New-Object -TypeName DateTime -ArgumentList @(1970, 1, 1, 0, 0, 0, [DateTimeKind]::Utc); $e.Kind; $e.Year; "
     "[DateTimeKind]::Local", ["Utc", 1970, "Local"]),
    # DateTime subtraction ignores Kind ("DateTime.Subtraction Operator"): New-TimeSpan of a Utc and a Local date.
    ("$e = New-Object DateTime -ArgumentList @(1970, 1, 1, 0, 0, 0, [DateTimeKind]::Utc); "
     "(New-TimeSpan -Start $e -End ([datetime]'1970-01-02')).TotalSeconds", [86400.0]),
    # Custom format "zzzz": a run of three or more z is the offset as hours and minutes ("Custom date and time format
    # strings", the "zzz" specifier); the machine's zone is UTC.
    ("([datetime]'2024-03-05 06:07:08').ToString('zzzz')", ["+00:00"]),
    # TimeZoneInfo.Local on a machine set to UTC: Id "UTC" ("Default Time Zones").
    ("$z = [System.TimeZoneInfo]::Local; $z.Id; $z.StandardName; $z.SupportsDaylightSavingTime",
     ["UTC", "Coordinated Universal Time", False]),
    # CultureInfo.InvariantCulture: Name "", English day names.
    ("$c = [System.Globalization.CultureInfo]::InvariantCulture; \"[$($c.Name)]\"; "
     "([datetime]'2024-03-05').ToString('dddd', $c)", ["[]", "Tuesday"]),
    # DateTime.FromFileTimeUtc: 100 ns since 1601-01-01 UTC.
    ("$d = [DateTime]::FromFileTimeUtc(132590646000000000); $d.ToString('yyyy-MM-ddTHH:mm:ssZ'); $d.Kind",
     ["2021-03-01T09:30:00Z", "Utc"]),
    # The session's identity ("WindowsIdentity.GetCurrent", "Well-known SIDs"): a local account, SID of the machine's
    # domain with RID 1000; an administrator; BUILTIN\Administrators is S-1-5-32-544.
    ("$i = [Security.Principal.WindowsIdentity]::GetCurrent(); $i.User.Value -match '^S-1-5-21-\\d+-\\d+-\\d+-1000$'; "
     "([Security.Principal.WindowsPrincipal]$i).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)",
     [True, True]),
    ("(New-Object System.Security.Principal.SecurityIdentifier -ArgumentList 'S-1-5-32-544').Translate("
     "[System.Security.Principal.NTAccount]).Value", ["BUILTIN\\Administrators"]),
    ("$s = New-Object System.Security.Principal.SecurityIdentifier -ArgumentList 'S-1-5-21-1-2-3-500'; "
     "$s.AccountDomainSid.Value", ["S-1-5-21-1-2-3"]),
    # System.DirectoryServices.AccountManagement, once loaded: the local Administrators' first member is the built-in
    # Administrator (RID 500), whose account domain SID is the machine's.
    ("Add-Type -AssemblyName System.DirectoryServices.AccountManagement; "
     "$c = New-Object System.DirectoryServices.AccountManagement.PrincipalContext -ArgumentList "
     "([System.DirectoryServices.AccountManagement.ContextType]::Machine); "
     "$g = (New-Object System.DirectoryServices.AccountManagement.PrincipalSearcher -ArgumentList "
     "(New-Object System.DirectoryServices.AccountManagement.GroupPrincipal -ArgumentList $c, 'BUILTIN\\Administrators')).FindOne(); "
     "$e = $g.Members.GetEnumerator(); $null = $e.MoveNext(); $e.Current.Sid.Value.EndsWith('-500'); "
     "$e.Current.Sid.AccountDomainSid.Value -eq ([Security.Principal.WindowsIdentity]::GetCurrent().User.AccountDomainSid.Value)",
     [True, True]),
    # IPGlobalProperties: the computer's DNS host name, no primary DNS suffix in a workgroup.
    ("$p = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties(); $p.HostName -eq $env:COMPUTERNAME; "
     "\"[$($p.DomainName)]\"", [True, "[]"]),
    # The Registry provider (about_Registry_Provider; Get-ItemProperty): values as their .NET types, a missing value a
    # non-terminating error "Property X does not exist at path Y.", a missing key $false for Test-Path.
    ("$p = Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' -Name InstallationType, InstallTime; "
     "$p.InstallationType; $p.InstallTime.GetType().FullName; $p.PSChildName", ["Server", "System.Int64", "CurrentVersion"]),
    ("Get-ItemProperty -LiteralPath 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters' -Name srvcomment "
     "-ErrorVariable e -ErrorAction SilentlyContinue; $e[0].Exception.Message; $e[0].FullyQualifiedErrorId",
     ["Property srvcomment does not exist at path HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters.",
      "System.Management.Automation.PSArgumentException,Microsoft.PowerShell.Commands.GetItemPropertyCommand"]),
    ("Test-Path -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending'",
     [False]),
    ("Get-ChildItem -LiteralPath 'HKLM:\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor' | ForEach-Object { $_.PSChildName + '=' + "
     "(Get-ItemProperty -LiteralPath $_.PSPath -Name VendorIdentifier).VendorIdentifier }", ["0=GenuineIntel", "1=GenuineIntel"]),
    # NetworkInterface ("NetworkInterface Class", "IPInterfaceProperties", "IPAddress"): the machine's Hyper-V adapter and
    # the loopback; an IPv6 address's AddressFamily is InterNetworkV6 (23); PhysicalAddress's text is 12 hex digits.
    ("$i = [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces(); $i.Count; "
     "$i[0].NetworkInterfaceType.ToString(); $i[1].NetworkInterfaceType -in @('Loopback', 'Tunnel'); "
     "$i[0].GetPhysicalAddress().ToString(); $i[0].Speed / 1000 / 1000",
     [2, "Ethernet", True, "00155D0A2B3C", 10000]),
    ("$p = ([System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces())[0].GetIPProperties(); "
     "$p.UnicastAddresses | Where-Object { $_.Address.AddressFamily -eq 2 } | ForEach-Object { \"$($_.Address)/$($_.PrefixLength)\" }; "
     "($p.UnicastAddresses | Where-Object { $_.Address.AddressFamily -eq 23 }).Address.AddressFamily.ToString(); "
     "$p.GatewayAddresses[0].Address.IPAddressToString; $p.GetIPv4Properties().Mtu; $p.GetIPv6Properties().Index",
     ["192.168.56.10/24", "InterNetworkV6", "192.168.56.1", 1500, 4]),
    # Get-CimInstance -Property: the properties asked for (and the key, Name); the others NULL.
    ("$o = Get-CimInstance -ClassName Win32_OperatingSystem -Property Caption; $o.Caption; $null -eq $o.OSArchitecture; "
     "$o.Name.Split('|')[0]", ["Microsoft Windows Server 2019 Datacenter", True, "Microsoft Windows Server 2019 Datacenter"]),
    ("(Get-CimInstance -ClassName Win32_ComputerSystem).Model; (Get-CimInstance Win32_OperatingSystem).OSArchitecture",
     ["Virtual Machine", "64-bit"]),
    # Set-Variable with -Name and -Value sets the variable even when it gets no input record (SetVariableCommand:
    # EndProcessing), as the second command of a pipeline does.
    ("Set-Variable -Name a -Value 1 | Set-Variable -Name b -Value 2; \"$a $b\"", ["1 2"]),
    # A .ps1 file given by its path runs as a script with the arguments given (about_Scripts; the local facts of
    # setup.ps1: `& $($factsFile.FullName)`); a path to no file is CommandNotFoundException.
    ("Set-Content -Path C:\\fact.ps1 -Value 'param($a) @{ a = $a; n = $args.Count }'; $o = & 'C:\\fact.ps1' 7 8; $o.a; $o.n; "
     "try { & 'C:\\missing.ps1' } catch { $_.FullyQualifiedErrorId }", [7, 1, "CommandNotFoundException"]),
    # [PowerShell].BeginInvoke / EndInvoke ("PowerShell.BeginInvoke"): the result completes; EndInvoke gives the output.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddCommand('Set-Variable').AddParameters(@{ Name = 'x'; Value = 3 }); "
     "$null = $ps.AddScript('$x * 2'); $r = $ps.BeginInvoke(); $r.AsyncWaitHandle.WaitOne(1000); $r.IsCompleted; "
     "$ps.EndInvoke($r)", [True, True, 6]),
    # A terminating error in it is EndInvoke's MethodInvocationException; the inner exception carries the record.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('throw \"boom\"'); $r = $ps.BeginInvoke(); "
     "try { $ps.EndInvoke($r) } catch { $_.Exception.Message; $_.Exception.InnerException.ErrorRecord.ToString() }",
     ['Exception calling "EndInvoke" with "1" argument(s): "boom"', "boom"]),
]


@pytest.mark.parametrize("script,expected", CASES, ids=[c[0][:70] for c in CASES])
def test_facts_constructs(script, expected):
    assert ok(script) == expected


# What is not modelled trips, naming it.
TRIP_CASES = [
    ("Get-Item -LiteralPath Cert:\\LocalMachine\\My\\ABCDEF", "Cert:\\LocalMachine\\My\\ABCDEF"),
    ("Get-ChildItem WSMan:\\localhost\\Client", "WSMan:\\localhost\\Client"),
    ("([System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces())[0].Id", "'Id'"),
    ("Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' -Name EditionID", "EditionID"),
    ("Test-Path -LiteralPath 'HKLM:\\SOFTWARE\\Contoso'", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso"),
    ("(Get-CimInstance Win32_OperatingSystem).LastBootUpTime", "LastBootUpTime"),
    ("[System.Globalization.CultureInfo]::CurrentCulture", "CurrentCulture"),
    ("(New-Object System.Security.Principal.SecurityIdentifier -ArgumentList 'S-1-5-21-9-9-9-1001').Translate("
     "[System.Security.Principal.NTAccount])", "S-1-5-21-9-9-9-1001"),
]


@pytest.mark.parametrize("script,name", TRIP_CASES, ids=[c[0][:70] for c in TRIP_CASES])
def test_facts_gaps_trip(script, name):
    assert name in trips(script)


def test_the_wsman_listener_container_shows_the_servers_listener():
    """WSMan:\\localhost\\Listener (about_WSMan_Provider): one container per listener, its Keys `Transport=..`,
    `Address=*`; its items Address, Transport, Port, ..., CertificateThumbprint. `X\\*` gives the matching items
    themselves; a provider's item piped to Get-ChildItem binds -LiteralPath by its PSPath."""
    host = HostServices()
    host.wsman_settings.listeners = [Listener("HTTPS", 5986, "ABCDEF")]
    rec, result = run("Get-ChildItem -Path WSMan:\\localhost\\Listener\\* | ForEach-Object { $_.Name; $_.Keys -join ',' }; "
                      "Get-ChildItem -Path WSMan:\\localhost\\Listener\\* | Where-Object { 'Transport=HTTPS' -in $_.Keys } | "
                      "Get-ChildItem | Where-Object Name -EQ 'CertificateThumbprint' | ForEach-Object Value; "
                      "(Get-ChildItem WSMan:\\localhost\\Listener\\Listener_1305953032 | Where-Object Name -EQ Port).Value",
                      Runspace(host=host))
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == ["Listener_1305953032", "Transport=HTTPS,Address=*", "ABCDEF", "5986"]
