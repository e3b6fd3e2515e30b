"""What win_command and win_shell need of the test host: the Process C# stand-ins and the programs they start.

Each row is a script with what Windows PowerShell 5.1 (on Windows Server, the user an administrator over WinRM)
gives. Sources, cited per group: shell32's CommandLineToArgvW (learn.microsoft.com/windows/win32/api/shellapi/
nf-shellapi-commandlinetoargvw, Remarks) and "Parsing C++ command-line arguments" (learn.microsoft.com/cpp/cpp/
main-function-command-line-args, whose examples follow the same backslash rules); SearchPathW and CreateProcessW
(learn.microsoft.com/windows/win32/api/processenv/nf-processenv-searchpathw, .../processthreadsapi/
nf-processthreadsapi-createprocessw) with the C# of ansible-core's Ansible.Process.cs and ansible.windows' Process.cs
(read at test time) for the messages; about_PowerShell_exe (5.1) for powershell.exe's parameters; whoami's docs
(learn.microsoft.com/windows-server/administration/windows-commands/whoami); the .NET Framework docs (Path.HasExtension,
TimeSpan custom format strings, Guid.ToString, UTF8Encoding); types.ps1xml (System.Guid's Guid ScriptProperty);
about_Parameter_Sets; Get-Location and Get-Command's docs.
"""

from __future__ import annotations

import base64
import pathlib
import re

import ansible
import pytest

from winhost.powershell import Runspace

from test_interpreter import plain, run

PROCESS_CS = (pathlib.Path(ansible.__file__).parent / "module_utils" / "csharp" / "Ansible.Process.cs").read_text(
    encoding="utf-8")
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"


def windows_process_cs() -> str:
    """ansible.windows 3.3.0's Process.cs, from the collection ./scripts/test extracts at test time."""
    from e2e import e2e_support  # pylint: disable=import-outside-toplevel  # tests/ is on sys.path

    root = pathlib.Path(e2e_support.install_ansible_windows())
    return (root / "plugins" / "module_utils" / "Process.cs").read_text(encoding="utf-8")


def host_runspace() -> Runspace:
    rs = Runspace()
    fs = rs.host.filesystem
    fs.create_directory("C:\\ansible")
    fs.write_bytes("C:\\ansible\\Ansible.Process.cs", PROCESS_CS.encode("utf-8"))
    fs.write_bytes("C:\\ansible\\Process.cs", windows_process_cs().encode("utf-8"))
    fs.create_directory("C:\\work dir")
    fs.create_directory("C:\\tools")
    fs.write_bytes("C:\\tools\\tool.exe", b"")  # a program the test host does not model
    return rs


LOAD = ("Add-Type -TypeDefinition ([IO.File]::ReadAllText('C:\\ansible\\Ansible.Process.cs'))\n"
        "Add-Type -TypeDefinition ([IO.File]::ReadAllText('C:\\ansible\\Process.cs'))\n"
        "$PU = [Ansible.Process.ProcessUtil]\n"
        "$WU = [ansible_collections.ansible.windows.plugins.module_utils.Process.ProcessUtil]\n")


def encoded(script: str) -> str:
    """powershell.exe -EncodedCommand's value: the script as UTF-16LE, base64 (about_PowerShell_exe)."""
    return base64.b64encode(script.encode("utf-16-le")).decode()


def outcome(script: str) -> tuple[str, list, list]:
    rec, result = run(LOAD + script, host_runspace())
    errors = [(str(e[0]), e[1]) for e in rec.errors]
    if result.state != "Completed":
        errors.append((str(result.error.Exception.Message), str(result.error.FullyQualifiedErrorId)))
    return result.state, plain(rec.output), errors


def ok(script: str) -> list:
    state, output, errors = outcome(script)
    assert (state, errors) == ("Completed", []), errors
    return output


# CommandLineToArgvW: argv[0] (the program) ends at whitespace, or is what lies between a leading quotation mark and the
# next (no escapes); after it, whitespace outside quotation marks separates arguments, 2n backslashes + `"` give n
# backslashes and toggle quoting, 2n+1 backslashes + `"` give n backslashes and a literal `"`, other backslashes are
# literal. "" gives the running program's path (wsmprovhost.exe, which hosts a PSRP session, in System32).
ARGV_CASES = [
    ('"abc" d e', ["abc", "d", "e"]),
    ('p a\\\\b d"e f"g h', ["p", "a\\\\b", "de fg", "h"]),
    ('p a\\\\\\"b c d', ["p", 'a\\"b', "c", "d"]),
    ('p a\\\\\\\\"b c" d e', ["p", "a\\\\b c", "d", "e"]),
    ('"C:\\Program Files\\a.exe" -x "y z"', ["C:\\Program Files\\a.exe", "-x", "y z"]),
    ('C:\\a\\"b x', ['C:\\a\\"b', "x"]),  # argv[0]: no escapes, it ends at the whitespace
    ('p  \t two   spaces ', ["p", "two", "spaces"]),
    ('p ""', ["p", ""]),
    ("", ["C:\\Windows\\System32\\wsmprovhost.exe"]),
]


@pytest.mark.parametrize("line,expected", ARGV_CASES, ids=[c[0] or "<empty>" for c in ARGV_CASES])
def test_command_line_to_argv(line, expected):
    quoted = line.replace("'", "''")
    assert ok(f"$PU::ParseCommandLine('{quoted}') | ForEach-Object {{ $_ }}") == expected
    assert ok(f"@($WU::CommandLineToArgv('{quoted}')).Count") == [len(expected)]


def test_two_quotation_marks_inside_a_quoted_argument_are_not_modelled():
    # CommandLineToArgvW's documented rules do not say what `""` inside quotes gives (the CRT has its own rule).
    state, _output, errors = outcome("$PU::ParseCommandLine('p \"a\"\"b\"')")
    assert state == "Failed" and errors[-1][1] == "NotModelledOnTestHost", errors


LOCATION_AND_INPUT = encoded('(Get-Location).Path; $input | % { "<$_>" }')
FRESH_SESSION = encoded("$null -eq $x; Get-Content 'C:\\work dir\\f.txt'")
THROW = encoded('throw "down"')
GET_ITEM = encoded("Get-Item C:\\Windows")

PROCESS_CASES = [
    # SearchPathW (no path): the image's directory (System32) first; Get-ExecutablePath appends .exe itself.
    ("$PU::SearchPath('whoami.exe')", ["C:\\Windows\\System32\\whoami.exe"]),
    ("$PU::SearchPath('powershell.exe')", [POWERSHELL]),  # %PATH%: its v1.0 directory
    ("try { $PU::SearchPath('nothere.exe') } catch { $_.Exception.InnerException.GetType().FullName; "
     "$_.Exception.InnerException.Message }", ["System.IO.FileNotFoundException", "Could not find file 'nothere.exe'."]),
    # whoami with no argument: domain\user, lower case; a local account's domain is the computer name.
    ("$r = $PU::CreateProcess($null, 'whoami', $null, @{}, '', $null); $r.StandardOut; $r.StandardError; $r.ExitCode",
     ["win-fakehost\\vagrant\r\n", "", 0]),
    ("$r = $WU::CreateProcess('C:\\Windows\\System32\\whoami.exe', 'whoami.exe', $null, $null, $null, $null, $false); "
     "$r.StandardOut", ["win-fakehost\\vagrant\r\n"]),
    # CreateProcessW: without an application name the first token is searched for, with .exe appended.
    ("$PU::CreateProcess($null, '\"whoami\"', 'C:\\work dir', @{}, '', $null).ExitCode", [0]),
    # powershell.exe -EncodedCommand: a new process; exit N is its exit code; its output objects are lines.
    (f"$r = $PU::CreateProcess($null, 'powershell.exe -NoProfile -NonInteractive -EncodedCommand "
     f"{encoded('1 + 1; Write-Output two; exit 3')}', $null, @{{}}, '', $null); $r.StandardOut; $r.ExitCode",
     ["2\r\ntwo\r\n", 3]),
    # -Command: the rest of the arguments joined by spaces (about_PowerShell_exe); Write-Host's text reaches stdout.
    ("$PU::CreateProcess($null, 'powershell -Command Write-Host hi; Write-Output there', $null, @{}, '', $null)"
     ".StandardOut", ["hi\r\nthere\r\n"]),
    # Its location is the process's directory, its $input the lines of stdin (Ansible.Process appends a newline).
    (f"$PU::CreateProcess($null, 'powershell -EncodedCommand {LOCATION_AND_INPUT}', "
     "'C:\\work dir', @{}, \"a`nb\", $null).StandardOut", ["C:\\work dir\r\n<a>\r\n<b>\r\n"]),
    # The environment block replaces the environment (CreateEnvironmentPointer); an empty one inherits the caller's.
    (f"$PU::CreateProcess($null, 'powershell -EncodedCommand {encoded('$env:ONLY; $null -eq $env:Path')}', "
     "$null, @{ONLY = 'one'}, '', $null).StandardOut", ["one\r\nTrue\r\n"]),
    (f"[Environment]::SetEnvironmentVariable('INHERITED', 'yes'); $PU::CreateProcess($null, "
     f"'powershell -EncodedCommand {encoded('$env:INHERITED')}', $null, @{{}}, '', $null).StandardOut", ["yes\r\n"]),
    # A fresh session: what the caller defined is not there; the disk is the same.
    (f"$x = 'mine'; [IO.File]::WriteAllText('C:\\work dir\\f.txt', 'disk'); $PU::CreateProcess($null, "
     f"'powershell -EncodedCommand {FRESH_SESSION}', $null, @{{}}, '', "
     "$null).StandardOut", ["True\r\ndisk\r\n"]),
    # The process has a console (the Process utils allocate one), so setting its input encoding works (win_shell's prefix).
    (f"$PU::CreateProcess($null, 'powershell -EncodedCommand "
     f"{encoded('[Console]::InputEncoding = New-Object Text.UTF8Encoding $false; 5')}', $null, @{{}}, '', $null)"
     ".StandardOut", ["5\r\n"]),
    # Failures as the C# throws them (Win32Exception: "<what> (<FormatMessage text>, Win32ErrorCode <n>)").
    ("try { $PU::CreateProcess($null, 'nothere.exe', $null, @{}, '', $null) } catch { $_.Exception.Message }",
     ['Exception calling "CreateProcess" with "6" argument(s): "CreateProcessW() failed (The system cannot find the '
      'file specified, Win32ErrorCode 2)"']),
    ("try { $WU::CreateProcess($null, 'nothere.exe', $null, $null, $null, $null, $false) } catch { $_.Exception.Message }",
     ['Exception calling "CreateProcess" with "7" argument(s): "CreateProcessW() failed (The system cannot find the '
      'file specified, Win32ErrorCode 2 - 0x00000002)"']),
    # Win32Exception.NativeErrorCode (win_command reports it as rc, found through PSObject.Properties).
    ("try { $WU::CreateProcess($null, 'nothere.exe', $null, $null, $null, $null, $false) } catch { "
     "$e = $_.Exception.InnerException; $e.PSObject.Properties.Name -contains 'NativeErrorCode'; $e.NativeErrorCode }",
     [True, 2]),
    ("try { $PU::CreateProcess($null, 'whoami', 'C:\\no such dir', @{}, '', $null) } catch { $_.Exception.Message }",
     ['Exception calling "CreateProcess" with "6" argument(s): "CreateProcessW() failed (The directory name is '
      'invalid, Win32ErrorCode 267)"']),
]


@pytest.mark.parametrize("script,expected", PROCESS_CASES, ids=[c[0][:70] for c in PROCESS_CASES])
def test_process(script, expected):
    assert ok(script) == expected


# What the test host does not model fails loudly, naming it (never a silent success).
NOT_MODELLED_CASES = [
    ("$PU::CreateProcess($null, 'C:\\tools\\tool.exe', $null, @{}, '', $null)", "Running the application C:\\tools\\tool.exe"),
    ("$PU::CreateProcess($null, 'whoami /all', $null, @{}, '', $null)", "whoami.exe /all"),
    ("$PU::CreateProcess($null, 'powershell -File C:\\x.ps1', $null, @{}, '', $null)", "powershell.exe with the argument '-File'"),
    ("$PU::CreateProcess($null, 'powershell', $null, @{}, '', $null)", "powershell.exe without -Command"),
    (f"$PU::CreateProcess($null, 'powershell -EncodedCommand {encoded('Write-Error boom')}', $null, @{{}}, '', $null)",
     "powershell.exe writing an error record to its standard error ('boom')"),
    (f"$PU::CreateProcess($null, 'powershell -EncodedCommand {THROW}', $null, @{{}}, '', $null)",
     "powershell.exe writing a terminating error to its standard error ('down')"),
    (f"$PU::CreateProcess($null, 'powershell -EncodedCommand {GET_ITEM}', $null, @{{}}, '', $null)",
     "powershell.exe formatting a [System.IO.DirectoryInfo] for its console"),
]


@pytest.mark.parametrize("script,named", NOT_MODELLED_CASES, ids=[c[1][:60] for c in NOT_MODELLED_CASES])
def test_what_is_not_modelled_fails_naming_it(script, named):
    state, _output, errors = outcome(script)
    assert state == "Failed", errors
    message, fqid = errors[-1]
    assert named in message and fqid == "NotModelledByTestHost", errors


# What the modules' PowerShell around the C# uses.
SUPPORT_CASES = [
    # Get-Location: the current location as a PathInfo (a remote session starts in the user's Documents).
    ("(Get-Location).Path; [string](Get-Location -PSProvider FileSystem)",
     ["C:\\Users\\vagrant\\Documents", "C:\\Users\\vagrant\\Documents"]),
    # Get-Command -CommandType Application of a full path: that file (Resolve-ExecutablePath looks up what it resolved).
    (f"(Get-Command -Name '{POWERSHELL}' -CommandType Application).Path; "
     "@(Get-Command -Name C:\\Windows\\System32\\whoami -CommandType Application).Count; "
     "@(Get-Command -Name C:\\Windows\\nothere.exe -CommandType Application -ErrorAction SilentlyContinue).Count",
     [POWERSHELL, 1, 0]),
    # $PSCmdlet.GetUnresolvedProviderPathFromPSPath (PSCmdlet.SessionState.Path): the provider path, normalised, whether
    # or not it exists; a relative path is against the current location.
    ("function f { [CmdletBinding()] param() $PSCmdlet.GetUnresolvedProviderPathFromPSPath('C:\\a\\..\\b\\c.exe'); "
     "$PSCmdlet.GetUnresolvedProviderPathFromPSPath('x.exe') }; f", ["C:\\b\\c.exe", "C:\\Users\\vagrant\\Documents\\x.exe"]),
    # $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, [ref]provider, [ref]drive) (2.21's
    # Test-AnsiblePath): the provider and drive through the references; a drive the host lacks: DriveNotFoundException.
    ("$p = $d = $null; $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath('C:\\a\\..\\b', [ref]$p, "
     "[ref]$d); $p.Name; $d.Name\ntry { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath('Q:\\x', "
     "[ref]$p, [ref]$d) } catch [System.Management.Automation.DriveNotFoundException] { $_.Exception.Message }",
     ["C:\\b", "FileSystem", "C", "Cannot find drive. A drive with the name 'Q' does not exist."]),
    # Path.HasExtension: a '.' in the last segment with something after it.
    ("[IO.Path]::HasExtension('a.exe'); [IO.Path]::HasExtension('a'); [IO.Path]::HasExtension('a.'); "
     "[IO.Path]::HasExtension('C:\\x.y\\a')", [True, False, False, False]),
    # New-Object Text.UTF8Encoding $false: no BOM (GetPreamble is empty).
    ("(New-Object Text.UTF8Encoding $false).GetPreamble().Length; (New-Object Text.UTF8Encoding $true).GetPreamble().Length",
     [0, 3]),
    # TimeSpan custom formats: h is the hours component without padding, ffffff six fraction digits (truncated).
    ("(New-TimeSpan -Hours 1 -Minutes 2 -Seconds 3).ToString('h\\:mm\\:ss\\.ffffff'); "
     "(New-TimeSpan -Minutes 5).ToString('hh\\:mm'); (New-TimeSpan -Days 1 -Hours 2).ToString('c')",
     ["1:02:03.000000", "00:05", "1.02:00:00"]),
    ("try { (New-TimeSpan -Minutes 5).ToString('q') } catch { $_.Exception.InnerException.GetType().FullName }",
     ["System.FormatException"]),
    # [Guid]::NewGuid(): its Guid property (types.ps1xml) is its text; ToString('N') without hyphens.
    ("$g = [Guid]::NewGuid(); $g.Guid -match '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$'; $g.Guid -eq $g.ToString(); "
     "$g -is [guid]; ([guid]'0f8fad5b-d9cb-469f-a165-70867728950e').ToString('N')",
     [True, True, True, "0f8fad5bd9cb469fa16570867728950e"]),
    ("Join-Path -Path C:\\t -ChildPath ([Guid]::NewGuid().Guid) | ForEach-Object { $_.Length }", [41]),
    # about_Parameter_Sets: a parameter may be in several sets (one [Parameter()] each); the bound parameters pick the
    # set they share (Start-AnsibleWindowsProcess: -FilePath is in both, -CommandLine only in 'CommandLine').
    ("function f { [CmdletBinding(DefaultParameterSetName = 'A')] param(\n"
     "[Parameter(Mandatory = $true, ParameterSetName = 'A')] [Parameter(ParameterSetName = 'C')] $FilePath,\n"
     "[Parameter(ParameterSetName = 'A')] $ArgumentList, [Parameter(Mandatory = $true, ParameterSetName = 'C')] $CommandLine)\n"
     "$PSCmdlet.ParameterSetName }\nf -FilePath x -CommandLine y; f -CommandLine y; f -FilePath x; f -FilePath x -ArgumentList z",
     ["C", "C", "A", "A"]),
]


@pytest.mark.parametrize("script,expected", SUPPORT_CASES, ids=[c[0][:70] for c in SUPPORT_CASES])
def test_support(script, expected):
    assert ok(script) == expected


def test_parameters_of_two_sets_that_share_none_are_ambiguous():
    # about_Parameter_Sets: parameters of different sets together: "Parameter set cannot be resolved ...".
    state, _output, errors = outcome(
        "function f { [CmdletBinding()] param([Parameter(ParameterSetName = 'A')] $a, "
        "[Parameter(ParameterSetName = 'B')] $b) $PSCmdlet.ParameterSetName }\nf -a 1 -b 2")
    assert state == "Completed" and errors == [
        ("Parameter set cannot be resolved using the specified named parameters.", "AmbiguousParameterSet")], errors
    assert re.match(r"^\w", PROCESS_CS)  # the source was read from the installed ansible-core
