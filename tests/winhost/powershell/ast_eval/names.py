"""Names written in the script: a member's name and a type literal's type."""

from __future__ import annotations

import typing

from .. import values as V
from ..syntax import nodes as N
from .core import value


def member_name(engine: typing.Any, member: N.Ast) -> str:
    """The name of a member: a bare word as written, else the value of the expression (`$x.$name`, `$x.'a b'`)."""
    if isinstance(member, N.StringConstantExpressionAst):
        return member.value
    return V.to_string(value(engine, member))


def type_value(engine: typing.Any, type_name: N.TypeName) -> V.TypeValue:
    """A type literal's type, resolved through the script's `using namespace` statements (about_Using)."""
    del engine
    return V.resolve_type(type_name.parsed_name or type_name.name, type_name.using_namespaces)
