"""The Variable provider (VariableProvider.cs; about_Variable_Provider): the Variable: drive over the session's
variables as seen from the current scope. Items are PSVariable objects; an item's content is its value; Set-Item
sets it in the current scope; Remove-Item removes the nearest definition."""

from __future__ import annotations

import typing

from .. import values as V
from ..cmdlets.variables import _visible, ps_variable
from .base import ProviderPath, path_not_found, register
from .sessionstate import SessionStateProvider


class VariableProvider(SessionStateProvider):
    name = "Variable"
    drives = ("Variable",)

    def visible(self, ctx: typing.Any) -> dict[str, typing.Any]:
        return _visible(ctx.scope)

    def find(self, ctx: typing.Any, name: str) -> typing.Any:
        return ctx.scope.lookup(name)

    def name_of(self, key: str, value: typing.Any) -> str:
        return value.name

    def item(self, name: str, value: typing.Any) -> typing.Any:
        return ps_variable(value.name, value.value, value.options)

    def content(self, value: typing.Any) -> typing.Any:
        return value.value

    def item_exists(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> bool:
        """Every scope's names, as the test host has always answered `Test-Path Variable:x` (wildcards included)."""
        if not p.path:
            return True
        names = []
        scope = cmd.ctx.scope
        while scope is not None:
            names.extend(scope.variables)
            scope = scope.parent
        if literal:
            return p.path.lower() in names
        return any(V.like(n, p.path) for n in names)

    def set_item(self, cmd: typing.Any, p: ProviderPath, value: typing.Any) -> None:
        cmd.ctx.scope.set_local(p.path, value)

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        scope = cmd.ctx.scope
        while scope is not None and p.path.lower() not in scope.variables:
            scope = scope.parent
        if scope is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        del scope.variables[p.path.lower()]


VARIABLE = register(VariableProvider())
