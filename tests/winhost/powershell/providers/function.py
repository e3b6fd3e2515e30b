"""The Function provider (FunctionProvider.cs; about_Function_Provider): the Function: drive over the session's
functions as seen from the current scope.

Items are FunctionInfo objects (Name, CommandType Function, ScriptBlock, Options, ModuleName); an item's content
is its ScriptBlock (`${function:f}`, `Get-Content Function:f`); `Remove-Item Function:\\name` deletes the nearest
definition (SessionStateInternal.RemoveFunction); `Set-Item Function:\\name -Value <scriptblock>` defines it in
the current scope. Only script blocks that this provider handed out can be set again through Set-Item (a
function's definition is kept as the interpreter parsed it; `${function:f} = <script block or text>` is the
evaluator's assign_function); any other value is a NotModelledByTestHost error. Options other than None
(ReadOnly, Constant, Private, AllScope) are not modelled for functions.
"""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .. import tripwire
from .. import values as V
from ..members import add_note
from .base import ProviderPath, path_not_found, register
from .sessionstate import SessionStateProvider


def script_block(info: typing.Any, strict: bool = True) -> V.ScriptBlock:
    """FunctionInfo.ScriptBlock: the function's body as a script block (what Set-Item Function: takes back).
    `function f($a) {...}`: PowerShell's ScriptBlock holds the parameters, the interpreter's body does not, so
    the content reader (`${function:f}`) refuses it; a FunctionInfo's ScriptBlock note (`strict` False) is, as
    before, the body alone (kept for Set-Item Function:, which takes the FunctionInfo back whole)."""
    if strict and info.params_after_name:
        raise tripwire.not_modelled(f"The ScriptBlock of function {info.name}, whose parameters follow its name")
    block = V.ScriptBlock(info.body, info.source, ast=info.ast)
    block.function_info = info  # type: ignore[attr-defined]
    return block


def function_item(info: typing.Any) -> PSObject:
    obj = PSObject()
    obj.PSObject.type_names = ["System.Management.Automation.FunctionInfo", "System.Management.Automation.CommandInfo",
                               "System.Object"]
    add_note(obj, "Name", info.name)
    add_note(obj, "CommandType", "Function")
    add_note(obj, "ScriptBlock", script_block(info, strict=False))
    add_note(obj, "Options", "None")
    add_note(obj, "ModuleName", getattr(info.module, "name", "") if info.module is not None else "")
    obj.PSObject.to_string = info.name
    return obj


class FunctionProvider(SessionStateProvider):
    name = "Function"
    drives = ("Function",)

    def visible(self, ctx: typing.Any) -> dict[str, typing.Any]:
        return ctx.scope.visible("functions")

    def find(self, ctx: typing.Any, name: str) -> typing.Any:
        return ctx.scope.lookup_function(name)

    def name_of(self, key: str, value: typing.Any) -> str:
        return value.name

    def item(self, name: str, value: typing.Any) -> typing.Any:
        return function_item(value)

    def content(self, value: typing.Any) -> typing.Any:
        return script_block(value)

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        scope = cmd.ctx.scope
        while scope is not None and p.path.lower() not in scope.functions:
            scope = scope.parent
        if scope is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        del scope.functions[p.path.lower()]

    def set_item(self, cmd: typing.Any, p: ProviderPath, value: typing.Any) -> None:
        info = getattr(value, "function_info", None)
        if info is None:
            raise cmd.terminating(tripwire.not_modelled("Set-Item Function:\\ with a value other than a script block "
                                                        "that Get-ChildItem Function: gave"))
        cmd.ctx.scope.functions[p.path.lower()] = info


FUNCTION = register(FunctionProvider())
