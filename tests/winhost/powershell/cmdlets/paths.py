"""Join-Path (Microsoft.PowerShell.Commands.JoinPathCommand) for FileSystem paths on drive C:.

As 5.1 does for a FileSystem path (SessionState.Path.Combine / FileSystemProvider.MakePath): the parent and
the child are joined by one backslash whatever separators end the one or start the other, `/` becomes `\\`,
each -Path gives one result. The drive must exist (DriveNotFound otherwise); a path without a drive is
joined as is. -Resolve, -Credential and other providers' paths are not modelled.
"""

from __future__ import annotations

import re
import typing

from .. import values as V
from ..binding import Param
from ..errors import PSError
from ..shouldprocess import not_modelled
from . import Cmdlet, cmdlet

_DRIVE = re.compile(r"^([A-Za-z][\w]*):")


@cmdlet("Join-Path", "Microsoft.PowerShell.Commands.JoinPathCommand")
class JoinPath(Cmdlet):
    parameters = [Param("Path", 0, pipeline=True, by_property=True, aliases=("PSPath",), mandatory=True),
                  Param("ChildPath", 1, by_property=True, mandatory=True), Param("Resolve", switch=True),
                  Param("Credential")]

    def process_record(self, item: typing.Any) -> None:
        if self.switch("Resolve") or self.has("Credential"):
            raise self.terminating(not_modelled("Join-Path -Resolve / -Credential"))
        child = V.to_string(self.get("ChildPath")).replace("/", "\\")
        for parent in V.as_list(self.get("Path")):
            text = V.to_string(parent).replace("/", "\\")
            drive = _DRIVE.match(text)
            if drive is not None and drive.group(1).lower() != "c":
                name = drive.group(1)
                if name.lower() in ("env", "variable", "function", "alias", "wsman", "cert", "hklm", "hkcu"):
                    raise self.terminating(not_modelled(f"Join-Path on the {name}: drive"))
                self.write_error(PSError(f"Cannot find drive. A drive with the name '{name}' does not exist.",
                                         exception_type="System.Management.Automation.DriveNotFoundException",
                                         fqid=f"DriveNotFound,{self.dotnet}", category="ObjectNotFound",
                                         reason="DriveNotFoundException", target=name))
                continue
            if not child:
                self.emit(text)
            elif not text:
                self.emit(child)
            else:
                self.emit(text.rstrip("\\") + "\\" + child.lstrip("\\"))


@cmdlet("Split-Path", "Microsoft.PowerShell.Commands.SplitPathCommand")
class SplitPath(Cmdlet):
    """Split-Path -Parent (the default) and -Leaf of FileSystem paths on drive C: or without a drive, as 5.1's
    SessionState.Path.ParseParent / ParseChildName give them (Split-Path docs): the parent has no trailing
    backslash but a drive root keeps its own (`C:\\x` -> `C:\\`), a root's parent is empty, the leaf is the last
    component. -Qualifier, -NoQualifier, -IsAbsolute, -Resolve, -Credential and other providers are not modelled."""

    parameters = [Param("Path", 0, pipeline=True, by_property=True, aliases=("PSPath",)), Param("LiteralPath"),
                  Param("Parent", switch=True), Param("Leaf", switch=True), Param("Qualifier", switch=True),
                  Param("NoQualifier", switch=True), Param("IsAbsolute", switch=True), Param("Resolve", switch=True),
                  Param("Credential")]

    def process_record(self, item: typing.Any) -> None:
        if any(self.switch(s) for s in ("Qualifier", "NoQualifier", "IsAbsolute", "Resolve")) or self.has("Credential"):
            raise self.terminating(not_modelled("Split-Path -Qualifier / -NoQualifier / -IsAbsolute / -Resolve / -Credential"))
        if self.switch("Parent") and self.switch("Leaf"):
            raise self.terminating(PSError("Parameter set cannot be resolved using the specified named parameters.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid=f"AmbiguousParameterSet,{self.dotnet}", category="InvalidArgument"))
        paths = self.get("LiteralPath") if self.has("LiteralPath") else self.get("Path")
        for path in V.as_list(paths):
            text = V.to_string(path).replace("/", "\\")
            drive = _DRIVE.match(text)
            if drive is not None and drive.group(1).lower() != "c":
                raise self.terminating(not_modelled(f"Split-Path on the {drive.group(1)}: drive"))
            trimmed = text if re.fullmatch(r"[A-Za-z]:\\?", text) else text.rstrip("\\")
            head, sep, leaf = trimmed.rpartition("\\")
            if self.switch("Leaf"):
                self.emit(leaf if sep else ("" if drive is not None and trimmed == drive.group(0) else trimmed))
                continue
            if not sep or re.fullmatch(r"[A-Za-z]:\\", trimmed):
                self.emit("")
            else:
                self.emit(head + "\\" if re.fullmatch(r"[A-Za-z]:", head) else head)
