"""Knobs: settings that benchmarks and fault tests turn at run time, and the server clock.

All of them can be read and set from outside the process through ``POST /winhost/knobs``
(see ``HostKnobs.update``).  Defaults are Windows-faithful; tests speed time up with
``time_scale`` rather than by bending Windows' rules.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import typing

FAIL_MODES = ("drop", "reset", "drop_after")


@dataclasses.dataclass
class FaultRule:
    """One armed connection fault, fired by protocol events, never by time.

    It matches a request of ``action`` and, where given: of ``shell`` (a ShellId); naming a
    command (``command="any"``) or one command (a CommandId); the ``nth`` request of ``action``
    that names one command (counted per CommandId from the first the host saw, faulted ones
    included; ``nth`` alone implies ``command="any"``); only after a request of action ``after``
    has been handled since the rule was armed ("the first Receive after a Command").
    ``count`` matching requests fail, in ``mode``.
    """

    action: str
    mode: str = "drop"
    count: int = 1
    command: str | None = None
    nth: int | None = None
    shell: str | None = None
    after: str | None = None
    live: bool = dataclasses.field(default=False, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in FAIL_MODES:
            raise ValueError(f"mode must be one of {FAIL_MODES}")
        if self.count < 1 or (self.nth is not None and self.nth < 1):
            raise ValueError("count and nth must be >= 1")
        if self.nth is not None and self.command is None:
            self.command = "any"
        self.live = self.after is None

    def _shell_matches(self, shell_id: str | None) -> bool:
        return self.shell is None or (shell_id or "").upper() == self.shell.upper()

    def observe(self, action: str, shell_id: str | None) -> None:
        """A request that this rule did not fault arrived: it may be the one an ``after`` rule waits for."""
        if not self.live and action == self.after and self._shell_matches(shell_id):
            self.live = True

    def matches(self, action: str, shell_id: str | None, command_id: str | None, nth: int) -> bool:
        if not self.live or action != self.action or not self._shell_matches(shell_id):
            return False
        if self.command == "any" and not command_id:
            return False
        if self.command not in (None, "any") and (command_id or "").upper() != str(self.command).upper():
            return False
        return self.nth is None or nth == self.nth

    def describe(self) -> dict[str, typing.Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


class ServerClock:
    """Server time in seconds; runs ``time_scale`` times faster than real time.

    Idle timeouts, the silent-client disconnect and ShellInactivity use it, so a test can
    watch a Windows-sized 60 s IdleTimeout expire in a fraction of a second.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scale = 1.0
        self._real0 = time.monotonic()
        self._server0 = 0.0

    def now(self) -> float:
        with self._lock:
            return self._server0 + (time.monotonic() - self._real0) * self._scale

    @property
    def scale(self) -> float:
        return self._scale

    def set_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError("time_scale must be > 0")
        with self._lock:
            now_real = time.monotonic()
            self._server0 += (now_real - self._real0) * self._scale
            self._real0 = now_real
            self._scale = float(scale)


class HostKnobs:
    """Thread-safe knob values; ``as_dict()`` / ``update()`` are the JSON shape of /winhost/knobs."""

    # name: (type, default, meaning)
    FIELDS: dict[str, tuple[type, typing.Any]] = {
        "latency": (float, 0.0),                  # seconds added before every WSMan request is handled
        "create_delay": (float, 0.0),             # extra seconds before a Create is handled
        "time_scale": (float, 1.0),               # server seconds per real second (idle expiry, silent-client disconnect)
        "min_idle_timeout": (float, 60.0),        # smaller IdleTimeOut values are raised to this (WinRM's 60 s floor)
        "client_silence_timeout": (float, 240.0),  # server seconds without a request before a Connected shell goes Disconnected
        "output_buffer_bytes": (int, 1 << 20),    # per-shell output buffer: Block pauses writers, Drop discards the oldest
        "pool_receive_max_wait": (float, 120.0),  # real seconds a pool-level Receive may block before answering TimedOut
        "computer_name": (str, "WINHOST"),        # $env:COMPUTERNAME and the fault Machine attribute
        # MS-WSMV 3.1.4.1.39 robust connections for Receive (wsman/robust.py); off: wsmv:OperationID is
        # ignored and never echoed, as by a server without that support, so a lost answer's output is lost
        "robust_connections": (bool, True),
        # answer a retransmission as MS-WSMV 3.1.4.1.39 / 4.11.3 describe: chunked, an Acknowledge message first
        # (what Windows does for a shell Receive is unknown; off: the kept answer alone, which a client cannot
        # tell from a new answer)
        "robust_resend_acknowledge": (bool, True),
        # Reading a member, automatic variable or type that Windows PowerShell 5.1 has and the interpreter does not
        # model is an error record naming it (on), or $null (off: what a missing one gives). powershell/tripwire.py.
        "tripwire": (bool, True),
    }

    def __init__(self, clock: ServerClock | None = None) -> None:
        self._lock = threading.Lock()
        self.clock = clock or ServerClock()
        self._values: dict[str, typing.Any] = {name: default for name, (_t, default) in self.FIELDS.items()}
        self._latency_by_action: dict[str, float] = {}
        self._faults: list[FaultRule] = []  # armed, in arming order: the first that matches fires
        self._seen: dict[tuple[str, str], int] = {}  # (action, CommandId) -> requests seen, for FaultRule.nth

    def __getattr__(self, name: str) -> typing.Any:
        fields = type(self).FIELDS
        if name in fields:
            with self.__dict__["_lock"]:
                return self.__dict__["_values"][name]
        raise AttributeError(name)

    def set(self, name: str, value: typing.Any) -> None:
        if name not in self.FIELDS:
            raise KeyError(f"unknown knob {name!r}")
        kind = self.FIELDS[name][0]
        if kind is bool and isinstance(value, str):  # from the command line or an HTTP control request
            if value.lower() not in ("true", "false"):
                raise ValueError(f"knob {name!r} takes true or false")
            value = value.lower() == "true"
        if kind is bool and not isinstance(value, bool):
            raise ValueError(f"knob {name!r} takes true or false")
        value = kind(value)
        if name == "time_scale":
            self.clock.set_scale(value)
        with self._lock:
            self._values[name] = value

    def latency_for(self, action: str) -> float:
        with self._lock:
            return self._values["latency"] + self._latency_by_action.get(action, 0.0)

    def fail_next(self, action: str, count: int = 1, mode: str = "drop", **match: typing.Any) -> FaultRule:
        """Make the next ``count`` requests of ``action`` that match fail at the connection level.

        drop: close the connection after reading the request, without answering (client sees EOF);
        reset: same but with a TCP reset;  drop_after: handle the request, then close without answering.
        ``match`` narrows which requests: ``command``, ``nth``, ``shell``, ``after`` (see FaultRule).
        The stats' ``faults`` list says which request each fault hit.
        """
        rule = FaultRule(action, mode, int(count), **match)
        with self._lock:
            self._faults.append(rule)
        return rule

    def take_failure(self, action: str, shell_id: str | None = None, command_id: str | None = None) -> tuple[str, int] | None:
        """Called once per request before it is handled: the fault mode to apply and the request's
        ordinal among its command's requests of that action (0 when it names no command), or None."""
        with self._lock:
            nth = 0
            if command_id:
                key = (action, command_id.upper())
                nth = self._seen[key] = self._seen.get(key, 0) + 1
            for rule in self._faults:
                if rule.matches(action, shell_id, command_id, nth):
                    rule.count -= 1
                    if rule.count == 0:
                        self._faults.remove(rule)
                    return rule.mode, nth
            for rule in self._faults:
                rule.observe(action, shell_id)
            return None

    def seen(self, action: str, command_id: str) -> int:
        """How many requests of action naming command_id the host has seen (FaultRule.nth counts these)."""
        with self._lock:
            return self._seen.get((action, command_id.upper()), 0)

    def as_dict(self) -> dict[str, typing.Any]:
        with self._lock:
            out = dict(self._values)
            out["latency_by_action"] = dict(self._latency_by_action)
            out["fail_next"] = [rule.describe() for rule in self._faults]
            return out

    def update(self, data: dict[str, typing.Any]) -> None:
        """Apply a JSON object: plain knob names, plus
        ``latency_by_action: {"Receive": 0.1}``, ``fail_next: {"Command": {"count": 1, "mode": "reset"}}``
        (or a bare count; the dict may also hold ``command``, ``nth``, ``shell``, ``after``: see
        FaultRule) and ``clear_fail_next: true``."""
        for name, value in data.items():
            if name == "latency_by_action":
                with self._lock:
                    self._latency_by_action = {str(k): float(v) for k, v in dict(value).items()}
            elif name == "fail_next":
                for action, spec in dict(value).items():
                    if isinstance(spec, dict):
                        spec = dict(spec)
                        self.fail_next(action, int(spec.pop("count", 1)), str(spec.pop("mode", "drop")), **spec)
                    else:
                        self.fail_next(action, int(spec))
            elif name == "clear_fail_next":
                if value:
                    with self._lock:
                        self._faults.clear()
            else:
                self.set(name, value)
