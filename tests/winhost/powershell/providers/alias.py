"""The Alias provider (AliasProvider.cs; about_Alias_Provider): the Alias: drive over the session's aliases as
seen from the current scope. Items are AliasInfo objects (cmdlets/session.py); an item's content is its
Definition; `Remove-Item Alias:\\name` removes it (5.1 has no Remove-Alias), `-Force` for a ReadOnly one, never a
Constant one (SessionStateScope.RemoveAlias). Set-Item Alias: is Set-Alias's job here (not modelled)."""

from __future__ import annotations

import typing

from ..cmdlets.session import _owner, visible_aliases
from ..errors import PSError
from ..tripwire import not_modelled
from .base import ProviderPath, path_not_found, register
from .sessionstate import SessionStateProvider


class AliasProvider(SessionStateProvider):
    name = "Alias"
    drives = ("Alias",)

    def visible(self, ctx: typing.Any) -> dict[str, typing.Any]:
        return visible_aliases(ctx.scope)

    def find(self, ctx: typing.Any, name: str) -> typing.Any:
        return ctx.scope.lookup_alias(name)

    def name_of(self, key: str, value: typing.Any) -> str:
        return value.name

    def item(self, name: str, value: typing.Any) -> typing.Any:
        return value

    def content(self, value: typing.Any) -> typing.Any:
        return value.definition

    def set_item(self, cmd: typing.Any, p: ProviderPath, value: typing.Any) -> None:
        raise cmd.terminating(not_modelled("Set-Item on the Alias: drive (use Set-Alias)"))

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        name = p.path
        scope = _owner(cmd.ctx.scope, name.lower())
        if scope is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        alias = scope.aliases[name.lower()]
        if alias.constant or (alias.read_only and not cmd.switch("Force")):
            cmd.write_error(PSError(f"Alias was not removed because alias {alias.name} is constant or read-only.",
                                    exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                                    fqid="AliasNotRemovable", category="WriteError",
                                    reason="SessionStateUnauthorizedAccessException", target=alias.name))
            return
        del scope.aliases[name.lower()]


ALIAS = register(AliasProvider())
