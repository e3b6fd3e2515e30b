"""The Function: drive for Get-ChildItem, Remove-Item and Set-Item (PowerShell's FunctionProvider).

PowerShell docs, about_Function_Provider: "Get-ChildItem -Path Function:" lists the functions of the
session (those visible from the current scope, each a FunctionInfo with Name, CommandType Function,
ScriptBlock, Options, ModuleName); `Remove-Item Function:\\name` deletes one (the nearest definition,
as the provider searches the scopes: SessionStateInternal.RemoveFunction); `Set-Item Function:\\name
-Value <scriptblock>` defines it in the current scope. Only script blocks that Get-ChildItem Function:
handed out can be set again (a function's definition is kept as the interpreter parsed it); any other
value is a NotModelledByTestHost error. Options other than None (ReadOnly, Constant, Private, AllScope)
are not modelled for functions.
"""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .. import tripwire
from .. import values as V
from ..errors import PSError
from ..members import add_note


def _visible(scope: typing.Any) -> dict[str, typing.Any]:
    return scope.visible("functions")


def function_item(info: typing.Any) -> PSObject:
    block = V.ScriptBlock(info.body, info.source)
    block.function_info = info  # type: ignore[attr-defined]  # what Set-Item Function: takes back
    obj = PSObject()
    obj.PSObject.type_names = ["System.Management.Automation.FunctionInfo", "System.Management.Automation.CommandInfo",
                               "System.Object"]
    add_note(obj, "Name", info.name)
    add_note(obj, "CommandType", "Function")
    add_note(obj, "ScriptBlock", block)
    add_note(obj, "Options", "None")
    add_note(obj, "ModuleName", getattr(info.module, "name", "") if info.module is not None else "")
    obj.PSObject.to_string = info.name
    return obj


def child_items(cmd: typing.Any, rest: str) -> None:
    for key, info in sorted(_visible(cmd.ctx.scope).items()):
        if not rest or V.like(key, rest):
            cmd.emit(function_item(info))


def remove(cmd: typing.Any, path: str, rest: str, not_found: typing.Callable[[str, str], PSError]) -> None:
    scope = cmd.ctx.scope
    while scope is not None and rest.lower() not in scope.functions:
        scope = scope.parent
    if scope is None:
        cmd.write_error(not_found(path, cmd.dotnet))
        return
    del scope.functions[rest.lower()]


def set_item(cmd: typing.Any, rest: str, value: typing.Any) -> None:
    info = getattr(value, "function_info", None)
    if info is None:
        raise cmd.terminating(tripwire.not_modelled("Set-Item Function:\\ with a value other than a script block "
                                                    "that Get-ChildItem Function: gave"))
    cmd.ctx.scope.functions[rest.lower()] = info
