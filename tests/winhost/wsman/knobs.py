"""Knobs: settings that benchmarks and fault tests turn at run time, and the server clock.

All of them can be read and set from outside the process through ``POST /winhost/knobs``
(see ``HostKnobs.update``).  Defaults are Windows-faithful; tests speed time up with
``time_scale`` rather than by bending Windows' rules.
"""

from __future__ import annotations

import threading
import time
import typing

FAIL_MODES = ("drop", "reset", "drop_after")


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
    }

    def __init__(self, clock: ServerClock | None = None) -> None:
        self._lock = threading.Lock()
        self.clock = clock or ServerClock()
        self._values: dict[str, typing.Any] = {name: default for name, (_t, default) in self.FIELDS.items()}
        self._latency_by_action: dict[str, float] = {}
        self._fail_next: dict[str, list[str]] = {}  # action -> queue of modes for the next requests

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
        value = kind(value)
        if name == "time_scale":
            self.clock.set_scale(value)
        with self._lock:
            self._values[name] = value

    def latency_for(self, action: str) -> float:
        with self._lock:
            return self._values["latency"] + self._latency_by_action.get(action, 0.0)

    def fail_next(self, action: str, count: int = 1, mode: str = "drop") -> None:
        """Make the next ``count`` requests of ``action`` fail at the connection level.

        drop: close the connection after reading the request, without answering (client sees EOF);
        reset: same but with a TCP reset;  drop_after: handle the request, then close without answering.
        """
        if mode not in FAIL_MODES:
            raise ValueError(f"mode must be one of {FAIL_MODES}")
        with self._lock:
            self._fail_next.setdefault(action, []).extend([mode] * int(count))

    def take_failure(self, action: str) -> str | None:
        with self._lock:
            queue = self._fail_next.get(action)
            if queue:
                mode = queue.pop(0)
                if not queue:
                    del self._fail_next[action]
                return mode
            return None

    def as_dict(self) -> dict[str, typing.Any]:
        with self._lock:
            out = dict(self._values)
            out["latency_by_action"] = dict(self._latency_by_action)
            out["fail_next"] = {k: list(v) for k, v in self._fail_next.items()}
            return out

    def update(self, data: dict[str, typing.Any]) -> None:
        """Apply a JSON object: plain knob names, plus
        ``latency_by_action: {"Receive": 0.1}``, ``fail_next: {"Command": {"count": 1, "mode": "reset"}}``
        (or a bare count) and ``clear_fail_next: true``."""
        for name, value in data.items():
            if name == "latency_by_action":
                with self._lock:
                    self._latency_by_action = {str(k): float(v) for k, v in dict(value).items()}
            elif name == "fail_next":
                for action, spec in dict(value).items():
                    if isinstance(spec, dict):
                        self.fail_next(action, int(spec.get("count", 1)), str(spec.get("mode", "drop")))
                    else:
                        self.fail_next(action, int(spec))
            elif name == "clear_fail_next":
                if value:
                    with self._lock:
                        self._fail_next.clear()
            else:
                self.set(name, value)
