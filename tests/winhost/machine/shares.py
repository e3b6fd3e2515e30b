"""The machine's shared resources (the Server service's share table), as Win32_Share reports them.

A test host has only the shares Windows makes by itself at start, its administrative shares (MS-SRVS 2.2.2.4
"Share Types": STYPE_SPECIAL marks IPC$, ADMIN$ and the drives' C$, D$, ...): one per drive letter (drive C: only
here, disk.DRIVES), ADMIN$ for the folder Windows is installed in (%SystemRoot%, C:\\Windows), and IPC$, which is
no folder (its path is empty). Their remarks are Windows' own ("Default share", "Remote Admin", "Remote IPC", as
`net share` lists them). Nothing here creates a share (New-SmbShare, Win32_Share.Create, `net share x=...` are not
modelled): a test's own directory is never shared.
"""

from __future__ import annotations

import dataclasses

# Win32_Share.Type (learn.microsoft.com, Win32_Share class): STYPE_* of MS-SRVS 2.2.2.4, a uint32.
DISK_DRIVE_ADMIN = 0x80000000  # STYPE_SPECIAL | STYPE_DISKTREE: "Disk Drive Admin" (2147483648)
IPC_ADMIN = 0x80000003  # STYPE_SPECIAL | STYPE_IPC: "IPC Admin" (2147483651)


@dataclasses.dataclass(frozen=True)
class Share:
    name: str
    path: str
    remark: str
    type: int


DEFAULT_SHARES = (
    Share("ADMIN$", "C:\\Windows", "Remote Admin", DISK_DRIVE_ADMIN),
    Share("C$", "C:\\", "Default share", DISK_DRIVE_ADMIN),
    Share("IPC$", "", "Remote IPC", IPC_ADMIN),
)
