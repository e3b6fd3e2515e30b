"""The WSMan:\\ configuration drive of the test host.

The interpreter reads and writes it (``Get-Item``/``Set-Item WSMan:\\localhost\\...``) through
``HostServices.wsman_get/wsman_set/wsman_children`` (services.py); the server honours the values that
matter for sessions (shell IdleTimeout, MaxShellsPerUser, the plug-in's IdleTimeoutms and
MaxIdleTimeoutms).  Values are strings, as the WSMan provider returns them.
"""

from __future__ import annotations

import dataclasses
import threading

INT32_MAX = 2147483647

# (path under localhost, default, minimum, maximum); None bounds mean "not an integer setting".
_SETTINGS: list[tuple[str, str, int | None, int | None]] = [
    ("MaxEnvelopeSizekb", "500", 32, 4294967295),
    ("MaxTimeoutms", "60000", 500, 4294967295),
    ("MaxBatchItems", "32000", 1, 4294967295),
    ("Service\\MaxConcurrentOperationsPerUser", "1500", 1, 4294967295),
    ("Service\\MaxConnections", "300", 1, 4294967295),
    ("Service\\AllowUnencrypted", "true", None, None),
    ("Service\\Auth\\Basic", "true", None, None),
    ("Service\\Auth\\Negotiate", "true", None, None),
    ("Service\\Auth\\Kerberos", "false", None, None),
    ("Service\\Auth\\CredSSP", "false", None, None),
    ("Shell\\AllowRemoteShellAccess", "true", None, None),
    ("Shell\\IdleTimeout", "7200000", 60000, INT32_MAX),
    ("Shell\\MaxConcurrentUsers", str(INT32_MAX), 1, INT32_MAX),
    ("Shell\\MaxShellRunTime", str(INT32_MAX), 0, INT32_MAX),
    ("Shell\\MaxProcessesPerShell", str(INT32_MAX), 0, INT32_MAX),
    ("Shell\\MaxMemoryPerShellMB", str(INT32_MAX), 0, INT32_MAX),
    ("Shell\\MaxShellsPerUser", "30", 0, INT32_MAX),
    ("Plugin\\microsoft.powershell\\Quotas\\IdleTimeoutms", "7200000", 60000, INT32_MAX),
    ("Plugin\\microsoft.powershell\\Quotas\\MaxIdleTimeoutms", str(INT32_MAX), 60000, INT32_MAX),
    ("Plugin\\microsoft.powershell\\Quotas\\MaxConcurrentCommandsPerShell", "1000", 1, INT32_MAX),
    ("Plugin\\microsoft.powershell\\Quotas\\MaxMemoryPerShellMB", "1024", 0, INT32_MAX),
    ("Plugin\\microsoft.powershell\\InitializationParameters\\PSVersion", "5.1", None, None),
]
_DEFAULTS = {path.lower(): (path, default, lo, hi) for path, default, lo, hi in _SETTINGS}
PLUGIN_NAMES = ["microsoft.powershell"]


def normalize(path: str) -> str:
    """'WSMan:\\localhost\\Shell\\IdleTimeout', 'wsman:/localhost/shell/idletimeout' -> 'shell\\idletimeout'."""
    p = path.replace("/", "\\").strip().strip("\\")
    if p.lower().startswith("wsman:"):
        p = p[6:].strip("\\")
    if p.lower().startswith("localhost"):
        p = p[9:].strip("\\")
    return p.lower()


@dataclasses.dataclass(frozen=True)
class Listener:
    """One WinRM listener as `WSMan:\\localhost\\Listener\\<name>` shows it (about_WSMan_Provider; `winrm enumerate
    winrm/config/listener`): the one the server has (its transport and port), on every address, no host name, URL
    prefix wsman; an HTTPS listener has a certificate thumbprint."""

    transport: str  # HTTP or HTTPS
    port: int
    certificate_thumbprint: str = ""

    @property
    def name(self) -> str:
        # Windows names a listener after a hash of its keys; the test host numbers its own.
        return "Listener_1084132640" if self.transport == "HTTP" else "Listener_1305953032"

    @property
    def keys(self) -> list[str]:
        return [f"Transport={self.transport}", "Address=*"]

    def items(self) -> list[tuple[str, str]]:
        return [("Address", "*"), ("Transport", self.transport), ("Port", str(self.port)), ("Hostname", ""),
                ("Enabled", "true"), ("URLPrefix", "wsman"), ("CertificateThumbprint", self.certificate_thumbprint),
                ("ListeningOn_1", "127.0.0.1"), ("ListeningOn_2", "::1")]


class WSManConfig:
    """Thread-safe key/value store with Windows' bounds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {key: default for key, (_path, default, _lo, _hi) in _DEFAULTS.items()}
        # The listeners the server listens with (set when it starts).
        self.listeners: list[Listener] = []

    def get(self, path: str) -> str:
        key = normalize(path)
        with self._lock:
            if key not in self._values:
                raise KeyError(path)
            return self._values[key]

    def get_int(self, path: str) -> int:
        return int(self.get(path))

    def set(self, path: str, value: object) -> None:
        key = normalize(path)
        if key not in _DEFAULTS:
            raise KeyError(path)
        name, _default, lo, hi = _DEFAULTS[key]
        text = str(value)
        if lo is not None and hi is not None:
            try:
                number = int(text)
            except ValueError:
                raise ValueError(f"The WS-Management service cannot process the request because the value {text!r} of {name} "
                                 "is not a valid number.") from None
            if number < lo:
                # Windows' wording for a value below a setting's minimum (the interpreter tests pin it).
                leaf = name.rsplit("\\", 1)[-1]
                raise ValueError(f"The WS-Management service cannot process the configuration request because the {leaf} "
                                 f"value is less than the minimum of {lo}.")
            if number > hi:
                raise ValueError(f"The WS-Management service cannot process the request. The value {number} of {name} is out of range: "
                                 f"it must be between {lo} and {hi}.")
            text = str(number)
        elif text.lower() in ("true", "false"):
            text = text.lower()
        with self._lock:
            self._values[key] = text

    def children(self, path: str) -> list[str]:
        """Names of the items and containers directly below a path ('' = localhost)."""
        prefix = normalize(path)
        names: list[str] = []
        for key, (name, _d, _lo, _hi) in _DEFAULTS.items():
            parts = name.split("\\")
            if prefix:
                if not key.startswith(prefix + "\\"):
                    continue
                child = parts[len(prefix.split("\\"))]
            else:
                child = parts[0]
            if child not in names:
                names.append(child)
        if not names and prefix not in _DEFAULTS and prefix:
            raise KeyError(path)
        return names

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return {_DEFAULTS[k][0]: v for k, v in self._values.items()}

    # Values the server honours, in seconds / counts.
    @property
    def default_idle_timeout(self) -> float:
        return self.get_int("Plugin\\microsoft.powershell\\Quotas\\IdleTimeoutms") / 1000.0

    @property
    def max_idle_timeout(self) -> float:
        return self.get_int("Plugin\\microsoft.powershell\\Quotas\\MaxIdleTimeoutms") / 1000.0

    @property
    def max_shells_per_user(self) -> int:
        value = self.get_int("Shell\\MaxShellsPerUser")
        return value if value > 0 else INT32_MAX  # 0 means unlimited
