"""SOAP envelope parsing and building for WS-Management (WinRM 3.0 dialect)."""

from __future__ import annotations

import dataclasses
import re
import uuid
import xml.etree.ElementTree as ET

from . import faults

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "n": "http://schemas.xmlsoap.org/ws/2004/09/enumeration",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "pwsh": "http://schemas.microsoft.com/powershell",
    "cfg": "http://schemas.microsoft.com/wbem/wsman/1/config",
}
# Windows answers with these short prefixes (a:, x:, n:, w:, p:, rsp:); clients use namespaces,
# but matching the prefixes keeps captured traffic readable side by side with real recordings.
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
SHELL_ACTION = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
TRANSFER_ACTION = "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
ENUM_ACTION = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

# Short action names (the last path segment) are what stats, knobs and the dispatcher use.
ACTIONS = {
    TRANSFER_ACTION + "Create": "Create",
    TRANSFER_ACTION + "Delete": "Delete",
    TRANSFER_ACTION + "Get": "Get",
    ENUM_ACTION + "Enumerate": "Enumerate",
    SHELL_ACTION + "Command": "Command",
    SHELL_ACTION + "Send": "Send",
    SHELL_ACTION + "Receive": "Receive",
    SHELL_ACTION + "Signal": "Signal",
    SHELL_ACTION + "Disconnect": "Disconnect",
    SHELL_ACTION + "Reconnect": "Reconnect",
    SHELL_ACTION + "Connect": "Connect",
}
RESPONSE_ACTIONS = {
    "Create": TRANSFER_ACTION + "CreateResponse",
    "Delete": TRANSFER_ACTION + "DeleteResponse",
    "Get": TRANSFER_ACTION + "GetResponse",
    "Enumerate": ENUM_ACTION + "EnumerateResponse",
    "Command": SHELL_ACTION + "CommandResponse",
    "Send": SHELL_ACTION + "SendResponse",
    "Receive": SHELL_ACTION + "ReceiveResponse",
    "Signal": SHELL_ACTION + "SignalResponse",
    "Disconnect": SHELL_ACTION + "DisconnectResponse",
    "Reconnect": SHELL_ACTION + "ReconnectResponse",
    "Connect": SHELL_ACTION + "ConnectResponse",
}

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def q(prefix: str, tag: str) -> str:
    """Clark notation for ElementTree: q('rsp', 'Shell') -> '{uri}Shell'."""
    return f"{{{NS[prefix]}}}{tag}"


def parse_duration(text: str | None) -> float | None:
    """xs:duration (PT60S, PT7200.000S, P0DT0H1M2S) to seconds; None when absent or malformed."""
    if not text:
        return None
    m = _DURATION.match(text.strip())
    if not m or not any(m.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def format_seconds(seconds: float) -> str:
    """Seconds in the form WinRM uses for IdleTimeOut: PT7200.000S."""
    return f"PT{seconds:.3f}S"


def format_dhms(seconds: float) -> str:
    """Seconds in the form WinRM uses for ShellRunTime/ShellInactivity: P0DT0H1M2S."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"P{days}DT{hours}H{minutes}M{secs}S"


@dataclasses.dataclass
class Request:
    """The parts of a WSMan request envelope the operations need."""

    action_uri: str
    action: str
    message_id: str
    resource_uri: str
    operation_timeout: float
    max_envelope_size: int
    session_id: str
    to: str
    selectors: dict[str, str]
    options: dict[str, str]
    body: ET.Element
    # MS-WSMV 3.1.4.1.39 robust connections: wsmv:OperationID ("" when absent), whether its
    # mustUnderstand is true (a retransmission, 4.11.3), and wsmv:SequenceId as sent.
    operation_id: str = ""
    retransmission: bool = False
    sequence_id: str = ""

    def body_child(self, prefix: str, tag: str) -> ET.Element | None:
        return self.body.find(q(prefix, tag))

    @property
    def command_id(self) -> str | None:
        """The command a Receive, Send or Signal names (None for the shell's own: pool-level PSRP)."""
        for path in (f"{q('rsp', 'Receive')}/{q('rsp', 'DesiredStream')}", f"{q('rsp', 'Send')}/{q('rsp', 'Stream')}",
                     q("rsp", "Signal")):
            element = self.body.find(path)
            if element is not None:
                return element.get("CommandId") or None
        return None


def parse_request(raw: bytes) -> Request:
    try:
        env = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise faults.invalid_xml() from exc
    header = env.find(q("s", "Header"))
    body = env.find(q("s", "Body"))
    if header is None or body is None:
        raise faults.invalid_xml()

    def text(prefix: str, tag: str) -> str:
        el = header.find(q(prefix, tag))
        return (el.text or "").strip() if el is not None else ""

    action_uri = text("a", "Action")
    timeout = parse_duration(text("w", "OperationTimeout"))
    try:
        max_env = int(text("w", "MaxEnvelopeSize") or "153600")
    except ValueError:
        max_env = 153600
    selectors = {el.get("Name", ""): (el.text or "").strip() for el in header.findall(f"{q('w', 'SelectorSet')}/{q('w', 'Selector')}")}
    options = {el.get("Name", ""): (el.text or "").strip() for el in header.findall(f"{q('w', 'OptionSet')}/{q('w', 'Option')}")}
    operation = header.find(q("p", "OperationID"))
    # xs:boolean; MS-WSMV's own example (4.11.3) writes mustUnderstand="true " with a space.
    must_understand = (operation.get(q("s", "mustUnderstand"), "") if operation is not None else "").strip().lower()
    return Request(
        action_uri=action_uri,
        action=ACTIONS.get(action_uri, action_uri.rsplit("/", 1)[-1] or "Unknown"),
        message_id=text("a", "MessageID"),
        resource_uri=text("w", "ResourceURI"),
        # WinRM defaults to MaxTimeoutms (60 s) when the client gives none.
        operation_timeout=timeout if timeout is not None else 60.0,
        max_envelope_size=max_env,
        session_id=text("p", "SessionId"),
        to=text("a", "To"),
        selectors=selectors,
        options=options,
        body=body,
        operation_id=text("p", "OperationID"),
        retransmission=must_understand in ("true", "1"),
        sequence_id=text("p", "SequenceId"),
    )


def robust_headers(operation_id: str) -> list[ET.Element]:
    """What a server with robust connections adds to each answer of a request that carried
    wsmv:OperationID (MS-WSMV 3.1.4.1.39, 3.1.6.6): the same OperationID and the answer's
    SequenceId, which is 1 for a single-message answer such as a ReceiveResponse. Windows writes
    them after a:MessageID, the OperationID with mustUnderstand="false" and the SequenceId with no
    attribute (WinRM responses captured in Devolutions/ironPosh's tests, and MS-WSMV 4.11.3)."""
    operation = ET.Element(q("p", "OperationID"), {q("s", "mustUnderstand"): "false"})
    operation.text = operation_id
    sequence = ET.Element(q("p", "SequenceId"))
    sequence.text = "1"
    return [operation, sequence]


ROBUST_RESOURCE = "http://schemas.microsoft.com/wbem/wsman/1/wsman/RobustConnection"
ACKNOWLEDGE_ACTION = "http://schemas.microsoft.com/wbem/wsman/1/wsman/Acknowledge"


def acknowledge_envelope(operation_id: str, last_sequence_id: int) -> bytes:
    """The Acknowledge message a server sends first in its answer to a retransmission (MS-WSMV
    3.1.4.1.39: "the number of messages received so far from the client"; the shape of 4.11.3)."""
    env = ET.Element(q("s", "Envelope"))
    header = ET.SubElement(env, q("s", "Header"))
    ET.SubElement(header, q("a", "To")).text = ANONYMOUS
    ET.SubElement(header, q("w", "ResourceURI"), {q("s", "mustUnderstand"): "true"}).text = ROBUST_RESOURCE
    ET.SubElement(header, q("a", "Action"), {q("s", "mustUnderstand"): "true"}).text = ACKNOWLEDGE_ACTION
    ET.SubElement(header, q("a", "MessageID")).text = "uuid:" + str(uuid.uuid4()).upper()
    ET.SubElement(header, q("p", "OperationID")).text = operation_id
    body = ET.SubElement(env, q("s", "Body"))
    ET.SubElement(body, q("p", "LastSequenceIdReceived")).text = str(last_sequence_id)
    return ET.tostring(env, encoding="utf-8", xml_declaration=False)


def envelope(action_uri: str, relates_to: str, children: list[ET.Element] | None = None,
             headers: list[ET.Element] | None = None) -> bytes:
    env = ET.Element(q("s", "Envelope"), {XML_LANG: "en-US"})
    header = ET.SubElement(env, q("s", "Header"))
    ET.SubElement(header, q("a", "Action")).text = action_uri
    ET.SubElement(header, q("a", "MessageID")).text = "uuid:" + str(uuid.uuid4()).upper()
    header.extend(headers or [])
    ET.SubElement(header, q("a", "To")).text = ANONYMOUS
    if relates_to:
        ET.SubElement(header, q("a", "RelatesTo")).text = relates_to
    body = ET.SubElement(env, q("s", "Body"))
    for child in children or []:
        body.append(child)
    return ET.tostring(env, encoding="utf-8", xml_declaration=False)


def fault_envelope(fault: faults.WSManFault, relates_to: str, machine: str, headers: list[ET.Element] | None = None) -> bytes:
    fault_el = ET.Element(q("s", "Fault"))
    code = ET.SubElement(fault_el, q("s", "Code"))
    ET.SubElement(code, q("s", "Value")).text = "s:Sender" if fault.sender else "s:Receiver"
    sub = ET.SubElement(code, q("s", "Subcode"))
    ET.SubElement(sub, q("s", "Value")).text = fault.subcode
    reason = ET.SubElement(fault_el, q("s", "Reason"))
    ET.SubElement(reason, q("s", "Text"), {XML_LANG: "en-US"}).text = fault.reason
    detail = ET.SubElement(fault_el, q("s", "Detail"))
    if fault.detail:
        ET.SubElement(detail, q("w", "FaultDetail")).text = fault.detail
    wsman_fault = ET.SubElement(detail, q("f", "WSManFault"), {"Code": str(fault.code), "Machine": machine})
    message = ET.SubElement(wsman_fault, q("f", "Message"))
    if fault.provider is None:
        message.text = fault.message
    else:
        provider, path = fault.provider
        provider_fault = ET.SubElement(message, q("f", "ProviderFault"), {"provider": provider, "path": path})
        inner = ET.SubElement(provider_fault, q("f", "WSManFault"), {"Code": str(fault.code), "Machine": machine})
        ET.SubElement(inner, q("f", "Message")).text = fault.message
    return envelope(FAULT_ACTION, relates_to, [fault_el], headers)


def machine_name(to: str, host_header: str, default: str) -> str:
    """The WSManFault Machine attribute: WinRM names the host as the client addressed it (the
    host of wsa:To, else of the HTTP Host header), e.g. 127.0.0.1 or server.domain.local."""
    for value in (to, host_header):
        value = (value or "").strip()
        if "://" in value:
            value = value.split("://", 1)[1]
        value = value.split("/", 1)[0].rsplit("@", 1)[-1]
        if value.startswith("["):
            value = value[1:].split("]", 1)[0]
        elif value.count(":") == 1:
            value = value.split(":", 1)[0]
        if value:
            return value
    return default


def rsp(tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.Element(q("rsp", tag), attrib)
    if text is not None:
        el.text = text
    return el
