"""The Registry provider (RegistryProvider.cs; about_Registry_Provider), read-only over what the machine models.

Drives HKLM: (HKEY_LOCAL_MACHINE) and HKCU: (HKEY_CURRENT_USER); provider paths `Registry::HKEY_LOCAL_MACHINE\\...`
(the PSPath of its items: `Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\...`). The keys and values are the
machine's (`HostServices.system.registry()`, machine/registry.py): only those ansible.windows' facts read.

Modelled: Get-Item / Get-ChildItem of a modelled key (a Microsoft.Win32.RegistryKey item: Name, SubKeyCount,
ValueCount, Property, with PSPath, PSParentPath, PSChildName, PSDrive, PSProvider, PSIsContainer), Test-Path of a
modelled or known-absent key, and Get-ItemProperty (`item_properties`). A key known to be absent is PowerShell's
PathNotFound. Anything else (another key, HKCU:, wildcards, writing) is not modelled: a tripwire error naming it.
"""

from __future__ import annotations

import typing

from psrpcore.types import PSInt64, PSObject

from ..errors import PSError
from ..members import add_note
from ..tripwire import trip
from .base import Provider, ProviderPath, has_wildcard, path_not_found, register

_HIVES = {"hklm": "HKEY_LOCAL_MACHINE", "hkcu": "HKEY_CURRENT_USER"}
QUALIFIED = "Microsoft.PowerShell.Core\\Registry"


def _registry(cmd: typing.Any) -> typing.Any:
    return cmd.ctx.host.system.registry()


class RegistryProvider(Provider):
    name = "Registry"
    drives = ("HKLM", "HKCU")

    def native_path(self, ctx: typing.Any, drive: str | None, rest: str) -> str:
        rest = rest.replace("/", "\\").strip("\\")
        if drive is None:
            return rest
        hive = _HIVES[drive.lower()]
        return f"{hive}\\{rest}" if rest else hive

    # -- lookups
    def key(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> typing.Any:
        """The modelled key at `p`; None when the machine is known not to have it; a trip otherwise."""
        if not literal and has_wildcard(p.path):
            raise trip(f"A wildcard registry path ('{p.given}')")
        registry = _registry(cmd)
        key = registry.key(p.path)
        if key is not None:
            return key
        if registry.known_absent(p.path):
            return None
        raise trip(f"The registry key '{p.path}' (the test host models only the keys facts read)")

    def _item(self, key: typing.Any) -> PSObject:
        obj = PSObject()
        obj.PSObject.type_names = ["Microsoft.Win32.RegistryKey", "System.MarshalByRefObject", "System.Object"]
        parent, _sep, child = key.path.rpartition("\\")
        add_note(obj, "PSPath", f"{QUALIFIED}::{key.path}")
        add_note(obj, "PSParentPath", f"{QUALIFIED}::{parent}")
        add_note(obj, "PSChildName", child)
        add_note(obj, "PSDrive", "HKLM")
        add_note(obj, "PSProvider", QUALIFIED)
        add_note(obj, "PSIsContainer", True)
        add_note(obj, "Name", key.path)
        add_note(obj, "Property", list(key.values))
        add_note(obj, "SubKeyCount", len(key.subkeys or ()))
        add_note(obj, "ValueCount", len(key.values))
        obj.PSObject.to_string = key.path
        return obj

    def get_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        key = self.key(cmd, p, literal)
        if key is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        cmd.emit(self._item(key))

    def item_exists(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> bool:
        return self.key(cmd, p, literal) is not None

    def child_items(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        if cmd.get("Recurse") or cmd.get("Name"):
            raise trip("Get-ChildItem -Recurse / -Name on the Registry provider")
        key = self.key(cmd, p, literal)
        if key is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        if key.subkeys is None:
            raise trip(f"The subkeys of the registry key '{key.path}'")
        registry = _registry(cmd)
        for name in key.subkeys:
            cmd.emit(self._item(registry.key(f"{key.path}\\{name}")))

    def item_properties(self, cmd: typing.Any, p: ProviderPath, literal: bool, names: list[str] | None) -> None:
        """Get-ItemProperty (RegistryProvider.GetProperty): one PSCustomObject with the values asked for (all of the
        key's without -Name) and the provider's PSPath, PSParentPath, PSChildName, PSDrive, PSProvider notes. A value
        name the key lacks is a non-terminating error of its own (PSArgumentException "Property X does not exist at
        path Y."), and nothing is written when none of the names is there."""
        key = self.key(cmd, p, literal)
        if key is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        found: list[tuple[str, typing.Any]] = []
        wanted = list(key.values) if names is None else names
        for wanted_name in wanted:
            if has_wildcard(wanted_name):
                raise trip(f"Get-ItemProperty -Name with a wildcard ('{wanted_name}')")
            actual = next((n for n in key.values if n.lower() == wanted_name.lower()), None)
            if actual is not None:
                found.append((actual, _value(key.values[actual])))
            elif any(a.lower() == wanted_name.lower() for a in key.absent_values):
                cmd.write_error(property_not_found(wanted_name, key.path, cmd.dotnet))
            else:
                raise trip(f"The registry value '{wanted_name}' of '{key.path}'")
        if names is None and key.absent_values:
            raise trip(f"All the values of the registry key '{key.path}' (only some are modelled)")
        if not found:
            return
        obj = PSObject()
        obj.PSObject.type_names = ["System.Management.Automation.PSCustomObject", "System.Object"]
        for name, value in found:
            add_note(obj, name, value)
        parent, _sep, child = key.path.rpartition("\\")
        add_note(obj, "PSPath", f"{QUALIFIED}::{key.path}")
        add_note(obj, "PSParentPath", f"{QUALIFIED}::{parent}")
        add_note(obj, "PSChildName", child)
        add_note(obj, "PSDrive", "HKLM")
        add_note(obj, "PSProvider", QUALIFIED)
        cmd.emit(obj)


def _value(value: typing.Any) -> typing.Any:
    """The .NET value RegistryKey.GetValue gives for a kind: String, Int32 (DWord), Int64 (QWord), String[]."""
    if value.kind == "QWord":
        return PSInt64(value.data)
    if value.kind == "MultiString":
        return list(value.data)
    return value.data


def property_not_found(name: str, path: str, dotnet: str) -> PSError:
    """Get-ItemProperty -Name of a value the key does not have (SessionStateStrings.PropertyNotFoundAtPath)."""
    return PSError(f"Property {name} does not exist at path {path}.",
                   exception_type="System.Management.Automation.PSArgumentException",
                   fqid=f"System.Management.Automation.PSArgumentException,{dotnet}", category="InvalidArgument",
                   reason="PSArgumentException", target=name)


REGISTRY = register(RegistryProvider())
