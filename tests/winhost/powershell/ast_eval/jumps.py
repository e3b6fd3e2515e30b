"""Flow control statements: BreakStatementAst, ContinueStatementAst, ReturnStatementAst, ExitStatementAst and
ThrowStatementAst (about_Break, about_Continue, about_Return, about_Throw). They leave through the evaluator's
signals (BreakSignal, ContinueSignal, ReturnSignal, ExitSignal) or a terminating PSError."""

from __future__ import annotations

import typing

from psrpcore.types import ErrorRecord

from .. import values as V
from ..errors import BreakSignal, ContinueSignal, ExitSignal, PSError, ReturnSignal, error_from_record
from ..syntax import nodes as N
from .core import handles_statement, pipeline_value

Sink = typing.Callable[[typing.Any], None]
_INT32 = V.TypeValue("System.Int32")


def _label(ast: N.Ast | None) -> str | None:
    # `break outer`: the label as written (loops do not look at it: labels are not modelled).
    return ast.extent.text if ast is not None else None


@handles_statement(N.BreakStatementAst)
def break_statement(engine: typing.Any, ast: N.BreakStatementAst, sink: Sink) -> None:
    del engine, sink
    raise BreakSignal(_label(ast.label))


@handles_statement(N.ContinueStatementAst)
def continue_statement(engine: typing.Any, ast: N.ContinueStatementAst, sink: Sink) -> None:
    del engine, sink
    raise ContinueSignal(_label(ast.label))


@handles_statement(N.ReturnStatementAst)
def return_statement(engine: typing.Any, ast: N.ReturnStatementAst, sink: Sink) -> None:
    # `return x` writes x to the output first (about_Return), as any pipeline would.
    if isinstance(ast.pipeline, (N.PipelineAst, N.AssignmentStatementAst)):
        engine.exec_pipeline(ast.pipeline, sink)
    elif ast.pipeline is not None:
        for item in V.enumerate_value(pipeline_value(engine, ast.pipeline)):
            sink(item)
    raise ReturnSignal()


@handles_statement(N.ExitStatementAst)
def exit_statement(engine: typing.Any, ast: N.ExitStatementAst, sink: Sink) -> None:
    del sink
    code = 0
    if ast.pipeline is not None:
        # The value's own errors (an undefined variable under StrictMode, say) stop the statement: no exit.
        value = pipeline_value(engine, ast.pipeline)
        try:
            code = V.cast(value, _INT32)
        except PSError:
            code = 0
    raise ExitSignal(code)


@handles_statement(N.ThrowStatementAst)
def throw_statement(engine: typing.Any, ast: N.ThrowStatementAst, sink: Sink) -> None:
    del sink
    if ast.pipeline is None:
        current = engine.ctx.scope.lookup("_")
        if engine.ctx.catch_depth and current is not None and isinstance(current.value, ErrorRecord):
            # A bare `throw` inside catch rethrows the error being handled.
            raise error_from_record(current.value, terminating=True)
    raise engine.throw_error(pipeline_value(engine, ast.pipeline))
