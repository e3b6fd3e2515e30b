"""`[Security.Principal.WindowsIdentity]::GetCurrent()` as ansible-core 2.16 to 2.18's async_wrapper.ps1 (`.User`, the
named pipe's ACL) and exec_wrapper.ps1's Write-AnsibleLog (`.Name`) read it: the account the session logged on as
(learn.microsoft.com: WindowsIdentity.GetCurrent, Name, User; SecurityIdentifier.Value, ToString: the SDDL form;
Well-known SIDs / "Security identifiers": S-1-5-21-<domain or machine>-<RID>, local accounts from RID 1000). How the
test host makes the SID: clr/principal.py."""

from __future__ import annotations

import re

import pytest

from winhost.powershell import Command, HostServices, Runspace

from test_interpreter import Recorder, plain, run

IDENTITY = "$i = [Security.Principal.WindowsIdentity]::GetCurrent()\n"


def run_as(script: str, **account: str) -> list:
    rec = Recorder()
    result = Runspace(HostServices(**account)).invoke([Command(script, is_script=True)], writer=rec)
    assert result.state == "Completed", (result, rec.errors)
    return plain(rec.output)


def test_the_identity_is_the_account_the_session_runs_as() -> None:
    local = run_as(IDENTITY + "$i.Name; $i.User.Value; \"$($i.User)\"; $i.User.GetType().FullName; \"$i\"; "
                   "$i.IsAuthenticated; $i -is [System.Security.Principal.WindowsIdentity]",
                   computer_name="WIN-HOST1", user_name="ansible")
    assert local[0] == "WIN-HOST1\\ansible"
    # A local account: the machine's SID (machine/system.py) and RID 1000, the first account made after setup.
    assert re.fullmatch(r"S-1-5-21-\d+-\d+-\d+-1000", local[1]) and local[2] == local[1]
    assert local[3:] == ["System.Security.Principal.SecurityIdentifier", "System.Security.Principal.WindowsIdentity",
                         True, True]
    # A domain account: DOMAIN\user; its SID (the domain's) is not modelled.
    assert run_as(IDENTITY + "$i.Name", computer_name="WIN-HOST1", user_name="ansible", user_domain="CORP") == ["CORP\\ansible"]


@pytest.mark.parametrize("script,what", [
    (IDENTITY + "$i.Groups", "The member 'Groups' of [System.Security.Principal.WindowsIdentity]"),
    (IDENTITY + "$i.IsSystem", "The member 'IsSystem' of [System.Security.Principal.WindowsIdentity]"),
    (IDENTITY + "$i.User.GetBinaryForm($null, 0)", "The method 'GetBinaryForm' of [System.Security.Principal.SecurityIdentifier]"),
    ("[Security.Principal.WindowsIdentity]::GetCurrent($true)", "[System.Security.Principal.WindowsIdentity]::GetCurrent with arguments"),
    # What the async wrapper does with it next, a named pipe with an ACL, is modelled (test_interpreter_pipes.py); the
    # ACL's reading side is not.
    ("(New-Object -TypeName System.IO.Pipes.PipeSecurity).GetAccessRules($true, $false, "
     "[Security.Principal.SecurityIdentifier])", "The method 'GetAccessRules' of [System.IO.Pipes.PipeSecurity]"),
])
def test_what_is_not_modelled_trips(script: str, what: str) -> None:
    _rec, result = run(script)
    assert result.state == "Failed" and str(result.error.FullyQualifiedErrorId) == "NotModelledByTestHost"
    assert str(result.error.Exception.Message).startswith(what), result.error.Exception.Message
