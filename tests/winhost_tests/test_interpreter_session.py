"""What a PowerShell session shares, and the tripwire for what the interpreter does not model.

Each row is a script with what Windows PowerShell 5.1 gives: aliases (about_Aliases,
about_Command_Precedence; 5.1's built-in aliases from InitialSessionState.BuiltInAliases; there is
no Remove-Alias before PowerShell 6, so `Remove-Item Alias:\\x`), Set-StrictMode (its docs;
PowerShell/PowerShell#2798 for Count/Length), $PSDefaultParameterValues
(about_Parameters_Default_Values), `function global:` (about_Scopes). The tripwire rows read what
5.1 has and the test host does not model: an error record naming it, not $null
(winhost/powershell/tripwire.py).
"""

from __future__ import annotations

import pytest

from winhost.powershell import Command, HostServices, Runspace
from winhost.powershell.cmdlets import ALIASES
from winhost.powershell.cmdlets.session import _BUILTIN
from winhost.machine.knobs import HostKnobs

from test_interpreter import Recorder, plain, run

NOT_FOUND = ("The term '{}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the "
             "spelling of the name, or if a path was included, verify that the path is correct and try again.")

# ----------------------------------------------------------------------------------------------
# The tripwire
# ----------------------------------------------------------------------------------------------

TRIPWIRE_CASES = [
    # automatic variables every 5.1 session has (about_Automatic_Variables)
    ("$ConsoleFileName", "The automatic variable $ConsoleFileName"),
    ("$OutputEncoding", "The automatic variable $OutputEncoding"),
    ('"in a string: $PSSessionOption"', "The automatic variable $PSSessionOption"),
    # the engine objects modelled for ansible-core's exec wrapper (clr/engine.py, clr/automation.py), beyond what it reads
    ("$ExecutionContext.InvokeCommand", "The $ExecutionContext member 'InvokeCommand'"),
    ("$MyInvocation.PositionMessage", "The $MyInvocation member 'PositionMessage'"),
    ("$pwd.Drive", "The $PWD member 'Drive'"),
    ("$PSSenderInfo", "The automatic variable $PSSenderInfo"),
    ("$StackTrace", "The automatic variable $StackTrace"),
    # intrinsic members of every object (about_Intrinsic_Members) and System.Object's methods read as a property
    ("'text'.PSObject", "The member 'PSObject' of every object"),
    ("(1, 2).PSTypeNames", "The member 'PSTypeNames' of every object"),
    ("$h = @{}; $h.PSBase", "The member 'PSBase' of every object"),
    # a type's own members
    ("'a,b'.Split", "The member 'Split' of [System.String]"),
    ("(1, 2).Rank", "The member 'Rank' of [System.Object[]]"),
    ("$h = @{}; $h.IsReadOnly", "The member 'IsReadOnly' of [System.Collections.Hashtable]"),
    ("(Get-Date).DateTime", "The member 'DateTime' of [System.DateTime]"),
    ("try { throw 'x' } catch { $_.GetObjectData }", "The member 'GetObjectData' of [System.Management.Automation.ErrorRecord]"),
    ("try { throw 'x' } catch { $_.Exception.WasThrownFromThrowStatement }",
     "The member 'WasThrownFromThrowStatement' of [System.Management.Automation.RuntimeException]"),
    # types and accelerators 5.1 resolves
    ("[uri]'http://x/'", "The type [uri]"),
    ("[System.Xml.XmlDocument]::new()", "The type [System.Xml.XmlDocument]"),
    ("[ValidateSet]", "The type [ValidateSet]"),
    ("[System.Collections.Generic.Dictionary[string, int]]::new()", "The type [System.Collections.Generic.Dictionary"),
    # commands of the modules 5.1 ships with (windows_commands.py), run or asked for: not "the term is not recognized"
    ("Get-Acl -Path C:\\Windows", "The command 'Get-Acl' (module Microsoft.PowerShell.Security)"),
    ("get-winevent -LogName System", "The command 'Get-WinEvent' (module Microsoft.PowerShell.Diagnostics)"),
    ("Get-Command Test-WSMan -ErrorAction SilentlyContinue", "The command 'Test-WSMan' (module Microsoft.WSMan.Management)"),
]


@pytest.mark.parametrize("script, what", TRIPWIRE_CASES)
def test_the_tripwire_trips_on_what_windows_has_and_the_host_does_not_model(script: str, what: str) -> None:
    rec, result = run(script)
    assert result.state == "Failed", (rec.output, rec.errors)
    # A cmdlet's own terminating error carries its command after the id (Get-Command's).
    assert str(result.error.FullyQualifiedErrorId).split(",", maxsplit=1)[0] == "NotModelledByTestHost"
    assert result.error.CategoryInfo.Category.name == "NotImplemented"
    message = str(result.error.Exception.Message)
    assert message.startswith(what) and "exists in Windows PowerShell 5.1 but the test host does not model it" in message
    assert not rec.output


def test_a_trip_is_an_error_a_script_can_catch() -> None:
    rec, result = run("try { $OutputEncoding } catch { $_.FullyQualifiedErrorId; $_.Exception.GetType().FullName }; 'after'")
    assert result.state == "Completed"
    assert plain(rec.output) == ["NotModelledByTestHost", "System.NotImplementedException", "after"]


# What does not exist on Windows either still reads as $null, tripwire or not (and $PSCmdlet members were
# already an error of their own: ShouldProcessNotModelled).
NO_TRIP_CASES = [
    ("$h = @{a=1}; $null -eq $h.Nope", [True]),
    ("$null -eq 'text'.Nope; $null -eq (1, 2).Nope", [True, True]),
    ("$o = [pscustomobject]@{a=1}; $null -eq $o.b", [True]),
    ("$null -eq $NeverSet; $null -eq $IsWindows; $null -eq $IsCoreCLR", [True, True, True]),
    ("$null -eq $null.PSObject", [True]),
    ("$null -eq $LASTEXITCODE; $null -eq $Matches", [True, True]),
    ("$PSEdition; $NestedPromptLevel; $FormatEnumerationLimit; $ErrorView; $MaximumErrorCount",
     ["Desktop", 0, 4, "NormalView", 256]),
    ("$PSDefaultParameterValues.Count; $PSDefaultParameterValues -is [hashtable]", [0, True]),
    ("$a = 'x', 'yy'; $a.Length; ($a | ForEach-Object { $_.Length })", [2, 1, 2]),
    # a command Windows does not have either is not recognized there too (Get-Command's non-terminating error)
    ("$null -eq (Get-Command Get-NoSuchThing -ErrorAction SilentlyContinue); "
     "try { Get-NoSuchThing } catch { $_.FullyQualifiedErrorId }", [True, "CommandNotFoundException"]),
]


@pytest.mark.parametrize("script, expected", NO_TRIP_CASES)
def test_what_windows_does_not_have_either_reads_as_null(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


def test_pscmdlet_members_not_modelled_are_an_error_not_null() -> None:
    _rec, result = run("function f { [CmdletBinding()] param() $PSCmdlet.MyInvocation }; f")
    assert result.state == "Failed"
    assert str(result.error.FullyQualifiedErrorId) == "ShouldProcessNotModelled"
    assert "'MyInvocation'" in str(result.error.Exception.Message)


def test_with_the_tripwire_off_the_gaps_read_as_null() -> None:
    rs = Runspace(host=HostServices(tripwire=False))
    rec, result = run("$null -eq $OutputEncoding; $null -eq (@{}).PSBase; $null -eq 'x'.PSObject", rs)
    assert result.state == "Completed" and plain(rec.output) == [True, True, True]
    rec, result = run("[uri]'http://x/'", rs)
    assert result.state == "Completed" and [e[:2] for e in rec.errors] == [("Unable to find type [uri].", "TypeNotFound")]
    rec, result = run("try { Get-Acl } catch { $_.FullyQualifiedErrorId }", rs)
    assert result.state == "Completed" and plain(rec.output) == ["CommandNotFoundException"]


def test_the_tripwire_knob_is_on_by_default_and_can_be_turned_off() -> None:
    knobs = HostKnobs()
    assert knobs.tripwire is True and knobs.as_dict()["tripwire"] is True
    knobs.update({"tripwire": False})
    assert knobs.tripwire is False
    knobs.update({"tripwire": "true"})
    assert knobs.tripwire is True
    with pytest.raises(ValueError, match="knob .tripwire. takes true or false"):
        knobs.update({"tripwire": "maybe"})


def test_the_server_host_services_read_the_live_knob() -> None:
    knobs = HostKnobs()
    services = HostServices("WIN", "user", 1234, tripwire=lambda: knobs.tripwire)
    assert services.tripwire is True
    knobs.set("tripwire", False)
    assert services.tripwire is False


# ----------------------------------------------------------------------------------------------
# Aliases
# ----------------------------------------------------------------------------------------------

ALIAS_CASES = [
    # the built-in ones
    ("1, 2, 3 | % { $_ * 2 }", [2, 4, 6]),
    ("1, 2, 3 | ? { $_ -gt 1 }", [2, 3]),
    ("1, 2, 3 | where { $_ -lt 2 }; 1, 2 | foreach { $_ + 10 }", [1, 11, 12]),
    ("[pscustomobject]@{a=1; b=2} | select -ExpandProperty b", [2]),
    ("echo one; write two", ["one", "two"]),
    ("Set-Content C:\\Windows\\Temp\\alias.txt 'hi'; cat C:\\Windows\\Temp\\alias.txt; type C:\\Windows\\Temp\\alias.txt; "
     "gc C:\\Windows\\Temp\\alias.txt", ["hi", "hi", "hi"]),
    ("(gci C:\\Windows -Name) -contains 'System32'; (ls C:\\Windows -Name) -contains 'Temp'; (dir C:\\ -Name) -contains 'Users'",
     [True, True, True]),
    ("Get-Alias 'gci', 'ls', 'cat', 'echo', 'select', 'where', '%' | ForEach-Object { $_.DisplayName }",
     # one name after the other, as GetAliasCommand writes each name's matches
     ["gci -> Get-ChildItem", "ls -> Get-ChildItem", "cat -> Get-Content", "echo -> Write-Output", "select -> Select-Object",
      "where -> Where-Object", "% -> ForEach-Object"]),
    ("$a = Get-Alias gci; \"$a\"; $a.Definition; $a.Options; $a.CommandType; (Get-Alias ls).Options",
     ["gci", "Get-ChildItem", "ReadOnly, AllScope", "Alias", "AllScope"]),
    ("Get-Alias -Definition Remove-Item | ForEach-Object Name", ["del", "erase", "rd", "ri", "rm", "rmdir"]),
    ("(Get-Alias g*).Count -gt 5; @(Get-Alias nope*).Count", [True, 0]),
    # Set-Alias / New-Alias, to a cmdlet or a function, and an alias of an alias
    ("Set-Alias say Write-Output; say hello", ["hello"]),
    ("function Get-Greeting { 'hi ' + $args[0] }; New-Alias greet Get-Greeting; greet you", ["hi you"]),
    ("Set-Alias a1 Write-Output; Set-Alias a2 a1; a2 chained", ["chained"]),
    ("Set-Alias say Write-Output; Set-Alias say Get-Date; (Get-Alias say).Definition", ["Get-Date"]),
    ("Set-Alias say Write-Output -PassThru | ForEach-Object { $_.Name + ' ' + $_.Definition }", ["say Write-Output"]),
    ("New-Alias say Write-Output -Description 'd' -Option ReadOnly; (Get-Alias say).Description; (Get-Alias say).Options",
     ["d", "ReadOnly"]),
    # precedence: an alias before a function (about_Command_Precedence)
    ("function ls { 'function' }; (ls C:\\Windows -Name) -contains 'System32'", [True]),
    # -Force overrides ReadOnly
    ("Set-Alias gci Write-Output -Force; gci forced", ["forced"]),
    # scopes: local by default, -Scope Global from a child scope
    ("& { Set-Alias inner Write-Output; inner in }; Test-Path Alias:inner", ["in", False]),
    ("& { Set-Alias outer Write-Output -Scope Global }; outer out; Test-Path Alias:outer", ["out", True]),
    # 5.1 removes an alias through the Alias: drive
    ("Set-Alias gone Write-Output; Remove-Item Alias:gone; Test-Path Alias:gone", [False]),
    ("Remove-Item Alias:\\ls; Test-Path Alias:ls; Remove-Item Alias:gci -Force; Test-Path Alias:gci", [False, False]),
]


@pytest.mark.parametrize("script, expected", ALIAS_CASES)
def test_aliases(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


ALIAS_ERROR_CASES = [
    ("Remove-Alias ls", NOT_FOUND.format("Remove-Alias"), "CommandNotFoundException", "ObjectNotFound"),
    ("Set-Alias gci Write-Output", "Alias is not writeable because alias gci is read-only or constant and cannot be written to.",
     "AliasNotWritable,Microsoft.PowerShell.Commands.SetAliasCommand", "WriteError"),
    ("New-Alias x Write-Output; New-Alias x Get-Date",
     "The alias is not allowed, because an alias with the name 'x' already exists.",
     "AliasAlreadyExists,Microsoft.PowerShell.Commands.NewAliasCommand", "ResourceExists"),
    ("New-Alias ls Get-Date", "The alias is not allowed, because an alias with the name 'ls' already exists.",
     "AliasAlreadyExists,Microsoft.PowerShell.Commands.NewAliasCommand", "ResourceExists"),
    ("Get-Alias nope", "This command cannot find a matching alias because an alias with the name 'nope' does not exist.",
     "ItemNotFoundException,Microsoft.PowerShell.Commands.GetAliasCommand", "ObjectNotFound"),
    ("Remove-Item Alias:gci", "Alias was not removed because alias gci is constant or read-only.",
     "AliasNotRemovable,Microsoft.PowerShell.Commands.RemoveItemCommand", "WriteError"),
    # Constant gives way to nothing, -Force included (SessionStateScope.SetAliasValue and RemoveAlias test Constant
    # before force; ReadOnly gives way to -Force)
    ("Set-Alias k Get-Date -Option Constant; Set-Alias k Write-Output -Force",
     "Alias is not writeable because alias k is read-only or constant and cannot be written to.",
     "AliasNotWritable,Microsoft.PowerShell.Commands.SetAliasCommand", "WriteError"),
    ("Set-Alias k Get-Date -Option Constant; Remove-Item Alias:k -Force", "Alias was not removed because alias k is constant or read-only.",
     "AliasNotRemovable,Microsoft.PowerShell.Commands.RemoveItemCommand", "WriteError"),
    ("Remove-Item Alias:nope", "Cannot find path 'Alias:nope' because it does not exist.",
     "PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand", "ObjectNotFound"),
    ("& { Set-Alias inner Write-Output }; inner", NOT_FOUND.format("inner"), "CommandNotFoundException", "ObjectNotFound"),
]


@pytest.mark.parametrize("script, message, fqid, category", ALIAS_ERROR_CASES)
def test_alias_errors(script: str, message: str, fqid: str, category: str) -> None:
    rec, result = run(script)
    assert result.state == "Completed"
    assert [(m, f, c) for m, f, c, _info in rec.errors] == [(message, fqid, category)]


def test_aliases_last_for_the_session() -> None:
    rs = Runspace()
    run("Set-Alias say Write-Output; Remove-Item Alias:cat", rs)
    rec, _result = run("say again; Test-Path Alias:cat", rs)
    assert plain(rec.output) == ["again", False]
    # Another session has its own.
    rec, _result = run("Test-Path Alias:say; Test-Path Alias:cat")
    assert plain(rec.output) == [False, True]


def test_the_built_in_aliases_are_5_1s_and_every_cmdlets_own_alias_is_one_of_them() -> None:
    for alias, command in ALIASES.items():
        assert _BUILTIN[alias][0].lower() == command, alias
    rec, _result = run("(Get-Alias).Count")
    assert plain(rec.output) == [len(_BUILTIN)]


# ----------------------------------------------------------------------------------------------
# Set-StrictMode
# ----------------------------------------------------------------------------------------------

UNSET = ("The variable '${}' cannot be retrieved because it has not been set.", "VariableIsUndefined", "InvalidOperation")
NO_PROPERTY = ("The property '{}' cannot be found on this object. Verify that the property exists.", "PropertyNotFoundStrict",
               "NotSpecified")

STRICT_CASES = [
    # off (the default): unset variables and missing properties are $null
    ("$null -eq $u; \"[$u]\"; $null -eq 'x'.Nope", [True, "[]", True], []),
    # 1.0: unset variables, but not in strings
    ("Set-StrictMode -Version 1.0; \"[$u]\"; $u; 'next'", ["[]", "next"], [UNSET[0].format("u")]),
    ("Set-StrictMode -Version 1; $x = 1; $x; $null -eq 'x'.Nope", [1, True], []),
    # 2.0: in strings too, and properties that do not exist
    ("Set-StrictMode -Version 2.0; \"[$u]\"; 'next'", ["next"], [UNSET[0].format("u")]),
    ("Set-StrictMode -Version 2; $o = [pscustomobject]@{a=1; n=$null}; $o.a; $null -eq $o.n; $o.b", [1, True],
     [NO_PROPERTY[0].format("b")]),
    ("Set-StrictMode -Version 2; $h = @{a=1}; $null -eq $h.missing; (1, 2).Count; 'ab'.Length", [True, 2, 2], []),
    ("Set-StrictMode -Version 2; $one = 5; $one.Count", [], [NO_PROPERTY[0].format("Count")]),
    ("Set-StrictMode -Version 2; $a = 1, 2; $null -eq $a[9]", [True], []),
    # Latest (3.0 in 5.1): also an index outside an array
    ("Set-StrictMode -Version Latest; $a = 1, 2; $a[1]; $a[9]", [2], ["Index was outside the bounds of the array."]),
    # -Off, and the scope rule: a child scope's strict mode ends with it; a caller's applies to what it calls
    ("Set-StrictMode -Version Latest; Set-StrictMode -Off; $null -eq $u", [True], []),
    ("& { Set-StrictMode -Version 1; $u }; $null -eq $u", [True], [UNSET[0].format("u")]),
    ("function f { $inside }; Set-StrictMode -Version 1; f", [], [UNSET[0].format("inside")]),
    ("function f { Set-StrictMode -Off; $null -eq $inside }; Set-StrictMode -Version 1; f", [True], []),
    ("Set-StrictMode -Version 1; try { $u } catch { $_.FullyQualifiedErrorId }", ["VariableIsUndefined"], []),
    ("Set-StrictMode -Version 1; $env:NOT_SET_ANYWHERE -eq $null; $x = $null; $x -eq $null", [True, True], []),
]


@pytest.mark.parametrize("script, expected, messages", STRICT_CASES)
def test_strict_mode(script: str, expected: list, messages: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed", result
    assert plain(rec.output) == expected
    assert [m for m, _f, _c, _i in rec.errors] == messages


def test_strict_mode_error_records() -> None:
    rec, _result = run("Set-StrictMode -Version 2; $u; 'x'.Nope")
    assert [(f, c) for _m, f, c, _i in rec.errors] == [UNSET[1:], NO_PROPERTY[1:]]
    assert rec.errors[1][3] == "NotSpecified (:) [], PropertyNotFoundException"


def test_strict_mode_set_in_the_global_scope_lasts_for_the_session() -> None:
    """A raw task's `Set-StrictMode -Version Latest` (raw runs in the session's global scope): later scripts of the
    session run in strict mode too, as on Windows. (ansible-core's shell helper scripts start with it as well, but
    they run with useLocalScope, so theirs ends with them: tests/e2e/test_file_transfer.py.)"""
    rs = Runspace()
    run("Set-StrictMode -Version Latest", rs)
    rec, _result = run("$u; 'x'.Nope", rs)
    assert [m for m, _f, _c, _i in rec.errors] == [UNSET[0].format("u"), NO_PROPERTY[0].format("Nope")]
    rec = Recorder()
    rs.invoke([Command("$null -eq $u", is_script=True, use_local_scope=True)], writer=rec)
    assert [m for m, _f, _c, _i in rec.errors] == [UNSET[0].format("u")]


def test_set_strictmode_needs_a_version_or_off() -> None:
    _rec, result = run("Set-StrictMode -Version 9")
    assert str(result.error.FullyQualifiedErrorId).startswith("NotModelledByTestHost")


# ----------------------------------------------------------------------------------------------
# $PSDefaultParameterValues, function global:
# ----------------------------------------------------------------------------------------------

DEFAULT_VALUE_CASES = [
    ("$PSDefaultParameterValues['Write-Output:InputObject'] = 'dflt'; Write-Output; Write-Output given", ["dflt", "given"]),
    ("$PSDefaultParameterValues = @{'Get-Date:Format' = 'yyyy'}; Get-Date -Date '2020-05-01'", ["2020"]),
    ("$PSDefaultParameterValues = @{'Get-*:Format' = 'MM'}; Get-Date -Date '2020-05-01'; "
     "Get-Date -Date '2020-05-01' -Format dd", ["05", "01"]),
    # advanced functions only, and they count as bound parameters
    ("function f { [CmdletBinding()] param($Name = 'none') $Name; $PSBoundParameters.ContainsKey('Name') }; "
     "$PSDefaultParameterValues = @{'f:Name' = 'dflt'}; f; f -Name given", ["dflt", True, "given", True]),
    ("function g { param($Name) \"[$Name]\" }; $PSDefaultParameterValues = @{'g:Name' = 'dflt'}; g", ["[]"]),
    # a parameter alias matches; Disabled turns it all off
    ("function f { [CmdletBinding()] param([Alias('N')]$Name) $Name }; $PSDefaultParameterValues = @{'f:N' = 'by alias'}; f",
     ["by alias"]),
    ("$PSDefaultParameterValues = @{'Get-Date:Format' = 'yyyy'; Disabled = $true}; (Get-Date -Date '2020-05-01').Year",
     [2020]),
]


@pytest.mark.parametrize("script, expected", DEFAULT_VALUE_CASES)
def test_ps_default_parameter_values(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


def test_ps_default_parameter_values_for_common_parameters() -> None:
    rec, _result = run("$PSDefaultParameterValues = @{'*:Verbose' = $true}; Write-Verbose shown")
    assert rec.verbose == ["shown"]


def test_a_script_block_default_value_is_not_modelled() -> None:
    _rec, result = run("$PSDefaultParameterValues = @{'Write-Output:InputObject' = { 1 }}; Write-Output")
    assert str(result.error.FullyQualifiedErrorId) == "NotModelledByTestHost"


FUNCTION_SCOPE_CASES = [
    ("& { function global:g { 'global' } }; g", ["global"]),
    ("& { function script:s { 'script' } }; s", ["script"]),
    ("& { function local:l { 'local' }; l }; Test-Path Function:l", ["local", False]),
    ("& { function plain { 'plain' } }; Test-Path Function:plain", [False]),
]


@pytest.mark.parametrize("script, expected", FUNCTION_SCOPE_CASES)
def test_function_scope_qualifiers(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


def test_a_global_function_lasts_for_the_session() -> None:
    rs = Runspace()
    run("function Outer { function global:Made { 'made' } }; Outer", rs)
    rec, _result = run("Made", rs)
    assert plain(rec.output) == ["made"]
