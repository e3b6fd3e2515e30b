"""What the module hygiene scripts (plugins/plugin_utils/module_hygiene.py) use of Windows PowerShell 5.1.

Each row is a script with what 5.1 gives, and its source: System.Environment's process variables (.NET
docs: GetEnvironmentVariables, SetEnvironmentVariable: "If value is empty and variable exists, the
variable is deleted"), Get-Runspace (its docs: the runspaces of the host process, LocalRunspace with Id,
Name, RunspaceAvailability), the Function: drive (about_Function_Provider), Get-Command -CommandType
Cmdlet (its docs), the Private option of a variable (about_Scopes, "Private Option"), module-qualified
command names (about_Command_Precedence). Then the scripts themselves, run against one session.
"""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

from winhost.powershell import Command, Runspace

from test_interpreter import Recorder, plain, run

ROOT = pathlib.Path(__file__).resolve().parents[2]

CASES = [
    # [Environment]: the process' variables, the same ones $env: reads
    ("[Environment]::SetEnvironmentVariable('HYG_A', 'one'); $env:HYG_A", ["one"]),
    ("$env:HYG_B = 'two'; [Environment]::GetEnvironmentVariable('HYG_B')", ["two"]),
    ("$env:HYG_C = 'three'; [Environment]::GetEnvironmentVariables()['HYG_C']", ["three"]),
    ("$env:HYG_C = 'three'; [Environment]::GetEnvironmentVariables('Process').Contains('HYG_C')", [True]),
    ("$env:HYG_D = 'x'; [Environment]::SetEnvironmentVariable('HYG_D', $null); Test-Path Env:HYG_D", [False]),
    ("$env:HYG_D = 'x'; [Environment]::SetEnvironmentVariable('HYG_D', ''); Test-Path Env:HYG_D", [False]),
    ("[Environment]::SetEnvironmentVariable('HYG_E', 'v')", []),  # a void method writes nothing
    ("[Environment]::GetEnvironmentVariables() -is [hashtable]", [True]),
    # Get-Runspace: the session's own runspace, busy running the pipeline that asks
    ("$r = Get-Runspace; $r.Id, $r.Name, $r.State, \"$($r.RunspaceAvailability)\"", [1, "Runspace1", "Opened", "Busy"]),
    ("@(Get-Runspace).Count", [1]),
    # The Function: drive
    ("function Get-HygA { 'a' }; (Get-ChildItem Function:\\Get-HygA).Name", ["Get-HygA"]),
    ("function Get-HygA { 'a' }; @(Get-ChildItem -LiteralPath 'Function:\\' | Where-Object { $_.Name -eq 'Get-HygA' }).Count", [1]),
    ("function Get-HygA { 'a' }; Remove-Item -LiteralPath Function:\\Get-HygA; Test-Path Function:\\Get-HygA", [False]),
    ("function Get-HygA { 'a' }; $f = Get-ChildItem Function:\\Get-HygA; Remove-Item Function:\\Get-HygA; "
     "Set-Item -LiteralPath Function:\\Get-HygA -Value $f.ScriptBlock; Get-HygA", ["a"]),
    ("& { function Get-HygA { 'inner' } }; Test-Path Function:\\Get-HygA", [False]),
    # Get-Command -CommandType Cmdlet finds the cmdlet whatever function has its name
    ("function ConvertFrom-Json { 'x' }; (Get-Command ConvertFrom-Json).CommandType", ["Function"]),
    ("function ConvertFrom-Json { 'x' }; (Get-Command -Name ConvertFrom-Json -CommandType Cmdlet).CommandType", ["Cmdlet"]),
    ("@(Get-Command -Name Get-HygNone -CommandType Cmdlet -ErrorAction Ignore).Count", [0]),
    # A Private variable is seen only in its own scope
    ("Set-Variable -Name hp -Value 1 -Option Private; $hp; & { $null -eq $hp }", [1, True]),
    ("Set-Variable -Name hp -Value 1 -Option Private; & { @(Get-Variable -Name hp -ErrorAction SilentlyContinue).Count }", [0]),
    ("Set-Variable -Name hp -Value 1 -Option Private; (Get-Variable -Name hp).Options", ["Private"]),
    # A module-qualified name runs the cmdlet, not a function or alias of that name
    ("function Write-Output { 'function' }; Microsoft.PowerShell.Utility\\Write-Output 'cmdlet'", ["cmdlet"]),
]


@pytest.mark.parametrize("script, expected", CASES)
def test_what_the_hygiene_scripts_use(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


def test_a_private_variable_is_seen_again_from_its_own_scope_in_a_later_pipeline() -> None:
    """The stash: set Private in the global scope by one pipeline (use_local_scope false), hidden from a later
    pipeline's local scope (a module's), seen by a later global one (the epilogue)."""
    rs = Runspace()
    run("Set-Variable -Name hp -Scope Global -Option Private -Value 'kept'", rs)
    rec = Recorder()
    rs.invoke([Command("$null -eq $hp", is_script=True, use_local_scope=True)], writer=rec)
    assert plain(rec.output) == [True]
    rec, _result = run("$hp", rs)
    assert plain(rec.output) == ["kept"]


def test_other_environment_targets_are_not_modelled() -> None:
    rec, result = run("[Environment]::GetEnvironmentVariables('Machine')")
    assert result.state == "Failed" and "not model" in str(result.error)
    rec, result = run("Get-Command -CommandType Function")
    assert result.state == "Failed" and "not model" in str(result.error)


def _hygiene():
    spec = importlib.util.spec_from_file_location("module_hygiene", ROOT / "plugins" / "plugin_utils" / "module_hygiene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pipeline(rs: Runspace, script: str, local: bool = False) -> list:
    rec = Recorder()
    result = rs.invoke([Command(script, is_script=True, use_local_scope=local)], writer=rec)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    return plain(rec.output)


SEES = ("(Get-Command ConvertFrom-Json).CommandType; @(Get-Alias | Where-Object { $_.Name -eq 'Select-Hyg' }).Count; "
        "\"$ErrorActionPreference\"; $PSDefaultParameterValues.Count; $s = 'off'; try { $null = @(1)[1] } catch { $s = 'on' }; $s")


def test_the_scripts_hide_the_session_state_and_put_it_back() -> None:
    hygiene = _hygiene()
    rs = Runspace()
    _pipeline(rs, "function ConvertFrom-Json { 'x' }; Set-Alias Select-Hyg Write-Output; Set-StrictMode -Version 2.0; "
                  "$ErrorActionPreference = 'Stop'; $PSDefaultParameterValues['*:Verbose'] = $true; $env:HYG_KEEP = 'k'")
    assert _pipeline(rs, SEES, local=True) == ["Function", 1, "Stop", 1, "off"]  # 2.0 lets an index pass
    _pipeline(rs, hygiene.prologue_script())
    assert _pipeline(rs, SEES, local=True) == ["Cmdlet", 0, "Continue", 0, "off"]
    _pipeline(rs, "$global:AnsibleTempPath = 'C:\\t'; $env:HYG_NEW = 'n'; $env:HYG_KEEP = 'changed'; "
                  "New-Module -Name Ansible.ModuleUtils.Hyg -ScriptBlock { function Get-HygUtil { } } | Import-Module -Scope Global",
              local=True)
    _pipeline(rs, hygiene.epilogue_script())
    assert _pipeline(rs, "Test-Path Variable:AnsibleTempPath; Test-Path Env:HYG_NEW; $env:HYG_KEEP; @(Get-Module Ansible.*).Count",
                     local=True) == [False, False, "k", 0]
    assert _pipeline(rs, SEES.replace("@(1)[1]", "'x'.NoSuchProperty"), local=True) == ["Function", 1, "Stop", 1, "on"]
    # Run again with nothing to undo: the epilogue alone does nothing.
    _pipeline(rs, hygiene.epilogue_script())
    assert _pipeline(rs, "(Get-Command ConvertFrom-Json).CommandType", local=True) == ["Function"]


def test_the_sessions_whatif_confirm_and_default_parameters_do_not_turn_the_scripts_into_what_if_runs() -> None:
    """A session with $WhatIfPreference, a low $ConfirmPreference and '*:WhatIf' in $PSDefaultParameterValues
    (about_Preference_Variables): the scripts' cmdlets would only say what they would do (or ask) if those reached
    them; they are hidden from the module and put back, and nothing else is left."""
    hygiene = _hygiene()
    rs = Runspace()
    _pipeline(rs, "function ConvertFrom-Json { 'x' }; $WhatIfPreference = $true; $ConfirmPreference = 'Low'; "
                  "$PSDefaultParameterValues['*:WhatIf'] = $true; $env:HYG_KEEP = 'k'")
    _pipeline(rs, hygiene.prologue_script())
    assert _pipeline(rs, "(Get-Command ConvertFrom-Json).CommandType; $WhatIfPreference; \"$ConfirmPreference\"; "
                         "$PSDefaultParameterValues.Count", local=True) == ["Cmdlet", False, "High", 0]
    _pipeline(rs, "$env:HYG_NEW = 'n'; $global:AnsibleTempPath = 'C:\\t'", local=True)
    assert _pipeline(rs, hygiene.epilogue_script()) == [hygiene.DONE_MARK]
    assert _pipeline(rs, "(Get-Command ConvertFrom-Json).CommandType; $WhatIfPreference; \"$ConfirmPreference\"; "
                         "$PSDefaultParameterValues['*:WhatIf']; Test-Path Env:HYG_NEW; Test-Path Variable:AnsibleTempPath; "
                         "Test-Path Variable:%s" % hygiene.STASH, local=True) == ["Function", True, "Low", True, False, False, False]


def test_an_epilogue_that_stops_half_way_still_puts_the_preferences_back_and_removes_the_stash() -> None:
    """The session's $ErrorActionPreference 'Stop' comes back with the epilogue; a step that fails (here an alias
    the module made constant, so the session's own alias cannot be put back) must not leave the stash, the
    functions or the preferences behind."""
    hygiene = _hygiene()
    rs = Runspace()
    _pipeline(rs, "function ConvertFrom-Json { 'x' }; Set-Alias Get-HygAlias Write-Output; $ErrorActionPreference = 'Stop'")
    _pipeline(rs, hygiene.prologue_script())
    _pipeline(rs, "Set-Alias Get-HygAlias Get-Date -Option Constant -Scope Global", local=True)
    rec = Recorder()
    rs.invoke([Command(hygiene.epilogue_script(), is_script=True, use_local_scope=False)], writer=rec)
    assert rec.errors, 'the constant alias cannot be replaced'
    assert plain(rec.output) == [hygiene.DONE_MARK]
    assert _pipeline(rs, "(Get-Command ConvertFrom-Json).CommandType; \"$ErrorActionPreference\"; Test-Path Variable:%s"
                     % hygiene.STASH, local=True) == ["Function", "Stop", False]


def test_a_prologue_after_a_prologue_whose_epilogue_never_ran_keeps_the_first_snapshot() -> None:
    """The prologue starts by undoing a stash an earlier task left (a cancelled module task): the session's own
    function is not lost between two prologues."""
    hygiene = _hygiene()
    rs = Runspace()
    _pipeline(rs, "function ConvertFrom-Json { 'x' }")
    _pipeline(rs, hygiene.prologue_script())
    _pipeline(rs, hygiene.prologue_script())
    _pipeline(rs, hygiene.epilogue_script())
    assert _pipeline(rs, "ConvertFrom-Json") == ["x"]


def test_an_epilogue_after_a_prologue_that_stopped_half_way_undoes_only_what_it_took() -> None:
    """The prologue creates the stash first and fills it as it goes: a snapshot it did not take is $null, and the
    epilogue then leaves that part alone (an empty environment snapshot must not delete every variable)."""
    hygiene = _hygiene()
    rs = Runspace()
    _pipeline(rs, "$env:HYG_X = 'x'; $global:mine = 1; New-Module -Name Ansible.ModuleUtils.Kept -ScriptBlock { } | Import-Module")
    _pipeline(rs, "Set-Variable -Name %s -Scope Global -Option Private -Value @{ StrictMode = $null; Environment = $null; "
                  "Variables = $null; Kept = @{}; Modules = $null; Runspaces = $null; "
                  "Preferences = @{ ErrorActionPreference = @(, 'Stop') }; Aliases = @(); Functions = @() }" % hygiene.STASH)
    _pipeline(rs, hygiene.epilogue_script())
    assert _pipeline(rs, "$env:HYG_X; $mine; \"$ErrorActionPreference\"; @(Get-Module Ansible.*).Count; "
                         "@(Get-Variable -Name %s* -ErrorAction SilentlyContinue).Count" % hygiene.STASH) == ["x", 1, "Stop", 1, 0]


def test_a_nested_runspace_is_listed_until_the_epilogue_disposes_of_it() -> None:
    """module_wrapper.ps1's `[PowerShell]::Create()` makes a runspace it never disposes of: Get-Runspace lists it
    (Available once its Invoke() returned), and the epilogue disposes of the ones made since the prologue."""
    hygiene = _hygiene()
    rs = Runspace()
    _pipeline(rs, hygiene.prologue_script())
    assert _pipeline(rs, "$ps = [PowerShell]::Create(); $null = $ps.AddScript('1').Invoke(); "
                         "@(Get-Runspace | ForEach-Object { \"$($_.Id) $($_.RunspaceAvailability)\" })", local=True) == [
        "1 Busy", "2 Available"]
    _pipeline(rs, hygiene.epilogue_script())
    assert _pipeline(rs, "@(Get-Runspace).Count") == [1]
