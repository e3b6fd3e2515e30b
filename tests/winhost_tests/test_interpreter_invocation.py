"""An error record's InvocationInfo (`$_.InvocationInfo` in a catch block, `$Error[0].InvocationInfo`): where the error
happened, as Windows PowerShell 5.1 gives it (issue 10; ansible-core 2.16 to 2.18's Format-AnsibleException reads
`$ErrorRecord.InvocationInfo.PositionMessage` under Set-StrictMode -Version 2).

Sources (PowerShell/PowerShell): engine/InvocationInfo.cs (the members: ScriptLineNumber/OffsetInLine the extent's
start, Line the whole start line with its line break, ScriptName "" and PSCommandPath $null without a file,
InvocationName "" unless a command set it, CommandOrigin Internal, empty BoundParameters/UnboundArguments);
engine/parser/Position.cs PositionUtilities.VerboseMessage (`At line:<n> char:<c>`, `+ <line>`, `+ ` and `~` under
the extent; tabs as four spaces; a line over 69 characters cut to 69 around the extent with "... " / " ..."; an extent
over several lines underlined to the end of its first line) with ParserStrings TextForPositionMessage/TextForWordLine;
which position a record gets: InterpreterError.UpdateExceptionErrorRecordPosition (the statement that raised it; a
record that has one keeps it, so a rethrown `$_` keeps where it was first thrown) and MshCommandRuntime's
`SetInvocationInfo(MyInvocation)` for a cmdlet's records and an advanced function's ThrowTerminatingError (the
command's own InvocationInfo: MyCommand, the name it was called by, the CommandAst's extent).
"""

from __future__ import annotations

import pytest

from test_interpreter import plain, run

CRLF = "\r\n"

CASES = [
    # A throw statement's extent, on one line.
    ("try { throw 'boom' } catch { $i = $_.InvocationInfo }\n$i.PositionMessage",
     ["At line:1 char:7" + CRLF + "+ try { throw 'boom' } catch { $i = $_.InvocationInfo }" + CRLF + "+       " + "~" * 12]),
    # Inside a function: the line in the text the function was defined in; a statement's record has no command.
    ("function f {\n  $x = 1\n  throw 'inner'\n}\ntry { f } catch { $i = $_.InvocationInfo }\n"
     "$i.ScriptLineNumber; $i.OffsetInLine; $i.Line; $null -eq $i.MyCommand; $i.InvocationName; $i.ScriptName; "
     "$null -eq $i.PSCommandPath; $i.PSScriptRoot; $i.PipelineLength; $i.PipelinePosition; $i.ExpectingInput; "
     "$i.CommandOrigin.ToString(); $i.BoundParameters.Count; $i.UnboundArguments.Count; $i.GetType().FullName",
     [3, 3, "  throw 'inner'\n", True, "", "", True, "", 0, 0, False, "Internal", 0, 0,
      "System.Management.Automation.InvocationInfo"]),
    # A statement-terminating error outside a try: reported, in $Error with its position.
    ("$null.Foo()\n$Error[0].InvocationInfo.PositionMessage", ["At line:1 char:1" + CRLF + "+ $null.Foo()" + CRLF + "+ " + "~" * 11]),
    ("try { 1/0 } catch { }\n$Error[0].InvocationInfo.ScriptLineNumber", [1]),
    # `throw $_` rethrows the record, which keeps the position it already has.
    ("try {\n  try { throw 'a' } catch { throw $_ }\n} catch { $_.InvocationInfo.ScriptLineNumber; $_.InvocationInfo.OffsetInLine }",
     [2, 9]),
    # A cmdlet's record: its MyInvocation (the cmdlet, the CommandAst, not the whole pipeline).
    ("try { Get-Item C:\\nope -ErrorAction Stop | Out-Null } catch { $i = $_.InvocationInfo }\n"
     "$i.MyCommand.Name; $i.InvocationName; $i.PositionMessage",
     ["Get-Item", "Get-Item", "At line:1 char:7" + CRLF + "+ try { Get-Item C:\\nope -ErrorAction Stop | Out-Null } catch { $i = $_ ..."
      + CRLF + "+       " + "~" * 34]),
    # Called by an alias, non-terminating: InvocationName is the alias, MyCommand the cmdlet.
    ("gi C:\\nope -ea 0\n$i = $Error[0].InvocationInfo; $i.MyCommand.Name; $i.InvocationName; $i.OffsetInLine; "
     "$i.MyCommand.GetType().FullName",
     ["Get-Item", "gi", 1, "System.Management.Automation.CmdletInfo"]),
    # $PSCmdlet.ThrowTerminatingError: the advanced function's MyInvocation, i.e. where it was called.
    ("function Get-X {\n  [CmdletBinding()] param()\n  $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new("
     "[System.Exception]::new('no'), 'NoX', 'ObjectNotFound', $null))\n}\ntry { $y = Get-X } catch { $i = $_.InvocationInfo }\n"
     "$i.MyCommand.Name; $i.MyCommand.GetType().FullName; $i.ScriptLineNumber; $i.PositionMessage",
     ["Get-X", "System.Management.Automation.FunctionInfo", 5,
      "At line:5 char:12" + CRLF + "+ try { $y = Get-X } catch { $i = $_.InvocationInfo }" + CRLF + "+            ~~~~~"]),
    # A line over 69 characters: 12 characters before the extent and 8 after, then as much more before as fits.
    ("try { $aaaaaaaaaaaaaaaaaaaaaaaa = 1; $bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb = 2; $c = $null.Foo(); "
     "$ddddddddddddddddddddd = 3 } catch { $i = $_.InvocationInfo }\n$i.PositionMessage",
     ["At line:1 char:76" + CRLF + "+ ... a = 1; $bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb = 2; $c = $null.Foo(); $ddddd ..." + CRLF
      + "+ " + " " * 49 + "~" * 16]),
    # Tabs are shown as four spaces.
    ("try {\n\t\tthrow 'tab'\n} catch { $_.InvocationInfo.PositionMessage }",
     ["At line:2 char:3" + CRLF + "+         throw 'tab'" + CRLF + "+         " + "~" * 11]),
    # An extent over two lines is underlined to the end of its first line.
    ("try {\n  throw ('a' +\n    'b')\n} catch { $_.InvocationInfo.PositionMessage }",
     ["At line:2 char:3" + CRLF + "+   throw ('a' +" + CRLF + "+   " + "~" * 12]),
    # A script with top-level begin/process/end blocks: lines as the script was sent.
    ("begin { }\nprocess { }\nend {\n  try { throw 'e' } catch { $_.InvocationInfo.ScriptLineNumber }\n}", [4]),
    # Under Set-StrictMode -Version 2, as 2.16's Format-AnsibleException reads it (a here-string around the values).
    ("Set-StrictMode -Version 2\ntry { throw 'boom' } catch { $r = $_ }\n"
     "@\"\n$($r.ToString())\n$($r.InvocationInfo.PositionMessage)\n    + FullyQualifiedErrorId : $($r.FullyQualifiedErrorId)\n\"@",
     ["boom\nAt line:2 char:7" + CRLF + "+ try { throw 'boom' } catch { $r = $_ }" + CRLF + "+       " + "~" * 12
      + "\n    + FullyQualifiedErrorId : boom"]),
    # Write-Error gives its record the caller's $MyInvocation (WriteErrorCommand.cs: "set InvocationInfo to the script
    # not the command"): a function's call ...
    ("function f {\n  Write-Error 'bad'\n}\n$x = f\n$i = $Error[0].InvocationInfo; $i.MyCommand.Name; $i.InvocationName; "
     "$i.PositionMessage", ["f", "f", "At line:4 char:6" + CRLF + "+ $x = f" + CRLF + "+      ~"]),
    # ... a script block's `&` command ...
    ("& {\n  Write-Error 'sb'\n}\n$Error[0].InvocationInfo.PositionMessage", ["At line:1 char:1" + CRLF + "+ & {" + CRLF + "+ ~~~"]),
    # ... and at a script's top level the script's own, which has no position (EmptyExtent: PositionMessage "").
    ("Write-Error 'top'\n$i = $Error[0].InvocationInfo; '[' + $i.PositionMessage + ']'; $i.ScriptLineNumber; "
     "$i.OffsetInLine; '[' + $i.Line + ']'", ["[]", 0, 0, "[]"]),
    # -ErrorRecord: the record's InvocationInfo is replaced by the caller's too.
    ("try { throw 'x' } catch { Write-Error -ErrorRecord $_ }\n'[' + $Error[0].InvocationInfo.PositionMessage + ']'", ["[]"]),
    # A here-string's line break before `$(...)` is part of the text (about_Quoting_Rules).
    ("$a = 'x'\n@\"\n$($a)\n$($a)\n\"@", ["x\nx"]),
]


@pytest.mark.parametrize("script,expected", CASES, ids=[c[0][:60] for c in CASES])
def test_an_error_records_invocation_info(script: str, expected: list) -> None:
    rec, result = run(script)
    assert result.state == "Completed", (result, rec.errors)
    assert plain(rec.output) == expected


def test_what_is_not_modelled_of_it_trips() -> None:
    """HistoryId (the runspace history's next id), a cmdlet record's bound parameters and a script's own ScriptInfo
    are not kept: an error naming the member, never a made-up value."""
    for script, member in (("try { throw 'x' } catch { $_.InvocationInfo.HistoryId }", "HistoryId"),
                           ("try { Get-Item C:\\nope -ErrorAction Stop } catch { $_.InvocationInfo.BoundParameters }",
                            "BoundParameters"),
                           ("Write-Error 'top'\n$Error[0].InvocationInfo.MyCommand", "MyCommand")):
        _rec, result = run(script)
        assert result.state == "Failed"
        assert str(result.error.FullyQualifiedErrorId) == "NotModelledByTestHost"
        assert f"'{member}'" in str(result.error.Exception.Message)
