"""The walk itself: the lowering cache and the dispatch table by node class.

Every family module registers its node classes with `handles`; `evaluate` dispatches on the node's class (one
dict lookup). Pipelines, commands, function definitions and script block invocation are the evaluator's
(evaluator.py, commands.py), on the same AST.
"""

from __future__ import annotations

import typing

from ..members import is_void
from ..shouldprocess import not_modelled
from ..syntax import LoweringError, lower_body, lower_expression, lower_statement
from ..syntax import nodes as N

Handler = typing.Callable[[typing.Any, typing.Any], typing.Any]
HANDLERS: dict[type, Handler] = {}
# Statements write to a sink (the evaluator's output callable) instead of giving a value.
StatementHandler = typing.Callable[[typing.Any, typing.Any, typing.Callable[[typing.Any], None]], None]
STATEMENT_HANDLERS: dict[type, StatementHandler] = {}
# The grammar's statement kinds (the others lowered here are expressions).
_STATEMENT_KINDS = frozenset({"pipeline", "if_statement", "foreach_statement", "for_statement", "while_statement", "do_statement",
                              "switch_statement", "try_statement", "flow_control_statement", "function_statement"})

# Parsed text -> (the text, its lowered statements and script bodies by concrete node). A statement is lowered once per
# parsed text (loops and functions run the same statements many times); the blocks inside it are left unlowered, and
# each of their statements is lowered here when it first runs. Each entry keeps its text (and so its tree) alive: a
# few dozen texts cover the scripts running now (a module task's scripts are parsed anew each time).
_SOURCES: dict[int, tuple[bytes, dict[tuple[int, int, str], N.Ast]]] = {}
_MAX_SOURCES = 64


def handles(*classes: type) -> typing.Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for klass in classes:
            HANDLERS[klass] = handler
        return handler
    return register


def handles_statement(*classes: type) -> typing.Callable[[StatementHandler], StatementHandler]:
    def register(handler: StatementHandler) -> StatementHandler:
        for klass in classes:
            STATEMENT_HANDLERS[klass] = handler
        return handler
    return register


def lowered(node: typing.Any, source: bytes) -> N.Ast:
    """The AST of a concrete statement or expression node of a parsed text (its blocks left unlowered)."""
    entry = _SOURCES.get(id(source))
    if entry is None or entry[0] is not source:
        if len(_SOURCES) >= _MAX_SOURCES:
            _SOURCES.clear()
        entry = _SOURCES[id(source)] = (source, {})
    nodes = entry[1]
    key = (node.start_byte, node.end_byte, node.type)
    found = nodes.get(key)
    if found is None:
        try:
            found = (lower_statement if node.type in _STATEMENT_KINDS else lower_expression)(node, source)
        except LoweringError as err:
            raise not_modelled(f"This construct ({err})") from None
        nodes[key] = found
    return found


def script_body(node: typing.Any, source: bytes) -> N.ScriptBlockAst:
    """The evaluator's ScriptBlockAst of a script block value's concrete node (syntax.lower_body), once per parsed
    text and node as `lowered`."""
    entry = _SOURCES.get(id(source))
    if entry is None or entry[0] is not source:
        if len(_SOURCES) >= _MAX_SOURCES:
            _SOURCES.clear()
        entry = _SOURCES[id(source)] = (source, {})
    key = (node.start_byte, node.end_byte, "body")
    found = entry[1].get(key)
    if found is None:
        try:
            found = lower_body(node, source)
        except LoweringError as err:
            raise not_modelled(f"This construct ({err})") from None
        entry[1][key] = found
    return found  # type: ignore[return-value]


def statement_nodes(block: typing.Any) -> list:
    """A block's statements (StatementBlockAst or NamedBlockAst): lowered ones, or the concrete nodes of an
    evaluator's body (`_unlowered`, lowered as each runs)."""
    unlowered = block._unlowered  # pylint: disable=protected-access
    return block.statements if unlowered is None else unlowered


def evaluate(engine: typing.Any, ast: N.Ast) -> typing.Any:
    return HANDLERS.get(ast.__class__, hand_back)(engine, ast)


def value(engine: typing.Any, ast: N.Ast) -> typing.Any:
    """An operand's value: a void result (`[void]...`, a void method) is $null in a value."""
    result = HANDLERS.get(ast.__class__, hand_back)(engine, ast)
    return None if is_void(result) else result


def hand_back(engine: typing.Any, ast: N.Ast) -> typing.Any:
    """A node that is no expression where a value is wanted: a pipeline of commands gives its output collected; any
    other is a statement the grammar let through (a parse error to PowerShell)."""
    if isinstance(ast, (N.PipelineAst, N.AssignmentStatementAst)):
        return engine.pipeline_output(ast)
    raise engine.unexpected_token(ast)


def collapse(out: list) -> typing.Any:
    """A pipeline's output as one value: nothing is $null, one object is itself, more are an array."""
    if not out:
        return None
    if len(out) == 1:
        return out[0]
    return out


def exec_block(engine: typing.Any, block: N.StatementBlockAst, sink: typing.Callable[[typing.Any], None]) -> None:
    """Run a statement block's statements, each guarded by the evaluator (a statement-terminating error is reported
    and the next statement runs, `$?`)."""
    engine.exec_block(block, sink)


def pipeline_value(engine: typing.Any, ast: N.Ast | None) -> typing.Any:
    """A pipeline used as a value (a condition, `( )`, a foreach's collection): an expression keeps its value,
    unenumerated; a pipeline of commands or an assignment is collected by the evaluator (pipeline_output)."""
    if ast is None:
        return None
    if isinstance(ast, N.PipelineAst):
        if len(ast.pipeline_elements) == 1:
            element = ast.pipeline_elements[0]
            if isinstance(element, N.CommandExpressionAst) and not element.redirections:
                return value(engine, element.expression)
        return engine.pipeline_output(ast)
    if isinstance(ast, N.AssignmentStatementAst):
        return engine.pipeline_output(ast)
    return value(engine, ast)


def statement_output(engine: typing.Any, block: N.StatementBlockAst) -> list:
    """The output of a statement block's statements (still run by the evaluator, through their concrete nodes)."""
    out: list = []
    exec_block(engine, block, out.append)
    return out
