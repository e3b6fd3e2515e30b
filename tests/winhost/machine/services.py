"""HostServices: everything the PowerShell engine may ask of the machine, and nothing else.

This is the one interface between ``powershell/`` and the machine (CONTRACT.md): the engine holds
it as ``Runspace.host`` and reads the machine only through the attributes listed in ``__slots__``
below (slots, so the engine cannot hang anything else on the host without declaring it here).
The WSMan server builds one per shell from the machine's parts (``wsman/shells.py``); a runspace
made without one gets a machine of its own (in-memory disk, default WSMan: settings).

What a process keeps rather than a runspace (a wsmprovhost.exe's console, private static fields,
compiled types, standard output) lives here too: one HostServices per session process.
"""

from __future__ import annotations

import os
import typing

from .accounts import UserDB
from .disk import ADMINISTRATORS, FileSystem
from .kernel import Kernel
from .scm import ServiceDatabase
from .shares import DEFAULT_SHARES, Share
from .system import MachineSystem
from .wsman_settings import WSManConfig


class HostServices:  # pylint: disable=too-many-instance-attributes
    """The machine as the engine sees it."""

    __slots__ = (
        # Who and where: $env:COMPUTERNAME, $env:USERNAME, [Environment]::UserName, $PID.
        "computer_name", "user_name", "process_id",
        # The account's domain ("" for a local account) and whether it is a member of the Administrators group: who
        # owns what its sessions create (item_owner).
        "user_domain", "administrator",
        # Drive C: (disk.FileSystem), shared by every session of a test host and kept across its restarts.
        "filesystem",
        # The WSMan: drive (wsman_settings.WSManConfig): the store the WSMan server honours too.
        "wsman_settings",
        # The machine's shares (shares.Share: Windows' administrative shares only), which Win32_Share reports.
        "shares",
        # The Service Control Manager's database (scm.ServiceDatabase), shared by every session of a test host.
        "service_database",
        # The operating system and hardware (system.MachineSystem): what facts read through C#, CIM and the registry.
        "system",
        # The tripwire (powershell/tripwire.py): a bool, or a callable reading the live knob.
        "_tripwire",
        # Told the name of each trip (the server sets it to Stats.tripwire: stats()["tripwire"]).
        "note_unmodelled",
        # Per process: [Console]'s Out writer state (clr/process.py), the private static fields set by
        # reflection (clr/reflection.py HostKeptStaticField), what Add-Type compiled (namespace -> source
        # digest, cmdlets/addtype.py), the stand-ins' static fields by type (standins/), and what the process
        # wrote to its own standard output (standins/runtime.py process_stdout).
        "console_state", "clr_default_encoding", "console_output_encoding", "compiled_sources", "static_fields",
        "stdout",
        # The machine's accounts (accounts.UserDB): whom a logon with a name and password (become, LogonUserW) accepts,
        # and the accounts' SIDs. Shared by every session of a test host.
        "accounts",
        # The machine's processes, handles, events and pipes that cross processes (kernel.py): shared with the
        # processes this one starts (async_wrapper.ps1's powershell.exe).
        "kernel",
        "__weakref__",
    )

    def __init__(self, computer_name: str = "WIN-FAKEHOST", user_name: str = "vagrant", process_id: int | None = None,
                 filesystem: FileSystem | None = None, tripwire: bool | typing.Callable[[], bool] = True,
                 wsman_settings: WSManConfig | None = None, administrator: bool = True, user_domain: str = "",
                 service_database: ServiceDatabase | None = None, accounts: UserDB | None = None) -> None:
        self.computer_name = computer_name
        self.user_name = user_name
        self.user_domain = user_domain
        self.administrator = administrator
        self.process_id = process_id if process_id is not None else 4000 + (os.getpid() % 1000)
        self.filesystem = filesystem if filesystem is not None else FileSystem()
        self.wsman_settings = wsman_settings if wsman_settings is not None else WSManConfig()
        self.shares: tuple[Share, ...] = DEFAULT_SHARES
        self.service_database = service_database if service_database is not None else ServiceDatabase()
        self.system = MachineSystem()
        # Reading a member, variable or type Windows has but the interpreter does not model: an error record
        # (True) or $null (False). See tripwire.py.
        self._tripwire = tripwire
        self.note_unmodelled: typing.Callable[[str], None] | None = None
        self.console_state: dict | None = None
        self.clr_default_encoding: typing.Any = None
        self.console_output_encoding: typing.Any = None
        self.compiled_sources: dict[str, str] = {}
        self.static_fields: dict[str, dict] = {}
        self.stdout: list[str] = []
        self.kernel = Kernel()
        # Without the server's accounts (the interpreter's tests), the machine has none: every logon fails.
        self.accounts = accounts if accounts is not None else UserDB()

    @property
    def item_owner(self) -> str:
        """The owner of the files and directories this account's sessions create, as an NTAccount name: the default owner
        of its token (disk.py: BUILTIN\\Administrators for a member of the Administrators group on Windows Server,
        else the account itself, COMPUTERNAME\\user or DOMAIN\\user)."""
        if self.administrator:
            return ADMINISTRATORS
        return f"{self.user_domain or self.computer_name}\\{self.user_name}"

    @property
    def tripwire(self) -> bool:
        """Whether reading what Windows has and the interpreter does not model is an error (powershell/tripwire.py)."""
        return bool(self._tripwire() if callable(self._tripwire) else self._tripwire)

    # The WSMan: drive (providers/wsman.py): values are strings, as the WSMan provider returns them.
    def wsman_get(self, path: str) -> str:
        return self.wsman_settings.get(path)

    def wsman_set(self, path: str, value: object) -> None:
        self.wsman_settings.set(path, value)

    def wsman_children(self, path: str) -> list[str]:
        return self.wsman_settings.children(path)

    def wsman_listeners(self) -> list:
        """The WinRM listeners (wsman_settings.Listener) the server listens with."""
        return list(self.wsman_settings.listeners)
