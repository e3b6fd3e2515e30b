"""The .NET type registry (winhost/powershell/typeregistry.py) and the types declared through it.

Each row is a script with what Windows PowerShell 5.1 gives. System.Version: its docs
(learn.microsoft.com System.Version: Parse, the 2-4 component constructors, CompareTo; an
unset Build/Revision is -1), and PowerShell's comparison rule (the right operand is converted to
the left operand's type: about_Comparison_Operators). Name resolution: PowerShell's
TypeResolver (accelerator, `using namespace` prefixes, then `System.`).
"""

from __future__ import annotations

import pytest

from winhost.powershell import typeregistry

from test_interpreter import plain, run

VERSION_CASES = [
    ('$PSVersionTable.PSVersion -lt [Version]"5.1"', [False]),
    ('$PSVersionTable.PSVersion -lt "6.0"', [True]),
    ('[Version]"5.1" -lt "5.2"', [True]),
    ('[Version]"2.0" -gt [Version]"10.0"', [False]),
    ('[Version]"1.2.3" -eq "1.2.3"', [True]),
    ('[Version]"1.2" -eq "1.2.0"', [False]),
    ('[version]::new(1, 2, 3).Build', [3]),
    ('([Version]"1.2").Build, ([Version]"1.2").Revision', [-1, -1]),
    ('[System.Version]::Parse("10.0.17763").Minor', [0]),
    ('([Version]"5.1").GetType().FullName', ["System.Version"]),
    ('[string][Version]"5.01.2"', ["5.1.2"]),
    ('(New-Object -TypeName System.Version -ArgumentList 3, 4).Major', [3]),
    ('[Version]"5.1" -is [Version]', [True]),
    ('"5.1" -is [Version]', [False]),
]


@pytest.mark.parametrize("script,expected", VERSION_CASES, ids=[c[0] for c in VERSION_CASES])
def test_version(script, expected):
    rec, _result = run(script)
    assert not rec.errors, rec.errors
    assert plain(rec.output) == expected


@pytest.mark.parametrize("script,message", [
    ('[Version]"x"', 'Cannot convert value "x" to type "System.Version". Error: "Version string portion was too short or too long."'),
    ('[Version]"1.x"', 'Cannot convert value "1.x" to type "System.Version". Error: "Input string was not in a correct format."'),
])
def test_version_conversion_errors(script, message):
    rec, _result = run(script)
    assert [e[0] for e in rec.errors] == [message]


@pytest.fixture(name="sample_types")
def sample_types_fixture():
    """Two registered types for the resolution rules (removed again after the test)."""
    made = [
        typeregistry.register(typeregistry.NetType("Sample.Space.Thing", static_properties={"Answer": lambda: 42})),
        typeregistry.register(typeregistry.NetType(
            "Sample.Space.Box`1", close=lambda args: typeregistry.NetType("", static_properties={"Inner": lambda: args[0]}))),
    ]
    yield made
    for key in [k for k in typeregistry._TYPES if k.startswith("sample.space.")]:  # pylint: disable=protected-access
        del typeregistry._TYPES[key]  # pylint: disable=protected-access


@pytest.mark.parametrize("name,namespaces,expected", [
    ("Sample.Space.Thing", (), "Sample.Space.Thing"),
    ("sample.space.THING", (), "Sample.Space.Thing"),
    ("Thing", ("Sample.Space",), "Sample.Space.Thing"),
    ("Thing", (), None),
    ("Space.Thing", ("Sample",), "Sample.Space.Thing"),
    ("Version", (), "System.Version"),
    ("System.Version", (), "System.Version"),
    ("Sample.Space.Box[string]", (), "Sample.Space.Box`1[[System.String]]"),
    ("Box[ Version ]", ("Sample.Space",), "Sample.Space.Box`1[[System.Version]]"),
    ("Sample.Space.Box`1[[System.String]]", (), "Sample.Space.Box`1[[System.String]]"),
    ("Sample.Space.Box[string,int]", (), None),
])
def test_type_resolution(sample_types, name, namespaces, expected):
    del sample_types
    from winhost.powershell import values  # pylint: disable=import-outside-toplevel

    found = typeregistry.find(name, namespaces, resolve_argument=lambda a: values.resolve_type(a).full_name)
    assert (found.full_name if found else None) == expected


def test_a_closed_generic_type_is_built_once_with_its_arguments(sample_types):
    del sample_types
    rec, _result = run('[Sample.Space.Box[string]]::Inner; [Sample.Space.Box[version]]::Inner; [Sample.Space.Thing]::Answer')
    assert not rec.errors
    assert plain(rec.output) == ["System.String", "System.Version", 42]
    from winhost.powershell import values  # pylint: disable=import-outside-toplevel

    short, long = values.resolve_type("Sample.Space.Box[string]"), values.resolve_type("Sample.Space.Box`1[[System.String]]")
    assert short == long
    assert typeregistry.registered(short.full_name) is typeregistry.registered(long.full_name)
