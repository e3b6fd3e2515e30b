"""The AST node classes, named and shaped as PowerShell's System.Management.Automation.Language
(PowerShell/PowerShell src/System.Management.Automation/engine/parser/ast.cs; 5.1 has the same classes but
PipelineChainAst, TernaryExpressionAst and the `??` forms, which this module leaves out as 5.1 has no such syntax).

Fields are snake_case; the member a script reads is the field's name in PascalCase (`command_elements` ->
`CommandElements`), so a field here is exactly one public property of the .NET class. Fields starting with `_`
are the front end's own (the concrete node a script block still runs from). Each node has `extent` (Extent:
the script text it covers, offsets and positions in the text as given to the parser) and `parent` (set
by the lowering, None for the root).

Operators are TokenKind names (token.cs: `Plus`, `Ieq`, `Ceq`, `And`, `Equals`, `PlusEquals`, ...), as the
.NET properties `Operator`, `TokenKind`, `InvocationOperator` give them. StringConstantType is one of
`BareWord`, `SingleQuoted`, `DoubleQuoted`, `SingleQuotedHereString`, `DoubleQuotedHereString`.
"""

from __future__ import annotations

import dataclasses
import typing


@dataclasses.dataclass(eq=False)
class Extent:
    """IScriptExtent (ast.cs / position.cs InternalScriptExtent): offsets are character offsets into the text the
    parser was given, lines and columns 1-based, the end column one past the last character."""

    text: str
    start_offset: int
    end_offset: int
    start_line_number: int
    start_column_number: int
    end_line_number: int
    end_column_number: int
    file: str | None = None


@dataclasses.dataclass(eq=False, kw_only=True)
class Ast:
    extent: Extent
    parent: Ast | None = dataclasses.field(default=None, repr=False)
    # The concrete node this was lowered from (for a ScriptBlockAst, the node a script block value stands for: its
    # text, what its `.Ast` lowers in full, what GetScriptBlock() gives).
    _cst: typing.Any = dataclasses.field(default=None, repr=False)

    def children(self) -> typing.Iterator[Ast]:
        """The direct child nodes, in source order (the order PowerShell's AstVisitor walks them)."""
        names = _CHILD_FIELDS.get(self.__class__)
        if names is None:
            names = _CHILD_FIELDS[self.__class__] = tuple(
                f.name for f in dataclasses.fields(self) if f.name not in ("extent", "parent") and not f.name.startswith("_"))
        for name in names:
            yield from _nodes_in(getattr(self, name))

    def walk(self, search_nested_script_blocks: bool = True) -> typing.Iterator[Ast]:
        """This node and its descendants, pre-order. Without nested script blocks the bodies of script block
        expressions and function definitions are not entered, even at the start (ast.cs AstSearcher.CheckScriptBlock:
        SkipChildren for ScriptBlockExpressionAst and FunctionDefinitionAst), though those nodes themselves are
        visited."""
        stack: list[Ast] = [self]
        while stack:
            node = stack.pop()
            yield node
            if not search_nested_script_blocks and isinstance(
                    node, (ScriptBlockExpressionAst, FunctionDefinitionAst)):
                continue
            stack.extend(reversed(sorted(node.children(), key=lambda n: n.extent.start_offset)))

    def members(self) -> dict[str, str]:
        """The public properties of the .NET class: lower-case PowerShell name -> attribute name (the fields, and
        the computed properties such as CatchClauseAst.IsCatchAll)."""
        found = {f.name.replace("_", ""): f.name for f in dataclasses.fields(self) if not f.name.startswith("_")}
        for klass in type(self).__mro__:
            for name, value in vars(klass).items():
                if isinstance(value, property):
                    found.setdefault(name.replace("_", ""), name)
        return found


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # a node class -> the fields that hold child nodes


def _nodes_in(value: typing.Any) -> typing.Iterator[Ast]:
    if isinstance(value, Ast):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _nodes_in(item)


@dataclasses.dataclass(eq=False)
class VariablePath:
    """System.Management.Automation.VariablePath (not an Ast): `UserPath` is the name as written after `$`."""

    user_path: str

    @property
    def drive_name(self) -> str | None:
        head, sep, _rest = self.user_path.partition(":")
        if not sep or head.lower() in ("global", "script", "local", "private", "using", "variable", "workflow"):
            return None if head.lower() != "variable" else "variable"
        return head

    def qualifier(self) -> str:
        head, sep, _rest = self.user_path.partition(":")
        return head.lower() if sep else ""


@dataclasses.dataclass(eq=False)
class TypeName:
    """ITypeName (TypeName / GenericTypeName / ArrayTypeName): the name as written between the brackets."""

    name: str
    full_name: str
    # The name in the text the grammar parsed (parser.py may have rewritten it: `[long]` spelled for `5L`, a generic
    # arity dropped): what the evaluator resolves, as it always has.
    parsed_name: str = dataclasses.field(default="", repr=False)
    # The namespaces of the `using namespace` statements of the script the name is written in (about_Using: they
    # apply to the whole script, nested script blocks and functions too): what the name resolves through.
    using_namespaces: tuple[str, ...] = dataclasses.field(default=(), repr=False)


# --- attributes and parameters ---------------------------------------------------------------------------------

@dataclasses.dataclass(eq=False, kw_only=True)
class AttributeBaseAst(Ast):
    type_name_: TypeName  # TypeName (type_name is the node class's own name)


@dataclasses.dataclass(eq=False, kw_only=True)
class TypeConstraintAst(AttributeBaseAst):
    pass


@dataclasses.dataclass(eq=False, kw_only=True)
class AttributeAst(AttributeBaseAst):
    positional_arguments: list[Ast]
    named_arguments: list[NamedAttributeArgumentAst]


@dataclasses.dataclass(eq=False, kw_only=True)
class NamedAttributeArgumentAst(Ast):
    argument_name: str
    argument: Ast
    expression_omitted: bool


@dataclasses.dataclass(eq=False, kw_only=True)
class ParameterAst(Ast):
    attributes: list[AttributeBaseAst]
    name: VariableExpressionAst
    default_value: Ast | None


@dataclasses.dataclass(eq=False, kw_only=True)
class ParamBlockAst(Ast):
    attributes: list[AttributeAst]
    parameters: list[ParameterAst]


# --- blocks ------------------------------------------------------------------------------------------------------

@dataclasses.dataclass(eq=False, kw_only=True)
class StatementBlockAst(Ast):
    statements: list[Ast]
    traps: list[Ast] | None = None
    # The evaluator's fragments (lower_expression, lower_statement) leave a block's statements unlowered: this is
    # then the list of their concrete nodes (the evaluator lowers each statement when it runs it, and a branch
    # never taken is never lowered), and `statements` is empty.
    _unlowered: list | None = dataclasses.field(default=None, repr=False)
    _source: bytes = dataclasses.field(default=b"", repr=False)  # the parsed text of `_unlowered`'s nodes

    def __post_init__(self) -> None:
        _hoist_traps(self)


@dataclasses.dataclass(eq=False, kw_only=True)
class NamedBlockAst(Ast):
    unnamed: bool
    block_kind: str  # TokenKind: Begin, Process, End, Dynamicparam
    statements: list[Ast]
    traps: list[Ast] | None = None
    # As StatementBlockAst's: the concrete statements of the evaluator's script bodies, lowered as they run.
    _unlowered: list | None = dataclasses.field(default=None, repr=False)
    _source: bytes = dataclasses.field(default=b"", repr=False)

    def __post_init__(self) -> None:
        _hoist_traps(self)


def _hoist_traps(block: typing.Any) -> None:
    """Parser.cs: a block's `trap` statements are its Traps, not among its Statements (wherever they are written)."""
    traps = [s for s in block.statements if isinstance(s, TrapStatementAst)]
    if traps:
        block.statements = [s for s in block.statements if not isinstance(s, TrapStatementAst)]
        block.traps = (block.traps or []) + traps


@dataclasses.dataclass(eq=False, kw_only=True)
class ScriptBlockAst(Ast):
    param_block: ParamBlockAst | None
    begin_block: NamedBlockAst | None
    process_block: NamedBlockAst | None
    end_block: NamedBlockAst | None
    dynamic_param_block: NamedBlockAst | None = None
    # A script's leading `using` statements (only the root has them; about_Using: they apply to the whole script).
    using_statements: list[UsingStatementAst] = dataclasses.field(default_factory=list)
    # The (rewritten) text the concrete node was parsed from: a script block value's text, and what its `.Ast`
    # lowers again in full.
    _source: bytes = dataclasses.field(default=b"", repr=False)
    # True in the evaluator's script bodies: the param block is lowered, the named blocks' statements are not
    # (NamedBlockAst._unlowered: each is lowered when it first runs).
    _unlowered: bool = dataclasses.field(default=False, repr=False)


@dataclasses.dataclass(eq=False, kw_only=True)
class UsingStatementAst(Ast):
    using_statement_kind: str  # UsingStatementKind: Namespace (Module and Assembly are not modelled)
    name: StringConstantExpressionAst


@dataclasses.dataclass(eq=False, kw_only=True)
class FunctionDefinitionAst(Ast):
    is_filter: bool
    is_workflow: bool
    name: str
    parameters: list[ParameterAst] | None
    body: ScriptBlockAst


# --- statements --------------------------------------------------------------------------------------------------

@dataclasses.dataclass(eq=False, kw_only=True)
class PipelineAst(Ast):
    pipeline_elements: list[Ast]


@dataclasses.dataclass(eq=False, kw_only=True)
class RedirectionAst(Ast):
    from_stream: str  # RedirectionStream: All, Output, Error, Warning, Verbose, Debug, Information


@dataclasses.dataclass(eq=False, kw_only=True)
class FileRedirectionAst(RedirectionAst):
    location: Ast
    append: bool


@dataclasses.dataclass(eq=False, kw_only=True)
class MergingRedirectionAst(RedirectionAst):
    to_stream: str


@dataclasses.dataclass(eq=False, kw_only=True)
class CommandAst(Ast):
    command_elements: list[Ast]
    invocation_operator: str  # TokenKind: Unknown, Ampersand, Dot
    redirections: list[RedirectionAst]

    def get_command_name(self) -> str | None:
        """CommandAst.GetCommandName: the first element's value when it is a string constant, else null."""
        first = self.command_elements[0] if self.command_elements else None
        return first.value if isinstance(first, StringConstantExpressionAst) else None


@dataclasses.dataclass(eq=False, kw_only=True)
class CommandExpressionAst(Ast):
    expression: Ast
    redirections: list[RedirectionAst]


@dataclasses.dataclass(eq=False, kw_only=True)
class CommandParameterAst(Ast):
    parameter_name: str
    argument: Ast | None


@dataclasses.dataclass(eq=False, kw_only=True)
class AssignmentStatementAst(Ast):
    left: Ast
    operator: str  # TokenKind: Equals, PlusEquals, MinusEquals, MultiplyEquals, DivideEquals, RemainderEquals
    right: Ast


@dataclasses.dataclass(eq=False, kw_only=True)
class IfStatementAst(Ast):
    clauses: list[tuple[Ast, StatementBlockAst]]
    else_clause: StatementBlockAst | None


@dataclasses.dataclass(eq=False, kw_only=True)
class LoopStatementAst(Ast):
    label: str | None
    condition: Ast | None
    body: StatementBlockAst


@dataclasses.dataclass(eq=False, kw_only=True)
class ForEachStatementAst(LoopStatementAst):
    variable: VariableExpressionAst
    flags: str = "None"

    def children(self) -> typing.Iterator[Ast]:
        # ast.cs ForEachStatementAst.InternalVisit: the variable, then the condition, then the body.
        yield self.variable
        if self.condition is not None:
            yield self.condition
        yield self.body


@dataclasses.dataclass(eq=False, kw_only=True)
class ForStatementAst(LoopStatementAst):
    initializer: Ast | None
    iterator: Ast | None


@dataclasses.dataclass(eq=False, kw_only=True)
class WhileStatementAst(LoopStatementAst):
    pass


@dataclasses.dataclass(eq=False, kw_only=True)
class DoWhileStatementAst(LoopStatementAst):
    pass


@dataclasses.dataclass(eq=False, kw_only=True)
class DoUntilStatementAst(LoopStatementAst):
    pass


@dataclasses.dataclass(eq=False, kw_only=True)
class SwitchStatementAst(Ast):
    label: str | None
    condition: Ast
    flags: str  # SwitchFlags: None, or a comma list of File, Regex, Wildcard, Exact, CaseSensitive, Parallel
    clauses: list[tuple[Ast, StatementBlockAst]]
    default: StatementBlockAst | None


@dataclasses.dataclass(eq=False, kw_only=True)
class CatchClauseAst(Ast):
    catch_types: list[TypeConstraintAst]
    body: StatementBlockAst

    @property
    def is_catch_all(self) -> bool:
        return not self.catch_types


@dataclasses.dataclass(eq=False, kw_only=True)
class TryStatementAst(Ast):
    body: StatementBlockAst
    catch_clauses: list[CatchClauseAst]
    finally_: StatementBlockAst | None  # Finally


@dataclasses.dataclass(eq=False, kw_only=True)
class TrapStatementAst(Ast):
    trap_type: TypeConstraintAst | None  # TrapType
    body: StatementBlockAst


@dataclasses.dataclass(eq=False, kw_only=True)
class BreakStatementAst(Ast):
    label: Ast | None


@dataclasses.dataclass(eq=False, kw_only=True)
class ContinueStatementAst(Ast):
    label: Ast | None


@dataclasses.dataclass(eq=False, kw_only=True)
class ReturnStatementAst(Ast):
    pipeline: Ast | None


@dataclasses.dataclass(eq=False, kw_only=True)
class ExitStatementAst(Ast):
    pipeline: Ast | None


@dataclasses.dataclass(eq=False, kw_only=True)
class ThrowStatementAst(Ast):
    pipeline: Ast | None

    @property
    def is_rethrow(self) -> bool:
        return self.pipeline is None


@dataclasses.dataclass(eq=False, kw_only=True)
class TypeDefinitionAst(Ast):
    """A `class`/`enum` definition: only its name is lowered (the interpreter does not run classes)."""

    name: str


# --- expressions -------------------------------------------------------------------------------------------------

@dataclasses.dataclass(eq=False, kw_only=True)
class ConstantExpressionAst(Ast):
    value: typing.Any


@dataclasses.dataclass(eq=False, kw_only=True)
class StringConstantExpressionAst(ConstantExpressionAst):
    string_constant_type: str


@dataclasses.dataclass(eq=False, kw_only=True)
class ExpandableStringExpressionAst(Ast):
    value: str  # the string between the quotes, escapes applied, nothing expanded
    string_constant_type: str
    nested_expressions: list[Ast]
    # The text around the nested expressions, escapes applied: one more piece than nested expressions (PowerShell
    # keeps the same as a format string, ExpandableStringExpressionAst.FormatExpression).
    _parts: list[str] = dataclasses.field(default_factory=list, repr=False)


@dataclasses.dataclass(eq=False, kw_only=True)
class VariableExpressionAst(Ast):
    variable_path: VariablePath
    splatted: bool


@dataclasses.dataclass(eq=False, kw_only=True)
class UsingExpressionAst(Ast):
    sub_expression: Ast


@dataclasses.dataclass(eq=False, kw_only=True)
class TypeExpressionAst(Ast):
    type_name_: TypeName  # TypeName (type_name is the node class's own name)


@dataclasses.dataclass(eq=False, kw_only=True)
class AttributedExpressionAst(Ast):
    attribute: AttributeBaseAst
    child: Ast


@dataclasses.dataclass(eq=False, kw_only=True)
class ConvertExpressionAst(AttributedExpressionAst):
    @property
    def type(self) -> AttributeBaseAst:
        return self.attribute


@dataclasses.dataclass(eq=False, kw_only=True)
class BinaryExpressionAst(Ast):
    left: Ast
    operator: str
    right: Ast


@dataclasses.dataclass(eq=False, kw_only=True)
class UnaryExpressionAst(Ast):
    token_kind: str
    child: Ast


@dataclasses.dataclass(eq=False, kw_only=True)
class ArrayLiteralAst(Ast):
    elements: list[Ast]


@dataclasses.dataclass(eq=False, kw_only=True)
class ArrayExpressionAst(Ast):
    sub_expression: StatementBlockAst


@dataclasses.dataclass(eq=False, kw_only=True)
class SubExpressionAst(Ast):
    sub_expression: StatementBlockAst


@dataclasses.dataclass(eq=False, kw_only=True)
class ParenExpressionAst(Ast):
    pipeline: Ast


@dataclasses.dataclass(eq=False, kw_only=True)
class HashtableAst(Ast):
    key_value_pairs: list[tuple[Ast, Ast]]


@dataclasses.dataclass(eq=False, kw_only=True)
class ScriptBlockExpressionAst(Ast):
    script_block: ScriptBlockAst


@dataclasses.dataclass(eq=False, kw_only=True)
class MemberExpressionAst(Ast):
    expression: Ast
    member: Ast
    static: bool


@dataclasses.dataclass(eq=False, kw_only=True)
class InvokeMemberExpressionAst(MemberExpressionAst):
    arguments: list[Ast]


@dataclasses.dataclass(eq=False, kw_only=True)
class IndexExpressionAst(Ast):
    target: Ast
    index: Ast
