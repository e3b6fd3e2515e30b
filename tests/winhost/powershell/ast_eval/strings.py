"""Expandable strings (ExpandableStringExpressionAst): `"..."` and `@"..."@` with `$var`, `${name}` and `$(...)`,
each nested value converted to a string with `$OFS` between the items of an array (about_Quoting_Rules,
about_Preference_Variables: $OFS)."""

from __future__ import annotations

import typing

from .. import values as V
from ..syntax import nodes as N
from .core import collapse, handles, statement_output, value


@handles(N.ExpandableStringExpressionAst)
def expandable_string(engine: typing.Any, ast: N.ExpandableStringExpressionAst) -> str:
    parts = ast._parts  # pylint: disable=protected-access
    pieces = [parts[0]]
    for i, nested in enumerate(ast.nested_expressions):
        pieces.append(V.to_string(_nested_value(engine, nested), ofs(engine)))
        pieces.append(parts[i + 1])
    return "".join(pieces)


def _nested_value(engine: typing.Any, nested: N.Ast) -> typing.Any:
    if isinstance(nested, N.UsingExpressionAst):
        nested = nested.sub_expression
    if isinstance(nested, N.VariableExpressionAst):
        # An unset variable in a string is an error only under Set-StrictMode 2 and later (read_variable).
        return engine.read_variable("$" + nested.variable_path.user_path, in_string=True)
    if isinstance(nested, N.SubExpressionAst):
        return collapse(statement_output(engine, nested.sub_expression))
    return value(engine, nested)


def ofs(engine: typing.Any) -> str:
    """The separator an array is joined with when it becomes a string ($OFS, a space when unset)."""
    separator = engine.get_variable("$OFS")
    return " " if separator is None else V.to_string(separator)
