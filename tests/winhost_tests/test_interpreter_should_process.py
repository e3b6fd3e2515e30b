"""ShouldProcess in the interpreter: [CmdletBinding(SupportsShouldProcess)], -WhatIf/-Confirm, $WhatIfPreference,
$ConfirmPreference, $PSCmdlet.ShouldProcess and its "What if:" host message, as Windows PowerShell 5.1 behaves
(MshCommandRuntime.DoShouldProcess; CommandBaseStrings ShouldProcessMessage / ShouldProcessWhatIfMessage), and
[System.Management.Automation.Language.Parser]::ParseInput with [ref], which ansible.windows.win_powershell
reads to find SupportsShouldProcess. What the test host does not model fails loudly."""

from __future__ import annotations

import typing

import pytest

from winhost.powershell import Command, HostServices, Runspace

from test_interpreter import Recorder

SSP = '[CmdletBinding(SupportsShouldProcess)]\nparam([string]$Path)\n'
GUARDED = SSP + ("if ($PSCmdlet.ShouldProcess($Path, 'Create file')) { Set-Content -Path $Path -Value 'made'; 'done' }\n"
                 "else { 'skipped' }\n")


class HostRecorder(Recorder):
    """A writer whose client supplied a host: it receives PSRP host calls."""

    def __init__(self) -> None:
        super().__init__()
        self.host_calls: list[tuple[str, list]] = []

    def host_call(self, method: str, parameters: list) -> None:
        self.host_calls.append((method, parameters))


def fresh() -> Runspace:
    return Runspace(host=HostServices(user_name="user"))


def invoke(rs: Runspace, script: str, *parameters: tuple[str | None, typing.Any],
           local: bool | None = None) -> tuple[HostRecorder, typing.Any]:
    rec = HostRecorder()
    result = rs.invoke([Command(script, is_script=True, use_local_scope=local, parameters=list(parameters))], writer=rec)
    return rec, result


def failure(result: typing.Any) -> tuple[str, str, str]:
    assert result.state == "Failed", result
    record = result.error
    return str(record.Exception.Message), record.FullyQualifiedErrorId, record.CategoryInfo.Category.name


# --------------------------------------------------------------------------- -WhatIf on a script


def test_whatif_script_skips_the_guarded_change_and_tells_the_host():
    rs = fresh()
    rec, result = invoke(rs, GUARDED, ("Path", "C:\\made.txt"), ("WhatIf", True), ("Confirm", False))
    assert result.state == "Completed", result
    assert rec.output == ["skipped"]
    assert rec.host_calls == [("WriteLine2", ['What if: Performing the operation "Create file" on target "C:\\made.txt".'])]
    assert not rs.host.filesystem.exists("C:\\made.txt")
    # What the host is told is not an output or information record.
    assert rec.information == [] and rec.errors == []


def test_without_whatif_the_change_happens_and_the_host_hears_nothing():
    rs = fresh()
    rec, result = invoke(rs, GUARDED, ("Path", "C:\\made.txt"), ("WhatIf", False), ("Confirm", False))
    assert result.state == "Completed", result
    assert rec.output == ["done"] and rec.host_calls == []
    assert rs.host.filesystem.read_bytes("C:\\made.txt").startswith(b"made")


def test_verbose_shows_the_operation_when_it_proceeds():
    rec, result = invoke(fresh(), GUARDED, ("Path", "C:\\v.txt"), ("Verbose", True))
    assert result.state == "Completed", result
    assert rec.verbose == ['Performing the operation "Create file" on target "C:\\v.txt".']


@pytest.mark.parametrize("call, message", [
    # ShouldProcess(target): the action is the command's name, empty for a script sent as text.
    ("$PSCmdlet.ShouldProcess('the target')", 'What if: Performing the operation "" on target "the target".'),
    ("$PSCmdlet.ShouldProcess('the target', 'Do it')", 'What if: Performing the operation "Do it" on target "the target".'),
    # ShouldProcess(verboseDescription, verboseWarning, caption): the description as it is.
    ("$PSCmdlet.ShouldProcess('Removing everything', 'Remove everything?', 'Confirm')", 'What if: Removing everything'),
])
def test_should_process_overloads(call, message):
    rec, result = invoke(fresh(), SSP + call, ("WhatIf", True))
    assert result.state == "Completed", result
    assert rec.output == [False]
    assert rec.host_calls == [("WriteLine2", [message])]


def test_a_function_names_itself_as_the_action():
    script = ("function Remove-Widget { [CmdletBinding(SupportsShouldProcess)] param($Name)\n"
              "  if ($PSCmdlet.ShouldProcess($Name)) { 'removed' } else { 'kept' } }\n"
              "Remove-Widget w1 -WhatIf\nRemove-Widget w2\nRemove-Widget w3 -wi")
    rec, result = invoke(fresh(), script)
    assert result.state == "Completed", result
    assert rec.output == ["kept", "removed", "kept"]
    messages = [c[1][0] for c in rec.host_calls]
    assert messages == ['What if: Performing the operation "Remove-Widget" on target "w1".',
                        'What if: Performing the operation "Remove-Widget" on target "w3".']


@pytest.mark.parametrize("binding", [
    "[CmdletBinding(SupportsShouldProcess=$true)]",
    "[CmdletBinding(SupportsShouldProcess = $true)]",
    "[cmdletbinding(supportsshouldprocess)]",
    "[CmdletBinding(ConfirmImpact = 'Low', SupportsShouldProcess)]",
])
def test_spellings_of_supports_should_process(binding):
    rec, result = invoke(fresh(), binding + "\nparam()\n$PSCmdlet.ShouldProcess('t', 'a'); $WhatIfPreference", ("WhatIf", True))
    assert result.state == "Completed", result
    assert rec.output == [False, True]


@pytest.mark.parametrize("binding", ["[CmdletBinding()]", "[CmdletBinding(SupportsShouldProcess=$false)]",
                                     "[CmdletBinding(SupportsShouldProcess = 0)]"])
def test_whatif_is_no_parameter_of_a_command_without_should_process(binding):
    rs = fresh()
    rec, result = invoke(rs, binding + "\nparam()\nSet-Content C:\\ran.txt 'x'", ("WhatIf", True))
    assert failure(result) == ("A parameter cannot be found that matches parameter name 'WhatIf'.",
                               "NamedParameterNotFound", "InvalidArgument")
    assert not rs.host.filesystem.exists("C:\\ran.txt") and rec.host_calls == []


def test_a_simple_script_takes_whatif_as_an_argument():
    # Without [CmdletBinding()] there are no common parameters: -WhatIf ends up in $args and the script runs.
    # This is why invoke never sends -WhatIf to a script that does not declare SupportsShouldProcess.
    rec, result = invoke(fresh(), "param()\n\"ran with $args\"", ("WhatIf", True))
    assert result.state == "Completed" and rec.output == ["ran with -WhatIf"], (result, rec.output)


# --------------------------------------------------------------------------- preferences and their scope


def test_whatif_preference_and_pscmdlet_end_with_a_dot_sourced_script():
    rs = fresh()
    rec, result = invoke(rs, SSP + "\"inside: $WhatIfPreference $ConfirmPreference $($null -ne $PSCmdlet)\"\n$kept = 'yes'",
                         ("WhatIf", True), ("Confirm", False))
    assert result.state == "Completed" and rec.output == ["inside: True None True"], (result, rec.output)
    rec, result = invoke(rs, "\"after: $WhatIfPreference $ConfirmPreference $($null -eq $PSCmdlet) $kept\"")
    assert rec.output == ["after: False High True yes"]


def test_preferences_are_put_back_when_the_script_fails():
    rs = fresh()
    _rec, result = invoke(rs, SSP + "throw 'boom'", ("WhatIf", True))
    assert failure(result)[0] == "boom"
    rec, _result = invoke(rs, "$WhatIfPreference; $null -eq $PSCmdlet")
    assert rec.output == [False, True]


def test_whatif_preference_reaches_should_process():
    rs = fresh()
    script = ("function Set-Thing { [CmdletBinding(SupportsShouldProcess)] param() $PSCmdlet.ShouldProcess('thing', 'Set') }\n"
              "$WhatIfPreference = $true\nSet-Thing\nSet-Thing -WhatIf:$false\n$WhatIfPreference = $false\nSet-Thing")
    rec, result = invoke(rs, script)
    assert result.state == "Completed", result
    assert rec.output == [False, True, True]
    assert len(rec.host_calls) == 1


def test_confirm_impact_at_or_above_the_preference_would_prompt_and_is_not_modelled():
    script = "[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]\nparam()\n'before'\n$PSCmdlet.ShouldProcess('t', 'a')\n'after'"
    rec, result = invoke(fresh(), script)
    message, fqid, category = failure(result)
    assert "is not modelled by the fake Windows host" in message and "confirm" in message
    assert (fqid, category) == ("ShouldProcessNotModelled", "NotImplemented")
    assert rec.output == ["before"]
    # -Confirm:$false (what invoke passes, as win_powershell does) means no prompt.
    rec, result = invoke(fresh(), script, ("Confirm", False))
    assert result.state == "Completed" and rec.output == ["before", True, "after"], (result, rec.output)


def test_confirm_asks_even_for_a_low_impact():
    rec, result = invoke(fresh(), SSP + "$PSCmdlet.ShouldProcess('t', 'a')", ("Confirm", True))
    assert failure(result)[1] == "ShouldProcessNotModelled" and rec.output == []


def test_an_invalid_confirm_impact_is_an_error():
    _rec, result = invoke(fresh(), "[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Huge')]\nparam()\n'x'")
    message, fqid, _category = failure(result)
    assert 'Cannot convert value "Huge" to type "System.Management.Automation.ConfirmImpact"' in message, message
    assert fqid == "InvalidCastFromStringToEnum"


def test_pscmdlet_members_beyond_should_process_are_not_modelled():
    _rec, result = invoke(fresh(), "[CmdletBinding()]\nparam()\n$PSCmdlet.MyInvocation")
    assert failure(result)[1] == "ShouldProcessNotModelled"
    _rec, result = invoke(fresh(), "[CmdletBinding()]\nparam()\n$PSCmdlet.WriteObject(1)")
    assert failure(result)[1] == "ShouldProcessNotModelled"
    # A script that is not advanced has no $PSCmdlet at all.
    rec, _result = invoke(fresh(), "$null -eq $PSCmdlet")
    assert rec.output == [True]


def test_no_host_message_without_a_client_host():
    rs = fresh()
    rec = Recorder()  # no host_call: the client supplied no host
    result = rs.invoke([Command(GUARDED, is_script=True, parameters=[("Path", "C:\\x"), ("WhatIf", True)])], writer=rec)
    assert result.state == "Completed" and rec.output == ["skipped"]
    assert rec.information == [] and not rs.host.filesystem.exists("C:\\x")


# --------------------------------------------------------------------------- cmdlets that call ShouldProcess


@pytest.mark.parametrize("command", [
    "Set-Content -Path C:\\n.txt -Value x", "Add-Content -Path C:\\n.txt -Value x",
    "Remove-Item -Path Env:\\PATH", "Set-Variable -Name v -Value 1", "New-Variable -Name v2 -Value 1",
])  # New-Item, Remove-Item (on the drive) and Out-File know their messages: test_interpreter_files.py
def test_cmdlets_under_whatif_refuse_rather_than_act(command):
    rs = fresh()
    rec, result = invoke(rs, "$WhatIfPreference = $true\n" + command + "\n'went on'")
    message, fqid, category = failure(result)
    assert "-WhatIf (or $WhatIfPreference) for " + command.split()[0] in message, message
    assert (fqid, category) == ("ShouldProcessNotModelled", "NotImplemented")
    assert rec.output == [] and not rs.host.filesystem.exists("C:\\n.txt")
    _rec, result = invoke(fresh(), command + " -WhatIf")
    assert failure(result)[1] == "ShouldProcessNotModelled"


def test_cmdlets_take_whatif_false_and_confirm_false():
    rs = fresh()
    rec, result = invoke(rs, "New-Item -Path C:\\c.txt -ItemType File -WhatIf:$false -Confirm:$false | Out-Null\n"
                             "Test-Path C:\\c.txt\nRemove-Item C:\\c.txt -Confirm:$false\nTest-Path C:\\c.txt")
    assert result.state == "Completed" and rec.output == [True, False], (result, rec.output, rec.errors)


def test_whatif_is_no_parameter_of_a_cmdlet_without_should_process():
    rec, _result = invoke(fresh(), "Start-Sleep -Seconds 0 -WhatIf; 'went on'")
    assert [e[:2] for e in rec.errors] == [("A parameter cannot be found that matches parameter name 'WhatIf'.",
                                            "NamedParameterNotFound,Microsoft.PowerShell.Commands.StartSleepCommand")]
    assert rec.output == ["went on"]


def test_a_low_confirm_preference_would_prompt_for_a_cmdlet():
    rs = fresh()
    _rec, result = invoke(rs, "$ConfirmPreference = 'Medium'\nNew-Item -Path C:\\p.txt -ItemType File")
    assert failure(result)[1] == "ShouldProcessNotModelled" and not rs.host.filesystem.exists("C:\\p.txt")


# --------------------------------------------------------------------------- the parser API and [ref]

# ansible.windows.win_powershell's test, written out (its module reads the same members).
DETECT = r"""
param([string]$Text)
$parseErrors = @()
$ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$null, [ref]$parseErrors)
$found = $false
if (-not $parseErrors -and $ast -is [System.Management.Automation.Language.ScriptBlockAst] -and $ast.ParamBlock) {
    $binding = @($ast.ParamBlock.Attributes | Where-Object { $_.TypeName.Name -eq 'CmdletBinding' })
    if ($binding) {
        foreach ($named in $binding[0].NamedArguments) {
            if ($named.ArgumentName -eq 'SupportsShouldProcess' -and ($named.ExpressionOmitted -or $named.Argument.ToString() -eq '$true')) {
                $found = $true
            }
        }
    }
}
$found
$parseErrors.Count
"""


@pytest.mark.parametrize("text, expected", [
    ("[CmdletBinding(SupportsShouldProcess)]\nparam()\n'x'", [True, 0]),
    ("[CmdletBinding(SupportsShouldProcess = $True)]\n[OutputType([string])]\nparam([string]$a)", [True, 0]),
    ("[OutputType([string])]\n[CmdletBinding(ConfirmImpact='High', SupportsShouldProcess)]\nparam()", [True, 0]),
    ("[CmdletBinding(SupportsShouldProcess = $false)]\nparam()", [False, 0]),
    ("[CmdletBinding()]\nparam()", [False, 0]),
    ("param()\n'x'", [False, 0]),
    ("'no param block'", [False, 0]),
    ("function f {\n[CmdletBinding(SupportsShouldProcess)]\nparam()\n}", [False, 0]),
    ("[CmdletBinding(SupportsShouldProcess)]\nparam()\nbegin { }\nend { 'x' }", [True, 0]),
    ("[CmdletBinding(SupportsShouldProcess)]\nparam(\nif (", [False, 1]),
])
def test_parse_input_as_win_powershell_reads_it(text, expected):
    rec, result = invoke(fresh(), DETECT, ("Text", text), local=True)
    assert result.state == "Completed", (result, rec.errors)
    assert rec.output == expected


def test_parse_input_reports_parse_errors_through_ref():
    rec, result = invoke(fresh(), "$e = @()\n$null = [System.Management.Automation.Language.Parser]::ParseInput('if (', [ref]$null, "
                                  "[ref]$e)\n$e.Count; $e[0].Message; $e[0].ErrorId")
    assert result.state == "Completed", result
    assert rec.output == [1, "Missing closing ')' in expression.", "MissingEndParenthesisInExpression"]


def test_ast_members_and_tokens_that_are_not_modelled_fail():
    # The front end (syntax/, clr/language.py) models the AST's members; these it does not (ast.cs has them).
    for probe in ("$ast.ParamBlock.Parameters[0].StaticType", "$tokens.Count", "$ast.Copy()", "$ast.ScriptRequirements",
                  "$ast.Extent.StartScriptPosition"):
        _rec, result = invoke(fresh(), "$tokens = $null; $e = $null\n$ast = [System.Management.Automation.Language.Parser]::ParseInput("
                                       "'[CmdletBinding()] param($a)', [ref]$tokens, [ref]$e)\n" + probe)
        assert failure(result)[1] == "ShouldProcessNotModelled", probe


@pytest.mark.parametrize("script, expected", [
    ("$x = 1; $r = [ref]$x; $r.Value = 5; $x", [5]),
    ("$x = 1; $r = [ref]$x; $x = 7; $r.Value", [7]),
    ("$r = [ref]3; $r.Value; $r.Value = 4; $r.Value", [3, 4]),
    ("$r = [ref]$null; $r.Value = 4; $r.Value; $null -eq $null", [None, True]),
])
def test_ref(script, expected):
    rec, result = invoke(fresh(), script)
    assert result.state == "Completed" and rec.output == expected, (result, rec.output, rec.errors)


def test_ref_to_a_variable_that_does_not_exist():
    rec, _result = invoke(fresh(), "$r = [ref]$nothing; 'went on'")
    assert [e[:2] for e in rec.errors] == [("[ref] cannot be applied to a variable that does not exist.",
                                            "NonExistingVariableReference")]
    assert rec.output == ["went on"]


def test_idictionary():
    rec, _result = invoke(fresh(), "@{} -is [System.Collections.IDictionary]; [ordered]@{} -is [Collections.IDictionary]; "
                                   "[PSCustomObject]@{} -is [System.Collections.IDictionary]; 'x' -is [System.Collections.IDictionary]")
    assert rec.output == [True, True, False, False]
