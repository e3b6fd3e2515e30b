"""The part of the machine's registry the test host models: the keys and values ansible.windows' facts read, read-only.

Each key is either modelled (its values listed: the ones read, with what a Windows Server 2019 VM holds there, and the
value names known to be absent from it on such a machine) or known to be absent (a key Windows creates only in some
state this machine is not in: `...\\Component Based Servicing\\RebootPending` exists only while a servicing reboot is
pending). Any other key, and any other value of a modelled key, is not modelled: the provider trips on it rather than
answer "no such key" or "no such value".

Sources: learn.microsoft.com, "Registry value types" (REG_SZ, REG_DWORD, REG_QWORD, REG_MULTI_SZ), the
CurrentVersion values (InstallationType "Server" on Server with Desktop Experience, InstallTime a FILETIME as REG_QWORD,
RegisteredOwner), HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\<n> (one subkey per logical processor, with
ProcessorNameString and VendorIdentifier), LanmanServer\\Parameters' srvcomment (the server's description: absent
until one is set), Session Manager's PendingFileRenameOperations (present only while renames are pending), Server
Manager's ServerComponentCache RestartRequired (absent without a pending feature change).
"""

from __future__ import annotations

import dataclasses
import typing

HKLM = "HKEY_LOCAL_MACHINE"


@dataclasses.dataclass(frozen=True)
class RegValue:
    kind: str  # String, DWord, QWord, MultiString (RegistryValueKind)
    data: typing.Any


@dataclasses.dataclass
class RegKey:
    path: str  # HKEY_LOCAL_MACHINE\...
    values: dict[str, RegValue]
    absent_values: tuple[str, ...] = ()
    subkeys: tuple[str, ...] | None = None  # None: its subkeys are not modelled


@dataclasses.dataclass
class Registry:
    keys: dict[str, RegKey]
    absent_keys: frozenset[str]

    def key(self, path: str) -> RegKey | None:
        return self.keys.get(path.lower())

    def known_absent(self, path: str) -> bool:
        return path.lower() in self.absent_keys


def build(system: typing.Any) -> Registry:
    """The registry of a machine (system.MachineSystem)."""
    filetime = int((system.install_time.timestamp() + 11644473600) * 10_000_000)
    keys = [
        RegKey(f"{HKLM}\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", {
            "InstallationType": RegValue("String", system.installation_type),
            "InstallTime": RegValue("QWord", filetime),
            "RegisteredOwner": RegValue("String", system.registered_owner),
            "ProductName": RegValue("String", system.os_caption.replace("Microsoft ", "", 1)),
            "CurrentBuild": RegValue("String", str(system.os_version[2])),
        }),
        RegKey(f"{HKLM}\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters", {}, absent_values=("srvcomment",)),
        RegKey(f"{HKLM}\\SYSTEM\\CurrentControlSet\\Control\\Session Manager", {},
               absent_values=("PendingFileRenameOperations",)),
        RegKey(f"{HKLM}\\SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache", {},
               absent_values=("RestartRequired",)),
        RegKey(f"{HKLM}\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor", {},
               subkeys=tuple(str(i) for i in range(len(system.processors)))),
    ]
    for index, processor in enumerate(system.processors):
        keys.append(RegKey(f"{HKLM}\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\{index}", {
            "ProcessorNameString": RegValue("String", processor.name),
            "VendorIdentifier": RegValue("String", processor.vendor),
        }, subkeys=()))
    absent = [f"{HKLM}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending"]
    return Registry({k.path.lower(): k for k in keys}, frozenset(a.lower() for a in absent))
