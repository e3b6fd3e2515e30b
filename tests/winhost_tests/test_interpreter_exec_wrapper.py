"""What ansible-core 2.19's bootstrap_wrapper.ps1 and exec_wrapper.ps1 need of the interpreter (issue 10).

Each table row is a script with what Windows PowerShell 5.1 gives, with its source: about_Using,
about_Automatic_Variables ($input is an enumerator, $ExecutionContext, $PWD, $MyInvocation), about_Language_Modes,
about_Intrinsic_Members (.PSObject), ScriptBlock.GetSteppablePipeline / SteppablePipeline (System.Management.Automation),
the .NET docs of String.Equals, HashSet<T>, List<T>, StringComparer, Environment.ExpandEnvironmentVariables,
Path.GetTempPath, ErrorRecord and Cmdlet.ThrowTerminatingError. Then the real bootstrap and exec wrappers, read from
the installed ansible-core, run with a manifest built at test time (ansible's module_manifest) whose action is a small
script of this file: its parameters, its input and its output, and the exec wrapper's error path.
"""

from __future__ import annotations

import json

import pytest

from winhost.powershell import Command, HostServices, Runspace

from test_interpreter import Recorder, plain, run

module_manifest = pytest.importorskip("ansible.executor.powershell.module_manifest")

DOCUMENTS = "C:\\Users\\vagrant\\Documents"
TEMP = "C:\\Users\\vagrant\\AppData\\Local\\Temp"

CASES = [
    # about_Using: `using namespace` prefixes resolve the type names of the script (TypeResolver)
    ("using namespace System.IO\n[Path]::GetFileName('C:\\a\\b.txt')", ["b.txt"]),
    ("using namespace System.Collections.Generic\nusing namespace System.Text\n"
     "$l = [List[string]]::new(); $l.Add('a'); $l.Count; [UTF8Encoding]::new($false).GetBytes('é').Length", [1, 2]),
    ("# a comment first\nusing namespace System.Collections\nfunction f { param([IDictionary]$d) $d.Count }; f @{a = 1}", [1]),
    # String.Equals(string, string[, StringComparison]): ordinal by default
    ("[string]::Equals('a', 'a'); [string]::Equals('a', 'A'); [string]::Equals($null, $null); [string]::Equals('a', $null)",
     [True, False, True, False]),
    ("[string]::Equals(\"`0`0`0`0\", \"`0`0`0`0\"); [string]::Equals('a', 'A', 'OrdinalIgnoreCase')", [True, True]),
    # $ExecutionContext.SessionState.LanguageMode (about_Language_Modes): FullLanguage without a lockdown policy
    ("$ExecutionContext.SessionState.LanguageMode -eq 'FullLanguage'; \"$($ExecutionContext.SessionState.LanguageMode)\"; "
     "$ExecutionContext.SessionState.LanguageMode -eq 'ConstrainedLanguage'", [True, "FullLanguage", False]),
    ("[System.Management.Automation.Security.SystemPolicy]::GetSystemLockdownPolicy() -eq 'Enforce'; "
     "\"$([System.Management.Automation.Security.SystemPolicy]::GetSystemLockdownPolicy())\"", [False, "None"]),
    # .PSObject.Properties of a PSCustomObject: its note properties in order, Name and Value
    ("$o = '{\"a\": 1, \"b\": \"x\"}' | ConvertFrom-Json; foreach ($p in $o.PSObject.Properties) { \"$($p.Name)=$($p.Value)\" }",
     ["a=1", "b=x"]),
    ("$o = [pscustomobject]@{a = 1; b = 2}; $o.PSObject.Properties.Name; ($o.PSObject.Properties | Select-Object -First 1).Value = 5; $o.a",
     ["a", "b", 5]),
    # [Parser]::ParseInput(text, fileName, [ref]tokens, [ref]errors).GetScriptBlock()
    ("$sb = [System.Management.Automation.Language.Parser]::ParseInput('param($a) \"got $a\"', 'x.ps1', [ref]$null, "
     "[ref]$null).GetScriptBlock(); & $sb -a 1; $sb -is [scriptblock]", ["got 1", True]),
    ("$sb = [System.Management.Automation.Language.Parser]::ParseInput(\"using namespace System.IO`nbegin { 'b' }`n"
     "end { [Path]::GetExtension('x.ps1') }\", 'y', [ref]$null, [ref]$null).GetScriptBlock(); & $sb", ["b", ".ps1"]),
    # HashSet<T>: Add returns whether it was added; the comparer decides what is equal
    ("$h = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase); "
     "$h.Add('a'); $h.Add('A'); $h.Contains('a'); $h.Count", [True, False, True, 1]),
    ("$h = [System.Collections.Generic.HashSet[string]]::new(); $h.Add('a'); $h.Add('A'); $h.Count; $h.Remove('a'); $h.Count",
     [True, True, 2, True, 1]),
    # List<T>.Add returns nothing
    ("$l = [System.Collections.Generic.List[string]]::new(); $l.Add('a'); $l.Count; $l -is [System.Collections.Generic.List[string]]",
     [1, True]),
    # Environment.ExpandEnvironmentVariables: %NAME% of a variable that exists, others as written
    ("[Environment]::ExpandEnvironmentVariables('%TEMP%\\x'); [Environment]::ExpandEnvironmentVariables('%NOPE%'); "
     "[Environment]::ExpandEnvironmentVariables('')", [TEMP + "\\x", "%NOPE%", ""]),
    ("[System.IO.Path]::GetTempPath()", [TEMP + "\\"]),
    # $PWD: the session's location, the user's Documents in a remote session
    ("$pwd.Path; \"$pwd\"", [DOCUMENTS, DOCUMENTS]),
    # steppable pipelines: Begin, Process (its output), End (its output), Dispose
    ("$p = { % { $_ * 2 } }.GetSteppablePipeline(); $p.Begin($true); $a = $p.Process(1); $b = $p.Process(2); "
     "$e = $p.End(); $p.Dispose(); $a; $b; $e.Count", [2, 4, 0]),
    ("$p = { ConvertFrom-Json | ForEach-Object { $_.a } }.GetSteppablePipeline(); $p.Begin($true); "
     "$x = $p.Process('{\"a\":'); $y = $p.Process('7}'); $x.Count; $y.Count; $p.End(); $p.Dispose()", [0, 0, 7]),
    ("$p = { Write-Output 'once' }.GetSteppablePipeline(); $p.Begin($false); $p.Process(); $p.End().Count; $p.Dispose()",
     ["once", 0]),
    # [PSScriptMethod]::new + .PSObject.Members.Add: the object gets the method
    ("$o = [pscustomobject]@{ A = 1 }; $m = [PSScriptMethod]::new('Twice', { param($x) $x * 2 }); "
     "$o.PSObject.Members.Add($m); $o.Twice(4)", [8]),
    # $MyInvocation.ExpectingInput: whether the pipeline feeds the command
    ("function f { [CmdletBinding()] param([Parameter(ValueFromPipeline)]$x) end { $MyInvocation.ExpectingInput } }; f; 1 | f",
     [False, True]),
    # a mandatory parameter that takes pipeline input is bound per input object
    ("function f { param([Parameter(Mandatory, ValueFromPipeline)][AllowNull()][object]$x) process { \"p $x\" } }; 1, 2 | f",
     ["p 1", "p 2"]),
    # dot-sourcing a script block variable with parameters: it runs in the caller's scope
    ("$s = { param([switch]$Flag) $v = \"flag $Flag\" }; . $s -Flag; $v; . $s -Flag:$false; $v", ["flag True", "flag False"]),
    # & $object.Member: the command is the member's value
    ("$o = [pscustomobject]@{ Block = { \"ran $args\" } }; & $o.Block 1", ["ran 1"]),
    # a script (param + begin/process/end) fed by `$input | & $cmd @splat`
    ("$cmd = { [CmdletBinding()] param([Parameter(ValueFromPipeline)][string]$InputObject, $Tag) begin { \"begin $Tag\" } "
     "process { \"item $InputObject\" } end { 'end' } }; $splat = @{ Tag = 't' }; 'a', 'b' | & $cmd @splat",
     ["begin t", "item a", "item b", "end"]),
    # `$x = if (...) { } <newline> else { }` is one statement
    ("$c = if ($false) {\n 1\n}\nelse {\n 2\n}\n$c", [2]),
    # [Flags] enums (System.Reflection.BindingFlags, which psrp_put_file.ps1 builds): 'A, B' is the bitwise or, named by
    # its members lowest first (Enum.InternalFlagsFormat); compared with a number or another spelling of the same flags
    ("using namespace System.Reflection\n$b = [BindingFlags]'NonPublic, Instance'; \"$b\"; $b.value__; $b -eq 36; "
     "$b -eq 'Instance,NonPublic'; \"$([System.Management.Automation.ErrorCategory]13)\"",
     ["Instance, NonPublic", 36, True, True, "ObjectNotFound"]),
    # Enum.Parse takes a number's digits as well as names; Enum.HasFlag converts its argument to the enum's type
    ("$b = [System.Reflection.BindingFlags]'48'; \"$b\"; $b.HasFlag([System.Reflection.BindingFlags]::Public); "
     "$b.HasFlag('Instance')", ["Public, NonPublic", True, False]),
    # "`n#" in a string is a newline and '#'; $var\path in argument mode is one word
    ("\"a`n# b\".Length; Write-Output $env:SystemRoot\\System32\\kernel32.dll", [5, "C:\\Windows\\System32\\kernel32.dll"]),
    # $PSCommandPath and $PSScriptRoot: every script block invocation sets them (CompiledScriptBlock.cs,
    # SetPSScriptRootAndPSCommandPath): its File and Path.GetDirectoryName(File), "" without a file, so StrictMode
    # Latest finds them set (2.19's powershell_mkdtemp.ps1 runs the exec wrapper, which reads $PSCommandPath, under it)
    ("Set-StrictMode -Version Latest; \"[$PSCommandPath]\"; \"[$PSScriptRoot]\"; & { \"[$PSCommandPath]\" }",
     ["[]", "[]", "[]"]),
    ("$sb = [System.Management.Automation.Language.Parser]::ParseInput('Set-StrictMode -Version Latest; "
     "\"$PSCommandPath|$PSScriptRoot\"; & { $PSCommandPath }', 'exec_wrapper.ps1', [ref]$null, [ref]$null).GetScriptBlock(); "
     "& $sb; \"[$PSCommandPath]\"", ["exec_wrapper.ps1|", "exec_wrapper.ps1", "[]"]),
    ("& ([System.Management.Automation.Language.Parser]::ParseInput('\"$PSCommandPath|$PSScriptRoot\"', 'C:\\a\\b.ps1', "
     "[ref]$null, [ref]$null).GetScriptBlock())", ["C:\\a\\b.ps1|C:\\a"]),
    # A script file, run and dot-sourced: its path during it (a function it defines sees it too), the caller's after
    ("$null = New-Item -Path C:\\s -ItemType Directory -Force; "
     "Set-Content -Path C:\\s\\t.ps1 -Value '\"$PSCommandPath|$PSScriptRoot\"; function f { $PSScriptRoot }; f'; "
     "& C:\\s\\t.ps1; . C:\\s\\t.ps1; \"[$PSCommandPath]\"",
     ["C:\\s\\t.ps1|C:\\s", "C:\\s", "C:\\s\\t.ps1|C:\\s", "C:\\s", "[]"]),
]


@pytest.mark.parametrize("script, expected", CASES, ids=[c[0][:70] for c in CASES])
def test_chain_constructs(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


def test_input_is_an_enumerator_that_a_broken_foreach_leaves_where_it_stopped() -> None:
    """The bootstrap reads $input up to the four-NUL marker, then pipes the rest of $input on."""
    script = ("$first = foreach ($in in $input) { if ([string]::Equals($in, \"`0`0`0`0\")) { break }; $in }\n"
              "$first; $input | ForEach-Object { \"rest $_\" }; @($input).Count")
    rec, result = run(script, input_items=["x", "\0\0\0\0", "y", "z"])
    assert result.state == "Completed" and not rec.errors
    assert plain(rec.output) == ["x", "rest y", "rest z", 0]


def test_throw_terminating_error_names_the_function() -> None:
    """Cmdlet.ThrowTerminatingError from an advanced function: the record's FullyQualifiedErrorId gains the command's
    name and its CategoryInfo names it as the activity (ErrorRecord.SetInvocationInfo)."""
    script = """using namespace System.Management.Automation
function Get-Thing {
    [CmdletBinding()] param($Name)
    $err = [ErrorRecord]::new([Exception]::new("Could not find '$Name'."), "ThingNotFound", [ErrorCategory]::ObjectNotFound, $Name)
    $PSCmdlet.ThrowTerminatingError($err)
}
try { Get-Thing -Name x } catch { "$_"; $_.FullyQualifiedErrorId; "$($_.CategoryInfo)"; $_.Exception.GetType().FullName }"""
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors
    assert plain(rec.output) == ["Could not find 'x'.", "ThingNotFound,Get-Thing",
                                 "ObjectNotFound: (x:String) [Get-Thing], Exception", "System.Exception"]


def test_console_encoding_cannot_be_set_without_a_console() -> None:
    """A PSRP session (wsmprovhost) has no console: exec_wrapper.ps1 expects this assignment to throw."""
    rec, result = run("try { [Console]::InputEncoding = [Console]::OutputEncoding = [System.Text.UTF8Encoding]::new() } "
                      "catch { $_.FullyQualifiedErrorId; \"$_\" }")
    assert result.state == "Completed" and not rec.errors
    assert plain(rec.output) == ["ExceptionWhenSetting", 'Exception setting "OutputEncoding": "The handle is invalid."']


def test_stop_preference_makes_an_error_terminating_under_a_callers_try() -> None:
    rec, result = run("function f { $ErrorActionPreference = 'Stop'; $null.Foo(); 'not here' }; "
                      "try { f } finally { 'fin' }; 'not reached'")
    assert result.state == "Failed" and str(result.error.FullyQualifiedErrorId) == "InvokeMethodOnNull"
    assert plain(rec.output) == ["fin"]


@pytest.mark.parametrize("script, what", [
    ("$ExecutionContext.InvokeProvider", "The $ExecutionContext member 'InvokeProvider'"),
    # Reflection on $Host's internals beyond what psrp_put_file.ps1 reads (test_interpreter_remoting_host.py): a trip
    ("$Host.GetType().GetProperty('Runspace', [System.Reflection.BindingFlags]'NonPublic, Instance')",
     "Reflection on [System.Management.Automation.Internal.Host.InternalHost] (the System.Type method GetProperty for "
     "'Runspace', Instance, NonPublic)"),
])
def test_an_unmodelled_member_of_the_engine_objects_trips(script: str, what: str) -> None:
    rec, result = run(script)
    assert result.state == "Failed" and str(result.error.FullyQualifiedErrorId) == "NotModelledByTestHost", rec.output
    assert str(result.error.Exception.Message).startswith(what)


# ---------------------------------------------------------------------------------------------------------------
# The real wrappers of the installed ansible-core, fed as ansible.builtin.psrp feeds them (the powershell shell
# plugin's bootstrap script, its input split into lines: the bootstrap JSON, the four-NUL marker, the manifest)
# ---------------------------------------------------------------------------------------------------------------

ACTION = """[CmdletBinding()]
param (
    [Parameter(ValueFromPipeline)]
    [string]
    $InputObject,

    [Parameter(Mandatory)]
    [string]
    $Greeting,

    [int]
    $Times = 1
)
begin { $lines = [System.Collections.Generic.List[string]]::new() }
process { if ($InputObject) { $lines.Add($InputObject) } }
end {
    @{
        greeting = ($Greeting * $Times)
        lines = @($lines)
        expecting_input = $MyInvocation.ExpectingInput
        language_mode = "$($ExecutionContext.SessionState.LanguageMode)"
    } | ConvertTo-Json -Compress
}
"""


class HostCallRecorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.host_calls: list = []

    def host_call(self, method: str, parameters: list) -> None:
        self.host_calls.append((method, parameters))


def run_wrapper(actions: list, scripts: dict[str, str], action_input: list[str] | None = None):
    """Run bootstrap_wrapper.ps1 as ansible sends it: the script text, and its input as lines."""
    manifest = module_manifest._ExecManifest()  # pylint: disable=protected-access
    for name, text in scripts.items():
        manifest.scripts[name] = module_manifest._ScriptInfo(content=text.encode(), path=name)  # pylint: disable=protected-access
    for name, params in actions:
        manifest.actions.append(module_manifest._ManifestAction(name=name, params=params))  # pylint: disable=protected-access
    data = module_manifest._get_bootstrap_input(manifest)  # pylint: disable=protected-access
    if action_input is not None:
        data += b"\n\0\0\0\0\n" + "\n".join(action_input).encode()
    bootstrap = module_manifest._get_powershell_script("bootstrap_wrapper.ps1").decode()  # pylint: disable=protected-access
    rec = HostCallRecorder()
    result = Runspace(HostServices()).invoke([Command(bootstrap, is_script=True)], input=data.decode().splitlines(), writer=rec)
    return rec, result


def test_the_real_wrappers_run_an_action_with_its_parameters_and_no_input() -> None:
    rec, result = run_wrapper([("action.ps1", {"Greeting": "hi", "Times": 2})], {"action.ps1": ACTION})
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert [json.loads(o) for o in plain(rec.output)] == [
        {"greeting": "hihi", "lines": [], "expecting_input": False, "language_mode": "FullLanguage"}]
    assert not rec.host_calls


def test_the_real_wrappers_pipe_what_follows_the_second_marker_to_the_action() -> None:
    rec, result = run_wrapper([("action.ps1", {"Greeting": "yo"})], {"action.ps1": ACTION}, ["first line", "second line"])
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert [json.loads(o) for o in plain(rec.output)] == [
        {"greeting": "yo", "lines": ["first line", "second line"], "expecting_input": True, "language_mode": "FullLanguage"}]


def test_the_exec_wrappers_error_path_reports_json_and_exit_code_1() -> None:
    """An action the manifest does not hold: Get-AnsibleScript's ThrowTerminatingError reaches the end block's catch,
    Write-AnsibleErrorJson writes the failure as JSON and calls $host.SetShouldExit(1). Its finally then calls
    Dispose() on the action pipeline that was never made: under the wrapper's $ErrorActionPreference Stop that error
    ends the pipeline, as it does on Windows (psrp reads rc 1 from SetShouldExit and the JSON from the output)."""
    rec, result = run_wrapper([("missing.ps1", {})], {"action.ps1": ACTION})
    # ThrowTerminatingError gives the record the function's MyInvocation (MshCommandRuntime: SetInvocationInfo), whose
    # position is the call `Get-AnsibleScript -Name ...` in exec_wrapper.ps1; PositionMessage cuts that 79-character
    # line to 69 around the command (Position.cs VerboseMessage: 14 characters before it, "... " in front).
    # ScriptStackTrace is not modelled (STATUS.md): its line is empty.
    wrapper = module_manifest._get_powershell_script("exec_wrapper.ps1").decode()  # pylint: disable=protected-access
    call = "        $actionScript = Get-AnsibleScript -Name $actionName -IncludeScriptBlock"
    line = wrapper.splitlines().index(call) + 1
    assert [json.loads(o) for o in plain(rec.output)] == [{
        "failed": True,
        "msg": "failure during exec_wrapper: Could not find the script 'missing.ps1'.",
        "exception": "Could not find the script 'missing.ps1'.\r\n"
                     f"At line:{line} char:25\r\n"
                     "+ ... ctionScript = Get-AnsibleScript -Name $actionName -IncludeScriptBlock\r\n"
                     "+                   " + "~" * 55 + "\r\n"
                     "+ CategoryInfo          : ObjectNotFound: (missing.ps1:String) [Get-AnsibleScript], Exception\r\n"
                     "+ FullyQualifiedErrorId : ScriptNotFound,Get-AnsibleScript\r\n\r\nScriptStackTrace:\r\n",
    }]
    assert rec.host_calls == [("SetShouldExit", [1])]
    assert result.state == "Failed" and str(result.error.FullyQualifiedErrorId) == "InvokeMethodOnNull"


def test_an_action_that_throws_fails_through_the_exec_wrapper() -> None:
    rec, result = run_wrapper([("action.ps1", {})], {"action.ps1": "throw 'boom'"})
    out = [json.loads(o) for o in plain(rec.output)]
    assert [(o["failed"], o["msg"]) for o in out] == [(True, "failure during exec_wrapper: boom")]
    assert "+ FullyQualifiedErrorId : boom\r\n" in out[0]["exception"]
    assert rec.host_calls == [("SetShouldExit", [1])]
    assert result.state == "Completed", result
