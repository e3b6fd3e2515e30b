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
from ..typeregistry import net_method, net_property
from ..errors import method_exception


class StringBuilder(NetObject):
    type_names = ["System.Text.StringBuilder", "System.Object"]

    def __init__(self, text: str = "") -> None:
        self.parts: list[str] = [text] if text else []

    def text(self) -> str:
        return "".join(self.parts)

    @net_property("Length")
    def _length(self) -> int:
        return len(self.text())

    # Append(char, repeatCount), Append(string, start, count): not needed by the scripts modelled.
    @net_method("Append")
    def _append(self, value: typing.Any) -> "StringBuilder":
        self.parts.append(V.to_string(value))
        return self

    @net_method("AppendLine")
    def _append_line(self, value: typing.Any = "") -> "StringBuilder":
        self.parts.append(V.to_string(value) + "\r\n")
        return self

    @net_method("Clear")
    def _clear(self, *args: typing.Any) -> "StringBuilder":
        del args
        self.parts = []
        return self

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

    @net_method("Write")
    def _write_method(self, value: typing.Any) -> typing.Any:
        self._write("Write", V.to_string(value))
        return void()

    @net_method("WriteLine")
    def _write_line(self, *args: typing.Any) -> typing.Any:
        self._write("WriteLine", (V.to_string(args[0]) if args else "") + "\r\n")
        return void()

    @net_method("Dispose", "Close")
    def _close(self, *args: typing.Any) -> typing.Any:
        del args
        self.closed = True
        return void()

    @net_method("GetStringBuilder")
    def _get_string_builder(self, *args: typing.Any) -> StringBuilder:
        del args
        return self.builder

    @net_method("Flush")
    def _flush(self, *args: typing.Any) -> typing.Any:
        del args
        return void()

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
