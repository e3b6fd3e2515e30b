"""A string to System.DateTime as PowerShell converts it: DateTime.Parse(text, CultureInfo.InvariantCulture); and to
System.TimeSpan: TimeSpan.Parse(text, CultureInfo.InvariantCulture) (at the end).

LanguagePrimitives converts a string to DateTime through the type's Parse(string, IFormatProvider) with the invariant
culture (ConvertViaParseMethod; a cast passes CultureInfo.InvariantCulture), so `[datetime]'...'` accepts what .NET's
DateTime.Parse accepts in that culture (learn.microsoft.com "DateTime.Parse", "Standard date and time format
strings": the invariant culture's short date is MM/dd/yyyy, its month and day names English). The forms modelled:

- ISO 8601 and its relatives: `yyyy-MM-dd`, `yyyy/M/d`, `yyyy-MM` (the first of the month), with a time after `T` or
  blanks;
- the invariant culture's order, month first: `M/d/yyyy`, `M-d-yyyy`, a two-digit year in 1930..2029
  (GregorianCalendar.TwoDigitYearMax 2029);
- month names and abbreviations: `Dec 3, 2026`, `3 December 2026`, `December 2026`, RFC 1123's
  `Thu, 03 Dec 2026 06:07:08 GMT` (a leading day name is accepted);
- a time: `H:mm`, `H:mm:ss`, fractional seconds to seven digits (ticks), `AM`/`PM`, or `h AM`; a time alone is
  today's date;
- `Z`, `GMT`, `UTC` or an offset (`+01:00`, `+0100`, `+01`) after the time: converted to local time (Kind Local),
  as DateTime.Parse does without DateTimeStyles.

A string with none of these shapes that holds a digit is a form the test host does not model: it trips, it is
not called invalid. Values out of range (month 13, Feb 30, hour 24) are .NET's FormatException, "String was not
recognized as a valid DateTime."
"""

from __future__ import annotations

import datetime
import re

_MONTHS = {name: i + 1 for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"))}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAME = "(?:" + "|".join(d + "|" + d[:3] for d in _DAYS) + r")\.?,?\s*"
_MONTH_NAME = "(?P<mname>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

_TIME = (r"(?:(?P<hour>\d{1,2}):(?P<minute>\d{1,2})(?::(?P<second>\d{1,2})(?:\.(?P<fraction>\d{1,7}))?)?"
         r"\s*(?P<ampm>[AaPp][Mm])?|(?P<hour12>\d{1,2})\s*(?P<ampm12>[AaPp][Mm]))")
_ZONE = r"(?P<zone>[Zz]|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)"
_TAIL = r"(?:(?:\s*[Tt]\s*|\s+)" + _TIME + r")?\s*" + _ZONE + r"?\s*"

_FORMS = [re.compile("^" + form + "$", re.I) for form in (
    r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})(?:[-/.](?P<day>\d{1,2}))?" + _TAIL,
    r"(?P<month>\d{1,2})[-/.](?P<day>\d{1,2})[-/.](?P<year>\d{2}|\d{4})" + _TAIL,
    "(?:" + _DAY_NAME + ")?" + r"(?P<day>\d{1,2})\s+" + _MONTH_NAME + r",?\s+(?P<year>\d{4})" + _TAIL,
    "(?:" + _DAY_NAME + ")?" + _MONTH_NAME + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})" + _TAIL,
    _MONTH_NAME + r",?\s+(?P<year>\d{4})" + _TAIL,
    r"\s*" + _TIME + r"\s*" + _ZONE + r"?\s*",
)]


class NotADate(ValueError):
    """.NET's FormatException: String was not recognized as a valid DateTime."""


class NotModelled(ValueError):
    """A string DateTime.Parse may read but the test host does not model."""


def _offset(zone: str) -> datetime.timedelta:
    if zone.upper() in ("Z", "GMT", "UTC"):
        return datetime.timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:-2] if len(digits) > 2 else digits), int(digits[-2:]) if len(digits) > 2 else 0
    if hours > 14 or minutes > 59:
        raise NotADate(zone)
    return sign * datetime.timedelta(hours=hours, minutes=minutes)


def _hour(parts: dict) -> int:
    hour = int(parts["hour"] if parts["hour"] is not None else parts["hour12"])
    ampm = parts["ampm"] or parts["ampm12"]
    if ampm:
        if not 1 <= hour <= 12:
            raise NotADate(ampm)
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    return hour


def parse_datetime(text: str, today: datetime.date) -> datetime.datetime:
    """The DateTime of `text` (naive: Kind Unspecified, or Local when the string named an offset)."""
    for form in _FORMS:
        match = form.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        try:
            if parts.get("year") is not None:
                year = int(parts["year"])
                if len(parts["year"]) == 2:
                    year += 2000 if year <= 29 else 1900
                month = _MONTHS[parts["mname"].lower()] if parts.get("mname") else int(parts["month"])
                day = int(parts["day"]) if parts.get("day") is not None else 1
                date = datetime.date(year, month, day)
            else:
                date = today
            hour = minute = second = micro = 0
            if parts["hour"] is not None or parts["hour12"] is not None:
                hour = _hour(parts)
                minute = int(parts["minute"] or 0)
                second = int(parts["second"] or 0)
                # Seven digits are ticks (100 ns); the host's clock keeps microseconds.
                micro = int(((parts["fraction"] or "") + "0000000")[:7]) // 10
            value = datetime.datetime(date.year, date.month, date.day, hour, minute, second, micro)
        except ValueError:
            raise NotADate(text) from None
        if parts["zone"]:
            # An offset: the instant in local time (DateTimeKind.Local).
            instant = value.replace(tzinfo=datetime.timezone(_offset(parts["zone"])))
            value = instant.astimezone().replace(tzinfo=None)
        return value
    if any(c.isdigit() for c in text):
        raise NotModelled(text)
    raise NotADate(text)


# TimeSpan.Parse(string, IFormatProvider) (learn.microsoft.com "TimeSpan.Parse"): [ws][-]{ d | [d.]hh:mm[:ss[.ff]] }[ws],
# hours 0-23, minutes and seconds 0-59, a fraction of up to seven digits.
_SPAN = re.compile(r"^\s*(?P<neg>-)?(?:(?P<days_only>\d+)|(?:(?P<days>\d+)\.)?(?P<h>\d+):(?P<m>\d+)"
                   r"(?::(?P<s>\d+)(?:\.(?P<f>\d+))?)?)\s*$")


class SpanOverflow(ValueError):
    """.NET's OverflowException: a TimeSpan component out of range."""


def parse_timespan(text: str) -> datetime.timedelta:
    match = _SPAN.match(text)
    if match is None:
        raise NotADate(text)
    parts = match.groupdict()
    if parts["days_only"] is not None:
        span = datetime.timedelta(days=int(parts["days_only"]))
    else:
        hours, minutes, seconds = int(parts["h"]), int(parts["m"]), int(parts["s"] or 0)
        fraction = parts["f"] or ""
        if hours > 23 or minutes > 59 or seconds > 59 or len(fraction) > 7:
            raise SpanOverflow(text)
        span = datetime.timedelta(days=int(parts["days"] or 0), hours=hours, minutes=minutes, seconds=seconds,
                                  microseconds=int((fraction + "0000000")[:7]) // 10)
    if span.days > 10675199:
        raise SpanOverflow(text)
    return -span if parts["neg"] else span
