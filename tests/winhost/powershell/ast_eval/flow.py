"""Conditionals and loops: IfStatementAst, ForEachStatementAst, ForStatementAst, WhileStatementAst,
DoWhileStatementAst, DoUntilStatementAst (about_If, about_Foreach, about_For, about_While, about_Do). `break` and
`continue` arrive as the evaluator's BreakSignal/ContinueSignal (loop labels are not modelled)."""

from __future__ import annotations

import typing

from .. import values as V
from ..dotnet import Enumerator
from ..errors import BreakSignal, ContinueSignal
from ..syntax import nodes as N
from .core import exec_block, handles_statement, pipeline_value

Sink = typing.Callable[[typing.Any], None]


def _discard(_item: typing.Any) -> None:
    return None


@handles_statement(N.IfStatementAst)
def if_statement(engine: typing.Any, ast: N.IfStatementAst, sink: Sink) -> None:
    for condition, block in ast.clauses:
        if V.to_bool(pipeline_value(engine, condition)):
            exec_block(engine, block, sink)
            return
    if ast.else_clause is not None:
        exec_block(engine, ast.else_clause, sink)


def _loop_body(engine: typing.Any, body: N.StatementBlockAst, sink: Sink) -> bool:
    """Run one loop iteration; False means `break`."""
    engine.ctx.check_stop()
    try:
        exec_block(engine, body, sink)
    except BreakSignal:
        return False
    except ContinueSignal:
        return True
    return True


@handles_statement(N.ForEachStatementAst)
def foreach_statement(engine: typing.Any, ast: N.ForEachStatementAst, sink: Sink) -> None:
    collection = pipeline_value(engine, ast.condition)
    items: typing.Iterable
    if isinstance(collection, Enumerator):
        items = collection.iterate()  # consumed one by one: a `break` leaves the rest of $input unread
    else:
        # A dictionary is one object to foreach (about_Hash_Tables: use .Keys or GetEnumerator()).
        items = V.as_list(collection) if not isinstance(collection, dict) else [collection]
    name = "$" + ast.variable.variable_path.user_path
    for item in items:
        engine.assign_variable(name, item)
        if not _loop_body(engine, ast.body, sink):
            break


@handles_statement(N.ForStatementAst)
def for_statement(engine: typing.Any, ast: N.ForStatementAst, sink: Sink) -> None:
    # The initializer and the iterator are statements whose output is discarded (about_For).
    if ast.initializer is not None:
        engine.run_statement(ast.initializer, _discard)
    while True:
        if ast.condition is not None and not V.to_bool(pipeline_value(engine, ast.condition)):
            break
        if not _loop_body(engine, ast.body, sink):
            break
        if ast.iterator is not None:
            engine.run_statement(ast.iterator, _discard)


@handles_statement(N.WhileStatementAst)
def while_statement(engine: typing.Any, ast: N.WhileStatementAst, sink: Sink) -> None:
    while V.to_bool(pipeline_value(engine, ast.condition)):
        if not _loop_body(engine, ast.body, sink):
            break


@handles_statement(N.DoWhileStatementAst, N.DoUntilStatementAst)
def do_statement(engine: typing.Any, ast: N.LoopStatementAst, sink: Sink) -> None:
    until = isinstance(ast, N.DoUntilStatementAst)
    while True:
        if not _loop_body(engine, ast.body, sink):
            break
        if V.to_bool(pipeline_value(engine, ast.condition)) == until:
            break
