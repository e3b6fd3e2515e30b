"""The providers behind the item and content cmdlets and the variable syntax (powershell/providers/).

Each row is a script with what Windows PowerShell 5.1 gives, and its source:
- about_Providers, about_Environment_Provider, about_Function_Provider, about_Alias_Provider,
  about_Variable_Provider: the drives, their items (DictionaryEntry, FunctionInfo, AliasInfo, PSVariable) and
  provider-qualified paths (`Microsoft.PowerShell.Core\\Environment::PATH`).
- The variable syntax over a provider (about_Variables, "Variables and providers"; SessionStateVariableAPIs.cs
  GetVariableValueFromProvider): `${drive:path}` is the provider's content reader read to the end (nothing ->
  $null, one object -> itself, more -> the list); no such drive or item -> $null; a provider without
  IContentCmdletProvider -> ProviderInvocationException ProviderCannotBeUsedAsVariable. The content of a function
  is its ScriptBlock (FunctionProvider.GetValueOfItem), of an alias its Definition (AliasProvider), of a variable
  its value (VariableProvider), of an environment variable its string (EnvironmentProvider), of a file its lines
  (FileSystemContentReaderWriter).
- What a provider does not implement is CmdletProvider's PSNotSupportedException, written by the cmdlet for
  that path (Navigation.cs / ContentCommandBase.cs: catch PSNotSupportedException -> WriteError): "Provider
  operation stopped because the provider does not support this operation." (SessionStateStrings
  CmdletProvider_NotSupported; FileSystemProvider has no SetItem), and "Cannot use interface. The
  IContentCmdletProvider interface is not implemented by this provider." (IContentCmdletProvider_NotSupported;
  WSManConfigProvider has no content). DriveNotFound / ProviderNotFound are written per path the same way;
  Test-Path answers $false for them (TestPathCommand.ProcessRecord).
"""

from __future__ import annotations

import pytest

from test_interpreter import plain, run

SCRIPT_BLOCK = "System.Management.Automation.ScriptBlock"

CASES = [
    # ${function:f} is the function's ScriptBlock (it read as System.Object before the providers)
    ("function f { 'x' }; ${function:f}.GetType().FullName", [SCRIPT_BLOCK]),
    ("function f { 'x' }; $function:f -is [scriptblock]", [True]),
    ("function f { param($a) \"a=$a\" }; & ${function:f} 1", ["a=1"]),
    ("${function:g} = { 'g' }; (& ${function:g}), ${function:g}.GetType().FullName", ["g", SCRIPT_BLOCK]),
    ("$null -eq ${function:no-such-function}", [True]),
    # the other session-state drives through the variable syntax
    ("$env:PROV_A = 'pa'; ${env:PROV_A}; ${env:prov_a}", ["pa", "pa"]),
    ("$null -eq ${env:PROV_NOPE}", [True]),
    ("${alias:gci}; $alias:ls", ["Get-ChildItem", "Get-ChildItem"]),
    ("$null -eq ${alias:no-such-alias}", [True]),
    ("$v = 5; ${variable:v}; $variable:v", [5, 5]),
    # the reader's list: one element is itself, several are the list, none is $null
    ("$a = @(7); ${variable:a}.GetType().FullName", ["System.Int32"]),
    ("$a = 1, 2, 3; ${variable:a}.Count", [3]),
    ("$a = @(); $null -eq ${variable:a}", [True]),
    # a file's content: its lines, as Get-Content reads them
    ("Set-Content C:\\prov.txt 'one'; ${C:\\prov.txt}", ["one"]),
    ("Set-Content C:\\prov.txt 'one', 'two'; ${c:\\prov.txt}.Count; ${C:\\prov.txt}[1]", [2, "two"]),
    ("$null -eq ${C:\\no-such-file.txt}", [True]),
    # no such drive: $null, as an unset variable (GetVariableValueFromProvider breaks on DriveNotFoundException)
    ("$null -eq ${q:\\x}", [True]),
    # Get-Content over the session-state providers' content readers
    ("$env:PROV_B = 'pb'; Get-Content Env:PROV_B", ["pb"]),
    ("Get-Content Alias:gci", ["Get-ChildItem"]),
    ("$v = 'vee'; Get-Content Variable:v", ["vee"]),
    ("$a = 1, 2; Get-Content Variable:a", [1, 2]),
    ("function f { 'x' }; (Get-Content Function:f).GetType().FullName", [SCRIPT_BLOCK]),
    # Get-Item / Get-ChildItem on the drives, with the notes CmdletProvider.WrapOutputInPSObject adds
    ("(Get-Item Alias:gci).Definition; (Get-Item Alias:gci).Name", ["Get-ChildItem", "gci"]),
    ("(Get-ChildItem Alias:gc*).Name", ["gc", "gci", "gcm"]),
    ("$env:PROV_C = 'pc'; $i = Get-Item Env:PROV_C; $i.Value; $i.PSPath; $i.PSProvider; $i.PSDrive; $i.PSIsContainer",
     ["pc", "Microsoft.PowerShell.Core\\Environment::PROV_C", "Microsoft.PowerShell.Core\\Environment", "Env", False]),
    ("$pv = 1; (Get-Item Variable:pv).PSPath", ["Microsoft.PowerShell.Core\\Variable::pv"]),
    ("function prov-f { 1 }; $i = Get-Item Function:prov-f; $i.Name; $i.ScriptBlock -is [scriptblock]; $i.PSPath",
     ["prov-f", True, "Microsoft.PowerShell.Core\\Function::prov-f"]),
    ("$env:PROV_D1 = 1; $env:PROV_D2 = 2; (Get-Item Env:PROV_D*).Name", ["PROV_D1", "PROV_D2"]),
    # provider-qualified paths
    ("$env:PROV_E = 'pe'; (Get-Item Microsoft.PowerShell.Core\\Environment::PROV_E).Value; Test-Path Environment::PROV_E",
     ["pe", True]),
    ("(Get-Item Microsoft.WSMan.Management\\WSMan::localhost\\Shell\\IdleTimeout).Value", ["7200000"]),
    ("Set-Content C:\\prov.txt 'q'; Get-Content Microsoft.PowerShell.Core\\FileSystem::C:\\prov.txt", ["q"]),
    # Test-Path: no such drive or provider is $false, not an error
    ("Test-Path Q:\\x; Test-Path Nope::x; Test-Path Alias:gci; Test-Path Alias:no-such-alias", [False, False, True, False]),
]


@pytest.mark.parametrize("script, expected", CASES)
def test_providers(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


ERROR_CASES = [
    # FileSystemProvider does not override SetItem
    ("Set-Content C:\\prov.txt 'a'; Set-Item C:\\prov.txt 'b'; Get-Content C:\\prov.txt", ["a"],
     "Provider operation stopped because the provider does not support this operation.",
     "NotSupported,Microsoft.PowerShell.Commands.SetItemCommand", "NotImplemented"),
    # WSManConfigProvider is no IContentCmdletProvider
    ("Get-Content WSMan:\\localhost\\Shell\\IdleTimeout; 'next'", ["next"],
     "Cannot use interface. The IContentCmdletProvider interface is not implemented by this provider.",
     "NotSupported,Microsoft.PowerShell.Commands.GetContentCommand", "NotImplemented"),
    ("${wsman:localhost\\Shell\\IdleTimeout}; 'next'", ["next"],
     "The provider 'WSMan' cannot be used to get or set data using the variable syntax. Cannot use interface. The "
     "IContentCmdletProvider interface is not implemented by this provider.", "NotSupported", "NotImplemented"),
    # -Filter needs the provider's Filter capability (the FileSystem has it)
    ("(Get-ChildItem Env: -Filter P*).Count", [0], "Cannot call method. The provider does not support the use of filters.",
     "NotSupported,Microsoft.PowerShell.Commands.GetChildItemCommand", "NotImplemented"),
    # no such drive / provider: written for that path, the next one still runs
    ("Get-Item 'Q:\\x', 'Env:PROV_NONE_X' -ErrorAction SilentlyContinue; $Error[1].FullyQualifiedErrorId; 'next'",
     ["DriveNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "next"], None, None, None),
    ("Get-Item Q:\\x", [], "Cannot find drive. A drive with the name 'Q' does not exist.",
     "DriveNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound"),
    ("Get-ChildItem Nope::x", [], "Cannot find a provider with the name 'Nope'.",
     "ProviderNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand", "ObjectNotFound"),
    ("Get-Content Env:PROV_NONE_X", [], "Cannot find path 'Env:PROV_NONE_X' because it does not exist.",
     "PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand", "ObjectNotFound"),
    ("Get-ChildItem Function:no-such-function", [], "Cannot find path 'Function:no-such-function' because it does not exist.",
     "PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand", "ObjectNotFound"),
    ("Get-Item Alias:no-such-alias", [], "Cannot find path 'Alias:no-such-alias' because it does not exist.",
     "PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound"),
]


@pytest.mark.parametrize("script, expected, message, fqid, category", ERROR_CASES)
def test_provider_errors(script: str, expected: list, message: str | None, fqid: str | None, category: str | None) -> None:
    rec, result = run(script)
    assert result.state == "Completed", result
    assert plain(rec.output) == expected
    if message is not None:
        assert [e[:3] for e in rec.errors] == [(message, fqid, category)]


NOT_MODELLED = [
    # Windows' providers do these; the test host does not model them: an error, never a silent success
    ("New-Item Env:PROV_NEW -Value 1", "New-Item on the Env: drive"),
    ("New-Item WSMan:\\localhost\\Listener -Value 1", "New-Item on the WSMan: drive"),
    ("Remove-Item WSMan:\\localhost\\Shell\\IdleTimeout", "Remove-Item on the WSMan: drive"),
    ("Set-Content Env:PROV_SET 'x'", "Set-Content on the Environment provider"),
    ("${C:\\prov.txt} = 'text'", "Setting ${C:\\prov.txt}"),
    ("${alias:prov-al} = 'Get-Date'", "Setting ${alias:prov-al}"),
    # `function f($a)`: PowerShell's ScriptBlock holds the parameters, the interpreter's body does not
    ("function f($a) { $a }; ${function:f}", "The ScriptBlock of function f"),
    ("Set-Content C:\\prov.txt 'a'; Remove-Item C:\\prov.txt -Include *.txt", "Remove-Item -Filter / -Include"),
    ("Out-File -FilePath Env:PROV_OUT -InputObject 1", "Out-File to the Environment provider"),
]


@pytest.mark.parametrize("script, what", NOT_MODELLED)
def test_what_the_providers_do_not_model_is_an_error(script: str, what: str) -> None:
    rec, result = run(script)
    assert result.state == "Failed", (result, rec.errors, rec.output)
    assert what in str(result.error) and "does not model it" in str(result.error)
    assert not rec.output
