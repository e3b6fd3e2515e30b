"""The machine's services: the Service Control Manager's database, as Get-Service and win_service's SCManager see it.

A test host is a Windows Server with WinRM enabled (what `Enable-PSRemoting` / `winrm quickconfig` leave: the
WinRM service running, start type Automatic), plus a few ordinary services a Server has, enough to query, start
and stop one that is not the session's own. One database per machine (every session sees the same states, as
every process on Windows asks the same SCM), kept across a test host's restart only as the disk is (a reboot
would start the Automatic services again: `restart()` does so).

Values are the SCM's (learn.microsoft.com, "QUERY_SERVICE_CONFIGW structure": dwServiceType SERVICE_WIN32_OWN_PROCESS
0x10 / SERVICE_WIN32_SHARE_PROCESS 0x20, dwStartType SERVICE_AUTO_START 2 / SERVICE_DEMAND_START 3 /
SERVICE_DISABLED 4, dwErrorControl SERVICE_ERROR_NORMAL 1; "SERVICE_STATUS structure": dwCurrentState
SERVICE_STOPPED 1 / SERVICE_RUNNING 4, dwControlsAccepted SERVICE_ACCEPT_STOP 1 / SERVICE_ACCEPT_SHUTDOWN 4;
"SERVICE_SID_INFO": SERVICE_SID_TYPE_NONE 0 / UNRESTRICTED 1; "SERVICE_PRESHUTDOWN_INFO": 180000 ms by default).
Names, display names, accounts, binary paths and dependencies are those of Windows Server 2019's services
(`sc qc`/`Get-Service` there); descriptions are shortened, failure actions and required privileges are not
modelled (empty), which a query reports as such.

What changes state here: starting a stopped service and stopping a running one that accepts SERVICE_ACCEPT_STOP
(its running dependents with it only when the caller forces it, as ServiceController.Stop does). Creating,
deleting or reconfiguring a service is not modelled: callers give a loud error naming it.
"""

from __future__ import annotations

import dataclasses
import threading

STOPPED, RUNNING = 1, 4
AUTO_START, DEMAND_START, DISABLED = 2, 3, 4
WIN32_OWN_PROCESS, WIN32_SHARE_PROCESS = 0x10, 0x20
ACCEPT_STOP, ACCEPT_SHUTDOWN = 0x1, 0x4
ERROR_NORMAL = 1
SID_NONE, SID_UNRESTRICTED = 0, 1


@dataclasses.dataclass
class ServiceRecord:  # pylint: disable=too-many-instance-attributes
    """One service's configuration (QueryServiceConfig/QueryServiceConfig2) and status (QueryServiceStatusEx)."""

    name: str
    display_name: str
    description: str
    path: str
    account: str  # lpServiceStartName: "LocalSystem" or an account name
    start_type: int
    service_type: int
    state: int
    accepts: int  # dwControlsAccepted while it runs (a stopped service accepts none)
    dependencies: tuple[str, ...] = ()
    error_control: int = ERROR_NORMAL
    load_order_group: str = ""
    sid_info: int = SID_NONE
    delayed_auto_start: bool = False
    pre_shutdown_timeout: int = 180000

    @property
    def controls_accepted(self) -> int:
        return self.accepts if self.state == RUNNING else 0

    def copy(self) -> "ServiceRecord":
        return dataclasses.replace(self)


def _default_services() -> list[ServiceRecord]:
    svchost = "C:\\Windows\\System32\\svchost.exe -k "
    return [
        ServiceRecord("RpcSs", "Remote Procedure Call (RPC)",
                      "The RPCSS service is the Service Control Manager for COM and DCOM servers.",
                      svchost + "rpcss -p", "NT AUTHORITY\\NetworkService", AUTO_START, WIN32_SHARE_PROCESS, RUNNING,
                      0, ("RpcEptMapper", "DcomLaunch"), sid_info=SID_UNRESTRICTED),  # accepts no control: cannot be stopped
        ServiceRecord("Spooler", "Print Spooler",
                      "This service spools print jobs and handles interaction with the printer.",
                      "C:\\Windows\\System32\\spoolsv.exe", "LocalSystem", AUTO_START, WIN32_OWN_PROCESS, RUNNING,
                      ACCEPT_STOP | ACCEPT_SHUTDOWN, ("RPCSS", "http")),
        ServiceRecord("W32Time", "Windows Time",
                      "Maintains date and time synchronization on all clients and servers in the network.",
                      svchost + "LocalService", "NT AUTHORITY\\LocalService", DEMAND_START, WIN32_SHARE_PROCESS,
                      STOPPED, ACCEPT_STOP | ACCEPT_SHUTDOWN, sid_info=SID_UNRESTRICTED),
        ServiceRecord("WinRM", "Windows Remote Management (WS-Management)",
                      "Windows Remote Management (WinRM) service implements the WS-Management protocol for remote "
                      "management.", svchost + "NetworkService -p", "NT AUTHORITY\\NetworkService", AUTO_START,
                      WIN32_SHARE_PROCESS, RUNNING, ACCEPT_STOP | ACCEPT_SHUTDOWN, ("RPCSS", "HTTP"),
                      sid_info=SID_UNRESTRICTED),
    ]


class ServiceDatabase:
    """The SCM's database of one machine; each read hands out a copy (a snapshot, as an SCM query does)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._services = {s.name.lower(): s for s in _default_services()}

    def names(self) -> list[str]:
        """Service names in the order EnumServicesStatusEx gives them (sorted by name, as ServiceController lists them)."""
        with self._lock:
            return sorted((s.name for s in self._services.values()), key=str.lower)

    def get(self, name: str) -> ServiceRecord | None:
        with self._lock:
            record = self._services.get(name.lower())
            return record.copy() if record is not None else None

    def dependents(self, name: str) -> list[str]:
        """EnumDependentServices: the services naming this one among their dependencies."""
        with self._lock:
            return [s.name for s in self._services.values() if name.lower() in (d.lower() for d in s.dependencies)]

    def start(self, name: str) -> str | None:
        """Start a service: None when it runs, else why the SCM refused ("disabled")."""
        with self._lock:
            record = self._services[name.lower()]
            if record.state == RUNNING:
                return None
            if record.start_type == DISABLED:
                return "disabled"
            record.state = RUNNING
            return None

    def stop(self, name: str, force: bool = False) -> str | None:
        """Stop a service: None when it is stopped, else why not ("cannot_stop": it accepts no stop control;
        "has_dependents": running dependents and no force; "own_service": WinRM, not modelled)."""
        with self._lock:
            record = self._services[name.lower()]
            if record.state == STOPPED:
                return None
            if record.name.lower() == "winrm":
                # Stopping WinRM ends every WinRM session, this one too: not modelled.
                return "own_service"
            running = [d for d in self.dependents(record.name) if self._services[d.lower()].state == RUNNING]
            if running and not force:
                return "has_dependents"
            if not record.controls_accepted & ACCEPT_STOP:
                return "cannot_stop"  # dependents are checked first (ServiceOperationBaseCommand.DoStopService)
            for dependent in running:
                refused = self.stop(dependent, force=True)
                if refused:
                    return refused
            record.state = STOPPED
            return None

    def restart(self) -> None:
        """A reboot: every service back to its start type's state (Automatic ones running, the others stopped)."""
        with self._lock:
            self._services = {s.name.lower(): s for s in _default_services()}
