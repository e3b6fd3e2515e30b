"""What async_watchdog.ps1 (ansible-core 2.19) hands `PowerShell.BeginInvoke(input, settings, callback, state)`:

- `[PSDataCollection[object]]::new()` (System.Management.Automation.PSDataCollection`1): the pipeline's input;
  `Complete()` closes it, so the pipeline's input ends (learn.microsoft.com PSDataCollection<T>.Complete: "Indicates
  that no more items will be added"). Only an empty, completed collection is modelled as BeginInvoke's input; adding
  items (Add) is not modelled.
- `[PSInvocationSettings]@{ Host = $host }` (System.Management.Automation.PSInvocationSettings): the invocation runs
  with that PSHost (a hashtable cast sets the properties of a new instance: about_Object_Creation). Only `Host` is
  modelled; any other property is not modelled. The test host's nested pipelines already talk to the session's host
  (clr/automation.py), so a Host that is the session's `$host` changes nothing; another is not modelled.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, void
from ..shouldprocess import not_modelled


class PSDataCollection(NetObject):
    """An (empty) PSDataCollection<T>: Count, IsOpen, Complete()."""

    def __init__(self, element: str) -> None:
        self.type_names = [f"System.Management.Automation.PSDataCollection`1[[{element}]]", "System.Object"]
        self.open = True

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "count":
            return 0
        if low == "isopen":
            return self.open
        return typeregistry.MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "complete" and not args:
            self.open = False
            return void()
        if low == "dispose" and not args:
            return void()
        if low in ("add", "insert", "clear", "remove"):
            raise not_modelled(f"PSDataCollection.{name}")
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


def _close_collection(arguments: list[str]) -> typeregistry.NetType:
    element = arguments[0]

    def construct(args: list) -> PSDataCollection:
        if args:
            raise not_modelled(f"[PSDataCollection[{element}]]::new with {len(args)} arguments")
        return PSDataCollection(element)
    return typeregistry.NetType("", base_types=("System.Object",), constructor=construct,
                                instance_check=lambda value: isinstance(value, PSDataCollection))


class PSInvocationSettings(NetObject):
    type_names = ["System.Management.Automation.PSInvocationSettings", "System.Object"]

    def __init__(self) -> None:
        self.host: typing.Any = None

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "host":
            return self.host
        return typeregistry.MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        if name.lower() == "host":
            self.host = value
            return True
        raise not_modelled(f"PSInvocationSettings.{name}")

    def to_string(self) -> str:
        return self.type_names[0]


def _settings_convert(value: typing.Any) -> PSInvocationSettings:
    if isinstance(value, PSInvocationSettings):
        return value
    if not isinstance(value, dict):
        raise not_modelled(f"a cast of a {type(value).__name__} to [PSInvocationSettings]")
    settings = PSInvocationSettings()
    for key, item in value.items():
        settings.set_member(V.to_string(key), item)
    return settings


typeregistry.register(typeregistry.NetType("System.Management.Automation.PSDataCollection`1", close=_close_collection))
typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.PSInvocationSettings", accelerators=(), convert=_settings_convert,
    constructor=lambda args: PSInvocationSettings() if not args else _settings_convert(None)))
