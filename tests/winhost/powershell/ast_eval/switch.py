"""The switch statement (SwitchStatementAst; about_Switch): each item of the condition against every clause, in
order (`-regex` sets $Matches, `-wildcard`, `-casesensitive`, script block conditions with `$_`), `default` when no
clause matched, `break` ending the statement and `continue` the item. `-file` is not modelled."""

from __future__ import annotations

import typing

from .. import values as V
from ..errors import BreakSignal, ContinueSignal, ParseError
from ..syntax import nodes as N
from .core import exec_block, handles_statement, pipeline_value, value
from .operators import matches_table

Sink = typing.Callable[[typing.Any], None]


@handles_statement(N.SwitchStatementAst)
def switch_statement(engine: typing.Any, ast: N.SwitchStatementAst, sink: Sink) -> None:  # pylint: disable=too-many-branches
    flags = {flag.strip().lower().lstrip("-") for flag in ast.flags.split(",")}
    if "file" in flags:
        raise ParseError("switch -file is not supported by this host.", "UnexpectedToken")
    subject = pipeline_value(engine, ast.condition)
    items = V.as_list(subject) if isinstance(subject, (list, tuple)) else [subject]
    case_sensitive = "casesensitive" in flags
    saved = engine.ctx.scope.lookup("_")
    saved_value = saved.value if saved else None
    try:
        for item in items:
            engine.ctx.check_stop()
            engine.ctx.scope.set_local("_", item)
            matched = False
            stop = False
            for condition, block in ast.clauses:
                if _matches(engine, condition, item, flags, case_sensitive):
                    matched = True
                    try:
                        exec_block(engine, block, sink)
                    except BreakSignal:
                        stop = True
                        break
                    except ContinueSignal:
                        break
            if stop:
                break
            if not matched and ast.default is not None:
                try:
                    exec_block(engine, ast.default, sink)
                except BreakSignal:
                    break
                except ContinueSignal:
                    continue
    finally:
        if saved is not None:
            engine.ctx.scope.set_local("_", saved_value)


def _matches(engine: typing.Any, condition: N.Ast, item: typing.Any, flags: set, case_sensitive: bool) -> bool:
    if isinstance(condition, N.ScriptBlockExpressionAst):
        block = value(engine, condition)
        return V.to_bool(engine.invoke_script_block_value(block, [], dollar_under=item))
    if isinstance(condition, N.StringConstantExpressionAst) and condition._cst is None:  # pylint: disable=protected-access
        # A clause condition the grammar left as text (no node of its own): the evaluator reads it as a fragment.
        pattern = engine.eval_fragment(condition.value)
    else:
        pattern = value(engine, condition)
    if "regex" in flags:
        match = V.compile_regex(V.to_string(pattern), case_sensitive).search(V.to_string(item))
        if match:
            engine.ctx.scope.set_local("Matches", matches_table(match))
        return match is not None
    if "wildcard" in flags:
        return V.like(item, pattern, case_sensitive)
    return V.equals(item, pattern, case_sensitive)
