"""System.UInt32 ([uint32]): the unsigned 32-bit integer, as psrpcore's PSUInt (serialized as <U32>); System.UInt16
([uint16], 0..65535, psrpcore's PSUInt16, <U16>) the same way (async_wrapper.ps1's Win32_ProcessStartup.ShowWindow).

A cast takes what [int] takes (LanguagePrimitives: strings parsed, doubles rounded half to even) within
0..4294967295 ("Value was either too large or too small for a UInt32.", learn.microsoft.com UInt32.MaxValue), and an
enum its underlying number (an enum converts to an integer type by value: about_Enum). Arithmetic on it follows the
interpreter's integer rules (PowerShell widens a uint32 result past its range to Int64 or Double as well).
"""

from __future__ import annotations

import typing

from psrpcore.types import PSUInt, PSUInt16

from .. import typeregistry
from .. import values as V
from ..errors import invalid_cast
from .enums import EnumValue

UINT32_MAX = 0xFFFFFFFF


def _unsigned(kind: type, name: str, maximum: int) -> typing.Callable[[typing.Any], typing.Any]:
    short = name.rsplit(".", 1)[-1]

    def convert(value: typing.Any) -> typing.Any:
        if isinstance(value, kind):
            return value
        if isinstance(value, EnumValue):
            value = value.number
        number = int(value) if isinstance(value, int) else int(V.cast(value, V.TypeValue("System.Int64")))
        if not 0 <= number <= maximum:
            raise invalid_cast(V.to_string(value), name, f"Value was either too large or too small for a {short}.",
                               fqid="InvalidCastIConvertible")
        return kind(number)
    return convert


_convert = _unsigned(PSUInt, "System.UInt32", UINT32_MAX)


typeregistry.register(typeregistry.NetType(
    "System.UInt32", accelerators=("uint32",), base_types=("System.ValueType", "System.Object"), convert=_convert,
    instance_check=lambda value: isinstance(value, PSUInt),
    static_properties={"MaxValue": lambda: PSUInt(UINT32_MAX), "MinValue": lambda: PSUInt(0)}))
typeregistry.register(typeregistry.NetType(
    "System.UInt16", accelerators=("uint16",), base_types=("System.ValueType", "System.Object"),
    convert=_unsigned(PSUInt16, "System.UInt16", 0xFFFF), instance_check=lambda value: isinstance(value, PSUInt16),
    static_properties={"MaxValue": lambda: PSUInt16(0xFFFF), "MinValue": lambda: PSUInt16(0)}))
