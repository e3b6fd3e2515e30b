"""The language front end: tree-sitter-powershell's concrete tree lowered once into an AST named as
System.Management.Automation.Language (nodes.py: the node classes; lower.py: the lowering; literals.py:
number and string literal rules shared with the evaluator).

Layering: this package imports the parser and the value model only (never the evaluator), so the
evaluator, commands and the script-visible view (clr/language.py) can all build on it.
"""

from .lower import LoweringError, lower_body, lower_expression, lower_script, lower_script_block, lower_statement
from .nodes import Ast, Extent

__all__ = ["Ast", "Extent", "LoweringError", "lower_body", "lower_expression", "lower_script", "lower_script_block",
           "lower_statement"]
