"""Windows PowerShell 5.1 fidelity of the test host's interpreter: gaps no other table covered (issue 10).

Each row is a script with what Windows PowerShell 5.1 gives, from the source cited on the row's group. Where the
text cites PowerShell's source it is the engine as open-sourced from 5.1 (PowerShell/PowerShell at 60b3b304f2,
"Move files from psl-monad submodule to super-project", 2016), before 7.0 changed the number rules:
- engine/LanguagePrimitives.cs: FigureConversionFromNull (`$null` to a reference type is ConvertNullToRef,
  the `$null` itself); a string to DateTime through DateTime.Parse(string, IFormatProvider) with the invariant
  culture (ConvertViaParseMethod; casts pass CultureInfo.InvariantCulture).
- .NET "DateTime.Parse" (learn.microsoft.com): the invariant culture's forms (ISO 8601, M/d/yyyy, month names,
  fractional seconds, a time alone is today's), a string with an offset or `Z` converted to local time.
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
