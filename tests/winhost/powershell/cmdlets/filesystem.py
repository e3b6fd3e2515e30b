"""FileSystem provider cmdlets on the host's in-memory drive C: New-Item, Get-Content, Set-Content,
Add-Content, Remove-Item; and the filesystem side of Get-Item, Get-ChildItem and Test-Path
(wsman.py dispatches to ``get_items``, ``child_items`` and ``test_path`` here)."""

# Cmdlet state is created in begin_processing, which is the cmdlet lifecycle's constructor.
# pylint: disable=attribute-defined-outside-init

from __future__ import annotations

import typing


from .. import values as V
from ..binding import Param
from ..dotnet import ByteArray, Encoding, decode_text, split_lines
from ..errors import PSError
from ..fileinfo import provider_item
from ...machine.disk import HIDDEN, READ_ONLY, SYSTEM, FSError, parent_of
from . import Cmdlet, cmdlet

PROVIDER = "Microsoft.PowerShell.Core\\FileSystem"
_WILDCARDS = "*?["


def is_filesystem_path(path: str) -> bool:
    """Whether a cmdlet path belongs to the FileSystem provider (drive letter, provider-qualified or relative)."""
    text = path.strip()
    low = text.lower()
    if low.startswith(("microsoft.powershell.core\\filesystem::", "filesystem::")):
        return True
    if len(text) >= 2 and text[1] == ":" and text[0].isalpha():
        return True
    return ":" not in text


def resolve(cmd: Cmdlet, path: str) -> str:
    """A cmdlet path -> an absolute provider path (not yet normalized for wildcards)."""
    text = path.strip()
    low = text.lower()
    for prefix in ("microsoft.powershell.core\\filesystem::", "filesystem::"):
        if low.startswith(prefix):
            text = text[len(prefix):]
            break
    text = text.replace("/", "\\")
    runspace = cmd.ctx.session
    if text == "~" or text.startswith("~\\"):
        return runspace.home_dir() + text[1:]
    if len(text) >= 2 and text[1] == ":":
        if len(text) == 2:
            return text + "\\"
        if text[2] != "\\":
            return text[:2] + "\\" + text[2:]
        return text
    if text.startswith("\\"):
        return "C:" + text
    return runspace.native_cwd() + "\\" + text


def _has_wildcard(text: str) -> bool:
    return any(ch in text for ch in _WILDCARDS)


def expand(cmd: Cmdlet, path: str, literal: bool) -> tuple[str, list[str]]:
    """(display path, matching full paths): wildcards are expanded in each component for -Path."""
    fs = cmd.ctx.host.filesystem
    full = resolve(cmd, path)
    if literal or not _has_wildcard(full):
        try:
            normal = fs.normalize(full)
        except FSError:
            return full, []
        return normal, [fs.full_name(normal)] if fs.exists(normal) else []
    parts = full.split("\\")
    current = [parts[0] + "\\"]
    for part in parts[1:]:
        if not part:
            continue
        following: list[str] = []
        for base in current:
            if not _has_wildcard(part):
                candidate = base.rstrip("\\") + "\\" + part
                if fs.exists(candidate):
                    following.append(fs.full_name(candidate))
                continue
            if not fs.is_dir(base):
                continue
            following.extend(e.full_name for e in fs.children(base) if V.like(e.name, part))
        current = following
    return full, current


def item_object(entry: typing.Any, to_string: str = "full") -> typing.Any:
    """A System.IO.FileInfo / DirectoryInfo as the FileSystem provider emits it (fileinfo.py)."""
    return provider_item(entry, to_string)


def hidden(entry: typing.Any) -> bool:
    """Whether the provider leaves the item out without -Force (FileSystemProvider: FileAttributes.Hidden)."""
    return bool(entry.attributes & HIDDEN)


def path_not_found(path: str, dotnet: str) -> PSError:
    return PSError(f"Cannot find path '{path}' because it does not exist.",
                   exception_type="System.Management.Automation.ItemNotFoundException", fqid=f"PathNotFound,{dotnet}",
                   category="ObjectNotFound", reason="ItemNotFoundException", target=path)


def _io_error(err: FSError, fqid: str, category: str, target: str) -> PSError:
    return PSError(err.message, exception_type=err.exception_type, fqid=fqid, category=category,
                   reason=err.exception_type.rsplit(".", 1)[-1], target=target)


# --------------------------------------------------------------------------- used by wsman.py

def get_items(cmd: Cmdlet, path: str, literal: bool) -> None:
    shown, matches = expand(cmd, path, literal)
    if not matches:
        if literal or not _has_wildcard(shown):
            cmd.write_error(path_not_found(shown, cmd.dotnet))
        return
    fs = cmd.ctx.host.filesystem
    for full in matches:
        entry = fs.entry(full)
        if hidden(entry) and not cmd.switch("Force"):
            # FileSystemProvider.GetItem: a hidden item is "not found" without -Force (an IOException, not ItemNotFoundException).
            if literal or not _has_wildcard(shown):
                cmd.write_error(PSError(f"Could not find item {full}.", exception_type="System.IO.IOException",
                                        fqid=f"ItemNotFound,{cmd.dotnet}", category="ObjectNotFound", reason="IOException",
                                        target=full))
            continue
        cmd.emit(item_object(entry, "full"))


def child_items(cmd: Cmdlet, path: str, literal: bool) -> None:
    fs = cmd.ctx.host.filesystem
    shown, matches = expand(cmd, path, literal)
    if not matches:
        if literal or not _has_wildcard(shown):
            cmd.write_error(path_not_found(shown, cmd.dotnet))
        return
    name_filter = V.to_string(cmd.get("Filter")) if cmd.get("Filter") is not None else None
    for full in matches:
        if not fs.is_dir(full):
            _emit_child(cmd, fs.entry(full), name_filter, "")
            continue
        _list_dir(cmd, full, name_filter, "")


def _list_dir(cmd: Cmdlet, full: str, name_filter: str | None, relative: str) -> None:
    fs = cmd.ctx.host.filesystem
    entries = fs.children(full)
    for entry in entries:
        _emit_child(cmd, entry, name_filter, relative)
    if cmd.switch("Recurse"):
        for entry in entries:
            if entry.is_dir and (cmd.switch("Force") or not hidden(entry)):
                _list_dir(cmd, entry.full_name, name_filter, relative + entry.name + "\\")


def _emit_child(cmd: Cmdlet, entry: typing.Any, name_filter: str | None, relative: str) -> None:
    if hidden(entry) and not cmd.switch("Force"):
        return
    if name_filter is not None and not V.like(entry.name, name_filter):
        return
    if cmd.switch("File") and entry.is_dir or cmd.switch("Directory") and not entry.is_dir:
        return
    if cmd.switch("Name"):
        cmd.emit(relative + entry.name)
        return
    cmd.emit(item_object(entry, "name" if not cmd.switch("Recurse") else "full"))


def test_path(cmd: Cmdlet, path: str, literal: bool) -> bool:
    fs = cmd.ctx.host.filesystem
    path_type = V.to_string(cmd.get("PathType") or "Any").lower()
    if path_type not in ("any", "leaf", "container"):
        raise cmd.terminating(PSError(
            f"Cannot bind parameter 'PathType'. Cannot convert value \"{cmd.get('PathType')}\" to type "
            "\"Microsoft.PowerShell.Commands.TestPathType\". Error: \"Unable to match the identifier name "
            f"{cmd.get('PathType')} to a valid enumerator name. Specify one of the following enumerator names and try again:"
            "\r\nAny, Container, Leaf\"", exception_type="System.Management.Automation.ParameterBindingException",
            fqid="CannotConvertArgumentNoMessage", category="InvalidArgument", reason="ParameterBindingException"))
    if cmd.switch("IsValid"):
        try:
            fs.normalize(resolve(cmd, path))
            return True
        except FSError:
            return False
    _shown, matches = expand(cmd, path, literal)
    if not matches:
        return False
    if path_type == "leaf":
        return all(fs.is_file(m) for m in matches)
    if path_type == "container":
        return all(fs.is_dir(m) for m in matches)
    return True


# --------------------------------------------------------------------------- cmdlets

class _FsCmdlet(Cmdlet):
    def targets(self) -> list[tuple[str, bool]]:
        if self.get("LiteralPath") is not None:
            return [(V.to_string(p), True) for p in V.as_list(self.get("LiteralPath"))]
        return [(V.to_string(p), False) for p in V.as_list(self.get("Path"))]

    @property
    def fs(self) -> typing.Any:
        return self.ctx.host.filesystem

    def check_provider(self, path: str) -> bool:
        if is_filesystem_path(path):
            drive = path.strip()[0].upper() if len(path.strip()) >= 2 and path.strip()[1] == ":" else "C"
            if drive == "C":
                return True
        drive = path.partition(":")[0]
        self.write_error(PSError(f"Cannot find drive. A drive with the name '{drive}' does not exist.",
                                 exception_type="System.Management.Automation.DriveNotFoundException",
                                 fqid=f"DriveNotFound,{self.dotnet}", category="ObjectNotFound",
                                 reason="DriveNotFoundException", target=drive))
        return False


_ENCODING_NAMES = {"unknown": "unicode", "string": "unicode", "unicode": "unicode", "bigendianunicode": "bigendianunicode",
                   "utf8": "utf8", "utf32": "utf32", "ascii": "ascii", "default": "default", "oem": "default", "byte": "byte"}


def _encoding(cmd: Cmdlet, default: str) -> str:
    value = cmd.get("Encoding")
    if value is None:
        return default
    key = _ENCODING_NAMES.get(V.to_string(value).lower())
    if key is None:
        raise cmd.terminating(PSError(
            f"Cannot bind parameter 'Encoding'. Cannot convert value \"{V.to_string(value)}\" to type "
            "\"Microsoft.PowerShell.Commands.FileSystemCmdletProviderEncoding\". Error: \"Unable to match the identifier name "
            f"{V.to_string(value)} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n"
            "Unknown, String, Unicode, Byte, BigEndianUnicode, UTF8, UTF7, UTF32, Ascii, Default, Oem, BigEndianUTF32\"",
            exception_type="System.Management.Automation.ParameterBindingException", fqid="CannotConvertArgumentNoMessage",
            category="InvalidArgument", reason="ParameterBindingException"))
    return key


@cmdlet("Get-Content", "Microsoft.PowerShell.Commands.GetContentCommand", aliases=("gc", "cat", "type"))
class GetContent(_FsCmdlet):
    parameters = [Param("Path", 0, pipeline=True, by_property=True), Param("LiteralPath", aliases=("PSPath",), by_property=True),
                  Param("Raw", switch=True), Param("TotalCount", type_name="long", aliases=("First", "Head")),
                  Param("Tail", type_name="int", aliases=("Last",)), Param("Encoding"), Param("ReadCount", type_name="long"),
                  Param("Force", switch=True), Param("Delimiter")]

    def process_record(self, item: typing.Any) -> None:
        for path, literal in self.targets():
            if not self.check_provider(path):
                continue
            shown, matches = expand(self, path, literal)
            if not matches:
                self.write_error(path_not_found(shown, self.dotnet))
                continue
            for full in matches:
                self._read(full)

    def _read(self, full: str) -> None:
        try:
            data = self.fs.read_bytes(full)
        except FSError as err:
            fqid = "GetContentReaderUnauthorizedAccessError" if err.exception_type.endswith("UnauthorizedAccessException") \
                else "GetContentReaderIOError"
            self.write_error(_io_error(err, fqid, "PermissionDenied" if "Unauthorized" in err.exception_type else "ReadError", full))
            return
        encoding = _encoding(self, "auto")
        if encoding == "byte":
            if self.switch("Raw"):
                self.emit(ByteArray(data))
            else:
                for byte in data:
                    self.emit(byte)
            return
        text = decode_text(data) if encoding == "auto" else Encoding(encoding).decode(data)
        if self.switch("Raw"):
            if text:
                self.emit(text)
            return
        lines = split_lines(text)
        if self.has("TotalCount") and int(self.get("TotalCount")) >= 0:
            lines = lines[:int(self.get("TotalCount"))]
        if self.has("Tail"):
            lines = lines[-int(self.get("Tail")):] if int(self.get("Tail")) > 0 else []
        for line in lines:
            self.emit(line)


class _WriteContent(_FsCmdlet):
    append = False
    parameters = [Param("Path", 0, by_property=True), Param("Value", 1, pipeline=True, by_property=True),
                  Param("LiteralPath", aliases=("PSPath",), by_property=True), Param("Encoding"), Param("NoNewline", switch=True),
                  Param("Force", switch=True), Param("PassThru", switch=True)]

    def begin_processing(self) -> None:
        self.values: list = []

    def process_record(self, item: typing.Any) -> None:
        if "Value" in self.bound:
            self.values.extend(V.as_list(self.bound.pop("Value")))

    def end_processing(self) -> None:
        encoding = _encoding(self, "default")
        if encoding == "byte":
            data = bytes(int(V.cast(v, V.TypeValue("System.Byte"))) for v in self.values)
        else:
            sep = "" if self.switch("NoNewline") else "\r\n"
            text = "".join(V.to_string(v) + sep for v in self.values)
            enc = Encoding(encoding)
            data = enc.encode(text)
        for path, literal in self.targets():
            if not self.check_provider(path):
                continue
            shown, matches = expand(self, path, literal)
            if not matches:
                if not literal and _has_wildcard(shown):
                    self.write_error(path_not_found(shown, self.dotnet))
                    continue
                matches = [shown]
            for full in matches:
                self._write(full, data, encoding)

    def _write(self, full: str, data: bytes, encoding: str) -> None:
        fs = self.fs
        try:
            existed = fs.exists(full)
            if self.append and existed:
                fs.write_bytes(full, data, append=True)
            else:
                preamble = b"" if encoding in ("byte", "default", "ascii") else Encoding(encoding).preamble
                fs.write_bytes(full, preamble + data)
        except FSError as err:
            if "DirectoryNotFound" in err.exception_type:
                fqid, category = "GetContentWriterDirectoryNotFoundError", "ObjectNotFound"
            elif "Unauthorized" in err.exception_type:
                fqid, category = "GetContentWriterUnauthorizedAccessError", "PermissionDenied"
            else:
                fqid, category = "GetContentWriterIOError", "WriteError"
            self.write_error(_io_error(err, fqid, category, full))
            return
        if self.switch("PassThru"):
            for value in self.values:
                self.emit(value)


@cmdlet("Set-Content", "Microsoft.PowerShell.Commands.SetContentCommand", aliases=("sc",), should_process=True)
class SetContent(_WriteContent):
    append = False


@cmdlet("Add-Content", "Microsoft.PowerShell.Commands.AddContentCommand", aliases=("ac",), should_process=True)
class AddContent(_WriteContent):
    append = True


@cmdlet("New-Item", "Microsoft.PowerShell.Commands.NewItemCommand", aliases=("ni",), should_process=True)
class NewItem(_FsCmdlet):
    knows_should_process = True  # FileSystemProvider.NewItem: "Create Directory"/"Create File" on "Destination: <path>"
    parameters = [Param("Path", 0, by_property=True), Param("Name", by_property=True), Param("ItemType", aliases=("Type",)),
                  Param("Value", pipeline=True, by_property=True), Param("Force", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        paths = [V.to_string(p) for p in V.as_list(self.get("Path"))] or [self.ctx.session.native_cwd()]
        name = self.get("Name")
        kind = V.to_string(self.get("ItemType") or "File").lower()
        if kind not in ("file", "directory"):
            raise self.terminating(PSError(
                "The type is not a known type for the file system. Only \"file\" and \"directory\" can be created.",
                exception_type="System.Management.Automation.PSArgumentException", fqid="Argument", category="InvalidArgument",
                reason="PSArgumentException"))
        for path in paths:
            if not self.check_provider(path):
                continue
            full = resolve(self, path if name is None else path.rstrip("\\/") + "\\" + V.to_string(name))
            try:
                full = self.fs.normalize(full)
            except FSError as err:
                self.write_error(_io_error(err, "NewItemIOError", "WriteError", full))
                continue
            if kind == "directory":
                self._directory(full)
            else:
                self._file(full)

    def _creates_parents(self, full: str) -> bool:
        """-Force makes missing parents first, each with its own ShouldProcess (CreateIntermediateDirectories)."""
        if self.switch("Force") and not self.fs.is_dir(parent_of(full)):
            self.guard_should_process()  # those messages are not modelled: refuse under WhatIf rather than guess them
            return True
        return False

    def _directory(self, full: str) -> None:
        fs = self.fs
        if fs.exists(full) and not (fs.is_dir(full) and self.switch("Force")):
            self.write_error(PSError(f"An item with the specified name {full} already exists.",
                                     exception_type="System.IO.IOException", fqid="DirectoryExist", category="ResourceExists",
                                     reason="IOException", target=full))
            return
        self._creates_parents(full)
        if not self.should_process("Create Directory", f"Destination: {full}"):
            return
        if fs.is_dir(full):
            self.emit(item_object(fs.entry(full), "name"))
            return
        try:
            fs.create_directory(full)
        except FSError as err:
            self.write_error(_io_error(err, "CreateDirectoryIOError", "WriteError", full))
            return
        self.emit(item_object(fs.entry(full), "name"))

    def _file(self, full: str) -> None:
        fs = self.fs
        self._creates_parents(full)
        if not self.should_process("Create File", f"Destination: {full}"):
            return
        if fs.is_dir(full):
            self.write_error(PSError(f"Access to the path '{full}' is denied.", exception_type="System.UnauthorizedAccessException",
                                     fqid="NewItemUnauthorizedAccessError", category="PermissionDenied",
                                     reason="UnauthorizedAccessException", target=full))
            return
        if fs.exists(full) and not self.switch("Force"):
            self.write_error(PSError(f"The file '{full}' already exists.", exception_type="System.IO.IOException",
                                     fqid="NewItemIOError", category="WriteError", reason="IOException", target=full))
            return
        value = self.get("Value")
        data = b"" if value is None else Encoding("default").encode(V.to_string(value))
        try:
            if self.switch("Force") and not fs.is_dir(parent_of(full)):
                fs.create_directory(parent_of(full))
            fs.write_bytes(full, data)
        except FSError as err:
            self.write_error(_io_error(err, "NewItemIOError", "WriteError", full))
            return
        self.emit(item_object(fs.entry(full), "name"))


@cmdlet("Remove-Item", "Microsoft.PowerShell.Commands.RemoveItemCommand", aliases=("rm", "del", "erase", "rd", "ri", "rmdir"),
        should_process=True)
class RemoveItem(_FsCmdlet):
    knows_should_process = True  # FileSystemProvider.RemoveItem: "Remove File"/"Remove Directory" on the full path
    parameters = [Param("Path", 0, pipeline=True, by_property=True), Param("LiteralPath", aliases=("PSPath",), by_property=True),
                  Param("Recurse", switch=True), Param("Force", switch=True), Param("Filter"), Param("Include"), Param("Exclude")]

    def process_record(self, item: typing.Any) -> None:
        for path, literal in self.targets():
            if not is_filesystem_path(path):
                from .wsman import remove_other_provider  # pylint: disable=import-outside-toplevel

                self.guard_should_process()  # the other providers' ShouldProcess texts are not modelled
                remove_other_provider(self, path)
                continue
            if not self.check_provider(path):
                continue
            shown, matches = expand(self, path, literal)
            if not matches:
                if literal or not _has_wildcard(shown):
                    self.write_error(path_not_found(shown, self.dotnet))
                continue
            for full in matches:
                self._remove(full)

    def _remove(self, full: str) -> None:
        fs = self.fs
        entry = fs.entry(full)
        if entry is not None and entry.is_dir and fs.children(full) and not self.switch("Recurse"):
            pass  # RemoveItemCommand asks first (below), before the provider's ShouldProcess
        elif entry is not None and not self.should_process("Remove Directory" if entry.is_dir else "Remove File", entry.full_name):
            return
        if entry is not None and entry.attributes & (HIDDEN | SYSTEM | READ_ONLY) and not self.switch("Force"):
            # FileSystemProvider.RemoveFileSystemItem; the text is the record's ErrorDetails (CannotRemoveItem + 5.1's PermissionError).
            self.write_error(PSError(f"Cannot remove item {entry.full_name}: You do not have sufficient access rights to perform "
                                     "this operation.", exception_type="System.IO.IOException",
                                     fqid="RemoveFileSystemItemUnAuthorizedAccess", category="PermissionDenied",
                                     reason="IOException", target=entry.full_name))
            return
        try:
            if fs.is_dir(full) and fs.children(full) and not self.switch("Recurse"):
                # Windows asks the user (a PromptForChoice host call); a session without one fails like this.
                self.write_error(PSError(
                    f"The item at {full} has children and the Recurse parameter was not specified. If you continue, all "
                    "children will be removed with the item. Are you sure you want to continue?",
                    exception_type="System.Management.Automation.Host.HostException", fqid="HostException",
                    category="NotSpecified", reason="HostException", target=full))
                return
            fs.remove(full, recursive=True)
        except FSError as err:
            self.write_error(_io_error(err, "RemoveFileSystemItemIOError", "WriteError", full))


@cmdlet("Out-File", "Microsoft.PowerShell.Commands.OutFileCommand", should_process=True)
class OutFile(_FsCmdlet):
    """Out-File (Out-File.cs, PathUtils.MasterStreamOpen): the input formatted as the host would show it, one line
    each, in Windows PowerShell 5.1's default encoding for it (Unicode, with a BOM). The file is opened (created or
    truncated) when the command starts, after ShouldProcess("Output to File") on the path as given."""

    knows_should_process = True
    parameters = [Param("FilePath", 0, aliases=("Path",)), Param("LiteralPath", aliases=("PSPath", "LP")), Param("Encoding", 1),
                  Param("Append", switch=True), Param("Force", switch=True), Param("NoClobber", aliases=("NoOverwrite",), switch=True),
                  Param("Width", type_name="int"), Param("NoNewline", switch=True), Param("InputObject", pipeline=True)]

    def begin_processing(self) -> None:
        self.items: list = []
        self.full: str | None = None
        given = self.get("LiteralPath") if self.get("LiteralPath") is not None else self.get("FilePath")
        if given is None:
            raise self.terminating(PSError("Cannot process command because of one or more missing mandatory parameters: FilePath.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid="MissingMandatoryParameter", category="InvalidArgument",
                                           reason="ParameterBindingException"))
        self.encoding = _encoding(self, "unicode")
        path = V.to_string(given)
        if not self.should_process("Output to File", path):
            return
        if not self.check_provider(path):
            return
        full = self.fs.normalize(resolve(self, path))
        fs = self.fs
        if fs.exists(full) and self.switch("NoClobber") and not self.switch("Append"):
            # PathUtils.MasterStreamOpen: the record's ErrorDetails (UtilityFileExistsNoClobber) is what is shown.
            raise self.terminating(PSError(f"File {full} already exists and NoClobber was specified.",
                                           exception_type="System.IO.IOException", fqid="NoClobber", category="ResourceExists",
                                           reason="IOException", target=full))
        try:
            if fs.exists(full) and self.switch("Force"):
                fs.set_attributes(full, fs.get_attributes(full) & ~READ_ONLY)  # -Force writes a read-only file
            if not (self.switch("Append") and fs.exists(full) and fs.read_bytes(full)):
                # A new or truncated file gets the encoding's preamble however little is written: the StreamWriter
                # writes it on its first Flush, which Out-File makes even with no input.
                fs.write_bytes(full, b"" if self.encoding in ("default", "ascii") else Encoding(self.encoding).preamble)
        except FSError as err:
            raise self.terminating(_io_error(err, "FileOpenFailure", "OpenError", full)) from None
        self.full = full

    def process_record(self, item: typing.Any) -> None:
        if "InputObject" in self.bound:
            self.items.extend(V.enumerate_value(self.bound.pop("InputObject")))

    def end_processing(self) -> None:
        if self.full is None:
            return
        from ..formatting_objects import format_for_display  # pylint: disable=import-outside-toplevel

        # $null is no record for the formatter: `$null | Out-File x -Encoding ASCII` leaves x empty.
        lines = format_for_display([item for item in self.items if item is not None])
        if not lines:
            return
        text = "".join(line + ("" if self.switch("NoNewline") else "\r\n") for line in lines)
        try:
            self.fs.write_bytes(self.full, Encoding(self.encoding).encode(text), append=True)
        except FSError as err:
            raise self.terminating(_io_error(err, "FileOpenFailure", "OpenError", self.full)) from None
