"""The test host's machine: the parts a Windows computer has whatever talks to it.

Accounts, the disk (drive C:), the WSMan: settings, the clock and knobs, the stats, and the
host services the PowerShell engine is given (``services.HostServices``: the one interface
through which the engine sees the machine). ``wsman/`` and ``powershell/`` import from here;
nothing here imports either of them (tests/winhost_tests/test_layout.py checks it).
"""

from __future__ import annotations

import dataclasses

from .accounts import UserDB
from .disk import FileSystem
from .kernel import NamedPipes
from .knobs import HostKnobs
from .scm import ServiceDatabase
from .stats import Stats
from .wsman_settings import WSManConfig


@dataclasses.dataclass
class Machine:
    """One test host's machine, built once per ``WinHost`` and kept across its restarts (a reboot keeps
    the accounts, the disk and the settings; sessions live in wsman/)."""

    users: UserDB  # accounts.py
    knobs: HostKnobs = dataclasses.field(default_factory=HostKnobs)  # knobs.py: the clock and the run-time knobs
    config: WSManConfig = dataclasses.field(default_factory=WSManConfig)  # wsman_settings.py: the WSMan: drive
    stats: Stats = dataclasses.field(default_factory=Stats)  # stats.py: what the host counted
    filesystem: FileSystem = dataclasses.field(default_factory=FileSystem)  # disk.py: drive C:
    services: ServiceDatabase = dataclasses.field(default_factory=ServiceDatabase)  # scm.py: the services and their states
    # kernel.py: the pipe namespace (\\.\pipe\), one for the machine; each session's processes and handles are its own
    named_pipes: NamedPipes = dataclasses.field(default_factory=NamedPipes)
