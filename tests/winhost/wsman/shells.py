"""Shells (= PSSessions): ownership, connection state, idle timeout, and the registry
that enforces quotas and reaps expired or silent sessions."""

from __future__ import annotations

import logging
import random
import threading
import typing

from . import faults
from ..machine.accounts import User, UserDB
from ..machine.disk import FileSystem
from ..machine.kernel import NamedPipes
from ..machine.scm import ServiceDatabase
from ..machine.services import HostServices
from ..machine.wsman_settings import WSManConfig
from ..machine.knobs import HostKnobs
from .psrp import PoolBridge
from ..machine.stats import Stats

log = logging.getLogger(__name__)

CONNECTED = "Connected"
DISCONNECTED = "Disconnected"


class Shell:  # pylint: disable=too-many-instance-attributes
    """One remote shell and its runspace pool; state is guarded by ``cond``."""

    def __init__(self, shell_id: str, name: str | None, resource_uri: str, owner: User, client_ip: str, session_id: str,
                 idle_timeout: float, knobs: HostKnobs, config: WSManConfig, fragment_size: int,
                 filesystem: typing.Any = None, services: typing.Any = None, accounts: typing.Any = None) -> None:
        self.id = shell_id
        self.name = name
        self.resource_uri = resource_uri
        self.owner = owner
        self.client_ip = client_ip
        self.session_id = session_id  # wsmv:SessionId of the client currently attached (Reconnect must match)
        self.idle_timeout = idle_timeout
        self.buffer_mode = "Block"
        self.knobs = knobs
        self.clock = knobs.clock
        self.state = CONNECTED
        self.created = self.clock.now()
        self.last_activity = self.created
        self.disconnected_at: float | None = None
        self.active_requests = 0
        self.deleted = False
        self.process_id = random.randint(1000, 9999)  # the "wsmprovhost.exe" PID, stable for the session
        self.cond = threading.Condition(threading.RLock())
        host = HostServices(knobs.computer_name, owner.name, self.process_id,
                            filesystem if filesystem is not None else FileSystem(), tripwire=lambda: self.knobs.tripwire,
                            wsman_settings=config, administrator=owner.administrator, user_domain=owner.domain,
                            service_database=services, accounts=accounts)
        self.host_services = host
        self.bridge = PoolBridge(self.cond, host, buffer_limit=lambda: self.knobs.output_buffer_bytes,
                                 drop_mode=self._drop_mode, fragment_size=fragment_size)

    def _drop_mode(self) -> bool:
        return self.state == DISCONNECTED and self.buffer_mode == "Drop"

    # Activity tracking: a client with a request in flight is never "silent".
    def begin_request(self) -> None:
        with self.cond:
            self.active_requests += 1
            self.last_activity = self.clock.now()

    def end_request(self) -> None:
        with self.cond:
            self.active_requests -= 1
            self.last_activity = self.clock.now()

    def inactivity(self) -> float:
        with self.cond:
            if self.state == DISCONNECTED and self.disconnected_at is not None:
                return self.clock.now() - self.disconnected_at
            return 0.0 if self.active_requests else self.clock.now() - self.last_activity

    def disconnect(self, idle_timeout: float | None = None, buffer_mode: str | None = None) -> None:
        with self.cond:
            if idle_timeout is not None:
                self.idle_timeout = idle_timeout
            if buffer_mode is not None:
                self.buffer_mode = buffer_mode
            self.bridge.disconnect()
            self.state = DISCONNECTED
            self.disconnected_at = self.clock.now()
            self.cond.notify_all()  # pending Receives answer that the shell is disconnected

    def attach(self, session_id: str, client_ip: str) -> None:
        """Back to Connected (Reconnect or Connect)."""
        self.state = CONNECTED
        self.disconnected_at = None
        self.session_id = session_id
        self.client_ip = client_ip
        self.last_activity = self.clock.now()
        self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.deleted = True
            self.bridge.close()
            self.cond.notify_all()

    def idle_expired(self) -> bool:
        with self.cond:
            return self.state == DISCONNECTED and self.disconnected_at is not None and \
                self.clock.now() - self.disconnected_at >= self.idle_timeout

    def client_silent(self) -> bool:
        with self.cond:
            return self.state == CONNECTED and self.active_requests == 0 and \
                self.clock.now() - self.last_activity >= self.knobs.client_silence_timeout

    def describe(self) -> dict[str, typing.Any]:
        with self.cond:
            return {
                "ShellId": self.id, "Name": self.name, "Owner": self.owner.display, "State": self.state,
                "IdleTimeOut": self.idle_timeout, "BufferMode": self.buffer_mode, "ResourceUri": self.resource_uri,
                "ShellInactivity": self.inactivity(), "ShellRunTime": self.clock.now() - self.created,
                "Commands": [{"CommandId": str(pid).upper(), "State": rec.state_name, "WaitingForReader": rec.waiting_for_reader}
                             for pid, rec in self.bridge.commands.items()],
                "BufferedBytes": self.bridge.output.buffered, "DroppedRecords": self.bridge.output.dropped,
            }


class ShellRegistry:
    """All live shells of one server; sessions live as long as the server (or a restart)."""

    def __init__(self, knobs: HostKnobs, config: WSManConfig, stats: Stats, filesystem: FileSystem | None = None,
                 services: ServiceDatabase | None = None, accounts: UserDB | None = None,
                 named_pipes: NamedPipes | None = None) -> None:
        self.knobs = knobs
        self.config = config
        self.stats = stats
        self.filesystem = filesystem if filesystem is not None else FileSystem()
        self.services = services if services is not None else ServiceDatabase()  # the machine's SCM database
        self.accounts = accounts if accounts is not None else UserDB()  # the machine's accounts (become's logons)
        self.named_pipes = named_pipes if named_pipes is not None else NamedPipes()  # the machine's \\.\pipe\
        self._lock = threading.RLock()
        self._shells: dict[str, Shell] = {}
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    # ----------------------------------------------------------------- lookup
    def add(self, shell: Shell) -> None:
        with self._lock:
            if shell.id in self._shells:
                raise faults.already_exists(shell.id)
            limit = self.config.max_shells_per_user
            if sum(1 for s in self._shells.values() if s.owner.key == shell.owner.key) >= limit:
                raise faults.max_shells_per_user(limit)
            self._shells[shell.id] = shell
        shell.bridge.recorder = self.stats.record_pipeline
        shell.host_services.note_unmodelled = self.stats.tripwire
        shell.host_services.kernel.named_pipes = self.named_pipes  # a pipe one session serves, another may open
        self.stats.event("shells_created")

    def check_quota(self, user: User) -> None:
        with self._lock:
            limit = self.config.max_shells_per_user
            if sum(1 for s in self._shells.values() if s.owner.key == user.key) >= limit:
                raise faults.max_shells_per_user(limit)

    def get(self, shell_id: str | None, user: User) -> Shell:
        """The caller's shell; anyone else's is reported as not found, as WinRM does."""
        if not shell_id:
            raise faults.missing_selectors()
        with self._lock:
            shell = self._shells.get(shell_id.upper())
        if shell is None or shell.owner.key != user.key or shell.deleted:
            raise faults.shell_not_found(shell_id.upper())
        return shell

    def for_user(self, user: User) -> list[Shell]:
        with self._lock:
            return [s for s in self._shells.values() if s.owner.key == user.key]

    def all(self) -> list[Shell]:
        with self._lock:
            return list(self._shells.values())

    def remove(self, shell: Shell, reason: str = "deleted") -> None:
        with self._lock:
            if self._shells.get(shell.id) is shell:
                del self._shells[shell.id]
        shell.close()
        self.stats.event(f"shells_{reason}")

    def kill(self, shell_id: str) -> bool:
        """Knob: remove a session as if its host process died."""
        with self._lock:
            shell = self._shells.get(shell_id.upper())
        if shell is None:
            return False
        self.remove(shell, "killed")
        return True

    def clear(self) -> None:
        for shell in self.all():
            self.remove(shell, "lost")

    def live_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for shell in self.all():
            entry = out.setdefault(shell.owner.display, {"total": 0, "Connected": 0, "Disconnected": 0})
            entry["total"] += 1
            entry[shell.state] += 1
        return out

    # ----------------------------------------------------------------- reaper
    def start(self) -> None:
        self._stop.clear()
        self._reaper = threading.Thread(target=self._reap_loop, daemon=True, name="winhost-reaper")
        self._reaper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join(timeout=5)
            self._reaper = None

    def _reap_loop(self) -> None:
        # Real-time polling; what it checks is measured in server time (knobs.time_scale).
        while not self._stop.wait(0.05):
            for shell in self.all():
                if shell.idle_expired():
                    log.info("IdleTimeout expired, removing shell %s", shell.id)
                    self.remove(shell, "expired")
                elif shell.client_silent():
                    # WinRM puts a shell whose client stopped talking into the Disconnected state
                    # (robust connections); from then on its IdleTimeout runs.
                    log.info("client of shell %s went silent, disconnecting it", shell.id)
                    shell.disconnect()
                    self.stats.event("auto_disconnects")
