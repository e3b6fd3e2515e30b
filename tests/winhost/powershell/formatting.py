""".NET composite, numeric and date formatting (the -f operator, .ToString(fmt), Get-Date -Format)."""

from __future__ import annotations

import datetime
import decimal
import re
import typing

from .errors import PSError, make_exception
from .values import is_number, to_string

_FORMAT_ITEM = re.compile(r"\{(\d+)\s*(?:,\s*(-?\d+))?\s*(?::([^}]*))?\}")


def _format_error() -> PSError:
    message = "Index (zero based) must be greater than or equal to zero and less than the size of the argument list."
    return PSError(
        f'Error formatting a string: {message}.',
        exception_type="System.Management.Automation.RuntimeException",
        fqid="FormatError", category="InvalidOperation", reason="RuntimeException",
        inner=make_exception("System.FormatException", message))


def format_operator(fmt: str, args: list) -> str:
    out: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        ch = fmt[i]
        if ch == "{":
            if i + 1 < n and fmt[i + 1] == "{":
                out.append("{")
                i += 2
                continue
            m = _FORMAT_ITEM.match(fmt, i)
            if not m:
                raise PSError("Error formatting a string: Input string was not in a correct format..",
                              fqid="FormatError", category="InvalidOperation", reason="RuntimeException",
                              inner=make_exception("System.FormatException", "Input string was not in a correct format."))
            index = int(m.group(1))
            if index >= len(args):
                raise _format_error()
            text = format_value(args[index], m.group(3))
            if m.group(2):
                width = int(m.group(2))
                text = text.rjust(width) if width > 0 else text.ljust(-width)
            out.append(text)
            i = m.end()
            continue
        if ch == "}":
            if i + 1 < n and fmt[i + 1] == "}":
                out.append("}")
                i += 2
                continue
            raise PSError("Error formatting a string: Input string was not in a correct format..",
                          fqid="FormatError", category="InvalidOperation", reason="RuntimeException")
        out.append(ch)
        i += 1
    return "".join(out)


def format_value(value: typing.Any, spec: str | None) -> str:
    if not spec:
        return to_string(value)
    if isinstance(value, datetime.datetime):
        return format_datetime(value, spec)
    if is_number(value):
        return format_number(value, spec)
    return to_string(value)


def _group(int_part: str) -> str:
    negative = int_part.startswith("-")
    digits = int_part.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ("-" if negative else "") + ",".join(groups)


def _fixed(value: typing.Any, decimals: int) -> str:
    # .NET Framework rounds the shortest round-trip digits half away from zero.
    dec = decimal.Decimal(repr(float(value))) if isinstance(value, float) else decimal.Decimal(int(value))
    quant = decimal.Decimal(1).scaleb(-decimals)
    text = str(dec.quantize(quant, rounding=decimal.ROUND_HALF_UP))
    if text.startswith("-") and decimal.Decimal(text) == 0:
        text = text[1:]
    return text


def format_number(value: typing.Any, spec: str) -> str:  # pylint: disable=too-many-return-statements
    m = re.fullmatch(r"([NnFfDdXxPpCcEeGgRr])(\d*)", spec)
    if not m:
        return _custom_number(value, spec)
    kind = m.group(1).upper()
    precision = int(m.group(2)) if m.group(2) else None
    if kind == "N":
        text = _fixed(value, 2 if precision is None else precision)
        int_part, _unused, frac = text.partition(".")
        return _group(int_part) + ("." + frac if frac else "")
    if kind == "F":
        return _fixed(value, 2 if precision is None else precision)
    if kind == "D":
        if isinstance(value, float):
            raise PSError("Error formatting a string: Format specifier was invalid..", fqid="FormatError",
                          category="InvalidOperation", reason="RuntimeException")
        digits = str(abs(int(value))).rjust(precision or 0, "0")
        return ("-" if value < 0 else "") + digits
    if kind == "X":
        num = int(value)
        if num < 0:
            num += 2 ** 32 if num >= -(2 ** 31) else 2 ** 64
        text = format(num, "X" if m.group(1) == "X" else "x")
        return text.rjust(precision or 0, "0")
    if kind == "P":
        text = _fixed(float(value) * 100, 2 if precision is None else precision)
        int_part, _unused, frac = text.partition(".")
        return _group(int_part) + ("." + frac if frac else "") + " %"
    if kind == "C":
        text = _fixed(abs(value), 2 if precision is None else precision)
        int_part, _unused, frac = text.partition(".")
        body = "$" + _group(int_part) + ("." + frac if frac else "")
        return f"({body})" if value < 0 else body
    if kind == "E":
        digits = 6 if precision is None else precision
        text = f"{float(value):.{digits}E}"
        mantissa, exp = text.split("E")
        sign = exp[0]
        return f"{mantissa}{'E' if m.group(1) == 'E' else 'e'}{sign}{exp[1:].lstrip('0').rjust(3, '0')}"
    return to_string(value)


def _custom_number(value: typing.Any, spec: str) -> str:
    """The common custom patterns: '0.00', '#,##0.0', '000', '0.##', with a literal prefix/suffix."""
    m = re.fullmatch(r"([^#0,.]*)([#0,]*)(?:\.([0#]+))?(.*)", spec)
    if not m or not m.group(2):
        return spec
    prefix, int_pat, frac_pat, suffix = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    percent = "%" in suffix
    num = float(value) * (100 if percent else 1)
    text = _fixed(num, len(frac_pat))
    int_part, _unused, frac = text.partition(".")
    negative = int_part.startswith("-")
    int_part = int_part.lstrip("-")
    min_frac = len(frac_pat.rstrip("#")) if frac_pat else 0
    if frac:
        frac = frac.rstrip("0").ljust(min_frac, "0")
    min_int = int_pat.replace(",", "").replace("#", "").count("0")
    int_part = int_part.lstrip("0").rjust(min_int, "0") if int_part != "0" or min_int else int_part
    if int_part == "0" and min_int == 0:
        int_part = ""
    if "," in int_pat and int_part:
        int_part = _group(int_part)
    body = int_part + ("." + frac if frac else "")
    return ("-" if negative and body.strip("0.,") else "") + prefix + body + suffix


_DT_TOKENS = re.compile(r"yyyy|yyy|yy|y|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|fffffff|ffffff|fffff|ffff|fff|ff|f|"
                        r"FFF|FF|F|tt|t|z{3,}|zz|z|K|'[^']*'|\"[^\"]*\"|\\.|.", re.S)


def format_datetime(value: datetime.datetime, spec: str) -> str:  # pylint: disable=too-many-return-statements,too-many-branches
    standard = {
        "d": "MM/dd/yyyy", "D": "dddd, MMMM d, yyyy", "t": "h:mm tt", "T": "h:mm:ss tt",
        "g": "M/d/yyyy h:mm tt", "G": "M/d/yyyy h:mm:ss tt", "f": "dddd, MMMM d, yyyy h:mm tt",
        "F": "dddd, MMMM d, yyyy h:mm:ss tt", "s": "yyyy-MM-ddTHH:mm:ss", "u": "yyyy-MM-dd HH:mm:ssZ",
        "o": "yyyy-MM-ddTHH:mm:ss.fffffffK", "O": "yyyy-MM-ddTHH:mm:ss.fffffffK", "M": "MMMM d", "m": "MMMM d",
        "y": "MMMM yyyy", "Y": "MMMM yyyy", "r": "ddd, dd MMM yyyy HH:mm:ss 'GMT'", "R": "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
    }
    if spec in standard:
        if spec == "d":
            spec = "M/d/yyyy"
        else:
            spec = standard[spec]
    out = []
    for tok in _DT_TOKENS.findall(spec):
        out.append(_dt_token(value, tok))
    return "".join(out)


def _dt_token(v: datetime.datetime, tok: str) -> str:  # pylint: disable=too-many-return-statements,too-many-branches
    if tok.startswith(("'", '"')):
        return tok[1:-1]
    if tok.startswith("\\") and len(tok) == 2:
        return tok[1]
    simple = {
        "yyyy": f"{v.year:04d}", "yyy": f"{v.year:03d}", "yy": f"{v.year % 100:02d}", "y": str(v.year % 100),
        "MMMM": v.strftime("%B"), "MMM": v.strftime("%b"), "MM": f"{v.month:02d}", "M": str(v.month),
        "dddd": v.strftime("%A"), "ddd": v.strftime("%a"), "dd": f"{v.day:02d}", "d": str(v.day),
        "HH": f"{v.hour:02d}", "H": str(v.hour), "hh": f"{(v.hour % 12) or 12:02d}", "h": str((v.hour % 12) or 12),
        "mm": f"{v.minute:02d}", "m": str(v.minute), "ss": f"{v.second:02d}", "s": str(v.second),
        "tt": "AM" if v.hour < 12 else "PM", "t": "A" if v.hour < 12 else "P",
    }
    if tok in simple:
        return simple[tok]
    if tok and set(tok) == {"f"}:
        return f"{v.microsecond * 10:07d}"[:len(tok)]
    if tok and set(tok) == {"F"}:
        return f"{v.microsecond * 10:07d}"[:len(tok)].rstrip("0")
    if len(tok) > 3 and set(tok) == {"z"}:
        tok = "zzz"  # DateTimeFormat.FormatCustomizedTimeZone: a run of three or more z is hours and minutes
    if tok in ("zzz", "zz", "z", "K"):
        offset = v.utcoffset()
        if offset is None:
            if tok == "K":
                return ""
            offset = datetime.datetime.now().astimezone().utcoffset() or datetime.timedelta()
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        hours, mins = divmod(abs(minutes), 60)
        if tok == "K" and minutes == 0 and v.tzinfo is not None:
            return "Z"
        if tok == "z":
            return f"{sign}{hours}"
        if tok == "zz":
            return f"{sign}{hours:02d}"
        return f"{sign}{hours:02d}:{mins:02d}"
    return tok


# Get-Date -UFormat in Windows PowerShell 5.1 (GetDateCommand.UFormatDateString): a leading '+' is dropped; each
# `%x` becomes a .NET date format (or a number computed at once), and the result is String.Format'ed with the date.
# Its own rules, not C strftime's: %s is (date - 1970-01-01).TotalSeconds as a Double (fractional, and from the
# date's wall clock whatever its Kind), %U and %W are DayOfYear / 7, %V that plus one, %u and %w (int)DayOfWeek
# (Sunday 0), %Z the "zz" offset; any other letter is itself.
_UFORMAT_DATES = {
    "A": "dddd", "B": "MMMM", "D": "MM/dd/yy", "G": "yyyy", "H": "HH", "I": "hh", "M": "mm", "R": "HH:mm", "S": "ss",
    "T": "HH:mm:ss", "X": "HH:mm:ss", "Y": "yyyy", "Z": "zz", "a": "ddd", "b": "MMM", "d": "dd", "g": "yy", "h": "MMM",
    "k": "HH", "l": "hh", "m": "MM", "p": "tt", "r": "hh:mm:ss tt", "x": "MM/dd/yy", "y": "yy",
}


def uformat_datetime(value: datetime.datetime, spec: str) -> str:
    out = []
    index = 1 if spec.startswith("+") else 0
    day_of_year = value.timetuple().tm_yday
    day_of_week = (value.weekday() + 1) % 7  # .NET DayOfWeek: Sunday 0
    while index < len(spec):
        char = spec[index]
        index += 1
        if char != "%" or index >= len(spec):
            out.append(char)
            continue
        code = spec[index]
        index += 1
        if code in _UFORMAT_DATES:
            out.append(format_datetime(value, _UFORMAT_DATES[code]))
        elif code == "C":
            out.append(str(value.year // 100))
        elif code == "c":
            out.append(f"{format_datetime(value, 'ddd')} {format_datetime(value, 'MMM')} {value.day:>2} "
                       f"{format_datetime(value, 'HH:mm:ss yyyy')}")
        elif code == "e":
            out.append(f"{value.day:>2}")
        elif code == "j":
            out.append(str(day_of_year))
        elif code in ("U", "W"):
            out.append(str(day_of_year // 7))
        elif code == "V":
            out.append(str(day_of_year // 7 + 1))
        elif code in ("u", "w"):
            out.append(str(day_of_week))
        elif code == "n":
            out.append("\n")
        elif code == "t":
            out.append("\t")
        elif code == "s":
            wall = datetime.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                     value.microsecond)
            seconds = (wall - datetime.datetime(1970, 1, 1)).total_seconds()
            out.append(f"{seconds:.15G}")  # Double.ToString(): 15 significant digits (.NET Framework's "G")
        else:
            out.append(code)
    return "".join(out)


def format_timespan_custom(value: datetime.timedelta, fmt: str) -> str:
    """TimeSpan.ToString(format) with a custom format (learn.microsoft.com dotnet/standard/base-types/
    custom-timespan-format-strings): d..dddddddd days (at least that many digits), h/hh hours, m/mm minutes, s/ss
    seconds (the component, not the total), f..fffffff tenths .. ten-millionths (truncated), F..FFFFFFF the same
    without trailing zeros, '...'/"..." literals, \\c one literal character; anything else is a FormatException
    ("Input string was not in a correct format."), as are the standard formats but "c" (the constant form)."""
    ticks = (value.days * 86400 + value.seconds) * 10_000_000 + value.microseconds * 10
    negative = ticks < 0
    ticks = abs(ticks)
    days, rest = divmod(ticks, 864_000_000_000)
    hours, rest = divmod(rest, 36_000_000_000)
    minutes, rest = divmod(rest, 600_000_000)
    seconds, fraction = divmod(rest, 10_000_000)
    if fmt in ("c", "t", "T"):
        text = (f"{days}." if days else "") + f"{hours:02}:{minutes:02}:{seconds:02}" + (f".{fraction:07}" if fraction else "")
        return ("-" if negative else "") + text
    bad = ValueError("Input string was not in a correct format.")
    if len(fmt) == 1:
        # A one-character format is a standard format: "c" above; "g"/"G" (culture-sensitive) are not modelled.
        if fmt in "gG":
            raise NotImplementedError(f"TimeSpan.ToString('{fmt}')")
        raise bad
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        run = 1
        while i + run < len(fmt) and fmt[i + run] == ch and ch in "dhmsfF":
            run += 1
        if ch == "d" and run <= 8:
            out.append(str(days).zfill(run))
        elif ch in "hms" and run <= 2:
            out.append(str({"h": hours, "m": minutes, "s": seconds}[ch]).zfill(run))
        elif ch in "fF" and run <= 7:
            digits = f"{fraction:07}"[:run]
            out.append(digits if ch == "f" else digits.rstrip("0"))
        elif ch in "'\"":
            end = fmt.find(ch, i + 1)
            if end < 0:
                raise bad
            out.append(fmt[i + 1:end])
            run = end - i + 1
        elif ch == "\\" and i + 1 < len(fmt):
            out.append(fmt[i + 1])
            run = 2
        else:
            raise bad
        i += run
    return "".join(out)
