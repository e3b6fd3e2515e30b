"""`$Host`'s internals as ansible-core's psrp_put_file.ps1 (2.19 on, ansible.builtin.psrp's put_file) reads them by
reflection: InternalHost.ExternalHost -> ServerRemoteHost._transportManager -> BaseTransportManager.Fragmentor ->
Fragmentor.DeserializationContext -> DeserializationContext.MaximumAllowedMemory, set to $null (no quota). Sources:
PowerShell/PowerShell engine/hostifaces/InternalHost.cs, engine/remoting/server/ServerRemoteHost.cs (a protected
field), engine/remoting/common/BaseTransportManager.cs and fragmentor.cs, engine/serialization.cs (`int?
MaximumAllowedMemory`, internal); System.Type.GetProperty/GetField with BindingFlags NonPublic|Instance,
PropertyInfo.GetValue(obj, index[]) and SetValue(obj, value, index[]), FieldInfo.GetValue(obj) (.NET docs). What the
test host keeps and what trips: clr/remoting.py."""

from __future__ import annotations

import pytest

from test_interpreter import plain, run

from ansible.executor.powershell import module_manifest

FLAGS = "$f = [System.Reflection.BindingFlags]'NonPublic, Instance'\n"
CHAIN = (FLAGS + "$h = $Host.GetType().GetProperty('ExternalHost', $f).GetValue($Host, $null)\n"
         "$t = $h.GetType().GetField('_transportManager', $f).GetValue($h)\n"
         "$fr = $t.GetType().GetProperty('Fragmentor', $f).GetValue($t, $null)\n"
         "$d = $fr.GetType().GetProperty('DeserializationContext', $f).GetValue($fr, $null)\n"
         "$p = $d.GetType().GetProperty('MaximumAllowedMemory', $f)\n")

CASES = [
    # $Host is the engine's InternalHost, whatever host it wraps.
    ("$Host.GetType().FullName; \"$Host\"; $Host.Name",
     ["System.Management.Automation.Internal.Host.InternalHost"] * 2 + ["ServerRemoteHost"]),
    # Over WinRM the transport manager is a WSManPluginServerTransportManager (a BaseTransportManager).
    (CHAIN + "$h.GetType().FullName; $t.GetType().FullName; $fr.GetType().FullName; $d.GetType().FullName; $p.Name",
     ["System.Management.Automation.Remoting.ServerRemoteHost",
      "System.Management.Automation.Remoting.WSManPluginServerTransportManager",
      "System.Management.Automation.Remoting.Fragmentor",
      "System.Management.Automation.DeserializationContext", "MaximumAllowedMemory"]),
    # Set to $null (no quota), read back; set to a number, read back as an Int32.
    (CHAIN + "$p.SetValue($d, $null, $null); $null -eq $p.GetValue($d, $null)\n"
     "$p.SetValue($d, '1024', $null); $p.GetValue($d, $null); $p.GetValue($d, $null).GetType().Name", [True, 1024, "Int32"]),
    # The same object each time $Host is reflected on (the value stays).
    (CHAIN + "$p.SetValue($d, 5, $null)\n" + CHAIN + "$p.GetValue($d, $null)", [5]),
]


@pytest.mark.parametrize("script,expected", CASES, ids=[c[0][:60] for c in CASES])
def test_reflection_on_the_remote_host(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed", (result, rec.errors)
    assert plain(rec.output) == expected


def test_psrp_put_file_begin_block_lifts_the_quota_without_an_error() -> None:
    """The begin block of the installed ansible-core's psrp_put_file.ps1 (its functions and the reflection in its
    try/catch, without the file it opens): no error is swallowed by its catch, and the quota reads $null after it."""
    script = module_manifest._get_powershell_script("psrp_put_file.ps1").decode()  # pylint: disable=protected-access
    begin = script[script.index("begin {") + len("begin {"):script.index("\n}\nprocess {")]
    begin = begin.replace("$fd = [File]::Create($Path)", "").replace("$algo = [SHA1]::Create()", "")
    rec, result = run("using namespace System.Reflection\n" + begin + "\n$Error.Count\n"
                      "$null -eq ($Host | Get-Property ExternalHost | Get-Field _transportManager | Get-Property Fragmentor "
                      "| Get-Property DeserializationContext | Get-Property MaximumAllowedMemory)")
    assert result.state == "Completed", (result, rec.errors)
    assert plain(rec.output) == [0, True]


@pytest.mark.parametrize("script,what", [
    # Windows' quota before the script sets it is not modelled.
    (CHAIN + "$p.GetValue($d, $null)", "DeserializationContext.MaximumAllowedMemory before anything set it"),
    (FLAGS + "$Host.GetType().GetProperty('Runspace', $f)", "Reflection on [System.Management.Automation.Internal.Host.InternalHost]"),
    (FLAGS + "$Host.GetType().GetProperty('ExternalHost', [System.Reflection.BindingFlags]'Public, Instance')",
     "Reflection on [System.Management.Automation.Internal.Host.InternalHost]"),
    (CHAIN + "$h.Name", "The System.Management.Automation.Remoting.ServerRemoteHost member 'Name'"),
    (CHAIN + "$p.GetValue($Host, $null)", "System.Reflection.PropertyInfo.GetValue of 'MaximumAllowedMemory' on an object"),
])
def test_what_is_not_modelled_trips(script: str, what: str) -> None:
    _rec, result = run(script)
    assert result.state == "Failed" and str(result.error.FullyQualifiedErrorId) == "NotModelledByTestHost"
    assert str(result.error.Exception.Message).startswith(what), result.error.Exception.Message
