"""Literal rules of PowerShell's tokenizer, shared by the lowering (ConstantExpressionAst.Value) and the evaluator.

Numbers (about_Numeric_Literals; 5.1's Tokenizer.TryGetNumberValue): Int32 widening to Int64, then Decimal (not
modelled: DecimalLiteral), then Double; hex (0xFFFFFFFF is -1 as Int32, 0xFFFFFFFFFFFFFFFF -1 as Int64), the
`kb`..`pb` multipliers, the `l` (Int64) and `d` (Decimal) suffixes. Strings
(about_Quoting_Rules, about_Special_Characters): backtick escapes and `""` in double-quoted strings, the body
of a here-string (between the first and the last line break).
"""

from __future__ import annotations

import re
import typing

from psrpcore.types import PSInt64

from ..errors import ParseError

_SUFFIXES = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4, "pb": 1024 ** 5}
_INT32 = (-2 ** 31, 2 ** 31 - 1)
_INT64 = (-2 ** 63, 2 ** 63 - 1)
_DECIMAL_MAX = 2 ** 96 - 1  # System.Decimal.MaxValue, 79228162514264337593543950335


class DecimalLiteral(ValueError):
    """A literal 5.1 types as System.Decimal (a `d` suffix, or an integer too large for Int64), which the test host
    does not model."""


def _signed(value: int, bits: int) -> int:
    """Hex digits as .NET's TryParse with AllowHexSpecifier reads them into a signed type: the bits reinterpreted."""
    return value - (1 << bits) if value >> (bits - 1) else value


def _typed(value: int, widest: str) -> typing.Any:
    """TryGetNumberValue's last step: the value after the multiplier in the narrowest type not narrower than the type
    whose TryParse took the digits (Int32, Int64, Decimal), else Double."""
    if widest == "int" and _INT32[0] <= value <= _INT32[1]:
        return int(value)
    if widest in ("int", "long") and _INT64[0] <= value <= _INT64[1]:
        return PSInt64(value)
    if abs(value) <= _DECIMAL_MAX:
        raise DecimalLiteral(value)
    return float(value)


def parse_number_literal(text: str) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
    """A number token's value and type as 5.1's tokenizer gives them (Tokenizer.TryGetNumberValue before 7.0: Int32,
    then Int64, then Decimal, then Double; hex digits reinterpreted as signed Int32 up to 8 digits, as Int64 up to 16,
    more is not a number; `L` is Int64; a real number is Double, also with a multiplier)."""
    raw = text
    low = text.lower()
    mult = 1
    for suffix, factor in _SUFFIXES.items():
        if low.endswith(suffix):
            mult = factor
            low = low[:-2]
            break
    bad = ParseError(f"The numeric constant {raw} is not valid.", "BadNumericConstant")
    if low.startswith("0x"):
        force_long = low.endswith("l")
        digits = int(low[2:-1] if force_long else low[2:], 16)
        if digits > 0xFFFF_FFFF_FFFF_FFFF:
            raise bad  # Decimal's TryParse refuses hex (AllowHexSpecifier): no type takes the digits
        if force_long:
            value = _signed(digits, 64) * mult
            if not _INT64[0] <= value <= _INT64[1]:
                raise bad  # checked arithmetic overflowed
            return PSInt64(value)
        if digits <= 0xFFFF_FFFF:
            return _typed(_signed(digits, 32) * mult, "int")
        return _typed(_signed(digits, 64) * mult, "long")
    force_long = low.endswith("l")
    if force_long:
        low = low[:-1]
    elif low.endswith("d") and not low.endswith("e"):
        raise DecimalLiteral(raw)
    if re.fullmatch(r"\d+", low):
        value = int(low)
        if force_long:
            value *= mult
            if not _INT64[0] <= value <= _INT64[1]:
                raise bad
            return PSInt64(value)
        if value <= _INT32[1]:
            return _typed(value * mult, "int")
        if value <= _INT64[1]:
            return _typed(value * mult, "long")
        if value <= _DECIMAL_MAX:
            raise DecimalLiteral(raw)
        return float(value) * mult
    try:
        result = float(low)
    except ValueError:
        raise ParseError(f"Unexpected token '{raw}' in expression or statement.", "UnexpectedToken") from None
    if force_long:
        # Convert.ChangeType(double, Int64): rounded to even.
        value = int(round(result)) * mult
        if not _INT64[0] <= value <= _INT64[1]:
            raise bad
        return PSInt64(value)
    return result * mult


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
