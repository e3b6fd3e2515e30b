"""System.Text.StringBuilder and System.IO.StringWriter (what module_wrapper.ps1 captures console output in).

Members as the .NET docs give them: StringBuilder() / (string) / (int capacity), Append(value),
AppendLine([value]) (Environment.NewLine is "\r\n" on Windows), Length, ToString(); StringWriter(StringBuilder)
writes into that builder (Write, WriteLine, ToString, GetStringBuilder, Dispose/Close).
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, _overload, void
from ..typeregistry import MISSING
from ..errors import method_exception


class StringBuilder(NetObject):
    type_names = ["System.Text.StringBuilder", "System.Object"]

    def __init__(self, text: str = "") -> None:
        self.parts: list[str] = [text] if text else []

    def text(self) -> str:
        return "".join(self.parts)

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "length":
            return len(self.text())
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "append":
            if len(args) != 1:
                # Append(char, repeatCount), Append(string, start, count): not needed by the scripts modelled.
                raise _overload("Append", len(args))
            self.parts.append(V.to_string(args[0]))
            return self
        if low == "appendline":
            if len(args) > 1:
                raise _overload("AppendLine", len(args))
            self.parts.append((V.to_string(args[0]) if args else "") + "\r\n")
            return self
        if low == "clear":
            self.parts = []
            return self
        return super().call(name, args)

    def to_string(self) -> str:
        return self.text()


def _new_builder(args: list) -> StringBuilder:
    if not args:
        return StringBuilder()
    if len(args) == 1:
        if isinstance(args[0], int) and not isinstance(args[0], bool):
            if args[0] < 0:
                raise method_exception("new", 1, "'capacity' must be greater than zero.\r\nParameter name: capacity",
                                       "System.ArgumentOutOfRangeException")
            return StringBuilder()
        return StringBuilder(V.to_string(args[0]))
    raise _overload("new", len(args))


typeregistry.register(typeregistry.NetType(
    "System.Text.StringBuilder", constructor=_new_builder,
    instance_check=lambda value: isinstance(value, StringBuilder)))


class StringWriter(NetObject):
    type_names = ["System.IO.StringWriter", "System.IO.TextWriter", "System.MarshalByRefObject", "System.Object"]

    def __init__(self, builder: StringBuilder) -> None:
        self.builder = builder
        self.closed = False

    def _write(self, method: str, text: str) -> None:
        if self.closed:
            raise method_exception(method, 1, "Cannot write to a closed TextWriter.", "System.ObjectDisposedException")
        self.builder.parts.append(text)

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "write":
            if len(args) != 1:
                raise _overload("Write", len(args))
            self._write("Write", V.to_string(args[0]))
            return void()
        if low == "writeline":
            self._write("WriteLine", (V.to_string(args[0]) if args else "") + "\r\n")
            return void()
        if low in ("dispose", "close"):
            self.closed = True
            return super().call(name, args)
        if low == "getstringbuilder":
            return self.builder
        if low == "flush":
            return void()
        return super().call(name, args)

    def to_string(self) -> str:
        return self.builder.text()


def _new_writer(args: list) -> StringWriter:
    if not args:
        return StringWriter(StringBuilder())
    if len(args) == 1 and isinstance(args[0], StringBuilder):
        return StringWriter(args[0])
    if len(args) == 1 and args[0] is None:
        raise method_exception("new", 1, "Value cannot be null.\r\nParameter name: sb", "System.ArgumentNullException")
    raise _overload("new", len(args))


typeregistry.register(typeregistry.NetType(
    "System.IO.StringWriter", constructor=_new_writer, base_types=("System.IO.TextWriter", "System.Object"),
    instance_check=lambda value: isinstance(value, StringWriter)))
