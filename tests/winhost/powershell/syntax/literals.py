"""Literal rules of PowerShell's tokenizer, shared by the lowering (ConstantExpressionAst.Value) and the evaluator.

Numbers (about_Numeric_Literals): Int32 widening to Int64 then Double, hex (0x80000000 is a negative Int32),
the `kb`..`pb` multipliers, the `l` (Int64) and `d` (decimal, modelled as Double) suffixes. Strings
(about_Quoting_Rules, about_Special_Characters): backtick escapes and `""` in double-quoted strings, the body
of a here-string (between the first and the last line break).
"""

from __future__ import annotations

import re
import typing

from psrpcore.types import PSInt64

from .. import values as V
from ..errors import ParseError

_SUFFIXES = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4, "pb": 1024 ** 5}


def parse_number_literal(text: str) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
    raw = text
    low = text.lower()
    mult = 1
    for suffix, factor in _SUFFIXES.items():
        if low.endswith(suffix):
            mult = factor
            low = low[:-2]
            break
    force_long = False
    force_decimal = False
    if low.startswith("0x"):
        if low.endswith("l"):
            force_long = True
            low = low[:-1]
        value = int(low, 16)
        if not force_long and 2 ** 31 <= value < 2 ** 32:
            value -= 2 ** 32
        value *= mult
        return PSInt64(value) if force_long else V.make_int(value)
    if low.endswith("l"):
        force_long = True
        low = low[:-1]
    elif low.endswith("d") and not low.endswith("e"):
        force_decimal = True
        low = low[:-1]
    try:
        if re.fullmatch(r"\d+", low):
            value = int(low) * mult
            if force_long:
                return PSInt64(value)
            if force_decimal:
                return float(value)
            return V.make_int(value) if value <= V.INT64_MAX else float(value)
        result = float(low) * mult
    except ValueError:
        raise ParseError(f"Unexpected token '{raw}' in expression or statement.", "UnexpectedToken") from None
    if force_long:
        return PSInt64(int(round(result)))
    if mult != 1 and result == int(result):
        return V.make_int(int(result))
    return result


def here_body(text: str) -> str:
    start = text.find("\n") + 1
    end = text.rfind("\n")
    if end < start:
        return ""
    body = text[start:end]
    return body[:-1] if body.endswith("\r") else body


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "e": "\x1b"}


def unescape(text: str, here: bool) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "`" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if ch == '"' and not here and text[i + 1:i + 2] == '"':
            out.append('"')
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def escaped_dollar(literal: str) -> bool:
    """True if the text before a `$var` in a double-quoted string ends with an unescaped backtick (so `` `$x `` is
    literal)."""
    count = 0
    for ch in reversed(literal):
        if ch != "`":
            break
        count += 1
    return count % 2 == 1
