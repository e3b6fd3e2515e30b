"""System.Text.RegularExpressions.Regex objects: `[Regex]"pattern"`, `[Regex]::new(pattern)`, and their matches.

As the .NET docs give them: a Regex made from a string is case-sensitive (RegexOptions.None; PowerShell's
-match operators are the case-insensitive ones); `Matches(input)` is a MatchCollection (Count, indexing,
enumeration) of Match objects (Success, Value, Index, Length, Groups); `Groups["name"]` / `Groups[n]` is a
Group (Success, Value, Index, Length), and a group that did not take part in the match has Success $false
and Value ""; `Match(input)` gives a Match whose Success may be $false; `IsMatch`, `Replace`, `Split`,
ToString() the pattern. Static members stay where they were (members.py).
"""

from __future__ import annotations

import re
import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, _overload
from ..typeregistry import MISSING
from ..shouldprocess import not_modelled


class Group(NetObject):
    type_names = ["System.Text.RegularExpressions.Group", "System.Text.RegularExpressions.Capture", "System.Object"]

    def __init__(self, match: re.Match | None, index: typing.Any, name: str) -> None:
        self.match = match
        self.index = index
        self.name = name

    def _span(self) -> tuple[int, int] | None:
        if self.match is None:
            return None
        try:
            start, end = self.match.span(self.index)
        except (IndexError, error_types()):
            return None
        return None if start < 0 else (start, end)

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        span = self._span()
        if low == "success":
            return span is not None
        if low == "value":
            return "" if span is None else self.match.string[span[0]:span[1]]
        if low == "index":
            return 0 if span is None else span[0]
        if low == "length":
            return 0 if span is None else span[1] - span[0]
        if low == "name":
            return self.name
        return MISSING

    def to_string(self) -> str:
        return V.to_string(self.get_member("Value"))


def error_types() -> type:
    return re.error


class GroupCollection(NetObject):
    type_names = ["System.Text.RegularExpressions.GroupCollection", "System.Object"]

    def __init__(self, match: re.Match | None) -> None:
        self.match = match

    def item(self, key: typing.Any) -> Group:
        if self.match is None:
            return Group(None, 0, V.to_string(key))
        if isinstance(key, int) and not isinstance(key, bool):
            if 0 <= key <= self.match.re.groups:
                names = {v: k for k, v in self.match.re.groupindex.items()}
                return Group(self.match, key, names.get(key, str(key)))
            return Group(None, 0, str(key))
        name = V.to_string(key)
        if name in self.match.re.groupindex:
            return Group(self.match, name, name)
        if name.isdigit():
            return self.item(int(name))
        # .NET: an unknown group name gives Group.Empty-like group (Success false), not an error.
        return Group(None, 0, name)

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "count":
            return 0 if self.match is None else self.match.re.groups + 1
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() in ("get_item", "item"):
            return self.item(args[0])
        return super().call(name, args)


class Match(Group):
    type_names = ["System.Text.RegularExpressions.Match", "System.Text.RegularExpressions.Group",
                  "System.Text.RegularExpressions.Capture", "System.Object"]

    def __init__(self, match: re.Match | None) -> None:
        super().__init__(match, 0, "0")
        self.groups = GroupCollection(match)

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "groups":
            return self.groups
        return super().get_member(name)


class MatchCollection(NetObject, list):
    type_names = ["System.Text.RegularExpressions.MatchCollection", "System.Object"]

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "count":
            return len(self)
        return MISSING

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class Regex(NetObject):
    type_names = ["System.Text.RegularExpressions.Regex", "System.Object"]

    def __init__(self, pattern: str, ignore_case: bool = False) -> None:
        self.pattern = pattern
        self.compiled = V.compile_regex(pattern, case_sensitive=not ignore_case)

    def call(self, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements
        low = name.lower()
        if low in ("matches", "match", "ismatch"):
            if len(args) != 1:
                raise _overload(name, len(args))
            text = V.to_string(args[0])
            if low == "matches":
                return MatchCollection(Match(m) for m in self.compiled.finditer(text))
            found = self.compiled.search(text)
            return found is not None if low == "ismatch" else Match(found)
        if low == "replace":
            if len(args) != 2:
                raise _overload("Replace", len(args))
            return self.compiled.sub(V.dotnet_replacement(V.to_string(args[1])), V.to_string(args[0]))
        if low == "split":
            if len(args) != 1:
                raise _overload("Split", len(args))
            return self.compiled.split(V.to_string(args[0]))
        return super().call(name, args)

    def to_string(self) -> str:
        return self.pattern


def _to_regex(value: typing.Any) -> Regex:
    if isinstance(value, Regex):
        return value
    return Regex(V.to_string(value))


def _new_regex(args: list) -> Regex:
    if len(args) == 1:
        return _to_regex(args[0])
    if len(args) == 2:
        options = V.to_string(args[1]).lower()
        if options.replace(" ", "") not in ("ignorecase", "none"):
            raise not_modelled(f"RegexOptions '{V.to_string(args[1])}'")
        return Regex(V.to_string(args[0]), ignore_case=options == "ignorecase")
    raise _overload("new", len(args))


typeregistry.register(typeregistry.NetType(
    "System.Text.RegularExpressions.Regex", accelerators=("regex",), constructor=_new_regex, convert=_to_regex,
    instance_check=lambda value: isinstance(value, Regex)))
