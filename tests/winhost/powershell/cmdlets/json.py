"""ConvertTo-Json / ConvertFrom-Json with Windows PowerShell 5.1's output format and quirks."""

# Cmdlet state is created in begin_processing, which is the cmdlet lifecycle's constructor.
# pylint: disable=attribute-defined-outside-init

from __future__ import annotations

import datetime
import json
import math
import typing

from psrpcore.types import PSChar, PSCustomObject, PSEnumBase, PSObject

from .. import values as V
from ..binding import Param
from ..errors import PSError
from ..evaluator import NO_INPUT
from ..members import add_note, property_items
from . import Cmdlet, cmdlet

_EPOCH = datetime.datetime(1970, 1, 1)


def _escape(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif code < 0x20 or ch in "<>&'":
            # JavaScriptSerializer (used by 5.1) escapes HTML-sensitive characters too.
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _number(value: typing.Any) -> str:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return _escape(V.format_double(value))
        text = repr(value)
        if text.endswith(".0"):
            text = text[:-2]
        if "e" in text:
            mantissa, exp = text.split("e")
            text = f"{mantissa}E{'+' if not exp.startswith('-') else '-'}{exp.lstrip('+-').rjust(2, '0')}"
        return text
    return str(int(value))


class _Raw:
    """An already-encoded JSON scalar."""

    def __init__(self, text: str) -> None:
        self.text = text


def to_json_tree(value: typing.Any, depth: int, max_depth: int) -> typing.Any:  # pylint: disable=too-many-return-statements
    """Convert to nested dict/list of _Raw scalars, truncating like 5.1 does beyond -Depth."""
    if value is None:
        return _Raw("null")
    if isinstance(value, bool):
        return _Raw("true" if value else "false")
    if isinstance(value, PSEnumBase):
        return _Raw(str(int(value)))
    if isinstance(value, PSChar):
        return _Raw(_escape(chr(int(value))))
    if isinstance(value, (int, float)):
        return _Raw(_number(value))
    if isinstance(value, str):
        return _Raw(_escape(str.__str__(value)))
    if isinstance(value, datetime.datetime):
        naive = value.astimezone(datetime.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        millis = int((naive - _EPOCH).total_seconds() * 1000)
        return _Raw(_escape(f"/Date({millis})/").replace("/", "\\/"))
    if isinstance(value, (V.ScriptBlock, V.TypeValue, V.SwitchValue)):
        return _Raw(_escape(V.to_string(value)))
    if depth > max_depth:
        return _Raw(_escape(V.to_string(value)))
    if isinstance(value, dict):
        return [(V.to_string(k), to_json_tree(v, depth + 1, max_depth)) for k, v in value.items()], "dict"
    if isinstance(value, (list, tuple)):
        return [to_json_tree(v, depth + 1, max_depth) for v in value], "list"
    if isinstance(value, PSObject):
        return [(k, to_json_tree(v, depth + 1, max_depth)) for k, v in property_items(value)], "dict"
    return _Raw(_escape(V.to_string(value)))


def render_compact(node: typing.Any) -> str:
    if isinstance(node, _Raw):
        return node.text
    items, kind = node
    if kind == "dict":
        return "{" + ",".join(f"{_escape(k)}:{render_compact(v)}" for k, v in items) + "}"
    return "[" + ",".join(render_compact(v) for v in items) + "]"


def render_pretty(node: typing.Any, pad: str = "", spaces: int = 0) -> str:
    """Windows PowerShell 5.1's own pretty printer: nested values are aligned under their key."""
    if isinstance(node, _Raw):
        return node.text
    items, kind = node
    new_pad = pad + " " * spaces + "    "
    close = "\r\n" + pad + " " * spaces + ("}" if kind == "dict" else "]")
    if kind == "dict":
        parts = []
        for key, value in items:
            head = f"{_escape(key)}:  "
            parts.append(new_pad + head + render_pretty(value, new_pad, len(head)))
        return "{\r\n" + ",\r\n".join(parts) + close
    parts = [new_pad + render_pretty(v, new_pad, 0) for v in items]
    return "[\r\n" + ",\r\n".join(parts) + close


@cmdlet("ConvertTo-Json", "Microsoft.PowerShell.Commands.ConvertToJsonCommand")
class ConvertToJson(Cmdlet):
    parameters = [Param("InputObject", 0, pipeline=True), Param("Depth", type_name="int"), Param("Compress", switch=True),
                  Param("EnumsAsStrings", switch=True), Param("AsArray", switch=True)]

    def begin_processing(self) -> None:
        self.items: list = []
        self.got = False

    def process_record(self, item: typing.Any) -> None:
        if item is NO_INPUT:
            if "InputObject" in self.bound:
                self.items.append(self.bound["InputObject"])
                self.got = True
            return
        self.items.append(item)
        self.got = True

    def end_processing(self) -> None:
        if not self.got:
            return
        depth = self.get("Depth", 2)
        if depth > 100:
            raise self.terminating(PSError(
                "Cannot validate argument on parameter 'Depth'. The " + str(depth) + " argument is greater than the "
                "maximum allowed range of 100. Supply an argument that is less than or equal to 100 and then try the "
                "command again.", exception_type="System.Management.Automation.ParameterBindingValidationException",
                fqid="ParameterArgumentValidationError", category="InvalidData",
                reason="ParameterBindingValidationException"))
        value = self.items[0] if len(self.items) == 1 else self.items
        tree = to_json_tree(value, 0, depth)
        self.emit(render_compact(tree) if self.switch("Compress") else render_pretty(tree))


def from_json(value: typing.Any) -> typing.Any:
    if isinstance(value, dict):
        obj = PSCustomObject()
        for key, item in value.items():
            add_note(obj, key, from_json(item))
        return obj
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return V.make_int(value)
    return value


def _json_error(text: str, err: json.JSONDecodeError) -> PSError:
    remainder = text[err.pos:].strip()
    token = remainder.split()[0] if remainder else ""
    if token and (token[0].isalpha() or token[0] in "'"):
        word = ""
        for ch in token:
            if ch in ",:]}":
                break
            word += ch
        message = f"Invalid JSON primitive: {word}."
    elif err.msg.startswith("Expecting ':'") or err.msg.startswith("Expecting ',' delimiter"):
        message = f"Invalid object passed in, ':' or '}}' expected. ({err.pos}): {text}"
    else:
        message = f"Invalid object passed in, member name expected. ({err.pos}): {text}"
    return PSError(message, exception_type="System.ArgumentException",
                   fqid="System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand",
                   category="NotSpecified", reason="ArgumentException", target=text)


@cmdlet("ConvertFrom-Json", "Microsoft.PowerShell.Commands.ConvertFromJsonCommand")
class ConvertFromJson(Cmdlet):
    parameters = [Param("InputObject", 0, pipeline=True, mandatory=True, type_name="string")]

    def begin_processing(self) -> None:
        self.parts: list[str] = []

    def process_record(self, item: typing.Any) -> None:
        if "InputObject" in self.bound:
            self.parts.append(self.bound.pop("InputObject"))

    def end_processing(self) -> None:
        text = "\n".join(self.parts)
        if not text.strip():
            return
        try:
            data = json.loads(text, parse_float=float)
        except json.JSONDecodeError as err:
            raise _json_error(text, err) from None
        result = from_json(data)
        # Windows PowerShell 5.1 writes a JSON array as ONE object (it is not enumerated).
        self.emit(result)
