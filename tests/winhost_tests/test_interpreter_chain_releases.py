"""What the module chains of ansible-core 2.16 (the pre-2.19 wrappers) and 2.21 need of the interpreter beyond 2.19's.

Each row is a script with what Windows PowerShell 5.1 gives, from the documentation cited on the row's group:
about_Command_Precedence and Get-Command (applications found on $env:Path with a $env:PATHEXT extension;
CommandSearcher.cs), about_Redirection, about_Automatic_Variables ($LASTEXITCODE, $PSHOME), about_Set-StrictMode,
Split-Path, the chcp docs (learn.microsoft.com windows-server/administration/windows-commands/chcp), the .NET docs
(Directory.ResolveLinkTarget: .NET 6 and later only; String.Split(String[], Int32, StringSplitOptions) with
referencesource String.cs; Array.GetEnumerator; System.CodeDom.CodeSnippetCompileUnit; CodeDomProvider.
CompileAssemblyFromDom), the PowerShell SDK (ScriptBlock.Create, InitialSessionState.CreateDefault2,
PowerShell.Create(InitialSessionState), PowerShell.InvocationStateInfo, CommandInfo.Parameters) and PowerShell's
PSObject.ToString (an IEnumerator's elements joined: ToStringEnumerator). The chains' own e2e tests:
tests/e2e/test_windows_modules.py and test_module_hygiene.py, re-run on 2.16 and 2.21 (release_sensitive).
"""

from __future__ import annotations

import pytest

from winhost.powershell import Command, Runspace

from test_interpreter import Recorder, plain, run
from test_interpreter_chain import CODEDOM_SETUP, TEST_SOURCE, gadget_standin_fixture  # noqa: F401  # pylint: disable=unused-import


def ok(script: str) -> list:
    rec, result = run(script)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


PWSH = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"

CASES_221 = [
    # Get-Command -CommandType Application: the file on $env:Path ($PSHOME is on it), its name with the extension;
    # 2.21's exec_wrapper.ps1 compares its directory with $PSHOME (Split-Path -Parent) to decide not to respawn.
    ("(Get-Command -Name powershell -CommandType Application).Path", [PWSH]),
    ("$a = Get-Command -Name powershell -CommandType Application; $a.Name; $a.CommandType; $a.Extension",
     ["powershell.exe", "Application", ".exe"]),
    ("(Split-Path -Path (Get-Command powershell -CommandType Application).Path -Parent) -eq $PSHOME", [True]),
    ("@(Get-Command -Name no-such-program -CommandType Application -ErrorAction Ignore).Count", [0]),
    # An application is no cmdlet: -CommandType Application does not find Get-Item.
    ("@(Get-Command -Name Get-Item -CommandType Application -ErrorAction SilentlyContinue).Count", [0]),
    # Get-Item of the file: no link (LinkType $null), so 2.21's exec wrapper stops following links.
    (f"$null -eq (Get-Item -LiteralPath '{PWSH}').LinkType", [True]),
    # Split-Path (its docs): -Parent is the default; a drive root keeps its backslash; a root's parent is empty.
    ("Split-Path 'C:\\a\\b\\c.txt'; Split-Path 'C:\\a' -Parent; Split-Path 'C:\\a\\b\\c.txt' -Leaf; "
     "'[' + (Split-Path 'C:\\') + ']'", ["C:\\a\\b", "C:\\", "c.txt", "[]"]),
    ("'C:\\x\\y' | Split-Path", ["C:\\x"]),
    # Directory.ResolveLinkTarget is .NET 6+: on .NET Framework 4.x reading it is $null, an error in strict mode.
    ("using namespace System.IO\nif ([Directory]::ResolveLinkTarget) { 'has it' } else { 'none' }", ["none"]),
    ("Set-StrictMode -Version 2; try { [System.IO.Directory]::ResolveLinkTarget } catch { $_.FullyQualifiedErrorId }",
     ["PropertyNotFoundStrict"]),
    # [PowerShell]::Create([InitialSessionState]::CreateDefault2()): a new runspace as Create() makes.
    ("$ps = [PowerShell]::Create([InitialSessionState]::CreateDefault2()); $null = $ps.AddScript('1 + 1'); $ps.Invoke()", [2]),
    ("[InitialSessionState]::CreateDefault2().GetType().FullName",
     ["System.Management.Automation.Runspaces.InitialSessionState"]),
]


@pytest.mark.parametrize("script,expected", CASES_221, ids=[c[0][:60] for c in CASES_221])
def test_what_2_21s_chain_needs(script, expected):
    assert ok(script) == expected


CASES_216 = [
    # 2.16's bootstrap_wrapper.ps1 starts with `&chcp.com 65001 > $null`: the call operator before a bare name, an
    # application on the path (C:\Windows\System32\chcp.com), its output redirected; $LASTEXITCODE is its exit code.
    ("&chcp.com 65001 > $null; $LASTEXITCODE", [0]),
    ("chcp 65001", ["Active code page: 65001"]),
    ("$out = & chcp.com 437; $out; $?", ["Active code page: 437", True]),
    # about_Redirection: a command's own `> $null` discards its output.
    ("Write-Output 1 > $null; 'after'", ["after"]),
    ("Write-Output 1 | Write-Output > $null; 'after'", ["after"]),
    # String.Split(String[], Int32, StringSplitOptions) (String.cs): at most count parts, the last the rest.
    ('$p = "ab`0`0`0`0cd`0`0`0`0ef".Split(@("`0`0`0`0"), 2, [StringSplitOptions]::RemoveEmptyEntries); $p.Length; '
     '$p[0]; $p[1].Length', [2, "ab", 8]),
    ('",a,,b,,c".Split(@(","), 3, [StringSplitOptions]::RemoveEmptyEntries) -join "|"', ["a|b|c"]),
    ('",a,,b,,c".Split(@(","), 3, [StringSplitOptions]::None) -join "|"', ["|a|,b,,c"]),
    ('"abc".Split(@(","), 1, [StringSplitOptions]::None) -join "|"', ["abc"]),
    # ScriptBlock.Create: a script from text, with a param block or named blocks; a parse error throws.
    ('$sb = [ScriptBlock]::Create(\'param($a) "got $a"\'); & $sb 5; $sb -is [scriptblock]', ["got 5", True]),
    ("1, 2, 3 | & ([ScriptBlock]::Create('begin { $n = 0 } process { $n++ } end { \"n=$n\" }'))", ["n=3"]),
    ("try { [ScriptBlock]::Create('if (') } catch { $_.Exception.GetType().FullName }",
     ["System.Management.Automation.MethodInvocationException"]),
    # CommandInfo.Parameters: 5.1's ConvertFrom-Json has no -AsHashtable (2.16's ConvertFrom-AnsibleJson asks).
    ("Set-StrictMode -Version 2; $c = Get-Command -Name ConvertFrom-Json -CommandType Cmdlet; "
     "'AsHashtable' -in $c.Parameters.Keys; 'InputObject' -in $c.Parameters.Keys; 'ErrorAction' -in $c.Parameters.Keys",
     [False, True, True]),
    # PSObject.ToString of an IEnumerator joins its elements (2.16's exec wrapper: `[String]$input`).
    ("& { '[' + [String]$input + ']' } -InputObject 1; 'a', 'b' | & { '[' + [String]$input + ']' }", ["[]", "[a b]"]),
    # about_Set-StrictMode: the intrinsic PSObject member exists on every object, so strict mode reads it.
    ("Set-StrictMode -Version 2; $o = '{\"a\": {\"b\": 1}}' | ConvertFrom-Json; "
     "foreach ($p in $o.PSObject.Properties.GetEnumerator()) { $p.Name; $p.Value.PSObject.Properties.Name }", ["a", "b"]),
    # Array.GetEnumerator(): foreach reads the enumerator.
    ("$n = 0; foreach ($x in @(1, 2, 3).GetEnumerator()) { $n += $x }; $n", [6]),
    # An exception's PSObject.Properties: System.Exception's properties, InnerException among them (2.16's
    # module_wrapper.ps1 unwraps a MethodInvocationException this way).
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('throw \"boom\"'); "
     "try { $ps.Invoke() } catch { $_.Exception.PSObject.Properties.Name -contains 'InnerException'; "
     "$_.Exception.InnerException.PSObject.Properties.Name -contains 'ErrorRecord' }", [True, True]),
    # PowerShell.InvocationStateInfo: NotStarted, then Completed (Reason $null) or Failed (Reason the exception).
    ("$ps = [PowerShell]::Create(); $ps.InvocationStateInfo.State; $null = $ps.AddScript('1'); $null = $ps.Invoke(); "
     "$ps.InvocationStateInfo.State; $null -eq $ps.InvocationStateInfo.Reason", ["NotStarted", "Completed", True]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('throw \"boom\"'); try { $ps.Invoke() } catch { }; "
     "$ps.InvocationStateInfo.State; $ps.InvocationStateInfo.Reason.Message", ["Failed", "boom"]),
    ("$ps = [PowerShell]::Create(); $null = $ps.AddScript('exit 3'); $null = $ps.Invoke(); $ps.InvocationStateInfo.State",
     ["Completed"]),
]


@pytest.mark.parametrize("script,expected", CASES_216, ids=[c[0][:60] for c in CASES_216])
def test_what_2_16s_chain_needs(script, expected):
    assert ok(script) == expected


NOT_MODELLED = [
    # An application on the path that the host does not model, or a use of chcp it does not cover: loud errors.
    "& powershell.exe -Command 1",
    "chcp 12345",
    "Get-Command -Name 'power*' -CommandType Application",
    "Split-Path 'C:\\x' -Qualifier",
    "[InitialSessionState]::CreateDefault2().LanguageMode",
]


@pytest.mark.parametrize("script", NOT_MODELLED)
def test_what_the_host_does_not_model_fails_loudly(script):
    rec, result = run(f"try {{ {script} }} catch {{ $_.FullyQualifiedErrorId }}")
    assert result.state == "Completed", result
    ids = [str(fqid).split(",", maxsplit=1)[0] for fqid in plain(rec.output)]
    assert ids in (["NotModelledByTestHost"], ["ShouldProcessNotModelled"]), (rec.output, rec.errors)


def test_compile_assembly_from_dom_of_snippets_compiles_their_source(gadget_standin):
    """2.16's AddType.psm1: CodeSnippetCompileUnit objects in a List`1, compiled by CompileAssemblyFromDom."""
    rs = Runspace()
    rec = Recorder()
    script = CODEDOM_SETUP + """
$units = [System.Collections.Generic.List`1[System.CodeDom.CodeSnippetCompileUnit]]@()
$units.Add((New-Object -TypeName System.CodeDom.CodeSnippetCompileUnit -ArgumentList $src)) > $null
$units[0].Value -eq $src
$compile = $provider.CompileAssemblyFromDom($p, $units)
$compile.Errors.HasErrors
[ChainTest.Gadgets.Gadget]::Size
"""
    result = rs.invoke([Command(script, is_script=True, parameters=[("src", TEST_SOURCE)])], writer=rec)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == [True, False, 3]
    assert gadget_standin == [TEST_SOURCE]
