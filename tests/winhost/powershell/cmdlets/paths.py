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
