"""Windows PowerShell 5.1 fidelity of the test host's interpreter: gaps no other table covered (issue 10).

Each row is a script with what Windows PowerShell 5.1 gives, from the source cited on the row's group. Where the
text cites PowerShell's source it is the engine as open-sourced from 5.1 (PowerShell/PowerShell at 60b3b304f2,
"Move files from psl-monad submodule to super-project", 2016), before 7.0 changed the number rules:
- engine/LanguagePrimitives.cs: FigureConversionFromNull (`$null` to a reference type is ConvertNullToRef,
  the `$null` itself); a string to DateTime through DateTime.Parse(string, IFormatProvider) with the invariant
  culture (ConvertViaParseMethod; casts pass CultureInfo.InvariantCulture).
- .NET "DateTime.Parse" (learn.microsoft.com): the invariant culture's forms (ISO 8601, M/d/yyyy, month names,
  fractional seconds, a time alone is today's), a string with an offset or `Z` converted to local time.
- engine/parser/tokenizer.cs ScanGenericToken: in argument mode a word runs until CharTraits.ForceStartNewToken
  (blanks, `&(),;{|}`); a `$` in it is scanned as in a double-quoted string (ScanDollarInStringExpandable), and a word
  with nested tokens is a generic expandable token (an ExpandableStringExpressionAst, StringConstantType BareWord).
  about_Parsing ("Argument mode"): variables and subexpressions in an argument are expanded.
- engine/parser/tokenizer.cs TryGetNumberValue (numbers): Int32, Int64, Decimal, then Double for decimal digits; hex
  digits through int.TryParse then long.TryParse with AllowHexSpecifier (the bits as a signed value; Decimal refuses
  hex, so 17 digits are BadNumericConstant); `L` through long.TryParse; a real is Double, times its multiplier.
  about_Numeric_Literals (learn.microsoft.com): an integer without a suffix is [int], else [long], else [decimal],
  else [double]; the hex rules above are the 5.1 tokenizer's (later versions added suffixes and BigInteger).
- engine/parser/Parser.cs (CommandArgument): a primary expression in an argument takes its member accesses and
  method calls that follow without a blank (`(Get-Date).ToUniversalTime()` is one InvokeMemberExpressionAst argument).
"""

from __future__ import annotations

import pytest

from test_interpreter import plain, run


def ok(script: str) -> list:
    rec, result = run(script)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


NULL_TO_ARRAY = [
    # FigureConversionFromNull: an array type is a reference type, so the cast hands back $null itself (not @()).
    ("$null -eq [object[]]$null", [True]),
    ("([object[]]$null).Count", [0]),  # $null's intrinsic Count
    ("@([object[]]$null).Count", [1]),  # @() of a pipeline that wrote one $null
    ("[object[]]$null", [None]),
    ("$null -eq [string[]]$null; $null -eq [int[]]$null; $null -eq [array]$null", [True, True, True]),
    ("$null -eq [hashtable]$null; $null -eq [System.Collections.ArrayList]$null", [True, True]),
    ("$null -eq [System.Collections.Generic.List[string]]$null", [True]),
    # A type-constrained variable converts what is assigned the same way (about_Variables).
    ("[object[]]$x = $null; $null -eq $x; [array]$y = $null; $null -eq $y", [True, True]),
    ("[object[]]$x = 5; $x.GetType().Name; $x.Count", ["Object[]", 1]),
    ("function f { param([object[]]$Items) $null -eq $Items }; f -Items $null", [True]),
]


@pytest.mark.parametrize("script,expected", NULL_TO_ARRAY, ids=[c[0] for c in NULL_TO_ARRAY])
def test_null_to_array_type(script, expected):
    assert ok(script) == expected


DATETIME_CASTS = [
    # DateTime.Parse(s, InvariantCulture): fractional seconds are ticks (learn.microsoft.com "DateTime.Parse").
    ("([datetime]'2026-12-03 06:07:08.25').ToString('yyyy-MM-dd HH:mm:ss.fff')", ["2026-12-03 06:07:08.250"]),
    ("([datetime]'2026-12-03 06:07:08.25').Millisecond", [250]),
    # Seven digits are ticks; the test host's clock keeps microseconds (the last digit is lost).
    ("([datetime]'2026-12-03T06:07:08.1234567').ToString('fffffff')", ["1234560"]),
    # Ticks: 100 ns since 0001-01-01 (learn.microsoft.com "DateTime.Ticks").
    ("([datetime]'0001-01-01 00:00:01').Ticks; ([datetime]'2026-12-03 06:07:08.25').Ticks", [10000000, 639318748282500000]),
    ("([datetime]'2026-12-03T06:07').ToString('s')", ["2026-12-03T06:07:00"]),
    # The invariant culture's order is month first; a two-digit year is 1930..2029 (TwoDigitYearMax 2029).
    ("([datetime]'12/3/2026').ToString('yyyy-MM-dd'); ([datetime]'12/3/26 6:07 PM').ToString('yyyy-MM-dd HH:mm')",
     ["2026-12-03", "2026-12-03 18:07"]),
    ("([datetime]'1/2/45').Year; ([datetime]'12-03-2026 12:00 AM').Hour", [1945, 0]),
    # Month names (the invariant culture's, English), RFC 1123, a year and month alone (the first of the month).
    ("([datetime]'3 December 2026').ToString('yyyy-MM-dd'); ([datetime]'Dec 3, 2026 6:07:08 PM').Hour",
     ["2026-12-03", 18]),
    ("([datetime]'Thu, 03 Dec 2026 06:07:08 GMT').ToString('s'); ([datetime]'2026-12').ToString('s')",
     ["2026-12-03T06:07:08", "2026-12-01T00:00:00"]),
    # A time alone is today's.
    ("([datetime]'06:07:08').Date -eq [datetime]::Today; ([datetime]'6 PM').Hour", [True, 18]),
    # An offset or Z: the instant in local time, Kind Local (the test host's zone is UTC: clr/globalization.py).
    ("$d = [datetime]'2026-12-03T06:07:08+01:00'; $d.ToString('s'); $d.Kind.ToString()",
     ["2026-12-03T05:07:08", "Local"]),
    ("([datetime]'2024-01-02T03:04:05Z').ToString('s'); [DateTime]::Parse('2024-01-02T03:04:05.5Z').Millisecond",
     ["2024-01-02T03:04:05", 500]),
    # DateTime.Equals compares ticks: two DateTimes of the same instant are -eq.
    ("[datetime]'2026-12-04' -eq [datetime]'12/4/2026'; (Get-Date).Date -eq [datetime]::Today", [True, True]),
    ("[datetime]'2026-12-04' -ne [datetime]'2026-12-05'; @([datetime]'2026-12-04') -contains [datetime]'2026-12-04'",
     [True, True]),
]


@pytest.mark.parametrize("script,expected", DATETIME_CASTS, ids=[c[0] for c in DATETIME_CASTS])
def test_datetime_cast(script, expected):
    assert ok(script) == expected


@pytest.mark.parametrize("script,message", [
    # Out of range or no date at all: .NET's FormatException inside the conversion error.
    ("[datetime]'2026-02-30'", 'Cannot convert value "2026-02-30" to type "System.DateTime". Error: "String was not '
                               'recognized as a valid DateTime."'),
    ("[datetime]'2026-12-03 25:00'", 'Cannot convert value "2026-12-03 25:00" to type "System.DateTime". Error: '
                                     '"String was not recognized as a valid DateTime."'),
    ("[datetime]'soon'", 'Cannot convert value "soon" to type "System.DateTime". Error: "String was not recognized '
                         'as a valid DateTime."'),
])
def test_datetime_cast_errors(script, message):
    rec, _result = run(script)
    assert [e[0] for e in rec.errors] == [message]


def test_datetime_form_not_modelled_trips():
    # DateTime.Parse reads `12/3` (this year's December 3rd); the test host does not model that form: a tripwire error,
    # never a wrong date or a made-up FormatException.
    rec, result = run("[datetime]'12/3'")
    assert result.state == "Failed" and not rec.output
    assert "DateTime.Parse of '12/3'" in str(result.error) and "does not model" in str(result.error)


MEMBER_CALL_ARGUMENTS = [
    ("$a = Get-Date; (New-TimeSpan -Start $a -End (Get-Date).AddMinutes(2)).TotalMinutes -ge 1.9", [True]),
    ("$d = [datetime]'2026-12-03 06:07:08'; (New-TimeSpan -Start $d -End ($d).AddHours(1)).TotalHours", [1.0]),
    # The chain goes on: a method's result's members and further calls, indexes.
    ("Write-Output ([datetime]'2026-12-03').AddDays(1).ToString('yyyy-MM-dd') next", ["2026-12-04", "next"]),
    ("$s = ' abc '; Write-Output $s.Trim().ToUpper() $s.Trim().Length", ["ABC", 3]),
    ("$l = 'a,b'; Write-Output $l.Split(',')[1]", ["b"]),
    ("$l = 'x'; Write-Output -InputObject:$l.ToUpper()", ["X"]),
    # A blank or a word before the parenthesis still starts a new argument.
    ("Write-Output (1) (2); Write-Output (1)(2)", [1, 2, 1, 2]),
    ("(New-Object System.Version(1, 2)).Minor", [2]),
]


@pytest.mark.parametrize("script,expected", MEMBER_CALL_ARGUMENTS, ids=[c[0] for c in MEMBER_CALL_ARGUMENTS])
def test_member_call_argument(script, expected):
    assert ok(script) == expected


def test_member_call_argument_ast():
    # The argument is the call itself, not a parenthesised expression around it.
    script = ("$sb = { New-TimeSpan -End (Get-Date).ToUniversalTime() }; "
              "$e = $sb.Ast.EndBlock.Statements[0].PipelineElements[0].CommandElements; "
              "$e[1].ParameterName; $e[2].GetType().Name; $e[2].Extent.Text")
    assert ok(script) == ["End", "InvokeMemberExpressionAst", "(Get-Date).ToUniversalTime()"]


EXPANDABLE_WORDS = [
    ("$_ = @{ Value = 'AB12' }; Write-Output Cert:\\LocalMachine\\My\\$($_.Value)", ["Cert:\\LocalMachine\\My\\AB12"]),
    ("$h = @{ a = @{ b = 1 } }; Write-Output k$($h.a.b)v", ["k1v"]),
    ("$n = 'x'; Write-Output C:\\$n\\y pre-$n-post a$n.Length", ["C:\\x\\y", "pre-x-post", "ax.Length"]),
    ("$n = 'x'; Write-Output a`$n a$ a$-b", ["a$n", "a$", "a$-b"]),  # an escaped or lone `$` is literal
    ("$n = 'x'; Write-Output a$n,b$n", ["ax", "bx"]),  # a comma ends the word
    ("$n = 'x'; $e = { Write-Output a$n }.Ast.EndBlock.Statements[0].PipelineElements[0].CommandElements[1]; "
     "$e.GetType().Name; $e.StringConstantType.ToString(); $e.Value",
     ["ExpandableStringExpressionAst", "BareWord", "a$n"]),
]


@pytest.mark.parametrize("script,expected", EXPANDABLE_WORDS, ids=[c[0] for c in EXPANDABLE_WORDS])
def test_expandable_bare_word(script, expected):
    assert ok(script) == expected


def test_expandable_bare_word_cert_path_trips():
    # ansible.windows' winrm facts: the word expands, then the Cert: provider (not modelled) trips naming the path.
    rec, result = run("@{ Value = 'AB12' }.GetEnumerator() | ForEach-Object { "
                      "Get-Item Cert:\\LocalMachine\\My\\$($_.Value) }")
    assert result.state == "Failed" and not rec.output
    assert "Cert:\\LocalMachine\\My\\AB12" in str(result.error) and "does not model" in str(result.error)


NUMBER_LITERALS = [
    # Hex digits reinterpreted as signed: up to 8 are an Int32 (int.TryParse, AllowHexSpecifier), up to 16 an Int64.
    ("0xFFFFFFFF; (0xFFFFFFFF).GetType().Name; 0x80000000; 0x7FFFFFFF", [-1, "Int32", -2147483648, 2147483647]),
    ("0x100000000; (0x100000000).GetType().Name", [4294967296, "Int64"]),
    ("0xFFFFFFFFFFFFFFFF; (0xFFFFFFFFFFFFFFFF).GetType().Name; 0x8000000000000000",
     [-1, "Int64", -9223372036854775808]),
    ("0x00000000FFFFFFFF; (0x0000000000000001).GetType().Name", [-1, "Int32"]),  # leading zeros do not count
    # `L`: Int64's TryParse takes the digits, so 8 hex digits are not negative.
    ("0xFFFFFFFFL; (0xFFFFFFFFL).GetType().Name; 0xFFFFFFFFFFFFFFFFL; 0x8000000000000000L",
     [4294967295, "Int64", -1, -9223372036854775808]),
    ("5L; (5L).GetType().Name; 1.5L; 2.5L", [5, "Int64", 2, 2]),  # a real with L: Convert to Int64, rounded to even
    # A multiplier applies after the digits' type: Int32 widens to Int64 when the product needs it; Int64 stays.
    ("0xFFFFFFFFkb; 0x10kb; (0x7FFFFFFFkb).GetType().Name; (0xFFFFFFFFFFFFFFFFkb).GetType().Name",
     [-1024, 16384, "Int64", "Int64"]),
    ("1kb; 2gb; (2gb).GetType().Name", [1024, 2147483648, "Int64"]),
    ("1.5kb; (1.5kb).GetType().Name; (1e3).GetType().Name", [1536.0, "Double", "Double"]),  # a real stays Double
    # Decimal digits: Int32, Int64, (Decimal), then Double past Decimal.MaxValue.
    ("(2147483647).GetType().Name; (2147483648).GetType().Name; 9223372036854775807",
     ["Int32", "Int64", 9223372036854775807]),
    ("(100000000000000000000000000000).GetType().Name", ["Double"]),
]


@pytest.mark.parametrize("script,expected", NUMBER_LITERALS, ids=[c[0] for c in NUMBER_LITERALS])
def test_number_literal(script, expected):
    assert ok(script) == expected


@pytest.mark.parametrize("script", [
    # 5.1 types these as System.Decimal, which the test host does not model: never a silent Double.
    "9223372036854775808", "1d", "79228162514264337593543950335", "0x7FFFFFFFFFFFFFFFkb",
])
def test_decimal_literal_not_modelled(script):
    rec, result = run(script)
    assert result.state == "Failed" and not rec.output
    assert "Decimal is not modelled" in str(result.error)


def test_hex_literal_past_int64_is_not_a_number():
    # 17 hex digits: Decimal's TryParse refuses AllowHexSpecifier, so no type takes them (ParserStrings
    # BadNumericConstant).
    rec, result = run("0x1FFFFFFFFFFFFFFFF")
    assert result.state == "Failed" and not rec.output
    assert str(result.error) == "The numeric constant 0x1FFFFFFFFFFFFFFFF is not valid."


TIMESPANS = [
    # TimeSpan.Parse(s, InvariantCulture) (learn.microsoft.com "TimeSpan.Parse"): [-]{ d | [d.]hh:mm[:ss[.ff]] }.
    ("([timespan]'01:02:03').TotalSeconds; ([timespan]'1.02:03:04.5').TotalSeconds", [3723.0, 93784.5]),
    ("([timespan]'-0:30').TotalMinutes; ([timespan]'3').TotalHours; ([timespan]' 1:2 ').TotalMinutes",
     [-30.0, 72.0, 62.0]),
    # TimeSpan's own methods ("TimeSpan Struct"): GetType like every object's, Add/Subtract/Negate/Duration.
    ("$t = New-TimeSpan -Seconds 90; $t.GetType().Name; $t.GetType().FullName", ["TimeSpan", "System.TimeSpan"]),
    ("$t = New-TimeSpan -Seconds 90; $t.Add($t).TotalSeconds; $t.Subtract((New-TimeSpan -Seconds 100)).Duration().TotalSeconds; "
     "$t.Negate().TotalSeconds", [180.0, 10.0, -90.0]),
]


@pytest.mark.parametrize("script,expected", TIMESPANS, ids=[c[0] for c in TIMESPANS])
def test_timespan(script, expected):
    assert ok(script) == expected


@pytest.mark.parametrize("script,message", [
    ("[timespan]'25:00'", 'Cannot convert value "25:00" to type "System.TimeSpan". Error: "The TimeSpan could not be '
                          'parsed because at least one of the numeric components is out of range or contains too many '
                          'digits."'),
    ("[timespan]'soon'", 'Cannot convert value "soon" to type "System.TimeSpan". Error: "String was not recognized as '
                         'a valid TimeSpan."'),
    ("(New-TimeSpan -Seconds 1).Frob()",
     "Method invocation failed because [System.TimeSpan] does not contain a method named 'Frob'."),
])
def test_timespan_errors(script, message):
    rec, _result = run(script)
    assert [e[0] for e in rec.errors] == [message]


@pytest.mark.parametrize("script", ["[decimal]1.5", "'1.5' -as [decimal]", "[decimal]$x = 1"])
def test_decimal_conversion_not_modelled(script):
    # 5.1 gives a System.Decimal; the test host has none, and a Double (what it used to give) would pass unnoticed.
    # -as too: a conversion the host does not model is not a failed conversion ($null).
    rec, result = run(script)
    assert result.state == "Failed" and not rec.output
    assert "System.Decimal" in str(result.error) and "does not model" in str(result.error)


def test_as_still_gives_null_for_a_failed_conversion():
    assert ok("$null -eq ('x' -as [int]); $null -eq ('x' -as [datetime])") == [True, True]


def test_datetime_parse_method():
    # [DateTime]::Parse reads what the cast reads; its failure is the method's FormatException (MethodInvocationException),
    # not a conversion error.
    assert ok("[datetime]::Parse('2026-12-03 01:02:03.5').Millisecond") == [500]
    rec, _result = run("[datetime]::Parse('soon')")
    assert [(e[0], e[1]) for e in rec.errors] == [
        ('Exception calling "Parse" with "1" argument(s): "String was not recognized as a valid DateTime."',
         "FormatException")]


def test_datetime_static_methods_not_modelled_trip():
    # ParseExact and DateTime's other static methods exist in 5.1: a tripwire error, not "does not contain a method".
    rec, result = run("[datetime]::ParseExact('2026-12-03', 'yyyy-MM-dd', $null)")
    assert result.state == "Failed" and not rec.output
    assert "[DateTime]::ParseExact" in str(result.error) and "does not model" in str(result.error)
