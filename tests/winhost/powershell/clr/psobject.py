"""`[PSScriptMethod]::new(name, scriptblock)` and the intrinsic `.PSObject` of a property bag (PSObject.cs:
`Properties`, `Members.Add`, `TypeNames`, `BaseObject`, `ImmediateBaseObject`; about_Intrinsic_Members), as
ansible-core's exec_wrapper.ps1 uses them (bootstrap: `$code.params.PSObject.Properties`; Import-CSharpUtil:
`$fakeModule.PSObject.Members.Add([PSScriptMethod]::new('Warn', {...}))`). Members not listed are
NotModelledByTestHost.
"""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .. import typeregistry
from ..dotnet import void
from ..errors import method_exception
from .engine import AUTOMATION, _Modelled  # pylint: disable=protected-access


class ScriptMethod(_Modelled):
    type_names = [f"{AUTOMATION}.PSScriptMethod", f"{AUTOMATION}.PSMethodInfo", f"{AUTOMATION}.PSMemberInfo",
                  "System.Object"]
    what = "PSScriptMethod"

    def __init__(self, name: str, script: typing.Any) -> None:
        self.name = name
        self.script = script

    def members(self) -> dict[str, typing.Callable[[], typing.Any]]:
        return {"Name": lambda: self.name, "Script": lambda: self.script, "MemberType": lambda: "ScriptMethod"}


def _new_script_method(args: list) -> ScriptMethod:
    from ..values import ScriptBlock, to_string  # pylint: disable=import-outside-toplevel

    if len(args) != 2 or not isinstance(args[1], ScriptBlock):
        raise method_exception("new", len(args), 'Cannot find an overload for "new" and the argument count: '
                               f'"{len(args)}".', "System.Management.Automation.MethodException")
    return ScriptMethod(to_string(args[0]), args[1])


typeregistry.register(typeregistry.NetType(
    f"{AUTOMATION}.PSScriptMethod", accelerators=("psscriptmethod",), constructor=_new_script_method))


def script_methods(obj: typing.Any) -> dict[str, ScriptMethod]:
    """The script methods added to an object through .PSObject.Members.Add (kept on the object itself)."""
    return getattr(obj, "_winhost_script_methods", None) or {}


class PropertyInfo(_Modelled):
    type_names = [f"{AUTOMATION}.PSNoteProperty", f"{AUTOMATION}.PSPropertyInfo", f"{AUTOMATION}.PSMemberInfo",
                  "System.Object"]
    what = "PSNoteProperty"

    def __init__(self, owner: typing.Any, name: str, value: typing.Any) -> None:
        self.owner = owner
        self.name = name
        self.value = value

    def members(self) -> dict[str, typing.Callable[[], typing.Any]]:
        from ..values import ps_type_name  # pylint: disable=import-outside-toplevel

        return {"Name": lambda: self.name, "Value": lambda: self.value, "MemberType": lambda: "NoteProperty",
                "IsSettable": lambda: True, "IsGettable": lambda: True,
                "TypeNameOfValue": lambda: ps_type_name(self.value), "IsInstance": lambda: True}

    def set_member(self, name: str, value: typing.Any) -> bool:
        if name.lower() != "value":
            return False
        from ..members import set_property  # pylint: disable=import-outside-toplevel

        set_property(self.owner, self.name, value)
        self.value = value
        return True

    def to_string(self) -> str:
        from ..values import ps_type_name, to_string  # pylint: disable=import-outside-toplevel

        return f"{ps_type_name(self.value)} {self.name}={to_string(self.value)}"


class MemberCollection(_Modelled):
    type_names = [f"{AUTOMATION}.PSMemberInfoIntegratingCollection`1[[{AUTOMATION}.PSMemberInfo]]", "System.Object"]
    what = ".PSObject.Members"

    def __init__(self, owner: typing.Any) -> None:
        self.owner = owner

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "add" and len(args) == 1 and isinstance(args[0], ScriptMethod):
            methods = dict(script_methods(self.owner))
            if args[0].name.lower() in methods:
                raise method_exception("Add", 1, f'Cannot add a member with the name "{args[0].name}" because a member '
                                       'with that name already exists. To overwrite the member anyway, add the Force '
                                       'parameter to your command.', "System.Management.Automation.ExtendedTypeSystemException")
            methods[args[0].name.lower()] = args[0]
            object.__setattr__(self.owner, "_winhost_script_methods", methods)
            return void()
        return super().call(name, args)


class PSObjectView(_Modelled):
    """What `$x.PSObject` gives: the PSObject wrapping x (modelled for property bags: PSCustomObject and the
    deserialized objects psrpcore hands over)."""

    type_names = [f"{AUTOMATION}.PSObject", "System.Object"]
    what = ".PSObject"

    def __init__(self, obj: typing.Any) -> None:
        self.obj = obj

    def _bag(self) -> bool:
        return isinstance(self.obj, PSObject) and not isinstance(self.obj, (int, float, str, list, dict))

    def members(self) -> dict[str, typing.Callable[[], typing.Any]]:
        from ..values import type_names_of  # pylint: disable=import-outside-toplevel

        found: dict[str, typing.Callable[[], typing.Any]] = {
            "BaseObject": lambda: self.obj, "ImmediateBaseObject": lambda: self.obj,
            "TypeNames": lambda: type_names_of(self.obj)}
        if self._bag():
            found["Properties"] = self._properties
            found["Members"] = lambda: MemberCollection(self.obj)
        return found

    def _properties(self) -> list:
        from ..members import property_items  # pylint: disable=import-outside-toplevel

        return [PropertyInfo(self.obj, name, value) for name, value in property_items(self.obj)]

    def to_string(self) -> str:
        from ..values import to_string  # pylint: disable=import-outside-toplevel

        return to_string(self.obj)
