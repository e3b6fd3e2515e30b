"""Lowering: tree-sitter-powershell's concrete tree -> the AST of nodes.py, once per parse.

The grammar's shape is not PowerShell's: every expression sits in a tower of precedence nodes
(logical_expression > bitwise_expression > ... > unary_expression) that this pass collapses, a binary node
carries its operator as a token, `begin {}` at a script's top level reads as a command (parser callers wrap
such a script in a function), and some valid PowerShell is rewritten by parser.py before the grammar sees it.
The lowering follows PowerShell's Parser (src/System.Management.Automation/engine/parser/Parser.cs) in what it
builds: a statement that is an expression is a PipelineAst of one CommandExpressionAst; `,x` is an
ArrayLiteralAst of one element; `[T]x` a ConvertExpressionAst; a hashtable key written as a bare word a
StringConstantExpressionAst (BareWord); an omitted attribute argument (`[Parameter(Mandatory)]`) a
ConstantExpressionAst $true over the name. A grammar node it does not know raises LoweringError naming it:
never a node made up.
"""

from __future__ import annotations

import re
import typing

from ..parser import ParsedScript, has_top_level_named_blocks, parse, using_namespaces
from . import nodes as N
from .extents import SourceText
from .literals import DecimalLiteral, escaped_dollar, here_body, parse_number_literal, unescape


class LoweringError(Exception):
    """A grammar node the lowering does not know (a gap of the front end, not of the script)."""


_PASS_THROUGH = {
    "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
    "multiplicative_expression", "format_expression", "range_expression", "array_literal_expression",
    "unary_expression", "logical_argument_expression", "bitwise_argument_expression",
    "comparison_argument_expression", "additive_argument_expression", "multiplicative_argument_expression",
    "format_argument_expression", "range_argument_expression", "argument_expression", "key_expression",
    "left_assignment_expression", "while_condition", "for_initializer", "for_condition", "for_iterator",
    "switch_condition", "switch_clause_condition", "redirected_file_name",
}
_SKIPPED = {"comment", "command_argument_sep", "empty_statement"}
# Wrappers passed through whenever they hold one expression, whatever tokens they hold besides.
_UNWRAPPED = {"key_expression", "left_assignment_expression", "while_condition", "for_initializer", "for_condition",
              "for_iterator", "switch_condition", "switch_clause_condition", "redirected_file_name",
              "argument_expression"}

# TokenKind names (token.cs) of the binary operators; `-eq` and `-ieq` are both Ieq.
_BINARY = {
    "+": "Plus", "-": "Minus", "*": "Multiply", "/": "Divide", "%": "Rem", "..": "DotDot", "-f": "Format",
    "-and": "And", "-or": "Or", "-xor": "Xor", "-band": "Band", "-bor": "Bor", "-bxor": "Bxor", "-shl": "Shl",
    "-shr": "Shr", "-is": "Is", "-isnot": "IsNot", "-as": "As", "-join": "Join",
}
for _op in ("eq", "ne", "ge", "gt", "lt", "le", "like", "notlike", "match", "notmatch", "replace", "contains",
            "notcontains", "in", "notin", "split"):
    _BINARY[f"-{_op}"] = "I" + _op
    _BINARY[f"-i{_op}"] = "I" + _op
    _BINARY[f"-c{_op}"] = "C" + _op
_UNARY = {"-not": "Not", "!": "Exclaim", "-": "Minus", "+": "Plus", "-bnot": "Bnot", "-split": "Csplit",
          "-isplit": "Isplit", "-csplit": "Csplit", "-join": "Join", "++": "PlusPlus", "--": "MinusMinus"}
_ASSIGN = {"=": "Equals", "+=": "PlusEquals", "-=": "MinusEquals", "*=": "MultiplyEquals", "/=": "DivideEquals",
           "%=": "RemainderEquals"}
_STREAMS = {"*": "All", "1": "Output", "2": "Error", "3": "Warning", "4": "Verbose", "5": "Debug", "6": "Information"}
_NUMBER = re.compile(r"^(0x[0-9a-f]+l?|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?[ld]?)(kb|mb|gb|tb|pb)?$", re.I)


def _from(ast: N.Ast, node: typing.Any) -> N.Ast:
    if ast._cst is None:  # pylint: disable=protected-access
        ast._cst = node  # pylint: disable=protected-access
    return ast


def _named(node: typing.Any) -> list:
    return [c for c in node.named_children if c.type not in _SKIPPED]


class _Lowering:  # pylint: disable=too-many-public-methods
    def __init__(self, text: SourceText, defer_bodies: bool = False) -> None:
        self.text = text
        # The evaluator's fragments: statement blocks and script block bodies are left unlowered (`_unlowered`).
        self.defer_bodies = defer_bodies
        # The script's `using namespace` statements (parser.py blanked them, keeping where they were), and the
        # namespaces they give every type name of the script (TypeName.using_namespaces).
        found = text.__dict__.get("_using")  # once per text: every fragment of it lowers through a _Lowering of its own
        if found is None:
            statements = self._using_statements()
            found = text.__dict__["_using"] = (statements, tuple(u.name.value for u in statements))
        self.using_statements, self.namespaces = found

    # --- helpers ---------------------------------------------------------------------------------------------
    def extent(self, node: typing.Any, end_node: typing.Any = None) -> N.Extent:
        return self.text.extent(node.start_byte, (end_node or node).end_byte)

    def raw(self, node: typing.Any) -> str:
        return self.text.rewritten_text(node.start_byte, node.end_byte)

    def unknown(self, node: typing.Any, where: str) -> LoweringError:
        return LoweringError(f"The front end does not lower the grammar node '{node.type}' ({where}): "
                             f"{self.raw(node)[:60]!r}")

    def _using_statements(self) -> list[N.UsingStatementAst]:
        out = []
        original = self.text.original
        pos = 0
        for name in using_namespaces(self.text.source):
            # Found in the text as written (the parsed text has them blanked; the evaluator reads no extent).
            found = re.compile(r"using\s+namespace\s+(" + re.escape(name) + r")", re.I).search(original, pos)
            start, end, name_start = (found.start(), found.end(), found.start(1)) if found else (pos, pos, pos)
            pos = end
            out.append(N.UsingStatementAst(
                extent=self.text.extent_of_offsets(start, end), using_statement_kind="Namespace",
                name=N.StringConstantExpressionAst(extent=self.text.extent_of_offsets(name_start, end), value=name,
                                                   string_constant_type="BareWord")))
        return out

    # --- script blocks ---------------------------------------------------------------------------------------
    def script_block(self, node: typing.Any, extent: N.Extent, param_node: typing.Any = None) -> N.ScriptBlockAst:
        """A program, or a script_block (the inside of `{ }`; the caller gives the extent with the braces, and the
        param block when the grammar put it beside the body, as it does in a script block literal)."""
        param_block = self.param_block(param_node) if param_node is not None else None
        blocks: dict[str, N.NamedBlockAst] = {}
        statements: list = []
        for child in _named(node):
            if child.type == "param_block":
                param_block = self.param_block(child)
            elif child.type == "script_block_body":
                for part in _named(child):
                    if part.type == "statement_list":
                        statements.extend(self.statements(part) if not self.defer_bodies else _named(part))
                    elif part.type == "named_block_list":
                        for named in _named(part):
                            block = self.named_block(named)
                            blocks[block.block_kind] = block
                    else:
                        raise self.unknown(part, "script block body")
            elif child.type == "statement_list":
                statements.extend(self.statements(child) if not self.defer_bodies else _named(child))
            elif child.type == "named_block_list":
                for named in _named(child):
                    block = self.named_block(named)
                    blocks[block.block_kind] = block
            else:
                raise self.unknown(child, "script block")
        if not blocks:
            if self.defer_bodies:
                body = self.text.extent(statements[0].start_byte, statements[-1].end_byte) if statements else \
                    self.text.extent_of_offsets(extent.end_offset, extent.end_offset)
                blocks["End"] = N.NamedBlockAst(extent=body, unnamed=True, block_kind="End", statements=[],
                                                _unlowered=statements, _source=self.text.source)
            elif statements:
                body = self.text.extent_of_offsets(statements[0].extent.start_offset, statements[-1].extent.end_offset)
            else:
                body = self.text.extent_of_offsets(extent.end_offset, extent.end_offset)
            if "End" not in blocks:
                blocks["End"] = N.NamedBlockAst(extent=body, unnamed=True, block_kind="End", statements=statements)
        return N.ScriptBlockAst(extent=extent, param_block=param_block, begin_block=blocks.get("Begin"),
                                process_block=blocks.get("Process"), end_block=blocks.get("End"),
                                dynamic_param_block=blocks.get("Dynamicparam"),
                                using_statements=list(self.using_statements) if _is_script_root(node) else [],
                                _cst=node, _source=self.text.source, _unlowered=self.defer_bodies)

    def named_block(self, node: typing.Any) -> N.NamedBlockAst:
        name = next(c for c in node.named_children if c.type == "block_name")
        body = next((c for c in node.named_children if c.type in ("statement_list", "statement_block")), None)
        if body is not None and body.type == "statement_block":
            body = next((c for c in body.named_children if c.type == "statement_list"), None)
        kind = self.raw(name).strip().capitalize()
        if self.defer_bodies:
            return N.NamedBlockAst(extent=self.extent(node), unnamed=False, block_kind=kind, statements=[],
                                   _unlowered=_named(body) if body is not None else [], _source=self.text.source)
        return N.NamedBlockAst(extent=self.extent(node), unnamed=False, block_kind=kind,
                               statements=self.statements(body) if body is not None else [])

    def statement_block(self, node: typing.Any) -> N.StatementBlockAst:
        body = next((c for c in node.named_children if c.type == "statement_list"), None)
        if self.defer_bodies:
            return N.StatementBlockAst(extent=self.extent(node), statements=[],
                                       _unlowered=_named(body) if body is not None else [], _source=self.text.source)
        return N.StatementBlockAst(extent=self.extent(node), statements=self.statements(body) if body is not None else [])

    def statements(self, node: typing.Any) -> list:
        out = []
        for child in _named(node):
            out.append(self.statement(child))
        return out

    # --- parameters and attributes ---------------------------------------------------------------------------
    def param_block(self, node: typing.Any) -> N.ParamBlockAst:
        attributes = []
        parameters: list = []
        for child in _named(node):
            if child.type == "attribute_list":
                attributes.extend(self.attribute(a) for a in _named(child))
            elif child.type == "parameter_list":
                parameters.extend(self.parameter(p) for p in _named(child))
            else:
                raise self.unknown(child, "param block")
        return N.ParamBlockAst(extent=self.extent(node), attributes=attributes, parameters=parameters)

    def parameter(self, node: typing.Any) -> N.ParameterAst:
        attributes: list = []
        name = None
        default = None
        for child in _named(node):
            if child.type == "attribute_list":
                attributes.extend(self.attribute(a) for a in _named(child))
            elif child.type == "variable":
                name = self.variable(child)
            elif child.type == "script_parameter_default":
                default = self.expression(_named(child)[0])
            else:
                raise self.unknown(child, "parameter")
        assert name is not None
        return N.ParameterAst(extent=self.extent(node), attributes=attributes, name=name, default_value=default)

    def type_name(self, node: typing.Any) -> N.TypeName:
        written = self.extent(node).text.strip()  # as written (`List`1[string]` reaches the grammar without the arity)
        if written.startswith("[") and written.endswith("]"):
            written = written[1:-1].strip()
        parsed = self.raw(node).strip()
        spec = next((c for c in node.named_children if c.type == "type_spec"), None)
        if spec is not None:
            parsed = self.raw(spec).strip()
        elif parsed.startswith("[") and parsed.endswith("]"):
            parsed = parsed[1:-1].strip()
        return N.TypeName(written, written, parsed, self.namespaces)

    def attribute(self, node: typing.Any) -> N.AttributeBaseAst:
        literal = next((c for c in node.named_children if c.type == "type_literal"), None)
        if literal is not None:
            return N.TypeConstraintAst(extent=self.extent(node), type_name_=self.type_name(literal))
        name_node = next(c for c in node.named_children if c.type == "attribute_name")
        positional: list = []
        named: list = []
        arguments = next((c for c in node.named_children if c.type == "attribute_arguments"), None)
        for argument in _named(arguments) if arguments is not None else []:
            parts = _named(argument)
            if parts and parts[0].type == "simple_name":
                arg_name = self.raw(parts[0])
                omitted = len(parts) == 1
                value = (N.ConstantExpressionAst(extent=self.extent(parts[0]), value=True) if omitted
                         else self.expression(parts[1]))
                named.append(N.NamedAttributeArgumentAst(extent=self.extent(argument), argument_name=arg_name,
                                                         argument=value, expression_omitted=omitted))
            else:
                positional.append(self.expression(parts[0] if len(parts) == 1 else argument))
        return N.AttributeAst(extent=self.extent(node), type_name_=self.type_name(name_node),
                              positional_arguments=positional, named_arguments=named)

    # --- statements ------------------------------------------------------------------------------------------
    def statement(self, node: typing.Any) -> N.Ast:
        return _from(self._statement(node), node)

    def _statement(self, node: typing.Any) -> N.Ast:  # pylint: disable=too-many-return-statements
        kind = node.type
        if kind == "pipeline":
            return self.pipeline(node)
        if kind == "if_statement":
            return self.if_statement(node)
        if kind == "foreach_statement":
            return self.foreach_statement(node)
        if kind == "for_statement":
            return self.for_statement(node)
        if kind == "while_statement":
            cond = node.child_by_field_name("condition")
            return N.WhileStatementAst(extent=self.extent(node), label=None, condition=self.pipeline_of(cond),
                                       body=self.statement_block(self._first(node, "statement_block")))
        if kind == "do_statement":
            cond = node.child_by_field_name("condition")
            until = any(c.type == "until" for c in node.children)
            klass = N.DoUntilStatementAst if until else N.DoWhileStatementAst
            return klass(extent=self.extent(node), label=None, condition=self.pipeline_of(cond),
                         body=self.statement_block(self._first(node, "statement_block")))
        if kind == "switch_statement":
            return self.switch_statement(node)
        if kind == "try_statement":
            return self.try_statement(node)
        if kind == "trap_statement":
            type_node = next((c for c in node.named_children if c.type == "type_literal"), None)
            trap_type = None if type_node is None else N.TypeConstraintAst(extent=self.extent(type_node),
                                                                           type_name_=self.type_name(type_node))
            return N.TrapStatementAst(extent=self.extent(node), trap_type=trap_type,
                                      body=self.statement_block(self._first(node, "statement_block")))
        if kind == "flow_control_statement":
            return self.flow_control(node)
        if kind == "function_statement":
            return self.function(node)
        if kind == "class_statement":
            name = next((c for c in node.named_children if c.type == "simple_name"), None)
            return N.TypeDefinitionAst(extent=self.extent(node), name=self.raw(name) if name is not None else "")
        if kind == "assignment_expression":
            return self.assignment(node)
        raise self.unknown(node, "statement")

    def _first(self, node: typing.Any, kind: str) -> typing.Any:
        found = next((c for c in node.named_children if c.type == kind), None)
        if found is None:
            raise self.unknown(node, f"no {kind}")
        return found

    def pipeline_of(self, node: typing.Any) -> N.Ast | None:
        """A condition or similar position that holds a pipeline (possibly inside a wrapper node)."""
        if node is None:
            return None
        while node.type != "pipeline" and node.type in _PASS_THROUGH and len(_named(node)) == 1:
            node = _named(node)[0]
        return self.statement(node) if node.type == "pipeline" else self.expression(node)

    def pipeline(self, node: typing.Any) -> N.Ast:
        parts = _named(node)
        if len(parts) == 1 and parts[0].type == "assignment_expression":
            return self.assignment(parts[0])
        if len(parts) != 1 or parts[0].type != "pipeline_chain":
            raise self.unknown(node, "pipeline")
        chain = parts[0]
        elements: list = []
        for element in _named(chain):
            if element.type == "command":
                elements.append(self.command(element))
            elif element.type == "redirections":
                if not elements or not isinstance(elements[-1], N.CommandExpressionAst):
                    raise self.unknown(element, "redirections")
                last = elements[-1]
                last.redirections.extend(self.redirection(r) for r in _named(element))
                last.extent = self.text.extent_of_offsets(last.extent.start_offset, self.extent(element).end_offset)
            else:
                expr = self.expression(element)
                elements.append(N.CommandExpressionAst(extent=expr.extent, expression=expr, redirections=[]))
        return N.PipelineAst(extent=self.extent(node), pipeline_elements=elements)

    def assignment(self, node: typing.Any) -> N.AssignmentStatementAst:
        left = self._first(node, "left_assignment_expression")
        op = self._first(node, "assignement_operator")
        value = node.child_by_field_name("value")
        right = self.statement(value) if value.type in ("pipeline", "if_statement", "switch_statement", "foreach_statement",
                                                        "for_statement", "while_statement", "do_statement",
                                                        "try_statement", "assignment_expression") else self.expression(value)
        if isinstance(right, N.Ast) and not isinstance(right, (N.PipelineAst, N.AssignmentStatementAst)) and \
                value.type not in ("if_statement", "switch_statement", "foreach_statement", "for_statement",
                                   "while_statement", "do_statement", "try_statement"):
            right = N.PipelineAst(extent=right.extent, pipeline_elements=[
                N.CommandExpressionAst(extent=right.extent, expression=right, redirections=[])])
        operator = _ASSIGN.get(self.raw(op).strip())
        if operator is None:
            raise self.unknown(op, "assignment operator")
        return N.AssignmentStatementAst(extent=self.extent(node), left=self.expression(left), operator=operator,
                                        right=right)

    def if_statement(self, node: typing.Any) -> N.IfStatementAst:
        clauses = [(self.pipeline_of(node.child_by_field_name("condition")),
                    self.statement_block(self._first(node, "statement_block")))]
        elseifs = node.child_by_field_name("elseif_clauses")
        for clause in _named(elseifs) if elseifs is not None else []:
            clauses.append((self.pipeline_of(clause.child_by_field_name("condition")),
                            self.statement_block(self._first(clause, "statement_block"))))
        else_node = node.child_by_field_name("else_clause")
        else_block = self.statement_block(self._first(else_node, "statement_block")) if else_node is not None else None
        return N.IfStatementAst(extent=self.extent(node), clauses=clauses, else_clause=else_block)

    def foreach_statement(self, node: typing.Any) -> N.ForEachStatementAst:
        variable = self.variable(self._first(node, "variable"))
        return N.ForEachStatementAst(extent=self.extent(node), label=None, variable=variable,
                                     condition=self.pipeline_of(self._first(node, "pipeline")),
                                     body=self.statement_block(self._first(node, "statement_block")))

    def for_statement(self, node: typing.Any) -> N.ForStatementAst:
        def part(field: str) -> N.Ast | None:
            found = node.child_by_field_name(field)
            return self.pipeline_of(found) if found is not None and _named(found) else None

        return N.ForStatementAst(extent=self.extent(node), label=None, initializer=part("for_initializer"),
                                 condition=part("for_condition"), iterator=part("for_iterator"),
                                 body=self.statement_block(self._first(node, "statement_block")))

    def switch_statement(self, node: typing.Any) -> N.SwitchStatementAst:
        flags = []
        params = next((c for c in node.named_children if c.type == "switch_parameters"), None)
        names = {"-regex": "Regex", "-wildcard": "Wildcard", "-exact": "Exact", "-casesensitive": "CaseSensitive",
                 "-file": "File", "-parallel": "Parallel"}
        for param in _named(params) if params is not None else []:
            flags.append(names.get(self.raw(param).strip().lower(), self.raw(param).strip()))
        clauses = []
        default = None
        body = self._first(node, "switch_body")
        clause_list = next((c for c in body.named_children if c.type == "switch_clauses"), None)
        for clause in _named(clause_list) if clause_list is not None else []:
            cond_node = self._first(clause, "switch_clause_condition")
            block = self.statement_block(self._first(clause, "statement_block"))
            if self.raw(cond_node).strip().lower() == "default" and not _named(cond_node):
                default = block
                continue
            inner = _named(cond_node)
            cond = (self.expression(inner[0]) if inner else
                    N.StringConstantExpressionAst(extent=self.extent(cond_node), value=self.raw(cond_node).strip(),
                                                  string_constant_type="BareWord"))
            clauses.append((cond, block))
        return N.SwitchStatementAst(extent=self.extent(node), label=None,
                                    condition=self.pipeline_of(self._first(node, "switch_condition")),
                                    flags=", ".join(flags) or "None", clauses=clauses, default=default)

    def try_statement(self, node: typing.Any) -> N.TryStatementAst:
        catches = []
        clause_list = next((c for c in node.named_children if c.type == "catch_clauses"), None)
        for clause in _named(clause_list) if clause_list is not None else []:
            types = next((c for c in clause.named_children if c.type == "catch_type_list"), None)
            catch_types = [N.TypeConstraintAst(extent=self.extent(t), type_name_=self.type_name(t))
                           for t in (_named(types) if types is not None else [])]
            catches.append(N.CatchClauseAst(extent=self.extent(clause), catch_types=catch_types,
                                            body=self.statement_block(self._first(clause, "statement_block"))))
        finally_node = next((c for c in node.named_children if c.type == "finally_clause"), None)
        return N.TryStatementAst(extent=self.extent(node), body=self.statement_block(self._first(node, "statement_block")),
                                 catch_clauses=catches,
                                 finally_=self.statement_block(self._first(finally_node, "statement_block"))
                                 if finally_node is not None else None)

    def flow_control(self, node: typing.Any) -> N.Ast:
        keyword = node.children[0].type.lower()
        rest = _named(node)
        value = self.pipeline_of(rest[0]) if rest else None
        extent = self.extent(node)
        if keyword == "break":
            return N.BreakStatementAst(extent=extent, label=value)
        if keyword == "continue":
            return N.ContinueStatementAst(extent=extent, label=value)
        if keyword == "return":
            return N.ReturnStatementAst(extent=extent, pipeline=value)
        if keyword == "exit":
            return N.ExitStatementAst(extent=extent, pipeline=value)
        if keyword == "throw":
            return N.ThrowStatementAst(extent=extent, pipeline=value)
        raise self.unknown(node, "flow control")

    def function(self, node: typing.Any) -> N.FunctionDefinitionAst:
        name = self.raw(self._first(node, "function_name")).strip()
        is_filter = any(c.type == "filter" for c in node.children)
        declaration = next((c for c in node.named_children if c.type == "function_parameter_declaration"), None)
        parameters = None
        if declaration is not None:
            plist = next((c for c in declaration.named_children if c.type == "parameter_list"), None)
            parameters = [self.parameter(p) for p in _named(plist)] if plist is not None else []
        body = next((c for c in node.named_children if c.type == "script_block"), None)
        braces = [c for c in node.children if c.type in ("{", "}")]
        start = braces[0].start_byte if braces else node.end_byte
        body_extent = self.text.extent(start, node.end_byte)
        if body is None:
            block = N.ScriptBlockAst(extent=body_extent, param_block=None, begin_block=None, process_block=None,
                                     end_block=N.NamedBlockAst(extent=self.text.extent(start + 1, start + 1), unnamed=True,
                                                               block_kind="End", statements=[]),
                                     _cst=node, _source=self.text.source)
        else:
            block = self.script_block(body, body_extent)
        return N.FunctionDefinitionAst(extent=self.extent(node), is_filter=is_filter, is_workflow=False, name=name,
                                       parameters=parameters, body=block)

    # --- commands --------------------------------------------------------------------------------------------
    def command(self, node: typing.Any) -> N.CommandAst:  # pylint: disable=too-many-branches
        operator = "Unknown"
        elements: list = []
        redirections: list = []
        for child in node.named_children:
            if child.type == "command_invokation_operator":
                operator = "Ampersand" if self.raw(child).strip() == "&" else "Dot"
            elif child.type == "command_name":
                elements.append(self.bare_word(child))
            elif child.type == "command_name_expr":
                inner = _named(child)[0]
                elements.append(self.bare_word(inner) if inner.type == "command_name" else self.command_name_expr(inner))
            elif child.type == "path_command_name":
                elements.append(self.command_name_expr(child))
            elif child.type == "command_elements":
                self.command_elements(child, elements, redirections)
            elif child.type not in _SKIPPED:
                raise self.unknown(child, "command")
        return N.CommandAst(extent=self.extent(node), command_elements=elements, invocation_operator=operator,
                            redirections=redirections)

    def command_name_expr(self, node: typing.Any) -> N.Ast:
        if node.type == "path_command_name":
            parts = _named(node)
            if parts and parts[0].type == "variable" and all(p.type == "path_command_name_token" for p in parts[1:]):
                expr: N.Ast = self.variable(parts[0])
                for token in parts[1:]:
                    member = self.raw(token).lstrip(".")
                    start = token.start_byte + (len(self.raw(token)) - len(member))
                    expr = N.MemberExpressionAst(
                        extent=self.text.extent(node.start_byte, token.end_byte), expression=expr, static=False,
                        member=N.StringConstantExpressionAst(extent=self.text.extent(start, token.end_byte), value=member,
                                                             string_constant_type="BareWord"))
                return expr
            return self.bare_word(node)
        return self.expression(node)

    def bare_word(self, node: typing.Any) -> N.StringConstantExpressionAst:
        extent = self.extent(node)
        return N.StringConstantExpressionAst(extent=extent, value=extent.text, string_constant_type="BareWord")

    def command_elements(self, node: typing.Any, elements: list, redirections: list) -> None:
        children = [c for c in node.named_children if c.type != "comment"]
        i = 0
        while i < len(children):
            child = children[i]
            if child.type == "command_argument_sep":
                i += 1
                continue
            if child.type == "command_parameter":
                text = self.raw(child)
                argument = None
                end_node = child
                if text.endswith(":"):
                    text = text[:-1]
                    following = [c for c in children[i + 1:] if c.type != "command_argument_sep"]
                    if following:
                        argument = self.expression(following[0])
                        end_node = following[0]
                        i = children.index(following[0])
                elif i + 1 < len(children) and children[i + 1].type == "command_argument_sep" and \
                        self.raw(children[i + 1]) == ":":
                    # `-Name: value` (the colon a separator of its own, spaces after it): the next element is the value.
                    following = [c for c in children[i + 2:] if c.type != "command_argument_sep"]
                    if following:
                        argument = self.expression(following[0])
                        end_node = following[0]
                        i = children.index(following[0])
                elements.append(N.CommandParameterAst(extent=self.extent(child, end_node),
                                                      parameter_name=text.lstrip("-"), argument=argument))
            elif child.type == "redirection":
                redirections.append(self.redirection(child))
            elif child.type == "generic_token":
                # An argument-mode word: its escapes apply (`` a`tb `` is a, a tab, b: about_Parsing); a number in
                # argument mode is a number literal to the grammar already.
                word = self.bare_word(child)
                if "`" in word.value or "$" in word.value:
                    word.value = unescape(word.value, False)
                elements.append(word)
            elif child.type == "stop_parsing":
                raise self.unknown(child, "the stop-parsing token is not modelled")
            else:
                elements.append(self.expression(child))
            i += 1

    def redirection(self, node: typing.Any) -> N.RedirectionAst:
        operator = _named(node)[0]
        text = self.raw(operator).strip()
        source_stream = _STREAMS.get(text[0], "Output") if text[0] in _STREAMS else "Output"
        if operator.type == "merging_redirection_operator":
            return N.MergingRedirectionAst(extent=self.extent(node), from_stream=source_stream,
                                           to_stream=_STREAMS.get(text[-1], "Output"))
        target = _named(node)[1]
        return N.FileRedirectionAst(extent=self.extent(node), from_stream=source_stream, append=text.endswith(">>"),
                                    location=self.expression(target))

    # --- expressions -----------------------------------------------------------------------------------------
    def expression(self, node: typing.Any) -> N.Ast:  # pylint: disable=too-many-return-statements,too-many-branches
        while node.type in _PASS_THROUGH:
            if node.child_count == 1:
                # The precedence tower (logical > bitwise > ... > unary) around most expressions: one child each.
                child = node.child(0)
                if child.is_named and child.type not in _SKIPPED:
                    node = child
                    continue
            if node.type in _UNWRAPPED:
                parts = _named(node)
                if len(parts) == 1:
                    node = parts[0]
                    continue
            break
        extent = self.extent(node)
        if self.text.rewritten:
            original = extent.text.strip()
            rewritten = self.raw(node).strip()
            if original != rewritten and rewritten[:1] in ("(", "+") and _NUMBER.match(original):
                # `1L` reaches the grammar as `([long]1)`, a leading `1..` as `+1..`: the script's own literal.
                return N.ConstantExpressionAst(extent=extent, value=self.number(node, original))
        kind = node.type
        method = getattr(self, "e_" + kind, None)
        if method is not None:
            return _from(method(node, extent), node)
        if kind in _PASS_THROUGH or kind in ("format_expression", "range_expression"):
            return _from(self.binary_or_list(node, extent), node)
        if kind == "pipeline":
            return self.statement(node)
        raise self.unknown(node, "expression")

    def binary_or_list(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        if node.type in ("array_literal_expression",):
            return N.ArrayLiteralAst(extent=extent, elements=[self.expression(c) for c in _named(node)])
        children = [c for c in node.children if c.type not in _SKIPPED]
        if len(children) < 3:
            raise self.unknown(node, "binary expression")
        left = self.expression(children[0])
        i = 1
        while i + 1 < len(children):
            op_text = self.raw(children[i]).strip().lower()
            op = _BINARY.get(op_text)
            if op is None:
                raise self.unknown(children[i], "binary operator")
            right = self.expression(children[i + 1])
            left = N.BinaryExpressionAst(extent=self.text.extent_of_offsets(left.extent.start_offset, right.extent.end_offset),
                                         left=left, operator=op, right=right)
            i += 2
        return left

    def e_integer_literal(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return N.ConstantExpressionAst(extent=extent, value=self.number(node, self.raw(node)))

    def number(self, node: typing.Any, text: str) -> typing.Any:
        try:
            return parse_number_literal(text)
        except DecimalLiteral:
            raise self.unknown(node, "a System.Decimal literal: Decimal is not modelled") from None

    e_real_literal = e_integer_literal
    e_decimal_integer_literal = e_integer_literal
    e_hexadecimal_integer_literal = e_integer_literal

    def e_string_literal(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        # Its one child is the string's token; without one the literal is its own token, single-quoted.
        return self.expression(_named(node)[0]) if _named(node) else self.e_verbatim_string_characters(node, extent)

    def e_verbatim_string_characters(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        raw = self.raw(node)
        if not extent.text.startswith("'"):
            # A bare word parser.py quoted for the grammar (`select a, b`): a BareWord to PowerShell.
            return N.StringConstantExpressionAst(extent=extent, value=extent.text, string_constant_type="BareWord")
        return N.StringConstantExpressionAst(extent=extent, value=raw[1:-1].replace("''", "'"),
                                             string_constant_type="SingleQuoted")

    def e_verbatim_here_string_characters(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return N.StringConstantExpressionAst(extent=extent, value=here_body(self.raw(node)),
                                             string_constant_type="SingleQuotedHereString")

    def _expandable(self, node: typing.Any, extent: N.Extent, here: bool) -> N.Ast:
        raw = self.raw(node)
        body = here_body(raw) if here else raw[1:-1]
        kind = "DoubleQuotedHereString" if here else "DoubleQuoted"
        if not here and not extent.text.startswith('"'):
            kind = "BareWord"  # a bare word with `$` that parser.py (argmode.py) quoted: an expandable BareWord
        source = self.text.source
        if here:
            # The body is between the opening line and the closing line (about_Quoting_Rules: here-strings); a CRLF
            # script's last line break is two characters.
            head = raw.find("\n") + 1
            body_start = node.start_byte + head
            body_end = node.end_byte - (len(raw) - max(raw.rfind("\n"), head))
            if body_end > body_start and source[body_end - 1:body_end] == b"\r":
                body_end -= 1
        else:
            body_start, body_end = node.start_byte + 1, node.end_byte - 1
        nested: list = []
        parts: list = []
        pos = body_start
        for child in node.named_children:
            if child.type not in ("variable", "sub_expression") or child.start_byte < body_start or \
                    child.end_byte > body_end:
                continue
            # The grammar may start a `$(...)` at the line break before it (in a here-string): that break is literal.
            start = child.start_byte + len(source[child.start_byte:child.end_byte]) - \
                len(source[child.start_byte:child.end_byte].lstrip())
            literal = source[pos:start].decode("utf-8", "replace")
            if escaped_dollar(literal):
                continue  # `$x: the variable's text stays in the literal around it
            parts.append(unescape(literal, here))
            nested.append(self.expression(child))
            pos = child.end_byte
        if not nested:
            return N.StringConstantExpressionAst(extent=extent, value=unescape(body, here), string_constant_type=kind)
        parts.append(unescape(source[pos:body_end].decode("utf-8", "replace"), here))
        # Value: the token's value, escapes applied and nothing expanded (ast.cs: "the unexpanded value").
        return N.ExpandableStringExpressionAst(extent=extent, value=unescape(body, here), string_constant_type=kind,
                                               nested_expressions=nested, _parts=parts)

    def e_expandable_string_literal(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return self._expandable(node, extent, False)

    def e_expandable_here_string_literal(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return self._expandable(node, extent, True)

    def variable(self, node: typing.Any) -> N.VariableExpressionAst:
        raw = self.raw(node)
        splatted = raw.startswith("@")
        name = raw[1:]
        if name.startswith("{") and name.endswith("}"):
            name = name[1:-1]
        return N.VariableExpressionAst(extent=self.extent(node), variable_path=N.VariablePath(name), splatted=splatted)

    def e_variable(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        del extent
        found = self.variable(node)
        if found.variable_path.qualifier() == "using":
            # $using:x is a UsingExpressionAst over the variable (Parser.cs: CheckUsingVariable).
            return N.UsingExpressionAst(extent=found.extent, sub_expression=found)
        return found

    def e_type_literal(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return N.TypeExpressionAst(extent=extent, type_name_=self.type_name(node))

    def e_parenthesized_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        inner = _named(node)
        if inner and self.text.rewritten and self.raw(node) == "(" + extent.text + ")":
            # parser.py (argmode.py) put an argument's member call chain in parentheses: the chain itself.
            pipeline = self.statement(inner[0])
            elements = getattr(pipeline, "pipeline_elements", [])
            if len(elements) == 1 and isinstance(elements[0], N.CommandExpressionAst):
                chain = elements[0].expression
                chain.extent = extent  # the text as written (the alignment may pair the added '(' with the script's)
                return chain
        return N.ParenExpressionAst(extent=extent, pipeline=self.statement(inner[0]) if inner else None)

    def _statement_list_block(self, node: typing.Any) -> N.StatementBlockAst:
        body = next((c for c in node.named_children if c.type == "statement_list"), None)
        if self.defer_bodies:
            return N.StatementBlockAst(extent=self.extent(node), statements=[],
                                       _unlowered=_named(body) if body is not None else [], _source=self.text.source)
        return N.StatementBlockAst(extent=self.extent(node), statements=self.statements(body) if body is not None else [])

    def e_sub_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return N.SubExpressionAst(extent=extent, sub_expression=self._statement_list_block(node))

    def e_array_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return N.ArrayExpressionAst(extent=extent, sub_expression=self._statement_list_block(node))

    def e_hash_literal_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        pairs = []
        body = next((c for c in node.named_children if c.type == "hash_literal_body"), None)
        for entry in _named(body) if body is not None else []:
            key_node = self._first(entry, "key_expression")
            key_parts = _named(key_node)
            if len(key_parts) == 1 and key_parts[0].type == "simple_name" or not key_parts:
                key: N.Ast = self.bare_word(key_parts[0] if key_parts else key_node)
            else:
                key = self.expression(key_node)
            value_node = [c for c in _named(entry) if c.type != "key_expression"][0]
            # The value is a statement (about_Hash_Tables; the grammar's hash-entry), `if`/`switch`/... included.
            is_statement = value_node.type == "pipeline" or value_node.type.endswith("_statement")
            value = self.statement(value_node) if is_statement else self.expression(value_node)
            pairs.append((key, value))
        return N.HashtableAst(extent=extent, key_value_pairs=pairs)

    def e_script_block_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        inner = next((c for c in node.named_children if c.type == "script_block"), None)
        params = next((c for c in node.named_children if c.type == "param_block"), None)
        if inner is None:
            block = N.ScriptBlockAst(extent=extent, param_block=self.param_block(params) if params is not None else None, begin_block=None, process_block=None,
                                     end_block=N.NamedBlockAst(extent=self.text.extent(node.start_byte + 1, node.start_byte + 1),
                                                               unnamed=True, block_kind="End", statements=[]),
                                     _cst=node, _source=self.text.source)
        else:
            block = self.script_block(inner, extent, params)
            block._cst = node  # pylint: disable=protected-access  # the evaluator runs a literal from its expression node
        return N.ScriptBlockExpressionAst(extent=extent, script_block=block)

    def e_expression_with_unary_operator(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        first = node.children[0]
        operand = _named(node)[-1]
        if first.is_named and first.type != "type_literal" and len(node.children) == 1:
            return self.expression(first)
        if first.type == "type_literal":
            constraint = N.TypeConstraintAst(extent=self.extent(first), type_name_=self.type_name(first))
            return N.ConvertExpressionAst(extent=extent, attribute=constraint, child=self.expression(operand))
        op_text = self.raw(first).strip().lower()
        if op_text == ",":
            return N.ArrayLiteralAst(extent=extent, elements=[self.expression(operand)])
        op = _UNARY.get(op_text)
        if op is None:
            raise self.unknown(first, "unary operator")
        return N.UnaryExpressionAst(extent=extent, token_kind=op, child=self.expression(operand))

    def e_cast_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        literal = self._first(node, "type_literal")
        operand = [c for c in _named(node) if c.id != literal.id][-1]
        constraint = N.TypeConstraintAst(extent=self.extent(literal), type_name_=self.type_name(literal))
        return N.ConvertExpressionAst(extent=extent, attribute=constraint, child=self.expression(operand))

    def _increment(self, node: typing.Any, extent: N.Extent, kind: str) -> N.Ast:
        return N.UnaryExpressionAst(extent=extent, token_kind=kind, child=self.expression(_named(node)[0]))

    def e_post_increment_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return self._increment(node, extent, "PostfixPlusPlus")

    def e_post_decrement_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return self._increment(node, extent, "PostfixMinusMinus")

    def e_pre_increment_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return self._increment(node, extent, "PlusPlus")

    def e_pre_decrement_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return self._increment(node, extent, "MinusMinus")

    def member(self, node: typing.Any) -> N.Ast:
        inner = _named(node)
        if len(inner) == 1 and inner[0].type != "simple_name":
            return self.expression(inner[0])
        extent = self.extent(node)
        name = extent.text if extent.text else self.raw(node)
        if self.raw(node) == "_ForEachMethod":
            name = "ForEach"
        return N.StringConstantExpressionAst(extent=extent, value=name, string_constant_type="BareWord")

    def e_member_access(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        target = _named(node)[0]
        static = any(c.type == "::" for c in node.children)
        return N.MemberExpressionAst(extent=extent, expression=self.expression(target),
                                     member=self.member(self._first(node, "member_name")), static=static)

    def e_invokation_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        target = _named(node)[0]
        static = any(c.type == "::" for c in node.children)
        args_node = next((c for c in node.named_children if c.type == "argument_list"), None)
        arguments: list = []
        if args_node is not None:
            for part in _named(args_node):
                if part.type == "argument_expression_list":
                    arguments.extend(self.expression(a) for a in _named(part))
                else:
                    arguments.append(self.expression(part))
        return N.InvokeMemberExpressionAst(extent=extent, expression=self.expression(target),
                                           member=self.member(self._first(node, "member_name")), static=static,
                                           arguments=arguments)

    def e_argument_list(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        """`New-Object T($a, $b)` in argument mode: the word, then a parenthesised expression as the next argument
        (about_Parsing); the list inside is one array literal."""
        items = [self.expression(a) for part in _named(node)
                 for a in (_named(part) if part.type == "argument_expression_list" else [part])]
        if not items:
            raise self.unknown(node, "empty argument list in argument mode")
        inner = items[0] if len(items) == 1 else N.ArrayLiteralAst(
            extent=self.text.extent_of_offsets(items[0].extent.start_offset, items[-1].extent.end_offset), elements=items)
        return N.ParenExpressionAst(extent=extent, pipeline=N.PipelineAst(extent=inner.extent, pipeline_elements=[
            N.CommandExpressionAst(extent=inner.extent, expression=inner, redirections=[])]))

    def e_element_access(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        parts = _named(node)
        return N.IndexExpressionAst(extent=extent, target=self.expression(parts[0]), index=self.expression(parts[1]))

    def e_assignment_expression(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        del extent
        return self.assignment(node)

    def e_simple_name(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        del extent
        return self.bare_word(node)

    def e_generic_token(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        del extent
        return self.bare_word(node)

    def e_command_name(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        del extent
        return self.bare_word(node)

    def e_script_block(self, node: typing.Any, extent: N.Extent) -> N.Ast:
        return N.ScriptBlockExpressionAst(extent=extent, script_block=self.script_block(node, extent))


def _is_script_root(node: typing.Any) -> bool:
    """A whole script: the program, or the body of the function runspace.py and language.py wrap a script with
    top-level begin/process/end blocks in (parser.py's `function __winhost_script`)."""
    if node.type == "program":
        return True
    parent = node.parent
    if node.type != "script_block" or parent is None or parent.type != "function_statement" or \
            parent.parent is None or parent.parent.parent is None or parent.parent.parent.type != "program":
        return False
    name = next((c for c in parent.named_children if c.type == "function_name"), None)
    return name is not None and name.text == b"__winhost_script"


def _set_parents(root: N.Ast) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children():
            child.parent = node
            stack.append(child)


def script_root(text: str, parsed: ParsedScript) -> tuple[ParsedScript, typing.Any]:
    """The parse and the concrete node a whole script's ScriptBlockAst (and its GetScriptBlock()) stands for."""
    root = parsed.root
    if has_top_level_named_blocks(root):
        # The grammar reads a script's top-level `begin { }` as a command; runspace.py runs such a script as the
        # body of a function, and the tree of that text has the named blocks.
        parsed = parse("function __winhost_script {\n" + text + "\n}")
        function = next(c for c in _named(next(c for c in parsed.root.named_children if c.type == "statement_list"))
                        if c.type == "function_statement")
        root = next(c for c in function.named_children if c.type == "script_block")
    return parsed, root


def lower_script(text: str, parsed: ParsedScript | None = None) -> N.ScriptBlockAst:
    """The ScriptBlockAst of a whole script (ParseInput's result). Raises the parser's ParseError for a script
    that does not parse and LoweringError for a construct the front end does not know."""
    parsed, root = script_root(text, parsed or parse(text))
    source_text = SourceText(parsed.source, text)
    ast = _Lowering(source_text).script_block(root, source_text.extent_of_offsets(0, len(source_text.original)))
    _set_parents(ast)
    return ast


def lower_script_block(node: typing.Any, source: bytes) -> N.Ast:
    """The AST of a script block value's concrete node (`$sb.Ast`): a ScriptBlockAst for `{ ... }` or a script,
    a FunctionDefinitionAst for a function's body (as `${function:f}.Ast` is in PowerShell). Extents are in the
    parsed text of the script the block came from (`original` when parser.parse kept it)."""
    text = SourceText(source, getattr(source, "original", None))
    lowering = _Lowering(text)
    if node.type == "script_block_expression":
        ast: N.Ast = lowering.e_script_block_expression(node, lowering.extent(node)).script_block
    elif node.type == "function_statement":
        ast = lowering.function(node)
    elif node.type == "program":
        ast = lowering.script_block(node, text.extent_of_offsets(0, len(text.original)))
    elif node.type == "script_block":
        ast = lowering.script_block(node, lowering.extent(node))
    else:
        raise LoweringError(f"The front end does not lower a script block from the grammar node '{node.type}'")
    _set_parents(ast)
    return ast


_TEXTS: dict[int, tuple[bytes, SourceText]] = {}


def _parsed_text(source: bytes) -> SourceText:
    """One SourceText per parsed text, over that text alone (kept with the text it was made for, so a reused id is
    not mistaken)."""
    found = _TEXTS.get(id(source))
    if found is None or found[0] is not source:
        if len(_TEXTS) > 256:
            _TEXTS.clear()
        found = _TEXTS[id(source)] = (source, SourceText(source, None))
    return found[1]


def lower_expression(node: typing.Any, source: bytes) -> N.Ast:
    """The AST of one expression node of a parsed text, for the evaluator (ast_eval). Parents are not set (the
    evaluator walks down only). Its extents are in the text as parsed, not as written: the evaluator reads no extents,
    and aligning a rewritten script with the script as written (difflib) costs more than lowering it. What the
    evaluator reads of the text (bare words, member names, numbers) is then the parsed text, as the tree-walking
    evaluator read it: `5L` is the `([long]5)` parser.py spelled, `.ForEach(` its `._ForEachMethod(`. Statement
    blocks and script block bodies are left unlowered (StatementBlockAst._unlowered, ScriptBlockAst._unlowered): the
    evaluator lowers a statement when it runs it, so a module's untaken branches and unused functions cost nothing."""
    return _Lowering(_parsed_text(source), defer_bodies=True).expression(node)


def lower_body(node: typing.Any, source: bytes) -> N.ScriptBlockAst:
    """The evaluator's ScriptBlockAst of a script block value's concrete node (a program, `{ }`, a script block, a
    function's body): its param block lowered, its named blocks' statements left unlowered (NamedBlockAst._unlowered)
    until they run, as lower_expression leaves blocks."""
    lowering = _Lowering(_parsed_text(source), defer_bodies=True)
    if node.type == "script_block_expression":
        return lowering.e_script_block_expression(node, lowering.extent(node)).script_block
    if node.type == "function_statement":
        return lowering.function(node).body
    if node.type in ("program", "script_block"):
        return lowering.script_block(node, lowering.extent(node))
    raise LoweringError(f"The front end does not lower a script block from the grammar node '{node.type}'")


def lower_statement(node: typing.Any, source: bytes) -> N.Ast:
    """The AST of one statement node of a parsed text, for the evaluator: as lower_expression."""
    return _Lowering(_parsed_text(source), defer_bodies=True).statement(node)
