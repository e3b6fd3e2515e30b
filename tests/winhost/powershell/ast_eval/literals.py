"""Literals: constants (numbers, quoted and bare-word strings), array literals and hashtable literals."""

from __future__ import annotations

import typing

from .. import values as V
from ..errors import PSError
from ..syntax import nodes as N
from .assign import statement_value
from .core import handles, value


@handles(N.ConstantExpressionAst, N.StringConstantExpressionAst)
def constant(engine: typing.Any, ast: N.ConstantExpressionAst) -> typing.Any:
    # StringConstantExpressionAst too: a bare word, '...', or "..." without anything to expand.
    del engine
    return ast.value


@handles(N.ArrayLiteralAst)
def array_literal(engine: typing.Any, ast: N.ArrayLiteralAst) -> list:
    # `1, 2` and the unary comma `,x` (an ArrayLiteralAst of one element, as Parser.cs builds it).
    return [value(engine, element) for element in ast.elements]


@handles(N.HashtableAst)
def hashtable(engine: typing.Any, ast: N.HashtableAst) -> V.PSHashtable:
    table = V.PSHashtable()
    for key_ast, value_ast in ast.key_value_pairs:
        key = value(engine, key_ast)
        # The value is a statement (a pipeline, or an assignment): its output collected as an assignment's is.
        item = statement_value(engine, value_ast)
        if key in table:
            # Parser.cs reports this at parse time (DuplicateKeyInHashLiteral); the interpreter finds it on evaluation.
            raise PSError(f"Duplicate keys '{V.to_string(key)}' are not allowed in hash literals.",
                          exception_type="System.Management.Automation.ParseException",
                          fqid="DuplicateKeyInHashLiteral", category="ParserError", reason="ParseException",
                          terminating=True)
        table[key] = item
    return table
