"""System.Management.Automation.Language as scripts see it: `[Parser]::ParseInput`, `$sb.Ast`, the Ast classes.

The AST is the front end's own (syntax/: lowered once from the parse); this module is its .NET face. Every node
answers the public properties of its class (ast.cs: `CommandAst.CommandElements`, `FunctionDefinitionAst.Name`,
`IfStatementAst.Clauses` as Tuple`2 items, ...), `Extent` (IScriptExtent: Text, File, StartOffset, EndOffset,
Start/EndLineNumber, Start/EndColumnNumber), `Parent`, and the methods `Find(predicate, searchNestedScriptBlocks)`,
`FindAll(...)` (Ast.Find/FindAll: pre-order, nested script blocks entered only when asked),
`ScriptBlockAst.GetScriptBlock()`, `CommandAst.GetCommandName()`, `ToString()` (the extent's text). A member
.NET has and the front end does not model (StaticType, Copy(), Visit(), the tokens, ...) is a NotImplemented
error, never `$null`. `ParseInput(input, [fileName,] [ref]tokens, [ref]errors)` is 5.1's signature (Parser.cs).
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, PSReference, _overload
from ..errors import ParseError as ScriptParseError, PSError
from ..parser import parse
from ..shouldprocess import not_modelled
from ..standins import runtime
from ..syntax import LoweringError, lower_script, lower_script_block
from ..syntax.lower import script_root
from ..syntax import nodes as N
from ..typeregistry import net_property

_NS = "System.Management.Automation.Language"

# The abstract classes between a node's class and Ast (ast.cs), for `-is` and typed catch.
_STATEMENT = ("StatementAst",)
_EXPRESSION = ("ExpressionAst", "CommandElementAst")
_EXTRA_BASES: dict[type, tuple[str, ...]] = {
    N.PipelineAst: ("PipelineBaseAst",) + _STATEMENT, N.AssignmentStatementAst: ("PipelineBaseAst",) + _STATEMENT,
    N.CommandAst: ("CommandBaseAst",) + _STATEMENT, N.CommandExpressionAst: ("CommandBaseAst",) + _STATEMENT,
    N.CommandParameterAst: ("CommandElementAst",), N.IfStatementAst: _STATEMENT,
    N.LoopStatementAst: ("LabeledStatementAst",) + _STATEMENT, N.SwitchStatementAst: ("LabeledStatementAst",) + _STATEMENT,
    N.TryStatementAst: _STATEMENT, N.BreakStatementAst: _STATEMENT, N.ContinueStatementAst: _STATEMENT,
    N.ReturnStatementAst: _STATEMENT, N.ExitStatementAst: _STATEMENT, N.ThrowStatementAst: _STATEMENT,
    N.FunctionDefinitionAst: _STATEMENT, N.TypeDefinitionAst: _STATEMENT, N.StatementBlockAst: (),
    N.ConstantExpressionAst: _EXPRESSION, N.ExpandableStringExpressionAst: _EXPRESSION,
    N.VariableExpressionAst: _EXPRESSION, N.UsingExpressionAst: _EXPRESSION, N.TypeExpressionAst: _EXPRESSION,
    N.AttributedExpressionAst: _EXPRESSION, N.BinaryExpressionAst: _EXPRESSION, N.UnaryExpressionAst: _EXPRESSION,
    N.ArrayLiteralAst: _EXPRESSION, N.ArrayExpressionAst: _EXPRESSION, N.SubExpressionAst: _EXPRESSION,
    N.ParenExpressionAst: _EXPRESSION, N.HashtableAst: _EXPRESSION, N.ScriptBlockExpressionAst: _EXPRESSION,
    N.MemberExpressionAst: _EXPRESSION, N.IndexExpressionAst: _EXPRESSION,
}


def _type_names(node: N.Ast) -> list[str]:
    names = []
    for klass in type(node).__mro__:
        if klass in (N.Ast, object):
            break
        if klass is N.LoopStatementAst:
            names.append(f"{_NS}.LoopStatementAst")
        elif not klass.__name__.startswith("_"):
            names.append(f"{_NS}.{klass.__name__}")
    extra = next((bases for klass, bases in _EXTRA_BASES.items() if isinstance(node, klass)), ())
    names.extend(f"{_NS}.{name}" for name in extra if f"{_NS}.{name}" not in names)
    return list(dict.fromkeys(names)) + [f"{_NS}.Ast", "System.Object"]


def view(value: typing.Any) -> typing.Any:
    """The .NET face of a front-end value: nodes (one view per node, so `-eq` and Parent compare by reference),
    lists, the (condition, body) pairs of if/switch clauses and hashtable entries as System.Tuple`2."""
    if isinstance(value, N.Ast):
        # Kept on the node (not in a weak map, whose values would hold their keys alive): the tree and its views
        # go together.
        found = value.__dict__.get("_view")
        if found is None:
            found = value.__dict__["_view"] = AstView(value)
        return found
    if isinstance(value, tuple):
        return TupleView([view(v) for v in value])
    if isinstance(value, list):
        return [view(v) for v in value]
    if isinstance(value, N.Extent):
        return ExtentView(value)
    if isinstance(value, N.VariablePath):
        return VariablePathView(value)
    if isinstance(value, N.TypeName):
        return TypeNameView(value)
    return value


class AstView(NetObject):
    def __init__(self, node: N.Ast) -> None:
        self.node = node
        self.type_names = _type_names(node)

    @property
    def class_name(self) -> str:
        return type(self.node).__name__

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "extent":
            return ExtentView(self.node.extent)
        if low == "parent":
            return view(self.node.parent)
        attribute = self.node.members().get(low)
        if attribute is not None:
            return view(getattr(self.node, attribute))
        raise not_modelled(f"The {self.class_name} member '{name}'")

    def call(self, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements
        low = name.lower()
        if low in ("find", "findall"):
            if len(args) != 2:
                raise _overload(name, len(args))
            found = self._find(args[0], V.to_bool(args[1]), low == "find")
            return (found[0] if found else None) if low == "find" else found
        if low == "getscriptblock" and isinstance(self.node, N.ScriptBlockAst):
            if args:
                raise _overload(name, len(args))
            parent = self.node.parent
            if isinstance(parent, N.FunctionDefinitionAst) and parent.parameters:
                # `function f($a) { }`: PowerShell compiles the body with the function's parameters; the evaluator
                # takes a body's parameters from its own param block only.
                raise not_modelled("GetScriptBlock() of the body of a function with parameters after its name")
            return V.ScriptBlock(self.node._cst, self.node._source)  # pylint: disable=protected-access
        if low == "getcommandname" and isinstance(self.node, N.CommandAst):
            if args:
                raise _overload(name, len(args))
            return self.node.get_command_name()
        if low in ("tostring", "gettype", "equals", "gethashcode"):
            return super().call(name, args)
        raise not_modelled(f"The {self.class_name} method '{name}'")

    def _find(self, predicate: typing.Any, nested: bool, first: bool) -> list:
        if not isinstance(predicate, V.ScriptBlock):
            raise PSError(f'Cannot convert argument "predicate", with value: "{V.to_string(predicate)}", for "Find" to type '
                          f'"System.Func`2[System.Management.Automation.Language.Ast,System.Boolean]"',
                          exception_type="System.Management.Automation.MethodException",
                          fqid="MethodArgumentConversionInvalidCastArgument", category="NotSpecified",
                          reason="MethodException")
        engine = runtime.current_engine()
        out = []
        for node in self.node.walk(nested):
            # Func<Ast, bool> from a script block: the node is the block's first argument ($args[0] / param($a)).
            if V.to_bool(engine.invoke_script_block_value(predicate, [view(node)])):
                out.append(view(node))
                if first:
                    break
        return out

    def to_string(self) -> str:
        return self.node.extent.text


class _ClosedView(NetObject):
    """A view whose properties are all declared: any other property is not modelled, named by `what`."""

    what = "object"
    net_closed = "members"

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        return not_modelled(f"The {self.what} {kind} '{name}'")


class ExtentView(_ClosedView):
    type_names = [f"{_NS}.InternalScriptExtent", f"{_NS}.IScriptExtent", "System.Object"]
    what = "script extent"

    def __init__(self, extent: N.Extent) -> None:
        self.extent = extent

    @net_property("Text")
    def _text(self) -> str:
        return self.extent.text

    @net_property("File")
    def _file(self) -> typing.Any:
        return self.extent.file

    @net_property("StartOffset")
    def _start_offset(self) -> int:
        return self.extent.start_offset

    @net_property("EndOffset")
    def _end_offset(self) -> int:
        return self.extent.end_offset

    @net_property("StartLineNumber")
    def _start_line_number(self) -> int:
        return self.extent.start_line_number

    @net_property("StartColumnNumber")
    def _start_column_number(self) -> int:
        return self.extent.start_column_number

    @net_property("EndLineNumber")
    def _end_line_number(self) -> int:
        return self.extent.end_line_number

    @net_property("EndColumnNumber")
    def _end_column_number(self) -> int:
        return self.extent.end_column_number

    def to_string(self) -> str:
        return self.extent.text


class TupleView(NetObject):
    """System.Tuple`2: IfStatementAst.Clauses, SwitchStatementAst.Clauses, HashtableAst.KeyValuePairs items."""

    def __init__(self, items: list) -> None:
        self.items = items
        self.type_names = ["System.Tuple`2", "System.Object"]

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low.startswith("item") and low[4:].isdigit() and 1 <= int(low[4:]) <= len(self.items):
            return self.items[int(low[4:]) - 1]
        raise not_modelled(f"The Tuple member '{name}'")

    def to_string(self) -> str:
        return "(" + ", ".join(V.to_string(i) for i in self.items) + ")"


class VariablePathView(_ClosedView):
    type_names = ["System.Management.Automation.VariablePath", "System.Object"]
    what = "VariablePath"

    def __init__(self, path: N.VariablePath) -> None:
        self.path = path

    @net_property("UserPath")
    def _user_path(self) -> str:
        return self.path.user_path

    @net_property("DriveName")
    def _drive_name(self) -> typing.Any:
        return self.path.drive_name

    @net_property("IsGlobal")
    def _is_global(self) -> bool:
        return self.path.qualifier() == "global"

    @net_property("IsScript")
    def _is_script(self) -> bool:
        return self.path.qualifier() == "script"

    @net_property("IsLocal")
    def _is_local(self) -> bool:
        return self.path.qualifier() == "local"

    @net_property("IsPrivate")
    def _is_private(self) -> bool:
        return self.path.qualifier() == "private"

    @net_property("IsUnqualified")
    def _is_unqualified(self) -> bool:
        return self.path.qualifier() == ""

    @net_property("IsDriveQualified")
    def _is_drive_qualified(self) -> bool:
        return self.path.drive_name is not None

    @net_property("IsVariable")
    def _is_variable(self) -> bool:
        return self.path.drive_name in (None, "variable")

    def to_string(self) -> str:
        return self.path.user_path


class TypeNameView(_ClosedView):
    type_names = [f"{_NS}.TypeName", f"{_NS}.ITypeName", "System.Object"]
    what = "TypeName"

    def __init__(self, type_name: N.TypeName) -> None:
        self.type_name = type_name

    @net_property("Name")
    def _name(self) -> str:
        return self.type_name.name

    @net_property("FullName")
    def _full_name(self) -> str:
        return self.type_name.full_name

    def to_string(self) -> str:
        return self.type_name.full_name


class Unparsed(NetObject):
    """What the front end hands out for what it does not model (the tokens; a construct it cannot lower)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def get_member(self, name: str) -> typing.Any:
        raise not_modelled(f"{self.what} ('{name}')")

    def call(self, name: str, args: list) -> typing.Any:
        raise not_modelled(f"{self.what} ('{name}()')")


class _ParseFailed(Unparsed):
    """The AST of a script with parse errors: GetScriptBlock() throws the first error, as PowerShell's does
    (ParseException); anything else is not modelled."""

    def __init__(self, error: ScriptParseError) -> None:
        super().__init__("The AST of a script with parse errors")
        self.error = error

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "getscriptblock":
            raise self.error
        return super().call(name, args)


class _NotLowered(Unparsed):
    """A script that parsed but holds a construct the front end does not lower: it still runs (GetScriptBlock)."""

    def __init__(self, error: LoweringError, script_block: V.ScriptBlock) -> None:
        super().__init__(f"The AST of this script ({error})")
        self.script_block = script_block
        self.type_names = [f"{_NS}.ScriptBlockAst", f"{_NS}.Ast", "System.Object"]

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "getscriptblock":
            return self.script_block
        return super().call(name, args)


class ParseErrorObject(_ClosedView):
    type_names = [f"{_NS}.ParseError", "System.Object"]
    what = "ParseError"

    def __init__(self, message: str, error_id: str) -> None:
        self.message = message
        self.error_id = error_id

    @net_property("Message")
    def _message(self) -> str:
        return self.message

    @net_property("ErrorId")
    def _error_id(self) -> str:
        return self.error_id

    @net_property("IncompleteInput")
    def _incomplete_input(self) -> bool:
        return False

    def to_string(self) -> str:
        return self.message


class _LazyScriptAst(NetObject):
    """The ScriptBlockAst ParseInput returns, lowered only when a script reads more of it than GetScriptBlock().

    Ansible's module_wrapper.ps1 parses every module util and the module with ParseInput only to call
    GetScriptBlock(): lowering those (thousands of nodes each, on every module task) doubled a module task's
    time on the test host (module_wrapper.ps1 with win_ping: 0.36 s a run against 0.16 s lazily). GetScriptBlock() of the whole script needs no AST (the
    front end raises no parse error of its own: syntax/ only lowers what parse() accepted). A member read or
    another method lowers the script once and answers from its AST; this object stays the root's view."""

    type_names = [f"{_NS}.ScriptBlockAst", f"{_NS}.Ast", "System.Object"]

    def __init__(self, text: str, parsed: typing.Any, file_name: str | None) -> None:
        self._text = text
        self._parsed = parsed
        self._file_name = file_name
        self._lowered: typing.Any = None

    def _ast(self) -> typing.Any:
        if self._lowered is None:
            try:
                ast = lower_script(self._text, self._parsed)
            except LoweringError as err:
                self._lowered = _NotLowered(err, V.ScriptBlock(self._parsed.root, self._parsed.source))
            else:
                if self._file_name is not None:
                    for node in ast.walk():
                        node.extent.file = self._file_name
                # This object is the root's view: a node's Parent chain ends at the very object ParseInput returned.
                self._lowered = AstView(ast)
                ast.__dict__["_view"] = self
        return self._lowered

    def get_member(self, name: str) -> typing.Any:
        return self._ast().get_member(name)

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "getscriptblock" and not args:
            parsed, root = script_root(self._text, self._parsed)
            return V.ScriptBlock(root, parsed.source, file=self._file_name)
        return self._ast().call(name, args)

    def to_string(self) -> str:
        return self._ast().to_string()


def parse_input(text: str, file_name: str | None = None) -> tuple[typing.Any, list]:
    """The AST of `text` and its parse errors (ParseInput never throws for a script that does not parse)."""
    try:
        parsed = parse(text)
    except ScriptParseError as err:
        return _ParseFailed(err), [ParseErrorObject(err.message, err.fqid)]
    return _LazyScriptAst(text, parsed, file_name), []


def _parse_input(args: list) -> typing.Any:
    file_name = None
    if len(args) == 4:
        # ParseInput(input, fileName, [ref]tokens, [ref]errors): the file name is the extents' File.
        file_name = None if args[1] is None else V.to_string(args[1])
        args = [args[0]] + args[2:]
    elif len(args) != 3:
        raise _overload("ParseInput", len(args))
    refs = args[-2:]
    for ref, (arg_name, arg_type) in zip(refs, (("tokens", "Token[]&"), ("errors", "ParseError[]&"))):
        if not isinstance(ref, PSReference):
            raise PSError(f'Cannot convert argument "{arg_name}", with value: "{V.to_string(ref)}", for "ParseInput" to type '
                          f'"{_NS}.{arg_type}": "Cannot convert the value of type '
                          f'"{V.ps_type_name(ref)}" to type "System.Management.Automation.PSReference"."',
                          exception_type="System.Management.Automation.MethodException",
                          fqid="MethodArgumentConversionInvalidCastArgument", category="NotSpecified", reason="MethodException")
    ast, errors = parse_input("" if args[0] is None else V.to_string(args[0]), file_name)
    refs[0].set_value(Unparsed("The tokens of [Parser]::ParseInput"))
    refs[1].set_value(errors)
    return ast


_SCRIPT_WRAPPER = b"function __winhost_script {\n"


def script_block_ast(block: V.ScriptBlock) -> typing.Any:
    """ScriptBlock.Ast: a ScriptBlockAst ({ } literal, script text), or the FunctionDefinitionAst of a function's
    body (`${function:f}.Ast`, as in PowerShell)."""
    node = block.node
    if node.type == "script_block" and node.parent is not None and node.parent.type == "function_statement":
        source = bytes(block.source)
        if source.startswith(_SCRIPT_WRAPPER):
            # A whole script with named blocks, run as the body of script_root's wrapper function: its Ast is the
            # script's ScriptBlockAst, as ParseInput(...).GetScriptBlock().Ast is on Windows (async_watchdog.ps1
            # runs `& $ScriptBlock.Ast.GetScriptBlock()` of the exec wrapper's).
            # The script as written (its `using namespace` lines too, which the parse strips from the source).
            original = getattr(block.source, "original", None) or source.decode("utf-8")
            text = original[len(_SCRIPT_WRAPPER):-2]
            try:
                return view(lower_script(text))
            except LoweringError as err:
                raise not_modelled(f"The Ast of this script block ({err})") from None
        node = node.parent
    try:
        return view(lower_script_block(node, block.source))
    except LoweringError as err:
        raise not_modelled(f"The Ast of this script block ({err})") from None


typeregistry.register(typeregistry.NetType(f"{_NS}.Parser", static_methods={"ParseInput": _parse_input}))
for _klass in {k for k in vars(N).values() if isinstance(k, type) and issubclass(k, N.Ast)} | {N.Ast}:
    typeregistry.register(typeregistry.NetType(f"{_NS}.{_klass.__name__}"))
for _name in ("StatementAst", "ExpressionAst", "CommandElementAst", "CommandBaseAst", "PipelineBaseAst",
              "LabeledStatementAst"):
    typeregistry.register(typeregistry.NetType(f"{_NS}.{_name}"))
