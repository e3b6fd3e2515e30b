"""The WSMan provider (Microsoft.WSMan.Management's WSManConfigProvider, ConfigProvider.cs): the WSMan: drive over
the server's own configuration store (`HostServices.wsman_get/set/children`, machine/wsman_settings.py).

Items are WSManConfigLeafElement (Name, Value, Type System.String) and WSManConfigContainerElement objects with the
provider notes. GetItem, ItemExists, GetChildItems and SetItem are modelled; NewItem and RemoveItem (listeners,
plugins, ...) exist in Windows and are not modelled (NotModelledByTestHost); the provider has no content
interface (`Get-Content WSMan:\\...`, `${wsman:...}`: PowerShell's IContentCmdletProvider error).
"""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .. import values as V
from ..errors import PSError
from ..members import add_note
from ..tripwire import not_modelled, trip
from .base import Provider, ProviderPath, has_wildcard, match_names, path_not_found, register


def wsman_element(rest: str, value: typing.Any, container: bool = False) -> PSObject:
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
    return obj


# WSMan:\localhost's containers Windows has and the test host's store does not (about_WSMan_Provider: Client,
# ClientCertificate): reaching into one trips, rather than answer "no such path". The Listener container shows the
# server's own listener (HostServices.wsman_listeners; machine/wsman_settings.py Listener), read-only.
_UNMODELLED_CONTAINERS = ("client", "clientcertificate")


def _listener_children(host: typing.Any, rest: str) -> list[tuple[str, typing.Any, bool]] | None:
    r"""The children of `localhost\Listener[\<name>]`: (name, value, container?); None for any other path or no such
    listener."""
    parts = rest.replace("/", "\\").strip("\\").split("\\")
    if len(parts) < 2 or parts[0].lower() != "localhost" or parts[1].lower() != "listener":
        return None
    listeners = host.wsman_listeners()
    if len(parts) == 2:
        return [(item.name, item, True) for item in listeners]
    named = next((item for item in listeners if item.name.lower() == parts[2].lower()), None)
    if named is None or len(parts) > 3:
        return None
    return [(key, value, False) for key, value in named.items()]


def _children(host: typing.Any, rest: str) -> list[str] | None:
    parts = rest.replace("/", "\\").strip("\\").split("\\")
    if len(parts) >= 2 and parts[0].lower() == "localhost" and parts[1].lower() in _UNMODELLED_CONTAINERS:
        raise trip(f"WSMan:\\localhost\\{parts[1]} (the WSMan service's {parts[1].lower()} configuration)")
    listener = _listener_children(host, rest)
    if listener is not None:
        return [name for name, _value, _container in listener] or None
    try:
        names = host.wsman_children("WSMan:\\" + rest)
    except KeyError:
        return None
    if not names:
        return None
    return names


class WSManProvider(Provider):
    name = "WSMan"
    module = "Microsoft.WSMan.Management"
    drives = ("WSMan",)

    def get_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        host = cmd.ctx.host
        try:
            value = host.wsman_get("WSMan:\\" + p.path)
        except KeyError:
            if _children(host, p.path) is None:
                cmd.write_error(path_not_found(p.given, cmd.dotnet))
                return
            cmd.emit(wsman_element(p.path, None, container=True))
            return
        cmd.emit(wsman_element(p.path, value))

    def _emit_child(self, cmd: typing.Any, child: str) -> None:
        host = cmd.ctx.host
        parent, _sep, name = child.rpartition("\\")
        listener = _listener_children(host, parent)
        if listener is not None:
            for item_name, value, container in listener:
                if item_name.lower() == name.lower():
                    element = wsman_element(f"{parent}\\{item_name}", None if container else value, container=container)
                    if container:
                        # A listener's container lists its keys (WSManConfigContainerElement.Keys).
                        element.PSObject.extended_properties[:] = [
                            prop for prop in element.PSObject.extended_properties if prop.name != "Keys"]
                        add_note(element, "Keys", list(value.keys))
                    cmd.emit(element)
            return
        try:
            cmd.emit(wsman_element(child, host.wsman_get("WSMan:\\" + child)))
        except KeyError:
            cmd.emit(wsman_element(child, None, container=True))

    def child_items(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        parent, _sep, leaf = p.path.rpartition("\\")
        if not literal and has_wildcard(leaf):
            # `X\*`: the items of X the pattern matches, themselves (Get-ChildItem of a wildcard path without -Recurse
            # writes the matching items, not their children).
            for name in match_names(_children(cmd.ctx.host, parent) or [], leaf, literal=False):
                self._emit_child(cmd, f"{parent}\\{name}")
            return
        names = _children(cmd.ctx.host, p.path)
        if names is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        for name in names:
            self._emit_child(cmd, f"{p.path}\\{name}")

    def item_exists(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> bool:
        try:
            cmd.ctx.host.wsman_get("WSMan:\\" + p.path)
            return True
        except KeyError:
            return p.path.lower() in ("", "localhost") or _children(cmd.ctx.host, p.path) is not None

    def set_item(self, cmd: typing.Any, p: ProviderPath, value: typing.Any) -> None:
        try:
            cmd.ctx.host.wsman_set("WSMan:\\" + p.path, V.to_string(value))
        except KeyError:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        except ValueError as err:
            cmd.write_error(PSError(str(err), exception_type="System.InvalidOperationException",
                                    fqid="System.InvalidOperationException", category="InvalidOperation",
                                    reason="InvalidOperationException", target=p.given))
            return
        if cmd.switch("PassThru"):
            cmd.emit(wsman_element(p.path, cmd.ctx.host.wsman_get("WSMan:\\" + p.path)))

    def new_item(self, cmd: typing.Any, p: ProviderPath, item_type: str | None, value: typing.Any) -> None:
        raise cmd.terminating(not_modelled("New-Item on the WSMan: drive"))

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        raise cmd.terminating(not_modelled("Remove-Item on the WSMan: drive"))


WSMAN = register(WSManProvider())
