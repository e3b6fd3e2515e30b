"""Robust connections (MS-WSMV 3.1.4.1.39) for shell Receives: a lost answer can be had again.

A client that may have to send a request again marks it with ``wsmv:OperationID`` (and
``wsmv:SequenceId`` 1). The host keeps the answer of each such Receive in its OperationMessages
table (3.1.1): a Receive hands output out once, so the answer itself is what must be kept. The
client sends the same request again, with the same OperationID marked ``mustUnderstand="true"``
and the same MessageID (the example of 4.11.3), on a new connection when the first one broke
before the answer arrived; the host then answers from the table instead of handing out new
output. A row is forgotten when the client sends its next robust request on the connection that
row's answer went to (the client got it), or when the Response Retention Timer (3 min 15 s,
3.1.2) runs out after that connection closed (3.1.6.5).

What is modelled and what is not (tests/winhost/README.md, "Fidelity"): only Receive (other
actions ignore the header and omit it from their answers, as a server without robust support
for them must); a retransmission is answered in the spec's form, chunked and starting with an
Acknowledge message (its examples are CIM operations; what Windows sends for a shell Receive is
not known); knob ``robust_resend_acknowledge`` off answers with the kept answer alone, as one
ordinary HTTP body (see http.py). The ``robust_connections`` knob turns the whole of it off: then OperationID is ignored and
never echoed (3.1.4.1.39: a server without the support "MUST ignore" it).
"""

from __future__ import annotations

import dataclasses
import threading
import time
import typing

from . import faults, soap

RETENTION_SECONDS = 195.0  # MS-WSMV 3.1.2 Response Retention Timer: "3 minutes and 15 seconds"
ROBUST_ACTIONS = ("Receive",)


@dataclasses.dataclass
class Row:  # pylint: disable=too-many-instance-attributes
    """One row of the OperationMessages table: a robust request and, once handled, its answer."""

    operation_id: str
    user: str
    action: str
    shell_id: str
    command_id: str
    message_id: str
    connection: typing.Any  # the PrimaryConnection (an HTTP handler); None once it closed
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    status: int = 0
    body: bytes = b""  # the plain (unencrypted) answer envelope; each connection wraps it anew
    closed_at: float | None = None  # when its connection closed: the retention timer's start
    resends: int = 0


class Answer:
    """How one request is handled: ``resend`` (an answer kept in ``row``) or to be handled, and
    kept in ``row`` when that is set (the request is robust)."""

    def __init__(self, row: Row | None, resend: bool) -> None:
        self.row = row
        self.resend = resend

    @property
    def headers(self) -> list[typing.Any]:
        return soap.robust_headers(self.row.operation_id) if self.row is not None else []

    def keep(self, status: int, body: bytes) -> None:
        """The answer of a request handled here: kept for a retransmission (3.1.6.6)."""
        if self.row is not None and not self.resend:
            self.row.status, self.row.body = status, body
            self.row.done.set()

    def kept(self, wait: float) -> tuple[int, bytes]:
        """The answer kept for a retransmission; waits for it while the first request is still
        being handled (the retransmission's connection becomes the one it goes to)."""
        assert self.row is not None
        if not self.row.done.wait(wait):
            raise faults.timed_out()
        return self.row.status, self.row.body


class OperationTable:
    """The OperationMessages table of one host (all users, all shells)."""

    def __init__(self, clock: typing.Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], Row] = {}  # (user, OperationID upper case) -> row
        self._clock = clock

    def _expire(self) -> None:
        now = self._clock()
        for key, row in list(self._rows.items()):
            if row.connection is None and row.closed_at is not None and now - row.closed_at >= RETENTION_SECONDS:
                del self._rows[key]

    def begin(self, req: soap.Request, user: str, connection: typing.Any, enabled: bool) -> Answer:
        """Decide how ``req``, arriving on ``connection``, is answered (3.1.4.1.39)."""
        if not enabled or not req.operation_id or req.action not in ROBUST_ACTIONS:
            # No OperationID: "process the request as if the client does not implement Robust
            # Connection support"; without support for it: "ignore the <wsmv:OperationID> element".
            return Answer(None, False)
        if req.sequence_id != "1":
            raise faults.invalid_message_information_header(f"wsmv:SequenceId {req.sequence_id or '(none)'} of a request must be 1")
        key = (user.lower(), req.operation_id.upper())
        command_id = (req.command_id or "").upper()
        shell_id = (req.selectors.get("ShellId") or "").upper()
        with self._lock:
            self._expire()
            row = self._rows.get(key)
            if row is not None:
                if not req.retransmission:
                    raise faults.invalid_message_information_header(f"the wsmv:OperationID {req.operation_id} was used before")
                if (row.action, row.shell_id, row.command_id) != (req.action, shell_id, command_id):
                    # 3.1.4.1.39: a retransmission must repeat the original request, else "server
                    # behavior is implementation-dependent": the test host refuses it.
                    raise faults.invalid_message_information_header(
                        f"the retransmission of {req.operation_id} names another action, shell or command than the request it repeats")
                row.connection, row.closed_at = connection, None  # "set the incoming request's connection as the Primary Connection"
                row.resends += 1
                return Answer(row, True)
            # A new request (or a retransmission of one the host never handled: processed as new).
            # The client got the answers of earlier robust requests on this connection: forget them.
            for old_key, old in list(self._rows.items()):
                if old.connection is connection:
                    del self._rows[old_key]
            row = Row(req.operation_id, user.lower(), req.action, shell_id, command_id, req.message_id, connection)
            self._rows[key] = row
            return Answer(row, False)

    def connection_closed(self, connection: typing.Any) -> None:
        """3.1.6.5 TCP Connection Terminated: the rows it was answering start their retention timer."""
        with self._lock:
            for row in self._rows.values():
                if row.connection is connection:
                    row.connection, row.closed_at = None, self._clock()

    def describe(self) -> list[dict[str, typing.Any]]:
        """The table, for tests: each row's OperationID, action, shell, command, whether its answer
        is kept, its connection is open, and how often it was sent again."""
        with self._lock:
            self._expire()
            return [{"OperationID": row.operation_id, "Action": row.action, "ShellId": row.shell_id,
                     "CommandId": row.command_id, "Answered": row.done.is_set(),
                     "Connected": row.connection is not None, "Resends": row.resends}
                    for row in self._rows.values()]

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
