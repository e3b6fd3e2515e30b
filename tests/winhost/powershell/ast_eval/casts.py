"""Casts (ConvertExpressionAst): `[T]x` converts (values.cast), `[ordered]@{}` keeps the order of the literal,
`[ref]` refers to a variable or a value, `[void]` discards (about_Type_Conversion, about_Ref)."""

from __future__ import annotations

import typing

from .. import values as V
from ..dotnet import PSReference
from ..errors import PSError
from ..members import void_value
from ..syntax import nodes as N
from .core import handles, value
from .names import type_value

_ORDERED = "System.Collections.Specialized.OrderedDictionary"
_REF = "System.Management.Automation.PSReference"


@handles(N.ConvertExpressionAst)
def convert(engine: typing.Any, ast: N.ConvertExpressionAst) -> typing.Any:
    target = type_value(engine, ast.attribute.type_name_)
    if target.full_name == _ORDERED and isinstance(ast.child, N.HashtableAst):
        return V.PSOrderedDict(value(engine, ast.child))
    if target.full_name == _REF:
        return reference(engine, ast.child)
    item = value(engine, ast.child)
    if target.full_name == "System.Void":
        return void_value()
    return V.cast(item, target)


def reference(engine: typing.Any, inner: N.Ast) -> typing.Any:
    """[ref]$var refers to the variable itself (a method's out parameter writes it); [ref](expr) to a value."""
    if isinstance(inner, N.VariableExpressionAst):
        name, qualifier = engine.split_variable("$" + inner.variable_path.user_path)
        if name.lower() == "null" and qualifier is None:
            return PSReference(discard=True)
        if qualifier is None:
            var = engine.ctx.scope.lookup(name)
        elif qualifier in ("global", "script", "local", "private"):
            var = engine.scope_for(qualifier).variables.get(name.lower())
        else:
            var = None
        if var is None:
            raise PSError("[ref] cannot be applied to a variable that does not exist.", fqid="NonExistingVariableReference",
                          category="InvalidOperation", reason="RuntimeException")
        return PSReference(variable=var)
    item = value(engine, inner)
    return item if isinstance(item, PSReference) else PSReference(item)
