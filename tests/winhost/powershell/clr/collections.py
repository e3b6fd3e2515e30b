"""System.Collections.Generic: List`1 and HashSet`1 closed over any element type.

`[List[T]]` / `[List`1[T]]`: a cast of a value or array gives a new list of the elements converted
to T (LanguagePrimitives: IEnumerable to a collection with an Add method); `::new()` an empty one.
`[HashSet[T]]`: the same, without duplicates (the default comparer: EqualityComparer<T>.Default,
ordinal for strings) or the `[StringComparer]` given to the constructor (`HashSet(IEqualityComparer)`,
`HashSet(IEnumerable, IEqualityComparer)`); `Add(x)` returns whether it was added (.NET docs:
HashSet<T>.Add), `Contains`, `Remove`, `Count`, `Comparer`, and it enumerates in insertion order (what
.NET does for a set nothing was removed from).
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, _overload, void
from ..errors import method_exception
from ..typeregistry import net_method, net_property
from ..shouldprocess import not_modelled
from .system import StringComparer


def _element_converter(argument: str) -> typing.Callable[[typing.Any], typing.Any]:
    if argument.lower() in ("system.object", "system.management.automation.psobject"):
        return lambda value: value
    target = V.TypeValue(argument)
    return lambda value: V.cast(value, target)


def _close_list(arguments: list[str]) -> typeregistry.NetType:
    convert_element = _element_converter(arguments[0])

    def convert(value: typing.Any) -> V.PSGenericList:
        if value is None:
            return None
        return V.PSGenericList(convert_element(v) for v in V.as_list(value))

    def construct(args: list) -> V.PSGenericList:
        if len(args) > 1:
            raise _overload("new", len(args))
        if args and not isinstance(args[0], int):
            return convert(args[0])
        return V.PSGenericList()
    return typeregistry.NetType("", base_types=("System.Object",), constructor=construct, convert=convert,
                                instance_check=lambda value: isinstance(value, V.PSGenericList))


typeregistry.register(typeregistry.NetType("System.Collections.Generic.List`1", close=_close_list))


class HashSet(NetObject, list):  # a list underneath so foreach, the pipeline and array conversions enumerate it
    def __init__(self, element_type: str, items: typing.Iterable = (), comparer: StringComparer | None = None) -> None:
        list.__init__(self)
        self.element_type = element_type
        self.comparer = comparer
        self.convert_element = _element_converter(element_type)
        self.type_names = [f"System.Collections.Generic.HashSet`1[[{element_type}]]", "System.Object"]
        for item in items:
            self.add(item)

    def _key(self, value: typing.Any) -> typing.Any:
        if self.comparer is not None:
            return self.comparer.key(value)
        return ("str", str.__str__(value)) if isinstance(value, str) else ("obj", value if _hashable(value) else id(value))

    def add(self, value: typing.Any) -> bool:
        value = self.convert_element(value)
        key = self._key(value)
        if any(self._key(v) == key for v in self):
            return False
        self.append(value)
        return True

    @net_property("Count")
    def _count(self) -> int:
        return len(self)

    @net_property("Comparer")
    def _comparer(self) -> StringComparer:
        if self.comparer is None:
            raise not_modelled("HashSet.Comparer (the default EqualityComparer)")
        return self.comparer

    @net_method("Add")
    def _add(self, value: typing.Any) -> bool:
        return self.add(value)

    def _index_of(self, value: typing.Any) -> int | None:
        key = self._key(self.convert_element(value))
        return next((i for i, v in enumerate(self) if self._key(v) == key), None)

    @net_method("Contains")
    def _contains(self, value: typing.Any) -> bool:
        return self._index_of(value) is not None

    @net_method("Remove")
    def _remove(self, value: typing.Any) -> bool:
        index = self._index_of(value)
        if index is None:
            return False
        del self[index]
        return True

    def _with(self, method: str, other: typing.Any, union: bool) -> typing.Any:
        """ISet<T>.UnionWith / ExceptWith(IEnumerable<T>): add / remove each item; void."""
        if other is None:
            raise method_exception(method, 1, "Value cannot be null.\r\nParameter name: other", "System.ArgumentNullException")
        for item in V.as_list(other):
            if union:
                self.add(item)
            else:
                key = self._key(self.convert_element(item))
                self[:] = [v for v in self if self._key(v) != key]
        return void()

    @net_method("UnionWith")
    def _union_with(self, other: typing.Any) -> typing.Any:
        return self._with("UnionWith", other, True)

    @net_method("ExceptWith")
    def _except_with(self, other: typing.Any) -> typing.Any:
        return self._with("ExceptWith", other, False)

    @net_method("Clear")
    def _clear(self, *args: typing.Any) -> None:
        del args
        self.clear()

    @net_method("ToArray")
    def _to_array(self, *args: typing.Any) -> list:
        del args
        return list(self)

    def to_string(self) -> str:
        return self.type_names[0]

    __hash__ = object.__hash__
    __eq__ = object.__eq__


def _hashable(value: typing.Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _close_hashset(arguments: list[str]) -> typeregistry.NetType:
    element = arguments[0]

    def convert(value: typing.Any) -> typing.Any:
        if value is None:
            return None
        if isinstance(value, HashSet) and value.element_type == element:
            return value
        return HashSet(element, V.as_list(value))

    def construct(args: list) -> HashSet:
        if not args:
            return HashSet(element)
        if len(args) == 1 and isinstance(args[0], StringComparer):
            return HashSet(element, comparer=args[0])
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            return HashSet(element, args[0])
        if len(args) == 2 and isinstance(args[0], (list, tuple)) and isinstance(args[1], StringComparer):
            return HashSet(element, args[0], comparer=args[1])
        raise not_modelled("A HashSet constructor with a capacity or another comparer")
    return typeregistry.NetType("", constructor=construct, convert=convert,
                                instance_check=lambda value: isinstance(value, HashSet) and value.element_type == element)


typeregistry.register(typeregistry.NetType("System.Collections.Generic.HashSet`1", close=_close_hashset))
