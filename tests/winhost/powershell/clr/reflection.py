"""System.Reflection objects the chain reaches: the private static fields it sets by reflection.

Windows PowerShell scripts of Ansible's chain call `[T].GetField(name, 'NonPublic, Static')` on two
types and `SetValue($null, $value)` on the FieldInfo they get. Neither field changes anything the test
host models, so each is kept on the host services object under an attribute of its own and read back
by `GetValue`. One class serves every such field: which field and where it is kept are its
parameters.
"""

from __future__ import annotations

import typing

from ..dotnet import NetObject, current_runspace, void
from ..typeregistry import net_method, net_property
from ..shouldprocess import not_modelled


class HostKeptStaticField(NetObject):
    """A System.Reflection.FieldInfo for a private static field whose value the test host only keeps.

    ``host_attribute``: the attribute of the runspace's host services holding the value.
    ``unset_gap``: when given, reading the field before anything set it is a named gap (its initial
    value on Windows is not modelled); else it reads as $null."""

    type_names = ["System.Reflection.RtFieldInfo", "System.Reflection.FieldInfo", "System.Object"]

    def __init__(self, name: str, host_attribute: str, unset_gap: str | None = None) -> None:
        super().__init__()
        self.name = name
        self.host_attribute = host_attribute
        self.unset_gap = unset_gap

    @net_property("Name")
    def _name(self) -> str:
        return self.name

    @net_property("IsStatic", "IsPrivate")
    def _is_static(self) -> bool:
        return True

    @net_method("SetValue")
    def _set_value(self, target: typing.Any, value: typing.Any) -> typing.Any:
        del target  # a static field: FieldInfo.SetValue(null, value)
        setattr(current_runspace().host, self.host_attribute, value)
        return void()

    @net_method("GetValue")
    def _get_value(self, *args: typing.Any) -> typing.Any:
        del args
        value = getattr(current_runspace().host, self.host_attribute, None)
        if value is None and self.unset_gap:
            raise not_modelled(self.unset_gap)
        return value
