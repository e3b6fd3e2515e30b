"""System.Collections.Generic (HashSet`1, List`1), declared through the registry.

Sources: learn.microsoft.com System.Collections.Generic.HashSet<T> (Add returns whether the item was added,
Contains, Remove, Count, the IEqualityComparer constructor), List<T> (Add returns nothing).
"""

from __future__ import annotations

import typing

from .. import typeregistry
from ..dotnet import NetObject, void
from ..errors import method_exception, method_not_found
from .system import StringComparer


class HashSet(NetObject):
    """HashSet<T> with an optional comparer; the items keep their insertion order when enumerated."""

    def __init__(self, full_name: str, comparer: StringComparer | None) -> None:
        self.type_names = [full_name, "System.Object"]
        self.comparer = comparer
        self.items: dict[typing.Any, typing.Any] = {}

    def _key(self, value: typing.Any) -> typing.Any:
        if self.comparer is not None:
            return self.comparer.key(value)
        return ("s", str.__str__(value)) if isinstance(value, str) else ("o", value)

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "count":
            return len(self.items)
        if name.lower() == "comparer":
            return self.comparer
        return super().get_member(name)

    def call(self, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements
        low = name.lower()
        if low in ("add", "contains", "remove"):
            if len(args) != 1:
                raise method_exception(name, len(args), f'Cannot find an overload for "{name}" and the argument count: '
                                       f'"{len(args)}".', "System.Management.Automation.MethodException")
            key = self._key(args[0])
            if low == "add":
                if key in self.items:
                    return False
                self.items[key] = args[0]
                return True
            if low == "contains":
                return key in self.items
            return self.items.pop(key, _ABSENT) is not _ABSENT
        if low == "clear":
            self.items.clear()
            return void()
        if low in ("tostring", "gettype", "equals", "gethashcode"):
            return super().call(name, args)
        raise method_not_found(self.type_names[0], name)

    def enumerate(self) -> list:
        return list(self.items.values())


_ABSENT = object()


def _close_hashset(args: list[str]) -> typeregistry.NetType:
    def construct(ctor_args: list) -> HashSet:
        comparer = None
        for arg in ctor_args:
            if isinstance(arg, StringComparer):
                comparer = arg
            elif arg is not None:
                raise method_exception("new", len(ctor_args), "The test host models HashSet's constructor with an "
                                       "IEqualityComparer only.", "System.NotImplementedException")
        return HashSet(net_type.full_name, comparer)

    net_type = typeregistry.NetType("", constructor=construct,
                                    instance_check=lambda value: isinstance(value, HashSet) and
                                    value.type_names[0] == net_type.full_name)
    del args
    return net_type


typeregistry.register(typeregistry.NetType("System.Collections.Generic.HashSet`1", close=_close_hashset))


def _close_list(args: list[str]) -> typeregistry.NetType:
    from ..values import PSGenericList, as_list  # pylint: disable=import-outside-toplevel

    def construct(ctor_args: list) -> typing.Any:
        # List<T>() or List<T>(capacity) start empty; List<T>(collection) copies it.
        if ctor_args and isinstance(ctor_args[0], (list, tuple)):
            return PSGenericList(as_list(ctor_args[0]))
        return PSGenericList([])

    del args
    return typeregistry.NetType("", constructor=construct, instance_check=lambda value: isinstance(value, PSGenericList))


typeregistry.register(typeregistry.NetType("System.Collections.Generic.List`1", close=_close_list))
