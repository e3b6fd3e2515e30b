"""Request/byte counters per WSMan action and session counters, for benchmarks and tests."""

from __future__ import annotations

import collections
import copy
import itertools
import threading
import typing

TIMELINE_LENGTH = 10000  # the newest entries: enough for any test, bounded for long benchmarks
# The newest recorded pipelines: a module's carries its whole exec wrapper manifest (~0.2 MB), so
# few are kept (memory figures of the host stay meaningful in long benchmarks).
PIPELINES_KEPT = 100


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._actions: dict[str, dict[str, int]] = {}
            self._http: dict[str, int] = {}
            self._events: dict[str, int] = {}
            self._faults: list[dict[str, typing.Any]] = []
            self._timeline: collections.deque[dict[str, typing.Any]] = collections.deque(maxlen=TIMELINE_LENGTH)
            self._seq = itertools.count(1)
            self._pipelines: collections.deque[dict[str, typing.Any]] = collections.deque(maxlen=PIPELINES_KEPT)
            self._tripwire: list[str] = []

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

    def fault(self, action: str, mode: str, shell_id: str | None, command_id: str | None, nth: int) -> None:
        """A FaultRule fired: which request it hit (nth: its ordinal among its command's requests of that action)."""
        with self._lock:
            self._faults.append({"action": action, "mode": mode, "shell": (shell_id or "").upper() or None,
                                 "command": (command_id or "").upper() or None, "nth": nth or None, "seq": next(self._seq)})

    def record(self, kind: str, **fields: typing.Any) -> None:
        """An ordered happening that tests assert the order of (``seq`` increases): command_started, command_done."""
        with self._lock:
            self._timeline.append(dict(fields, kind=kind, seq=next(self._seq)))

    def tripwire(self, what: str) -> None:
        """A script read something Windows has and the interpreter does not model (powershell/tripwire.py)."""
        with self._lock:
            self._tripwire.append(what)

    def record_pipeline(self, entry: dict[str, typing.Any]) -> None:
        """A CreatePipeline as the host decoded it (psrp.describe_pipeline); its input is appended later."""
        with self._lock:
            self._pipelines.append(entry)

    def pipelines(self) -> list[dict[str, typing.Any]]:
        """The recorded pipelines, oldest first. Not part of snapshot(): tests poll that, and these are big."""
        with self._lock:
            return copy.deepcopy(list(self._pipelines))

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
                "faults": [dict(f) for f in self._faults],
                "timeline": [dict(e) for e in self._timeline],
                "shells": live_shells,
                "tripwire": list(self._tripwire),
            }
