"""Member access: properties, methods and static members, with PowerShell's lookup rules."""

from __future__ import annotations

import calendar
import datetime
import decimal
import math
import os
import re
import typing
import uuid

from psrpcore.types import PSChar, PSCustomObject, PSInt64, PSObject, PSVersion

from . import dotnet, tripwire, typeregistry
from .typeregistry import MISSING
from .dotnet import _VOID, add_note
# Moved down to the layers they belong to; evaluator, cmdlets and formatting_objects import them from here.
from .dotnet import is_void, void_value  # noqa: F401  # pylint: disable=unused-import
from .clr.codedom import assembly_of
from .clr.language import script_block_ast
from .clr.system import expand_environment_variables
from .errors import PSError, make_exception, method_exception, method_not_found, null_method_call, property_not_found
from .formatting import format_datetime, format_number, format_operator, format_timespan_custom
from .values import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    PSArrayList,
    PSGenericList,
    PSHashtable,
    PSOrderedDict,
    ScriptBlock,
    SwitchValue,
    TypeValue,
    as_list,
    cast,
    compare,
    compile_regex,
    equals,
    make_int,
    naive,
    ps_type_name,
    resolve_type,
    to_datetime,
    to_string,
)
from .values import property_items  # noqa: F401  # pylint: disable=unused-import


def _psobject_prop(obj: PSObject, name: str) -> typing.Any:
    low = name.lower()
    meta = obj.PSObject
    for prop in list(meta.extended_properties) + list(meta.adapted_properties):
        if prop.name.lower() == low:
            return prop.get_value(obj)
    return MISSING


_DATE_PROPS = {
    "year": lambda d: d.year, "month": lambda d: d.month, "day": lambda d: d.day, "hour": lambda d: d.hour,
    "minute": lambda d: d.minute, "second": lambda d: d.second, "millisecond": lambda d: d.microsecond // 1000,
    "dayofweek": lambda d: d.strftime("%A"), "dayofyear": lambda d: d.timetuple().tm_yday,
    "date": lambda d: to_datetime(datetime.datetime(d.year, d.month, d.day)),
    "ticks": lambda d: PSInt64(_ticks(d)), "kind": lambda d: "Local" if d.tzinfo is None else "Utc",
    "timeofday": lambda d: datetime.timedelta(hours=d.hour, minutes=d.minute, seconds=d.second, microseconds=d.microsecond),
}

_SPAN_PROPS = {
    "days": lambda t: t.days, "hours": lambda t: t.seconds // 3600, "minutes": lambda t: (t.seconds // 60) % 60,
    "seconds": lambda t: t.seconds % 60, "milliseconds": lambda t: t.microseconds // 1000,
    "totalseconds": lambda t: t.total_seconds(), "totalmilliseconds": lambda t: t.total_seconds() * 1000,
    "totalminutes": lambda t: t.total_seconds() / 60, "totalhours": lambda t: t.total_seconds() / 3600,
    "totaldays": lambda t: t.total_seconds() / 86400, "ticks": lambda t: PSInt64(int(t.total_seconds() * 10_000_000)),
}


def _ticks(d: datetime.datetime) -> int:
    delta = naive(d).replace(tzinfo=None) - datetime.datetime(1, 1, 1)  # a plain datetime: psrpcore's wants nanoseconds
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def get_property(obj: typing.Any, name: str) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
    value = _get_own_property(obj, name)
    if value is not MISSING:
        return value
    from .clr.automation import method_as_property, psobject_of  # pylint: disable=import-outside-toplevel  # clr imports members

    method = method_as_property(obj, name)
    if method is not MISSING:
        return method
    if name.lower() == "psobject":
        view = psobject_of(obj)
        if view is not MISSING:
            return view
    # A member Windows has (an intrinsic one, or the type's own) is not enumerated over an array's elements.
    tripwire.check_member(obj, name)
    if isinstance(obj, (list, tuple)):
        # Member enumeration: the property of each element, flattened; one result is unwrapped.
        results: list = []
        for item in obj:
            if item is None:
                continue
            got = get_property(item, name)
            if isinstance(got, (list, tuple)):
                results.extend(got)
            elif got is not None or _get_own_property(item, name) is not MISSING:
                results.append(got)
        if not results:
            return None
        return results[0] if len(results) == 1 else results
    if name.lower() in ("count", "length"):
        # PowerShell 3+ gives every object an intrinsic Count/Length: 0 for $null, 1 for a scalar.
        return 0 if obj is None else 1
    return None


def has_property(obj: typing.Any, name: str) -> bool:
    return _get_own_property(obj, name) is not MISSING


def _get_own_property(obj: typing.Any, name: str) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
    low = name.lower()
    if obj is None:
        return MISSING
    if isinstance(obj, dotnet.NetObject):
        value = obj.get_member(name)
        return value
    if isinstance(obj, dict):
        if isinstance(obj, PSHashtable):
            if obj.real_key(name) is not MISSING:
                return obj[name]
        elif name in obj:
            return obj[name]
        if low == "count":
            return len(obj)
        if low == "keys":
            return list(obj.keys())
        if low == "values":
            return list(obj.values())
        return MISSING
    if isinstance(obj, str) and not isinstance(obj, PSObject):
        if low == "length":
            return len(obj)
        return MISSING
    if isinstance(obj, (list, tuple)):
        if low in ("count", "length"):
            return len(obj)
        if low == "longlength":
            return PSInt64(len(obj))
        return MISSING
    if isinstance(obj, datetime.datetime):
        getter = _DATE_PROPS.get(low)
        return getter(obj) if getter else MISSING
    if isinstance(obj, datetime.timedelta):
        getter = _SPAN_PROPS.get(low)
        return getter(obj) if getter else MISSING
    if isinstance(obj, TypeValue):
        if low == "name":
            return obj.name
        if low == "fullname":
            return obj.full_name
        if low == "assembly":
            return assembly_of(obj)
        return MISSING
    if isinstance(obj, SwitchValue):
        return obj.is_present if low == "ispresent" else MISSING
    if isinstance(obj, ScriptBlock):
        if low == "ast":
            return script_block_ast(obj)
        return MISSING
    if isinstance(obj, PSVersion):
        parts = {"major": obj.major, "minor": obj.minor, "build": obj.build, "revision": obj.revision}
        if low in parts:
            value = parts[low]
            return -1 if value is None else value
        return MISSING
    if isinstance(obj, PSObject) and not isinstance(obj, (int, float, str)):
        return _psobject_prop(obj, name)
    if isinstance(obj, str):
        return len(obj) if low == "length" else MISSING
    return MISSING


def set_property(obj: typing.Any, name: str, value: typing.Any) -> None:
    if isinstance(obj, dotnet.NetObject) and obj.set_member(name, value):
        return
    if isinstance(obj, dict):
        obj[name] = value
        return
    if isinstance(obj, PSObject) and not isinstance(obj, (int, float, str, list)):
        low = name.lower()
        for prop in list(obj.PSObject.extended_properties) + list(obj.PSObject.adapted_properties):
            if prop.name.lower() == low:
                prop.set_value(value, obj)
                return
    if obj is None:
        raise PSError(f"The property '{name}' cannot be found on this object. Verify that the property exists and can be set.",
                      fqid="PropertyNotFound", category="InvalidOperation", reason="RuntimeException")
    raise property_not_found(name)


# --- methods ------------------------------------------------------------------------

def _argc_check(method: str, args: list, counts: tuple[int, ...]) -> None:
    if len(args) not in counts:
        raise PSError(
            f'Cannot find an overload for "{method}" and the argument count: "{len(args)}".',
            exception_type="System.Management.Automation.MethodException",
            fqid="MethodCountCouldNotFindBest",
            category="NotSpecified",
            reason="MethodException",
        )


def _string_method(s: str, name: str, args: list, invoke: typing.Callable) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
    low = name.lower()
    a = args
    if low in ("toupper", "toupperinvariant"):
        return s.upper()
    if low in ("tolower", "tolowerinvariant"):
        return s.lower()
    if low in ("trim", "trimstart", "trimend"):
        chars = "".join(to_string(x) for x in a) if a else None
        if low == "trim":
            return s.strip(chars)
        return s.lstrip(chars) if low == "trimstart" else s.rstrip(chars)
    if low == "split" and len(a) == 3:
        return _split_count_options(s, a)
    if low == "split":
        _argc_check(name, a, (1, 2))
        seps = a[0]
        if isinstance(seps, (list, tuple)):
            chars = [to_string(x) for x in seps]
        else:
            chars = list(to_string(seps))
        if not chars:
            return [s]
        pattern = "|".join(compile_regex_escape(c) for c in chars)

        parts = re.split(pattern, s)
        if len(a) == 2 and to_string(a[1]).lower() in ("removeemptyentries", "1"):
            parts = [p for p in parts if p]
        return parts
    if low == "replace":
        _argc_check(name, a, (2,))
        old = to_string(a[0])
        if old == "":
            raise method_exception("Replace", 2, "String cannot be of zero length.\r\nParameter name: oldValue",
                                   "System.ArgumentException")
        return s.replace(old, to_string(a[1]))
    if low == "contains":
        _argc_check(name, a, (1,))
        return to_string(a[0]) in s
    if low == "startswith":
        _argc_check(name, a, (1, 2))
        if len(a) == 2 and "ignorecase" in to_string(a[1]).lower():
            return s.lower().startswith(to_string(a[0]).lower())
        return s.startswith(to_string(a[0]))
    if low == "endswith":
        _argc_check(name, a, (1, 2))
        if len(a) == 2 and "ignorecase" in to_string(a[1]).lower():
            return s.lower().endswith(to_string(a[0]).lower())
        return s.endswith(to_string(a[0]))
    if low == "substring":
        _argc_check(name, a, (1, 2))
        start = cast(a[0], resolve_type("int"))
        if start < 0 or start > len(s):
            raise method_exception("Substring", len(a), "startIndex cannot be larger than length of string.\r\n"
                                   "Parameter name: startIndex", "System.ArgumentOutOfRangeException")
        if len(a) == 2:
            length = cast(a[1], resolve_type("int"))
            if length < 0 or start + length > len(s):
                raise method_exception("Substring", 2, "Index and length must refer to a location within the string.\r\n"
                                       "Parameter name: length", "System.ArgumentOutOfRangeException")
            return s[start:start + length]
        return s[start:]
    if low == "indexof":
        _argc_check(name, a, (1, 2))
        start = cast(a[1], resolve_type("int")) if len(a) == 2 else 0
        return s.find(to_string(a[0]), start)
    if low == "lastindexof":
        _argc_check(name, a, (1,))
        return s.rfind(to_string(a[0]))
    if low in ("padleft", "padright"):
        _argc_check(name, a, (1, 2))
        width = cast(a[0], resolve_type("int"))
        fill = to_string(a[1])[0] if len(a) == 2 else " "
        return s.rjust(width, fill) if low == "padleft" else s.ljust(width, fill)
    if low == "insert":
        _argc_check(name, a, (2,))
        idx = cast(a[0], resolve_type("int"))
        return s[:idx] + to_string(a[1]) + s[idx:]
    if low == "remove":
        _argc_check(name, a, (1, 2))
        idx = cast(a[0], resolve_type("int"))
        if len(a) == 2:
            return s[:idx] + s[idx + cast(a[1], resolve_type("int")):]
        return s[:idx]
    if low == "tochararray":
        return [PSChar(c) for c in s]
    if low == "equals":
        _argc_check(name, a, (1,))
        return isinstance(a[0], str) and str.__str__(s) == a[0]
    if low == "compareto":
        return compare(s, a[0])
    if low == "tostring":
        return s
    if low == "gettype":
        return TypeValue("System.String")
    if low == "gethashcode":
        return hash(s) & 0x7FFFFFFF
    if low == "isnormalized":
        return True
    del invoke
    raise method_not_found("System.String", name)


def compile_regex_escape(text: str) -> str:
    return re.escape(text)


def _list_method(lst: list, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements
    low = name.lower()
    resizable = isinstance(lst, PSArrayList)
    if low == "add":
        _argc_check(name, args, (1,))
        if not resizable:
            raise method_exception("Add", 1, "Collection was of a fixed size.", "System.NotSupportedException")
        lst.append(args[0])
        return _VOID if isinstance(lst, PSGenericList) else len(lst) - 1
    if low == "addrange" and resizable:
        lst.extend(as_list(args[0]))
        return _VOID
    if low == "remove" and resizable:
        for i, item in enumerate(lst):
            if equals(item, args[0]):
                del lst[i]
                break
        return _VOID
    if low == "removeat" and resizable:
        del lst[cast(args[0], resolve_type("int"))]
        return _VOID
    if low == "insert" and resizable:
        lst.insert(cast(args[0], resolve_type("int")), args[1])
        return _VOID
    if low == "clear":
        if resizable:
            lst.clear()
        else:
            lst[:] = [None] * len(lst)
        return _VOID
    if low == "contains":
        _argc_check(name, args, (1,))
        return any(equals(item, args[0]) for item in lst)
    if low == "indexof":
        for i, item in enumerate(lst):
            if equals(item, args[0]):
                return i
        return -1
    if low == "toarray":
        return list(lst)
    if low == "getenumerator":
        # Array/ArrayList.GetEnumerator(): an IEnumerator over the elements (foreach reads it; 2.16's exec wrapper
        # enumerates `.PSObject.Properties.GetEnumerator()`).
        _argc_check(name, args, (0,))
        return dotnet.Enumerator(list(lst))
    if low == "gettype":
        return TypeValue(ps_type_name(lst))
    if low == "tostring":
        return ps_type_name(lst)
    if low == "clone":
        return type(lst)(lst) if resizable else list(lst)
    raise method_not_found(ps_type_name(lst), name)


def _dict_method(d: dict, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements
    low = name.lower()
    if low == "add":
        _argc_check(name, args, (2,))
        if args[0] in d:
            shown = to_string(args[0])
            raise method_exception("Add", 2, f"Item has already been added. Key in dictionary: '{shown}'  Key being added: '{shown}'",
                                   "System.ArgumentException")
        d[args[0]] = args[1]
        return _VOID
    if low == "remove":
        _argc_check(name, args, (1,))
        if args[0] in d:
            del d[args[0]]
        return _VOID
    if low in ("containskey", "contains"):
        _argc_check(name, args, (1,))
        return args[0] in d
    if low == "containsvalue":
        return any(equals(v, args[0]) for v in d.values())
    if low == "clear":
        d.clear()
        return _VOID
    if low == "clone":
        return d.copy() if isinstance(d, PSHashtable) else PSHashtable(d)
    if low == "getenumerator":
        return [_dict_entry(k, v) for k, v in d.items()]
    if low == "gettype":
        return TypeValue(ps_type_name(d))
    if low == "tostring":
        return ps_type_name(d)
    raise method_not_found(ps_type_name(d), name)


def _dict_entry(key: typing.Any, value: typing.Any) -> PSObject:
    entry = PSObject()
    entry.PSObject.type_names = ["System.Collections.DictionaryEntry", "System.ValueType", "System.Object"]
    add_note(entry, "Name", key)
    add_note(entry, "Key", key)
    add_note(entry, "Value", value)
    entry.PSObject.to_string = "System.Collections.DictionaryEntry"
    return entry


# DateTime's other public static methods (learn.microsoft.com "DateTime Struct"): 5.1 has them; not modelled here.
_DATETIME_STATICS = frozenset(("parse", "parseexact", "tryparse", "tryparseexact", "specifykind", "compare", "isleapyear",
                               "frombinary", "fromfiletime", "fromoadate", "equals"))


def _span_method(span: datetime.timedelta, name: str, args: list) -> typing.Any:
    """TimeSpan's instance methods (learn.microsoft.com "TimeSpan Struct"): those modelled, a trip for the rest it has."""
    low = name.lower()
    if low == "gettype":
        return TypeValue("System.TimeSpan")
    if low in ("add", "subtract") and len(args) == 1 and isinstance(args[0], datetime.timedelta):
        return span + args[0] if low == "add" else span - args[0]
    if low in ("negate", "duration") and not args:
        return -span if low == "negate" else abs(span)
    if low in ("add", "subtract", "negate", "duration", "compareto", "equals", "gethashcode"):
        raise tripwire.trip(f"TimeSpan.{name} with {len(args)} argument(s) of these types")
    raise method_not_found("System.TimeSpan", name)


def _date_method(d: datetime.datetime, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements
    low = name.lower()
    units = {"adddays": "days", "addhours": "hours", "addminutes": "minutes", "addseconds": "seconds",
             "addmilliseconds": "milliseconds"}
    if low in units:
        _argc_check(name, args, (1,))
        return to_datetime(d + datetime.timedelta(**{units[low]: float(cast(args[0], resolve_type("double")))}))
    if low in ("addmonths", "addyears"):
        months = cast(args[0], resolve_type("int")) * (12 if low == "addyears" else 1)
        total = d.year * 12 + d.month - 1 + months
        year, month = divmod(total, 12)
        day = min(d.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31,
                          30, 31, 30, 31][month])
        return to_datetime(d.replace(year=year, month=month + 1, day=day))
    if low == "tostring":
        if args:
            return format_datetime(d, to_string(args[0]))
        return to_string(d)
    if low == "touniversaltime":
        return to_datetime(d.astimezone(datetime.timezone.utc).replace(tzinfo=None)) if d.tzinfo else d
    if low == "tolocaltime":
        return d
    if low == "subtract":
        other = args[0]
        if isinstance(other, datetime.datetime):
            return naive(d).replace(tzinfo=None) - naive(other).replace(tzinfo=None)
        return to_datetime(naive(d) - other)
    if low == "gettype":
        return TypeValue("System.DateTime")
    if low == "tofiletime":
        return PSInt64(_ticks(d) - 504911232000000000)
    if low in ("compareto", "equals"):
        result = compare(d, args[0])
        return result if low == "compareto" else result == 0
    raise method_not_found("System.DateTime", name)


def _number_method(n: typing.Any, name: str, args: list) -> typing.Any:
    low = name.lower()
    if low == "tostring":
        if args:
            return format_number(n, to_string(args[0]))
        return to_string(n)
    if low == "gettype":
        return TypeValue(ps_type_name(n))
    if low == "equals":
        return equals(n, args[0])
    if low == "compareto":
        return compare(n, args[0])
    if low == "gethashcode":
        return hash(n) & 0x7FFFFFFF
    raise method_not_found(ps_type_name(n), name)


def invoke_method(obj: typing.Any, name: str, args: list, invoke: typing.Callable) -> typing.Any:  # pylint: disable=too-many-return-statements
    """Call obj.name(args); `invoke` runs script blocks (for .Invoke() on a script block)."""
    low = name.lower()
    if obj is None:
        raise null_method_call()
    if isinstance(obj, TypeValue):
        return invoke_static(obj, name, args)
    if isinstance(obj, dotnet.NetObject):
        return obj.call(name, args)
    if isinstance(obj, ScriptBlock):
        if low in ("invoke", "invokereturnasis"):
            return invoke(obj, args)
        if low == "tostring":
            return obj.text
        if low == "gettype":
            return TypeValue("System.Management.Automation.ScriptBlock")
        raise method_not_found("System.Management.Automation.ScriptBlock", name)
    if isinstance(obj, bool):
        if low == "tostring":
            return to_string(obj)
        if low == "gettype":
            return TypeValue("System.Boolean")
        if low == "equals":
            return equals(obj, args[0])
        raise method_not_found("System.Boolean", name)
    if isinstance(obj, PSChar):
        if low == "tostring":
            return chr(int(obj))
        if low == "gettype":
            return TypeValue("System.Char")
        raise method_not_found("System.Char", name)
    if isinstance(obj, (int, float)):
        return _number_method(obj, name, args)
    if isinstance(obj, str):
        return _string_method(obj, name, args, invoke)
    if isinstance(obj, datetime.datetime):
        return _date_method(obj, name, args)
    if isinstance(obj, dict):
        return _dict_method(obj, name, args)
    if isinstance(obj, (list, tuple)):
        return _list_method(list(obj) if isinstance(obj, tuple) else obj, name, args)
    if isinstance(obj, datetime.timedelta):
        if low == "tostring" and len(args) == 1:
            try:
                return format_timespan_custom(obj, to_string(args[0]))
            except ValueError as exc:
                raise method_exception("ToString", 1, str(exc), "System.FormatException") from None
            except NotImplementedError as exc:
                raise tripwire.trip(str(exc)) from None
        if low == "tostring":
            return to_string(obj)
        return _span_method(obj, name, args)
    from .clr.automation import script_methods  # pylint: disable=import-outside-toplevel  # clr imports members

    added = script_methods(obj).get(low)
    if added is not None:
        # A script method added through PSObject.Members.Add ($this is not modelled).
        return invoke(added.script, args)
    if low == "tostring":
        return to_string(obj)
    if low == "gettype":
        return TypeValue(ps_type_name(obj))
    if low == "equals":
        return obj is args[0]
    if low == "gethashcode":
        return id(obj) & 0x7FFFFFFF
    raise method_not_found(ps_type_name(obj), name)


# --- static members -----------------------------------------------------------------

def get_static(type_value: TypeValue, name: str, strict: bool = True) -> typing.Any:  # pylint: disable=too-many-return-statements
    """`[T]::Name`; `strict`: Set-StrictMode 2+ is in force (a member known to be absent is then an error, else $null)."""
    full = type_value.full_name.lower()
    low = name.lower()
    net_type = typeregistry.registered(full)
    if net_type is not None:
        value = net_type.static_property(name)
        if value is not typeregistry.MISSING:
            return value
    if full == "system.int32" and low in ("maxvalue", "minvalue"):
        return INT32_MAX if low == "maxvalue" else INT32_MIN
    if full == "system.int64" and low in ("maxvalue", "minvalue"):
        return PSInt64(INT64_MAX if low == "maxvalue" else INT64_MIN)
    if full == "system.double":
        consts = {"maxvalue": 1.7976931348623157e308, "minvalue": -1.7976931348623157e308, "nan": math.nan,
                  "positiveinfinity": math.inf, "negativeinfinity": -math.inf, "epsilon": 4.9406564584124654e-324}
        if low in consts:
            return consts[low]
    if full == "system.datetime":
        if low == "now":
            return to_datetime(datetime.datetime.now())
        if low == "utcnow":
            return to_datetime(datetime.datetime.utcnow())
        if low == "today":
            now = datetime.datetime.now()
            return to_datetime(datetime.datetime(now.year, now.month, now.day))
        if low in ("minvalue", "maxvalue"):
            return to_datetime(datetime.datetime.min if low == "minvalue" else datetime.datetime.max)
    if full == "system.math":
        if low == "pi":
            return math.pi
        if low == "e":
            return math.e
    if full == "system.string" and low == "empty":
        return ""
    if full == "system.stringsplitoptions" and low in ("none", "removeemptyentries"):
        return "RemoveEmptyEntries" if low == "removeemptyentries" else "None"
    if full == "system.environment":
        if low == "newline":
            return "\r\n"
        if low == "machinename":
            return os.environ.get("COMPUTERNAME", "WIN-FAKEHOST")
        if low == "processorcount":
            return os.cpu_count() or 1
    if full == "system.guid" and low == "empty":
        return "00000000-0000-0000-0000-000000000000"
    value = dotnet.get_static(full, name)
    if value is not MISSING:
        return value
    if not strict and typeregistry.absent_static(full, name):
        return None
    raise PSError(
        f"The property '{name}' cannot be found on this object. Verify that the property exists.",
        fqid="PropertyNotFoundStrict", category="InvalidOperation", reason="RuntimeException")


def _round(args: list) -> typing.Any:
    _argc_check("Round", args, (1, 2, 3))
    value = args[0]
    digits = cast(args[1], resolve_type("int")) if len(args) >= 2 and not isinstance(args[1], str) else 0
    away = any(isinstance(a, str) and a.lower() == "awayfromzero" for a in args[1:])
    mode = decimal.ROUND_HALF_UP if away else decimal.ROUND_HALF_EVEN
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    num = float(cast(value, resolve_type("double")))
    result = float(decimal.Decimal(repr(num)).quantize(decimal.Decimal(1).scaleb(-int(digits)), rounding=mode))
    return result


def _split_count_options(s: str, a: list) -> list[str]:
    """String.Split(separators (string[] or char[]), count, StringSplitOptions), as .NET Framework 4.x's String.cs
    (referencesource: MakeSeparatorList, SplitInternal, InternalSplitKeepEmptyEntries/OmitEmptyEntries): separators
    found left to right (at each index the first of the array that matches), at most `count` parts, the last part the
    rest of the string; with RemoveEmptyEntries empty parts are dropped and do not count, and separators right after
    the last counted part are skipped. ansible-core 2.16's bootstrap_wrapper.ps1 splits its input this way."""
    seps = [to_string(x) for x in (a[0] if isinstance(a[0], (list, tuple)) else [a[0]])]
    count = int(cast(a[1], resolve_type("int")))
    option = to_string(a[2]).lower()
    if option not in ("none", "removeemptyentries", "0", "1") or count < 0 or not any(seps):
        raise tripwire.not_modelled(f"String.Split with separators {seps!r}, count {count} and options {a[2]!r}")
    omit = option in ("removeemptyentries", "1")
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(s):
        sep = next((x for x in seps if x and s.startswith(x, i)), None)
        if sep is None:
            i += 1
            continue
        found.append((i, len(sep)))
        i += len(sep)
    if count == 0 or (omit and not s):
        return []
    if count == 1:
        return [s]
    parts: list[str] = []
    current = 0
    if not omit:
        for index, length in found[:count - 1]:
            parts.append(s[current:index])
            current = index + length
        return parts + [s[current:]]
    for k, (index, length) in enumerate(found):
        if index - current > 0:
            parts.append(s[current:index])
        current = index + length
        if len(parts) == count - 1:
            while k < len(found) - 1 and current == found[k + 1][0]:
                k += 1
                current += found[k][1]
            break
    if current < len(s):
        parts.append(s[current:])
    return parts


def invoke_static(type_value: TypeValue, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
    full = type_value.full_name.lower()
    low = name.lower()
    net_type = typeregistry.registered(full)
    method = net_type.static_method(name) if net_type is not None else None
    if method is not None:
        return method(args)
    if low == "new":
        return _construct(type_value, args)
    if full == "system.math":
        dbl = resolve_type("double")
        if low == "round":
            return _round(args)
        unary = {"floor": math.floor, "ceiling": math.ceil, "sqrt": math.sqrt, "abs": abs, "truncate": math.trunc,
                 "log10": math.log10, "exp": math.exp}
        if low in unary:
            _argc_check(name, args, (1,))
            if low == "abs" and isinstance(args[0], int) and not isinstance(args[0], bool):
                return make_int(abs(args[0]))
            if low == "sqrt" and float(cast(args[0], dbl)) < 0:
                return math.nan
            return float(unary[low](float(cast(args[0], dbl))))
        if low in ("max", "min"):
            _argc_check(name, args, (2,))
            a, b = args
            if all(isinstance(x, int) and not isinstance(x, bool) for x in (a, b)):
                return max(a, b) if low == "max" else min(a, b)
            a, b = float(cast(a, dbl)), float(cast(b, dbl))
            return max(a, b) if low == "max" else min(a, b)
        if low == "pow":
            _argc_check(name, args, (2,))
            return float(math.pow(float(cast(args[0], dbl)), float(cast(args[1], dbl))))
        if low == "log":
            if len(args) == 2:
                return math.log(float(cast(args[0], dbl)), float(cast(args[1], dbl)))
            return math.log(float(cast(args[0], dbl)))
    if full == "system.string":
        if low == "isnullorempty":
            _argc_check(name, args, (1,))
            return args[0] is None or to_string(args[0]) == ""
        if low == "isnullorwhitespace":
            _argc_check(name, args, (1,))
            return args[0] is None or to_string(args[0]).strip() == ""
        if low == "join":
            _argc_check(name, args, (2,))
            items = args[1] if isinstance(args[1], (list, tuple)) else [args[1]]
            return to_string(args[0]).join(to_string(x) for x in items)
        if low == "format":
            rest = args[1:]
            if len(rest) == 1 and isinstance(rest[0], (list, tuple)):
                rest = list(rest[0])
            return format_operator(to_string(args[0]), rest)
        if low == "concat":
            return "".join(to_string(x) for x in args)
    if full == "system.datetime":
        if low == "parse" and len(args) in (1, 2):
            try:
                return to_datetime(to_string(args[0]))
            except PSError as err:
                if err.fqid == "NotModelledByTestHost":
                    raise
                # A method call's FormatException, not a conversion's error (MethodInvocationException).
                raise method_exception("Parse", len(args), "String was not recognized as a valid DateTime.",
                                       "System.FormatException") from None
        if low == "daysinmonth":
            return calendar.monthrange(cast(args[0], resolve_type("int")), cast(args[1], resolve_type("int")))[1]
        if low in _DATETIME_STATICS:
            raise tripwire.trip(f"[DateTime]::{name} with {len(args)} argument(s)")
    if full == "system.guid" and low == "newguid":
        return str(uuid.uuid4())
    if full in ("system.int32", "system.int64", "system.double") and low == "parse":
        _argc_check(name, args, (1,))
        try:
            return cast(to_string(args[0]), type_value)
        except PSError:
            raise method_exception("Parse", 1, "Input string was not in a correct format.", "System.FormatException") from None
    if full in ("system.int32", "system.int64", "system.double", "system.boolean") and low == "tryparse":
        raise method_not_found(type_value.full_name, name)
    if full == "system.boolean" and low == "parse":
        text = to_string(args[0]).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise method_exception("Parse", 1, "String was not recognized as a valid Boolean.", "System.FormatException")
    if full == "system.text.regularexpressions.regex" and low == "escape":
        return re.sub(r"([\\*+?|{}\[\]()^$.# \t\n])", r"\\\1", to_string(args[0]))
    if full == "system.text.regularexpressions.regex" and low == "ismatch":
        return compile_regex(to_string(args[1])).search(to_string(args[0])) is not None
    if full == "system.environment" and low == "getenvironmentvariable":
        return None
    if full == "system.environment" and low == "expandenvironmentvariables":
        _argc_check(name, args, (1,))

        return expand_environment_variables(to_string(args[0]))
    if full == "system.timespan" and low in ("fromseconds", "fromminutes", "frommilliseconds", "fromhours", "fromdays"):
        unit = {"fromseconds": "seconds", "fromminutes": "minutes", "frommilliseconds": "milliseconds",
                "fromhours": "hours", "fromdays": "days"}[low]
        return datetime.timedelta(**{unit: float(cast(args[0], resolve_type("double")))})
    if full in dotnet.STATIC_TYPES.values() or full in dotnet.STATIC_TYPES:
        return dotnet.invoke_static(full, name, args)
    if low in _REFLECTION:
        # A [Type] object's reflection (GetProperty, GetField, ...): Windows answers, the test host does not model it.
        raise tripwire.trip(f"Reflection on [{type_value.full_name}] (the System.Type method {name})")
    raise method_not_found(type_value.full_name, name)


_REFLECTION = {"getproperty", "getproperties", "getfield", "getfields", "getmethod", "getmethods", "getmember",
               "getmembers", "getconstructor", "getconstructors", "getinterfaces", "getnestedtype"}


def _construct(type_value: TypeValue, args: list) -> typing.Any:
    full = type_value.full_name.lower()
    if full in ("system.byte[]", "system.text.utf8encoding"):
        return dotnet.invoke_static(full, "new", args)
    if full == "system.collections.arraylist":
        return PSArrayList(as_list(args[0]) if args else [])
    if full in ("system.collections.generic.list`1[[system.object]]", "system.collections.generic.list`1[[system.string]]"):
        return PSGenericList(as_list(args[0]) if args else [])
    if full == "system.collections.hashtable":
        return PSHashtable()
    if full == "system.collections.specialized.ordereddictionary":
        return PSOrderedDict()
    if full == "system.datetime":
        return to_datetime(datetime.datetime(*[cast(a, resolve_type("int")) for a in args]))
    if full == "system.timespan":
        parts = [cast(a, resolve_type("int")) for a in args]
        if len(parts) == 3:
            return datetime.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])
    if full.endswith("exception"):
        message = to_string(args[0]) if args else f"Exception of type '{type_value.full_name}' was thrown."
        return make_exception(type_value.full_name, message)
    if full in ("system.management.automation.pscustomobject", "system.management.automation.psobject", "system.object"):
        return PSCustomObject()
    raise method_not_found(type_value.full_name, "new")
