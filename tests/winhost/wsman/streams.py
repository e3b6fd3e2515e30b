"""WinRS output buffering: a shell's outgoing PSRP messages, queued per target until a Receive takes them.

The PSRP bridge (psrp.py) drains psrpcore's send buffer into an ``OutputBuffer`` right after every
psrpcore call, as whole messages, so output can be buffered, blocked or dropped per message while a
session is disconnected, as WinRM does (MS-WSMV 3.1.4.15, OutputBufferingMode Block/Drop). Everything here
runs with the owning shell's condition held.
"""

from __future__ import annotations

import collections
import itertools
import struct
import threading
import typing
import uuid

from psrpcore.types import PSRPMessageType

# Output records a Drop-mode buffer may discard; state changes and host calls are never dropped.
DROPPABLE = {
    int(PSRPMessageType.PipelineOutput), int(PSRPMessageType.ErrorRecord), int(PSRPMessageType.DebugRecord),
    int(PSRPMessageType.VerboseRecord), int(PSRPMessageType.WarningRecord), int(PSRPMessageType.ProgressRecord),
    int(PSRPMessageType.InformationRecord),
}
_SEQ = itertools.count()


class OutMessage:
    """One PSRP message on its way out, as the fragments psrpcore produced for it."""

    __slots__ = ("seq", "oid", "msg_type", "frags", "complete", "size", "started")

    def __init__(self, oid: int, msg_type: int) -> None:
        self.seq = next(_SEQ)
        self.oid = oid
        self.msg_type = msg_type
        self.frags: collections.deque[bytes] = collections.deque()
        self.complete = False
        self.size = 0
        self.started = False  # a fragment already went to a client: never drop the rest

    @property
    def droppable(self) -> bool:
        return self.msg_type in DROPPABLE


class OutputBuffer:
    """One shell's output queues: one per target (``None``: the pool; else a command id) of whole messages.

    ``buffered`` counts the bytes of droppable records waiting (what ``buffer_limit`` bounds); ``dropped``
    the records a Drop-mode buffer discarded."""

    def __init__(self, cond: threading.Condition, buffer_limit: typing.Callable[[], int],
                 drop_mode: typing.Callable[[], bool]) -> None:
        self.cond = cond
        self.buffer_limit = buffer_limit
        self.drop_mode = drop_mode
        self.out: dict[uuid.UUID | None, collections.deque[OutMessage]] = {}
        self.buffered = 0
        self.dropped = 0

    def open_target(self, target: uuid.UUID | None) -> None:
        self.out.setdefault(target, collections.deque())

    def discard(self, target: uuid.UUID | None) -> None:
        """Forget what is queued for a target (a command forgotten, the pool's messages for a previous client)."""
        for msg in self.out.pop(target, ()):
            if msg.droppable:
                self.buffered -= sum(len(f) for f in msg.frags)

    def clear(self) -> None:
        self.out.clear()
        self.buffered = 0

    def has_room(self) -> bool:
        """Whether a pipeline may write now: below the limit, or in Drop mode (which discards instead)."""
        return self.buffered < self.buffer_limit() or self.drop_mode()

    def enqueue(self, target: uuid.UUID | None, data: bytes) -> None:
        q = self.out.setdefault(target, collections.deque())
        i = 0
        while i + 21 <= len(data):
            oid, _fid, flags, length = struct.unpack(">QQBI", data[i:i + 21])
            frag = data[i:i + 21 + length]
            i += 21 + length
            msg = None
            if not flags & 0x1:  # continuation: belongs to the last message with this object id
                for candidate in reversed(q):
                    if candidate.oid == oid and not candidate.complete:
                        msg = candidate
                        break
            if msg is None:
                msg_type = struct.unpack("<I", frag[25:29])[0] if len(frag) >= 29 else 0
                msg = OutMessage(oid, msg_type)
                q.append(msg)
            msg.frags.append(frag)
            msg.size += len(frag)
            msg.complete = bool(flags & 0x2)
            if msg.droppable:
                self.buffered += len(frag)

    def enforce_drop(self) -> None:
        """Drop mode: discard the oldest whole output records until the buffer fits."""
        limit = self.buffer_limit()
        while self.buffered > limit:
            oldest: tuple[collections.deque, OutMessage] | None = None
            for q in self.out.values():
                for msg in q:
                    if msg.droppable and msg.complete and not msg.started:
                        if oldest is None or msg.seq < oldest[1].seq:
                            oldest = (q, msg)
                        break
            if oldest is None:
                return
            oldest[0].remove(oldest[1])
            self.buffered -= oldest[1].size
            self.dropped += 1

    def has_output(self, target: uuid.UUID | None) -> bool:
        return bool(self.out.get(target))

    def take(self, target: uuid.UUID | None, budget: int) -> list[bytes]:
        """Pop whole fragments for one Receive, at least one, at most ``budget`` bytes."""
        q = self.out.get(target)
        taken: list[bytes] = []
        size = 0
        while q:
            msg = q[0]
            while msg.frags and (not taken or size + len(msg.frags[0]) <= budget):
                frag = msg.frags.popleft()
                msg.started = True
                taken.append(frag)
                size += len(frag)
                if msg.droppable:
                    self.buffered -= len(frag)
            if msg.frags or not msg.complete:
                break
            q.popleft()
        if taken:
            self.cond.notify_all()  # room in the buffer: blocked writers may go on
        return taken
