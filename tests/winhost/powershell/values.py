"""The PowerShell value model: type names, conversions, casts, arithmetic and comparison.

Internal representation (chosen so values can go onto the wire through psrpcore unchanged
or with a cheap `to_wire` pass): None=$null, bool, int (Int32 when it fits, PSInt64 for
Int64), float (Double), str, PSChar, PSDateTime, list (object[]), PSArrayList,
PSHashtable/PSOrderedDict, psrpcore PSCustomObject / deserialized PSObject, ScriptBlock.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import math
import re
import typing

from psrpcore.types import (
    PSBool,
    PSByteArray,
    PSEnumBase,
    PSChar,
    PSCustomObject,
    PSDateTime,
    PSDict,
    PSDouble,
    ErrorCategoryInfo,
    PSInt,
    PSInt64,
    PSList,
    PSObject,
    PSScriptBlock,
    PSString,
    PSType,
    PSUInt,
)
from psrpcore.types._base import PSNoteProperty

from . import dateparse, tripwire, typeregistry
from .typeregistry import MISSING
from .dotnet import STATIC_TYPES, ByteArray, Enumerator, NetObject, to_byte_array
from .errors import PSError, divide_by_zero, invalid_cast, make_exception, type_not_found, use_value_model

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


class PSHashtable(PSDict):  # pylint: disable=abstract-method  # see PSGenericList
    """System.Collections.Hashtable: keys are case-insensitive for strings, like PowerShell's @{}."""

    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        super().__init__()
        self._lookup: dict[typing.Any, typing.Any] = {}
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    @staticmethod
    def _norm(key: typing.Any) -> typing.Any:
        if isinstance(key, str):
            return ("s", key.lower())
        if isinstance(key, bool):
            return ("b", key)
        if isinstance(key, (int, float)) and not isinstance(key, PSChar):
            return ("n", key)
        try:
            hash(key)
        except TypeError:
            return ("id", id(key))
        return ("o", key)

    def _ensure(self) -> None:
        if not hasattr(self, "_lookup"):
            # Rehydrated/copy paths may bypass __init__.
            self._lookup = {self._norm(k): k for k in dict.keys(self)}

    def real_key(self, key: typing.Any) -> typing.Any:
        self._ensure()
        return self._lookup.get(self._norm(key), MISSING)

    def __setitem__(self, key: typing.Any, value: typing.Any) -> None:
        self._ensure()
        norm = self._norm(key)
        existing = self._lookup.get(norm, MISSING)
        if existing is not MISSING:
            dict.__setitem__(self, existing, value)
        else:
            self._lookup[norm] = key
            dict.__setitem__(self, key, value)

    def __getitem__(self, key: typing.Any) -> typing.Any:
        real = self.real_key(key)
        if real is MISSING:
            return None
        return dict.__getitem__(self, real)

    def __contains__(self, key: object) -> bool:
        return self.real_key(key) is not MISSING

    def __delitem__(self, key: typing.Any) -> None:
        real = self.real_key(key)
        if real is not MISSING:
            del self._lookup[self._norm(key)]
            dict.__delitem__(self, real)

    def get(self, key: typing.Any, default: typing.Any = None) -> typing.Any:
        real = self.real_key(key)
        return default if real is MISSING else dict.__getitem__(self, real)

    def clear(self) -> None:
        self._ensure()
        self._lookup.clear()
        dict.clear(self)

    def copy(self) -> "PSHashtable":
        new = type(self)()
        for k, v in self.items():
            new[k] = v
        return new


@PSType(["System.Collections.Specialized.OrderedDictionary"], tag="DCT")
class PSOrderedDict(PSHashtable):  # pylint: disable=abstract-method
    """[ordered]@{} (Python dicts keep insertion order, so only the type name differs)."""


@PSType(["System.Collections.ArrayList"], tag="LST")
class PSArrayList(PSList):  # pylint: disable=abstract-method
    """A resizable list ([System.Collections.ArrayList] / Generic.List) as opposed to object[]."""


_GENERIC_LIST = ("System.Collections.Generic.List`1[[System.Object, mscorlib, Version=4.0.0.0, Culture=neutral, "
                 "PublicKeyToken=b77a5c561934e089]]")


@PSType([_GENERIC_LIST, "System.Object"], tag="LST")
class PSGenericList(PSArrayList):  # pylint: disable=abstract-method  # psrpcore's PSObject "abstract" members are optional
    """[System.Collections.Generic.List[T]]: like ArrayList, but Add() returns nothing."""


class ScriptBlock:
    """A script block value: its ScriptBlockAst (`ast`, the evaluator's: param block lowered, statements lowered as
    they run; the evaluator lowers it from the concrete node on first use when made without one), and the concrete
    node and parsed text it stands for (its text, `.Ast`)."""

    def __init__(self, node: typing.Any, source: bytes, ast: typing.Any = None, file: str | None = None) -> None:
        self.node = node
        self.source = source
        self.ast = ast
        # ScriptBlock.File: the script file it came from, or ParseInput's file name; None when the test host does not
        # know it (a literal block inside a script: it then shows its caller's $PSCommandPath, commands.py).
        self.file = file

    @property
    def text(self) -> str:
        raw = self.source[self.node.start_byte:self.node.end_byte].decode("utf-8", "replace")
        if raw.startswith("{") and raw.endswith("}"):
            return raw[1:-1]
        return raw


class TypeValue:
    """A [type] literal used as a value: [int], [datetime]::Now, -is / -as operands."""

    def __init__(self, full_name: str) -> None:
        self.full_name = full_name

    @property
    def name(self) -> str:
        return self.full_name.rsplit(".", 1)[-1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TypeValue) and other.full_name.lower() == self.full_name.lower()

    def __hash__(self) -> int:
        return hash(self.full_name.lower())


class SwitchValue:
    """System.Management.Automation.SwitchParameter ([switch] parameters)."""

    def __init__(self, present: bool) -> None:
        self.is_present = bool(present)

    def __bool__(self) -> bool:
        return self.is_present


# --- type names ---------------------------------------------------------------------

TYPE_ALIASES = {
    "int": "System.Int32", "int32": "System.Int32", "system.int32": "System.Int32",
    "long": "System.Int64", "int64": "System.Int64", "system.int64": "System.Int64",
    "double": "System.Double", "system.double": "System.Double",
    "float": "System.Single", "single": "System.Single",
    "decimal": "System.Decimal",
    "string": "System.String", "system.string": "System.String",
    "char": "System.Char", "system.char": "System.Char",
    "byte": "System.Byte",
    "bool": "System.Boolean", "boolean": "System.Boolean", "system.boolean": "System.Boolean",
    "array": "System.Array", "system.array": "System.Array",
    "object[]": "System.Object[]", "system.object[]": "System.Object[]", "string[]": "System.String[]",
    "int[]": "System.Int32[]",
    "hashtable": "System.Collections.Hashtable", "system.collections.hashtable": "System.Collections.Hashtable",
    "ordered": "System.Collections.Specialized.OrderedDictionary",
    "system.collections.specialized.ordereddictionary": "System.Collections.Specialized.OrderedDictionary",
    "system.collections.arraylist": "System.Collections.ArrayList", "collections.arraylist": "System.Collections.ArrayList",
    "system.collections.generic.list[object]": "System.Collections.Generic.List`1[[System.Object]]",
    "system.collections.generic.list[string]": "System.Collections.Generic.List`1[[System.String]]",
    "collections.generic.list[object]": "System.Collections.Generic.List`1[[System.Object]]",
    "datetime": "System.DateTime", "system.datetime": "System.DateTime",
    "timespan": "System.TimeSpan", "system.timespan": "System.TimeSpan",
    "pscustomobject": "System.Management.Automation.PSCustomObject",
    "system.management.automation.pscustomobject": "System.Management.Automation.PSCustomObject",
    "psobject": "System.Management.Automation.PSObject", "system.management.automation.psobject": "System.Management.Automation.PSObject",
    "object": "System.Object", "system.object": "System.Object",
    "switch": "System.Management.Automation.SwitchParameter",
    "scriptblock": "System.Management.Automation.ScriptBlock",
    "void": "System.Void",
    "math": "System.Math", "system.math": "System.Math",
    "environment": "System.Environment", "system.environment": "System.Environment",
    "guid": "System.Guid", "system.guid": "System.Guid",
    "regex": "System.Text.RegularExpressions.Regex",
    "stringsplitoptions": "System.StringSplitOptions", "system.stringsplitoptions": "System.StringSplitOptions",
    "type": "System.Type",
    "exception": "System.Exception", "system.exception": "System.Exception",
    "errorrecord": "System.Management.Automation.ErrorRecord",
    "system.management.automation.errorrecord": "System.Management.Automation.ErrorRecord",
    "runtimeexception": "System.Management.Automation.RuntimeException",
    "system.management.automation.runtimeexception": "System.Management.Automation.RuntimeException",
    "management.automation.runtimeexception": "System.Management.Automation.RuntimeException",
    "system.management.automation.commandnotfoundexception": "System.Management.Automation.CommandNotFoundException",
    "management.automation.commandnotfoundexception": "System.Management.Automation.CommandNotFoundException",
    "system.management.automation.itemnotfoundexception": "System.Management.Automation.ItemNotFoundException",
    "management.automation.itemnotfoundexception": "System.Management.Automation.ItemNotFoundException",
    "system.management.automation.parameterbindingexception": "System.Management.Automation.ParameterBindingException",
    "system.management.automation.actionpreferencestopexception": "System.Management.Automation.ActionPreferenceStopException",
    "system.dividebyzeroexception": "System.DivideByZeroException", "dividebyzeroexception": "System.DivideByZeroException",
    "system.argumentexception": "System.ArgumentException", "argumentexception": "System.ArgumentException",
    "notsupportedexception": "System.NotSupportedException",
    "system.management.automation.drivenotfoundexception": "System.Management.Automation.DriveNotFoundException",
    "management.automation.drivenotfoundexception": "System.Management.Automation.DriveNotFoundException",
    "system.invalidoperationexception": "System.InvalidOperationException",
    "invalidoperationexception": "System.InvalidOperationException",
    "system.io.filenotfoundexception": "System.IO.FileNotFoundException",
    "system.management.automation.methodinvocationexception": "System.Management.Automation.MethodInvocationException",
    "system.formatexception": "System.FormatException",
    "system.notsupportedexception": "System.NotSupportedException",
    "system.systemexception": "System.SystemException",
    "system.arithmeticexception": "System.ArithmeticException",
    "system.management.automation.psinvalidcastexception": "System.Management.Automation.PSInvalidCastException",
    "system.invalidcastexception": "System.InvalidCastException",
    "system.io.ioexception": "System.IO.IOException", "io.ioexception": "System.IO.IOException",
    "system.io.directorynotfoundexception": "System.IO.DirectoryNotFoundException",
    "system.unauthorizedaccessexception": "System.UnauthorizedAccessException",
    "system.management.automation.host.pshost": "System.Management.Automation.Host.PSHost",
    "ref": "System.Management.Automation.PSReference",
    "system.management.automation.psreference": "System.Management.Automation.PSReference",
    "management.automation.psreference": "System.Management.Automation.PSReference",
    "system.collections.idictionary": "System.Collections.IDictionary",
    "collections.idictionary": "System.Collections.IDictionary",
}
TYPE_ALIASES.update(STATIC_TYPES)


def resolve_type(name: str, namespaces: typing.Sequence[str] = ()) -> TypeValue:
    """The type a name denotes: a registered type (typeregistry: accelerators, `using namespace`, generics)
    first, then the interpreter's older built-in table; a type 5.1 has that neither models trips the tripwire."""
    net_type = typeregistry.find(name, namespaces, resolve_argument=lambda arg: resolve_type(arg, namespaces).full_name)
    if net_type is not None:
        return TypeValue(net_type.full_name)
    key = name.strip().lower().replace(" ", "")
    full = TYPE_ALIASES.get(key)
    if full is None and key.startswith("system."):
        full = TYPE_ALIASES.get(key[7:])
    for namespace in namespaces:
        # `using namespace` prefixes (about_Using), for the types of the table below too.
        if full is None:
            full = TYPE_ALIASES.get(f"{namespace.lower()}.{key}")
    if full is None and key.endswith("[]") and not key.endswith("[][]"):
        # An array of a type the interpreter knows ([IDictionary[]], [LineBreakpoint[]]).
        try:
            return TypeValue(resolve_type(name.strip()[:-2], namespaces).full_name + "[]")
        except PSError:
            pass
    if full is None:
        tripwire.check_type(name)
        raise type_not_found(name)
    return TypeValue(full)


def ps_type_name(value: typing.Any) -> str:  # pylint: disable=too-many-return-statements
    if value is None:
        return "System.Object"
    if isinstance(value, ByteArray):
        return "System.Byte[]"
    if isinstance(value, NetObject):
        return value.type_names[0]
    if isinstance(value, (bool, PSBool)):
        return "System.Boolean"
    if isinstance(value, PSChar):
        return "System.Char"
    if isinstance(value, PSInt64):
        return "System.Int64"
    if isinstance(value, PSUInt):  # a UInt32 a CIM property gives (clr/cim.py); the interpreter makes none itself
        return "System.UInt32"
    if isinstance(value, int):
        return "System.Int32" if INT32_MIN <= value <= INT32_MAX else "System.Int64"
    if isinstance(value, float):
        return "System.Double"
    if isinstance(value, str):
        return "System.String"
    if isinstance(value, datetime.datetime):
        return "System.DateTime"
    if isinstance(value, datetime.timedelta):
        return "System.TimeSpan"
    if isinstance(value, PSOrderedDict):
        return "System.Collections.Specialized.OrderedDictionary"
    if isinstance(value, dict):
        return "System.Collections.Hashtable"
    if isinstance(value, PSGenericList):
        return "System.Collections.Generic.List`1[[System.Object]]"
    if isinstance(value, PSArrayList):
        return "System.Collections.ArrayList"
    if isinstance(value, (list, tuple)):
        return "System.Object[]"
    if isinstance(value, ScriptBlock):
        return "System.Management.Automation.ScriptBlock"
    if isinstance(value, TypeValue):
        return "System.RuntimeType"
    if isinstance(value, SwitchValue):
        return "System.Management.Automation.SwitchParameter"
    if isinstance(value, PSCustomObject):
        return "System.Management.Automation.PSCustomObject"
    if isinstance(value, PSObject):
        names = value.PSObject.type_names
        if names:
            name = names[0]
            return name[len("Deserialized."):] if name.startswith("Deserialized.") else name
    return "System.Object"


def type_names_of(value: typing.Any) -> list[str]:
    """The type hierarchy PowerShell reports in PSObject.TypeNames, used by -is and catch filters."""
    if isinstance(value, NetObject):
        return list(value.type_names)
    if isinstance(value, PSObject) and not isinstance(value, (int, float, str, list, dict, datetime.datetime)):
        return [n[len("Deserialized."):] if n.startswith("Deserialized.") else n for n in value.PSObject.type_names]
    name = ps_type_name(value)
    chain = [name]
    if name in ("System.Int32", "System.Int64", "System.UInt32", "System.Double", "System.Boolean", "System.DateTime", "System.Char",
                "System.TimeSpan"):
        chain.append("System.ValueType")
    if name.endswith("[]"):
        chain.append("System.Array")
    chain.append("System.Object")
    return chain


def is_instance(value: typing.Any, type_value: TypeValue) -> bool:
    target = type_value.full_name.lower()
    net_type = typeregistry.registered(target)
    if net_type is not None and net_type.instance_check is not None:
        return net_type.instance_check(value)
    if target == "system.object":
        return value is not None
    if target == "system.management.automation.psobject":
        return value is not None
    if target == "system.array":
        return isinstance(value, (list, tuple)) and not isinstance(value, PSArrayList)
    if target == "system.collections.idictionary":
        return isinstance(value, dict)
    if target == "system.collections.hashtable":
        return isinstance(value, PSHashtable) and not isinstance(value, PSOrderedDict) or (
            isinstance(value, dict) and not isinstance(value, PSHashtable))
    return any(n.lower() == target for n in type_names_of(value))


# --- primitive conversions ----------------------------------------------------------

def make_int(value: int) -> typing.Any:
    """Widen an integer result as PowerShell does: Int32, then Int64, then Double."""
    if INT32_MIN <= value <= INT32_MAX:
        return int(value)
    if INT64_MIN <= value <= INT64_MAX:
        return PSInt64(value)
    return float(value)


def is_number(value: typing.Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, (bool, PSChar))


def format_double(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = "%.15G" % value  # pylint: disable=consider-using-f-string  # %G mirrors .NET's "R"-less ToString()
    if "E" in text:
        mantissa, exp = text.split("E")
        sign = exp[0]
        digits = exp[1:].lstrip("0").rjust(2, "0")
        text = f"{mantissa}E{sign}{digits}"
    return text


def to_string(value: typing.Any, ofs: str = " ") -> str:
    if value is None:
        return ""
    if isinstance(value, NetObject) and isinstance(value, int):
        return value.to_string()  # an enum value such as FileAttributes: "ReadOnly, Archive", not its number
    if isinstance(value, PSEnumBase):
        return str(value.name)
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, PSChar):
        return chr(int(value))
    if isinstance(value, float):
        return format_double(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, datetime.timedelta):
        return format_timespan(value)
    if isinstance(value, (list, tuple)):
        return ofs.join(to_string(v, ofs) for v in value)
    if isinstance(value, PSOrderedDict):
        return "System.Collections.Specialized.OrderedDictionary"
    if isinstance(value, dict):
        return "System.Collections.Hashtable"
    if isinstance(value, ScriptBlock):
        return value.text
    if isinstance(value, TypeValue):
        return value.full_name
    if isinstance(value, SwitchValue):
        return "True" if value.is_present else "False"
    if isinstance(value, Enumerator):
        # PSObject.ToString of an IEnumerator: its remaining elements joined (ToStringEnumerator), which consumes it;
        # 2.16 to 2.18's exec wrapper reads its input as `[String]$input`.
        return ofs.join(to_string(v, ofs) for v in value.drain())
    if isinstance(value, NetObject):
        return value.to_string()
    if isinstance(value, PSCustomObject) or (isinstance(value, PSObject) and _is_property_bag(value)):
        inner = "; ".join(f"{k}={to_string(v)}" for k, v in property_items(value))
        return "@{" + inner + "}"
    if isinstance(value, ErrorCategoryInfo):
        # ErrorCategoryInfo.GetMessage: "Category: (TargetName:TargetType) [Activity], Reason", as error views show it.
        return (f"{value.Category.name}: ({value.TargetName or ''}:{value.TargetType or ''}) [{value.Activity or ''}], "
                f"{value.Reason or ''}")
    if isinstance(value, PSObject):
        text = value.PSObject.to_string
        if text is not None:
            return str(text)
        return ps_type_name(value)
    return str(value)


def property_items(obj: PSObject) -> list[tuple[str, typing.Any]]:
    """Properties of a PSObject in PowerShell order (adapted first, then note properties)."""
    items: list[tuple[str, typing.Any]] = []
    seen: set[str] = set()
    meta = obj.PSObject
    for prop in list(meta.extended_properties) + list(meta.adapted_properties):
        if prop.name.lower() in seen:
            continue
        seen.add(prop.name.lower())
        try:
            value = prop.get_value(obj)
        except Exception:  # pylint: disable=broad-except  # a broken psrpcore getter reads as $null like a throwing getter
            value = None
        items.append((prop.name, value))
    if isinstance(obj, PSCustomObject) or not meta.adapted_properties:
        return items
    adapted_order = [p.name.lower() for p in meta.adapted_properties]
    items.sort(key=lambda kv: adapted_order.index(kv[0].lower()) if kv[0].lower() in adapted_order else -1)
    return items


def _is_property_bag(value: PSObject) -> bool:
    names = value.PSObject.type_names
    return bool(names) and names[0] in ("System.Management.Automation.PSCustomObject",
                                        "Deserialized.System.Management.Automation.PSCustomObject")


def format_timespan(value: datetime.timedelta) -> str:
    total = int(value.total_seconds() * 10_000_000) if value.days >= 0 else -int(-value.total_seconds() * 10_000_000)
    sign = "-" if total < 0 else ""
    total = abs(total)
    ticks = total % 10_000_000
    secs = total // 10_000_000
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    text = f"{sign}{days}." if days else sign
    text += f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if ticks:
        text += f".{ticks:07d}"
    return text


def to_bool(value: typing.Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, SwitchValue):
        return value.is_present
    if isinstance(value, PSChar):
        return int(value) != 0
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return len(value) > 0
    if isinstance(value, (list, tuple)):
        if not value:
            return False
        if len(value) == 1:
            item = value[0]
            if isinstance(item, (list, tuple)):
                return len(item) > 0
            return to_bool(item)
        return True
    return True


_HEX_RE = re.compile(r"^\s*([+-]?)0x([0-9a-f]+)(l?)\s*$", re.I)
_INT_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_FLOAT_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)\s*$")
_SUFFIX = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4, "pb": 1024 ** 5}


def parse_number(text: str) -> typing.Any:
    """String-to-number as PowerShell's arithmetic does it; None if it is not a number."""
    stripped = text.strip()
    if stripped == "":
        return 0
    m = _HEX_RE.match(stripped)
    if m:
        val = int(m.group(2), 16)
        if INT32_MAX < val <= 0xFFFFFFFF and not m.group(3):
            val -= 2 ** 32
        return make_int(-val if m.group(1) == "-" else val)
    mult = 1
    low = stripped.lower()
    for suffix, factor in _SUFFIX.items():
        if low.endswith(suffix):
            mult = factor
            stripped = stripped[:-2]
            break
    if _INT_RE.match(stripped):
        return make_int(int(stripped) * mult)
    if _FLOAT_RE.match(stripped):
        return float(stripped) * mult
    return None


def to_number(value: typing.Any, for_type: str = "System.Int32") -> typing.Any:
    """Operand conversion for arithmetic: returns an int or float, raising PowerShell's cast error."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, SwitchValue):
        return int(value.is_present)
    if isinstance(value, NetObject) and "System.Enum" in value.type_names and isinstance(getattr(value, "number", None), int):
        return make_int(value.number)  # an enum (clr/enums.py EnumValue): its underlying number (about_Enum)
    if isinstance(value, PSChar):
        return int(value)
    if isinstance(value, PSInt64):
        return PSInt64(int(value))
    if isinstance(value, int):
        return make_int(int(value))
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        num = parse_number(value)
        if num is None:
            raise invalid_cast(value, for_type, "Input string was not in a correct format.")
        return num
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return to_number(value[0], for_type)
    raise _cannot_convert(value, for_type)


def _cannot_convert(value: typing.Any, type_name: str) -> PSError:
    src = ps_type_name(value)
    shown = to_string(value)
    if isinstance(value, (list, tuple)):
        shown = src
    return PSError(
        f'Cannot convert the "{shown}" value of type "{src}" to type "{type_name}".',
        exception_type="System.Management.Automation.RuntimeException",
        fqid="ConvertToFinalInvalidCastException",
        category="InvalidArgument",
        reason="RuntimeException",
        inner=make_exception("System.Management.Automation.PSInvalidCastException",
                             f'Cannot convert the "{shown}" value of type "{src}" to type "{type_name}".'),
    )


def _round_half_even(value: float) -> int:
    return int(decimal.Decimal(repr(value)).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_EVEN))


def _to_integer(value: typing.Any, type_name: str, lo: int, hi: int) -> int:
    short = type_name.rsplit(".", 1)[-1]
    if isinstance(value, str):
        stripped = value.strip()
        num = parse_number(stripped) if stripped else 0
        if num is None:
            raise invalid_cast(value, type_name, "Input string was not in a correct format.")
        if isinstance(num, float):
            if not _FLOAT_RE.match(stripped):
                raise invalid_cast(value, type_name, "Input string was not in a correct format.")
            num = _round_half_even(num)
        if not lo <= num <= hi:
            raise invalid_cast(value, type_name, f"Value was either too large or too small for an {short}.")
        return int(num)
    num = to_number(value, type_name)
    if isinstance(num, float):
        if math.isnan(num) or math.isinf(num) or not lo <= num <= hi:
            raise invalid_cast(to_string(value), type_name, f"Value was either too large or too small for an {short}.",
                               fqid="InvalidCastIConvertible")
        num = _round_half_even(num)
    if not lo <= num <= hi:
        raise invalid_cast(to_string(value), type_name, f"Value was either too large or too small for an {short}.",
                           fqid="InvalidCastIConvertible")
    return int(num)


def to_double(value: typing.Any) -> float:
    if isinstance(value, str):
        num = parse_number(value)
        if num is None:
            raise invalid_cast(value, "System.Double", "Input string was not in a correct format.")
        return float(num)
    return float(to_number(value, "System.Double"))


def naive(value: datetime.datetime) -> datetime.datetime:
    """A plain datetime (psrpcore's PSDateTime arithmetic expects nanosecond fields)."""
    return datetime.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                             value.microsecond, value.tzinfo)


def to_datetime(value: typing.Any) -> PSDateTime:
    if isinstance(value, datetime.datetime):
        return value if isinstance(value, PSDateTime) else PSDateTime(
            value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond, value.tzinfo)
    if isinstance(value, str):
        try:
            return to_datetime(dateparse.parse_datetime(value.strip(), datetime.date.today()))
        except dateparse.NotModelled:
            raise tripwire.trip(f"DateTime.Parse of '{value}' (a form the test host does not model)") from None
        except dateparse.NotADate:
            raise invalid_cast(value, "System.DateTime", "String was not recognized as a valid DateTime.",
                               fqid="InvalidCastParseTargetInvocation") from None
    if isinstance(value, int) and not isinstance(value, bool):
        return to_datetime(datetime.datetime(1, 1, 1) + datetime.timedelta(microseconds=int(value) // 10))
    raise _cannot_convert(value, "System.DateTime")


def as_list(value: typing.Any) -> list:
    """Enumerate a value the way the pipeline does ($null is an empty pipeline only for @())."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if value is None:
        return []
    if isinstance(value, Enumerator):
        return value.drain()
    return [value]


def enumerate_value(value: typing.Any) -> list:
    """What writing `value` to the pipeline produces: arrays unroll, everything else is one object."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Enumerator):
        return value.drain()
    return [value]


# Reference types whose branch below would otherwise build a value from $null.
_NULL_STAYS_NULL = frozenset((
    "system.array", "system.object[]", "system.collections.arraylist", "system.collections.hashtable",
    "system.collections.generic.list`1[[system.object]]", "system.collections.generic.list`1[[system.string]]"))


def cast(value: typing.Any, type_value: TypeValue) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
    full = type_value.full_name
    low = full.lower()
    net_type = typeregistry.registered(low)
    if net_type is not None and net_type.convert is not None:
        return net_type.convert(value)
    if low == "system.int32":
        if isinstance(value, (list, tuple)) and len(value) != 1:
            raise _cannot_convert(value, full)
        return _to_integer(value, full, INT32_MIN, INT32_MAX)
    if low == "system.int64":
        if isinstance(value, (list, tuple)) and len(value) != 1:
            raise _cannot_convert(value, full)
        return PSInt64(_to_integer(value, full, INT64_MIN, INT64_MAX))
    if low == "system.byte":
        return _to_integer(value, full, 0, 255)
    if low == "system.decimal":
        raise tripwire.trip("[decimal] (System.Decimal: the test host has no Decimal; a Double would be silently wrong)")
    if low in ("system.double", "system.single"):
        if value is None:
            return 0.0
        if isinstance(value, (list, tuple)) and len(value) != 1:
            raise _cannot_convert(value, full)
        return to_double(value)
    if low == "system.string":
        return to_string(value)
    if low == "system.char":
        if isinstance(value, str) and len(value) == 1:
            return PSChar(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return PSChar(int(value))
        if isinstance(value, PSChar):
            return value
        raise invalid_cast(to_string(value), full, "String must be exactly one character long.",
                           fqid="InvalidCastParseTargetInvocation")
    if low == "system.boolean":
        return to_bool(value)
    if low == "system.management.automation.switchparameter":
        return SwitchValue(to_bool(value))
    if value is None and low in _NULL_STAYS_NULL:
        # $null to a reference type is $null (LanguagePrimitives.FigureConversionFromNull: ConvertNullToRef), so
        # `[object[]]$null -eq $null`; only @() makes an empty array of it.
        return None
    if low in ("system.array", "system.object[]"):
        return list(value) if isinstance(value, (list, tuple)) else [value]
    if low == "system.string[]":
        # $null stays $null (LanguagePrimitives: null to a reference type), as for any [T[]] below.
        return None if value is None else [to_string(v) for v in as_list(value)]
    if low == "system.byte[]":
        return to_byte_array(value)
    if low == "system.int32[]":
        if value is None:
            return None
        return [cast(v, TypeValue("System.Int32")) for v in as_list(value)]
    if low == "system.collections.arraylist":
        return PSArrayList(as_list(value))
    if low in ("system.collections.generic.list`1[[system.object]]", "system.collections.generic.list`1[[system.string]]"):
        return PSGenericList(as_list(value))
    if low == "system.collections.hashtable":
        if isinstance(value, dict):
            return value if isinstance(value, PSHashtable) and not isinstance(value, PSOrderedDict) else PSHashtable(value)
        raise _cannot_convert(value, full)
    if low == "system.collections.specialized.ordereddictionary":
        if isinstance(value, dict):
            return PSOrderedDict(value)
        raise _cannot_convert(value, full)
    if low == "system.datetime":
        return to_datetime(value)
    if low == "system.management.automation.pscustomobject":
        if isinstance(value, dict):
            obj = PSCustomObject()
            for k, v in value.items():
                if isinstance(k, str) and k.lower() == "pstypename":
                    obj.PSObject.type_names.insert(0, to_string(v))
                    continue
                obj.PSObject.extended_properties.append(PSNoteProperty(to_string(k), value=v))
            return obj
        return value
    if low in ("system.object", "system.management.automation.psobject"):
        return value
    if low == "system.void":
        return None
    if low == "system.management.automation.scriptblock":
        if isinstance(value, ScriptBlock):
            return value
        raise _cannot_convert(value, full)
    if low == "system.type":
        if isinstance(value, TypeValue):
            return value
        return resolve_type(to_string(value))
    if low == "system.timespan":
        if isinstance(value, datetime.timedelta):
            return value
        if isinstance(value, str):
            # TimeSpan.Parse(string, InvariantCulture), as LanguagePrimitives calls a type's Parse method.
            try:
                return dateparse.parse_timespan(value)
            except dateparse.SpanOverflow:
                message = ("The TimeSpan could not be parsed because at least one of the numeric components is out of "
                           "range or contains too many digits.")
            except dateparse.NotADate:
                message = "String was not recognized as a valid TimeSpan."
            raise invalid_cast(value, full, message, fqid="InvalidCastParseTargetInvocation")
        if isinstance(value, int) and not isinstance(value, bool):
            return datetime.timedelta(microseconds=int(value) // 10)
        raise _cannot_convert(value, full)
    if low.endswith("[]") and not is_instance(value, type_value):
        # [T[]]: each element converted to T (LanguagePrimitives' array conversion); $null stays $null.
        if value is None:
            return None
        element = TypeValue(full[:-2])
        return [cast(v, element) for v in as_list(value)]
    if is_instance(value, type_value):
        return value
    if value is None and net_type is not None and "System.ValueType" not in net_type.base_types:
        return None  # $null to a declared class: $null (LanguagePrimitives converts null to a reference type as null)
    raise _cannot_convert(value, full)


# --- arithmetic ---------------------------------------------------------------------

def _numeric_pair(left: typing.Any, right: typing.Any, op_name: str) -> tuple[typing.Any, typing.Any]:
    lnum = to_number(left, "System.Int32" if not isinstance(left, str) else "System.Int32")
    target = "System.Double" if isinstance(lnum, float) else ps_type_name(lnum)
    if isinstance(right, str):
        rnum = parse_number(right)
        if rnum is None:
            raise invalid_cast(right, target, "Input string was not in a correct format.")
    elif right is None or is_number(right) or isinstance(right, (bool, PSChar, SwitchValue)):
        rnum = to_number(right)
    else:
        raise _op_not_supported(left, right, op_name)
    return lnum, rnum


def _op_not_supported(left: typing.Any, right: typing.Any, op_name: str) -> PSError:
    del right
    return PSError(
        f"Method invocation failed because [{ps_type_name(left)}] does not contain a method named '{op_name}'.",
        fqid="MethodNotFound",
        category="InvalidOperation",
        reason="RuntimeException",
    )


def _int_result(result: int, left: typing.Any, right: typing.Any) -> typing.Any:
    both32 = not isinstance(left, PSInt64) and not isinstance(right, PSInt64)
    if both32 and INT32_MIN <= result <= INT32_MAX:
        return int(result)
    if INT64_MIN <= result <= INT64_MAX and not both32:
        return PSInt64(result)
    if both32 and INT64_MIN <= result <= INT64_MAX:
        # Int32 overflow widens straight to Double in PowerShell's IntOps.
        return float(result)
    return float(result)


def add(left: typing.Any, right: typing.Any) -> typing.Any:
    if left is None:
        if isinstance(right, (list, tuple)):
            return list(right)
        return right
    if isinstance(left, (list, tuple)):
        result = list(left)
        if isinstance(right, (list, tuple)):
            result.extend(right)
        else:
            result.append(right)
        return PSArrayList(result) if isinstance(left, PSArrayList) else result
    if isinstance(left, dict):
        if not isinstance(right, dict):
            raise PSError("A hash table can only be added to another hash table.", fqid="AddHashTableToNonHashTable",
                          category="InvalidOperation", reason="RuntimeException")
        result = left.copy() if isinstance(left, PSHashtable) else PSHashtable(left)
        for key, value in right.items():
            if key in result:
                shown = to_string(key)
                raise PSError(f"Item has already been added. Key in dictionary: '{shown}'  Key being added: '{shown}'",
                              exception_type="System.ArgumentException", fqid="System.ArgumentException",
                              category="NotSpecified", reason="ArgumentException")
            result[key] = value
        return result
    if isinstance(left, str):
        return left + to_string(right)
    if isinstance(left, datetime.datetime) and isinstance(right, datetime.timedelta):
        return to_datetime(naive(left) + right)
    if isinstance(left, PSChar) and isinstance(right, str):
        return chr(int(left)) + right
    lnum, rnum = _numeric_pair(left, right, "op_Addition")
    if isinstance(lnum, float) or isinstance(rnum, float):
        return float(lnum) + float(rnum)
    return _int_result(int(lnum) + int(rnum), lnum, rnum)


def subtract(left: typing.Any, right: typing.Any) -> typing.Any:
    if isinstance(left, datetime.datetime):
        if isinstance(right, datetime.datetime):
            return naive(left).replace(tzinfo=None) - naive(right).replace(tzinfo=None)
        if isinstance(right, datetime.timedelta):
            return to_datetime(naive(left) - right)
    if isinstance(left, (list, tuple, dict)):
        raise _op_not_supported(left, right, "op_Subtraction")
    lnum, rnum = _numeric_pair(left, right, "op_Subtraction")
    if isinstance(lnum, float) or isinstance(rnum, float):
        return float(lnum) - float(rnum)
    return _int_result(int(lnum) - int(rnum), lnum, rnum)


def multiply(left: typing.Any, right: typing.Any) -> typing.Any:
    if isinstance(left, str):
        count = cast(right, TypeValue("System.Int32"))
        return left * max(count, 0)
    if isinstance(left, (list, tuple)):
        count = cast(right, TypeValue("System.Int32"))
        return list(left) * max(count, 0)
    if isinstance(left, dict):
        raise _op_not_supported(left, right, "op_Multiply")
    lnum, rnum = _numeric_pair(left, right, "op_Multiply")
    if isinstance(lnum, float) or isinstance(rnum, float):
        return float(lnum) * float(rnum)
    return _int_result(int(lnum) * int(rnum), lnum, rnum)


def divide(left: typing.Any, right: typing.Any) -> typing.Any:
    if isinstance(left, (list, tuple, dict)):
        raise _op_not_supported(left, right, "op_Division")
    lnum, rnum = _numeric_pair(left, right, "op_Division")
    if rnum == 0:
        raise divide_by_zero()
    if isinstance(lnum, float) or isinstance(rnum, float):
        return float(lnum) / float(rnum)
    quotient, remainder = divmod(int(lnum), int(rnum))
    if remainder == 0:
        return _int_result(quotient, lnum, rnum)
    return int(lnum) / int(rnum)


def modulo(left: typing.Any, right: typing.Any) -> typing.Any:
    if isinstance(left, (list, tuple, dict)):
        raise _op_not_supported(left, right, "op_Modulus")
    lnum, rnum = _numeric_pair(left, right, "op_Modulus")
    if rnum == 0:
        raise divide_by_zero()
    if isinstance(lnum, float) or isinstance(rnum, float):
        return math.fmod(float(lnum), float(rnum))
    # .NET remainder truncates toward zero (sign follows the dividend).
    result = abs(int(lnum)) % abs(int(rnum))
    return _int_result(-result if lnum < 0 else result, lnum, rnum)


def negate(value: typing.Any) -> typing.Any:
    num = to_number(value)
    if isinstance(num, float):
        return -num
    return _int_result(-int(num), num, 0)


# --- comparison ---------------------------------------------------------------------

def _convert_like(value: typing.Any, model: typing.Any) -> typing.Any:
    """Convert the right operand to the left operand's type (PowerShell's comparison rule)."""
    if model is None or value is None:
        return value
    if isinstance(model, bool):
        return to_bool(value)
    if isinstance(model, str):
        return to_string(value)
    if isinstance(model, PSChar):
        if isinstance(value, str) and len(value) == 1:
            return PSChar(value)
        return value
    if is_number(model):
        if is_number(value):
            return value
        if isinstance(value, (bool, PSChar)):
            return int(value)
        if isinstance(value, str):
            num = parse_number(value)
            if num is None:
                raise invalid_cast(value, ps_type_name(model), "Input string was not in a correct format.")
            return num
        raise _cannot_convert(value, ps_type_name(model))
    if isinstance(model, datetime.datetime):
        return to_datetime(value)
    return value


def equals(left: typing.Any, right: typing.Any, case_sensitive: bool = False) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, PSEnumBase) and isinstance(right, str):
        return left.name.lower() == right.lower()
    if isinstance(left, PSChar) and isinstance(right, PSChar):
        return int(left) == int(right)
    if isinstance(left, PSChar):
        left = chr(int(left))
    if isinstance(left, str):
        rs = to_string(right) if not isinstance(right, PSChar) else chr(int(right))
        if case_sensitive:
            return str.__str__(left) == rs
        return left.lower() == rs.lower()
    left_type = typeregistry.registered(ps_type_name(left))
    if left_type is not None and left_type.equals is not None:
        return left_type.equals(left, right)
    # psrpcore's DateTime is a PSObject too, but DateTime.Equals compares ticks (its Kind aside), not references.
    if isinstance(left, (dict, list, PSObject)) and not isinstance(left, (int, float, str, datetime.datetime)):
        return left is right
    try:
        conv = _convert_like(right, left)
    except PSError:
        return False
    if isinstance(left, datetime.datetime) and isinstance(conv, datetime.datetime):
        return left.replace(tzinfo=None) == conv.replace(tzinfo=None)
    if isinstance(left, (int, float)) and not isinstance(conv, (int, float)):
        return False
    return bool(left == conv)


def compare(left: typing.Any, right: typing.Any, case_sensitive: bool = False) -> int:
    """Ordering for -lt/-gt and Sort-Object; raises PowerShell's 'Could not compare' error."""
    if left is None and right is None:
        return 0
    if left is None:
        return -1 if not (is_number(right) and right < 0) else 1
    if right is None:
        return 1 if not (is_number(left) and left < 0) else -1
    if isinstance(left, PSChar):
        left = chr(int(left))
    if isinstance(left, str):
        rs = to_string(right) if not isinstance(right, PSChar) else chr(int(right))
        a, b = (str.__str__(left), rs) if case_sensitive else (left.lower(), rs.lower())
        return (a > b) - (a < b)
    if isinstance(left, bool):
        lb, rb = left, to_bool(right)
        return (lb > rb) - (lb < rb)
    left_type = typeregistry.registered(ps_type_name(left))
    if left_type is not None and left_type.compare is not None:
        return left_type.compare(left, right)
    try:
        conv = _convert_like(right, left)
    except PSError as err:
        raise PSError(
            f'Could not compare "{to_string(left)}" to "{to_string(right)}". Error: "{err.message}"',
            fqid="ComparisonFailure", category="InvalidOperation", reason="RuntimeException") from None
    if isinstance(left, datetime.datetime):
        a, b = left.replace(tzinfo=None), conv.replace(tzinfo=None)
        return (a > b) - (a < b)
    if is_number(left) and is_number(conv):
        return (left > conv) - (left < conv)
    raise PSError(
        f'Cannot compare "{to_string(left)}" because it is not IComparable.',
        fqid="NotIcomparable", category="InvalidOperation", reason="RuntimeException")


def wildcard_to_regex(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "`" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                out.append("[" + pattern[i + 1:end].replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "^" + "".join(out) + "$"


@functools.lru_cache(maxsize=512)
def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern:
    # One compiled pattern per wildcard, as PowerShell's WildcardPattern.Get caches them: commands such as Get-Variable
    # match every visible name against the same pattern, and translating it anew each time was most of their cost.
    return re.compile(wildcard_to_regex(pattern), re.S if case_sensitive else re.S | re.I)


def like(value: typing.Any, pattern: typing.Any, case_sensitive: bool = False) -> bool:
    return _wildcard(to_string(pattern), case_sensitive).match(to_string(value)) is not None


def dotnet_regex(pattern: str) -> str:
    """Translate the .NET-only bits of a regex that Python spells differently."""
    return re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", r"(?P<\1>", pattern).replace(r"\k<", "(?P=").replace("\\A", "\\A")


def compile_regex(pattern: str, case_sensitive: bool = False) -> re.Pattern:
    try:
        return re.compile(dotnet_regex(pattern), 0 if case_sensitive else re.I)
    except re.error as err:
        raise PSError(
            f'The regular expression pattern {pattern} is not valid.',
            fqid="InvalidRegularExpression", category="InvalidOperation", reason="RuntimeException",
            target=pattern, inner=make_exception("System.ArgumentException", str(err))) from None


def dotnet_replacement(replacement: str) -> typing.Callable[[re.Match], str]:
    def repl(match: re.Match) -> str:
        out = []
        i = 0
        while i < len(replacement):
            ch = replacement[i]
            if ch == "$" and i + 1 < len(replacement):
                nxt = replacement[i + 1]
                if nxt == "$":
                    out.append("$")
                    i += 2
                    continue
                if nxt == "&":
                    out.append(match.group(0))
                    i += 2
                    continue
                if nxt == "{":
                    end = replacement.find("}", i)
                    if end != -1:
                        name = replacement[i + 2:end]
                        try:
                            out.append(match.group(int(name) if name.isdigit() else name) or "")
                        except (IndexError, re.error):
                            out.append(replacement[i:end + 1])
                        i = end + 1
                        continue
                if nxt.isdigit():
                    j = i + 1
                    while j < len(replacement) and replacement[j].isdigit():
                        j += 1
                    num = int(replacement[i + 1:j])
                    if num <= (match.re.groups or 0):
                        out.append(match.group(num) or "")
                        i = j
                        continue
            out.append(ch)
            i += 1
        return "".join(out)
    return repl


# --- wire conversion ----------------------------------------------------------------

def from_wire(value: typing.Any) -> typing.Any:
    """Accept psrpcore-deserialized input: hashtables become case-insensitive like .NET Hashtable."""
    if isinstance(value, dict) and not isinstance(value, PSHashtable):
        table = PSHashtable()
        for key, item in value.items():
            table[key] = from_wire(item)
        return table
    if isinstance(value, bytes):
        return ByteArray(value)
    if isinstance(value, list) and not isinstance(value, PSArrayList):
        return [from_wire(v) for v in value]
    return value


def to_wire(value: typing.Any, _seen: dict | None = None) -> typing.Any:  # pylint: disable=too-many-return-statements
    """Give psrpcore the real .NET types (plain Python float would serialize as Single)."""
    seen = {} if _seen is None else _seen
    if value is None or isinstance(value, (PSBool, PSChar, PSInt64, PSInt, PSUInt, PSDouble, PSString, PSDateTime,
                                           PSEnumBase)):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, NetObject) and isinstance(value, int):
        return value.to_wire()  # an enum value (FileAttributes) goes as PowerShell serializes an enum
    if isinstance(value, int):
        return PSInt(value) if INT32_MIN <= value <= INT32_MAX else PSInt64(value)
    if isinstance(value, float):
        return PSDouble(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, datetime.datetime):
        return to_datetime(value)
    if id(value) in seen:
        return seen[id(value)]
    if isinstance(value, ByteArray):
        return PSByteArray(bytes(value))
    if isinstance(value, NetObject):
        return value.to_wire()
    if isinstance(value, dict):
        new = PSOrderedDict() if isinstance(value, PSOrderedDict) else PSDict()
        seen[id(value)] = new
        for k, v in value.items():
            new[to_wire(k, seen)] = to_wire(v, seen)
        return new
    if isinstance(value, (list, tuple)):
        new_list: list = type(value)() if isinstance(value, PSArrayList) else []
        seen[id(value)] = new_list
        new_list.extend(to_wire(v, seen) for v in value)
        return new_list
    if isinstance(value, ScriptBlock):
        return PSScriptBlock(value.text)
    if isinstance(value, TypeValue):
        return value.full_name
    if isinstance(value, SwitchValue):
        return value.is_present
    if isinstance(value, datetime.timedelta):
        return value
    if isinstance(value, PSCustomObject) or (isinstance(value, PSObject) and _is_property_bag(value)):
        new_obj = PSCustomObject()
        seen[id(value)] = new_obj
        new_obj.PSObject.type_names = list(value.PSObject.type_names)
        for k, v in property_items(value):
            new_obj.PSObject.extended_properties.append(PSNoteProperty(k, value=to_wire(v, seen)))
        return new_obj
    return value


use_value_model(to_string, ps_type_name)
