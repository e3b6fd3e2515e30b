"""System.IO.FileInfo / DirectoryInfo / FileAttributes as Windows PowerShell 5.1 shows them.

A FileInfo or DirectoryInfo is a live .NET object over the host's drive C: (`filesystem.py`):
its state is read when it is made and again on `Refresh()`, as .NET caches it (FileSystemInfo.cs),
and its setters (times, Attributes, IsReadOnly) write through to the drive. PowerShell's extended
type data adds `BaseName`, `Mode`, `LinkType` and `Target` (types.ps1xml, FileSystem provider
CodeProperties), and the FileSystem provider's output carries the notes `PSPath`, `PSParentPath`,
`PSChildName`, `PSDrive`, `PSProvider`, `PSIsContainer` (a FileInfo made with `New-Object` has none).
GetAccessControl() gives the item's owner and nothing else of its security (clr/accesscontrol.py).
Members Windows has and this module does not model (SetAccessControl, Target, CopyTo, ...) trip the tripwire
(NotModelledByTestHost, `HostServices.tripwire`); a method is an error even with the tripwire off.

FileAttributes is a [Flags] enum value: an int (so `-band`, `[int]` and comparisons work) whose
ToString is Enum.ToString's "ReadOnly, Archive" and which goes on the wire as PowerShell
serializes an enum (type names, `<ToString>`, `<I32>`).
"""

from __future__ import annotations

import datetime
import typing

from psrpcore.types import PSFlagBase, PSType

from ..machine import disk
from .clr.accesscontrol import FileSystemSecurity
from .typeregistry import MISSING, net_method, net_property, net_setter
from .dotnet import NetObject, current_runspace, resolve_native_path, void
from .errors import PSError, invalid_cast, method_exception, method_not_found
from ..machine.disk import FSError
from . import tripwire
from .values import PSInt64, like, to_bool, to_datetime, to_string

PROVIDER = "Microsoft.PowerShell.Core\\FileSystem"

# FileAttributes.cs, in declaration (= value) order: Enum.ToString lists set flags in this order.
ATTRIBUTE_NAMES = [
    ("ReadOnly", 0x1), ("Hidden", 0x2), ("System", 0x4), ("Directory", 0x10), ("Archive", 0x20), ("Device", 0x40),
    ("Normal", 0x80), ("Temporary", 0x100), ("SparseFile", 0x200), ("ReparsePoint", 0x400), ("Compressed", 0x800),
    ("Offline", 0x1000), ("NotContentIndexed", 0x2000), ("Encrypted", 0x4000), ("IntegrityStream", 0x8000),
    ("NoScrubData", 0x20000),
]
_BY_NAME = {name.lower(): value for name, value in ATTRIBUTE_NAMES}
_ALL_BITS = sum(value for _name, value in ATTRIBUTE_NAMES)


@PSType(["System.IO.FileAttributes"])
class WireFileAttributes(PSFlagBase):
    """System.IO.FileAttributes for psrpcore's serializer."""

    none = 0
    ReadOnly = 0x1
    Hidden = 0x2
    System = 0x4
    Directory = 0x10
    Archive = 0x20
    Device = 0x40
    Normal = 0x80
    Temporary = 0x100
    SparseFile = 0x200
    ReparsePoint = 0x400
    Compressed = 0x800
    Offline = 0x1000
    NotContentIndexed = 0x2000
    Encrypted = 0x4000
    IntegrityStream = 0x8000
    NoScrubData = 0x20000


class FileAttributes(NetObject, int):
    """A System.IO.FileAttributes value."""

    type_names = ["System.IO.FileAttributes", "System.Enum", "System.ValueType", "System.Object"]

    def __new__(cls, value: int) -> "FileAttributes":
        return int.__new__(cls, value)

    def to_string(self) -> str:
        """Enum.ToString of a [Flags] enum: the set flags' names, ", "-joined; a value with bits no name covers is its number."""
        value = int(self)
        if value == 0:
            return "0"
        if value & ~_ALL_BITS:
            return str(value)
        return ", ".join(name for name, bit in ATTRIBUTE_NAMES if value & bit)

    def __str__(self) -> str:
        return self.to_string()

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "value__":
            return int(self)
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "hasflag":
            if len(args) != 1:
                raise method_exception("HasFlag", len(args), f'Cannot find an overload for "HasFlag" and the argument count: "{len(args)}".',
                                       "System.Management.Automation.MethodException")
            flag = to_file_attributes(args[0])
            return int(self) & int(flag) == int(flag)
        if low == "equals":
            return args[0] is not None and int(self) == int(to_file_attributes(args[0]))
        if low == "gethashcode":
            return int(self)
        if low == "compareto":
            other = int(to_file_attributes(args[0]))
            return (int(self) > other) - (int(self) < other)
        return super().call(name, args)

    def to_wire(self) -> typing.Any:
        value = int(self)
        if value & ~_ALL_BITS or value < 0:
            return int(value)  # no psrpcore flag for it; Windows would send the number as ToString too
        return WireFileAttributes(value)


def to_file_attributes(value: typing.Any) -> FileAttributes:
    """[System.IO.FileAttributes]$value: a number, a name or "Name, Name" (case-insensitive), or another enum value."""

    if isinstance(value, FileAttributes):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return FileAttributes(int(value))
    text = to_string(value)
    bits = 0
    for part in text.split(","):
        word = part.strip().lower()
        if word.lstrip("-").isdigit():
            bits |= int(word)
            continue
        if word not in _BY_NAME:
            names = ", ".join(name for name, _bit in ATTRIBUTE_NAMES)
            raise invalid_cast(text, "System.IO.FileAttributes", f'Unable to match the identifier name {part.strip()} to a valid '
                               f'enumerator name. Specify one of the following enumerator names and try again:\r\n{names}',
                               fqid="RuntimeException")
        bits |= _BY_NAME[word]
    return FileAttributes(bits)


def _io_error(member: str, err: FSError, setting: bool) -> PSError:
    verb = "setting" if setting else "getting"
    return PSError(f'Exception {verb} "{member}": "{err.message}"',
                   exception_type="System.Management.Automation.SetValueInvocationException" if setting else
                   "System.Management.Automation.GetValueInvocationException",
                   fqid="ExceptionWhenSetting" if setting else "ExceptionWhenGetting", category="NotSpecified")


def _utc(local: datetime.datetime) -> datetime.datetime:
    """The UTC wall time of a local one (the interpreter's DateTimes are naive, as [datetime]::UtcNow is)."""
    return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _local(value: typing.Any, utc: bool) -> datetime.datetime:
    when = to_datetime(value)
    naive = datetime.datetime(when.year, when.month, when.day, when.hour, when.minute, when.second, when.microsecond)
    if when.tzinfo is not None:
        return when.astimezone().replace(tzinfo=None)
    if utc:
        return naive.replace(tzinfo=datetime.timezone.utc).astimezone().replace(tzinfo=None)
    return naive


_TIMES = {"creationtime": ("created", False), "creationtimeutc": ("created", True), "lastwritetime": ("modified", False),
          "lastwritetimeutc": ("modified", True), "lastaccesstime": ("accessed", False), "lastaccesstimeutc": ("accessed", True)}
_TIME_NAMES = {"created": "CreationTime", "modified": "LastWriteTime", "accessed": "LastAccessTime"}
# Members of FileSystemInfo/FileInfo/DirectoryInfo this module does not model: an error, never $null.
_UNMODELLED = {
    "setaccesscontrol", "copyto", "moveto", "replace", "encrypt", "decrypt", "open", "openread", "openwrite",
    "opentext", "createtext", "appendtext", "getobjectdata", "createobjref", "getlifetimeservice", "initializelifetimeservice",
    "versioninfo", "target", "getfilesysteminfos", "enumeratefilesysteminfos", "createsubdirectory",
}


class FileSystemInfo(NetObject):
    """A FileInfo or DirectoryInfo over the host's drive C: (`FileSystemInfo(path, is_dir)` makes the one it names)."""

    # Members of FileSystemInfo/FileInfo/DirectoryInfo this module does not model: an error, never $null (a property
    # read is $null with the tripwire off, as net_not_modelled_error says).
    net_not_modelled = _UNMODELLED
    net_not_modelled_methods = _UNMODELLED

    def __new__(cls, *args: typing.Any, **kwargs: typing.Any) -> "FileSystemInfo":
        concrete = cls
        if cls is FileSystemInfo:  # FileSystemInfo(path, is_dir): the concrete class (copy.copy passes no arguments)
            is_dir = args[1] if len(args) > 1 else kwargs.get("is_dir")
            concrete = DirectoryInfo if is_dir else FileInfo
        return super().__new__(concrete)

    def __init__(self, full_name: str, is_dir: bool, original: str | None = None, provider: bool = False) -> None:
        self.full_name = full_name
        self.is_dir = is_dir
        self.original = full_name if original is None else original
        self.provider = provider
        kind = "DirectoryInfo" if is_dir else "FileInfo"
        self.type_names = [f"System.IO.{kind}", "System.IO.FileSystemInfo", "System.MarshalByRefObject", "System.Object"]
        self.entry: typing.Any = None
        self.refresh()

    # ---------------------------------------------------------------- state
    @staticmethod
    def _fs() -> typing.Any:
        return current_runspace().host.filesystem

    def refresh(self) -> None:
        try:
            entry = self._fs().entry(self.full_name)
        except FSError:
            entry = None
        # A FileInfo over a directory (or the other way round) does not exist, as in .NET.
        self.entry = entry if entry is not None and entry.is_dir == self.is_dir else None

    @property
    def name(self) -> str:
        tail = self.full_name.rstrip("\\").rsplit("\\", 1)[-1]
        return self.full_name if len(self.full_name) <= 3 else tail

    def _parent(self) -> str:
        return disk.parent_of(self.full_name) if len(self.full_name) > 3 else ""

    def _need(self, member: str) -> typing.Any:
        if self.entry is None:
            if self.is_dir or not self._fs().is_dir(self._parent() or self.full_name):
                raise _io_error(member, disk.DirectoryNotFound(f"Could not find a part of the path '{self.full_name}'."), setting=False)
            raise _io_error(member, disk.FileNotFound(f"Could not find file '{self.full_name}'."), setting=False)
        return self.entry

    def attributes(self) -> FileAttributes:
        # Windows' FileSystemInfo of a missing item has the attributes -1 (WIN32_FILE_ATTRIBUTE_DATA not filled).
        return FileAttributes(-1 if self.entry is None else self.entry.attributes)

    def mode(self) -> str:
        """The Mode CodeProperty (FileSystemProvider.Mode): d a r h s l."""
        bits = 0 if self.entry is None else self.entry.attributes
        flags = [("d", disk.DIRECTORY), ("a", disk.ARCHIVE), ("r", disk.READ_ONLY), ("h", disk.HIDDEN), ("s", disk.SYSTEM),
                 ("l", 0x400)]
        return "".join(letter if bits & bit else "-" for letter, bit in flags)

    # ---------------------------------------------------------------- members
    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        # A method has no $null to fall back on: an error either way, which the host hears of with the tripwire on.
        what = f"The {kind} '{name}' of [{self.type_names[0]}]"
        if tripwire.enabled():
            return tripwire.trip(what)
        return tripwire.not_modelled(what) if kind == "method" else None

    def _provider_note(self, low: str) -> typing.Any:
        """The FileSystem provider's note properties of an item it emitted (Get-Item, Get-ChildItem); not there on a
        FileInfo made with New-Object."""
        if not self.provider:
            return MISSING
        parent = self._parent()
        return {"pspath": f"{PROVIDER}::{self.full_name}", "psparentpath": f"{PROVIDER}::{parent}" if parent else "",
                "pschildname": self.name, "psdrive": self.full_name[0], "psprovider": PROVIDER,
                "psiscontainer": self.is_dir}[low]

    @net_property("PSPath")
    def _ps_path(self) -> typing.Any:
        return self._provider_note("pspath")

    @net_property("PSParentPath")
    def _ps_parent_path(self) -> typing.Any:
        return self._provider_note("psparentpath")

    @net_property("PSChildName")
    def _ps_child_name(self) -> typing.Any:
        return self._provider_note("pschildname")

    @net_property("PSDrive")
    def _ps_drive(self) -> typing.Any:
        return self._provider_note("psdrive")

    @net_property("PSProvider")
    def _ps_provider(self) -> typing.Any:
        return self._provider_note("psprovider")

    @net_property("PSIsContainer")
    def _ps_is_container(self) -> typing.Any:
        return self._provider_note("psiscontainer")

    @net_property("Name")
    def _name(self) -> str:
        return self.name

    @net_property("FullName")
    def _full_name(self) -> str:
        return self.full_name

    @net_property("Exists")
    def _exists(self) -> bool:
        return self.entry is not None

    @net_property("Extension")
    def _extension(self) -> str:
        tail = self.name
        return "." + tail.rsplit(".", 1)[1] if "." in tail and len(self.full_name) > 3 else ""

    @net_property("BaseName")
    def _base_name(self) -> str:
        return self.name if self.is_dir or "." not in self.name else self.name.rsplit(".", 1)[0]

    @net_property("Attributes")
    def _attributes(self) -> FileAttributes:
        return self.attributes()

    @net_setter("Attributes")
    def _set_attributes(self, value: typing.Any) -> None:
        self._change("Attributes", lambda fs: fs.set_attributes(self.full_name, int(to_file_attributes(value))))

    @net_property("Mode")
    def _mode(self) -> str:
        return self.mode()

    @net_property("LinkType")
    def _link_type(self) -> None:
        return None  # the LinkType CodeProperty of an item that is no link (the test host's drive has none)

    def _time(self, low: str) -> typing.Any:
        field, utc = _TIMES[low]
        if self.entry is None:
            when = datetime.datetime(1601, 1, 1)  # .NET's FILETIME 0 for a missing item (UTC)
            return to_datetime(when if utc else when.replace(tzinfo=datetime.timezone.utc).astimezone().replace(tzinfo=None))
        local = getattr(self.entry, field)
        return to_datetime(_utc(local) if utc else local)

    def _set_time(self, name: str, value: typing.Any) -> None:
        field, utc = _TIMES[name.lower()]
        self._change(name, lambda fs: fs.set_times(self.full_name, **{field: _local(value, utc)}))

    def _change(self, name: str, change: typing.Callable[[typing.Any], None]) -> None:
        """A property set on the drive; an I/O error is SetValueInvocationException, as a .NET setter's exception."""
        try:
            change(self._fs())
        except FSError as err:
            raise _io_error(name, err, setting=True) from None
        self.refresh()

    @net_property("CreationTime")
    def _creation_time(self) -> typing.Any:
        return self._time("creationtime")

    @net_setter("CreationTime")
    def _set_creation_time(self, value: typing.Any) -> None:
        self._set_time("CreationTime", value)

    @net_property("CreationTimeUtc")
    def _creation_time_utc(self) -> typing.Any:
        return self._time("creationtimeutc")

    @net_setter("CreationTimeUtc")
    def _set_creation_time_utc(self, value: typing.Any) -> None:
        self._set_time("CreationTimeUtc", value)

    @net_property("LastWriteTime")
    def _last_write_time(self) -> typing.Any:
        return self._time("lastwritetime")

    @net_setter("LastWriteTime")
    def _set_last_write_time(self, value: typing.Any) -> None:
        self._set_time("LastWriteTime", value)

    @net_property("LastWriteTimeUtc")
    def _last_write_time_utc(self) -> typing.Any:
        return self._time("lastwritetimeutc")

    @net_setter("LastWriteTimeUtc")
    def _set_last_write_time_utc(self, value: typing.Any) -> None:
        self._set_time("LastWriteTimeUtc", value)

    @net_property("LastAccessTime")
    def _last_access_time(self) -> typing.Any:
        return self._time("lastaccesstime")

    @net_setter("LastAccessTime")
    def _set_last_access_time(self, value: typing.Any) -> None:
        self._set_time("LastAccessTime", value)

    @net_property("LastAccessTimeUtc")
    def _last_access_time_utc(self) -> typing.Any:
        return self._time("lastaccesstimeutc")

    @net_setter("LastAccessTimeUtc")
    def _set_last_access_time_utc(self, value: typing.Any) -> None:
        self._set_time("LastAccessTimeUtc", value)

    @net_method("Refresh")
    def _refresh(self) -> typing.Any:
        self.refresh()
        return void()

    @net_method("GetAccessControl")
    def _get_access_control(self) -> typing.Any:
        return self._access_control("GetAccessControl", [])

    @net_method("GetAccessControl")
    def _get_access_control_sections(self, sections: typing.Any) -> typing.Any:
        return self._access_control("GetAccessControl", [sections])

    def _object_method(self, name: str, args: list) -> typing.Any:
        if name.lower() in ("dispose", "close"):  # a FileSystemInfo is not IDisposable
            raise method_not_found(self.type_names[0], name)
        return super()._object_method(name, args)

    def _access_control(self, name: str, args: list) -> typing.Any:
        """GetAccessControl(): the item's FileSecurity/DirectorySecurity, read from the drive now (File.GetAccessControl
        reads the security descriptor, not the FileInfo's cached state). Only the owner is modelled (clr/accesscontrol.py);
        the overload taking AccessControlSections and an item that is not there (.NET's errors for it are not modelled)
        are tripwire errors."""
        what = f"The method '{name}' of [{self.type_names[0]}]"
        if args:
            what = f"The method '{name}(AccessControlSections)' of [{self.type_names[0]}]"
        else:
            try:
                entry = self._fs().entry(self.full_name)
            except FSError:
                entry = None
            if entry is not None and entry.is_dir == self.is_dir:
                return FileSystemSecurity(self.is_dir, entry.full_name, entry.owner)
            what += f" for an item that is not there ({self.full_name})"
        raise tripwire.trip(what) if tripwire.enabled() else tripwire.not_modelled(what)

    def _delete(self, args: list) -> typing.Any:
        fs = self._fs()
        recursive = bool(args[0]) if args and self.is_dir else False
        try:
            if not fs.exists(self.full_name):
                if self.is_dir:
                    raise disk.DirectoryNotFound(f"Could not find a part of the path '{self.full_name}'.", self.full_name)
                return void()  # FileInfo.Delete of a missing file does nothing
            if not self.is_dir and fs.get_attributes(self.full_name) & disk.READ_ONLY:
                raise disk.AccessDenied(f"Access to the path '{self.full_name}' is denied.", self.full_name)
            fs.remove(self.full_name, recursive=recursive)
        except FSError as err:
            raise method_exception("Delete", len(args), err.message, err.exception_type) from None
        self.refresh()
        return void()

    def _list(self, method: str, args: list, files: bool) -> list:
        """EnumerateFiles/GetFiles/EnumerateDirectories/GetDirectories([pattern[, SearchOption]])."""

        pattern = to_string(args[0]) if args else "*"
        recurse = len(args) > 1 and to_string(args[1]).lower() == "alldirectories"
        fs = self._fs()
        found: list = []

        def walk(directory: str) -> None:
            for entry in fs.children(directory):
                if entry.is_dir != (not files):
                    pass
                elif like(entry.name, pattern):
                    found.append(FileSystemInfo(entry.full_name, entry.is_dir))
                if entry.is_dir and recurse:
                    walk(entry.full_name)

        try:
            walk(self.full_name)
        except FSError as err:
            raise method_exception(method, len(args), err.message, err.exception_type) from None
        return found

    def to_string(self) -> str:
        return self.original

    def wire_properties(self) -> list[tuple[str, typing.Any]]:
        """What PowerShell serializes of a FileInfo/DirectoryInfo (depth 1: the properties as strings or primitives)."""
        names = ["PSPath", "PSParentPath", "PSChildName", "PSDrive", "PSProvider", "PSIsContainer"] if self.provider else []
        names += ["Mode", "BaseName", "Name"]
        names += ["Parent", "Root"] if self.is_dir else ["Length", "DirectoryName", "Directory", "IsReadOnly"]
        names += ["Exists", "FullName", "Extension", "CreationTime", "CreationTimeUtc", "LastAccessTime", "LastAccessTimeUtc",
                  "LastWriteTime", "LastWriteTimeUtc", "Attributes"]
        out = []
        for key in names:
            try:
                value = self.get_member(key)
            except PSError:
                continue
            if isinstance(value, FileSystemInfo):
                value = value.to_string()
            elif isinstance(value, FileAttributes):
                value = value.to_wire()
            out.append((key, value))
        return out


class FileInfo(FileSystemInfo):
    """System.IO.FileInfo."""

    @net_property("Length")
    def _length(self) -> PSInt64:
        return PSInt64(self._need("Length").length)

    @net_property("DirectoryName")
    def _directory_name(self) -> str:
        return self._parent().rstrip("\\") if len(self._parent()) > 3 else self._parent()

    @net_property("Directory")
    def _directory(self) -> FileSystemInfo:
        return FileSystemInfo(self._parent(), True)

    @net_property("IsReadOnly")
    def _is_read_only(self) -> bool:
        return bool(int(self.attributes()) & disk.READ_ONLY) if self.entry is not None else True

    @net_setter("IsReadOnly")
    def _set_is_read_only(self, value: typing.Any) -> None:
        def change(fs: typing.Any) -> None:
            bits = fs.get_attributes(self.full_name)
            fs.set_attributes(self.full_name, bits | disk.READ_ONLY if to_bool(value) else bits & ~disk.READ_ONLY)
        self._change("IsReadOnly", change)

    @net_method("Delete")
    def _delete_file(self) -> typing.Any:
        return self._delete([])


class DirectoryInfo(FileSystemInfo):
    """System.IO.DirectoryInfo."""

    @net_property("Parent")
    def _parent_info(self) -> FileSystemInfo | None:
        return FileSystemInfo(self._parent(), True) if self._parent() else None

    @net_property("Root")
    def _root(self) -> FileSystemInfo:
        return FileSystemInfo(self.full_name[:3], True)

    @net_method("Delete")
    def _delete_directory(self) -> typing.Any:
        return self._delete([])

    @net_method("Delete")
    def _delete_directory_recursive(self, recursive: typing.Any) -> typing.Any:
        return self._delete([recursive])

    @net_method("Create")
    def _create(self) -> typing.Any:
        try:
            self._fs().create_directory(self.full_name)
        except FSError as err:
            raise method_exception("Create", 0, err.message, err.exception_type) from None
        self.refresh()
        return void()

    @net_method("EnumerateFiles")
    def _enumerate_files(self, *args: typing.Any) -> list:
        return self._list("EnumerateFiles", list(args), files=True)

    @net_method("GetFiles")
    def _get_files(self, *args: typing.Any) -> list:
        return self._list("GetFiles", list(args), files=True)

    @net_method("EnumerateDirectories")
    def _enumerate_directories(self, *args: typing.Any) -> list:
        return self._list("EnumerateDirectories", list(args), files=False)

    @net_method("GetDirectories")
    def _get_directories(self, *args: typing.Any) -> list:
        return self._list("GetDirectories", list(args), files=False)


def provider_item(entry: typing.Any, to_string: str = "full") -> FileSystemInfo:
    """The FileInfo/DirectoryInfo the FileSystem provider emits for an item (Get-Item, Get-ChildItem)."""
    return FileSystemInfo(entry.full_name, entry.is_dir, original=entry.full_name if to_string == "full" else entry.name,
                          provider=True)


def new_info(is_dir: bool, args: list) -> FileSystemInfo:
    """[System.IO.FileInfo]::new(path) / New-Object System.IO.DirectoryInfo path: the path made absolute, not checked."""

    if len(args) != 1:
        raise method_exception("new", len(args), f'Cannot find an overload for "new" and the argument count: "{len(args)}".',
                               "System.Management.Automation.MethodException")
    if args[0] is None:
        raise method_exception("new", 1, f"Value cannot be null.\r\nParameter name: {'path' if is_dir else 'fileName'}",
                               "System.ArgumentNullException")
    text = to_string(args[0])
    if text.strip() == "":
        raise method_exception("new", 1, "The path is not of a legal form.", "System.ArgumentException")
    runspace = current_runspace()
    try:
        full = runspace.host.filesystem.normalize(resolve_native_path(runspace, text))
    except FSError as err:
        raise method_exception("new", 1, err.message, err.exception_type) from None
    return FileSystemInfo(runspace.host.filesystem.full_name(full), is_dir, original=text)
