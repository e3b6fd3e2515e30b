"""The test host's lifecycle: ``HostCore`` holds the state shared by every request, ``WinHost``
starts and stops the listener around it (in-process fixture or ``python -m winhost``)."""

from __future__ import annotations

import hashlib
import logging
import os
import ssl
import threading
import typing

from ..machine import Machine
from ..machine.accounts import UserDB
from ..machine.disk import FileSystem
from ..machine.knobs import HostKnobs
from ..machine.wsman_settings import Listener
from .auth import NTLM_USERS
from .http import WinHostHTTPServer, is_loopback
from .robust import OperationTable
from .shells import ShellRegistry
from .tlscert import make_ssl_context

log = logging.getLogger(__name__)

AUTH_MODES = {"basic": {"basic"}, "negotiate": {"negotiate"}, "ntlm": {"negotiate"}, "both": {"basic", "negotiate"}}
DEFAULT_USERS = {"user": "Passw0rd!"}


class HostCore:
    """State shared by all requests of one server: the machine (machine/) and the sessions on it."""

    def __init__(self, users: UserDB, auth: str, knobs: HostKnobs) -> None:
        # Drive C: outlives sessions and restarts, as a disk outlives a reboot.
        self.machine = Machine(users=users, knobs=knobs)
        self.users = self.machine.users
        self.auth_modes = AUTH_MODES[auth]
        self.knobs = self.machine.knobs
        self.config = self.machine.config
        self.stats = self.machine.stats
        self.filesystem = self.machine.filesystem
        self.services = self.machine.services
        self.registry = ShellRegistry(knobs, self.config, self.stats, self.filesystem, self.services,
                                      accounts=self.users, named_pipes=self.machine.named_pipes)
        # MS-WSMV 3.1.4.1.39: answers kept for retransmitted Receives; its retention timer runs on server time.
        self.operations = OperationTable(knobs.clock.now)
        self.stopping = threading.Event()
        self.url = ""

    def stats_snapshot(self) -> dict[str, typing.Any]:
        return self.stats.snapshot(self.registry.live_counts())

    def sessions(self) -> list[dict[str, typing.Any]]:
        return [shell.describe() for shell in self.registry.all()]

    def operations_table(self) -> list[dict[str, typing.Any]]:
        return self.operations.describe()

    def apply_control(self, data: dict[str, typing.Any]) -> dict[str, typing.Any]:
        """POST /winhost/knobs: knob values plus a few actions (kill, kill_all, config, reset_stats)."""
        data = dict(data)
        killed = []
        kill = data.pop("kill", None)
        if kill:
            for shell_id in [kill] if isinstance(kill, str) else kill:
                if self.registry.kill(shell_id):
                    killed.append(shell_id.upper())
        if data.pop("kill_all", False):
            for shell in self.registry.all():
                self.registry.kill(shell.id)
                killed.append(shell.id)
        for path, value in dict(data.pop("config", {})).items():
            self.config.set(path, value)
        if data.pop("reset_stats", False):
            self.stats.reset()
        self.knobs.update(data)
        result = self.knobs.as_dict()
        result["killed"] = killed
        return result


class WinHost:  # pylint: disable=too-many-instance-attributes
    """A WSMan + PSRP server standing in for a Windows host.

    ``with WinHost(users={"user": "pw"}, auth="both") as host: host.url`` or ``host.start()``
    / ``host.stop()``.  ``restart()`` loses every session, like a reboot, and keeps the port.
    """

    # pylint: disable=too-many-arguments
    def __init__(self, *, port: int = 0, users: dict[str, str] | str | UserDB | None = None, auth: str = "both",
                 tls: bool = False, bind: str = "127.0.0.1",
                 knobs: HostKnobs | None = None, stop_after: float | None = 3600.0) -> None:
        self._settings: dict[str, typing.Any] = {}
        self.knobs = knobs or HostKnobs()
        self._configure(port=port, users=users, auth=auth, tls=tls, bind=bind, stop_after=stop_after)
        self.core: HostCore | None = None
        self._httpd: WinHostHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self.cert_pem: bytes | None = None
        self.stopped = threading.Event()

    def _configure(self, **settings: typing.Any) -> None:
        for key, value in settings.items():
            self._settings[key] = value
        if self._settings["auth"] not in AUTH_MODES:
            raise ValueError(f"auth must be one of {sorted(AUTH_MODES)}")
        if not is_loopback(self._settings["bind"]):
            raise ValueError(f"refusing to listen on {self._settings['bind']}: the test host binds to loopback only")

    @staticmethod
    def _load_users(users: typing.Any) -> UserDB:
        if isinstance(users, UserDB):
            return users
        if isinstance(users, (str, os.PathLike)):
            return UserDB.from_file(os.fspath(users))
        return UserDB(users or DEFAULT_USERS)

    # ------------------------------------------------------------------ lifecycle
    def start(self, **settings: typing.Any) -> "WinHost":
        """Start listening; keyword arguments override the constructor's (port, users, auth, tls, bind)."""
        if self._httpd is not None:
            raise RuntimeError("already started")
        if settings:
            self._configure(**settings)
        s = self._settings
        if self.core is None:
            self.core = HostCore(self._load_users(s["users"]), s["auth"], self.knobs)
        ssl_context = None
        if s["tls"]:
            ssl_context, self.cert_pem = make_ssl_context()
        NTLM_USERS.register(self.core.users)
        self.core.stopping.clear()
        self._httpd = WinHostHTTPServer((s["bind"], int(s["port"])), self.core, ssl_context)
        self.core.url = self.url
        # The WSMan: drive's Listener container shows what the server listens with.
        self.core.config.listeners = [Listener("HTTPS" if s["tls"] else "HTTP", self.port,
                                               _thumbprint(self.cert_pem) if s["tls"] else "")]
        self.core.registry.start()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                                        name=f"winhost-{self.port}")
        self._thread.start()
        self.stopped.clear()
        if s["stop_after"]:
            # Safety net: a forgotten server stops by itself.
            self._timer = threading.Timer(float(s["stop_after"]), self.stop)
            self._timer.daemon = True
            self._timer.start()
        log.info("listening on %s", self.url)
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        assert self.core is not None
        self.core.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_all_connections()
        self.core.registry.stop()
        self.core.registry.clear()
        self.core.operations.clear()
        NTLM_USERS.unregister(self.core.users)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._last_port = httpd.server_address[1]
        self.stopped.set()

    def restart(self) -> None:
        """Like a reboot: every session is lost; the host comes back on the same port."""
        port = self.port
        self.stop()
        if self.core is not None:
            self.core.services.restart()  # the services come back as their start types say
        self._settings["port"] = port
        self.start()

    def __enter__(self) -> "WinHost":
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ introspection
    @property
    def port(self) -> int:
        if self._httpd is not None:
            return int(self._httpd.server_address[1])
        return int(getattr(self, "_last_port", self._settings["port"]))

    @property
    def host(self) -> str:
        return self._settings["bind"]

    @property
    def tls(self) -> bool:
        return bool(self._settings["tls"])

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}/wsman"

    @property
    def config(self):  # -> WSManConfig
        assert self.core is not None
        return self.core.config

    @property
    def filesystem(self) -> FileSystem:
        """The host's in-memory drive C: (winhost.machine.disk.FileSystem)."""
        assert self.core is not None
        return self.core.filesystem

    @property
    def services(self):  # -> winhost.machine.scm.ServiceDatabase
        """The host's services and their states (winhost.machine.scm)."""
        assert self.core is not None
        return self.core.services

    def stats(self) -> dict[str, typing.Any]:
        assert self.core is not None
        return self.core.stats_snapshot()

    def pipelines(self) -> list[dict[str, typing.Any]]:
        """The last PIPELINES_KEPT (100) pipelines the host received since start (or the last reset_stats), oldest first: its
        commands (script text, use-local-scope, parameters), flags and input objects as psrpcore
        decoded them (psrp.describe_pipeline). For tests that compare what two clients send."""
        assert self.core is not None
        return self.core.stats.pipelines()

    def sessions(self) -> list[dict[str, typing.Any]]:
        assert self.core is not None
        return self.core.sessions()

    def operations(self) -> list[dict[str, typing.Any]]:
        """The rows of the robust-connection OperationMessages table (wsman/robust.py): answers kept
        for a Receive that may be sent again."""
        assert self.core is not None
        return self.core.operations_table()

    def kill_session(self, shell_id: str) -> bool:
        assert self.core is not None
        return self.core.registry.kill(shell_id)

    def control(self, data: dict[str, typing.Any]) -> dict[str, typing.Any]:
        """Same as POST /winhost/knobs, in process."""
        assert self.core is not None
        return self.core.apply_control(data)


def _thumbprint(cert_pem: bytes | None) -> str:
    """A certificate's thumbprint as Windows shows it: the SHA-1 of its DER bytes, upper-case hex."""
    if not cert_pem:
        return ""
    der = ssl.PEM_cert_to_DER_cert(cert_pem.decode("ascii"))
    return hashlib.sha1(der).hexdigest().upper()  # nosec B324 - Windows' thumbprint is SHA-1 by definition
