"""What ansible-core's module_wrapper.ps1, Ansible.ModuleUtils.AddType.psm1 and Legacy.psm1 need of the interpreter.

Each row is a script with what Windows PowerShell 5.1 gives, from the documentation cited on the
row's group: about_Using, about_Special_Characters, about_Scopes / about_Providers (the Function:
drive), about_Methods, about_Intrinsic_Members, about_Parameter_Sets, the PowerShell SDK (class
System.Management.Automation.PowerShell, Runspace.SessionStateProxy, PSScriptMethod), the .NET
Framework docs (Environment, Console, StringBuilder, StringWriter, Regex/Match/Group, IntPtr,
List<T>, HashSet<T>, System.CodeDom.Compiler, Microsoft.CSharp.CSharpCodeProvider, Assembly) and
PowerShell's source where the docs are silent (LocalPipeline.InvokeHelper: `exit` in a pipeline
that is not nested tells its own host and leaves $LASTEXITCODE alone; CommandDiscovery: a function
added with useLocalScope false runs in the caller's scope).
"""

from __future__ import annotations

import pytest

from winhost.powershell import Command, HostServices, Runspace, standins, typeregistry

from test_interpreter import Recorder, plain, run
from test_interpreter_should_process import HostRecorder


def ok(script: str, rs: Runspace | None = None) -> list:
    rec, result = run(script, rs)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


LANGUAGE_CASES = [
    # New-TimeSpan (its docs; win_stat's epoch times): End - Start, or the span of -Days/-Hours/-Minutes/-Seconds.
    ("(New-TimeSpan -Start ([datetime]'2020-01-01') -End ([datetime]'2020-01-02 00:00:30')).TotalSeconds", [86430.0]),
    ("(New-TimeSpan -Hours 2 -Minutes 1).TotalMinutes", [121.0]),
    # about_Parsing: in argument mode a list of dashed barewords is a list of strings (FileUtil.psm1's
    # `Export-ModuleMember -Function Test-AnsiblePath, Get-AnsibleItem`); the dash is no parameter there.
    ("function f { param([string[]]$Function) $Function -join '|' }\nf -Function Test-AnsiblePath, Get-AnsibleItem",
     ["Test-AnsiblePath|Get-AnsibleItem"]),
    # about_Using: `using namespace` lines lead the script; the TypeResolver tries each prefix.
    ("# comment\n<# block\n#>\nusing namespace System.Collections\nusing namespace System.Text\n"
     "[IDictionary].FullName; [Encoding]::UTF8.GetBytes('A')", ["System.Collections.IDictionary", 65]),
    ("using namespace System.Management.Automation\n[PowerShell].FullName", ["System.Management.Automation.PowerShell"]),
    # about_Special_Characters: an escaped ordinary character is itself, and `#` inside a string is no comment.
    ('"*`r`n# SIG # Begin`r`n*".Length', [19]),
    ('if ("a`r`n# x" -like "*`r`n# x") { "matched" }', ["matched"]),
    # A typed array parameter converts each element ([IDictionary[]], [string[]]).
    ("using namespace System.Collections\nfunction f([IDictionary[]]$v) { $v.Count; $v[1].b }; f @(@{a=1}, @{b=2})", [2, 2]),
    ("$a = [System.Collections.IDictionary[]]@(@{a=1}); $a[0].a", [1]),
    ("$a = [System.Collections.IDictionary[]]@{b=2}; $a.Count; $a[0].b", [1, 2]),
    # Generic type names with their arity (`List`1[T]`) are the same types as `List[T]`.
    ("$l = [System.Collections.Generic.List`1[Hashtable]]@(); $l.Add(@{a=1}); $l.Count; $l[0].a", [1, 1]),
    ("$l = [System.Collections.Generic.List[string]]@(1, 2); $l[1].GetType().Name", ["String"]),
    # HashSet<T>.Add returns whether the item was added; duplicates are dropped by the conversion too.
    ("$h = [System.Collections.Generic.HashSet`1[String]]@('a', 'b', 'a'); $h.Count; $h.Add('c'); $h.Add('a'); "
     "$h.Contains('b'); [string[]]$h -join ','", [2, True, False, True, "a,b,c"]),
    # An operator inside a method argument.
    ('$c = [System.Collections.ArrayList]@(); $null = $c.Add("/define:" + ([String]::Join(";", @("A", "B")))); '
     '$null = $c.Add(3 * 2 - 1); $c', ["/define:A;B", 5]),
    # [IntPtr]::Size is 8 in a 64-bit process (wsmprovhost.exe on x64 Windows).
    ("[System.IntPtr]::Size", [8]),
]


@pytest.mark.parametrize("script,expected", LANGUAGE_CASES, ids=[c[0][:60] for c in LANGUAGE_CASES])
def test_language(script, expected):
    assert ok(script) == expected


def test_a_function_resolves_type_names_through_the_using_statements_of_its_own_script():
    # about_Using: `using namespace` applies to the script it is in, its functions too wherever they are called from;
    # a script without it does not see the namespace.
    rs = Runspace()
    rec, result = run("using namespace System.Text\nfunction global:New-Text { [StringBuilder]::new('x').Append('y').ToString() }",
                      rs)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    rec, result = run("New-Text; [StringBuilder]", rs)
    assert plain(rec.output) == ["xy"]
    assert [e[0] for e in rec.errors] == ["Unable to find type [StringBuilder]."], rec.errors


FUNCTION_DRIVE_CASES = [
    # about_Providers (Function provider): assigning a script block to ${function:name} defines the function, whatever
    # characters the name holds; a string is parsed as the body; $null removes it.
    ('${function:<AnsibleModule>} = { param($a) "got $a" }; & "<AnsibleModule>" x', ["got x"]),
    ("${function:f} = '\"from text $args\"'; f 1 2", ["from text 1 2"]),
    ("${function:f} = { 1 }; ${function:f} = $null; Test-Path Function:f", [False]),
    ("$function:g = { 'g' }; g; (Get-Command g).CommandType", ["g", "Function"]),
]


@pytest.mark.parametrize("script,expected", FUNCTION_DRIVE_CASES, ids=[c[0][:60] for c in FUNCTION_DRIVE_CASES])
def test_function_drive(script, expected):
    assert ok(script) == expected


PARSER_CASES = [
    # Parser.ParseInput(input, fileName, [ref]tokens, [ref]errors).GetScriptBlock(): the script as a script block,
    # its param block and `using namespace` lines included.
    ("$sb = [System.Management.Automation.Language.Parser]::ParseInput('param($x) \"x=$x\"', 'a.ps1', [ref]$null, "
     "[ref]$null).GetScriptBlock(); & $sb -x 3", ["x=3"]),
    ("$t = \"using namespace System.Text`n[StringBuilder]::new('s').Append('t').ToString()\"; "
     "$sb = [System.Management.Automation.Language.Parser]::ParseInput($t, 'b.ps1', [ref]$null, [ref]$null).GetScriptBlock(); "
     "& $sb", ["st"]),
]


@pytest.mark.parametrize("script,expected", PARSER_CASES, ids=[c[0][:60] for c in PARSER_CASES])
def test_parse_input_get_script_block(script, expected):
    assert ok(script) == expected


def test_get_script_block_of_a_script_with_errors_throws_the_parse_error():
    rec, _result = run("$errs = $null; $ast = [System.Management.Automation.Language.Parser]::ParseInput('if (', 'c.ps1', [ref]$null, "
                       "[ref]$errs); $errs.Count -gt 0; try { $ast.GetScriptBlock() } catch { 'caught' }")
    assert plain(rec.output) == [True, "caught"]


NESTED_CASES = [
    # PowerShell SDK, class PowerShell: Create() makes a new runspace; Add* return the PowerShell so calls chain;
    # Invoke() returns the output objects (the same objects: one process, nothing serialized).
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('1; 2'); $out = $ps.Invoke(); $out.Count; $out[1]", [2, 2]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddCommand('Write-Output').AddParameters(@{InputObject = 'p'}); $ps.Invoke()",
     ["p"]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('param($a, $b) \"$a-$b\"').AddArgument(1).AddArgument(2); $ps.Invoke()",
     ["1-2"]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('param($Name) \"n=$Name\"', $true).AddParameters(@{Name = 'x'}); "
     "$ps.Invoke()", ["n=x"]),
    # AddStatement: the statements run one after the other in the same runspace.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddCommand('Set-Variable').AddParameters(@{Name = 'v'; Value = 5; "
     "Scope = 'Global'}).AddStatement().AddScript('$v * 2'); $ps.Invoke()", [10]),
    # A hashtable passed in is the same object (same process).
    ("$h = @{}; $ps = [PowerShell]::Create(); $null = $ps.AddScript('param($t) $t.added = 1', $true).AddArgument($h); "
     "$null = $ps.Invoke(); $h.added", [1]),
    # Session state is the new runspace's own: the parent's variables and functions are not there.
    ("$mine = 'parent'; function pf { 'pf' }; $ps = [PowerShell]::Create(); $null = $ps.AddScript("
     "'$null -eq $mine; Test-Path Function:pf'); $ps.Invoke()", [True, False]),
    # Runspace.SessionStateProxy reads and writes the nested runspace's global variables.
    ("$ps = [PowerShell]::Create(); $ps.Runspace.SessionStateProxy.SetVariable('ErrorActionPreference', 'Stop'); "
     "$null = $ps.AddScript('$ErrorActionPreference; $global:r = 7'); $ps.Invoke(); "
     "$ps.Runspace.SessionStateProxy.GetVariable('r'); $null -eq $ps.Runspace.SessionStateProxy.GetVariable('nope')",
     ["Stop", 7, True]),
    # Environment variables belong to the process: set on either side, seen on the other.
    ("[Environment]::SetEnvironmentVariable('CHAIN_A', 'outer'); $ps = [PowerShell]::Create(); $null = $ps.AddScript("
     "'$env:CHAIN_A; $env:CHAIN_B = \"inner\"'); $ps.Invoke(); $env:CHAIN_B", ["outer", "inner"]),
    # Non-terminating errors go to Streams.Error (ErrorRecords) and set HadErrors; the output still comes back.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('Write-Error \"e1\"; \"after\"'); $ps.Invoke(); $ps.HadErrors; "
     "$ps.Streams.Error.Count; \"$($ps.Streams.Error[0])\"", ["after", True, 1, "e1"]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('Write-Warning w; Write-Verbose v -Verbose'); $null = $ps.Invoke(); "
     "$ps.Streams.Warning[0]; $ps.Streams.Verbose[0]; $ps.HadErrors", ["w", "v", False]),
    # exit ends the whole invocation; the output so far is returned; $LASTEXITCODE is not set (a top-level pipeline,
    # LocalPipeline.InvokeHelper) and the parent's host hears nothing.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('\"one\"; exit 3; \"two\"').AddStatement().AddScript('\"three\"'); "
     "$ps.Invoke(); $null -eq $ps.Runspace.SessionStateProxy.GetVariable('LASTEXITCODE')", ["one", True]),
    # A function added with useLocalScope $false runs in the runspace's global scope (dot-sourced).
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('function f { $fv = 1 }').AddStatement().AddCommand('f', $false)"
     ".AddStatement().AddScript('$fv'); $ps.Invoke()", [1]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('function f { $fv = 1 }').AddStatement().AddCommand('f')"
     ".AddStatement().AddScript('$null -eq $fv'); $ps.Invoke()", [True]),
    # A function named Write-Host defined in the nested runspace shadows the cmdlet there (module_wrapper.ps1 does so).
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('Function Write-Host($msg) { Write-Output -InputObject $msg }')"
     ".AddStatement().AddScript('Write-Host hi'); $ps.Invoke()", ["hi"]),
]


@pytest.mark.parametrize("script,expected", NESTED_CASES, ids=[c[0][:70] for c in NESTED_CASES])
def test_nested_powershell(script, expected):
    assert ok(script) == expected


def test_a_terminating_error_in_the_nested_powershell_is_a_method_invocation_exception_over_its_error_record():
    # The adapter wraps a .NET method's exception: MethodInvocationException, InnerException the RuntimeException whose
    # ErrorRecord is the nested pipeline's (what module_wrapper.ps1's Write-AnsibleErrorDetail unwraps).
    script = ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('\"before\"; throw \"boom\"; \"not reached\"'); "
              "try { $ps.Invoke() } catch { $_.Exception.GetType().FullName; $_.Exception.Message; "
              "\"$($_.Exception.InnerException.ErrorRecord)\"; $_.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId }; "
              "$ps.HadErrors")
    assert ok(script) == ["System.Management.Automation.MethodInvocationException",
                          'Exception calling "Invoke" with "0" argument(s): "boom"', "boom", "boom", True]


# The nested runspace's host is the default host of a runspace created without one (RunspaceFactory.CreateRunspace():
# DefaultHost, whose UI is null), not the client's. The engine's InternalHostUserInterface returns from Write,
# WriteLine and WriteErrorLine without a word when the UI it wraps is null, so what reaches "the host" there is dropped:
# ShouldProcess's "What if:" line (MshCommandRuntime.DoShouldProcess: CBhost.UI.WriteLine), Write-Host's text
# (MshCommandRuntime.WriteInformation: CBhost.InternalUI.WriteLine; the record still goes to Streams.Information) and
# $host.UI.Write*. Source: PowerShell/PowerShell 60b3b30 (2016, the 5.1 code base), engine/hostifaces/DefaultHost.cs,
# ConnectionFactory.cs, PowerShell.cs, InternalHostUserInterface.cs, engine/MshCommandRuntime.cs.
NESTED_HOST_CASES = [
    # win_file --check: New-Item -WhatIf creates nothing, writes no output, and its "What if:" line goes nowhere.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('New-Item -Path C:\\nested_whatif.txt -ItemType File -WhatIf; "
     "\"after\"'); $ps.Invoke(); $ps.HadErrors; Test-Path C:\\nested_whatif.txt", ["after", False, False]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('function f { [CmdletBinding(SupportsShouldProcess)] param() "
     "$PSCmdlet.ShouldProcess(\"t\") }; f -WhatIf'); $ps.Invoke()", [False]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('$WhatIfPreference = $true; New-Item C:\\pref_whatif -ItemType "
     "Directory; Test-Path C:\\pref_whatif'); $ps.Invoke()", [False]),
    # Write-Host: the text is not shown anywhere; the information record is in Streams.Information.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('Write-Host shown; \"out\"'); $ps.Invoke(); "
     "$ps.Streams.Information.Count; \"$($ps.Streams.Information[0])\"", ["out", 1, "shown"]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('Write-Host -NoNewline -ForegroundColor Red r; 1'); $ps.Invoke()",
     [1]),
    # $host there is InternalHost over DefaultHost (DefaultHost.cs: Name "Default Host", Version the engine's PSVersion,
    # SetShouldExit a no-op); its UI is the engine's InternalHostUserInterface. The session's own $host is unchanged.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('$host.Name; $host.Version.Major; \"$host\"; "
     "$host.UI.GetType().FullName; $host.SetShouldExit(3); \"after\"'); $ps.Invoke(); $host.Name",
     ["Default Host", 5, "System.Management.Automation.Internal.Host.InternalHost",
      "System.Management.Automation.Internal.Host.InternalHostUserInterface", "after", "ServerRemoteHost"]),
    # DefaultHost.EnterNestedPrompt throws NotSupportedException: a method's exception, a statement-terminating error.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('$host.EnterNestedPrompt(); \"after\"'); $ps.Invoke(); "
     "$ps.Streams.Error[0].Exception.Message",
     ["after", 'Exception calling "EnterNestedPrompt" with "0" argument(s): "Specified method is not supported."']),
    # $host.UI.Write/WriteLine/WriteErrorLine: dropped, the script goes on.
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('$host.UI.WriteLine(\"x\"); $host.UI.WriteLine(); "
     "$host.UI.Write(\"y\"); $host.UI.WriteErrorLine(\"z\"); \"after\"'); $ps.Invoke(); $ps.HadErrors",
     ["after", False]),
]


@pytest.mark.parametrize("script,expected", NESTED_HOST_CASES, ids=[c[0][:70] for c in NESTED_HOST_CASES])
def test_what_the_nested_powershell_writes_to_its_host_is_dropped(script, expected):
    rec = HostRecorder()  # a session whose client has a host: the session's own host calls would reach it
    result = Runspace().invoke([Command(script, is_script=True)], writer=rec)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected
    assert rec.host_calls == []  # nothing reaches the session's own host (the client) either


def test_the_session_itself_still_tells_its_host():
    # The contrast: the same -WhatIf in the session's own runspace reaches the client's host (ServerRemoteHost).
    rec = HostRecorder()
    Runspace().invoke([Command("New-Item -Path C:\\w.txt -ItemType File -WhatIf", is_script=True)], writer=rec)
    assert rec.host_calls == [("WriteLine2", ['What if: Performing the operation "Create File" on target '
                                              '"Destination: C:\\w.txt".'])]


@pytest.mark.parametrize("call", ["$host.UI.WriteWarningLine(\"x\")", "$host.UI.WriteVerboseLine(\"x\")",
                                  "$host.UI.ReadLine()", "$host.UI.RawUI", "$host.CurrentCulture"])
def test_other_host_members_in_the_nested_powershell_are_not_modelled(call):
    # WriteWarningLine/WriteVerboseLine/WriteDebugLine feed the PowerShell's informational buffers (its Streams) before
    # the null UI, ReadLine throws (not interactive), RawUI's members throw: not modelled, so an error, never dropped.
    rec = HostRecorder()
    Runspace().invoke([Command("$ps = [PowerShell]::Create(); $null = $ps.AddScript('" + call + "'); "
                               "try { $ps.Invoke() } catch { $_.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId }",
                               is_script=True)], writer=rec)
    assert plain(rec.output) == ["ShouldProcessNotModelled"]
    assert rec.host_calls == []


PROCESS_CASES = [
    # Environment.SetEnvironmentVariable(name, value[, Process]): $null or "" deletes the variable (.NET docs).
    ("[Environment]::SetEnvironmentVariable('CHAIN_E', 'v'); $env:CHAIN_E; [Environment]::GetEnvironmentVariable('CHAIN_E')",
     ["v", "v"]),
    ("$env:CHAIN_F = 'x'; [System.Environment]::SetEnvironmentVariable('CHAIN_F', $null, 'Process'); Test-Path Env:CHAIN_F",
     [False]),
    # ExpandEnvironmentVariables: %NAME% of a variable that is not set stays as it is.
    ("$env:CHAIN_G = 'gee'; [Environment]::ExpandEnvironmentVariables('%CHAIN_G%\\x-%CHAIN_NOPE%')", ["gee\\x-%CHAIN_NOPE%"]),
    # StringBuilder / StringWriter: a writer over a builder appends to it.
    ("$sb = [System.Text.StringBuilder]::new(); $w = [System.IO.StringWriter]::new($sb); $w.Write('a'); $w.WriteLine('b'); "
     "$w.Dispose(); $sb.ToString(); $sb.Length", ["ab\r\n", 4]),
    ("$sb = [System.Text.StringBuilder]::new('x'); $null = $sb.Append(1).AppendLine(); \"$sb\"", ["x1\r\n"]),
    # Console.SetOut replaces the process' console writer; Console.Out gives it back.
    ("$orig = [Console]::Out; $w = [System.IO.StringWriter]::new([System.Text.StringBuilder]::new()); [Console]::SetOut($w); "
     "[Console]::Out -eq $w; [Console]::SetOut($orig); "
     "[Console]::Out -eq $orig", [True, True]),
    # ansible-core 2.21's exec wrapper sets .NET Framework's private Console._outputEncoding by reflection (PSRP has no
    # console to set OutputEncoding on); the test host keeps it, and starts no process that would read it.
    ("[Console].GetField('_outputEncoding', [System.Reflection.BindingFlags]'NonPublic, Static').SetValue($null, "
     "[System.Text.UTF8Encoding]::new()); 'set'", ["set"]),
    # Console.Write/WriteLine write to Console.Out, whatever SetOut made it (System.Console docs): how module_wrapper.ps1
    # collects what Ansible.Basic's ExitJson writes.
    ("$o = [Console]::Out; $sb = [System.Text.StringBuilder]::new(); [Console]::SetOut([System.IO.StringWriter]::new($sb)); "
     "[Console]::WriteLine('x'); [Console]::Write(5); [Console]::SetOut($o); $sb.ToString()", ["x\r\n5"]),
]


@pytest.mark.parametrize("script,expected", PROCESS_CASES, ids=[c[0][:60] for c in PROCESS_CASES])
def test_process_wide_types(script, expected):
    assert ok(script) == expected


MEMBER_CASES = [
    # about_Methods: a method named without parentheses is a PSMethod (truthy; shows its overload definitions).
    ("$h = @{}; [bool]$h.GetType; -not $h.GetType; \"$($h.GetType)\"", [True, False, "type GetType()"]),
    ("(5).ToString.Invoke(); $h = @{}; $h.GetType.Name", ["5", "GetType"]),
    # about_Intrinsic_Members: psobject of a property bag: its properties in order, and members added to it.
    ("$o = [PSCustomObject]@{a = 1; b = 'x'}; foreach ($p in $o.PSObject.Properties) { \"$($p.Name)=$($p.Value)\" }",
     ["a=1", "b=x"]),
    ("$o = [PSCustomObject]@{Tmpdir = 'C:\\t'}; $m = [PSScriptMethod]::new('Warn', { param($msg) \"warned $msg\" }); "
     "$o.PSObject.Members.Add($m); $o.Warn('w'); $o.Tmpdir", ["warned w", "C:\\t"]),
    # .NET Regex: [Regex]'p' is case-sensitive; Groups[name] of a group that did not take part: Success $false, Value "".
    ("$r = [Regex]'//\\s*Ref\\s+-(?<P>Name|Type)\\s+(?<N>[\\w.]*)(\\s+-CLR\\s+(?<CLR>Core|Framework))?'; "
     "$ms = $r.Matches(\"a`n//Ref -Name x.dll -CLR Core`n//Ref -Type T.y\"); $ms.Count; "
     "foreach ($m in $ms) { \"$($m.Groups['P'].Value)|$($m.Groups['N'].Value)|$($m.Groups['CLR'].Value)|$($m.Groups['CLR'].Success)\" }",
     [2, "Name|x.dll|Core|True", "Type|T.y||False"]),
    ("([Regex]'ab').Matches('xAB').Count; ([Regex]'ab').IsMatch('xab'); ([Regex]'b+').Replace('abbc', '-')", [0, True, "a-c"]),
    # about_Parameter_Sets: a parameter of one set puts the call in that set; no sets at all: __AllParameterSets.
    ("function f { param([Parameter(Mandatory, ParameterSetName = 'A')]$x, [Parameter(ParameterSetName = 'B')]$y, $z) "
     "$PSCmdlet.ParameterSetName }; f -x 1; f -y 2 -z 3", ["A", "B"]),
    ("function f { [CmdletBinding()] param($a) $PSCmdlet.ParameterSetName }; f", ["__AllParameterSets"]),
    # A mandatory parameter of the other set is not required.
    ("function f { param([Parameter(Mandatory = $true, ParameterSetName = 'M')][Object]$m, "
     "[Parameter(ParameterSetName = 'N')][String]$n) \"$($PSCmdlet.ParameterSetName):$n\" }; f -n v", ["N:v"]),
    # Join-Path: one backslash between parent and child whatever separators they bring; one result per -Path.
    ("Join-Path C:\\a b; Join-Path -Path 'C:\\a\\' -ChildPath '\\b/c'; Join-Path 'C:\\x', 'C:\\y' z",
     ["C:\\a\\b", "C:\\a\\b\\c", "C:\\x\\z", "C:\\y\\z"]),
]


@pytest.mark.parametrize("script,expected", MEMBER_CASES, ids=[c[0][:60] for c in MEMBER_CASES])
def test_members(script, expected):
    assert ok(script) == expected


def test_parameter_sets_named_together_are_ambiguous():
    rec, _result = run("function f { param([Parameter(ParameterSetName = 'A')]$x, [Parameter(ParameterSetName = 'B')]$y) 1 }; "
                       "f -x 1 -y 2")
    assert [e[:2] for e in rec.errors] == [("Parameter set cannot be resolved using the specified named parameters.",
                                            "AmbiguousParameterSet")]


def test_join_path_on_a_drive_that_does_not_exist():
    rec, _result = run("Join-Path Q:\\a b")
    assert [e[:2] for e in rec.errors] == [("Cannot find drive. A drive with the name 'Q' does not exist.",
                                            "DriveNotFound,Microsoft.PowerShell.Commands.JoinPathCommand")]


# ------------------------------------------------------------------ CodeDom through the stand-ins

TEST_SOURCE = """using System;
//TypeAccelerator -Name ChainGadget -TypeName Gadget
namespace ChainTest.Gadgets
{
    public class Gadget { public static int Size = 3; }
}
"""


@pytest.fixture(name="gadget_standin")
def gadget_standin_fixture():
    """A stand-in for the test namespace ChainTest.Gadgets (removed after the test)."""
    loaded: list[str] = []

    def loader(source: str) -> None:
        loaded.append(source)
        typeregistry.register(typeregistry.NetType("ChainTest.Gadgets.Gadget", static_properties={"Size": lambda: 3}))
    standins.register_standin("ChainTest.Gadgets", loader)
    yield loaded
    standins._STANDINS.pop("chaintest.gadgets", None)  # pylint: disable=protected-access
    typeregistry._TYPES.pop("chaintest.gadgets.gadget", None)  # pylint: disable=protected-access
    typeregistry._ACCELERATORS.pop("chaingadget", None)  # pylint: disable=protected-access


CODEDOM_SETUP = """
param($src)
$p = New-Object -TypeName System.CodeDom.Compiler.CompilerParameters
$p.GenerateExecutable = $false
$p.GenerateInMemory = $true
$p.TreatWarningsAsErrors = $true
$p.TempFiles = (New-Object -TypeName System.CodeDom.Compiler.TempFileCollection -ArgumentList 'C:\\Windows\\TEMP\\x', $false)
$p.ReferencedAssemblies.AddRange([System.Collections.Generic.HashSet`1[String]]@('System.dll', 'System.dll',
    ([System.Reflection.Assembly]::GetAssembly([PSObject])).Location))
$p.CompilerOptions = '/optimize /define:AMD64;WINDOWS'
$provider = New-Object -TypeName Microsoft.CSharp.CSharpCodeProvider
"""


def test_compile_assembly_from_source_loads_the_stand_in(gadget_standin):
    rs = Runspace()
    rec = Recorder()
    script = CODEDOM_SETUP + """
$compile = $provider.CompileAssemblyFromSource($p, [System.Collections.Generic.List`1[string]]@($src))
$compile.Errors.HasErrors
$compile.Errors.Count
$compile.CompiledAssembly.GetTypes() | ForEach-Object { $_.FullName }
[ChainTest.Gadgets.Gadget]::Size
$p.ReferencedAssemblies.Count
$p.TempFiles.TempDir
"""
    result = rs.invoke([Command(script, is_script=True, parameters=[("src", TEST_SOURCE)])], writer=rec)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == [False, 0, "ChainTest.Gadgets.Gadget", 3, 2, "C:\\Windows\\TEMP\\x"]
    assert gadget_standin == [TEST_SOURCE]


def test_compile_assembly_from_source_without_a_stand_in_fails_naming_the_namespace():
    noted: list[str] = []
    host = HostServices()
    host.note_unmodelled = noted.append
    rs = Runspace(host=host)
    rec = Recorder()
    source = "namespace ChainTest.Nothing { public class X { } }"
    script = CODEDOM_SETUP + "try { $provider.CompileAssemblyFromSource($p, @($src)) } catch { " \
        "$_.FullyQualifiedErrorId; $_.Exception.InnerException.GetType().FullName; $_.Exception.Message }"
    result = rs.invoke([Command(script, is_script=True, parameters=[("src", source)])], writer=rec)
    assert result.state == "Completed", result
    fqid, inner_type, message = plain(rec.output)
    assert (fqid, inner_type) == ("NotModelledByTestHost", "System.NotImplementedException")
    assert message.startswith('Exception calling "CompileAssemblyFromSource" with "2" argument(s): ')
    assert "namespace 'ChainTest.Nothing'" in message
    assert noted == ["C# namespace 'ChainTest.Nothing'"]


REFLECTION_CASES = [
    # System.Management.Automation's location in the GAC of Windows PowerShell 5.1.
    ("[PSObject].Assembly.Location -eq ([System.Reflection.Assembly]::GetAssembly([PSObject])).Location; "
     "[PSObject].Assembly.Location",
     [True, "C:\\Windows\\Microsoft.Net\\assembly\\GAC_MSIL\\System.Management.Automation\\v4.0_3.0.0.0__31bf3856ad364e35\\"
      "System.Management.Automation.dll"]),
    ("$t = [PSObject].Assembly.GetType('System.Management.Automation.TypeAccelerators'); $t.FullName",
     ["System.Management.Automation.TypeAccelerators"]),
    # BindingFlags from a string of names (an enum's flags, in value order); a private static field set by reflection.
    ("\"$([System.Reflection.BindingFlags]'NonPublic, Static')\"", ["Static, NonPublic"]),
    ("$f = [PSObject].Assembly.GetType('System.Management.Automation.ClrFacade').GetField('_defaultEncoding', "
     "[System.Reflection.BindingFlags]'NonPublic, Static'); $f.SetValue($null, [System.Text.UTF8Encoding]::new($false)); "
     "\"$($f.GetValue($null))\"", ["System.Text.UTF8Encoding"]),
]


@pytest.mark.parametrize("script,expected", REFLECTION_CASES, ids=[c[0][:60] for c in REFLECTION_CASES])
def test_reflection(script, expected):
    assert ok(script) == expected


def test_a_type_of_windows_assemblies_the_host_does_not_declare_is_not_modelled():
    # Assembly.GetType gives $null for a type the assembly lacks; which internal types 5.1's assemblies hold is not
    # known here, so the host answers with an error, never $null.
    rec, result = run("[PSObject].Assembly.GetType('System.Management.Automation.Utils')")
    assert result.state == "Failed" and "is not modelled" in str(result.error.Exception.Message), (result, rec.errors)


def test_a_type_accelerator_added_at_run_time(gadget_standin):
    standins.compile_csharp([TEST_SOURCE])
    assert gadget_standin
    out = ok("$ta = [PSObject].Assembly.GetType('System.Management.Automation.TypeAccelerators'); "
             "$ta::Add('ChainGadget', [ChainTest.Gadgets.Gadget]); [ChainGadget]::Size; [ChainGadget].FullName")
    assert out == [3, "ChainTest.Gadgets.Gadget"]
