"""Dates' companions: System.DateTimeKind, System.TimeZoneInfo.Local, System.Globalization.CultureInfo.InvariantCulture.

What ansible.windows' date_time facts read (setup.ps1): `[DateTimeKind]::Utc` (a DateTime's constructor argument),
`[System.TimeZoneInfo]::Local.Id` and `$date.ToString("dddd", [CultureInfo]::InvariantCulture)`.

- DateTimeKind (learn.microsoft.com "DateTimeKind Enum"): Unspecified 0, Utc 1, Local 2.
- TimeZoneInfo.Local: the machine's time zone. The test host's clock is its local one (DateTime.Now is the Python
  process's local time); modelled only when that is UTC, the zone whose Windows Id is "UTC" (StandardName and
  DisplayName as Windows names it: "Coordinated Universal Time", "(UTC) Coordinated Universal Time"; learn.microsoft.com
  "Default Time Zones"). Any other local offset, and TimeZoneInfo's other members, trip.
- CultureInfo: only InvariantCulture (Name "", DisplayName "Invariant Language (Invariant Country)"); the test host
  formats dates with English names, which are the invariant culture's, so a DateTime.ToString(format, invariant) is
  ToString(format). CurrentCulture and the other members trip.
"""

from __future__ import annotations

import datetime
import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject
from ..errors import method_exception
from ..tripwire import trip
from ..typeregistry import net_property
from .enums import declare_enum

declare_enum("System.DateTimeKind", {"Unspecified": 0, "Utc": 1, "Local": 2})


class TimeZone(NetObject):
    type_names = ["System.TimeZoneInfo", "System.Object"]

    # TimeZoneInfo has no other property.
    @net_property("Id")
    def _id(self) -> str:
        return "UTC"

    @net_property("StandardName", "DaylightName")
    def _standard_name(self) -> str:
        return "Coordinated Universal Time"

    @net_property("DisplayName")
    def _display_name(self) -> str:
        return "(UTC) Coordinated Universal Time"

    @net_property("SupportsDaylightSavingTime")
    def _supports_daylight_saving_time(self) -> bool:
        return False

    @net_property("BaseUtcOffset")
    def _base_utc_offset(self) -> datetime.timedelta:
        return datetime.timedelta(0)

    def to_string(self) -> str:
        return self._display_name()


def _local_zone() -> TimeZone:
    offset = datetime.datetime.now().astimezone().utcoffset()
    if offset != datetime.timedelta(0):
        raise trip(f"[System.TimeZoneInfo]::Local for a machine whose local offset is {offset} (only UTC is modelled)")
    return TimeZone()


typeregistry.register(typeregistry.NetType(
    "System.TimeZoneInfo", static_properties={"Local": _local_zone, "Utc": TimeZone}))


class Culture(NetObject):
    type_names = ["System.Globalization.CultureInfo", "System.Object"]
    # CultureInfo's other properties (learn.microsoft.com "CultureInfo Class"), not modelled.
    net_not_modelled = (
        "Calendar", "CompareInfo", "CultureTypes", "DateTimeFormat", "IsNeutralCulture", "IsReadOnly", "KeyboardLayoutId",
        "LCID", "NativeName", "NumberFormat", "OptionalCalendars", "Parent", "TextInfo", "ThreeLetterISOLanguageName",
        "ThreeLetterWindowsLanguageName", "TwoLetterISOLanguageName", "UseUserOverride")

    @net_property("Name", "IetfLanguageTag")
    def _name(self) -> str:
        return ""

    @net_property("DisplayName", "EnglishName")
    def _display_name(self) -> str:
        return "Invariant Language (Invariant Country)"

    def to_string(self) -> str:
        return ""


def _culture_not_modelled(member: str) -> typing.Callable[[], typing.Any]:
    def get() -> typing.Any:
        raise trip(f"[System.Globalization.CultureInfo]::{member} (only InvariantCulture is modelled)")
    return get


typeregistry.register(typeregistry.NetType(
    "System.Globalization.CultureInfo", accelerators=("cultureinfo",),
    static_properties={"InvariantCulture": Culture,
                       **{m: _culture_not_modelled(m)
                          for m in ("CurrentCulture", "CurrentUICulture", "InstalledUICulture",
                                    "DefaultThreadCurrentCulture")}},
    instance_check=lambda value: isinstance(value, Culture)))


def _from_file_time_utc(args: list) -> typing.Any:
    """DateTime.FromFileTimeUtc(Int64): a Windows file time (100 ns intervals since 1601-01-01 UTC) as a Utc DateTime."""
    if len(args) != 1:
        raise method_exception("FromFileTimeUtc", len(args),
                               f'Cannot find an overload for "FromFileTimeUtc" and the argument count: "{len(args)}".')
    ticks = int(V.cast(args[0], V.TypeValue("System.Int64")))
    if ticks < 0:
        raise method_exception("FromFileTimeUtc", 1, "Not a valid Win32 FileTime.\r\nParameter name: fileTime",
                               "System.ArgumentOutOfRangeException")
    value = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=ticks // 10)
    return V.to_datetime(value)


# System.DateTime's static methods declared here; its other members are still members.py's.
typeregistry.register(typeregistry.NetType("System.DateTime", static_methods={"FromFileTimeUtc": _from_file_time_utc}))
