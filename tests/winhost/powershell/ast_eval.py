"""The evaluator's constructs that run on the front end's AST (syntax/) instead of tree-sitter's tree.

The move from the concrete tree to the AST goes one construct family at a time; the interpreter's tests are
its oracle. Moved so far: literals: constants (ConstantExpressionAst, StringConstantExpressionAst: numbers,
quoted and bare-word strings), array literals (ArrayLiteralAst: `1, 'a', $x`) and hashtable literals
(HashtableAst: `@{a = 1; 'b' = $x}`). A child node of another family is handed back to the evaluator through
the concrete node it was lowered from (`Ast._cst`), so both walks meet at each node's boundary.

To move the next family: add its node class to `evaluate`, then point the evaluator's `_e_<grammar node>`
handler at `run_lowered` (as evaluator._e_hash_literal_expression does) and delete its concrete-tree code.
"""

from __future__ import annotations

import typing

from . import values as V
from .errors import PSError
from .shouldprocess import not_modelled
from .syntax import LoweringError, lower_expression
from .syntax import nodes as N

_CACHE: dict[tuple[int, int, int, str], tuple[bytes, N.Ast]] = {}


def lowered(node: typing.Any, source: bytes) -> N.Ast:
    """The AST of a concrete expression node, lowered once per node of a parsed text (loops and functions run the
    same node many times)."""
    key = (id(source), node.start_byte, node.end_byte, node.type)
    found = _CACHE.get(key)
    if found is None or found[0] is not source:
        # Each entry keeps its parsed text (and so its tree) alive: a few hundred cover the loops and functions of
        # the scripts running now; a module task's scripts are parsed anew each time.
        if len(_CACHE) > 512:
            _CACHE.clear()
        try:
            found = _CACHE[key] = (source, lower_expression(node, source))
        except LoweringError as err:
            raise not_modelled(f"This construct ({err})") from None
    return found[1]


def run_lowered(engine: typing.Any, node: typing.Any) -> typing.Any:
    return evaluate(engine, lowered(node, engine.source))


def evaluate(engine: typing.Any, ast: N.Ast) -> typing.Any:
    if isinstance(ast, N.ConstantExpressionAst):
        # StringConstantExpressionAst too: a bare word, '...', or "..." without anything to expand.
        return ast.value
    if isinstance(ast, N.ArrayLiteralAst):
        return [evaluate(engine, element) for element in ast.elements]
    if isinstance(ast, N.HashtableAst):
        return _hashtable(engine, ast)
    # Not moved yet: the evaluator runs the concrete node (a void value, `[void]...`, is $null in a value, as
    # eval_expr gives it).
    return engine.eval_expr(ast._cst)  # pylint: disable=protected-access


def _hashtable(engine: typing.Any, ast: N.HashtableAst) -> V.PSHashtable:
    table = V.PSHashtable()
    for key_ast, value_ast in ast.key_value_pairs:
        key = evaluate(engine, key_ast)
        # The value is a statement (a pipeline, or an assignment): its output collected as an assignment's is.
        value = engine.assignment_value(value_ast._cst)  # pylint: disable=protected-access
        if key in table:
            # Parser.cs reports this at parse time (DuplicateKeyInHashLiteral); the interpreter finds it on evaluation.
            raise PSError(f"Duplicate keys '{V.to_string(key)}' are not allowed in hash literals.",
                          exception_type="System.Management.Automation.ParseException",
                          fqid="DuplicateKeyInHashLiteral", category="ParserError", reason="ParseException",
                          terminating=True)
        table[key] = value
    return table
