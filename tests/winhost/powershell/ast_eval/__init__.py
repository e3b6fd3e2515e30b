"""The evaluator's constructs that run on the front end's AST (syntax/) instead of tree-sitter's tree.

The move from the concrete tree to the AST goes one construct family at a time; the interpreter's tests are
its oracle. One module per family, each registering the node classes it evaluates with `core.handles`:

- `literals`: constants (ConstantExpressionAst, StringConstantExpressionAst: numbers, quoted and bare-word
  strings), array literals (ArrayLiteralAst: `1, 'a', $x`, the unary comma) and hashtables (HashtableAst);
- `operators`: BinaryExpressionAst and UnaryExpressionAst by TokenKind (arithmetic, comparison, logical, bitwise,
  `-f`, `..`, `-not`, `-bnot`, `-join`, `-split`, `++`/`--`), and `compare_op` for Where-Object;
- `casts`: ConvertExpressionAst (`[T]x`, `[ordered]`, `[ref]`, `[void]`);
- `variables`: VariableExpressionAst, UsingExpressionAst, TypeExpressionAst, and the expressions holding
  statements: ParenExpressionAst `( )`, SubExpressionAst `$( )`, ArrayExpressionAst `@( )`;
- `strings`: ExpandableStringExpressionAst (`"..$x..$(..).."`, here-strings), `$OFS`;
- `members`: MemberExpressionAst (instance and static), InvokeMemberExpressionAst (with member enumeration and the
  intrinsic .Where/.ForEach), IndexExpressionAst, ScriptBlockExpressionAst;
- `flow`: IfStatementAst and the loops (ForEach, For, While, DoWhile, DoUntil), statements that write to a sink
  (`core.handles_statement`; the evaluator's exec_statement runs them through `run_statement`);
- `switch`: SwitchStatementAst;
- `trycatch`: TryStatementAst (5.1's choice of catch clause);
- `jumps`: break, continue, return, exit, throw (the evaluator's signals, a bare `throw` rethrowing in a catch);
- `assign`: AssignmentStatementAst: the right side's value, compound operators, and the targets (a variable,
  property, element, typed variable, list of targets);
- `names`: a member's name, a type literal's type.

`core` holds the walk: `lowered` (the AST of a concrete statement, lowered once per parsed text by
syntax.lower_statement, which leaves statement blocks and script block bodies unlowered until they run),
`script_body` (a script block value's ScriptBlockAst: syntax.lower_body), `evaluate` (dispatch on the node's class),
`STATEMENT_HANDLERS` (the statements writing to a sink, which the evaluator's run_statement dispatches to),
`exec_block` (a block's statements, each run through the evaluator's guard: the per-statement error handling and
`$?`), `pipeline_value`, and `hand_back`: where a value is wanted of a node with no handler, a pipeline of commands
gives its output (the evaluator's pipeline_output), anything else is a parse error. Imports point downward:
core <- names <- assign <- the families <- this package.

A new construct: its handlers in a module of its own (`@handles(N.SomeAst)` for an expression,
`@handles_statement(N.SomeAst)` for a statement), imported here; a new statement kind also goes into core's
`_STATEMENT_KINDS` and the evaluator's (the grammar kinds it lowers as statements and runs).
"""

from __future__ import annotations

# The family modules register their handlers when imported.
from . import casts, flow, jumps, literals, members, operators  # noqa: F401  # pylint: disable=unused-import
from . import strings, switch, trycatch, variables  # noqa: F401  # pylint: disable=unused-import
from .assign import assign, assignment
from .core import STATEMENT_HANDLERS, evaluate, lowered, pipeline_value, script_body, statement_nodes, value
from .operators import compare_op, matches_table

__all__ = ["STATEMENT_HANDLERS", "assign", "assignment", "compare_op", "evaluate", "lowered", "matches_table",
           "pipeline_value", "script_body", "statement_nodes", "value"]
