"""Variables and the expressions that hold statements: VariableExpressionAst, UsingExpressionAst, TypeExpressionAst,
ParenExpressionAst `( )`, SubExpressionAst `$( )` and ArrayExpressionAst `@( )` (about_Operators: grouping,
subexpression and array subexpression operators)."""

from __future__ import annotations

import typing

from ..errors import ParseError
from ..syntax import nodes as N
from .core import collapse, handles, pipeline_value, statement_output
from .names import type_value


@handles(N.VariableExpressionAst)
def variable(engine: typing.Any, ast: N.VariableExpressionAst) -> typing.Any:
    if ast.splatted:
        raise ParseError("Splatted variables like '@" + ast.variable_path.user_path + "' cannot be part of a "
                         "comma-separated list of arguments.", "SplattingNotPermitted")
    return engine.read_variable("$" + ast.variable_path.user_path)


@handles(N.UsingExpressionAst)
def using(engine: typing.Any, ast: N.UsingExpressionAst) -> typing.Any:
    # `$using:x` (in a job's script): the value the caller's variable had (get_variable's `using` qualifier).
    return variable(engine, ast.sub_expression)


@handles(N.TypeExpressionAst)
def type_expression(engine: typing.Any, ast: N.TypeExpressionAst) -> typing.Any:
    return type_value(engine, ast.type_name_)


@handles(N.ParenExpressionAst)
def paren(engine: typing.Any, ast: N.ParenExpressionAst) -> typing.Any:
    # `(expr)` keeps the expression's value, unenumerated (`(1, 2)` is one array); `(Get-X | Y)` collects.
    return pipeline_value(engine, ast.pipeline)


@handles(N.SubExpressionAst)
def sub_expression(engine: typing.Any, ast: N.SubExpressionAst) -> typing.Any:
    return collapse(statement_output(engine, ast.sub_expression))


@handles(N.ArrayExpressionAst)
def array_expression(engine: typing.Any, ast: N.ArrayExpressionAst) -> list:
    # `@( )` is always an array, however many objects its statements write.
    return statement_output(engine, ast.sub_expression)
