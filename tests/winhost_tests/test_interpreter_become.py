"""What `become` (runas) needs of the test host: SecureString and credentials, and the C# that starts a process as another
account (ansible-core's Ansible.Become.cs, Ansible.AccessToken.cs and Ansible.Process.cs, read at test time).

Each row is a script with what Windows PowerShell 5.1 gives (Windows Server, the session's user an administrator over
WinRM). Sources: ConvertTo-SecureString's docs (learn.microsoft.com powershell/module/microsoft.powershell.security/
convertto-securestring, 5.1); SecureString, NetworkCredential (learn.microsoft.com dotnet/api/system.security.securestring,
system.net.networkcredential: Password gives the plain text of SecurePassword); PowerShell's PSCredential.cs
(GetNetworkCredential splits DOMAIN\\user); LogonUserW and System Error Codes (1326 ERROR_LOGON_FAILURE "The user name
or password is incorrect."); CreateProcessWithTokenW (the profile's environment when none is given); the C#'s own
messages (Ansible.AccessToken's Win32Exception: "<what> (<message>, Win32ErrorCode n - 0xNNNNNNNN)").
"""

from __future__ import annotations

import base64
import pathlib

import ansible
import pytest

from winhost.machine.accounts import User, UserDB
from winhost.powershell import HostServices, Runspace

from test_interpreter import plain, run

CSHARP = pathlib.Path(ansible.__file__).parent / "module_utils" / "csharp"
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"


def runspace(administrator: bool = True) -> Runspace:
    accounts = UserDB([User("user", "Passw0rd!"), User("become", "Bec0me!", administrator=False)])
    rs = Runspace(HostServices(computer_name="WIN-HOST", user_name="user", accounts=accounts,
                               administrator=administrator))
    fs = rs.host.filesystem
    fs.create_directory("C:\\ansible")
    for name in ("Ansible.AccessToken.cs", "Ansible.Become.cs", "Ansible.Process.cs"):
        fs.write_bytes(f"C:\\ansible\\{name}", (CSHARP / name).read_bytes())
    return rs


LOAD = "".join(f"Add-Type -TypeDefinition ([IO.File]::ReadAllText('C:\\ansible\\{name}'))\n"
               for name in ("Ansible.AccessToken.cs", "Ansible.Become.cs", "Ansible.Process.cs"))


def encoded(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()


def become(user: str, password: str, script: str, stdin: str = "$null") -> str:
    """become_wrapper.ps1's call: powershell.exe started as `user` with `script`, from C:\\Windows."""
    return (LOAD + f"$r = [Ansible.Become.BecomeUtil]::CreateProcessAsUser('{user}', {password}, 'WithProfile', "
            f"'Interactive', '{POWERSHELL}', 'powershell.exe -noni -nop -ex Bypass -e {encoded(script)}', "
            f"$env:SystemRoot, $null, {stdin})\n$r.StandardOut; $r.StandardError; $r.ExitCode\n")


def outcome(script: str, rs: Runspace | None = None) -> tuple[str, list, list]:
    rec, result = run(script, rs or runspace())
    errors = [(str(e[0]), e[1]) for e in rec.errors]
    if result.state != "Completed":
        errors.append((str(result.error.Exception.Message), str(result.error.FullyQualifiedErrorId)))
    return result.state, plain(rec.output), errors


def ok(script: str, rs: Runspace | None = None) -> list:
    state, output, errors = outcome(script, rs)
    assert (state, errors) == ("Completed", []), errors
    return output


SS = "$s = ConvertTo-SecureString -String 'Pa$$w0rd' -AsPlainText -Force\n"


@pytest.mark.parametrize("script,expected", [
    # A SecureString never shows its text: ToString() is the type name.
    (SS + "$s.GetType().FullName; \"$s\"; $s.ToString(); $s.Length", [
        "System.Security.SecureString", "System.Security.SecureString", "System.Security.SecureString", 8]),
    ("'abc' | ConvertTo-SecureString -AsPlainText -Force | ForEach-Object { $_.Length }", [3]),
    (SS + "$s -is [securestring]; $s -is [System.Security.SecureString]", [True, True]),
    ("$s = [System.Security.SecureString]::new(); $s.AppendChar('x'); $s.AppendChar('y'); $s.Length; "
     "$s.IsReadOnly(); $s.MakeReadOnly(); $s.IsReadOnly()", [2, False, True]),
    # NetworkCredential unprotects it: become_wrapper.ps1's `[NetworkCredential]::new("", $BecomePassword).Password`.
    ("using namespace System.Net\n" + SS + "[NetworkCredential]::new('', $s).Password", ["Pa$$w0rd"]),
    (SS + "$c = New-Object System.Net.NetworkCredential('u', $s, 'D'); $c.UserName; $c.Domain; $c.Password; "
     "$c.SecurePassword.GetType().FullName", ["u", "D", "Pa$$w0rd", "System.Security.SecureString"]),
    ("$c = [System.Net.NetworkCredential]::new('u', 'plain'); $c.Password; $c.SecurePassword.Length", ["plain", 5]),
    # PSCredential: GetNetworkCredential() splits DOMAIN\user at the backslash.
    (SS + "$p = New-Object PSCredential('CORP\\bob', $s); $p.UserName; $p.Password.GetType().Name; "
     "$n = $p.GetNetworkCredential(); $n.UserName; $n.Domain; $n.Password",
     ["CORP\\bob", "SecureString", "bob", "CORP", "Pa$$w0rd"]),
    (SS + "$n = [pscredential]::new('bob', $s).GetNetworkCredential(); $n.UserName; $n.Domain", ["bob", ""]),
    # [NullString]::Value: a null for a .NET string parameter (ToString() of it is null: empty text).
    ("[NullString]::Value.GetType().FullName; \"[$([NullString]::Value)]\"",
     ["System.Management.Automation.Language.NullString", "[]"]),
])
def test_secure_strings_and_credentials(script: str, expected: list) -> None:
    assert ok(script) == expected


def test_a_string_is_no_securestring() -> None:
    state, _output, errors = outcome("[securestring]$x = 'plain'")
    assert state == "Completed" and errors == [(
        'Cannot convert the "plain" value of type "System.String" to type "System.Security.SecureString".',
        "ConvertToFinalInvalidCastException")]


@pytest.mark.parametrize("script,what", [
    ("ConvertTo-SecureString -String 'x' -AsPlainText", "ConvertTo-SecureString -AsPlainText without -Force"),
    ("ConvertTo-SecureString -String '01000000d08c9ddf'", "ConvertTo-SecureString of an encrypted standard string"),
    (SS + "$s.InsertAt(0, 'x')", "The method 'InsertAt' of [System.Security.SecureString]"),
    # PSRP would send it encrypted with the session key, which the test host does not model.
    (SS + "$s", "Sending a System.Security.SecureString to the client"),
])
def test_what_is_not_modelled_trips(script: str, what: str) -> None:
    state, _output, errors = outcome(script)
    assert state == "Failed" or errors, errors
    message, fqid = errors[-1]
    assert fqid.split(",")[0] == "NotModelledByTestHost" and message.startswith(what), errors


WHO = "whoami; [Security.Principal.WindowsIdentity]::GetCurrent().Name; $env:USERNAME; [Console]::In.ReadToEnd()"


def test_the_process_runs_as_the_account_logged_on() -> None:
    out, err, code = ok(become("become", "'Bec0me!'", WHO, stdin="'from stdin'"))
    assert out == "win-host\\become\r\nWIN-HOST\\become\r\nbecome\r\nfrom stdin\r\n\r\n" and (err, code) == ("", 0)


def test_a_dot_prefix_and_the_computer_name_are_the_local_account() -> None:
    assert ok(become(".\\become", "'Bec0me!'", "whoami"))[0] == "win-host\\become\r\n"
    assert ok(become("WIN-HOST\\become", "'Bec0me!'", "whoami"))[0] == "win-host\\become\r\n"


def test_system_needs_no_password() -> None:
    out = ok(become("SYSTEM", "[NullString]::Value", WHO))[0]
    assert out == "nt authority\\system\r\nNT AUTHORITY\\SYSTEM\r\nWIN-HOST$\r\n\r\n"


def test_the_exit_code_comes_back() -> None:
    assert ok(become("become", "'Bec0me!'", "exit 3"))[2] == 3


@pytest.mark.parametrize("user,password", [("become", "'wrong'"), ("become", "''"), ("become", "$null")])
def test_a_wrong_password_fails_as_logonuser_does(user: str, password: str) -> None:
    # $null reaches the C# as "" (PowerShell's string conversion), a wrong password too: LogonUserW's 1326.
    state, _output, errors = outcome(become(user, password, "whoami"))
    assert state == "Completed" and errors == [(
        'Exception calling "CreateProcessAsUser" with "9" argument(s): "Failed to logon .\\become (The user name or '
        'password is incorrect, Win32ErrorCode 1326 - 0x0000052E)"', "Win32Exception")]


def test_an_unknown_account_cannot_be_translated() -> None:
    state, _output, errors = outcome(become("nobody", "'x'", "whoami"))
    assert state == "Completed" and errors == [(
        'Exception calling "CreateProcessAsUser" with "9" argument(s): "Some or all identity references could not be '
        'translated."', "IdentityNotMappedException")]


@pytest.mark.parametrize("script,what", [
    (become("become", "[NullString]::Value", "whoami"), "become as 'become' without a password"),
    (become("NT AUTHORITY\\LocalService", "[NullString]::Value", "whoami"), "become as the service account"),
    (become("CORP\\other", "'x'", "whoami"), "become as the domain account 'CORP\\other'"),
    (become("become", "'Bec0me!'", "whoami").replace("'Interactive'", "'Batch'"), "become with the logon type Batch"),
    (become("become", "'Bec0me!'", "whoami").replace("'WithProfile'", "'None'"), "become with the logon flags None"),
])
def test_what_become_does_not_model_trips(script: str, what: str) -> None:
    state, _output, errors = outcome(script)
    message, fqid = errors[-1]
    assert fqid == "NotModelledByTestHost" and what in message, (state, errors)


def test_become_from_a_session_that_is_not_an_administrator_trips() -> None:
    _state, _output, errors = outcome(become("become", "'Bec0me!'", "whoami"), runspace(administrator=False))
    assert errors[-1][1] == "NotModelledByTestHost" and "not an administrator" in errors[-1][0]


def test_the_csharp_types_of_2_16s_become_wrapper() -> None:
    assert ok(LOAD + "[Ansible.AccessToken.LogonType]::Interactive; [Ansible.Become.LogonFlags]::WithProfile; "
              "[int][Ansible.AccessToken.LogonType]::Batch") == ["Interactive", "WithProfile", 4]
