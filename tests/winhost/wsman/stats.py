"""Request/byte counters per WSMan action and session counters, for benchmarks and tests."""

from __future__ import annotations

import threading
import typing


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._actions: dict[str, dict[str, int]] = {}
            self._http: dict[str, int] = {}
            self._events: dict[str, int] = {}

    def request(self, action: str, bytes_in: int, bytes_out: int, fault: bool) -> None:
        with self._lock:
            entry = self._actions.setdefault(action, {"requests": 0, "bytes_in": 0, "bytes_out": 0, "faults": 0})
            entry["requests"] += 1
            entry["bytes_in"] += bytes_in
            entry["bytes_out"] += bytes_out
            entry["faults"] += int(fault)

    def http(self, status: int) -> None:
        with self._lock:
            key = str(status)
            self._http[key] = self._http.get(key, 0) + 1

    def event(self, name: str, count: int = 1) -> None:
        """Named happenings: shells_created, shells_expired, auto_disconnects, sessions_killed, ..."""
        with self._lock:
            self._events[name] = self._events.get(name, 0) + count

    def snapshot(self, live_shells: dict[str, dict[str, int]]) -> dict[str, typing.Any]:
        with self._lock:
            actions = {k: dict(v) for k, v in self._actions.items()}
            totals = {"requests": 0, "bytes_in": 0, "bytes_out": 0, "faults": 0}
            for entry in actions.values():
                for key in totals:
                    totals[key] += entry[key]
            return {
                "actions": actions,
                "totals": totals,
                "http_status": dict(self._http),
                "events": dict(self._events),
                "shells": live_shells,
            }
