"""Get-Location (Microsoft.PowerShell.Commands.GetLocationCommand): the session's current location as a PathInfo.

The location is always the FileSystem's (the user's Documents directory in a remote session, or the directory a
powershell.exe process started in: `Runspace.native_cwd`), so `Get-Location` and `Get-Location -PSProvider FileSystem`
give the same PathInfo as `$PWD` (LocationGlobber: the current location of the provider's drive). Set-Location,
-PSDrive, -Stack/-StackName and other providers are not modelled (a NotImplemented error naming them).
ansible.windows' Start-AnsibleWindowsProcess defaults -WorkingDirectory to `(Get-Location -PSProvider FileSystem)`.
"""

from __future__ import annotations

import typing

from .. import dotnet
from .. import values as V
from ..binding import Param
from ..shouldprocess import not_modelled
from . import Cmdlet, cmdlet


@cmdlet("Get-Location", "Microsoft.PowerShell.Commands.GetLocationCommand")
class GetLocation(Cmdlet):
    parameters = [Param("PSProvider"), Param("PSDrive"), Param("Stack", switch=True), Param("StackName")]

    def process_record(self, item: typing.Any) -> None:
        if self.has("PSDrive") or self.switch("Stack") or self.has("StackName"):
            raise self.terminating(not_modelled("Get-Location -PSDrive / -Stack / -StackName"))
        for provider in V.as_list(self.get("PSProvider")) if self.has("PSProvider") else []:
            if V.to_string(provider).lower() not in ("filesystem", "microsoft.powershell.core\\filesystem"):
                raise self.terminating(not_modelled(f"Get-Location -PSProvider {V.to_string(provider)}"))
        pwd = dotnet.current_runspace().global_scope.lookup("PWD")
        self.emit(pwd.value)
