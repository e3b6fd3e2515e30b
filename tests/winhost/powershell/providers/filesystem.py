"""The FileSystem provider (FileSystemProvider.cs) over the host's in-memory drive C: (`HostServices.filesystem`).

Items are System.IO.FileInfo / DirectoryInfo objects with the provider notes (fileinfo.py). GetItem,
ItemExists, GetChildItems, NewItem, RemoveItem and the content reader/writer are FileSystemProvider's; it has no
SetItem (`Set-Item C:\\x` is PowerShell's "does not support this operation"). Hidden items are left out by
GetChildItems and "not found" by GetItem without -Force; RemoveItem of a read-only, hidden or system item needs
-Force; New-Item and Remove-Item know their ShouldProcess texts (FileSystemProvider.NewItem / RemoveItem).
"""

from __future__ import annotations

import typing

from .. import values as V
from ..dotnet import ByteArray, Encoding, decode_text, split_lines
from ..errors import PSError
from ..tripwire import not_modelled
from ..fileinfo import PROVIDER, provider_item
from ...machine.disk import HIDDEN, READ_ONLY, SYSTEM, FSError, parent_of
from .base import Provider, ProviderPath, has_wildcard, path_not_found, register

__all__ = ["PROVIDER", "FileSystemProvider", "FILESYSTEM", "resolve", "expand", "item_object", "io_error", "encoding_of"]


def resolve(ctx: typing.Any, path: str) -> str:
    """A FileSystem path (drive-qualified, rooted, `~` or relative to the current location) -> an absolute
    native path (not yet normalized, so wildcards survive)."""
    text = path.strip()
    low = text.lower()
    for prefix in ("microsoft.powershell.core\\filesystem::", "filesystem::"):
        if low.startswith(prefix):
            text = text[len(prefix):]
            break
    text = text.replace("/", "\\")
    runspace = ctx.session
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


def expand(ctx: typing.Any, full: str, literal: bool) -> tuple[str, list[str]]:
    """(display path, matching full paths) of an absolute path: wildcards are expanded in each component for -Path."""
    fs = ctx.host.filesystem
    if literal or not has_wildcard(full):
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
            if not has_wildcard(part):
                candidate = base.rstrip("\\") + "\\" + part
                if fs.exists(candidate):
                    following.append(fs.full_name(candidate))
                continue
            if not fs.is_dir(base):
                continue
            following.extend(e.full_name for e in fs.children(base) if V.like(e.name, part))
        current = following
    return full, current


def _matches(cmd: typing.Any, p: ProviderPath, literal: bool) -> tuple[str, list[str]]:
    """The path as shown in errors and the full paths `p` names; when none, the cmdlet's "Cannot find path" error,
    unless a wildcard matched nothing (PowerShell writes nothing then)."""
    shown, matches = expand(cmd.ctx, p.path, literal)
    if not matches and (literal or not has_wildcard(shown)):
        cmd.write_error(path_not_found(shown, cmd.dotnet))
    return shown, matches


def item_object(entry: typing.Any, to_string: str = "full") -> typing.Any:
    """A System.IO.FileInfo / DirectoryInfo as the FileSystem provider emits it (fileinfo.py)."""
    return provider_item(entry, to_string)


def hidden(entry: typing.Any) -> bool:
    """Whether the provider leaves the item out without -Force (FileSystemProvider: FileAttributes.Hidden)."""
    return bool(entry.attributes & HIDDEN)


def io_error(err: FSError, fqid: str, category: str, target: str) -> PSError:
    return PSError(err.message, exception_type=err.exception_type, fqid=fqid, category=category,
                   reason=err.exception_type.rsplit(".", 1)[-1], target=target)


# The FileSystem's dynamic -Encoding parameter (FileSystemCmdletProviderEncoding) -> the dotnet.Encoding key.
_ENCODING_NAMES = {"unknown": "unicode", "string": "unicode", "unicode": "unicode", "bigendianunicode": "bigendianunicode",
                   "utf8": "utf8", "utf32": "utf32", "ascii": "ascii", "default": "default", "oem": "default", "byte": "byte"}


def encoding_of(cmd: typing.Any, default: str) -> str:
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


class FileSystemProvider(Provider):
    name = "FileSystem"
    drives = ("C",)
    has_content = True
    supports_filter = True
    knows_should_process = True  # New-Item's and Remove-Item's texts (FileSystemProvider.NewItem / RemoveItem)

    def native_path(self, ctx: typing.Any, drive: str | None, rest: str) -> str:
        return resolve(ctx, rest if drive is None else f"{drive}:{rest}")

    # ------------------------------------------------------------------ items
    def get_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        shown, matches = _matches(cmd, p, literal)
        fs = cmd.ctx.host.filesystem
        for full in matches:
            entry = fs.entry(full)
            if hidden(entry) and not cmd.switch("Force"):
                # FileSystemProvider.GetItem: a hidden item is "not found" without -Force (an IOException, not ItemNotFoundException).
                if literal or not has_wildcard(shown):
                    cmd.write_error(PSError(f"Could not find item {full}.", exception_type="System.IO.IOException",
                                            fqid=f"ItemNotFound,{cmd.dotnet}", category="ObjectNotFound", reason="IOException",
                                            target=full))
                continue
            cmd.emit(item_object(entry, "full"))

    def child_items(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        fs = cmd.ctx.host.filesystem
        _shown, matches = _matches(cmd, p, literal)
        name_filter = V.to_string(cmd.get("Filter")) if cmd.get("Filter") is not None else None
        for full in matches:
            if not fs.is_dir(full):
                self._emit_child(cmd, fs.entry(full), name_filter, "")
                continue
            self._list_dir(cmd, full, name_filter, "")

    def _list_dir(self, cmd: typing.Any, full: str, name_filter: str | None, relative: str) -> None:
        fs = cmd.ctx.host.filesystem
        entries = fs.children(full)
        for entry in entries:
            self._emit_child(cmd, entry, name_filter, relative)
        if cmd.switch("Recurse"):
            for entry in entries:
                if entry.is_dir and (cmd.switch("Force") or not hidden(entry)):
                    self._list_dir(cmd, entry.full_name, name_filter, relative + entry.name + "\\")

    @staticmethod
    def _emit_child(cmd: typing.Any, entry: typing.Any, name_filter: str | None, relative: str) -> None:
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

    def item_exists(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> bool:
        """Test-Path, with its -PathType (FileSystemProvider.IsItemContainer) and -IsValid."""
        fs = cmd.ctx.host.filesystem
        path_type = V.to_string(cmd.get("PathType") or "Any").lower()
        if cmd.switch("IsValid"):
            try:
                fs.normalize(p.path)
                return True
            except FSError:
                return False
        _shown, matches = expand(cmd.ctx, p.path, literal)
        if not matches:
            return False
        if path_type == "leaf":
            return all(fs.is_file(m) for m in matches)
        if path_type == "container":
            return all(fs.is_dir(m) for m in matches)
        return True

    def new_item(self, cmd: typing.Any, p: ProviderPath, item_type: str | None, value: typing.Any) -> None:
        kind = (item_type or "file").lower()
        if kind not in ("file", "directory"):
            raise cmd.terminating(PSError(
                "The type is not a known type for the file system. Only \"file\" and \"directory\" can be created.",
                exception_type="System.Management.Automation.PSArgumentException", fqid="Argument", category="InvalidArgument",
                reason="PSArgumentException"))
        try:
            full = cmd.ctx.host.filesystem.normalize(p.path)
        except FSError as err:
            cmd.write_error(io_error(err, "NewItemIOError", "WriteError", p.path))
            return
        if kind == "directory":
            self._new_directory(cmd, full)
        else:
            self._new_file(cmd, full, value)

    def copy_item(self, cmd: typing.Any, p: ProviderPath, literal: bool, destination: ProviderPath, move: bool) -> None:
        """Copy-Item / Move-Item of files (FileSystemProvider.CopyFileInfoItem: `file.CopyTo(destination, true)`, so an
        existing file is replaced, a read-only one only with -Force; MoveFileInfoItem: `file.MoveTo(destination)`, and
        with -Force an existing destination file is deleted first). A destination that is a directory receives the file
        under its own name. Not modelled (tripwire): directories (-Recurse), the errors of a destination whose directory
        is missing or of a read-only file without -Force; their ShouldProcess texts are not either (the cmdlets are
        refused under -WhatIf or -Confirm: commands.py's guard)."""
        verb = "Move-Item" if move else "Copy-Item"
        if destination.provider is not self:
            raise not_modelled(f"{verb} to the {destination.provider.name} provider")
        _shown, matches = _matches(cmd, p, literal)
        if not matches:
            return
        fs = cmd.ctx.host.filesystem
        dest = fs.normalize(destination.path)
        for full in matches:
            if fs.is_dir(full):
                raise not_modelled(f"{verb} of a directory")
            target = dest.rstrip("\\") + "\\" + full.rsplit("\\", 1)[-1] if fs.is_dir(dest) else dest
            if target.lower() == full.lower() or fs.is_dir(target) or not fs.is_dir(parent_of(target)):
                raise not_modelled(f"{verb} onto itself, a directory or into a directory that does not exist")
            existing = fs.entry(target)
            if existing is not None and existing.attributes & (HIDDEN | READ_ONLY) and not cmd.switch("Force"):
                raise not_modelled(f"{verb} over a read-only or hidden file without -Force")
            if existing is not None and move and not cmd.switch("Force"):
                raise not_modelled("Move-Item over an existing file without -Force")
            if existing is not None and (move or existing.attributes & (HIDDEN | READ_ONLY)):
                fs.remove(target)  # -Force: the attributes cleared and the file deleted first (or replaced by CopyTo)
            if move:
                fs.move(full, target)
            else:
                fs.copy(full, target, overwrite=True)
            if cmd.switch("PassThru"):
                cmd.emit(item_object(fs.entry(target), "full"))

    @staticmethod
    def _creates_parents(cmd: typing.Any, full: str) -> bool:
        """-Force makes missing parents first, each with its own ShouldProcess (CreateIntermediateDirectories)."""
        if cmd.switch("Force") and not cmd.ctx.host.filesystem.is_dir(parent_of(full)):
            cmd.guard_should_process()  # those messages are not modelled: refuse under WhatIf rather than guess them
            return True
        return False

    def _new_directory(self, cmd: typing.Any, full: str) -> None:
        fs = cmd.ctx.host.filesystem
        if fs.exists(full) and not (fs.is_dir(full) and cmd.switch("Force")):
            cmd.write_error(PSError(f"An item with the specified name {full} already exists.",
                                    exception_type="System.IO.IOException", fqid="DirectoryExist", category="ResourceExists",
                                    reason="IOException", target=full))
            return
        self._creates_parents(cmd, full)
        if not cmd.should_process("Create Directory", f"Destination: {full}"):
            return
        if fs.is_dir(full):
            cmd.emit(item_object(fs.entry(full), "name"))
            return
        try:
            fs.create_directory(full)
        except FSError as err:
            cmd.write_error(io_error(err, "CreateDirectoryIOError", "WriteError", full))
            return
        cmd.emit(item_object(fs.entry(full), "name"))

    def _new_file(self, cmd: typing.Any, full: str, value: typing.Any) -> None:
        fs = cmd.ctx.host.filesystem
        self._creates_parents(cmd, full)
        if not cmd.should_process("Create File", f"Destination: {full}"):
            return
        if fs.is_dir(full):
            cmd.write_error(PSError(f"Access to the path '{full}' is denied.", exception_type="System.UnauthorizedAccessException",
                                    fqid="NewItemUnauthorizedAccessError", category="PermissionDenied",
                                    reason="UnauthorizedAccessException", target=full))
            return
        if fs.exists(full) and not cmd.switch("Force"):
            cmd.write_error(PSError(f"The file '{full}' already exists.", exception_type="System.IO.IOException",
                                    fqid="NewItemIOError", category="WriteError", reason="IOException", target=full))
            return
        data = b"" if value is None else Encoding("default").encode(V.to_string(value))
        try:
            if cmd.switch("Force") and not fs.is_dir(parent_of(full)):
                fs.create_directory(parent_of(full))
            fs.write_bytes(full, data)
        except FSError as err:
            cmd.write_error(io_error(err, "NewItemIOError", "WriteError", full))
            return
        cmd.emit(item_object(fs.entry(full), "name"))

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        _shown, matches = _matches(cmd, p, literal)
        for full in matches:
            self._remove(cmd, full)

    @staticmethod
    def _remove(cmd: typing.Any, full: str) -> None:
        fs = cmd.ctx.host.filesystem
        entry = fs.entry(full)
        if entry is not None and entry.is_dir and fs.children(full) and not cmd.switch("Recurse"):
            pass  # RemoveItemCommand asks first (below), before the provider's ShouldProcess
        elif entry is not None and not cmd.should_process("Remove Directory" if entry.is_dir else "Remove File", entry.full_name):
            return
        if entry is not None and entry.attributes & (HIDDEN | SYSTEM | READ_ONLY) and not cmd.switch("Force"):
            # FileSystemProvider.RemoveFileSystemItem; the text is the record's ErrorDetails (CannotRemoveItem + 5.1's PermissionError).
            cmd.write_error(PSError(f"Cannot remove item {entry.full_name}: You do not have sufficient access rights to perform "
                                    "this operation.", exception_type="System.IO.IOException",
                                    fqid="RemoveFileSystemItemUnAuthorizedAccess", category="PermissionDenied",
                                    reason="IOException", target=entry.full_name))
            return
        try:
            if fs.is_dir(full) and fs.children(full) and not cmd.switch("Recurse"):
                # Windows asks the user (a PromptForChoice host call); a session without one fails like this.
                cmd.write_error(PSError(
                    f"The item at {full} has children and the Recurse parameter was not specified. If you continue, all "
                    "children will be removed with the item. Are you sure you want to continue?",
                    exception_type="System.Management.Automation.Host.HostException", fqid="HostException",
                    category="NotSpecified", reason="HostException", target=full))
                return
            fs.remove(full, recursive=True)
        except FSError as err:
            cmd.write_error(io_error(err, "RemoveFileSystemItemIOError", "WriteError", full))

    # ------------------------------------------------------------------ content
    def get_content(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        """Get-Content with the FileSystem's parameters: lines (BOM-detected or -Encoding), -Raw, -TotalCount, -Tail."""
        shown, matches = expand(cmd.ctx, p.path, literal)
        if not matches:
            cmd.write_error(path_not_found(shown, cmd.dotnet))
            return
        for full in matches:
            self._read(cmd, full)

    @staticmethod
    def _read(cmd: typing.Any, full: str) -> None:
        try:
            data = cmd.ctx.host.filesystem.read_bytes(full)
        except FSError as err:
            fqid = "GetContentReaderUnauthorizedAccessError" if err.exception_type.endswith("UnauthorizedAccessException") \
                else "GetContentReaderIOError"
            cmd.write_error(io_error(err, fqid, "PermissionDenied" if "Unauthorized" in err.exception_type else "ReadError", full))
            return
        encoding = encoding_of(cmd, "auto")
        if encoding == "byte":
            if cmd.switch("Raw"):
                cmd.emit(ByteArray(data))
            else:
                for byte in data:
                    cmd.emit(byte)
            return
        text = decode_text(data) if encoding == "auto" else Encoding(encoding).decode(data)
        if cmd.switch("Raw"):
            if text:
                cmd.emit(text)
            return
        lines = split_lines(text)
        if cmd.has("TotalCount") and int(cmd.get("TotalCount")) >= 0:
            lines = lines[:int(cmd.get("TotalCount"))]
        if cmd.has("Tail"):
            lines = lines[-int(cmd.get("Tail")):] if int(cmd.get("Tail")) > 0 else []
        for line in lines:
            cmd.emit(line)

    def write_content(self, cmd: typing.Any, p: ProviderPath, literal: bool, values: list, append: bool) -> None:
        """Set-Content / Add-Content: the values a line each (-NoNewline: joined), in -Encoding (5.1's default ANSI)."""
        encoding = encoding_of(cmd, "default")
        if encoding == "byte":
            data = bytes(int(V.cast(v, V.TypeValue("System.Byte"))) for v in values)
        else:
            sep = "" if cmd.switch("NoNewline") else "\r\n"
            data = Encoding(encoding).encode("".join(V.to_string(v) + sep for v in values))
        shown, matches = expand(cmd.ctx, p.path, literal)
        if not matches:
            if not literal and has_wildcard(shown):
                cmd.write_error(path_not_found(shown, cmd.dotnet))
                return
            matches = [shown]
        for full in matches:
            self._write(cmd, full, data, encoding, append, values)

    @staticmethod
    def _write(cmd: typing.Any, full: str, data: bytes, encoding: str, append: bool, values: list) -> None:
        fs = cmd.ctx.host.filesystem
        try:
            existed = fs.exists(full)
            if append and existed:
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
            cmd.write_error(io_error(err, fqid, category, full))
            return
        if cmd.switch("PassThru"):
            for value in values:
                cmd.emit(value)

    def read_content(self, ctx: typing.Any, p: ProviderPath) -> list | None:
        """`${C:\\x}`: the file's lines as Get-Content reads them (FileSystemContentReaderWriter, encoding detected
        from the BOM); None for a missing file. A read failure raises its FSError."""
        fs = ctx.host.filesystem
        _shown, matches = expand(ctx, p.path, literal=False)
        if not matches:
            return None
        if len(matches) > 1:
            # SessionStateVariableAPIs.GetVariableValueFromProvider: a ProviderInvocationException
            # (ProviderVariableSyntaxInvalid) around a PSArgumentException (VariablePathResolvedToMultiple).
            raise PSError(f"The variable syntax cannot be used to get or set data in the provider. Cannot process variable "
                          f"because variable path '{p.given}' resolved to multiple items. You can get or set the variable value "
                          "only one item at a time.", exception_type="System.Management.Automation.ProviderInvocationException",
                          fqid="Argument", category="InvalidArgument", reason="ProviderInvocationException", target=p.given)
        if fs.is_dir(matches[0]):
            raise not_modelled(f"The variable syntax over the directory {matches[0]}")
        try:
            data = fs.read_bytes(matches[0])
        except FSError as err:
            unauthorized = "Unauthorized" in err.exception_type
            raise io_error(err, "GetContentReaderUnauthorizedAccessError" if unauthorized else "GetContentReaderIOError",
                           "PermissionDenied" if unauthorized else "ReadError", matches[0]) from None
        return split_lines(decode_text(data))


FILESYSTEM = register(FileSystemProvider())
