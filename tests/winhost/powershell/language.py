"""[System.Management.Automation.Language.Parser]::ParseInput and the few AST nodes it is read for.

Modelled: ``ParseInput(input, [ref]tokens, [ref]errors)`` returning a ScriptBlockAst whose
``ParamBlock`` (or $null) has ``Attributes``: AttributeAst with ``TypeName`` (``Name``, ``FullName``:
the name as written), ``NamedArguments`` (NamedAttributeArgumentAst: ``ArgumentName``,
``ExpressionOmitted``, ``Argument``) and ``PositionalArguments``; every node's ``Extent.Text`` and
``ToString()`` (its text). An omitted argument (``[CmdletBinding(SupportsShouldProcess)]``) is, as in
PowerShell's parser, a ConstantExpressionAst $true over the name's extent. ``errors`` receives a
ParseError[] (``Message``, ``ErrorId``), empty when the script parses. This is what
ansible.windows.win_powershell reads to find SupportsShouldProcess (System.Management.Automation
Language/Parser.cs, Ast.cs). Any other member of these objects, the tokens, and the AST of a
script that did not parse raise a NotImplemented error rather than answer something made up.
"""

from __future__ import annotations

import typing

from .dotnet import NetObject, PSReference, _overload
from .errors import ParseError as ScriptParseError, PSError
from .parser import parse
from .shouldprocess import not_modelled
from .values import ps_type_name, to_string


class Extent(NetObject):
    type_names = ["System.Management.Automation.Language.InternalScriptExtent",
                  "System.Management.Automation.Language.IScriptExtent", "System.Object"]

    def __init__(self, text: str) -> None:
        self.text = text

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "text":
            return self.text
        raise not_modelled(f"The script extent member '{name}'")

    def to_string(self) -> str:
        return self.text


class AstNode(NetObject):
    """An AST node with a fixed set of modelled members; the rest is refused."""

    def __init__(self, type_name: str, text: str, members: dict[str, typing.Any]) -> None:
        self.type_names = [f"System.Management.Automation.Language.{type_name}", "System.Management.Automation.Language.Ast",
                           "System.Object"]
        self.text = text
        self.members = {k.lower(): v for k, v in members.items()}
        self.members["extent"] = Extent(text)

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low in self.members:
            return self.members[low]
        raise not_modelled(f"The {self.type_names[0].rsplit('.', 1)[-1]} member '{name}'")

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() in ("tostring", "gettype", "equals", "gethashcode"):
            return super().call(name, args)
        raise not_modelled(f"The {self.type_names[0].rsplit('.', 1)[-1]} method '{name}'")

    def to_string(self) -> str:
        return self.text


class Unparsed(NetObject):
    """What ParseInput hands back for what is not modelled (tokens, the AST of a script with errors)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def get_member(self, name: str) -> typing.Any:
        raise not_modelled(f"{self.what} ('{name}')")

    def call(self, name: str, args: list) -> typing.Any:
        raise not_modelled(f"{self.what} ('{name}()')")


class ScriptBlockAstNode(AstNode):
    """The ScriptBlockAst of a script that parsed: also GetScriptBlock() (Ast.cs ScriptBlockAst.GetScriptBlock),
    the script block module_wrapper.ps1 and exec_wrapper.ps1 run a script as."""

    def __init__(self, text: str, members: dict[str, typing.Any], script_block: typing.Any) -> None:
        super().__init__("ScriptBlockAst", text, members)
        self.script_block = script_block

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "getscriptblock":
            if args:
                raise _overload("GetScriptBlock", len(args))
            return self.script_block
        return super().call(name, args)


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

class ParseErrorObject(NetObject):
    type_names = ["System.Management.Automation.Language.ParseError", "System.Object"]

    def __init__(self, message: str, error_id: str) -> None:
        self.message = message
        self.error_id = error_id

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "message":
            return self.message
        if low == "errorid":
            return self.error_id
        if low == "incompleteinput":
            return False
        raise not_modelled(f"The ParseError member '{name}'")

    def to_string(self) -> str:
        return self.message


def _text(source: bytes, node: typing.Any) -> str:
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")


def _named(node: typing.Any) -> list:
    return [c for c in node.named_children if c.type not in ("comment", "command_argument_sep")]


def _expression(source: bytes, node: typing.Any, type_name: str = "ExpressionAst") -> AstNode:
    return AstNode(type_name, _text(source, node), {})


def _attribute(source: bytes, node: typing.Any) -> AstNode | None:
    name_node = next((c for c in node.named_children if c.type == "attribute_name"), None)
    if name_node is None:
        return None  # a type constraint ([string]), not an AttributeAst
    name = _text(source, name_node).strip()
    type_name = AstNode("TypeName", name, {"Name": name, "FullName": name})
    type_name.type_names = ["System.Management.Automation.Language.TypeName", "System.Object"]
    named: list = []
    positional: list = []
    arguments = next((c for c in node.named_children if c.type == "attribute_arguments"), None)
    for argument in _named(arguments) if arguments is not None else []:
        parts = _named(argument)
        if parts and parts[0].type == "simple_name":
            arg_name = _text(source, parts[0])
            omitted = len(parts) == 1
            value = (AstNode("ConstantExpressionAst", arg_name, {"Value": True}) if omitted
                     else _expression(source, parts[1]))
            named.append(AstNode("NamedAttributeArgumentAst", _text(source, argument),
                                 {"ArgumentName": arg_name, "ExpressionOmitted": omitted, "Argument": value}))
        else:
            positional.append(_expression(source, argument))
    return AstNode("AttributeAst", _text(source, node), {"TypeName": type_name, "NamedArguments": named,
                                                         "PositionalArguments": positional})


def _script_block_ast(text: str) -> AstNode:
    from .runspace import _has_top_level_named_blocks, _first_statements  # pylint: disable=import-outside-toplevel

    parsed = parse(text)
    root = parsed.root
    if _has_top_level_named_blocks(root):
        parsed = parse("function __winhost_script {\n" + text + "\n}")
        root = next(c for c in _first_statements(parsed.root) if c.type == "function_statement")
        root = next(c for c in root.named_children if c.type == "script_block")
    source = parsed.source
    block = next((c for c in root.named_children if c.type == "param_block"), None)
    param_block = None
    if block is not None:
        attr_list = next((c for c in block.named_children if c.type == "attribute_list"), None)
        attributes = [a for a in (_attribute(source, n) for n in (attr_list.named_children if attr_list is not None else [])
                                  if n.type == "attribute") if a is not None]
        param_block = AstNode("ParamBlockAst", _text(source, block), {"Attributes": attributes})
    from .values import ScriptBlock  # pylint: disable=import-outside-toplevel  # values imports dotnet, which this module needs

    return ScriptBlockAstNode(text, {"ParamBlock": param_block}, ScriptBlock(root, source))


def parse_input(text: str) -> tuple[typing.Any, list]:
    """The AST of ``text`` and its parse errors (ParseInput never throws for a script that does not parse)."""
    try:
        return _script_block_ast(text), []
    except ScriptParseError as err:
        return _ParseFailed(err), [ParseErrorObject(err.message, err.fqid)]


def invoke_static(name: str, args: list) -> typing.Any:
    if name.lower() != "parseinput":
        raise not_modelled(f"[System.Management.Automation.Language.Parser]::{name}")
    if len(args) == 4:
        # ParseInput(input, fileName, [ref]tokens, [ref]errors): the file name only labels positions in messages.
        args = [args[0]] + args[2:]
    elif len(args) != 3:
        raise _overload("ParseInput", len(args))
    # ParseInput(input, [fileName,] [ref]tokens, [ref]errors): the file name is what the script's positions and
    # stack traces would name, which the test host does not report (see STATUS.md), so it is not kept.
    refs = args[-2:]
    for ref, (arg_name, arg_type) in zip(refs, (("tokens", "Token[]&"), ("errors", "ParseError[]&"))):
        if not isinstance(ref, PSReference):
            raise PSError(f'Cannot convert argument "{arg_name}", with value: "{to_string(ref)}", for "ParseInput" to type '
                          f'"System.Management.Automation.Language.{arg_type}": "Cannot convert the value of type '
                          f'"{ps_type_name(ref)}" to type "System.Management.Automation.PSReference"."',
                          exception_type="System.Management.Automation.MethodException",
                          fqid="MethodArgumentConversionInvalidCastArgument", category="NotSpecified", reason="MethodException")
    ast, errors = parse_input("" if args[0] is None else to_string(args[0]))
    refs[0].set_value(Unparsed("The tokens of [Parser]::ParseInput"))
    refs[1].set_value(errors)
    return ast
