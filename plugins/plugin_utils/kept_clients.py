# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parked sessions' pypsrp clients, kept by a process that runs many tasks (the run's keeper) for each session's
next task (docs/design.md section 9, "Kept clients").

Why: a task that takes a kept client, pool and host sends its Command at once on an HTTP connection that is still
open, instead of building a new client (pypsrp's CLIXML objects, a TCP connection, authentication). A kept client
is only handed out while nothing can have changed behind it: the session's lock state is exactly what its task
wrote at park (any other use of the session rewrites it), the task's connection settings are the same (its own
timeouts, a new password), and it was parked less than MAX_IDLE seconds ago.
"""

from __future__ import annotations

import json
import threading
import time
import typing as t

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pssession import close_quietly

# Each kept client holds an open connection: at most this many (the least recently parked goes first).
MAX_KEPT = 64
# Seconds a client may stay unused and still be handed out: WinRM's HTTP.sys closes an idle connection after 120 s
# by default, and with it an NTLM/Kerberos context.
MAX_IDLE = 60.0

Kept = t.Tuple[t.Any, t.Any, t.Any]  # a parked session's WSMan client, pool and host (PSSession.keep_parked)


class KeptClients:
    """The kept clients of one process, by session key digest; used by the tasks of many sessions at once, each in
    its own thread."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[dict[str, t.Any], dict[str, t.Any], float, Kept]] = {}
        self._lock = threading.Lock()

    def take(self, digest: str, state: dict[str, t.Any], settings: dict[str, t.Any]) -> Kept | None:
        """The client kept for this session if it may be used with this lock state and these settings; else None
        (and a client kept for it is closed: it is of no more use)."""
        with self._lock:
            entry = self._entries.pop(digest, None)
        if entry is None:
            return None
        parked_state, parked_settings, parked_at, kept = entry
        if parked_state != state or parked_settings != settings or time.monotonic() - parked_at > MAX_IDLE:
            close_quietly(kept[0])
            return None
        return kept

    def keep(self, digest: str, state: dict[str, t.Any], settings: dict[str, t.Any], kept: Kept) -> None:
        """Keep a parked session's client with the lock state and settings it was parked under (copies: the
        task's own may change after; the state as its file gives it back, which is what take() compares)."""
        given_up = []
        with self._lock:
            self._entries[digest] = (json.loads(json.dumps(state)), dict(settings), time.monotonic(), kept)
            while len(self._entries) > MAX_KEPT:
                oldest = min(self._entries, key=lambda key: self._entries[key][2])
                given_up.append(self._entries.pop(oldest)[3])
        for old in given_up:
            close_quietly(old[0])
