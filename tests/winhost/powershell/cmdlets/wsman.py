"""Provider-path cmdlets: Get-Item/Set-Item/Get-ChildItem/Test-Path on WSMan:, Env:, Variable:, Function: (cmdlets/functions.py)."""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .. import values as V
from ..binding import Param
from ..errors import PSError
from ..members import add_note
from . import Cmdlet, cmdlet
from . import filesystem as fsc
from . import functions
from .session import remove_alias, visible_aliases
from .variables import ps_variable


def split_provider(path: str) -> tuple[str, str]:
    """'WSMan:\\localhost\\Shell' -> ('wsman', 'localhost\\Shell'); 'env:FOO' -> ('env', 'FOO')."""
    text = path.strip()
    if text.lower().startswith("microsoft.wsman.management\\wsman::"):
        text = "WSMan:" + text[len("microsoft.wsman.management\\wsman::"):]
    if ":" in text:
        drive, _unused, rest = text.partition(":")
        return drive.lower(), rest.replace("/", "\\").strip("\\")
    return "", text


def _path_not_found(path: str, dotnet: str) -> PSError:
    return PSError(
        f"Cannot find path '{path}' because it does not exist.",
        exception_type="System.Management.Automation.ItemNotFoundException",
        fqid=f"PathNotFound,{dotnet}",
        category="ObjectNotFound",
        reason="ItemNotFoundException",
        target=path,
    )


def _wsman_element(path: str, rest: str, value: typing.Any, container: bool = False) -> PSObject:
    parent, _unused, name = rest.rpartition("\\")
    obj = PSObject()
    if container:
        obj.PSObject.type_names = ["Microsoft.WSMan.Management.WSManConfigContainerElement",
                                   "Microsoft.WSMan.Management.WSManConfigElement", "System.Object"]
    else:
        obj.PSObject.type_names = ["Microsoft.WSMan.Management.WSManConfigLeafElement",
                                   "Microsoft.WSMan.Management.WSManConfigElement", "System.Object"]
    add_note(obj, "PSPath", f"Microsoft.WSMan.Management\\WSMan::{rest}")
    add_note(obj, "PSParentPath", f"Microsoft.WSMan.Management\\WSMan::{parent}")
    add_note(obj, "PSChildName", name)
    add_note(obj, "PSDrive", "WSMan")
    add_note(obj, "PSProvider", "Microsoft.WSMan.Management\\WSMan")
    add_note(obj, "PSIsContainer", container)
    add_note(obj, "WSManConfig", f"Microsoft.WSMan.Management\\WSMan::{parent}")
    add_note(obj, "Name", name)
    if container:
        add_note(obj, "TypeNameOfElement", "Container")
        add_note(obj, "Keys", [])
    else:
        add_note(obj, "Value", None if value is None else V.to_string(value))
        add_note(obj, "Type", "System.String")
    obj.PSObject.to_string = f"Microsoft.WSMan.Management.WSManConfig{'Container' if container else 'Leaf'}Element"
    del path
    return obj


def _env_entry(name: str, value: str) -> PSObject:
    obj = PSObject()
    obj.PSObject.type_names = ["System.Collections.DictionaryEntry", "System.ValueType", "System.Object"]
    add_note(obj, "Name", name)
    add_note(obj, "Key", name)
    add_note(obj, "Value", value)
    obj.PSObject.to_string = "System.Collections.DictionaryEntry"
    return obj


class _PathCmdlet(Cmdlet):
    def paths(self) -> list[str]:
        return [V.to_string(p) for p in V.as_list(self.get("Path", self.get("LiteralPath")))]

    def literal(self) -> bool:
        return self.get("LiteralPath") is not None and self.get("Path") is None

    def filesystem(self, path: str) -> bool:
        """Whether `path` is on the FileSystem provider's drive C: (other drive letters do not exist)."""
        if not fsc.is_filesystem_path(path):
            return False
        text = path.strip()
        return not (len(text) >= 2 and text[1] == ":" and text[0].upper() != "C")


@cmdlet("Get-Item", "Microsoft.PowerShell.Commands.GetItemCommand", aliases=("gi",))
class GetItem(_PathCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("LiteralPath", aliases=("PSPath",)), Param("Force", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        for path in self.paths():
            if self.filesystem(path):
                fsc.get_items(self, path, self.literal())
                continue
            provider, rest = split_provider(path)
            host = self.ctx.host
            if provider == "wsman":
                try:
                    value = host.wsman_get("WSMan:\\" + rest)
                except KeyError:
                    children = _children(host, rest)
                    if children is None:
                        self.write_error(_path_not_found(path, self.dotnet))
                        continue
                    self.emit(_wsman_element(path, rest, None, container=True))
                    continue
                self.emit(_wsman_element(path, rest, value))
            elif provider == "env":
                value = self.ctx.session.env.get(rest)
                if value is None:
                    self.write_error(_path_not_found(path, self.dotnet))
                    continue
                self.emit(_env_entry(rest, value))
            elif provider == "variable":
                var = self.ctx.scope.lookup(rest)
                if var is None:
                    self.write_error(_path_not_found(path, self.dotnet))
                    continue
                self.emit(ps_variable(var.name, var.value, var.options))
            else:
                raise self.terminating(_unsupported_provider(path))


def _children(host: typing.Any, rest: str) -> list[str] | None:
    try:
        names = host.wsman_children("WSMan:\\" + rest)
    except KeyError:
        return None
    if not names:
        return None
    return names


def _unsupported_provider(path: str) -> PSError:
    return PSError(
        f"Cannot find drive. A drive with the name '{path.partition(':')[0]}' does not exist.",
        exception_type="System.Management.Automation.DriveNotFoundException",
        fqid="DriveNotFound", category="ObjectNotFound", reason="DriveNotFoundException",
        target=path.partition(":")[0])


@cmdlet("Set-Item", "Microsoft.PowerShell.Commands.SetItemCommand", aliases=("si",), should_process=True)
class SetItem(_PathCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("Value", 1), Param("LiteralPath", aliases=("PSPath",)),
                  Param("Force", switch=True), Param("PassThru", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        for path in self.paths():
            provider, rest = split_provider(path)
            value = self.get("Value")
            if provider == "wsman":
                try:
                    self.ctx.host.wsman_set("WSMan:\\" + rest, V.to_string(value))
                except KeyError:
                    self.write_error(_path_not_found(path, self.dotnet))
                    continue
                except ValueError as err:
                    self.write_error(PSError(str(err), exception_type="System.InvalidOperationException",
                                             fqid="System.InvalidOperationException", category="InvalidOperation",
                                             reason="InvalidOperationException", target=path))
                    continue
                if self.switch("PassThru"):
                    self.emit(_wsman_element(path, rest, self.ctx.host.wsman_get("WSMan:\\" + rest)))
            elif provider == "env":
                self.ctx.session.env.set(rest, None if value is None else V.to_string(value))
            elif provider == "variable":
                self.ctx.scope.set_local(rest, value)
            elif provider == "function":
                functions.set_item(self, rest, value)
            else:
                raise self.terminating(_unsupported_provider(path))


@cmdlet("Get-ChildItem", "Microsoft.PowerShell.Commands.GetChildItemCommand", aliases=("gci", "dir", "ls"))
class GetChildItem(_PathCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("Filter", 1), Param("LiteralPath", aliases=("PSPath",)),
                  Param("Force", switch=True), Param("Recurse", switch=True), Param("Name", switch=True),
                  Param("File", switch=True), Param("Directory", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        for path in self.paths() or [self.ctx.session.native_cwd()]:
            if self.filesystem(path):
                fsc.child_items(self, path, self.literal())
                continue
            provider, rest = split_provider(path)
            if provider == "env":
                env = self.ctx.session.env
                for name in sorted(env.names(), key=str.lower):
                    if not rest or V.like(name, rest):
                        self.emit(_env_entry(name, env.get(name) or ""))
            elif provider == "wsman":
                names = _children(self.ctx.host, rest)
                if names is None:
                    self.write_error(_path_not_found(path, self.dotnet))
                    continue
                for name in names:
                    child = f"{rest}\\{name}"
                    try:
                        value = self.ctx.host.wsman_get("WSMan:\\" + child)
                        self.emit(_wsman_element(path, child, value))
                    except KeyError:
                        self.emit(_wsman_element(path, child, None, container=True))
            elif provider == "variable":
                from .variables import _visible  # pylint: disable=import-outside-toplevel

                for key, var in sorted(_visible(self.ctx.scope).items()):
                    if not rest or V.like(key, rest):
                        self.emit(ps_variable(var.name, var.value, var.options))
            elif provider == "function":
                functions.child_items(self, rest)
            else:
                raise self.terminating(_unsupported_provider(path))


@cmdlet("Test-Path", "Microsoft.PowerShell.Commands.TestPathCommand")
class TestPath(_PathCmdlet):
    parameters = [Param("Path", 0, pipeline=True), Param("LiteralPath", aliases=("PSPath",)), Param("PathType"),
                  Param("IsValid", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        for path in self.paths():
            self.emit(self._exists(path))

    def _exists(self, path: str) -> bool:  # pylint: disable=too-many-return-statements
        if self.filesystem(path):
            return fsc.test_path(self, path, self.literal())
        provider, rest = split_provider(path)
        if provider == "variable":
            return any(V.like(k, rest) for k in _all_names(self.ctx.scope))
        if provider == "function":
            return self.ctx.scope.lookup_function(rest) is not None
        if provider == "env":
            return self.ctx.session.env.get(rest) is not None
        if provider == "alias":
            return any(V.like(k, rest) for k in visible_aliases(self.ctx.scope))
        if provider == "wsman":
            try:
                self.ctx.host.wsman_get("WSMan:\\" + rest)
                return True
            except KeyError:
                return rest.lower() in ("", "localhost") or _children(self.ctx.host, rest) is not None
        return False


def remove_other_provider(cmd: Cmdlet, path: str) -> None:
    """Remove-Item on Env:, Variable:, Alias: and Function: (cmdlets/functions.py)."""
    provider, rest = split_provider(path)
    if provider == "env":
        if cmd.ctx.session.env.get(rest) is None:
            cmd.write_error(_path_not_found(path, cmd.dotnet))
            return
        cmd.ctx.session.env.set(rest, None)
    elif provider == "variable":
        scope = cmd.ctx.scope
        while scope is not None and rest.lower() not in scope.variables:
            scope = scope.parent
        if scope is None:
            cmd.write_error(_path_not_found(path, cmd.dotnet))
            return
        del scope.variables[rest.lower()]
    elif provider == "alias":
        remove_alias(cmd, path, rest)
    elif provider == "function":
        functions.remove(cmd, path, rest, _path_not_found)
    else:
        raise cmd.terminating(_unsupported_provider(path))


def _all_names(scope: typing.Any) -> list[str]:
    names = []
    while scope is not None:
        names.extend(scope.variables)
        scope = scope.parent
    return names
