"""Behaviour tests for the PowerShell 5.1 subset interpreter (winhost.powershell).

Each table row is a script a client could send through Invoke-Command / AddScript, with what
Windows PowerShell 5.1 would return: output values (and their .NET types on the wire), and the
error/warning/verbose/information streams with PowerShell's exact wording.
"""

from __future__ import annotations

import threading
import time
import typing
from xml.etree import ElementTree

import pytest
from psrpcore.types import PSChar, PSCustomObject, deserialize, serialize

from winhost.powershell import Command, HostServices, Runspace


class Recorder:
    """The writer protocol from CONTRACT.md, recording everything."""

    def __init__(self) -> None:
        self.output: list = []
        self.errors: list = []
        self.warnings: list[str] = []
        self.verbose: list[str] = []
        self.debug: list[str] = []
        self.information: list[tuple] = []
        self.progress: list[tuple] = []

    def write_output(self, value: typing.Any) -> None:
        self.output.append(value)

    def write_error(self, exception: typing.Any, category_info: typing.Any = None, target_object: typing.Any = None,
                    fully_qualified_error_id: str | None = None, invocation_info: typing.Any = None,
                    script_stack_trace: str | None = None) -> None:
        del target_object, invocation_info, script_stack_trace
        self.errors.append((str(exception.Message), fully_qualified_error_id, category_info.Category.name,
                            str(category_info)))

    def write_warning(self, message: str) -> None:
        self.warnings.append(message)

    def write_verbose(self, message: str) -> None:
        self.verbose.append(message)

    def write_debug(self, message: str) -> None:
        self.debug.append(message)

    def write_information(self, message_data: typing.Any, source: str, time_generated: typing.Any = None,  # pylint: disable=unused-argument
                          tags: list | None = None, **_kwargs: typing.Any) -> None:
        self.information.append((str(message_data), source, list(tags or [])))

    def write_progress(self, activity: str, activity_id: int, status_description: str, **kwargs: typing.Any) -> None:
        self.progress.append((activity, activity_id, status_description, kwargs.get("percent_complete")))


def run(script: str, rs: Runspace | None = None, stop_event: threading.Event | None = None,
        input_items: list | None = None) -> tuple[Recorder, typing.Any]:
    rs = rs or Runspace()
    rec = Recorder()
    result = rs.invoke([Command(script, is_script=True)], input=input_items, writer=rec, stop_event=stop_event)
    return rec, result


def plain(value: typing.Any) -> typing.Any:
    """Wire values to plain Python for comparison (PSCustomObject -> dict of its properties)."""
    if isinstance(value, PSCustomObject):
        return {p.name: plain(p.get_value(value)) for p in value.PSObject.extended_properties}
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, PSChar):
        return chr(int(value))
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def clixml(value: typing.Any) -> str:
    return ElementTree.tostring(serialize(value, None), encoding="unicode")


# ----------------------------------------------------------------------------------------------
# Output values
# ----------------------------------------------------------------------------------------------

OUTPUT_CASES = [
    # literals & strings
    ("1", [1]),
    ("'single'", ["single"]),
    ("'it''s'", ["it's"]),
    ('"tab`there"', ["tab\there"]),
    ('$x = 5; "x=$x"', ["x=5"]),
    ('$x = 5; "`$x is $x"', ["$x is 5"]),
    ('"sum: $(1 + 2)"', ["sum: 3"]),
    ('${my var} = 3; "${my var}!"', ["3!"]),
    # A here-string ends before the line break of its last line, CRLF or LF (about_Quoting_Rules).
    ('$n = "q"; @"\r\nA $n\r\nB\r\n"@', ["A q\r\nB"]),
    ('$x = 1, 2; "``$x `$x $x"', ["`1 2 $x 1 2"]),
    ('"say ""hi"""', ['say "hi"']),
    ("@'\nraw $x\n'@", ["raw $x"]),
    ('$n = 7; @"\nline $n\n"@', ["line 7"]),
    ("# comment\n1 <# block #> + 1", [2]),
    ("$true; $false; $null", [True, False, None]),
    # empty statement lists: a script that is only a param block, empty script blocks and named blocks
    ("param()", []),
    ("[CmdletBinding()]\nparam($a)", []),
    ("param($a)\nbegin { }\nend { 'x' }", ["x"]),
    ("$b = { }; & $b; $c = {}; 'after'", ["after"]),
    ("0x10; 1kb; 1.5e2", [16, 1024, 150.0]),
    # arithmetic
    ("1 + 2 * 3", [7]),
    ("10 / 4", [2.5]),
    ("10 / 5", [2]),
    ("7 % 3; -7 % 3", [1, -1]),
    ("'5' + 5; 5 + '5'", ["55", 10]),
    ("'ab' * 3", ["ababab"]),
    ("(1,2) * 2", [1, 2, 1, 2]),
    ("2147483647 + 1", [2147483648.0]),
    ("[long]2147483647 + 1", [2147483648]),
    ("2147483648", [2147483648]),
    ("0.1 + 0.2 -eq 0.3", [False]),
    ("'{0}' -f (0.1 + 0.2)", ["0.3"]),
    ("$a = 1,2; $a += 3; $a", [1, 2, 3]),
    ("$n = 5; $n -= 2; $n *= 4; $n /= 3; $n", [4]),
    ("$i = 1; $i++; ++$i; $i--; $i", [2]),
    ("$i = 5; ($i++); $i", [5, 6]),
    ("-(3)", [-3]),
    # comparison
    ("1 -eq 1; 1 -ne 1; 2 -gt 1; 2 -ge 3; 1 -lt 2; 3 -le 3", [True, False, True, False, True, True]),
    ("'abc' -eq 'ABC'; 'abc' -ceq 'ABC'; 'abc' -ieq 'ABC'", [True, False, True]),
    ("'10' -eq 10; 10 -eq '10'", [True, True]),
    ("'b' -gt 'a'; 'B' -cgt 'b'", [True, False]),
    ("1,2,3,2 -eq 2", [2, 2]),
    ("1,2,3 -gt 1", [2, 3]),
    ("1,2,3 -contains 2; 1,2,3 -notcontains 2; 2 -in 1,2; 5 -notin 1,2", [True, False, True, True]),
    # A redirection written after a command applies to its output (about_Redirection): `> $null` discards it.
    ("Write-Output 1 > $null; 'after'", ["after"]),
    # -contains and -in compare as -eq does: case-insensitive unless c-prefixed (about_Comparison_Operators).
    ("'A','b' -contains 'a'; 'A','b' -ccontains 'a'; 'a' -in 'A','b'", [True, False, True]),
    ("'hello' -like 'h*o'; 'hello' -notlike 'x*'; 'Hello' -clike 'h*'", [True, True, False]),
    ("'abc123' -match '\\d+'; $Matches[0]", [True, "123"]),
    ("'john@x.org' -match '(?<user>\\w+)@'; $Matches.user", [True, "john"]),
    ("'abc' -notmatch 'z'", [True]),
    ("'a1b2' -replace '\\d', '#'", ["a#b#"]),
    ("'John Smith' -replace '(\\w+) (\\w+)', '$2, $1'", ["Smith, John"]),
    ("'a,b;c' -split '[,;]'", ["a", "b", "c"]),
    ("(1,2,3) -join '-'", ["1-2-3"]),
    ("$null -eq $null; $null -eq 0", [True, False]),
    ("5 -is [int]; 'x' -is [string]; 5 -isnot [string]; 5.0 -is [double]", [True, True, True, True]),
    ("'42' -as [int]; 'x' -as [int]", [42, None]),
    # logical
    ("$true -and $false; $true -or $false; -not $true; !$false; $true -xor $true", [False, True, False, True, False]),
    ("if ('') { 1 } else { 0 }; if ('0') { 1 } else { 0 }; if (@()) { 1 } else { 0 }; if (@(0)) { 1 } else { 0 }", [0, 1, 0, 0]),
    # format operator
    ("'{0:N2}' -f 1234.567", ["1,234.57"]),
    ("'[{0,5}]' -f 'ab'; '[{0,-5}]' -f 'ab'", ["[   ab]", "[ab   ]"]),
    ("'{0} and {1}' -f 'a', 'b'", ["a and b"]),
    ("'{0:D4}|{0:X}|{1:P1}|{2:F3}' -f 42, 0.5, 2", ["0042|2A|50.0 %|2.000"]),
    ("'{{literal}} {0}' -f 1", ["{literal} 1"]),
    ("'{0:yyyy-MM-dd}' -f [datetime]'2024-03-05 10:20:30'", ["2024-03-05"]),
    ("'{0:0.00}' -f 3.14159", ["3.14"]),
    # ranges & arrays
    ("1..4", [1, 2, 3, 4]),
    ("5..3", [5, 4, 3]),
    ("$n = 3; 1..$n", [1, 2, 3]),
    ("@(1,2,3).Count; @().Count; @(@(1,2)).Count", [3, 0, 2]),
    ("$a = ,1; $a.Count; (,(1,2)).Count", [1, 1]),
    ("$a = 10,20,30; $a[0]; $a[-1]; $a[1..2]", [10, 30, 20, 30]),
    ("$a = 1,2,3; $a[5] -eq $null", [True]),
    ("$a = 1,2,3; $a[1] = 9; $a", [1, 9, 3]),
    ("$x = @(1,2) + 3; $x.Count", [3]),
    ("'hello'[1]; 'hello'[-1]", ["e", "o"]),
    ("$a, $b = 1, 2; $b; $a", [2, 1]),
    ("$a, $b = 1, 2, 3; $b", [2, 3]),
    # hashtables
    ("$h = @{a=1; b='x'}; $h.a; $h['b']; $h.Count", [1, "x", 2]),
    ("$h = @{Key=1}; $h.key; $h.KEY", [1, 1]),
    ("$h = @{}; $h.x = 5; $h['y'] = 6; $h.Count; $h.x + $h.y", [2, 11]),
    ("$h = @{a=1}; $h.Add('b', 2); $h.ContainsKey('b'); $h.Remove('a'); $h.Keys", [True, "b"]),
    ("$h = [ordered]@{z=1; a=2; m=3}; $h.Keys -join ','", ["z,a,m"]),
    ("$h = @{a=1} + @{b=2}; $h.Count", [2]),
    ("$h = @{a=@{b=@(1,2)}}; $h.a.b[1]", [2]),
    ("$h = @{n=1}; $h.missing -eq $null", [True]),
    # PSCustomObject & member access
    ("$o = [PSCustomObject]@{Name='a'; N=1}; $o.Name; $o.N", ["a", 1]),
    ("$o = [PSCustomObject]@{Name='a'}; $o.Name = 'b'; $o.Name", ["b"]),
    ("$o = [PSCustomObject]@{A=1}; $o.a", [1]),
    ("$list = [PSCustomObject]@{N=1}, [PSCustomObject]@{N=2}; $list.N", [1, 2]),
    ("'abc'.Length; (1,2,3).Count; (1,2,3).Length", [3, 3, 3]),
    ("$x = 5; $x.Count; $null.Count", [1, 0]),
    # string methods
    ("'Hello'.ToUpper(); 'Hello'.ToLower()", ["HELLO", "hello"]),
    ("'  pad  '.Trim(); 'xxaxx'.Trim('x'); '  a'.TrimStart()", ["pad", "a", "a"]),
    ("'a,b,c'.Split(',')", ["a", "b", "c"]),
    ("'hello world'.Replace('world', 'there')", ["hello there"]),
    ("'hello'.Contains('ell'); 'hello'.StartsWith('he'); 'hello'.EndsWith('lo')", [True, True, True]),
    ("'hello'.Substring(1); 'hello'.Substring(1, 3); 'hello'.IndexOf('l')", ["ello", "ell", 2]),
    ("'7'.PadLeft(3, '0'); (5).ToString(); (3.5).ToString()", ["007", "5", "3.5"]),
    ("[string]::IsNullOrEmpty(''); [string]::Join('+', @(1,2))", [True, "1+2"]),
    # casts
    ("[int]'42'; [int]3.5; [int]2.5; [int]'  7 '", [42, 4, 2, 7]),
    ("[long]5; [double]'1.5'; [string]12; [bool]'x'; [bool]0", [5, 1.5, "12", True, False]),
    ("[array]$null; ([array]5).Count", [None, 1]),  # $null to a reference type is $null (LanguagePrimitives)
    ("$h = [hashtable]@{a=1}; $h.a", [1]),
    ("[int]$null; [string]$null -eq ''", [0, True]),
    ("([datetime]'2024-01-02 03:04:05').Year; ([datetime]'2024-01-02').Day", [2024, 2]),
    ("[int]::MaxValue; [math]::Round(2.567, 2); [math]::Max(3, 9)", [2147483647, 2.57, 9]),
    ("[math]::Round(2.5); [math]::Floor(2.7); [math]::Abs(-4)", [2.0, 2.0, 4]),
    ("[char]'a' -eq 'A'", [True]),
    # control flow
    ("if ($false) { 1 } elseif ($true) { 2 } else { 3 }", [2]),
    ("foreach ($i in 1..3) { $i * 10 }", [10, 20, 30]),
    ("foreach ($i in 1..5) { if ($i -eq 2) { continue }; if ($i -eq 4) { break }; $i }", [1, 3]),
    ("for ($i = 0; $i -lt 3; $i++) { $i }", [0, 1, 2]),
    ("$i = 0; while ($i -lt 3) { $i++ }; $i", [3]),
    ("$i = 0; do { $i++ } while ($i -lt 5); $i", [5]),
    ("$i = 0; do { $i++ } until ($i -ge 2); $i", [2]),
    ("switch (2) { 1 { 'one' } 2 { 'two' } default { 'other' } }", ["two"]),
    ("switch (9) { 1 { 'one' } default { 'other' } }", ["other"]),
    ("switch (1, 2) { 1 { 'one' } 2 { 'two' } }", ["one", "two"]),
    ("switch ('abc') { 'ABC' { 'ci' } }", ["ci"]),
    ("switch -wildcard ('hello') { 'h*' { 'wild' } }", ["wild"]),
    ("switch -regex ('abc123') { '^\\d' { 'digit' } '\\d+$' { $Matches[0] } }", ["123"]),
    ("switch (3) { {$_ -gt 2} { 'big' } }", ["big"]),
    ("switch (1) { 1 { 'a'; break } 1 { 'b' } }", ["a"]),
    ("switch (5) { 5 { $_ * 2 } }", [10]),
    ("$a = 'x'; switch ($a) { 'y' { 'no' } \"x\" { 'is x' } }", ["is x"]),
    ("switch ('b') { a { 1 } b { 2 } }", [2]),
    # functions & script blocks
    ("function Add($a, $b) { $a + $b }; Add 2 3", [5]),
    ("function Add($a, $b) { $a + $b }; Add -b 1 -a 2", [3]),
    ("function f { param($x = 'dflt') $x }; f; f -x given", ["dflt", "given"]),
    ("function f { param([int]$n) $n + 1 }; f '41'", [42]),
    ("function f { param([switch]$On) $On.IsPresent }; f; f -On", [False, True]),
    ("function f { $args.Count; $args[1] }; f a b c", [3, "b"]),
    ("function f { 1; return 2; 3 }; f", [1, 2]),
    ("function f { 'a'; 'b' }; $r = f; $r.Count", [2]),
    ("function f { process { $_ * 2 } }; 1..3 | f", [2, 4, 6]),
    ("function f { begin { 'B' } process { $_ } end { 'E' } }; 1,2 | f", ["B", 1, 2, "E"]),
    ("function f { $input | ForEach-Object { $_ + 1 } }; 1,2 | f", [2, 3]),
    # about_Automatic_Variables, $input: in a process block it enumerates the current object only, so the end block
    # after a process block finds it empty; without a process block the end block gets all of it. (2.16 to 2.18's
    # put_file script decodes each chunk with `[Convert]::FromBase64String($input)` in its process block.)
    ("'a','b' | & { process { [String]$input } }; 'a','b' | & { process { } end { @($input).Count } }; "
     "'a','b' | & { end { @($input).Count } }; function f { process { [Convert]::FromBase64String($input).Length } }; "
     "'YWJj','YQ==' | f; & { process { @($input).Count } }", ['a', 'b', 0, 2, 3, 1, 0]),
    ("function f { param([Parameter(ValueFromPipeline)]$V) process { \"v=$V\" } }; 'a','b' | f", ["v=a", "v=b"]),
    ("function f { [CmdletBinding()] param($P) $PSBoundParameters.ContainsKey('P') }; f -P 1; f", [True, False]),
    # about_Parameters: `-Name: value` (spaces after the colon) binds the value.
    ("function f { param($Name) \"n=$Name\" }; f -Name: 5; f -Name:6", ["n=5", "n=6"]),
    # about_Functions_Advanced_Parameters: a [Parameter()] argument's value counts (ValueFromPipeline = $false is
    # no pipeline parameter), Position orders positional arguments, [Alias()] names more than one alias.
    ("function f { param([Parameter(ValueFromPipeline = $false)]$a, [Parameter(ValueFromPipeline)]$b) "
     "process { \"a=$a b=$b\" } }; 1 | f", ["a= b=1"]),
    ("function f { param([Parameter(Position = 1)]$x, [Parameter(Position = 0)]$y) \"$x$y\" }; f a b", ["ba"]),
    ("function f { param([Alias('n', 'nm')]$Name) $Name }; f -nm 3; f -n 4", [3, 4]),
    ("function fact($n) { if ($n -le 1) { 1 } else { $n * (fact ($n - 1)) } }; fact 5", [120]),
    ("$sb = { param($x) $x * 2 }; & $sb 21", [42]),
    ("$sb = { $args[0] + 1 }; $sb.Invoke(1)", [2]),
    ("& { 'inline' }", ["inline"]),
    (". { $dotted = 'yes' }; $dotted", ["yes"]),
    ("& { $inner = 1 }; $inner -eq $null", [True]),
    ("$p = @{a=1; b=2}; function f($a, $b) { $a + $b }; f @p", [3]),
    ("$arr = 4, 5; function f($a, $b) { $a * $b }; f @arr", [20]),
    # scopes
    ("$x = 1; function f { $x = 2; $x }; f; $x", [2, 1]),
    ("$x = 1; function f { $global:x = 2 }; f; $x", [2]),
    ("function f { $script:s = 'set' }; f; $s", ["set"]),
    ("$x = 'outer'; function f { $x }; f", ["outer"]),
    ("$x = 1; & { $x = 5 }; $x", [1]),
    # try / catch / finally / throw
    ("try { throw 'boom' } catch { \"caught $_\" }", ["caught boom"]),
    ("try { 1/0 } catch { $_.Exception.Message }", ["Attempted to divide by zero."]),
    ("try { throw 'x' } catch { 'c' } finally { 'f' }", ["c", "f"]),
    ("try { 'body' } finally { 'f' }", ["body", "f"]),
    ("try { throw 'x' } catch [System.DivideByZeroException] { 'wrong' } catch { 'generic' }", ["generic"]),
    ("try { 1/0 } catch [System.Management.Automation.RuntimeException] { 'rt' }", ["rt"]),
    ("try { Get-Variable nope -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }",
     ["VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand"]),
    ("try { Write-Error 'we' -ErrorAction Stop } catch { $_.Exception.Message }", ["we"]),
    ("$ErrorActionPreference = 'Stop'; try { Write-Error 'pref' } catch { 'stopped' }", ["stopped"]),
    ("try { try { throw 'in' } catch { throw } } catch { \"outer $_\" }", ["outer in"]),
    ("function f { throw 'deep' }; try { f } catch { $_.Exception.Message }", ["deep"]),
    ("try { [int]'abc' } catch { $_.FullyQualifiedErrorId }", ["InvalidCastFromStringToInteger"]),
    ("try { Foo-Bar } catch [System.Management.Automation.CommandNotFoundException] { 'cnf' }", ["cnf"]),
    ("1/0; 'continues'", ["continues"]),
    # cmdlets: output & objects
    ("Write-Output 1 2 3", [1, 2, 3]),
    ("Write-Output 'a','b'", ["a", "b"]),
    ("Write-Output @(1,2) -NoEnumerate | Measure-Object | ForEach-Object Count", [1]),
    ("echo hi", ["hi"]),
    ("1..5 | Where-Object { $_ % 2 -eq 0 }", [2, 4]),
    ("1..5 | ? { $_ -gt 3 }", [4, 5]),
    ("1..3 | where { $_ -ne 2 }", [1, 3]),
    ("$o = [PSCustomObject]@{N='a'; V=1}, [PSCustomObject]@{N='b'; V=2}; $o | Where-Object V -eq 2 | ForEach-Object N", ["b"]),
    ("$o = [PSCustomObject]@{N='ab'}, [PSCustomObject]@{N='cd'}; ($o | Where-Object N -like 'c*').N", ["cd"]),
    ("1..3 | ForEach-Object { $_ * $_ }", [1, 4, 9]),
    ("1..3 | % { $_ + 1 }", [2, 3, 4]),
    ("'a','bb' | ForEach-Object Length", [1, 2]),
    ("'a','b' | ForEach-Object ToUpper", ["A", "B"]),
    ("1..2 | ForEach-Object -Begin { 'start' } -Process { $_ } -End { 'end' }", ["start", 1, 2, "end"]),
    ("$t = 0; 1..4 | ForEach-Object { $t += $_ }; $t", [10]),
    ("1..10 | Select-Object -First 3", [1, 2, 3]),
    ("1..10 | Select-Object -Last 2", [9, 10]),
    ("1..5 | Select-Object -Skip 3", [4, 5]),
    ("1,1,2,3,3 | Select-Object -Unique", [1, 2, 3]),
    ("[PSCustomObject]@{A=1; B=2; C=3} | Select-Object A, C", [{"A": 1, "C": 3}]),
    ("[PSCustomObject]@{A=1} | Select-Object A, @{Name='Twice'; Expression={ $_.A * 2 }}", [{"A": 1, "Twice": 2}]),
    ("[PSCustomObject]@{A=1} | Select-Object @{n='X'; e={ 'x' }}", [{"X": "x"}]),
    ("[PSCustomObject]@{Items=@(1,2)} | Select-Object -ExpandProperty Items", [1, 2]),
    ("3,1,2 | Sort-Object", [1, 2, 3]),
    ("3,1,2 | Sort-Object -Descending", [3, 2, 1]),
    ("'b','a','B' | Sort-Object -Unique", ["a", "b"]),
    ("$o = [PSCustomObject]@{N='x'; V=2}, [PSCustomObject]@{N='y'; V=1}; ($o | Sort-Object V).N", ["y", "x"]),
    ("$o = [PSCustomObject]@{V=2}, [PSCustomObject]@{V=10}; ($o | Sort-Object { $_.V } -Descending).V", [10, 2]),
    ("(1..4 | Measure-Object).Count", [4]),
    ("$m = 1..4 | Measure-Object -Sum -Average -Maximum -Minimum; $m.Sum; $m.Average; $m.Maximum; $m.Minimum",
     [10.0, 2.5, 4.0, 1.0]),
    ("([PSCustomObject]@{S=2}, [PSCustomObject]@{S=3} | Measure-Object -Property S -Sum).Sum", [5.0]),
    ("1, 2 | Out-Null", []),
    ("$null = Write-Output 5; [void](Write-Output 6); 'only'", ["only"]),
    ("'a', 'b' | Out-String", ["a\r\nb\r\n"]),
    ("(1..3 | Group-Object { $_ % 2 }).Count", [2]),
    # JSON
    ("@{a=1} | ConvertTo-Json", ['{\r\n    "a":  1\r\n}']),
    ("[ordered]@{a=1; b='x'} | ConvertTo-Json -Compress", ['{"a":1,"b":"x"}']),
    ("[ordered]@{a=@{b=1}} | ConvertTo-Json", ['{\r\n    "a":  {\r\n              "b":  1\r\n          }\r\n}']),
    ("@{l=@(1,2)} | ConvertTo-Json", ['{\r\n    "l":  [\r\n              1,\r\n              2\r\n          ]\r\n}']),
    ("1, 2 | ConvertTo-Json", ["[\r\n    1,\r\n    2\r\n]"]),
    ("'x' | ConvertTo-Json; 5 | ConvertTo-Json; $true | ConvertTo-Json", ['"x"', "5", "true"]),
    ("@{a=@{b=@{c=@{d=1}}}} | ConvertTo-Json -Compress", ['{"a":{"b":{"c":"System.Collections.Hashtable"}}}']),
    ("@{a=@{b=@{c=@{d=1}}}} | ConvertTo-Json -Compress -Depth 5", ['{"a":{"b":{"c":{"d":1}}}}']),
    ("\"it's <b> & a\" | ConvertTo-Json", ['"it\\u0027s \\u003cb\\u003e \\u0026 a"']),
    ("[PSCustomObject]@{n=$null; t=$true} | ConvertTo-Json -Compress", ['{"n":null,"t":true}']),
    ("@{} | ConvertTo-Json", ["{\r\n\r\n}"]),
    ("$o = '{\"a\": 1, \"b\": [1, 2], \"c\": {\"d\": \"x\"}}' | ConvertFrom-Json; $o.a; $o.b.Count; $o.c.d", [1, 2, "x"]),
    ("('[1,2,3]' | ConvertFrom-Json | Measure-Object).Count", [1]),
    ("('{\"a\":1}' | ConvertFrom-Json) -is [PSCustomObject]", [True]),
    ("([ordered]@{x=1; y=@(2,3)} | ConvertTo-Json | ConvertFrom-Json).y[1]", [3]),
    # automatic & environment variables
    ("$PSVersionTable.PSVersion.Major; $PSVersionTable.PSVersion.Minor; $PSVersionTable.PSEdition", [5, 1, "Desktop"]),
    ("$ErrorActionPreference; $VerbosePreference; $WarningPreference; $DebugPreference; $InformationPreference",
     ["Continue", "SilentlyContinue", "Continue", "SilentlyContinue", "SilentlyContinue"]),
    ("$env:COMPUTERNAME; $env:USERNAME", ["WIN-TEST01", "alice"]),
    ("$PID", [4242]),
    ("$env:MY_VAR = 'v'; $env:MY_VAR; $env:my_var", ["v", "v"]),
    ("$env:NOPE -eq $null", [True]),
    ("Foo-Bar; $Error.Count; $Error[0].FullyQualifiedErrorId", [1, "CommandNotFoundException"]),
    ("$_ -eq $null; $PSItem -eq $null", [True, True]),
    ("'ok'; $?", ["ok", True]),
    ("$x = Get-Variable nope -ErrorAction SilentlyContinue; $?", [False]),
    # variable cmdlets & Test-Path
    ("Set-Variable -Name sv -Value 7; $sv", [7]),
    ("$gv = 3; Get-Variable gv -ValueOnly; (Get-Variable gv).Value", [3, 3]),
    ("$rv = 1; Remove-Variable rv; Test-Path variable:rv", [False]),
    ("New-Variable nv 4; $nv", [4]),
    ("$tp = 1; Test-Path Variable:\\tp; Test-Path variable:nothere", [True, False]),
    ("function tf {}; Test-Path Function:\\tf; Test-Path Function:\\nope", [True, False]),
    ("Test-Path Env:\\COMPUTERNAME; Test-Path Env:NOPE_X", [True, False]),
    ("Test-Path WSMan:\\localhost\\Shell\\IdleTimeout; Test-Path WSMan:\\localhost\\Shell\\Nope", [True, False]),
    # WSMan provider
    ("(Get-Item WSMan:\\localhost\\Shell\\IdleTimeout).Value", ["7200000"]),
    ("$i = Get-Item WSMan:\\localhost\\Shell\\MaxShellsPerUser; $i.Name; $i.Type", ["MaxShellsPerUser", "System.String"]),
    ("Set-Item WSMan:\\localhost\\Shell\\MaxMemoryPerShellMB 1024; (Get-Item WSMan:\\localhost\\Shell\\MaxMemoryPerShellMB).Value",
     ["1024"]),
    ("Set-Item -Path WSMan:\\localhost\\Plugin\\microsoft.powershell\\Quotas\\MaxIdleTimeoutms -Value 90000; "
     "(Get-Item WSMan:\\localhost\\Plugin\\microsoft.powershell\\Quotas\\MaxIdleTimeoutms).Value", ["90000"]),
    # dates
    ("(Get-Date) -is [datetime]", [True]),
    ("Get-Date -Date '2020-05-06 07:08:09' -Format 'yyyy/MM/dd HH:mm:ss'", ["2020/05/06 07:08:09"]),
    ("([datetime]'2020-01-31').AddDays(1).ToString('yyyy-MM-dd')", ["2020-02-01"]),
    ("$d = [datetime]'2020-01-01'; $e = [datetime]'2020-01-03'; ($e - $d).TotalDays", [2.0]),
    ("'{0}' -f [datetime]'2021-02-03 04:05:06'", ["02/03/2021 04:05:06"]),
    # .NET collections and constructors
    ("$l = [System.Collections.Generic.List[object]]::new(); $l.Add(5); $l.Count", [1]),
    ("$a = New-Object System.Collections.ArrayList; $a.Add('x'); [void]$a.Add('y'); $a.Count", [0, 2]),
    ("$a = [System.Collections.ArrayList]@(1,2); $a.Remove(1); $a", [2]),
    ("try { throw [System.ArgumentException]::new('bad arg') } catch [System.ArgumentException] { $_.Exception.Message }",
     ["bad arg"]),
    ("$h = @{b=2; a=1}; ($h.GetEnumerator() | Sort-Object Name | ForEach-Object { \"$($_.Key)=$($_.Value)\" }) -join ','",
     ["a=1,b=2"]),
    ("$x = 1, 2, 3; $x.Where({ $_ -gt 1 }); $x.ForEach({ $_ * 2 })", [2, 3, 2, 4, 6]),
    ("$p = [PSCustomObject]@{a=1}; $p | Add-Member -MemberType NoteProperty -Name b -Value 2; $p.b", [2]),
    ("$p = [PSCustomObject]@{a=1}; Add-Member -InputObject $p -NotePropertyMembers @{c=3} -PassThru | ConvertTo-Json -Compress",
     ['{"a":1,"c":3}']),
    ("try { [int]'x' } catch { [string]$_.CategoryInfo.Category; $_.CategoryInfo.Category -eq 'InvalidArgument' }",
     ["InvalidArgument", True]),
    ("'a b  c'.Split(' ', [System.StringSplitOptions]::RemoveEmptyEntries)", ["a", "b", "c"]),
    ("function r($n) { if ($n -gt 0) { r ($n - 1) } else { 'bottom' } }; r 90", ["bottom"]),
    ("function fact($n) { if ($n -le 1) { 1 } else { $n * (fact ($n - 1)) } }; fact 13", [6227020800.0]),
    # misc
    ("Invoke-Expression '1 + 1'", [2]),
    ("$x = 3; $y = if ($x -gt 2) { 'big' } else { 'small' }; $y", ["big"]),
    ("$r = foreach ($i in 1..3) { $i }; $r.Count", [3]),
    ("$r = @(Write-Output 1); $r.GetType().FullName", ["System.Object[]"]),
    ("(5L).GetType().Name; \"5L x\"; 2L * 3", ["Int64", "5L x", 6]),
    ("(1).GetType().Name; ([long]1).GetType().Name; (1.0).GetType().Name; 'a'.GetType().Name", ["Int32", "Int64", "Double", "String"]),
]


@pytest.mark.parametrize("script,expected", OUTPUT_CASES, ids=[c[0][:60] for c in OUTPUT_CASES])
def test_output(script: str, expected: list) -> None:
    rs = Runspace(host=HostServices(computer_name="WIN-TEST01", user_name="alice", process_id=4242))
    rec, result = run(script, rs)
    assert result.state == "Completed", (result, rec.errors)
    if not any(w in script for w in ("Foo-Bar", "1/0; 'continues'")):
        assert not rec.errors
    assert [plain(v) for v in rec.output] == expected


# ----------------------------------------------------------------------------------------------
# Wire types (psrpcore CLIXML tags)
# ----------------------------------------------------------------------------------------------

TYPE_CASES = [
    ("1", "<I32>1</I32>"),
    ("[long]1", "<I64>1</I64>"),
    ("3000000000", "<I64>3000000000</I64>"),
    ("1.5", "<Db>1.5</Db>"),
    ("10 / 4", "<Db>2.5</Db>"),
    ("'s'", "<S>s</S>"),
    ("$true", "<B>true</B>"),
    ("$null", "<Nil />"),
    ("[datetime]'2020-01-02'", "<DT>2020-01-02T00:00:00"),
    ("'abc'[0]", "<C>97</C>"),
    (",(1,2)", "<LST><I32>1</I32><I32>2</I32></LST>"),
    ("@{a=1.5}", "<T>System.Collections.Hashtable</T>"),
    ("@{a=1.5}", '<Db N="Value">1.5</Db>'),
    ("[ordered]@{a=1}", "<T>System.Collections.Specialized.OrderedDictionary</T>"),
    ("[PSCustomObject]@{a=2.5}", "<T>System.Management.Automation.PSCustomObject</T>"),
    ("[PSCustomObject]@{a=2.5}", '<Db N="a">2.5</Db>'),
    ("[PSCustomObject]@{a=1} | Select-Object a", "<T>Selected.System.Management.Automation.PSCustomObject</T>"),
    ("{ 1 + 1 }", "<SBK> 1 + 1 </SBK>"),
]


@pytest.mark.parametrize("script,fragment", TYPE_CASES, ids=[f"{c[0]}->{c[1][:20]}" for c in TYPE_CASES])
def test_wire_types(script: str, fragment: str) -> None:
    rec, result = run(script)
    assert result.state == "Completed"
    assert len(rec.output) == 1
    xml = clixml(rec.output[0])
    assert fragment in xml, xml


def test_output_round_trips_through_psrpcore() -> None:
    rec, _unused = run("[PSCustomObject]@{Name='n'; Count=3; Ratio=0.5; Tags=@('a','b'); Map=@{k='v'}}")
    element = serialize(rec.output[0], None)
    back = deserialize(element, None)
    assert back.Name == "n"
    assert back.Count == 3
    assert back.Ratio == 0.5
    assert list(back.Tags) == ["a", "b"]
    assert back.Map["k"] == "v"


# ----------------------------------------------------------------------------------------------
# Non-terminating errors (error stream): message, FQID, category
# ----------------------------------------------------------------------------------------------

CNF = ("The term 'Foo-Bar' is not recognized as the name of a cmdlet, function, script file, or operable program. "
       "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.")

ERROR_CASES = [
    ("Foo-Bar", CNF, "CommandNotFoundException", "ObjectNotFound"),
    # File redirection is not modelled: an error, never output that went nowhere (it was silently ignored after a
    # command).
    ("Write-Output 1 > C:\\x.txt", "File redirection is not supported by the fake Windows host.", "RedirectionNotSupported",
     "NotImplemented"),
    ("Write-Error 'oops'", "oops", "Microsoft.PowerShell.Commands.WriteErrorException", "NotSpecified"),
    ("function f { Write-Error 'in f' }; f", "in f", "Microsoft.PowerShell.Commands.WriteErrorException,f", "NotSpecified"),
    ("Write-Error -Message 'm' -Category InvalidData -ErrorId MyId", "m", "MyId", "InvalidData"),
    ("& { Write-Error 'in sb' }", "in sb", "Microsoft.PowerShell.Commands.WriteErrorException", "NotSpecified"),
    ("1/0", "Attempted to divide by zero.", "RuntimeException", "NotSpecified"),
    ("$x = 0; 5 % $x", "Attempted to divide by zero.", "RuntimeException", "NotSpecified"),
    ("'abc'.NoSuch()", "Method invocation failed because [System.String] does not contain a method named 'NoSuch'.",
     "MethodNotFound", "InvalidOperation"),
    ("$n = $null; $n.ToString()", "You cannot call a method on a null-valued expression.", "InvokeMethodOnNull",
     "InvalidOperation"),
    ("$n = $null; $n[0]", "Cannot index into a null array.", "NullArray", "InvalidOperation"),
    ("[int]'abc'", 'Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format."',
     "InvalidCastFromStringToInteger", "InvalidArgument"),
    ("[int]'99999999999'", 'Cannot convert value "99999999999" to type "System.Int32". Error: "Value was either too large '
     'or too small for an Int32."', "InvalidCastFromStringToInteger", "InvalidArgument"),
    ("[datetime]'notadate'", 'Cannot convert value "notadate" to type "System.DateTime". Error: "String was not recognized '
     'as a valid DateTime."', "InvalidCastParseTargetInvocation", "InvalidArgument"),
    ("[Foo.Bar]::Baz", "Unable to find type [Foo.Bar].", "TypeNotFound", "InvalidOperation"),
    ("$a = @(1); $a.Add(2)", 'Exception calling "Add" with "1" argument(s): "Collection was of a fixed size."',
     "NotSupportedException", "NotSpecified"),
    ("$h = @{a=1}; $h.Add('a', 2)", 'Exception calling "Add" with "2" argument(s): "Item has already been added. Key in '
     "dictionary: 'a'  Key being added: 'a'\"", "ArgumentException", "NotSpecified"),
    ("1 -gt 'abc'", 'Could not compare "1" to "abc". Error: "Cannot convert value "abc" to type "System.Int32". Error: '
     '"Input string was not in a correct format.""', "ComparisonFailure", "InvalidOperation"),
    ("Get-Variable nosuchvar", "Cannot find a variable with the name 'nosuchvar'.",
     "VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand", "ObjectNotFound"),
    ("Remove-Variable nosuchvar", "Cannot find a variable with the name 'nosuchvar'.",
     "VariableNotFound,Microsoft.PowerShell.Commands.RemoveVariableCommand", "ObjectNotFound"),
    ("Write-Output -Bogus 1", "A parameter cannot be found that matches parameter name 'Bogus'.",
     "NamedParameterNotFound,Microsoft.PowerShell.Commands.WriteOutputCommand", "InvalidArgument"),
    ("Get-Date 1 2 3 4", "A positional parameter cannot be found that accepts argument '2'.",
     "PositionalParameterNotFound,Microsoft.PowerShell.Commands.GetDateCommand", "InvalidArgument"),
    ("function f { [CmdletBinding()] param($a) }; f -zzz 1", "A parameter cannot be found that matches parameter name 'zzz'.",
     "NamedParameterNotFound,f", "InvalidArgument"),
    ("function f { param([int]$n) }; f -n abc", "Cannot process argument transformation on parameter 'n'. Cannot convert "
     'value "abc" to type "System.Int32". Error: "Input string was not in a correct format."',
     "ParameterArgumentTransformationError,f", "InvalidData"),
    ("function f { param([Parameter(Mandatory)]$Name) }; f", "Cannot process command because of one or more missing "
     "mandatory parameters: Name.", "MissingMandatoryParameter,f", "InvalidArgument"),
    ("Get-Item WSMan:\\localhost\\Shell\\Nope", "Cannot find path 'WSMan:\\localhost\\Shell\\Nope' because it does not exist.",
     "PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound"),
    ("Set-Item WSMan:\\localhost\\Shell\\IdleTimeout 5", "The WS-Management service cannot process the configuration request "
     "because the IdleTimeout value is less than the minimum of 60000.",
     "System.InvalidOperationException,Microsoft.PowerShell.Commands.SetItemCommand", "InvalidOperation"),
    ("'{bad' | ConvertFrom-Json", "Invalid JSON primitive: bad.",
     "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand", "NotSpecified"),
    ("Write-Output 1 -ErrorAction Bogus", "Cannot bind parameter 'ErrorAction'. Cannot convert value \"Bogus\" to type "
     "\"System.Management.Automation.ActionPreference\". Error: \"Unable to match the identifier name Bogus to a valid "
     "enumerator name. Specify one of the following enumerator names and try again:\r\nSilentlyContinue, Stop, Continue, "
     "Inquire, Ignore, Suspend\"", "CannotConvertArgumentNoMessage", "InvalidArgument"),
    ("Get-Job -Id 42", "The command cannot find a job with the job ID 42. Verify the value of the Id parameter and then try "
     "the command again.", "JobWithSpecifiedSessionNotFound,Microsoft.PowerShell.Commands.GetJobCommand", "ObjectNotFound"),
    ("$p = [PSCustomObject]@{a=1}; $p | Add-Member -NotePropertyName a -NotePropertyValue 2",
     'Cannot add a member with the name "a" because a member with that name already exists. To overwrite the member anyway, '
     "add the Force parameter to your command.", "MemberAlreadyExists,Microsoft.PowerShell.Commands.AddMemberCommand",
     "InvalidOperation"),
    ("'a' | ForEach-Object NoSuchMember", 'Cannot find a property or method named "NoSuchMember" on the input object.',
     "PropertyOrMethodNotFound,Microsoft.PowerShell.Commands.ForEachObjectCommand", "InvalidArgument"),
]


@pytest.mark.parametrize("script,message,fqid,category", ERROR_CASES, ids=[c[0][:60] for c in ERROR_CASES])
def test_error_stream(script: str, message: str, fqid: str, category: str) -> None:
    rec, result = run(script)
    assert result.state == "Completed"
    assert [(m, f, c) for m, f, c, _unused in rec.errors] == [(message, fqid, category)]


def test_error_category_info_string() -> None:
    rec, _unused = run("Write-Error 'x'; Foo-Bar")
    assert rec.errors[0][3] == "NotSpecified (:) [Write-Error], WriteErrorException"
    assert rec.errors[1][3] == "ObjectNotFound (Foo-Bar:String) [], CommandNotFoundException"


ACTION_CASES = [
    ("Write-Error 'e' -ErrorAction SilentlyContinue; 'after'; $Error.Count", ["after", 1], 0),
    ("Write-Error 'e' -ErrorAction Ignore; $Error.Count", [0], 0),
    ("Write-Error 'e' -EA 0; 'x'", ["x"], 0),
    ("$ErrorActionPreference = 'SilentlyContinue'; Foo-Bar; 'went on'", ["went on"], 0),
    ("Write-Error 'e' -ErrorAction Continue; 'after'", ["after"], 1),
    ("Write-Error 'e' -ErrorVariable ev -ErrorAction SilentlyContinue; $ev.Count; [string]$ev[0]", [1, "e"], 0),
    ("function f { [CmdletBinding()] param() Write-Error 'inner' }; f -ErrorAction SilentlyContinue; 'ok'", ["ok"], 0),
]


@pytest.mark.parametrize("script,output,error_count", ACTION_CASES, ids=[c[0][:60] for c in ACTION_CASES])
def test_error_action(script: str, output: list, error_count: int) -> None:
    rec, result = run(script)
    assert result.state == "Completed"
    assert [plain(v) for v in rec.output] == output
    assert len(rec.errors) == error_count


# ----------------------------------------------------------------------------------------------
# Terminating errors: pipeline Failed with the ErrorRecord
# ----------------------------------------------------------------------------------------------

FAIL_CASES = [
    ("throw 'x'", "x", "x", "OperationStopped", "RuntimeException"),
    ("'before'; throw 'stop here'; 'after'", "stop here", "stop here", "OperationStopped", "RuntimeException"),
    ("throw", "ScriptHalted", "ScriptHalted", "OperationStopped", "RuntimeException"),
    ("Write-Error 'bad' -ErrorAction Stop", "bad", "Microsoft.PowerShell.Commands.WriteErrorException", "NotSpecified",
     "WriteErrorException"),
    ("$ErrorActionPreference = 'Stop'; 1/0; 'never'", "Attempted to divide by zero.", "RuntimeException", "NotSpecified",
     "RuntimeException"),
    ("$ErrorActionPreference = 'Stop'; Foo-Bar", CNF, "CommandNotFoundException", "ObjectNotFound",
     "CommandNotFoundException"),
    ("Get-Variable nope -ErrorAction Stop", "Cannot find a variable with the name 'nope'.",
     "VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand", "ObjectNotFound", "ItemNotFoundException"),
    ("try { throw 'a' } catch { throw \"re: $_\" }", "re: a", "re: a", "OperationStopped", "RuntimeException"),
    ("try { throw 'orig' } catch { throw $_ }", "orig", "orig", "OperationStopped", "RuntimeException"),
    ("function f { throw 'from f' }; f; 'not reached'", "from f", "from f", "OperationStopped", "RuntimeException"),
    ("if (1 -eq 1) {", "Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace", "ParserError",
     "ParseException"),
    ("$x = (1 + 2", "Missing closing ')' in expression.", "MissingEndParenthesisInExpression", "ParserError",
     "ParseException"),
    ("'unterminated", 'The string is missing the terminator: ".', "TerminatorExpectedAtEndOfString", "ParserError",
     "ParseException"),
    ("1 +", "You must provide a value expression following the '+' operator.", "ExpectedValueExpression", "ParserError",
     "ParseException"),
    ("class Foo { }", "The fake Windows host does not support class definitions.", "UnexpectedToken", "ParserError",
     "ParseException"),
    ("function inf { inf }; inf", "The script failed due to call depth overflow.", "CallDepthOverflow", "InvalidOperation",
     "ScriptCallDepthException"),
]


@pytest.mark.parametrize("script,message,fqid,category,reason", FAIL_CASES, ids=[c[0][:60] for c in FAIL_CASES])
def test_terminating_errors(script: str, message: str, fqid: str, category: str, reason: str) -> None:
    rec, result = run(script)
    assert result.state == "Failed"
    err = result.error
    assert str(err.Exception.Message) == message
    assert err.FullyQualifiedErrorId == fqid
    assert err.CategoryInfo.Category.name == category
    assert err.CategoryInfo.Reason == reason
    assert "not reached" not in rec.output and "never" not in rec.output and "after" not in rec.output


def test_failed_error_record_serializes() -> None:
    _unused, result = run("throw 'wire'")
    xml = clixml(result.error)
    assert "System.Management.Automation.RuntimeException" in xml
    assert "wire" in xml


def test_parse_error_runs_nothing() -> None:
    rec, result = run("'first'; if (")
    assert result.state == "Failed"
    assert not rec.output


def test_terminating_error_is_added_to_error_variable() -> None:
    rs = Runspace()
    run("throw 'kept'", rs)
    rec, _unused = run("$Error[0].Exception.Message", rs)
    assert rec.output == ["kept"]


# ----------------------------------------------------------------------------------------------
# Other streams
# ----------------------------------------------------------------------------------------------

def test_warning_verbose_debug_streams() -> None:
    rec, result = run("Write-Warning 'w1'; Write-Verbose 'hidden'; Write-Verbose 'shown' -Verbose; Write-Debug 'd0'; "
                      "$DebugPreference = 'Continue'; Write-Debug 'd1'")
    assert result.state == "Completed"
    assert rec.warnings == ["w1"]
    assert rec.verbose == ["shown"]
    assert rec.debug == ["d1"]


def test_verbose_preference_variable() -> None:
    rec, _unused = run("$VerbosePreference = 'Continue'; Write-Verbose 'v'")
    assert rec.verbose == ["v"]


def test_warning_preference_silences() -> None:
    rec, _unused = run("$WarningPreference = 'SilentlyContinue'; Write-Warning 'w'; Write-Warning 'x' -WarningAction Continue")
    assert rec.warnings == ["x"]


def test_advanced_function_verbose_switch() -> None:
    rec, _unused = run("function f { [CmdletBinding()] param() Write-Verbose 'fv' }; f; f -Verbose")
    assert rec.verbose == ["fv"]


def test_write_host_goes_to_information_with_pshost_tag() -> None:
    rec, _unused = run("Write-Host 'hello' 'there'")
    assert rec.information == [("hello there", "Write-Host", ["PSHOST"])]
    assert not rec.output


def test_write_information_records_unless_ignored() -> None:
    """MshCommandRuntime.WriteInformation (PowerShell source): the default SilentlyContinue still adds the record to
    the information stream (a remote client receives it; only the host display is skipped); Ignore drops it; Stop
    records it, then stops the command with ActionPreferenceStopException."""
    rec, _unused = run("Write-Information 'quiet'; Write-Information 'loud' -InformationAction Continue; "
                       "Write-Information 'dropped' -InformationAction Ignore; "
                       "$InformationPreference = 'Continue'; Write-Information 'pref' -Tags t1; "
                       "$InformationPreference = 'Ignore'; Write-Information 'dropped too'")
    assert rec.information == [("quiet", "Write-Information", []), ("loud", "Write-Information", []),
                               ("pref", "Write-Information", ["t1"])]
    rec, result = run("Write-Information 'last' -InformationAction Stop; 'not reached'")
    assert rec.information == [("last", "Write-Information", [])] and not rec.output
    assert result.state == "Failed" and result.error.FullyQualifiedErrorId == "ActionPreferenceStop"


def test_write_progress() -> None:
    rec, _unused = run("Write-Progress -Activity 'Copy' -Status 'Half' -PercentComplete 50")
    assert rec.progress == [("Copy", 0, "Half", 50)]


def test_streams_interleave_in_order() -> None:
    events: list = []

    class Ordered(Recorder):
        def write_output(self, value: typing.Any) -> None:
            events.append(("out", value))

        def write_warning(self, message: str) -> None:
            events.append(("warn", message))

    Runspace().invoke([Command("1..2 | ForEach-Object { Write-Warning \"w$_\"; $_ }", is_script=True)], writer=Ordered())
    assert events == [("warn", "w1"), ("out", 1), ("warn", "w2"), ("out", 2)]


# ----------------------------------------------------------------------------------------------
# Session state across invocations, scopes, commands
# ----------------------------------------------------------------------------------------------

def test_state_persists_across_invocations() -> None:
    rs = Runspace()
    run("$counter = 1; function Bump { $global:counter++ }", rs)
    run("Bump; Bump", rs)
    rec, _unused = run("$counter", rs)
    assert rec.output == [3]


def test_env_is_per_runspace() -> None:
    a, b = Runspace(), Runspace()
    run("$env:ONLY_A = 'a'", a)
    rec_a, _unused = run("$env:ONLY_A", a)
    rec_b, _unused = run("$env:ONLY_A", b)
    assert rec_a.output == ["a"]
    assert rec_b.output == [None]


def test_use_local_scope_does_not_leak() -> None:
    rs = Runspace()
    rec = Recorder()
    rs.invoke([Command("$leak = 1", is_script=True, use_local_scope=True)], writer=rec)
    rec2, _unused = run("$leak -eq $null", rs)
    assert rec2.output == [True]


def test_non_script_command_with_parameters() -> None:
    rs = Runspace()
    rec = Recorder()
    result = rs.invoke([Command("Write-Output", parameters=[(None, "x")])], writer=rec)
    assert result.state == "Completed"
    assert rec.output == ["x"]
    rec = Recorder()
    rs.invoke([Command("Get-Date", parameters=[("Date", "2020-01-02"), ("Format", "yyyy")])], writer=rec)
    assert rec.output == ["2020"]


def test_psrpcore_command_objects_are_accepted() -> None:
    from psrpcore._command import Command as CoreCommand  # pylint: disable=import-outside-toplevel

    cmd = CoreCommand("Write-Output")
    cmd.add_argument([1, 2])
    cmd.add_parameter("NoEnumerate", True)
    rec = Recorder()
    result = Runspace().invoke([cmd, CoreCommand("Measure-Object")], writer=rec)
    assert result.state == "Completed"
    assert rec.output[0].Count == 1


def test_non_script_command_unknown() -> None:
    rec = Recorder()
    result = Runspace().invoke([Command("No-SuchThing")], writer=rec)
    assert result.state == "Failed"
    assert result.error.FullyQualifiedErrorId == "CommandNotFoundException"


def test_multi_command_pipeline_and_input() -> None:
    rec = Recorder()
    result = Runspace().invoke([Command("$input | ForEach-Object { $_ * 10 }", is_script=True),
                                Command("Sort-Object", parameters=[("Descending", True)])], input=[1, 3, 2], writer=rec)
    assert result.state == "Completed"
    assert rec.output == [30, 20, 10]


def test_function_defined_in_one_invoke_used_in_next() -> None:
    rs = Runspace()
    run("function Get-Double([int]$n) { $n * 2 }", rs)
    rec = Recorder()
    rs.invoke([Command("Get-Double", parameters=[("n", 21)])], writer=rec)
    assert rec.output == [42]


def test_pipeline_input_objects_from_psrpcore() -> None:
    obj = PSCustomObject(Name="remote", Size=3)
    rec, _unused = run("$input | ForEach-Object { \"$($_.Name):$($_.Size)\" }", input_items=[obj, "s"])
    assert rec.output == ["remote:3", ":"]


def test_deserialized_input_round_trip() -> None:
    wire = deserialize(serialize({"Name": "h", "Items": [1, 2]}, None), None)
    rec, result = run("$input | ForEach-Object { $_.name; $_['ITEMS'].Count }", input_items=[wire])
    assert result.state == "Completed"
    assert rec.output == ["h", 2]


def test_default_host_services_wsman_store() -> None:
    host = HostServices()
    assert host.wsman_get("WSMan:\\localhost\\Shell\\IdleTimeout") == "7200000"
    with pytest.raises(KeyError):
        host.wsman_get("WSMan:\\localhost\\Nope")
    with pytest.raises(ValueError):
        host.wsman_set("WSMan:\\localhost\\Shell\\MaxShellsPerUser", "many")
    assert sorted(host.wsman_children("WSMan:\\localhost\\Shell"))[:2] == ["AllowRemoteShellAccess", "IdleTimeout"]
    rec, _unused = run("(Get-ChildItem WSMan:\\localhost\\Shell).Name -contains 'MaxMemoryPerShellMB'", Runspace(host=host))
    assert rec.output == [True]


def test_exit_ends_the_pipeline_and_tells_the_host() -> None:
    """A top-level `exit` completes the pipeline and calls the host's SetShouldExit; as in Windows'
    LocalPipeline, $LASTEXITCODE is set only for nested pipelines, not here."""
    rs = Runspace()
    rec, result = run("'a'; exit 7; 'b'", rs)
    assert result.state == "Completed" and result.exit_code == 7
    assert rec.output == ["a"]
    rec, _unused = run("$LASTEXITCODE -eq $null", rs)
    assert rec.output == [True]


def test_invoke_never_raises_python_errors() -> None:
    for script in ("$a = @{}; $a[$null] = 1", "[int]::NoSuch()", "'x' * 'y'", "$x.y.z = 1", "@(1) - 1", "&& 1"):
        rec = Recorder()
        result = Runspace().invoke([Command(script, is_script=True)], writer=rec)
        assert result.state in ("Completed", "Failed")
        assert "Internal interpreter error" not in str(result.error or "")


def test_writer_exceptions_propagate_unchanged() -> None:
    class Aborted(Exception):
        pass

    class Failing(Recorder):
        def write_output(self, value: typing.Any) -> None:
            raise Aborted()

    with pytest.raises(Aborted):
        Runspace().invoke([Command("try { 'x' } catch { 'swallowed' } finally { }", is_script=True)], writer=Failing())


# ----------------------------------------------------------------------------------------------
# Stop and sleep
# ----------------------------------------------------------------------------------------------

class StopOnOutput(Recorder):
    """Sets the stop event from the pipeline's first output: the stop comes at a known point of the script."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self.stop = stop

    def write_output(self, value: typing.Any) -> None:
        super().write_output(value)
        self.stop.set()


def _run_until_first_output(script: str) -> tuple[Recorder, typing.Any]:
    stop = threading.Event()
    rec = StopOnOutput(stop)
    result = Runspace().invoke([Command(script, is_script=True)], writer=rec, stop_event=stop)
    return rec, result


def test_start_sleep_interrupted_by_stop_event() -> None:
    started = time.monotonic()
    rec, result = _run_until_first_output("'before'; Start-Sleep -Seconds 30; 'after'")
    assert time.monotonic() - started < 25, 'the 30 s sleep did not run to its end'
    assert result.state == "Stopped"
    assert rec.output == ["before"]


def test_stop_event_interrupts_loop() -> None:
    rec, result = _run_until_first_output("'looping'; while ($true) { $x++ }")
    assert result.state == "Stopped"
    assert rec.output == ["looping"]


def test_start_sleep_milliseconds() -> None:
    started = time.monotonic()
    _unused, result = run("Start-Sleep -Milliseconds 150; Start-Sleep 0")
    assert result.state == "Completed"
    assert time.monotonic() - started >= 0.14


# ----------------------------------------------------------------------------------------------
# Jobs
# ----------------------------------------------------------------------------------------------

def test_job_lifecycle() -> None:
    rs = Runspace()
    rec, result = run("$j = Start-Job -ScriptBlock { Start-Sleep -Milliseconds 300; 'done'; 42 }; $j.State; $j.Name", rs)
    assert result.state == "Completed"
    assert rec.output == ["Running", "Job1"]
    rec, _unused = run("$null = Wait-Job $j; $j.State; Receive-Job $j; (Receive-Job $j).Count", rs)
    assert rec.output == ["Completed", "done", 42, 0]


def test_job_failed_state_and_error() -> None:
    rs = Runspace()
    rec, _unused = run("$j = Start-Job { throw 'job broke' }; Wait-Job $j | Out-Null; $j.State; Receive-Job $j", rs)
    assert rec.output == ["Failed"]
    assert [(m, f) for m, f, _unused, _unused in rec.errors] == [("job broke", "job broke")]


def test_job_receive_wait_keep_and_using() -> None:
    rs = Runspace()
    rec, _unused = run("$v = 20; $j = Start-Job { $using:v + 1 }; Receive-Job $j -Wait -Keep; Receive-Job $j; "
                       "(Get-Job -Id $j.Id).State", rs)
    assert rec.output == [21, 21, "Completed"]


def test_job_argument_list_and_ids() -> None:
    rs = Runspace()
    rec, _unused = run("$a = Start-Job { param($x) $x * 2 } -ArgumentList 5; $b = Start-Job { 1 }; $a.Id; $b.Id; "
                       "Receive-Job $a -Wait", rs)
    assert rec.output == [1, 3, 10]


def test_job_has_its_own_runspace() -> None:
    rs = Runspace()
    rec, _unused = run("$secret = 'parent'; $j = Start-Job { $secret -eq $null }; Receive-Job $j -Wait", rs)
    assert rec.output == [True]


def test_remove_job() -> None:
    rs = Runspace()
    rec, _unused = run("$j = Start-Job { Start-Sleep 5 }; Remove-Job $j; (Get-Job).Count; Remove-Job $j -Force; "
                       "@(Get-Job).Count", rs)
    assert rec.output == [1, 0]
    assert rec.errors[0][1] == "JobObjectNotFinishedCannotBeRemoved,Microsoft.PowerShell.Commands.RemoveJobCommand"


def test_job_warnings_replayed() -> None:
    rec, _unused = run("Start-Job { Write-Warning 'from job'; 'out' } | Receive-Job -Wait")
    assert rec.output == ["out"]
    assert rec.warnings == ["from job"]
