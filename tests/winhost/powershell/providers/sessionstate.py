"""SessionStateProviderBase (SessionStateProviderBase.cs): the container providers over session state (Env:,
Variable:, Function:, Alias:). Each item is one name; GetItem, ItemExists, GetChildItems, SetItem, RemoveItem and
the content reader (`Get-Content Env:X`, `${env:X}`: the item's value, one object) are the base's; a provider
says how to list, find, write and remove its items and what its content is.

The items are written with PSPath (`<provider>::<name>`), PSDrive, PSProvider and PSIsContainer $false
(CmdletProvider.WrapOutputInPSObject: PSParentPath and PSChildName are only for navigation providers).
"""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from ..members import add_note
from ..tripwire import not_modelled
from .base import Provider, ProviderPath, has_wildcard, match_names, path_not_found


class SessionStateProvider(Provider):
    has_content = True

    # -- what each provider says
    def visible(self, ctx: typing.Any) -> dict[str, typing.Any]:
        """name -> value, as seen from the current scope (sorted by the callers)."""
        raise NotImplementedError

    def find(self, ctx: typing.Any, name: str) -> typing.Any:
        """The value of one item by its exact name (case-insensitive), or None."""
        return next((v for k, v in self.visible(ctx).items() if k.lower() == name.lower()), None)

    def name_of(self, key: str, value: typing.Any) -> str:
        del value
        return key

    def item(self, name: str, value: typing.Any) -> typing.Any:
        """What GetItem / GetChildItems write for one item (before the provider notes)."""
        raise NotImplementedError

    def content(self, value: typing.Any) -> typing.Any:
        """What the item's content reader reads (SessionStateProviderBase.GetValueOfItem)."""
        return value

    # -- the operations
    def _write(self, cmd: typing.Any, name: str, value: typing.Any) -> None:
        obj = self.item(name, value)
        if isinstance(obj, PSObject):
            add_note(obj, "PSPath", f"{self.qualified_name}::{name}")
            add_note(obj, "PSDrive", self.drives[0])
            add_note(obj, "PSProvider", self.qualified_name)
            add_note(obj, "PSIsContainer", False)
        cmd.emit(obj)

    def _sorted(self, ctx: typing.Any) -> list[tuple[str, typing.Any]]:
        return sorted(((self.name_of(k, v), v) for k, v in self.visible(ctx).items()), key=lambda kv: kv[0].lower())

    def get_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        if not p.path:
            raise not_modelled(f"Get-Item of the {self.drives[0]}: drive's root (a DictionaryEntry container)")
        if not literal and has_wildcard(p.path):
            items = dict(self._sorted(cmd.ctx))
            for name in match_names(items, p.path, literal):
                self._write(cmd, name, items[name])
            return
        value = self.find(cmd.ctx, p.path)
        if value is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        self._write(cmd, self.name_of(p.path, value), value)

    def child_items(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        items = self._sorted(cmd.ctx)
        if p.path:
            chosen = match_names([k for k, _v in items], p.path, literal)
            if not chosen and (literal or not has_wildcard(p.path)):
                cmd.write_error(path_not_found(p.given, cmd.dotnet))
                return
            items = [(k, v) for k, v in items if k in chosen]
        for name, value in items:
            self._write(cmd, name, value)

    def item_exists(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> bool:
        if not p.path:
            return True  # the drive's root
        if literal or not has_wildcard(p.path):
            return self.find(cmd.ctx, p.path) is not None
        return bool(match_names(self.visible(cmd.ctx), p.path, literal))

    def new_item(self, cmd: typing.Any, p: ProviderPath, item_type: str | None, value: typing.Any) -> None:
        raise cmd.terminating(not_modelled(f"New-Item on the {self.drives[0]}: drive"))

    def read_content(self, ctx: typing.Any, p: ProviderPath) -> list | None:
        """The reader's Read(-1) (SessionStateProviderBaseContentReaderWriter.Read): the value itself when it is a
        list, else the value alone; nothing for $null."""
        value = self.find(ctx, p.path) if p.path else None
        if value is None:
            return None
        content = self.content(value)
        if content is None:
            return []
        return list(content) if isinstance(content, list) else [content]
