"""The Environment provider (EnvironmentProvider.cs; about_Environment_Provider): the Env: drive over the
session's process environment (`scopes.Environment`). Items are DictionaryEntry objects (Name, Key, Value); an
item's content is its value string; Set-Item sets a variable, Remove-Item deletes it."""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .. import values as V
from ..members import add_note
from .base import ProviderPath, path_not_found, register
from .sessionstate import SessionStateProvider


def env_entry(name: str, value: str) -> PSObject:
    obj = PSObject()
    obj.PSObject.type_names = ["System.Collections.DictionaryEntry", "System.ValueType", "System.Object"]
    add_note(obj, "Name", name)
    add_note(obj, "Key", name)
    add_note(obj, "Value", value)
    obj.PSObject.to_string = "System.Collections.DictionaryEntry"
    return obj


class EnvironmentProvider(SessionStateProvider):
    name = "Environment"
    drives = ("Env",)

    def visible(self, ctx: typing.Any) -> dict[str, typing.Any]:
        env = ctx.session.env
        return {name: env.get(name) or "" for name in env.names()}

    def find(self, ctx: typing.Any, name: str) -> typing.Any:
        return ctx.session.env.get(name)

    def name_of(self, key: str, value: typing.Any) -> str:
        return key

    def item(self, name: str, value: typing.Any) -> typing.Any:
        return env_entry(name, value)

    def set_item(self, cmd: typing.Any, p: ProviderPath, value: typing.Any) -> None:
        cmd.ctx.session.env.set(p.path, None if value is None else V.to_string(value))

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        if cmd.ctx.session.env.get(p.path) is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        cmd.ctx.session.env.set(p.path, None)


ENVIRONMENT = register(EnvironmentProvider())
