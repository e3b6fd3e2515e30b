# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WSMan robust connections (MS-WSMV 3.1.4.1.39) for a pipeline's Receive: a lost answer is asked for again.

WinRM hands each output out once: when the HTTP connection breaks after the host answered a
Receive, sending a new Receive loses what that answer held. A client that marks its Receive with
``wsmv:OperationID`` (``mustUnderstand="false"``) and ``wsmv:SequenceId`` 1, as Windows' own
client does, can send the very same request again (same MessageID, the OperationID now
``mustUnderstand="true"``, the example of MS-WSMV 4.11.3) on a new connection, and a host with
robust-connection support answers it from its OperationMessages table. Its answers name the
OperationID; a host without that support ignores the header and omits it from its answers
(3.1.4.1.39), so an answer to a retransmission that does not name the operation is new output,
and what the lost answer held is missing.

pypsrp 0.9.1 sends no OperationID and re-sends a Receive on a read timeout by itself. While
``poll_invoke`` runs, its Receive is built and sent through this module instead: every pypsrp
internal this needs (``WSMan._create_header``, ``_TransportHTTP.send``) is touched here only,
on the one WSMan object, and put back after the call.
"""

from __future__ import annotations

import re
import typing as t
import uuid
import xml.etree.ElementTree as ET

HAS_PYPSRP = True
try:
    from pypsrp.exceptions import WinRMTransportError
    from pypsrp.wsman import NAMESPACES, WSManAction
except ImportError:  # pragma: no cover - pssession.require_pypsrp() reports it
    HAS_PYPSRP = False

_MUST_UNDERSTAND = '{http://www.w3.org/2003/05/soap-envelope}mustUnderstand'
_ACKNOWLEDGE = 'http://schemas.microsoft.com/wbem/wsman/1/wsman/Acknowledge'
_ENVELOPE_START = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>]')


class ReceiveOperation:
    """One Receive as a robust-connection operation: its OperationID and MessageID, kept for sending it again."""

    def __init__(self) -> None:
        self.operation_id = 'uuid:%s' % str(uuid.uuid4()).upper()
        self.message_id: str | None = None  # pypsrp's MessageID for it (without "uuid:"), reused when sent again
        self.sent = 0  # how often a request of it went out (the host may have handled any of them)
        self.named: bool | None = None  # whether the last answer (or fault) named this operation

    @property
    def retransmitted(self) -> bool:
        return self.sent > 1


def _names(xml: t.Any, operation_id: str) -> bool:
    """Whether an answer's header carries ``operation_id`` (3.1.4.1.39: "MUST include a <wsmv:OperationID>
    element with the same value in all response messages related to that request")."""
    try:
        root = ET.fromstring(xml)
    except (ET.ParseError, TypeError, ValueError):
        return False
    found = root.find('s:Header/wsmv:OperationID', NAMESPACES)
    return found is not None and (found.text or '').strip().upper() == operation_id.upper()


def _answer_of(reply: bytes) -> bytes:
    """The answer in the reply to a retransmission. MS-WSMV 3.1.4.1.39 (and 4.11.3) sends that reply
    as a series of envelopes: an Acknowledge message (``LastSequenceIdReceived``) first, then the
    kept answer. pypsrp reads one envelope: the Acknowledge messages are dropped. Anything else
    (one envelope, or parts that do not parse on their own) is returned as it came."""
    starts = [match.start() for match in _ENVELOPE_START.finditer(reply)]
    if len(starts) < 2:
        return reply
    answers = []
    for begin, end in zip(starts, starts[1:] + [len(reply)]):
        part = reply[begin:end]
        try:
            action = ET.fromstring(part).findtext('s:Header/wsa:Action', namespaces=NAMESPACES) or ''
        except ET.ParseError:
            return reply
        if action.strip() != _ACKNOWLEDGE:
            answers.append(part)
    return answers[0] if len(answers) == 1 else reply


def poll_invoke(ps: t.Any, wsman: t.Any, operation: ReceiveOperation, timeout: int | None = None) -> None:
    """``ps.poll_invoke(timeout)``, its Receive sent as ``operation``: the first time with a new
    OperationID, then as a retransmission of it. ``operation.named`` then says whether the host
    answered (or faulted) as that operation."""
    pending = {'ours': False, 'built': False}  # our Receive is built and not yet sent; it was built (once per call)
    create_header = wsman._create_header  # pylint: disable=protected-access  # pypsrp builds the header there
    transport = wsman.transport
    send = transport.send

    def robust_header(action: str, *args: t.Any, **kwargs: t.Any) -> tuple[str, t.Any]:
        message_id, header = create_header(action, *args, **kwargs)
        if action != WSManAction.RECEIVE or pending['built']:
            return message_id, header
        if operation.message_id is None:
            operation.message_id = message_id
        else:  # the retransmission repeats the request, MessageID included (4.11.3): the kept answer relates to it
            header.find('wsa:MessageID', NAMESPACES).text = 'uuid:%s' % operation.message_id
            message_id = operation.message_id
        element = ET.SubElement(header, '{%s}OperationID' % NAMESPACES['wsmv'],
                                {_MUST_UNDERSTAND: 'true' if operation.sent else 'false'})
        element.text = operation.operation_id
        ET.SubElement(header, '{%s}SequenceId' % NAMESPACES['wsmv'], {_MUST_UNDERSTAND: 'false'}).text = '1'
        pending['ours'] = pending['built'] = True
        return message_id, header

    def robust_send(message: bytes, *args: t.Any, **kwargs: t.Any) -> bytes:
        if not pending['ours']:
            return send(message, *args, **kwargs)
        pending['ours'] = False
        operation.sent += 1
        operation.named = None
        # pypsrp would send the same bytes again after a read timeout: to a robust host a second
        # request with that OperationID not marked as a retransmission is an error. The caller
        # sends it again, marked, on a new connection.
        kwargs['retries_on_read_timeout'] = 0
        try:
            response = send(message, *args, **kwargs)
        except WinRMTransportError as err:
            operation.named = _names(err.response_text, operation.operation_id)
            raise
        if operation.retransmitted:
            response = _answer_of(response)
        operation.named = _names(response, operation.operation_id)
        return response

    saved = [(obj, name, vars(obj).get(name)) for obj, name in ((wsman, '_create_header'), (transport, 'send'))]
    wsman._create_header = robust_header  # pylint: disable=protected-access
    transport.send = robust_send
    try:
        ps.poll_invoke(timeout)
    finally:
        for obj, name, before in saved:  # what the object had before: normally its class's own method
            if before is None:
                delattr(obj, name)
            else:
                setattr(obj, name, before)
