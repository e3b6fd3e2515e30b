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
from ..typeregistry import net_method, net_property
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

    @net_property("Success")
    def _success(self) -> bool:
        return self._span() is not None

    @net_property("Value")
    def _value(self) -> str:
        span = self._span()
        return "" if span is None else self.match.string[span[0]:span[1]]

    @net_property("Index")
    def _index(self) -> int:
        span = self._span()
        return 0 if span is None else span[0]

    @net_property("Length")
    def _length(self) -> int:
        span = self._span()
        return 0 if span is None else span[1] - span[0]

    @net_property("Name")
    def _name(self) -> str:
        return self.name

    def to_string(self) -> str:
        return V.to_string(self._value())


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

    @net_property("Count")
    def _count(self) -> int:
        return 0 if self.match is None else self.match.re.groups + 1

    @net_method("get_Item", "Item")
    def _item(self, key: typing.Any) -> Group:
        return self.item(key)


class Match(Group):
    type_names = ["System.Text.RegularExpressions.Match", "System.Text.RegularExpressions.Group",
                  "System.Text.RegularExpressions.Capture", "System.Object"]

    def __init__(self, match: re.Match | None) -> None:
        super().__init__(match, 0, "0")
        self.groups = GroupCollection(match)

    @net_property("Groups")
    def _groups(self) -> GroupCollection:
        return self.groups


class MatchCollection(NetObject, list):
    type_names = ["System.Text.RegularExpressions.MatchCollection", "System.Object"]

    @net_property("Count")
    def _count(self) -> int:
        return len(self)

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class Regex(NetObject):
    type_names = ["System.Text.RegularExpressions.Regex", "System.Object"]

    def __init__(self, pattern: str, ignore_case: bool = False) -> None:
        self.pattern = pattern
        self.compiled = V.compile_regex(pattern, case_sensitive=not ignore_case)

    @net_method("Matches")
    def _matches(self, text: typing.Any) -> "MatchCollection":
        return MatchCollection(Match(m) for m in self.compiled.finditer(V.to_string(text)))

    @net_method("Match")
    def _match(self, text: typing.Any) -> Match:
        return Match(self.compiled.search(V.to_string(text)))

    @net_method("IsMatch")
    def _is_match(self, text: typing.Any) -> bool:
        return self.compiled.search(V.to_string(text)) is not None

    @net_method("Replace")
    def _replace(self, text: typing.Any, replacement: typing.Any) -> str:
        return self.compiled.sub(V.dotnet_replacement(V.to_string(replacement)), V.to_string(text))

    @net_method("Split")
    def _split(self, text: typing.Any) -> list:
        return self.compiled.split(V.to_string(text))

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
