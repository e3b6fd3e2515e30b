""".NET enums declared through the registry: a value knows its type, name and number.

PowerShell compares an enum with a string by converting the string to the enum (about_Comparison_Operators:
the right operand takes the left one's type), so `$mode -eq 'FullLanguage'` is true, and an enum's string is
its name. `[T]::Name` gives a member; `[T]'Name'` / `[T]3` convert (Enum.Parse, case-insensitive).
"""

from __future__ import annotations

import typing

from .. import typeregistry
from ..dotnet import NetObject
from ..errors import invalid_cast
from ..values import to_string


class EnumValue(NetObject):
    def __init__(self, type_name: str, name: str, number: int) -> None:
        self.type_names = [type_name, "System.Enum", "System.ValueType", "System.Object"]
        self.name = name
        self.number = number

    def to_string(self) -> str:
        return self.name

    @typeregistry.net_property("value__")
    def _value(self) -> int:
        return self.number

    @typeregistry.net_method("value__")
    def _value_call(self, *args: typing.Any) -> int:  # kept as it was: `$e.value__()` answers the number too
        del args
        return self.number

    @typeregistry.net_method("HasFlag")
    def _has_flag(self, flag_value: typing.Any) -> bool:
        # Enum.HasFlag: (this & flag) == flag, the flag converted to this value's type.
        net_type = typeregistry.registered(self.type_names[0])
        flag = net_type.convert(flag_value) if net_type is not None and net_type.convert else flag_value
        return (self.number & flag.number) == flag.number

    def to_wire(self) -> typing.Any:
        return self.name


def declare_enum(full_name: str, members: typing.Sequence[str] | dict[str, int],  # pylint: disable=too-many-locals
                 accelerators: tuple[str, ...] = (), flags: bool = False) -> typeregistry.NetType:
    """Declare an enum; a [Flags] enum converts 'A, B' to the members' bitwise or, named as .NET names it."""
    numbers = dict(members) if isinstance(members, dict) else {m: i for i, m in enumerate(members)}
    values = {name.lower(): EnumValue(full_name, name, number) for name, number in numbers.items()}
    by_number = {v.number: v for v in values.values()}

    def convert(value: typing.Any) -> EnumValue | None:
        if isinstance(value, EnumValue) and value.type_names[0] == full_name:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return of_number(int(value))
        text = to_string(value).strip()
        if text.lower() in values:
            return values[text.lower()]
        if text.lstrip("-").isdigit():  # Enum.Parse takes a number's digits too
            return of_number(int(text))
        parts = [p.strip().lower() for p in text.split(",")]
        if flags and len(parts) > 1 and all(p in values for p in parts):
            number = 0
            for part in parts:
                number |= values[part].number
            return of_number(number)
        raise invalid_cast(text, full_name, f'Unable to match the identifier name {text} to a valid enumerator name. Specify '
                           f'one of the following enumerator names and try again:\r\n{", ".join(numbers)}',
                           fqid="RuntimeException")

    def of_number(number: int) -> EnumValue:
        """An enum of any number, as .NET allows: a member, a [Flags] combination named by its members (lowest value
        first: .NET Framework's Enum.InternalFlagsFormat takes them highest first and inserts each in front, so
        [IO.FileAttributes]3 is 'ReadOnly, Hidden', PipeAccessRights 0x120089 'Read, Synchronize'), or the bare
        number."""
        if number in by_number:
            return by_number[number]
        if flags:
            # InternalFlagsFormat: the members highest first (as unsigned values), each whose bits are all still left
            # taken away (so a composite member such as PipeAccessRights.Read names its bits once), named lowest first.
            left, names = number & 0xFFFFFFFFFFFFFFFF, []
            for value in sorted(by_number.values(), key=lambda v: v.number & 0xFFFFFFFFFFFFFFFF, reverse=True):
                bits = value.number & 0xFFFFFFFFFFFFFFFF
                if bits and left & bits == bits:
                    left -= bits
                    names.insert(0, value.name)
            if names and not left:
                return EnumValue(full_name, ", ".join(names), number)
        return EnumValue(full_name, str(number), number)

    def equals(left: EnumValue, right: typing.Any) -> bool:
        try:
            other = None if right is None else convert(right)
            return other is not None and other.number == left.number
        except Exception:  # pylint: disable=broad-except  # a value that is no member is simply not equal
            return False

    def compare(left: EnumValue, right: typing.Any) -> int:
        other = convert(right)
        assert other is not None
        return (left.number > other.number) - (left.number < other.number)

    return typeregistry.register(typeregistry.NetType(
        full_name, accelerators=accelerators, base_types=("System.Enum", "System.ValueType", "System.Object"),
        static_properties={name: (lambda v=value: v) for name, value in
                           ((v.name, v) for v in values.values())},
        convert=convert,
        instance_check=lambda value: isinstance(value, EnumValue) and value.type_names[0] == full_name,
        equals=equals, compare=compare,
    ))


def member(full_name: str, name: str) -> EnumValue:
    net_type = typeregistry.registered(full_name)
    assert net_type is not None
    value = net_type.static_property(name)
    assert isinstance(value, EnumValue)
    return value
