"""The item cmdlets (Navigation.cs, TestPathCommand.cs): Get-Item, Set-Item, Get-ChildItem, Test-Path, New-Item,
Remove-Item, Copy-Item, Move-Item. Each resolves its path once (providers.resolve) and calls the provider's operation (providers/).

As in PowerShell, a DriveNotFound, ProviderNotFound or PSNotSupportedException ("does not support this
operation") for one path is a non-terminating error and the cmdlet goes on with the next path; Test-Path answers
$false for them (TestPathCommand.ProcessRecord).
"""

# pylint: disable=attribute-defined-outside-init

from __future__ import annotations

import typing

from .. import providers
from .. import values as V
from ..binding import Param
from ..errors import PSError
from ..tripwire import not_modelled
from . import Cmdlet, cmdlet

# Errors a cmdlet writes for one path and goes on (Navigation.cs: catch PSNotSupportedException, DriveNotFoundException,
# ProviderNotFoundException -> WriteError(new ErrorRecord(e.ErrorRecord, e))).
_PER_PATH = ("NotSupported", "DriveNotFound", "ProviderNotFound")


class ItemCmdlet(Cmdlet):
    """A cmdlet over provider paths (-Path with wildcards, -LiteralPath without)."""

    def bind_pipeline(self, item: typing.Any) -> None:
        # An item a provider wrote (it has a PSPath note) binds to -LiteralPath by property name (its alias PSPath), as
        # PowerShell's binder prefers a parameter the property's type matches over converting the object to a -Path
        # string; a string still binds to -Path.
        pspath = None if isinstance(item, str) else _note(item, "PSPath")
        if pspath is not None and any(p.name == "LiteralPath" for p in self.parameters):
            self.bound.pop("Path", None)
            self.bound["LiteralPath"] = pspath
            return
        super().bind_pipeline(item)

    def targets(self) -> list[tuple[str, bool]]:
        if self.get("LiteralPath") is not None:
            return [(V.to_string(p), True) for p in V.as_list(self.get("LiteralPath"))]
        return [(V.to_string(p), False) for p in V.as_list(self.get("Path"))]

    def each_path(self, paths: list[tuple[str, bool]],
                  operation: typing.Callable[[providers.ProviderPath, bool], None]) -> None:
        """Resolve each path once and run `operation(path, literal)`; per-path provider errors are written."""
        for given, literal in paths:
            try:
                operation(providers.resolve(self.ctx, given), literal)
            except PSError as err:
                if (err.fqid or "").partition(",")[0] not in _PER_PATH:
                    raise
                self.write_error(err)


def _note(item: typing.Any, name: str) -> typing.Any:
    """A note property of a PSObject the interpreter made (a provider's item), else None."""
    psobject = getattr(item, "PSObject", None)
    for prop in getattr(psobject, "extended_properties", None) or []:
        if prop.name == name:
            return prop.get_value(item) if hasattr(prop, "get_value") else prop.value
    return None


@cmdlet("Get-Item", "Microsoft.PowerShell.Commands.GetItemCommand", aliases=("gi",))
class GetItem(ItemCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("LiteralPath", aliases=("PSPath",)), Param("Force", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        self.each_path(self.targets(), lambda p, literal: p.provider.get_item(self, p, literal))


@cmdlet("Set-Item", "Microsoft.PowerShell.Commands.SetItemCommand", aliases=("si",), should_process=True)
class SetItem(ItemCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("Value", 1), Param("LiteralPath", aliases=("PSPath",)),
                  Param("Force", switch=True), Param("PassThru", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        self.each_path(self.targets(), lambda p, literal: p.provider.set_item(self, p, self.get("Value")))


@cmdlet("Get-ChildItem", "Microsoft.PowerShell.Commands.GetChildItemCommand", aliases=("gci", "dir", "ls"))
class GetChildItem(ItemCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("Filter", 1), Param("LiteralPath", aliases=("PSPath",)),
                  Param("Force", switch=True), Param("Recurse", switch=True), Param("Name", switch=True),
                  Param("File", switch=True), Param("Directory", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        paths = self.targets() or [(self.ctx.session.native_cwd(), False)]

        def children(p: providers.ProviderPath, literal: bool) -> None:
            if self.get("Filter") is not None and not p.provider.supports_filter:
                # ProviderBase: a -Filter for a provider without the Filter capability (SessionStateStrings.Filter_NotSupported)
                raise providers.not_supported("Cannot call method. The provider does not support the use of filters.")
            p.provider.child_items(self, p, literal)

        self.each_path(paths, children)


@cmdlet("Get-ItemProperty", "Microsoft.PowerShell.Commands.GetItemPropertyCommand", aliases=("gp",))
class GetItemProperty(ItemCmdlet):
    """Get-ItemProperty [-Path] <string[]> [[-Name] <string[]>] / -LiteralPath: the provider's properties of each item
    (IPropertyCmdletProvider). Modelled for the Registry provider (its values); any other provider's is not."""

    parameters = [Param("Path", 0, pipeline=True), Param("Name", 1, aliases=("PSProperty",)),
                  Param("LiteralPath", aliases=("PSPath",)), Param("Filter"), Param("Include"), Param("Exclude"),
                  Param("Credential")]

    def process_record(self, item: typing.Any) -> None:
        for name in ("Filter", "Include", "Exclude", "Credential"):
            if self.has(name):
                raise self.terminating(not_modelled(f"Get-ItemProperty -{name}"))
        names = None if self.get("Name") is None else [V.to_string(n) for n in V.as_list(self.get("Name"))]

        def properties(p: providers.ProviderPath, literal: bool) -> None:
            reader = getattr(p.provider, "item_properties", None)
            if reader is None:
                raise not_modelled(f"Get-ItemProperty on the {p.provider.name} provider")
            reader(self, p, literal, names)

        self.each_path(self.targets(), properties)


@cmdlet("Test-Path", "Microsoft.PowerShell.Commands.TestPathCommand")
class TestPath(ItemCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("LiteralPath", aliases=("PSPath",)), Param("PathType"),
                  Param("IsValid", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        path_type = V.to_string(self.get("PathType") or "Any")
        if path_type.lower() not in ("any", "leaf", "container"):
            raise self.terminating(PSError(
                f"Cannot bind parameter 'PathType'. Cannot convert value \"{path_type}\" to type "
                "\"Microsoft.PowerShell.Commands.TestPathType\". Error: \"Unable to match the identifier name "
                f"{path_type} to a valid enumerator name. Specify one of the following enumerator names and try again:"
                "\r\nAny, Container, Leaf\"", exception_type="System.Management.Automation.ParameterBindingException",
                fqid="CannotConvertArgumentNoMessage", category="InvalidArgument", reason="ParameterBindingException"))
        for given, literal in self.targets():
            try:
                p = providers.resolve(self.ctx, given)
                self.emit(p.provider.item_exists(self, p, literal))
            except PSError as err:
                if (err.fqid or "").partition(",")[0] not in _PER_PATH:
                    raise
                self.emit(False)


@cmdlet("New-Item", "Microsoft.PowerShell.Commands.NewItemCommand", aliases=("ni",), should_process=True)
class NewItem(ItemCmdlet):
    knows_should_process = True  # the FileSystem's texts (FileSystemProvider.NewItem); the others are guarded
    parameters = [Param("Path", 0, by_property=True), Param("Name", by_property=True), Param("ItemType", aliases=("Type",)),
                  Param("Value", pipeline=True, by_property=True), Param("Force", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        paths = [V.to_string(p) for p in V.as_list(self.get("Path"))] or [self.ctx.session.native_cwd()]
        name = self.get("Name")
        item_type = None if self.get("ItemType") is None else V.to_string(self.get("ItemType"))
        targets = [(path if name is None else path.rstrip("\\/") + "\\" + V.to_string(name), False) for path in paths]

        def create(p: providers.ProviderPath, _literal: bool) -> None:
            if not p.provider.knows_should_process:
                self.guard_should_process()
            p.provider.new_item(self, p, item_type, self.get("Value"))

        self.each_path(targets, create)


@cmdlet("Remove-Item", "Microsoft.PowerShell.Commands.RemoveItemCommand", aliases=("rm", "del", "erase", "rd", "ri", "rmdir"),
        should_process=True)
class RemoveItem(ItemCmdlet):
    knows_should_process = True  # the FileSystem's texts (FileSystemProvider.RemoveItem); the others are guarded
    parameters = [Param("Path", 0, pipeline=True, by_property=True), Param("LiteralPath", aliases=("PSPath",), by_property=True),
                  Param("Recurse", switch=True), Param("Force", switch=True), Param("Filter"), Param("Include"), Param("Exclude")]

    def process_record(self, item: typing.Any) -> None:
        if any(self.get(name) is not None for name in ("Filter", "Include", "Exclude")):
            raise self.terminating(not_modelled("Remove-Item -Filter / -Include / -Exclude"))

        def remove(p: providers.ProviderPath, literal: bool) -> None:
            if not p.provider.knows_should_process:
                self.guard_should_process()  # the other providers' ShouldProcess texts are not modelled
            p.provider.remove_item(self, p, literal)

        self.each_path(self.targets(), remove)


class _TransferItem(ItemCmdlet):
    """Copy-Item and Move-Item: each source path to -Destination (the current location when not given), through the
    source's provider (providers: copy_item)."""

    move = False
    parameters = [Param("Path", 0, pipeline=True, by_property=True), Param("Destination", 1, by_property=True),
                  Param("LiteralPath", aliases=("PSPath",), by_property=True), Param("Force", switch=True),
                  Param("PassThru", switch=True), Param("Recurse", switch=True), Param("Container", switch=True),
                  Param("Filter"), Param("Include"), Param("Exclude"), Param("Credential"), Param("ToSession"),
                  Param("FromSession")]

    def process_record(self, item: typing.Any) -> None:
        for name in ("Filter", "Include", "Exclude", "Credential", "ToSession", "FromSession"):
            if self.has(name):
                raise self.terminating(not_modelled(f"{self.name} -{name}"))
        given = self.get("Destination")
        destination = providers.resolve(self.ctx, self.ctx.session.native_cwd() if given is None else V.to_string(given))
        self.each_path(self.targets(), lambda p, literal: p.provider.copy_item(self, p, literal, destination, self.move))


@cmdlet("Copy-Item", "Microsoft.PowerShell.Commands.CopyItemCommand", aliases=("copy", "cp", "cpi"), should_process=True)
class CopyItem(_TransferItem):
    pass


@cmdlet("Move-Item", "Microsoft.PowerShell.Commands.MoveItemCommand", aliases=("move", "mv", "mi"), should_process=True)
class MoveItem(_TransferItem):
    move = True
