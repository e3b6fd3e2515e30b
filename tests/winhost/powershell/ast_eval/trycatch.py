"""try/catch/finally (TryStatementAst, CatchClauseAst; about_Try_Catch_Finally): the catch clause an error goes to
is chosen as 5.1's ExceptionHandlingOps.FindMatchingHandler chooses it (MiscOps.cs); `$_`/`$PSItem` are the error
record inside the clause; the finally block runs however the try ends."""

from __future__ import annotations

import typing

from psrpcore.types import ErrorRecord

from ..errors import PSError
from ..syntax import nodes as N
from .core import exec_block, handles_statement
from .names import type_value

Sink = typing.Callable[[typing.Any], None]


@handles_statement(N.TryStatementAst)
def try_statement(engine: typing.Any, ast: N.TryStatementAst, sink: Sink) -> None:
    ctx = engine.ctx
    try:
        ctx.try_depth += 1
        try:
            exec_block(engine, ast.body, sink)
        finally:
            ctx.try_depth -= 1
    except PSError as err:
        record = err.to_record()
        handler, caught = _find_catch(engine, ast.catch_clauses, record)
        if handler is None:
            raise
        err.terminating = False
        ctx.add_to_error_list(record)
        if caught is not record.Exception:
            record = _record_with_exception(record, caught)
        saved = ctx.scope.lookup("_")
        saved_value = saved.value if saved else None
        ctx.scope.set_local("_", record)
        ctx.scope.set_local("PSItem", record)
        ctx.catch_depth += 1
        try:
            exec_block(engine, handler.body, sink)
        finally:
            ctx.catch_depth -= 1
            ctx.scope.set_local("_", saved_value)
            ctx.scope.set_local("PSItem", saved_value)
    finally:
        if ast.finally_ is not None:
            exec_block(engine, ast.finally_, sink)


def _find_catch(engine: typing.Any, catches: list[N.CatchClauseAst],
                record: ErrorRecord) -> tuple[N.CatchClauseAst | None, typing.Any]:
    """The catch clause for an error and the exception it catches, as 5.1's ExceptionHandlingOps.FindMatchingHandler
    chooses them: the inner exception first (so `catch [System.IO.IOException]` catches a .NET method's exception
    wrapped in a MethodInvocationException, and `$_.Exception` is then that inner exception), unless only a
    catch-all takes it; then the exception itself. Among the clauses: the exact type, then a base type, then a
    catch-all (FindMatchingHandlerByType)."""
    exception = record.Exception
    inner = getattr(exception, "InnerException", None)
    if inner is not None and getattr(inner, "PSObject", None) is not None:
        clause, catch_all = _match_catch(engine, catches, inner)
        if clause is not None and not catch_all:
            return clause, inner
    clause, _catch_all = _match_catch(engine, catches, exception)
    return clause, exception


def _match_catch(engine: typing.Any, catches: list[N.CatchClauseAst],
                 exception: typing.Any) -> tuple[N.CatchClauseAst | None, bool]:
    exc_types = [n.lower() for n in exception.PSObject.type_names] if exception is not None else []
    typed: list[tuple[N.CatchClauseAst, list[str]]] = []
    catch_all = None
    for clause in catches:
        if clause.is_catch_all:
            catch_all = catch_all or clause
            continue
        typed.append((clause, [type_value(engine, t.type_name_).full_name.lower() for t in clause.catch_types]))
    for clause, wanted in typed:
        if exc_types and exc_types[0] in wanted:
            return clause, False
    for clause, wanted in typed:
        if any(w in exc_types or w == "system.object" for w in wanted):
            return clause, False
    return catch_all, catch_all is not None


def _record_with_exception(record: ErrorRecord, exception: typing.Any) -> ErrorRecord:
    """`new ErrorRecord(record, exception)`: the same record around another exception (what a typed catch that matched
    an inner exception sees as `$_`)."""
    copy = ErrorRecord(Exception=exception, CategoryInfo=record.CategoryInfo, TargetObject=record.TargetObject,
                       FullyQualifiedErrorId=record.FullyQualifiedErrorId, InvocationInfo=record.InvocationInfo)
    copy.PSObject.to_string = str(getattr(exception, "Message", "") or "")
    return copy
