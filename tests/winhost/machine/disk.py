"""An in-memory Windows filesystem: drive C:, case-insensitive, case-preserving, backslashes.

One per test host (the server keeps it for the host's life, across sessions and restarts, as
a disk outlives a reboot); the interpreter reaches it through ``HostServices.filesystem``.
Errors are raised as ``FSError`` subclasses carrying the .NET exception type and Windows'
message; callers (the .NET members and the cmdlets) wrap them as PowerShell does.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
import typing

DRIVES = ("C",)
DEFAULT_DIRECTORIES = (
    "C:\\Windows", "C:\\Windows\\System32", "C:\\Windows\\Temp", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
    "C:\\Users", "C:\\Users\\Public", "C:\\Program Files", "C:\\Program Files (x86)", "C:\\ProgramData",
)

# Who owns an item (its security descriptor's owner, as an NTAccount name: what FileSecurity's Owner shows).
# Windows' own folders belong to the Windows Modules Installer service, NT SERVICE\TrustedInstaller (Windows Resource
# Protection: "About Windows Resource Protection", learn.microsoft.com/windows/win32/wfp); the drive's root too, as
# `(Get-Acl C:\).Owner` shows on Windows Server 2016 and later (widely reported, not documented, not checked against a
# recording here). The owners of the other directories Windows makes (Users, Users\Public, ProgramData, Windows\Temp)
# are not modelled: None, which the interpreter reports as a tripwire error, never as a guess.
TRUSTED_INSTALLER = "NT SERVICE\\TrustedInstaller"
SYSTEM_OWNERS = {path.lower(): TRUSTED_INSTALLER for path in (
    "C:\\", "C:\\Windows", "C:\\Windows\\System32", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
    "C:\\Program Files", "C:\\Program Files (x86)")}
# An item is owned by the default owner of the creator's token (learn.microsoft.com/windows/win32/secauthz/owner-of-a-new-object):
# for a member of the Administrators group that is the group itself on Windows Server (security policy "System objects:
# Default owner for objects created by members of the Administrators group", default "Administrators group" on servers),
# for any other user the user. A session's items are its user's (FileSystem.creating_as, which the interpreter sets per
# pipeline); what a test writes straight through this API stands for a set-up done by an administrator of the host, so
# it is the Administrators group's.
ADMINISTRATORS = "BUILTIN\\Administrators"

# Files every Windows Server has that scripts look up by name: 2.21's exec_wrapper.ps1 finds `powershell` with
# `Get-Command -CommandType Application` and compares its directory with $PSHOME (it respawns another interpreter
# otherwise); 2.16 to 2.18's bootstrap_wrapper.ps1 runs chcp.com; win_command and win_shell start whoami.exe and
# powershell.exe. Placeholders: no content; what running one does is modelled by powershell/native.py (as a command:
# chcp.com, whoami.exe) and powershell/standins/applications.py (started through CreateProcess: whoami.exe,
# powershell.exe).
DEFAULT_FILES = ("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "C:\\Windows\\System32\\chcp.com",
                 "C:\\Windows\\System32\\whoami.exe")


class FSError(Exception):
    """A filesystem failure as .NET reports it."""

    exception_type = "System.IO.IOException"

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class FileNotFound(FSError):
    exception_type = "System.IO.FileNotFoundException"


class DirectoryNotFound(FSError):
    exception_type = "System.IO.DirectoryNotFoundException"


class AccessDenied(FSError):
    exception_type = "System.UnauthorizedAccessException"


class AlreadyExists(FSError):
    exception_type = "System.IO.IOException"


class NotEmpty(FSError):
    exception_type = "System.IO.IOException"


class InvalidPath(FSError):
    exception_type = "System.ArgumentException"


# System.IO.FileAttributes bits (FileAttributes.cs); a new file is Archive, a directory Directory.
READ_ONLY, HIDDEN, SYSTEM, DIRECTORY, ARCHIVE, NORMAL = 0x1, 0x2, 0x4, 0x10, 0x20, 0x80
# What File.SetAttributes can set (the others - Directory, ReparsePoint, Compressed, ... - are the system's).
SETTABLE_ATTRIBUTES = 0x1 | 0x2 | 0x4 | 0x20 | 0x80 | 0x100 | 0x1000 | 0x2000


class Node:  # pylint: disable=too-few-public-methods
    __slots__ = ("name", "is_dir", "data", "created", "modified", "accessed", "attributes", "owner")

    def __init__(self, name: str, is_dir: bool, owner: str | None = None) -> None:
        self.name = name
        self.is_dir = is_dir
        self.owner = owner  # an NTAccount name, or None: not modelled (see SYSTEM_OWNERS)
        self.data = bytearray()
        now = datetime.datetime.now()
        self.created = now
        self.modified = now
        self.accessed = now
        self.attributes = DIRECTORY if is_dir else ARCHIVE


class Entry:  # pylint: disable=too-few-public-methods
    """A snapshot of one item: what Get-Item / FileInfo report."""

    def __init__(self, full_name: str, node: Node) -> None:
        self.full_name = full_name
        self.name = node.name
        self.is_dir = node.is_dir
        self.length = len(node.data)
        self.created = node.created
        self.modified = node.modified
        self.accessed = node.accessed
        self.attributes = node.attributes
        self.owner = node.owner

    @property
    def parent(self) -> str:
        return parent_of(self.full_name)


def parent_of(full: str) -> str:
    head, _sep, _tail = full.rstrip("\\").rpartition("\\")
    if len(head) == 2 and head[1] == ":":
        return head + "\\"
    return head


class FileSystem:
    """Thread-safe in-memory drive C:; paths are absolute ('C:\\x\\y', 'c:/x', 'C:\\x\\..\\y')."""

    def __init__(self, directories: typing.Iterable[str] = DEFAULT_DIRECTORIES) -> None:
        self._lock = threading.RLock()
        self._creator = threading.local()  # per thread: the owner of what it creates (creating_as)
        self._nodes: dict[str, Node] = {f"{d.lower()}:\\": Node(f"{d}:\\", True) for d in DRIVES}
        with self.creating_as(None):
            for directory in directories:
                self.create_directory(directory)
        for key, node in self._nodes.items():
            node.owner = SYSTEM_OWNERS.get(key)
        if directories is DEFAULT_DIRECTORIES:
            with self.creating_as(TRUSTED_INSTALLER):  # Windows' own files, as its folders
                for path in DEFAULT_FILES:
                    self.write_bytes(path, b"")

    @contextlib.contextmanager
    def creating_as(self, owner: str | None) -> typing.Iterator[None]:
        """Items this thread creates inside the block are owned by `owner` (an NTAccount name; None: not modelled)."""
        previous = getattr(self._creator, "owner", ADMINISTRATORS)
        self._creator.owner = owner
        try:
            yield
        finally:
            self._creator.owner = previous

    def _new_owner(self) -> str | None:
        return getattr(self._creator, "owner", ADMINISTRATORS)

    # ---------------------------------------------------------------- paths
    @staticmethod
    def normalize(path: str) -> str:
        """'c:/Windows\\.\\temp\\..\\Temp\\' -> 'c:\\Windows\\Temp' (case kept); ArgumentException-like errors."""
        text = str(path).replace("/", "\\")
        if text.startswith("\\\\?\\"):
            text = text[4:]
        if not text.strip():
            raise InvalidPath("The path is not of a legal form.", path)
        if any(ch in text for ch in '<>"|?*') or any(ord(ch) < 32 for ch in text):
            raise InvalidPath("Illegal characters in path.", path)
        if len(text) < 2 or text[1] != ":" or not text[0].isalpha():
            raise InvalidPath(f"The path '{path}' is not an absolute Windows path.", path)
        drive = text[0].upper() + ":"
        if ":" in text[2:]:
            raise InvalidPath("The given path's format is not supported.", path)
        parts: list[str] = []
        for part in text[2:].split("\\"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part.rstrip(" ."))  # Windows drops trailing dots and spaces
        return drive + "\\" + "\\".join(parts)

    @staticmethod
    def _key(full: str) -> str:
        return full.lower()

    def _get(self, full: str) -> Node | None:
        return self._nodes.get(self._key(full))

    def full_name(self, path: str) -> str:
        """The normalized path with each existing component spelt as stored."""
        full = self.normalize(path)
        with self._lock:
            parts = full.split("\\")
            out = parts[0]
            for i in range(1, len(parts)):
                if not parts[i]:
                    continue
                candidate = out + "\\" + parts[i]
                node = self._get(candidate)
                out = out + "\\" + (node.name if node is not None else parts[i])
            return out if len(out) > 2 else out + "\\"

    # ---------------------------------------------------------------- queries
    def exists(self, path: str) -> bool:
        try:
            full = self.normalize(path)
        except FSError:
            return False
        with self._lock:
            return self._get(full) is not None

    def is_file(self, path: str) -> bool:
        try:
            full = self.normalize(path)
        except FSError:
            return False
        with self._lock:
            node = self._get(full)
            return node is not None and not node.is_dir

    def is_dir(self, path: str) -> bool:
        try:
            full = self.normalize(path)
        except FSError:
            return False
        with self._lock:
            node = self._get(full)
            return node is not None and node.is_dir

    def entry(self, path: str) -> Entry | None:
        full = self.normalize(path)
        with self._lock:
            node = self._get(full)
            return None if node is None else Entry(self.full_name(full), node)

    def children(self, path: str) -> list[Entry]:
        """Directories first, then files, each by name (case-insensitive), as Get-ChildItem lists them."""
        full = self.normalize(path)
        with self._lock:
            node = self._get(full)
            if node is None:
                raise DirectoryNotFound(f"Could not find a part of the path '{full}'.", full)
            if not node.is_dir:
                raise DirectoryNotFound(f"The directory name is invalid: '{full}'.", full)
            prefix = self._key(full).rstrip("\\") + "\\"
            base = self.full_name(full).rstrip("\\")
            found = [Entry(base + "\\" + n.name, n) for k, n in self._nodes.items()
                     if k.startswith(prefix) and "\\" not in k[len(prefix):] and k != prefix]
        return sorted(found, key=lambda e: (not e.is_dir, e.name.lower()))

    # ---------------------------------------------------------------- files
    def _parent_dir(self, full: str) -> Node:
        parent = self._get(parent_of(full))
        if parent is None or not parent.is_dir:
            raise DirectoryNotFound(f"Could not find a part of the path '{full}'.", full)
        return parent

    def read_bytes(self, path: str) -> bytes:
        full = self.normalize(path)
        with self._lock:
            node = self._get(full)
            if node is None:
                self._parent_dir(full)
                raise FileNotFound(f"Could not find file '{full}'.", full)
            if node.is_dir:
                raise AccessDenied(f"Access to the path '{full}' is denied.", full)
            return bytes(node.data)

    def open_file(self, path: str, create: bool, truncate: bool, must_exist: bool) -> Node:
        """The file's node for a stream (created/truncated as asked)."""
        full = self.normalize(path)
        with self._lock:
            node = self._get(full)
            if node is not None and node.is_dir:
                raise AccessDenied(f"Access to the path '{full}' is denied.", full)
            if node is None:
                self._parent_dir(full)
                if must_exist or not create:
                    raise FileNotFound(f"Could not find file '{full}'.", full)
                node = Node(full.rsplit("\\", 1)[-1], False, self._new_owner())
                self._nodes[self._key(full)] = node
            elif truncate:
                node.data = bytearray()
                node.modified = datetime.datetime.now()
            return node

    def write_bytes(self, path: str, data: bytes, append: bool = False) -> None:
        with self._lock:
            existing = self._get(self.normalize(path))
            if existing is not None and existing.attributes & READ_ONLY:
                raise AccessDenied(f"Access to the path '{self.full_name(path)}' is denied.", path)
            node = self.open_file(path, create=True, truncate=not append, must_exist=False)
            node.data.extend(data)
            node.modified = datetime.datetime.now()

    def touch(self, node: Node) -> None:
        with self._lock:
            node.modified = datetime.datetime.now()

    def _existing(self, path: str) -> tuple[str, Node]:
        """The node at path, or .NET's error for a missing one (File.GetAttributes, FileInfo setters)."""
        full = self.normalize(path)
        node = self._get(full)
        if node is None:
            parent = self._get(parent_of(full))
            if parent is None or not parent.is_dir:
                raise DirectoryNotFound(f"Could not find a part of the path '{full}'.", full)
            raise FileNotFound(f"Could not find file '{full}'.", full)
        return full, node

    def get_attributes(self, path: str) -> int:
        """File.GetAttributes: the FileAttributes bits of a file or directory."""
        with self._lock:
            return self._existing(path)[1].attributes

    def set_attributes(self, path: str, attributes: int) -> None:
        """File.SetAttributes: the settable bits are replaced; 0 (or only Normal) leaves a file Normal."""
        with self._lock:
            _full, node = self._existing(path)
            bits = attributes & SETTABLE_ATTRIBUTES
            if node.is_dir:
                bits = (bits & ~NORMAL) | DIRECTORY
            elif bits & ~NORMAL:
                bits &= ~NORMAL
            else:
                bits = NORMAL
            node.attributes = bits

    def set_times(self, path: str, created: datetime.datetime | None = None, modified: datetime.datetime | None = None,
                  accessed: datetime.datetime | None = None) -> None:
        """File.SetCreationTime/SetLastWriteTime/SetLastAccessTime (local times)."""
        with self._lock:
            _full, node = self._existing(path)
            if created is not None:
                node.created = created
            if modified is not None:
                node.modified = modified
            if accessed is not None:
                node.accessed = accessed

    # ---------------------------------------------------------------- directories
    def create_directory(self, path: str) -> str:
        """Creates every missing component (Directory.CreateDirectory); returns the full name."""
        full = self.normalize(path)
        with self._lock:
            parts = full.split("\\")
            current = parts[0] + "\\"
            if self._get(current) is None:
                raise DirectoryNotFound(f"Could not find a part of the path '{full}'.", full)
            for part in parts[1:]:
                if not part:
                    continue
                current = current.rstrip("\\") + "\\" + part
                node = self._get(current)
                if node is None:
                    self._nodes[self._key(current)] = Node(part, True, self._new_owner())
                elif not node.is_dir:
                    raise AlreadyExists(f"Cannot create '{current}' because a file or directory with the same name already exists.",
                                        current)
            return self.full_name(full)

    def remove(self, path: str, recursive: bool = False) -> None:
        full = self.normalize(path)
        with self._lock:
            node = self._get(full)
            if node is None:
                raise FileNotFound(f"Could not find file '{full}'.", full)
            key = self._key(full)
            if len(key) <= 3:
                raise AccessDenied(f"Access to the path '{full}' is denied.", full)
            if node.is_dir:
                prefix = key + "\\"
                inner = [k for k in self._nodes if k.startswith(prefix)]
                if inner and not recursive:
                    raise NotEmpty("The directory is not empty.", full)
                for k in inner:
                    del self._nodes[k]
            del self._nodes[key]

    def copy(self, source: str, dest: str, overwrite: bool = False) -> None:
        data = self.read_bytes(source)
        with self._lock:
            if self.exists(dest) and not overwrite:
                raise AlreadyExists(f"The file '{self.normalize(dest)}' already exists.", dest)
            self.write_bytes(dest, data)

    def move(self, source: str, dest: str) -> None:
        """File.Move on one volume: the same file under a new name, its data, times, attributes and owner kept."""
        self.read_bytes(source)  # .NET's errors for a missing source or a directory
        with self._lock:
            full, dest_full = self.normalize(source), self.normalize(dest)
            if self.exists(dest_full):
                raise AlreadyExists(f"The file '{dest_full}' already exists.", dest)
            self._parent_dir(dest_full)
            node = self._nodes.pop(self._key(full))
            node.name = dest_full.rsplit("\\", 1)[-1]
            self._nodes[self._key(dest_full)] = node
