"""HostServices: what the interpreter asks of the (fake) Windows host."""

from __future__ import annotations

import os
import threading
import typing

from ..machine.disk import FileSystem

_WSMAN_DEFAULTS = {
    "localhost\\shell\\idletimeout": ("IdleTimeout", "7200000", "System.String"),
    "localhost\\shell\\maxshellsperuser": ("MaxShellsPerUser", "30", "System.String"),
    "localhost\\shell\\maxmemorypershellmb": ("MaxMemoryPerShellMB", "2147483647", "System.String"),
    "localhost\\shell\\maxprocessespershell": ("MaxProcessesPerShell", "2147483647", "System.String"),
    "localhost\\shell\\maxconcurrentusers": ("MaxConcurrentUsers", "2147483647", "System.String"),
    "localhost\\shell\\allowremoteshellaccess": ("AllowRemoteShellAccess", "true", "System.String"),
    "localhost\\plugin\\microsoft.powershell\\quotas\\maxidletimeoutms": ("MaxIdleTimeoutms", "2147483647", "System.String"),
    "localhost\\maxenvelopesizekb": ("MaxEnvelopeSizekb", "500", "System.String"),
    "localhost\\maxtimeoutms": ("MaxTimeoutms", "60000", "System.String"),
}


class HostServices:
    """Default in-memory host; the WSMan server passes its own, backed by live configuration."""

    def __init__(self, computer_name: str = "WIN-FAKEHOST", user_name: str = "vagrant", process_id: int | None = None,
                 filesystem: FileSystem | None = None, tripwire: bool = True) -> None:
        self.computer_name = computer_name
        # Reading a member, variable or type Windows has but the interpreter does not model: an error record
        # (True) or $null (False). See tripwire.py.
        self.tripwire = tripwire
        self.user_name = user_name
        self.process_id = process_id if process_id is not None else 4000 + (os.getpid() % 1000)
        self.filesystem = filesystem if filesystem is not None else FileSystem()
        self._lock = threading.Lock()
        self._wsman: dict[str, list[str]] = {k: [v[0], v[1]] for k, v in _WSMAN_DEFAULTS.items()}

    @staticmethod
    def _key(path: str) -> str:
        text = path.strip().replace("/", "\\")
        if text.lower().startswith("wsman:"):
            text = text[6:]
        return text.strip("\\").lower()

    def wsman_get(self, path: str) -> typing.Any:
        with self._lock:
            entry = self._wsman.get(self._key(path))
            if entry is None:
                raise KeyError(path)
            return entry[1]

    def wsman_set(self, path: str, value: typing.Any) -> None:
        key = self._key(path)
        with self._lock:
            entry = self._wsman.get(key)
            if entry is None:
                raise KeyError(path)
            text = str(value)
            if key != "localhost\\shell\\allowremoteshellaccess":
                if not text.strip().lstrip("-").isdigit():
                    raise ValueError("The WS-Management service cannot process the request because the value is not valid.")
                number = int(text)
                if key == "localhost\\shell\\idletimeout" and number < 60000:
                    raise ValueError("The WS-Management service cannot process the configuration request because the "
                                     "IdleTimeout value is less than the minimum of 60000.")
                if number < 0:
                    raise ValueError("The WS-Management service cannot process the request because the value is not valid.")
            entry[1] = text

    def wsman_children(self, path: str) -> list[str]:
        prefix = self._key(path)
        names: list[str] = []
        with self._lock:
            for key, (name, _unused) in self._wsman.items():
                if key.startswith(prefix + "\\") and "\\" not in key[len(prefix) + 1:]:
                    names.append(name)
        return names
