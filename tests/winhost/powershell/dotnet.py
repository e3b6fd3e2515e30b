""".NET objects and static members beyond the value model: byte[], file streams, System.IO.File /
Directory / Path, base64, SHA-1/SHA-256/MD5, text encodings, BitConverter, and $host.

Objects that are neither values nor property bags derive from ``NetObject``; members.py asks
them for properties and methods. Static members that need the host (the filesystem) find the
runspace being run in this thread through ``current_runspace()``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
import string
import threading
import typing
import uuid

from psrpcore.types import PSInt64, PSObject, PSVersion
from psrpcore.types._base import PSNoteProperty

from . import typeregistry
from .errors import PSError, make_exception, method_exception, method_not_found
from .typeregistry import MISSING
from ..machine.disk import FSError, parent_of

if typing.TYPE_CHECKING:  # pragma: no cover
    from .runspace import Runspace

_LOCAL = threading.local()


def set_current_runspace(runspace: typing.Any) -> typing.Any:
    previous = getattr(_LOCAL, "runspace", None)
    _LOCAL.runspace = runspace
    return previous


def current_runspace() -> "Runspace":
    runspace = getattr(_LOCAL, "runspace", None)
    if runspace is None:
        raise PSError("No runspace is running in this thread.", fqid="NoRunspace")
    return runspace


def filesystem() -> typing.Any:
    return current_runspace().host.filesystem


def _ps_str(value: typing.Any) -> str:
    from .values import to_string  # pylint: disable=import-outside-toplevel  # values imports this module lazily

    return to_string(value)


def _int(value: typing.Any) -> int:
    from .values import TypeValue, cast  # pylint: disable=import-outside-toplevel

    return int(cast(value, TypeValue("System.Int32")))


class ByteArray(list):
    """System.Byte[]: a fixed-size list of ints 0..255 (a list, so indexing, .Length and enumeration work)."""


def to_byte_array(value: typing.Any) -> ByteArray:
    if isinstance(value, ByteArray):
        return value
    if isinstance(value, (bytes, bytearray)):
        return ByteArray(value)
    from .values import TypeValue, as_list, cast  # pylint: disable=import-outside-toplevel

    return ByteArray(int(cast(v, TypeValue("System.Byte"))) for v in as_list(value))


def _bytes_arg(method: str, argc: int, value: typing.Any, name: str) -> ByteArray:
    if value is None:
        raise method_exception(method, argc, f"Value cannot be null.\r\nParameter name: {name}", "System.ArgumentNullException")
    if not isinstance(value, ByteArray):
        return to_byte_array(value)
    return value


def _range_check(method: str, argc: int, buf: list, offset: int, count: int) -> None:
    if offset < 0 or count < 0:
        name = "offset" if offset < 0 else "count"
        raise method_exception(method, argc, f"Non-negative number required.\r\nParameter name: {name}",
                               "System.ArgumentOutOfRangeException")
    if offset + count > len(buf):
        raise method_exception(method, argc, "Offset and length were out of bounds for the array or count is greater than the "
                               "number of elements from index to the end of the source collection.", "System.ArgumentException")


def _fs_error(method: str, argc: int, err: FSError) -> PSError:
    return method_exception(method, argc, err.message, err.exception_type)


# Set by tripwire.py as it loads (it imports this module): the error of reading a member Windows has that a class
# declares it does not model (net_not_modelled), so the trip is the tripwire's, with its note to the host.
_TRIP: list[typing.Callable[[str], PSError]] = []


def use_tripwire(trip: typing.Callable[[str], PSError]) -> None:
    _TRIP[:] = [trip]


def _trip(what: str) -> PSError:
    if not _TRIP:  # pragma: no cover  # tripwire.py is imported by members.py, before any member is read
        raise RuntimeError("tripwire.py is not loaded")
    return _TRIP[0](what)


_OBJECT_METHODS = ("tostring", "gettype", "equals", "gethashcode")


class NetObject:
    """A live .NET object: type names, properties, methods and its ToString().

    Its instance members are declared on the class (typeregistry.net_property / net_setter / net_method,
    `net_not_modelled`, `net_not_modelled_methods`; see typeregistry.py) and dispatched here from the class's
    MemberTable, built once per class by __init_subclass__ and inherited. A class may still override get_member /
    set_member / call (the old style); calling super() reaches its declared members."""

    type_names: list[str] = ["System.Object"]
    # The .NET type name trips name (default: type_names[0]); a class whose runtime type is internal
    # (SystemIPGlobalProperties) names the public one.
    net_type_name: str | None = None
    net_members: typeregistry.MemberTable = typeregistry.MemberTable()
    # True: the class declares every member the test host models and any other member read or method call (but
    # System.Object's ToString/GetType/Equals/GetHashCode) is not modelled (net_not_modelled_error), as for an engine
    # object whose .NET type has many more members than the host gives; "members" or "methods": only those.
    net_closed: bool | str = False

    def __init_subclass__(cls, **kwargs: typing.Any) -> None:
        super().__init_subclass__(**kwargs)
        bases = [base.net_members for base in cls.__bases__
                 if isinstance(getattr(base, "net_members", None), typeregistry.MemberTable)]
        cls.net_members = typeregistry.build_member_table(cls, bases)

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        """The error of reading (kind "member") or calling ("method") a declared not-modelled member: the tripwire's
        trip, "The member 'x' of [T]". A stand-in whose gaps are its own NotImplemented errors overrides it; None for
        a member read means "not there" ($null, as with the tripwire off), never for a method."""
        return _trip(f"The {kind} '{name}' of [{self.net_type_name or self.type_names[0]}]")

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        table = type(self).net_members
        prop = table.properties.get(low)
        if prop is not None:
            return prop.getter(self)
        if low in table.not_modelled or self.net_closed in (True, "members"):
            error = self.net_not_modelled_error("member", name)
            if error is not None:
                raise error
        return MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        prop = type(self).net_members.properties.get(name.lower())
        if prop is None or prop.setter is None:
            return False
        prop.setter(self, value)
        return True

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        table = type(self).net_members
        overloads = table.methods.get(low)
        if overloads:
            for method in overloads:
                if method.accepts(len(args)):
                    return method.func(self, *args)
            raise _overload(overloads[0].name, len(args))
        if low in table.not_modelled_methods or (self.net_closed in (True, "methods") and low not in _OBJECT_METHODS):
            error = self.net_not_modelled_error("method", name)
            if error is not None:
                raise error
        return self._object_method(name, args)

    def _object_method(self, name: str, args: list) -> typing.Any:
        """System.Object's methods (and Dispose/Close, which every disposable object here takes as a no-op)."""
        low = name.lower()
        if low == "tostring":
            return self.to_string()
        if low == "gettype":
            from .values import TypeValue  # pylint: disable=import-outside-toplevel

            return TypeValue(self.type_names[0])
        if low in ("dispose", "close"):
            return void()
        if low == "equals":
            return args[0] is self
        if low == "gethashcode":
            return id(self) & 0x7FFFFFFF
        raise method_not_found(self.type_names[0], name)

    def to_string(self) -> str:
        return self.type_names[0]

    def wire_properties(self) -> list[tuple[str, typing.Any]]:
        return []

    def to_wire(self) -> PSObject:
        obj = PSObject()
        obj.PSObject.type_names = list(self.type_names)
        for key, value in self.wire_properties():
            add_note(obj, key, value)
        obj.PSObject.to_string = self.to_string()
        return obj


class Enumerator(NetObject):
    """An IEnumerator such as `$input`: enumerating it (foreach, the pipeline, @()) consumes it from where it stands,
    so a `foreach` left by `break` leaves the rest for the next reader, and a second full read gives nothing
    (about_Automatic_Variables: $input is an enumerator; Reset() starts it again)."""

    type_names = ["System.Collections.ArrayList+ArrayListEnumeratorSimple", "System.Collections.IEnumerator",
                  "System.Object"]

    def __init__(self, items: list) -> None:
        self.items = list(items)
        self.position = 0
        self.current: typing.Any = None

    def iterate(self) -> typing.Iterator[typing.Any]:
        while self.position < len(self.items):
            self.current = self.items[self.position]
            self.position += 1
            yield self.current

    def drain(self) -> list:
        return list(self.iterate())

    @typeregistry.net_property("Current")
    def _current(self) -> typing.Any:
        return self.current

    @typeregistry.net_method("MoveNext")
    def _move_next(self) -> bool:
        return next(self.iterate(), MISSING) is not MISSING

    @typeregistry.net_method("Reset")
    def _reset(self) -> typing.Any:
        self.position, self.current = 0, None
        return void()


class _Void:
    """Marker for .NET void methods (System.Void): the call produces no pipeline output."""


_VOID = _Void()


def is_void(value: typing.Any) -> bool:
    return value is _VOID


def void_value() -> typing.Any:
    return _VOID


def void() -> typing.Any:
    return _VOID


def add_note(obj: PSObject, name: str, value: typing.Any) -> None:
    obj.PSObject.extended_properties.append(PSNoteProperty(name, value=value))


# --------------------------------------------------------------------------- streams

class FileStream(NetObject):
    type_names = ["System.IO.FileStream", "System.IO.Stream", "System.MarshalByRefObject", "System.Object"]

    def __init__(self, fs: typing.Any, node: typing.Any, name: str, can_read: bool, can_write: bool, append: bool = False) -> None:
        self.fs = fs
        self.node = node
        self.name = name
        self.can_read = can_read
        self.can_write = can_write
        self.position = len(node.data) if append else 0
        self.closed = False

    def _check_open(self, method: str, argc: int) -> None:
        if self.closed:
            raise method_exception(method, argc, "Cannot access a closed file.", "System.ObjectDisposedException")

    @typeregistry.net_property("Length")
    def _length(self) -> PSInt64:
        if self.closed:
            raise PSError('Exception getting "Length": "Cannot access a closed file."', fqid="ExceptionWhenGetting",
                          exception_type="System.Management.Automation.GetValueInvocationException")
        return PSInt64(len(self.node.data))

    @typeregistry.net_property("Position")
    def _position(self) -> PSInt64:
        return PSInt64(self.position)

    @typeregistry.net_setter("Position")
    def _set_position(self, value: typing.Any) -> None:
        self.position = _int(value)

    @typeregistry.net_property("Name")
    def _name(self) -> str:
        return self.name

    @typeregistry.net_property("CanRead")
    def _can_read(self) -> bool:
        return self.can_read and not self.closed

    @typeregistry.net_property("CanSeek")
    def _can_seek(self) -> bool:
        return not self.closed

    @typeregistry.net_property("CanWrite")
    def _can_write(self) -> bool:
        return self.can_write and not self.closed

    # The methods check the stream is open before their argument count, as FileStream's do: *args, checked inside.
    @typeregistry.net_method("Read")
    def _read(self, *args: typing.Any) -> int:
        argc = len(args)
        self._check_open("Read", argc)
        if argc != 3:
            raise _overload("Read", argc)
        buf = _bytes_arg("Read", argc, args[0], "array")
        offset, count = _int(args[1]), _int(args[2])
        _range_check("Read", argc, buf, offset, count)
        if not self.can_read:
            raise method_exception("Read", argc, "Stream does not support reading.", "System.NotSupportedException")
        data = self.node.data[self.position:self.position + count]
        buf[offset:offset + len(data)] = data
        self.position += len(data)
        return len(data)

    @typeregistry.net_method("ReadByte")
    def _read_byte(self, *args: typing.Any) -> int:
        self._check_open("ReadByte", len(args))
        if self.position >= len(self.node.data):
            return -1
        self.position += 1
        return self.node.data[self.position - 1]

    @typeregistry.net_method("Write")
    def _write(self, *args: typing.Any) -> typing.Any:
        argc = len(args)
        self._check_writable("Write", argc)
        if argc != 3:
            raise _overload("Write", argc)
        buf = _bytes_arg("Write", argc, args[0], "array")
        offset, count = _int(args[1]), _int(args[2])
        _range_check("Write", argc, buf, offset, count)
        return self._put(bytes(buf[offset:offset + count]))

    @typeregistry.net_method("WriteByte")
    def _write_byte(self, *args: typing.Any) -> typing.Any:
        self._check_writable("WriteByte", len(args))
        return self._put(bytes([_int(args[0]) & 0xFF]))

    def _check_writable(self, method: str, argc: int) -> None:
        self._check_open(method, argc)
        if not self.can_write:
            raise method_exception(method, argc, "Stream does not support writing.", "System.NotSupportedException")

    def _put(self, chunk: bytes) -> typing.Any:
        data = self.node.data
        if self.position > len(data):
            data.extend(b"\0" * (self.position - len(data)))
        data[self.position:self.position + len(chunk)] = chunk
        self.position += len(chunk)
        self.fs.touch(self.node)
        return void()

    @typeregistry.net_method("Seek")
    def _seek(self, *args: typing.Any) -> PSInt64:
        origin = _ps_str(args[1]).lower() if len(args) > 1 else "begin"
        base = {"begin": 0, "0": 0, "current": self.position, "1": self.position, "end": len(self.node.data), "2": len(self.node.data)}
        self.position = base.get(origin, 0) + _int(args[0])
        return PSInt64(self.position)

    @typeregistry.net_method("SetLength")
    def _set_length(self, *args: typing.Any) -> typing.Any:
        del self.node.data[_int(args[0]):]
        return void()

    @typeregistry.net_method("Flush")
    def _flush(self, *args: typing.Any) -> typing.Any:
        self._check_open("Flush", len(args))
        return void()

    @typeregistry.net_method("Dispose")
    def _dispose(self, *args: typing.Any) -> typing.Any:
        del args
        self.closed = True
        return void()

    @typeregistry.net_method("Close")
    def _close(self, *args: typing.Any) -> typing.Any:
        return self._dispose(*args)

    @typeregistry.net_method("CopyTo")
    def _copy_to(self, *args: typing.Any) -> typing.Any:
        target = args[0]
        if isinstance(target, FileStream):
            data = bytes(self.node.data[self.position:])
            self.position = len(self.node.data)
            target.call("Write", [ByteArray(data), 0, len(data)])
        return void()

    def wire_properties(self) -> list[tuple[str, typing.Any]]:
        return [("Name", self.name), ("CanRead", self.can_read), ("CanWrite", self.can_write)]


def _overload(method: str, argc: int) -> PSError:
    return PSError(f'Cannot find an overload for "{method}" and the argument count: "{argc}".',
                   exception_type="System.Management.Automation.MethodException", fqid="MethodCountCouldNotFindBest",
                   category="NotSpecified", reason="MethodException")


# --------------------------------------------------------------------------- hashing


class HashAlgorithm(NetObject):
    def __init__(self, algorithm: str, type_name: str, base: str) -> None:
        self.algorithm = algorithm
        self.type_names = [type_name, base, "System.Security.Cryptography.HashAlgorithm", "System.Object"]
        self._state = hashlib.new(algorithm)
        self._hash: bytes | None = None

    @typeregistry.net_property("Hash")
    def _hash_value(self) -> ByteArray:
        if self._hash is None:
            raise PSError('Exception getting "Hash": "Hash must be finalized before the hash value is retrieved."',
                          exception_type="System.Management.Automation.GetValueInvocationException",
                          fqid="ExceptionWhenGetting", category="NotSpecified")
        return ByteArray(self._hash)

    @typeregistry.net_property("HashSize")
    def _hash_size(self) -> int:
        return self._state.digest_size * 8

    @typeregistry.net_property("CanReuseTransform", "CanTransformMultipleBlocks")
    def _can_reuse_transform(self) -> bool:
        return True

    @typeregistry.net_property("InputBlockSize", "OutputBlockSize")
    def _block_size(self) -> int:
        return 1

    @typeregistry.net_method("TransformBlock")
    def _transform_block(self, source: typing.Any, offset_arg: typing.Any, count_arg: typing.Any, out: typing.Any,
                         out_offset: typing.Any) -> int:
        buf = _bytes_arg("TransformBlock", 5, source, "inputBuffer")
        offset, count = _int(offset_arg), _int(count_arg)
        _range_check("TransformBlock", 5, buf, offset, count)
        chunk = bytes(buf[offset:offset + count])
        if self._hash is not None:  # a new computation after a final block
            self._state = hashlib.new(self.algorithm)
            self._hash = None
        self._state.update(chunk)
        if isinstance(out, list) and (out is not buf or _int(out_offset) != offset):
            start = _int(out_offset)
            out[start:start + count] = chunk
        return count

    @typeregistry.net_method("TransformFinalBlock")
    def _transform_final_block(self, source: typing.Any, offset_arg: typing.Any, count_arg: typing.Any) -> ByteArray:
        buf = _bytes_arg("TransformFinalBlock", 3, source, "inputBuffer")
        offset, count = _int(offset_arg), _int(count_arg)
        _range_check("TransformFinalBlock", 3, buf, offset, count)
        chunk = bytes(buf[offset:offset + count])
        if self._hash is not None:
            self._state = hashlib.new(self.algorithm)
        self._state.update(chunk)
        self._hash = self._state.digest()
        self._state = hashlib.new(self.algorithm)
        return ByteArray(chunk)

    @typeregistry.net_method("ComputeHash")
    def _compute_hash(self, *args: typing.Any) -> ByteArray:
        source = args[0] if args else None
        if isinstance(source, FileStream):
            data = bytes(source.node.data[source.position:])
            source.position = len(source.node.data)
        else:
            data = bytes(_bytes_arg("ComputeHash", len(args), source, "buffer"))
            if len(args) == 3:
                data = data[_int(args[1]):_int(args[1]) + _int(args[2])]
        self._hash = hashlib.new(self.algorithm, data).digest()
        return ByteArray(self._hash)

    @typeregistry.net_method("Initialize")
    def _initialize(self, *args: typing.Any) -> typing.Any:
        del args
        self._state = hashlib.new(self.algorithm)
        self._hash = None
        return void()

    @typeregistry.net_method("Clear", "Dispose")
    def _clear(self, *args: typing.Any) -> typing.Any:
        del args
        self._state = hashlib.new(self.algorithm)
        return void()


# --------------------------------------------------------------------------- encodings

_ENCODINGS = {
    "utf8": ("utf-8", "System.Text.UTF8Encoding", "Unicode (UTF-8)", "utf-8", 65001, b"\xef\xbb\xbf"),
    "unicode": ("utf-16-le", "System.Text.UnicodeEncoding", "Unicode", "utf-16", 1200, b"\xff\xfe"),
    "bigendianunicode": ("utf-16-be", "System.Text.UnicodeEncoding", "Unicode (Big-Endian)", "utf-16BE", 1201, b"\xfe\xff"),
    "utf32": ("utf-32-le", "System.Text.UTF32Encoding", "Unicode (UTF-32)", "utf-32", 12000, b"\xff\xfe\x00\x00"),
    "ascii": ("ascii", "System.Text.ASCIIEncoding", "US-ASCII", "us-ascii", 20127, b""),
    "default": ("cp1252", "System.Text.SBCSCodePageEncoding", "Western European (Windows)", "Windows-1252", 1252, b""),
}


class Encoding(NetObject):
    def __init__(self, key: str, bom: bool | None = None) -> None:
        codec, type_name, display, web, page, preamble = _ENCODINGS[key]
        self.key = key
        self.codec = codec
        self.type_names = [type_name, "System.Text.Encoding", "System.Object"]
        self.display = display
        self.web = web
        self.page = page
        self.preamble = preamble if bom is None or bom else b""

    def encode(self, text: str) -> bytes:
        return text.encode(self.codec, errors="replace")

    def decode(self, data: bytes) -> str:
        if self.codec == "ascii":
            return "".join(chr(b) if b < 128 else "?" for b in data)
        return data.decode(self.codec, errors="replace")

    @typeregistry.net_property("EncodingName")
    def _encoding_name(self) -> str:
        return self.display

    @typeregistry.net_property("WebName", "BodyName")
    def _web_name(self) -> str:
        return self.web

    @typeregistry.net_property("CodePage", "WindowsCodePage")
    def _code_page(self) -> int:
        return self.page

    @typeregistry.net_method("GetBytes")
    def _get_bytes(self, value: typing.Any) -> ByteArray:
        if value is None:
            raise method_exception("GetBytes", 1, "Value cannot be null.\r\nParameter name: s", "System.ArgumentNullException")
        text = "".join(_ps_str(c) for c in value) if isinstance(value, list) else _ps_str(value)
        return ByteArray(self.encode(text))

    @typeregistry.net_method("GetString")
    def _get_string(self, data: typing.Any) -> str:
        return self.decode(bytes(_bytes_arg("GetString", 1, data, "bytes")))

    @typeregistry.net_method("GetString")
    def _get_string_range(self, data: typing.Any, index: typing.Any, count: typing.Any) -> str:
        buf = bytes(_bytes_arg("GetString", 3, data, "bytes"))
        return self.decode(buf[_int(index):_int(index) + _int(count)])

    @typeregistry.net_method("GetPreamble")
    def _get_preamble(self, *args: typing.Any) -> ByteArray:
        del args
        return ByteArray(self.preamble)

    @typeregistry.net_method("GetByteCount")
    def _get_byte_count(self, value: typing.Any) -> int:
        return len(self.encode(_ps_str(value)))

    def to_string(self) -> str:
        return self.type_names[0]


# --------------------------------------------------------------------------- [ref]

class PSReference(NetObject):
    """[ref]: a reference to a variable (``[ref]$x``, whose .Value reads and writes $x) or to a value.

    A method with an out/ref parameter (e.g. [Parser]::ParseInput) writes through it; ``[ref]$null``
    takes the write and keeps nothing, as the $null variable does.
    """

    type_names = ["System.Management.Automation.PSReference", "System.Object"]

    def __init__(self, value: typing.Any = None, variable: typing.Any = None, discard: bool = False) -> None:
        self._value = value
        self.variable = variable
        self.discard = discard

    @property
    def value(self) -> typing.Any:
        return self.variable.value if self.variable is not None else self._value

    def set_value(self, value: typing.Any) -> None:
        if self.discard:
            return
        if self.variable is not None:
            self.variable.value = value
        else:
            self._value = value

    @typeregistry.net_property("Value")
    def _value_property(self) -> typing.Any:
        return self.value

    @typeregistry.net_setter("Value")
    def _set_value_property(self, value: typing.Any) -> None:
        self.set_value(value)

    def to_string(self) -> str:
        return self.type_names[0]


# --------------------------------------------------------------------------- $host

class HostUI(NetObject):
    """$host.UI in a remote session: each call becomes a PSRP host call (when the client has a UI)."""

    type_names = ["System.Management.Automation.Remoting.ServerRemoteHostUserInterface",
                  "System.Management.Automation.Host.PSHostUserInterface", "System.Object"]

    def __init__(self, runspace: typing.Any) -> None:
        self.runspace = runspace

    @typeregistry.net_property("RawUI")
    def _raw_ui(self) -> None:
        return None

    # Any argument count, as before: the host call takes what it is given (WriteLine(a, b) writes a).
    @typeregistry.net_method("WriteLine")
    def _write_line(self, *args: typing.Any) -> typing.Any:
        if not args:
            return self._host_call("WriteLine1", [])
        if len(args) == 3:
            return self._host_call("WriteLine3", [color_value(args[0]), color_value(args[1]), _ps_str(args[2])])
        return self._host_call("WriteLine2", [_ps_str(args[0])])

    @typeregistry.net_method("Write")
    def _write(self, *args: typing.Any) -> typing.Any:
        if len(args) == 3:
            return self._host_call("Write2", [color_value(args[0]), color_value(args[1]), _ps_str(args[2])])
        return self._host_call("Write1", [_ps_str(args[0]) if args else ""])

    def _line(self, method: str, args: tuple) -> typing.Any:
        return self._host_call(method, [_ps_str(args[0]) if args else ""])

    @typeregistry.net_method("WriteErrorLine")
    def _write_error_line(self, *args: typing.Any) -> typing.Any:
        return self._line("WriteErrorLine", args)

    @typeregistry.net_method("WriteWarningLine")
    def _write_warning_line(self, *args: typing.Any) -> typing.Any:
        return self._line("WriteWarningLine", args)

    @typeregistry.net_method("WriteVerboseLine")
    def _write_verbose_line(self, *args: typing.Any) -> typing.Any:
        return self._line("WriteVerboseLine", args)

    @typeregistry.net_method("WriteDebugLine")
    def _write_debug_line(self, *args: typing.Any) -> typing.Any:
        return self._line("WriteDebugLine", args)

    def _host_call(self, method: str, params: list) -> typing.Any:
        self.runspace.host_call(method, params)
        return void()


class PSHostObject(NetObject):
    """$host: the engine's InternalHost over Windows' ServerRemoteHost (its Name, UI and host calls are the
    ServerRemoteHost's; the InternalHost's internal ExternalHost, reached by reflection: clr/remoting.py)."""

    type_names = ["System.Management.Automation.Internal.Host.InternalHost", "System.Management.Automation.Host.PSHost",
                  "System.Object"]

    def __init__(self, runspace: typing.Any) -> None:
        self.runspace = runspace
        self.ui = HostUI(runspace)
        self.instance_id = str(uuid.uuid4())

    @typeregistry.net_property("Name")
    def _name(self) -> str:
        return "ServerRemoteHost"

    @typeregistry.net_property("Version")
    def _version(self) -> PSVersion:
        return PSVersion("1.0.0.0")

    @typeregistry.net_property("InstanceId")
    def _instance_id(self) -> str:
        return self.instance_id

    @typeregistry.net_property("UI")
    def _ui(self) -> HostUI:
        return self.ui

    @typeregistry.net_property("CurrentCulture", "CurrentUICulture")
    def _current_culture(self) -> str:
        return "en-US"

    @typeregistry.net_property("PrivateData")
    def _private_data(self) -> None:
        return None

    @typeregistry.net_property("DebuggerEnabled")
    def _debugger_enabled(self) -> bool:
        return False

    @typeregistry.net_method("SetShouldExit")
    def _set_should_exit(self, exit_code: typing.Any) -> typing.Any:
        self.runspace.host_call("SetShouldExit", [_int(exit_code)])
        return void()

    @typeregistry.net_method("EnterNestedPrompt")
    def _enter_nested_prompt(self, *args: typing.Any) -> typing.Any:
        raise method_exception("EnterNestedPrompt", len(args), "The method or operation is not implemented.",
                               "System.NotImplementedException")

    @typeregistry.net_method("ExitNestedPrompt")
    def _exit_nested_prompt(self, *args: typing.Any) -> typing.Any:
        raise method_exception("ExitNestedPrompt", len(args), "The method or operation is not implemented.",
                               "System.NotImplementedException")

    @typeregistry.net_method("NotifyBeginApplication", "NotifyEndApplication")
    def _notify_application(self, *args: typing.Any) -> typing.Any:
        del args
        return void()

    def to_string(self) -> str:
        return "System.Management.Automation.Internal.Host.InternalHost"

    def wire_properties(self) -> list[tuple[str, typing.Any]]:
        return [("Name", "ServerRemoteHost"), ("InstanceId", self.instance_id), ("CurrentCulture", "en-US")]


CONSOLE_COLORS = ["Black", "DarkBlue", "DarkGreen", "DarkCyan", "DarkRed", "DarkMagenta", "DarkYellow", "Gray", "DarkGray",
                  "Blue", "Green", "Cyan", "Red", "Magenta", "Yellow", "White"]


def color_value(value: typing.Any) -> int:
    """A System.ConsoleColor argument ('Red', 12, [ConsoleColor]::Red) -> its int value."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < len(CONSOLE_COLORS):
            return int(value)
    text = _ps_str(value).strip()
    for i, color in enumerate(CONSOLE_COLORS):
        if color.lower() == text.lower():
            return i
    if text.isdigit() and int(text) < len(CONSOLE_COLORS):
        return int(text)
    raise PSError(
        f"Cannot convert value \"{text}\" to type \"System.ConsoleColor\". Error: \"Unable to match the identifier name {text} "
        "to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n" + ", ".join(CONSOLE_COLORS) + "\"",
        fqid="InvalidCastFromStringToEnum", category="InvalidArgument", reason="PSInvalidCastException",
        exception_type="System.Management.Automation.PSInvalidCastException")


# --------------------------------------------------------------------------- static members

STATIC_TYPES = {
    "system.io.file": "System.IO.File", "io.file": "System.IO.File",
    "system.io.directory": "System.IO.Directory", "io.directory": "System.IO.Directory",
    "system.io.path": "System.IO.Path", "io.path": "System.IO.Path",
    "system.convert": "System.Convert", "convert": "System.Convert",
    "system.bitconverter": "System.BitConverter", "bitconverter": "System.BitConverter",
    "system.security.cryptography.sha1": "System.Security.Cryptography.SHA1",
    "security.cryptography.sha1": "System.Security.Cryptography.SHA1",
    "system.security.cryptography.sha256": "System.Security.Cryptography.SHA256",
    "security.cryptography.sha256": "System.Security.Cryptography.SHA256",
    "system.security.cryptography.md5": "System.Security.Cryptography.MD5",
    "security.cryptography.md5": "System.Security.Cryptography.MD5",
    "system.text.encoding": "System.Text.Encoding", "text.encoding": "System.Text.Encoding",
    "system.text.utf8encoding": "System.Text.UTF8Encoding", "text.utf8encoding": "System.Text.UTF8Encoding",
    "byte[]": "System.Byte[]", "system.byte[]": "System.Byte[]",
    "system.consolecolor": "System.ConsoleColor", "consolecolor": "System.ConsoleColor",
    "system.io.filemode": "System.IO.FileMode", "io.filemode": "System.IO.FileMode",
    "system.io.fileaccess": "System.IO.FileAccess", "io.fileaccess": "System.IO.FileAccess",
    "system.io.seekorigin": "System.IO.SeekOrigin", "io.seekorigin": "System.IO.SeekOrigin",
}

_ENUMS = {
    "system.consolecolor": CONSOLE_COLORS,
    "system.io.filemode": ["CreateNew", "Create", "Open", "OpenOrCreate", "Truncate", "Append"],
    "system.io.fileaccess": ["Read", "Write", "ReadWrite"],
    "system.io.seekorigin": ["Begin", "Current", "End"],
}


def get_static(full: str, name: str) -> typing.Any:
    low = name.lower()
    if full == "system.text.encoding":
        key = {"utf8": "utf8", "unicode": "unicode", "ascii": "ascii", "bigendianunicode": "bigendianunicode",
               "utf32": "utf32", "default": "default"}.get(low)
        if key:
            return Encoding(key)
    if full in _ENUMS:
        for value in _ENUMS[full]:
            if value.lower() == low:
                return value
    if full == "system.io.path":
        if low == "directoryseparatorchar":
            return "\\"
        if low == "pathseparator":
            return ";"
    return MISSING


def _path(runspace: typing.Any, value: typing.Any, method: str, argc: int) -> str:
    if value is None:
        raise method_exception(method, argc, "Value cannot be null.\r\nParameter name: path", "System.ArgumentNullException")
    text = _ps_str(value)
    if text == "":
        raise method_exception(method, argc, "Empty path name is not legal.", "System.ArgumentException")
    return resolve_native_path(runspace, text)


def resolve_native_path(runspace: typing.Any, text: str) -> str:
    """.NET resolves relative paths against the process' current directory (the user's Documents here)."""
    norm = text.replace("/", "\\")
    if len(norm) >= 2 and norm[1] == ":":
        return norm
    base = runspace.native_cwd() if runspace is not None else "C:\\Windows\\System32"
    if norm.startswith("\\"):
        return base[:2] + norm
    return base.rstrip("\\") + "\\" + norm


def _convert_base(name: str, args: list) -> typing.Any:
    """Convert.ToString(Int32/UInt32/Int64, toBase) and Convert.ToInt32(String, fromBase) for base 16 (what
    async_wrapper.ps1 uses to read WMI's UInt32 process id as an Int32): learn.microsoft.com Convert.ToString(Int64,
    Int32) (lower-case hex digits, a negative value as its two's complement) and Convert.ToInt32(String, Int32) (the
    bits of a value up to 0xFFFFFFFF as a signed Int32). Other bases are not modelled."""
    if _int(args[1]) != 16:
        raise PSError(f"The test host does not model [Convert]::{name} in base {_int(args[1])}.", fqid="NotModelledOnTestHost",
                      category="NotImplemented", exception_type="System.NotImplementedException", terminating=True)
    if name.lower() == "tostring":
        value = int(args[0]) if isinstance(args[0], int) else _int(args[0])
        return format(value & (0xFFFFFFFF if -(1 << 31) <= value < (1 << 32) else 0xFFFFFFFFFFFFFFFF), "x")
    text = _ps_str(args[0]).strip()
    try:
        number = int(text[2:] if text.lower().startswith("0x") else text, 16)
    except ValueError:
        raise method_exception(name, 2, "Could not find any recognizable digits.", "System.FormatException") from None
    if number > 0xFFFFFFFF:
        raise method_exception(name, 2, "Value was either too large or too small for an Int32.", "System.OverflowException")
    return number - (1 << 32) if number >= 1 << 31 else number


def invoke_static(full: str, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches,too-many-locals
    low = name.lower()
    argc = len(args)
    if full == "system.convert":
        if low == "frombase64string":
            if argc != 1:
                raise _overload(name, argc)
            text = "".join(_ps_str(args[0]).split())
            try:
                if len(text) % 4:
                    raise binascii.Error("padding")
                return ByteArray(base64.b64decode(text, validate=True))
            except (binascii.Error, ValueError):
                raise method_exception("FromBase64String", 1, "The input is not a valid Base-64 string as it contains a non-base 64 "
                                       "character, more than two padding characters, or an illegal character among the padding "
                                       "characters. ", "System.FormatException") from None
        if low == "tobase64string":
            if argc not in (1, 3):
                raise _overload(name, argc)
            buf = _bytes_arg("ToBase64String", argc, args[0], "inArray")
            if argc == 3:
                offset, count = _int(args[1]), _int(args[2])
                if offset < 0 or count < 0 or offset + count > len(buf):
                    raise method_exception("ToBase64String", argc, "Index was out of range. Must be non-negative and less than "
                                           "the size of the collection.\r\nParameter name: offset", "System.ArgumentOutOfRangeException")
                return base64.b64encode(bytes(buf[offset:offset + count])).decode("ascii")
            return base64.b64encode(bytes(buf)).decode("ascii")
        if low in ("tostring", "toint32") and argc == 2:
            return _convert_base(name, args)
    if full == "system.bitconverter" and low == "tostring":
        buf = _bytes_arg("ToString", argc, args[0] if args else None, "value")
        start = _int(args[1]) if argc > 1 else 0
        count = _int(args[2]) if argc > 2 else len(buf) - start
        return "-".join(f"{b:02X}" for b in buf[start:start + count])
    if full == "system.byte[]" and low == "new":
        if len(args) != 1:
            raise _overload("new", len(args))
        return ByteArray(bytes(_int(args[0])))
    if full == "system.text.utf8encoding" and low == "new":
        return Encoding("utf8", bom=bool(args[0]) if args else False)
    if full == "system.text.encoding" and low == "getencoding":
        key = {"utf-8": "utf8", "65001": "utf8", "utf-16": "unicode", "1200": "unicode", "us-ascii": "ascii", "20127": "ascii",
               "windows-1252": "default", "1252": "default"}.get(_ps_str(args[0]).lower())
        if key is None:
            raise method_exception("GetEncoding", argc, f"'{_ps_str(args[0])}' is not a supported encoding name.",
                                   "System.ArgumentException")
        return Encoding(key)
    if full == "system.io.file":
        return _file_static(name, args)
    if full == "system.io.directory":
        return _directory_static(name, args)
    if full == "system.io.path":
        return _path_static(name, args)
    raise method_not_found(STATIC_TYPES.get(full, full), name)


def _file_static(name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches,too-many-locals,too-many-statements
    runspace = current_runspace()
    fs = runspace.host.filesystem
    low = name.lower()
    argc = len(args)
    if low == "exists":
        if not args or args[0] is None or _ps_str(args[0]) == "":
            return False
        return fs.is_file(resolve_native_path(runspace, _ps_str(args[0])))
    method = {"create": "Create", "openread": "OpenRead", "openwrite": "OpenWrite", "open": "Open", "readallbytes": "ReadAllBytes",
              "writeallbytes": "WriteAllBytes", "readalltext": "ReadAllText", "writealltext": "WriteAllText",
              "appendalltext": "AppendAllText", "readalllines": "ReadAllLines", "writealllines": "WriteAllLines",
              "delete": "Delete", "copy": "Copy", "move": "Move"}.get(low)
    if method is None:
        raise method_not_found("System.IO.File", name)
    path = _path(runspace, args[0] if args else None, method, argc)
    try:
        full = fs.normalize(path)
        if low == "create":
            return FileStream(fs, fs.open_file(full, create=True, truncate=True, must_exist=False), fs.full_name(full), True, True)
        if low == "openread":
            return FileStream(fs, fs.open_file(full, create=False, truncate=False, must_exist=True), fs.full_name(full), True, False)
        if low == "openwrite":
            return FileStream(fs, fs.open_file(full, create=True, truncate=False, must_exist=False), fs.full_name(full), False, True)
        if low == "open":
            mode = _ps_str(args[1]).lower() if argc > 1 else "open"
            access = _ps_str(args[2]).lower() if argc > 2 else ("write" if mode == "append" else "readwrite")
            if mode == "createnew" and fs.exists(full):
                raise FSError(f"The file '{full}' already exists.", full)
            node = fs.open_file(full, create=mode in ("create", "createnew", "openorcreate", "append"),
                                truncate=mode in ("create", "truncate"), must_exist=mode in ("open", "truncate"))
            return FileStream(fs, node, fs.full_name(full), "read" in access, "write" in access, append=mode == "append")
        if low == "readallbytes":
            return ByteArray(fs.read_bytes(full))
        if low in ("readalltext", "readalllines"):
            text = decode_text(fs.read_bytes(full))
            if low == "readalltext":
                return text
            return split_lines(text)
        if low == "writeallbytes":
            fs.write_bytes(full, bytes(_bytes_arg(method, argc, args[1] if argc > 1 else None, "bytes")))
            return void()
        if low in ("writealltext", "appendalltext", "writealllines"):
            encoding = args[2] if argc > 2 and isinstance(args[2], Encoding) else Encoding("utf8", bom=False)
            if low == "writealllines":
                from .values import as_list  # pylint: disable=import-outside-toplevel

                text = "".join(_ps_str(line) + "\r\n" for line in as_list(args[1]))
            else:
                text = _ps_str(args[1]) if argc > 1 and args[1] is not None else ""
            data = encoding.encode(text)
            if low == "appendalltext":
                fs.write_bytes(full, data, append=True)
            else:
                fs.write_bytes(full, encoding.preamble + data)
            return void()
        if low == "delete":
            if fs.is_dir(full):
                raise FSError(f"Access to the path '{full}' is denied.", full)
            if fs.exists(full):
                fs.remove(full)
            elif not fs.is_dir(parent_of(full)):
                raise FSError(f"Could not find a part of the path '{full}'.", full)
            return void()
        if low in ("copy", "move"):
            dest = _path(runspace, args[1] if argc > 1 else None, method, argc)
            if low == "move":
                fs.move(full, dest)  # the same file renamed: its owner (and times) kept, as NTFS keeps them
            else:
                fs.copy(full, dest, overwrite=argc > 2 and bool(args[2]))
            return void()
    except FSError as err:
        raise _fs_error(method, argc, err) from None
    raise method_not_found("System.IO.File", name)


def _directory_static(name: str, args: list) -> typing.Any:
    runspace = current_runspace()
    fs = runspace.host.filesystem
    low = name.lower()
    argc = len(args)
    if low == "exists":
        if not args or args[0] is None or _ps_str(args[0]) == "":
            return False
        return fs.is_dir(resolve_native_path(runspace, _ps_str(args[0])))
    method = {"createdirectory": "CreateDirectory", "delete": "Delete", "getfiles": "GetFiles", "getdirectories": "GetDirectories"}.get(low)
    if method is None:
        raise method_not_found("System.IO.Directory", name)
    path = _path(runspace, args[0] if args else None, method, argc)
    try:
        if low == "createdirectory":
            from .providers.filesystem import item_object  # pylint: disable=import-outside-toplevel

            return item_object(fs.entry(fs.create_directory(path)), "full")
        if low == "delete":
            if not fs.is_dir(path):
                raise FSError(f"Could not find a part of the path '{fs.normalize(path)}'.", path)
            fs.remove(path, recursive=argc > 1 and bool(args[1]))
            return void()
        entries = fs.children(path)
        want_dirs = low == "getdirectories"
        return [e.full_name for e in entries if e.is_dir == want_dirs]
    except FSError as err:
        raise _fs_error(method, argc, err) from None


def _path_static(name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements
    low = name.lower()
    texts = [_ps_str(a) for a in args]
    if low == "combine":
        result = ""
        for part in texts:
            if len(part) >= 2 and part[1] == ":" or part.startswith("\\"):
                result = part
            elif result and not result.endswith(("\\", "/", ":")):
                result += "\\" + part
            else:
                result += part
        return result
    if low == "getfilename":
        return texts[0].replace("/", "\\").rsplit("\\", 1)[-1]
    if low == "getdirectoryname":
        text = texts[0].replace("/", "\\")
        if "\\" not in text or (len(text) <= 3 and text[1:2] == ":"):
            return None if len(text) <= 3 and text[1:2] == ":" else ""
        return parent_of(text).rstrip("\\") if len(parent_of(text)) > 3 else parent_of(text)
    if low in ("getextension", "getfilenamewithoutextension", "hasextension"):
        base = texts[0].replace("/", "\\").rsplit("\\", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        if low == "hasextension":  # Path.HasExtension: a '.' in the last segment followed by at least one character
            return bool(dot and ext)
        if low == "getextension":
            return "." + ext if dot and ext else ""
        return stem if dot else base
    if low == "gettemppath":
        return current_runspace().temp_dir() + "\\"
    if low == "getrandomfilename":
        chars = string.ascii_lowercase + string.digits
        return "".join(random.choice(chars) for _unused in range(8)) + "." + "".join(random.choice(chars) for _unused in range(3))
    if low == "getfullpath":
        return current_runspace().host.filesystem.normalize(resolve_native_path(current_runspace(), texts[0]))
    if low == "ispathrooted":
        return len(texts[0]) >= 2 and texts[0][1] == ":" or texts[0].startswith("\\")
    raise method_not_found("System.IO.Path", name)


def decode_text(data: bytes) -> str:
    """How .NET's StreamReader reads a file: BOM detection, UTF-8 otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", errors="replace")
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")


def split_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def make_io_exception(err: FSError) -> typing.Any:
    return make_exception(err.exception_type, err.message)
